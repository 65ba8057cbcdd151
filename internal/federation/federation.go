// Package federation is how truce nodes that do not trust each other hold
// each other's records (docs/federation.md): a node pulls a peer's signed
// checkpoints, log entries and records over HTTP, and keeps a record only
// once it matches the peer's log, which is proven a prefix of a checkpoint
// the peer signed. Nothing here needs the peer to be honest: whatever it
// serves is checked, and what contradicts what it signed before is a
// Problem, with the two signed notes that show it.
//
// This package holds the wire format and the checks; the app keeps the
// copies (app/federation.go).
package federation

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce/internal/ledger"
)

// Record is one record as a node serves it to a peer: the record exactly
// as stored, so that the peer can recompute the digest its log entry
// holds. Identities stay sealed (the report's sealed field is ciphertext
// under the serving node's data key).
type Record struct {
	Index int64  `json:"index"`
	Kind  string `json:"kind"`
	// Node is the node that recorded it when another node did (a copy
	// the serving node took from its own peer): such a record is in the
	// serving node's log, but a puller takes it from its origin.
	Node   string            `json:"node,omitempty"`
	Report *ledger.RawReport `json:"report,omitempty"`
	Event  *ledger.RawEvent  `json:"event,omitempty"`
	// Evidence is an evidence file's description; its bytes are fetched
	// on their own (Client.Evidence) and checked against the entry.
	Evidence *EvidenceFile `json:"evidence,omitempty"`
	// Reports are, for an incident event, the reports of its incident
	// when served (not covered by the digest: they say where the event
	// belongs, and a wrong one misplaces it, nothing more).
	Reports []ReportRef `json:"reports,omitempty"`
}

// EvidenceFile is an evidence file as served: its SHA-256 (its key and
// digest in the log) and media type.
type EvidenceFile struct {
	SHA256    string `json:"sha256"`
	MediaType string `json:"media_type"`
	Size      int64  `json:"size"`
}

// ReportRef names a report as the serving node stores it.
type ReportRef struct {
	Node     string `json:"node,omitempty"` // "" when the serving node recorded it
	Source   string `json:"source"`
	SourceID string `json:"source_id"`
}

// LocalID is the source id under which a node stores a report recorded by
// node (another): every node namespaces a peer's reports the same way, so
// that a report keeps one name across nodes but its origin's.
func LocalID(node, sourceID string) string { return node + ":" + sourceID }

// Local is where a report the peer named as ref stands on node self.
func (ref ReportRef) Local(peer, self string) (source, sourceID string) {
	switch {
	case ref.Node == "":
		return ref.Source, LocalID(peer, ref.SourceID)
	case ref.Node == self:
		return ref.Source, strings.TrimPrefix(ref.SourceID, self+":")
	default:
		return ref.Source, ref.SourceID
	}
}

// Page is the answer to GET /federation/records: the records of the
// entries from Start to End the grant allows (the others are withheld:
// only their entries travel, which still verify).
type Page struct {
	Start   int64    `json:"start"`
	End     int64    `json:"end"`
	Records []Record `json:"records"`
}

// Check says whether r is the record e logs: its kind, key, revision and
// the digest recomputed from what was served.
func Check(e ledger.Entry, r Record) error {
	if r.Index != e.Index || r.Kind != e.Kind {
		return fmt.Errorf("record at index %d is a %s, the entry a %s", r.Index, r.Kind, e.Kind)
	}
	switch e.Kind {
	case ledger.Report:
		if r.Report == nil {
			return fmt.Errorf("record at index %d: no report", e.Index)
		}
		if r.Report.Key != e.Key || r.Report.Revision != e.Rev {
			return fmt.Errorf("record at index %d is report %s revision %d, the entry %s revision %d", e.Index, r.Report.Key, r.Report.Revision, e.Key, e.Rev)
		}
		if d := ledger.ReportDigest(*r.Report); d != e.Digest {
			return fmt.Errorf("report %s revision %d at index %d: digest %s, the log holds %s", e.Key, e.Rev, e.Index, d, e.Digest)
		}
	case ledger.IncidentEvent:
		if r.Event == nil {
			return fmt.Errorf("record at index %d: no event", e.Index)
		}
		if r.Event.Key != e.Key {
			return fmt.Errorf("record at index %d is event %s, the entry %s", e.Index, r.Event.Key, e.Key)
		}
		if d := ledger.EventDigest(*r.Event); d != e.Digest {
			return fmt.Errorf("event %s at index %d: digest %s, the log holds %s", e.Key, e.Index, d, e.Digest)
		}
	case ledger.Evidence:
		if r.Evidence == nil || r.Evidence.SHA256 != e.Key || e.Key != e.Digest {
			return fmt.Errorf("record at index %d is not evidence file %s", e.Index, e.Key)
		}
	default:
		return fmt.Errorf("record at index %d: kind %s is not replicated", e.Index, e.Kind)
	}
	return nil
}

