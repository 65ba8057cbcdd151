package ledger

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Bundle carries records out of a node with what proves them: each
// record's log entry, an inclusion proof of that entry in a signed
// checkpoint's tree, and the checkpoint. Anyone holding the node's public
// key can check it offline.
type Bundle struct {
	Checkpoint string          `json:"checkpoint"` // signed note
	Records    []BundledRecord `json:"records"`
}

// BundledRecord is one record revision with its proof.
type BundledRecord struct {
	// Kind is the record's kind in the log: Report (also when empty, as
	// in bundles made before events travelled) or IncidentEvent.
	Kind string `json:"kind,omitempty"`
	// Content is the record as stored (a RawReport, a RawEvent).
	Content json.RawMessage `json:"content"`
	Index   int64           `json:"index"`
	Entry   string          `json:"entry"`
	Proof   []string        `json:"proof"`
}

// NewProof encodes an inclusion proof for a bundle.
func NewProof(p tlog.RecordProof) []string { return EncodeHashes(p) }

// EncodeHash writes a tree hash as checkpoints and proofs carry it:
// standard base64.
func EncodeHash(h tlog.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }

// EncodeHashes writes the hashes of a proof, each as EncodeHash does.
func EncodeHashes(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = EncodeHash(h)
	}
	return out
}

// CheckBundle checks every record of b against its entry and every entry
// against the checkpoint, which must be signed by a known key.
func CheckBundle(b *Bundle, known note.Verifiers) (Checkpoint, error) {
	c, _, err := Open([]byte(b.Checkpoint), known)
	if err != nil {
		return c, err
	}
	// A bundle proves its records: one with none proves nothing, and must
	// not pass for a proof.
	if len(b.Records) == 0 {
		return c, errors.New("the bundle holds no record")
	}
	for i, r := range b.Records {
		e, err := ParseEntry(r.Index, []byte(r.Entry))
		if err != nil {
			return c, fmt.Errorf("record %d: %w", i+1, err)
		}
		kind, key, rev, sha, err := recordDigest(r)
		if err != nil {
			return c, fmt.Errorf("record %d: %w", i+1, err)
		}
		if e.Kind != kind || e.Key != key || e.Rev != rev {
			return c, fmt.Errorf("record %d (%s %s rev %d): its log entry %d is for %s %s rev %d", i+1, kind, key, rev, r.Index, e.Kind, e.Key, e.Rev)
		}
		if e.Digest != sha {
			return c, fmt.Errorf("record %d (%s %s rev %d): content differs from log entry %d: altered", i+1, kind, key, rev, r.Index)
		}
		proof := make(tlog.RecordProof, len(r.Proof))
		for j, s := range r.Proof {
			h, err := base64.StdEncoding.DecodeString(s)
			if err != nil || len(h) != tlog.HashSize {
				return c, fmt.Errorf("record %d: proof hash %d is not a base64 SHA-256", i+1, j)
			}
			copy(proof[j][:], h)
		}
		if err := tlog.CheckRecord(proof, c.Size, c.Root, r.Index, tlog.RecordHash([]byte(r.Entry))); err != nil {
			return c, fmt.Errorf("record %d (%s %s): log entry %d is not in the signed tree of size %d: %w", i+1, kind, key, r.Index, c.Size, err)
		}
	}
	return c, nil
}

// recordDigest reads a bundled record and computes its digest.
func recordDigest(r BundledRecord) (kind, key string, rev int, sha string, err error) {
	switch r.Kind {
	case "", Report:
		var x RawReport
		if err := json.Unmarshal(r.Content, &x); err != nil {
			return "", "", 0, "", fmt.Errorf("not a report: %w", err)
		}
		return Report, x.Key, x.Revision, ReportDigest(x), nil
	case IncidentEvent:
		var x RawEvent
		if err := json.Unmarshal(r.Content, &x); err != nil {
			return "", "", 0, "", fmt.Errorf("not an incident event: %w", err)
		}
		return IncidentEvent, x.Key, 1, EventDigest(x), nil
	}
	return "", "", 0, "", fmt.Errorf("%q records do not travel in bundles", r.Kind)
}
