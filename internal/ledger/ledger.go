// Package ledger is truce's tamper-evident record: every record written
// (an agreement version, a report and each change to it) is appended to a
// Merkle-tree log, and the node signs checkpoints of the tree, so that
// distrustful guarantors can each check, offline, that nothing was
// altered or removed. Hashing and proofs are Go's checksum database's
// (golang.org/x/mod/sumdb/tlog, RFC 6962); checkpoints are C2SP
// tlog-checkpoints in the signed-note format (golang.org/x/mod/sumdb/note).
package ledger

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// Kinds of records the log holds.
const (
	AgreementVersion = "agreement_version"
	// AgreementSource is an agreement file as loaded, from which the
	// engine rules, keyed "agreement/n" (the nth file stored).
	AgreementSource = "agreement_source"
	Report          = "report"
	// IncidentEvent is a step of an incident's history: a transition,
	// assignment, comment, grade, merge or split, reply, finding or a
	// guarantor's position. Its key is "incident/seq".
	IncidentEvent = "incident_event"
	// Evidence is an evidence file, keyed by its SHA-256.
	Evidence = "evidence"
	// Custody is a step in an evidence file's chain of custody, keyed
	// "sha256/seq".
	Custody = "custody"
	// ReferenceFile is a reference file an operator loaded (an actor
	// registry file, a control layer), keyed "kind/name/id": the engine
	// rules with it.
	ReferenceFile = "reference_file"
	// Humanitarian is a revision of a humanitarian record (a siege, an
	// access request, a case, a list, an exchange, an evacuation, a
	// displacement figure, a match decision), keyed "kind/id". Its digest
	// is of the stored document, in which identities are sealed: the log
	// commits to them without revealing them.
	Humanitarian = "humanitarian"
)

// Entry is one record's appearance in the log: which record, which of its
// revisions, and the digest of its canonical encoding. Holding the digest
// rather than the record keeps protected data (a witness's name) out of a
// log that is meant to be published, while still binding the record.
type Entry struct {
	Index int64  `json:"-"`
	Kind  string `json:"kind"`
	// Key names the record: "syria-coh-2016/3", "acled/SYR90001".
	Key string `json:"key"`
	// Rev is 1 when the record is created and counts its changes.
	Rev int `json:"rev"`
	// Digest is the SHA-256 of the record's canonical encoding, in hex.
	Digest string `json:"sha256"`
	// Prev is the digest of the revision this one replaces.
	Prev string `json:"prev,omitempty"`
}

// Data is the entry's canonical encoding: the bytes the tree hashes. It is
// the JSON encoding/json gives (fields in declaration order, no maps),
// written directly when every string is plain ASCII, as nearly all are:
// a verifier re-encodes every entry of the log.
func (e Entry) Data() []byte {
	if !plain(e.Kind) || !plain(e.Key) || !plain(e.Digest) || !plain(e.Prev) {
		b, err := json.Marshal(e)
		if err != nil {
			panic(err) // strings and ints always marshal
		}
		return b
	}
	b := make([]byte, 0, 48+len(e.Kind)+len(e.Key)+len(e.Digest)+len(e.Prev))
	b = append(append(b, `{"kind":"`...), e.Kind...)
	b = append(append(b, `","key":"`...), e.Key...)
	b = strconv.AppendInt(append(b, `","rev":`...), int64(e.Rev), 10)
	b = append(append(b, `,"sha256":"`...), e.Digest...)
	if e.Prev != "" {
		b = append(append(b, `","prev":"`...), e.Prev...)
	}
	return append(b, `"}`...)
}

// plain reports whether encoding/json writes s as it is.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// ParseEntry reads an entry's canonical encoding, refusing any that is
// not exactly canonical (so that two encodings cannot stand for one
// entry).
func ParseEntry(index int64, data []byte) (Entry, error) {
	e, ok := parsePlain(data)
	if !ok {
		if err := json.Unmarshal(data, &e); err != nil {
			return e, fmt.Errorf("log entry %d: %w", index, err)
		}
	}
	if string(e.Data()) != string(data) {
		return e, fmt.Errorf("log entry %d: not in canonical form", index)
	}
	e.Index = index
	return e, nil
}

// parsePlain reads the canonical form of an entry whose strings are plain,
// without encoding/json; anything else is left to encoding/json. The
// caller still compares the result's encoding with data.
func parsePlain(data []byte) (e Entry, ok bool) {
	s := string(data)
	str := func(prefix string) string {
		if !ok || !strings.HasPrefix(s, prefix) {
			ok = false
			return ""
		}
		s = s[len(prefix):]
		i := strings.IndexAny(s, `"\`)
		if i < 0 || s[i] != '"' {
			ok = false
			return ""
		}
		v := s[:i]
		s = s[i:]
		return v
	}
	ok = true
	e.Kind = str(`{"kind":"`)
	e.Key = str(`","key":"`)
	if !ok || !strings.HasPrefix(s, `","rev":`) {
		return e, false
	}
	s = s[len(`","rev":`):]
	i := strings.IndexByte(s, ',')
	if i < 0 {
		return e, false
	}
	rev, err := strconv.Atoi(s[:i])
	if err != nil {
		return e, false
	}
	e.Rev = rev
	s = s[i:]
	e.Digest = str(`,"sha256":"`)
	if ok && strings.HasPrefix(s, `","prev":"`) {
		e.Prev = str(`","prev":"`)
	}
	return e, ok && s == `"}`
}

// Hashes is a tlog.HashReader over stored hashes held in memory, for
// building and checking trees.
type Hashes []tlog.Hash

// ReadHashes implements tlog.HashReader.
func (h Hashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(h)) {
			return nil, fmt.Errorf("stored hash %d not available (have %d)", x, len(h))
		}
		out[i] = h[x]
	}
	return out, nil
}

// Append adds the stored hashes of record n (with data) to h.
func (h *Hashes) Append(n int64, data []byte) error {
	if want := tlog.StoredHashCount(n); int64(len(*h)) != want {
		return fmt.Errorf("append record %d: have %d stored hashes, want %d", n, len(*h), want)
	}
	add, err := tlog.StoredHashes(n, data, *h)
	if err != nil {
		return err
	}
	*h = append(*h, add...)
	return nil
}