// Problem is a reason to stop trusting a peer: what it served contradicts
// what it signed. Index is the first bad index of its log when one is
// known (-1 otherwise); A and B are the two signed notes in conflict,
// when the problem is between checkpoints.
type Problem struct {
	Kind   string // fork, inconsistent, entries, record
	Detail string
	Index  int64
	A, B   string
}

func (p *Problem) Error() string {
	s := p.Kind + ": " + p.Detail
	if p.Index >= 0 {
		s += fmt.Sprintf(" (first bad index %d)", p.Index)
	}
	return s
}

// Kinds of problems.
const (
	// Fork: two checkpoints of the node that cannot both be true, one of
	// them shown to another node (gossip).
	Fork = "fork"
	// Inconsistent: a checkpoint that does not extend the tree this node
	// verified before: the log was rewritten.
	Inconsistent = "inconsistent"
	// Entries: entries served that are not those of the signed tree.
	Entries = "entries"
	// Mismatch: a record served that is not what its entry logs.
	Mismatch = "record"
)

// Client talks to one peer.
type Client struct {
	URL string
	// Token is this node's grant at the peer ("" for none: the log
	// only).
	Token string
	HTTP  *http.Client
}

// maxBody bounds an answer: a page of 1000 records of reports with their
// original records.
const maxBody = 64 << 20

func (c *Client) get(ctx context.Context, path string, auth bool) ([]byte, error) {
	return c.getMax(ctx, path, auth, maxBody)
}

func (c *Client) getMax(ctx context.Context, path string, auth bool, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", strings.TrimRight(c.URL, "/")+path, nil)
	if err != nil {
		return nil, err
	}
	if auth && c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: time.Minute}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &StatusError{Path: path, Code: resp.StatusCode, Body: string(bytes.TrimSpace(body))}
	}
	return body, nil
}

// StatusError is an answer other than 200.
type StatusError struct {
	Path string
	Code int
	Body string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("GET %s: %d %s: %s", e.Path, e.Code, http.StatusText(e.Code), e.Body)
}

// Checkpoint fetches the peer's latest signed checkpoint.
func (c *Client) Checkpoint(ctx context.Context) ([]byte, error) {
	return c.get(ctx, "/log/checkpoint", false)
}

// tileHeight is the C2SP tiles' height: 256 entries a bundle.
const tileHeight = 8

// Tiles fetches the peer's entries [start, end) as C2SP tlog-tiles entry
// bundles (/log/tile/entries/N[.p/W]), at most max of them: the bundles
// of a tree of size size (the checkpoint's), a full one never changes and
// can be cached on the way. A peer that serves no tiles is read through
// Entries.
func (c *Client) Tiles(ctx context.Context, start, end, size int64, max int) ([][]byte, error) {
	var out [][]byte
	for at := start; at < end && len(out) < max; {
		n := at >> tileHeight
		w := min(size-n<<tileHeight, 1<<tileHeight)
		t := tlog.Tile{H: tileHeight, L: -1, N: n, W: int(w)}
		path := "/log/tile/entries/" + strings.TrimPrefix(t.Path(), "tile/8/data/")
		body, err := c.get(ctx, path, false)
		var se *StatusError
		if errors.As(err, &se) && se.Code == http.StatusNotFound && len(out) == 0 {
			return c.Entries(ctx, start)
		}
		if err != nil {
			return nil, err
		}
		for i := n << tileHeight; i < n<<tileHeight+w; i++ {
			if len(body) < 2 || len(body) < 2+int(binary.BigEndian.Uint16(body)) {
				return nil, fmt.Errorf("%s: bundle ends before entry %d", path, i)
			}
			l := int(binary.BigEndian.Uint16(body))
			if i >= at && i < end && len(out) < max {
				out = append(out, body[2:2+l])
			}
			body = body[2+l:]
		}
		if len(body) != 0 {
			return nil, fmt.Errorf("%s: %d bytes after its %d entries", path, len(body), w)
		}
		at = n<<tileHeight + w
	}
	return out, nil
}

