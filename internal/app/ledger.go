package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

// ReadSigner reads a node's private key file (made by "truce key
// generate").
func ReadSigner(file string) (note.Signer, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("log key: %w", err)
	}
	s, err := note.NewSigner(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("log key %s: %w", file, err)
	}
	return s, nil
}

// ReadVerifiers reads public keys, one per line, from files.
func ReadVerifiers(files ...string) (note.Verifiers, error) {
	var vs []note.Verifier
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			v, err := note.NewVerifier(strings.TrimSpace(line))
			if err != nil {
				return nil, fmt.Errorf("public key %s: %w", f, err)
			}
			vs = append(vs, v)
		}
	}
	return note.VerifierList(vs...), nil
}

// Checkpoint signs the log as it stands now and stores the checkpoint.
func (a *App) Checkpoint(ctx context.Context, signer note.Signer) ([]byte, error) {
	ls := a.store
	n, err := ls.LogSize(ctx)
	if err != nil {
		return nil, err
	}
	root, err := tlog.TreeHash(n, ls)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	msg, err := ledger.Sign(ledger.Checkpoint{Origin: signer.Name(), Size: n, Root: root}, signer)
	if err != nil {
		return nil, err
	}
	if err := ls.PutCheckpoint(ctx, n, msg); err != nil {
		return nil, err
	}
	return msg, nil
}

// Verify checks the whole store against its log and checkpoints, and that
// the agreements the engine rules with are the logged ones.
func (a *App) Verify(ctx context.Context, known note.Verifiers) (*ledger.Result, error) {
	ls := a.store
	res, err := ledger.Verify(ctx, ls, known)
	if err != nil {
		return nil, err
	}
	a.mu.RLock()
	for _, err := range a.altered {
		res.Problems = append(res.Problems, ledger.Problem{Index: -1, Record: "agreement_sources", What: err.Error() + ": the engine does not rule with it"})
	}
	a.mu.RUnlock()
	return res, nil
}