// Entries fetches a page of the peer's log entries from start on (as
// many as the peer gives, at least one unless the log ends), through
// /log/entries.
func (c *Client) Entries(ctx context.Context, start int64) ([][]byte, error) {
	body, err := c.get(ctx, "/log/entries?start="+strconv.FormatInt(start, 10), false)
	if err != nil {
		return nil, err
	}
	var p struct {
		Entries []struct {
			Index int64  `json:"index"`
			Data  string `json:"data"`
		} `json:"entries"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("entries from %d: %w", start, err)
	}
	out := make([][]byte, len(p.Entries))
	for i, e := range p.Entries {
		if e.Index != start+int64(i) {
			return nil, fmt.Errorf("entries from %d: entry %d is numbered %d", start, start+int64(i), e.Index)
		}
		out[i] = []byte(e.Data)
	}
	return out, nil
}

// Records fetches the records of entries [start, end) the grant allows,
// in as many pages as the peer answers in.
func (c *Client) Records(ctx context.Context, start, end int64) ([]Record, error) {
	var out []Record
	for start < end {
		// own=1: only the records the peer recorded itself; the copies
		// it took from others are taken from their origin.
		q := url.Values{"start": {strconv.FormatInt(start, 10)}, "end": {strconv.FormatInt(end, 10)}, "own": {"1"}}
		body, err := c.get(ctx, "/federation/records?"+q.Encode(), true)
		if err != nil {
			return nil, err
		}
		var p Page
		if err := json.Unmarshal(body, &p); err != nil {
			return nil, fmt.Errorf("records %d-%d: %w", start, end, err)
		}
		if p.Start != start || p.End <= start {
			return nil, fmt.Errorf("records %d-%d: the peer answered for %d-%d", start, end, p.Start, p.End)
		}
		out = append(out, p.Records...)
		start = p.End
	}
	return out, nil
}

// maxEvidence bounds an evidence file fetched from a peer.
const maxEvidence = 256 << 20

// Evidence fetches an evidence file's bytes and checks them against its
// SHA-256 (the digest its log entry holds): a file that does not match is
// a *Problem at index.
func (c *Client) Evidence(ctx context.Context, sha string, index int64) ([]byte, error) {
	body, err := c.getMax(ctx, "/federation/evidence/"+url.PathEscape(sha), true, maxEvidence)
	if err != nil {
		return nil, err
	}
	if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != sha {
		return nil, &Problem{Kind: Mismatch, Detail: fmt.Sprintf("evidence file %s served with other bytes (SHA-256 %x)", sha, sum), Index: index}
	}
	return body, nil
}

// Consistency fetches a proof that the tree of size old is a prefix of
// the tree of size size.
func (c *Client) Consistency(ctx context.Context, old, size int64) (tlog.TreeProof, error) {
	body, err := c.get(ctx, fmt.Sprintf("/log/proof/consistency?old=%d&new=%d", old, size), false)
	if err != nil {
		return nil, err
	}
	var p struct{ Proof []string }
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("consistency proof %d to %d: %w", old, size, err)
	}
	return decodeHashes(p.Proof)
}

// Inclusion fetches a proof that entry index is in the tree of size size.
func (c *Client) Inclusion(ctx context.Context, index, size int64) (tlog.RecordProof, error) {
	body, err := c.get(ctx, fmt.Sprintf("/log/proof/inclusion?index=%d&size=%d", index, size), false)
	if err != nil {
		return nil, err
	}
	var p struct{ Proof []string }
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("inclusion proof of %d in %d: %w", index, size, err)
	}
	return decodeHashes(p.Proof)
}

// Gossip is a signed checkpoint of some node as a node holds it: the
// node's own, or one of a peer's it verified and cosigned.
type Gossip struct {
	Node string `json:"node"`
	Note string `json:"note"`
}

// Checkpoints fetches the checkpoints the peer holds (GET
// /federation/checkpoints).
func (c *Client) Checkpoints(ctx context.Context) ([]Gossip, error) {
	body, err := c.get(ctx, "/federation/checkpoints", false)
	if err != nil {
		return nil, err
	}
	var p struct {
		Checkpoints []Gossip `json:"checkpoints"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	return p.Checkpoints, nil
}

func decodeHashes(ss []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(ss))
	for i, s := range ss {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != tlog.HashSize {
			return nil, fmt.Errorf("proof: unreadable hash %q", s)
		}
		copy(out[i][:], b)
	}
	return out, nil
}

// Overlay reads stored hashes from a base (the verified copy) and then
// from hashes added in memory after it, numbered from First: a batch is
// hashed and checked before it is stored.
type Overlay struct {
	Base  tlog.HashReader
	First int64
	Added []tlog.Hash
	// read keeps what was read from Base: appending entry after entry
	// asks for the same few hashes of the copy again and again.
	read map[int64]tlog.Hash
}

// ReadHashes implements tlog.HashReader.
func (o *Overlay) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var base []int64
	var at []int
	for i, x := range indexes {
		if x >= o.First {
			if x-o.First >= int64(len(o.Added)) {
				return nil, fmt.Errorf("stored hash %d not available", x)
			}
			out[i] = o.Added[x-o.First]
			continue
		}
		if h, ok := o.read[x]; ok {
			out[i] = h
			continue
		}
		base = append(base, x)
		at = append(at, i)
	}
	if len(base) > 0 {
		hs, err := o.Base.ReadHashes(base)
		if err != nil {
			return nil, err
		}
		if o.read == nil {
			o.read = map[int64]tlog.Hash{}
		}
		for j, i := range at {
			out[i] = hs[j]
			o.read[base[j]] = hs[j]
		}
	}
	return out, nil
}

// Append adds the stored hashes of entry n (with data).
func (o *Overlay) Append(n int64, data []byte) error {
	if want := tlog.StoredHashCount(n); o.First+int64(len(o.Added)) != want {
		return fmt.Errorf("append entry %d: have %d stored hashes, want %d", n, o.First+int64(len(o.Added)), want)
	}
	hs, err := tlog.StoredHashes(n, data, o)
	if err != nil {
		return err
	}
	o.Added = append(o.Added, hs...)
	return nil
}