// SignCheckpoints signs a checkpoint now and then every interval while the
// log grows, until ctx ends: a node publishes its tree this way.
func (a *App) SignCheckpoints(ctx context.Context, signer note.Signer, interval time.Duration) {
	last := int64(-1)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		ls := a.store
		if n, err := ls.LogSize(ctx); err == nil && n != last {
			if _, err := a.Checkpoint(ctx, signer); err != nil {
				a.Log.Error("sign checkpoint", "err", err)
			} else {
				last = n
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Bundle exports an incident's case: its reports and its whole history
// (review, replies, findings and positions), each with its log entry and
// an inclusion proof in the latest signed checkpoint, to be checked
// offline with CheckBundle by anyone holding the node's public key.
func (a *App) Bundle(ctx context.Context, incidentID int64) (*ledger.Bundle, error) {
	latest, err := a.LatestCheckpoint(ctx)
	if errors.Is(err, ErrNoCheckpoint) {
		return nil, fmt.Errorf("bundle: no checkpoint signed yet (truce checkpoint)")
	}
	if err != nil {
		return nil, err
	}
	c, _, err := ledger.Unverified(latest)
	if err != nil {
		return nil, err
	}
	reps, err := a.store.IncidentReports(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	if len(reps) == 0 {
		return nil, fmt.Errorf("bundle: incident %d: %w", incidentID, store.ErrNotFound)
	}
	events, err := a.store.IncidentEventDocs(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	b := &ledger.Bundle{Checkpoint: string(latest)}
	add := func(kind, key string, rev int, content any) error {
		idx, entry, err := a.store.LogEntryFor(ctx, kind, key, rev)
		if err != nil {
			return err
		}
		if idx >= c.Size {
			return fmt.Errorf("bundle: %s %s was logged after the latest checkpoint (size %d): sign a new one first", kind, key, c.Size)
		}
		p, err := tlog.ProveRecord(c.Size, idx, a.store)
		if err != nil {
			return err
		}
		data, err := json.Marshal(content)
		if err != nil {
			return err
		}
		b.Records = append(b.Records, ledger.BundledRecord{Kind: kind, Content: data, Index: idx, Entry: string(entry), Proof: ledger.NewProof(p)})
		return nil
	}
	for _, r := range reps {
		if err := add(ledger.Report, r.Key, r.Revision, r); err != nil {
			return nil, err
		}
	}
	for _, e := range events {
		if err := add(ledger.IncidentEvent, e.Key, 1, e); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// CheckBundle checks a bundle offline against the node's public key(s).
func CheckBundle(b *ledger.Bundle, known note.Verifiers) (ledger.Checkpoint, error) {
	return ledger.CheckBundle(b, known)
}

// LogRef is where one record of an incident stands in the log.
type LogRef struct {
	Kind  string `json:"kind"`
	Key   string `json:"key"`
	Rev   int    `json:"rev"`
	Index int64  `json:"index"`
	// Signed is set when the entry is within the latest signed
	// checkpoint, of size CheckpointSize, so that an inclusion proof
	// against it can be asked for.
	Signed bool `json:"signed"`
}

// LogRefs lists the log entries of a case's records (its reports' current
// revisions and its events), with the size of the latest signed
// checkpoint: what a reader needs to ask the node (GET /log/proof/...)
// for proofs, and to check them against a checkpoint they trust.
func (a *App) LogRefs(ctx context.Context, c *Case) ([]LogRef, int64, error) {
	bs := a.store
	var size int64
	cps, err := bs.Checkpoints(ctx)
	if err != nil {
		return nil, 0, err
	}
	if len(cps) > 0 {
		if cp, _, err := ledger.Unverified(cps[len(cps)-1]); err == nil {
			size = cp.Size
		}
	}
	var refs []LogRef
	add := func(kind, key string, rev int) error {
		idx, _, err := bs.LogEntryFor(ctx, kind, key, rev)
		if err != nil {
			return err
		}
		refs = append(refs, LogRef{Kind: kind, Key: key, Rev: rev, Index: idx, Signed: idx < size})
		return nil
	}
	raws, err := bs.IncidentReports(ctx, c.ID)
	if err != nil {
		return nil, 0, err
	}
	for _, r := range raws {
		if err := add(ledger.Report, r.Key, r.Revision); err != nil {
			return nil, 0, err
		}
	}
	for _, e := range c.Case.History {
		if err := add(ledger.IncidentEvent, fmt.Sprintf("%d/%d", c.ID, e.Seq), 1); err != nil {
			return nil, 0, err
		}
	}
	return refs, size, nil
}

// The log is public: its entries hold digests, not records, so that
// anyone may check it without seeing what it protects. These read it for
// any viewer.

// ErrNoCheckpoint is returned when no checkpoint has been signed yet.
var ErrNoCheckpoint = fmt.Errorf("no checkpoint has been signed yet (truce checkpoint, or serve -key): %w", store.ErrNotFound)

// LatestCheckpoint returns the latest signed checkpoint, as a signed note.
func (a *App) LatestCheckpoint(ctx context.Context) ([]byte, error) {
	cps, err := a.store.Checkpoints(ctx)
	if err != nil {
		return nil, err
	}
	if len(cps) == 0 {
		return nil, ErrNoCheckpoint
	}
	return cps[len(cps)-1], nil
}

// Checkpoints returns every signed checkpoint, oldest first.
func (a *App) Checkpoints(ctx context.Context) ([][]byte, error) {
	return a.store.Checkpoints(ctx)
}

// LogSize returns the number of entries in the log.
func (a *App) LogSize(ctx context.Context) (int64, error) {
	return a.store.LogSize(ctx)
}

// LogEntry is one entry of the log, as its data reads.
type LogEntry struct {
	Index int64  `json:"index"`
	Data  string `json:"data"`
}

// LogEntries returns up to max entries from index start on.
func (a *App) LogEntries(ctx context.Context, start int64, max int) ([]LogEntry, error) {
	var out []LogEntry
	errFull := errors.New("page full")
	err := a.store.EachLogEntry(ctx, start, func(i int64, data []byte) error {
		if len(out) == max {
			return errFull
		}
		out = append(out, LogEntry{Index: i, Data: string(data)})
		return nil
	})
	if err != nil && !errors.Is(err, errFull) {
		return nil, err
	}
	return out, nil
}

// ErrLogRange is returned for a proof asked of a tree size or an index
// the log does not have.
var ErrLogRange = errors.New("outside the log")

// InclusionProof proves that entry index is in the tree of size size, and
// returns that tree's root hash.
func (a *App) InclusionProof(ctx context.Context, index, size int64) (tlog.RecordProof, tlog.Hash, error) {
	if err := a.logHas(ctx, size); err != nil {
		return nil, tlog.Hash{}, err
	}
	if index < 0 || index >= size {
		return nil, tlog.Hash{}, fmt.Errorf("index: %d is not an entry of a tree of size %d: %w", index, size, ErrLogRange)
	}
	p, err := tlog.ProveRecord(size, index, a.store)
	if err != nil {
		return nil, tlog.Hash{}, err
	}
	root, err := tlog.TreeHash(size, a.store)
	return p, root, err
}

// ConsistencyProof proves that the tree of size old is a prefix of the
// tree of size size.
func (a *App) ConsistencyProof(ctx context.Context, old, size int64) (tlog.TreeProof, error) {
	if err := a.logHas(ctx, size); err != nil {
		return nil, err
	}
	if old < 1 || old > size {
		return nil, fmt.Errorf("old: %d is not a size from 1 to %d: %w", old, size, ErrLogRange)
	}
	return tlog.ProveTree(size, old, a.store)
}

// TreeHash returns the root hash of the tree of size size.
func (a *App) TreeHash(ctx context.Context, size int64) (tlog.Hash, error) {
	if err := a.logHas(ctx, size); err != nil {
		return tlog.Hash{}, err
	}
	return tlog.TreeHash(size, a.store)
}

// logHas checks that size is a size the log has reached.
func (a *App) logHas(ctx context.Context, size int64) error {
	n, err := a.store.LogSize(ctx)
	if err != nil {
		return err
	}
	if size < 1 || size > n {
		return fmt.Errorf("size: %d is not a size from 1 to %d: %w", size, n, ErrLogRange)
	}
	return nil
}
