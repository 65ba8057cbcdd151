package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/store/sqldb"
)

// LogStore is a store with the tamper-evident log (both engines).
type LogStore interface {
	ledger.Source
	tlog.HashReader
	PutCheckpoint(ctx context.Context, size int64, signed []byte) error
}

func (a *App) logStore() (LogStore, error) {
	ls, ok := a.Store.(LogStore)
	if !ok {
		return nil, fmt.Errorf("the %T store keeps no log", a.Store)
	}
	return ls, nil
}

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
	ls, err := a.logStore()
	if err != nil {
		return nil, err
	}
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
	ls, err := a.logStore()
	if err != nil {
		return nil, err
	}
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
		ls, err := a.logStore()
		if err != nil {
			a.Log.Error("checkpoints", "err", err)
			return
		}
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

// bundleStore is what making a bundle reads.
type bundleStore interface {
	LogStore
	Checkpoints(ctx context.Context) ([][]byte, error)
	IncidentReports(ctx context.Context, incidentID int64) ([]sqldb.RawReport, error)
	LogEntryFor(ctx context.Context, kind, key string, rev int) (int64, []byte, error)
}

// Bundle exports an incident's reports with their log entries, inclusion
// proofs and the latest signed checkpoint, to be checked offline with
// CheckBundle.
func (a *App) Bundle(ctx context.Context, incidentID int64) (*ledger.Bundle, error) {
	bs, ok := a.Store.(bundleStore)
	if !ok {
		return nil, fmt.Errorf("the %T store keeps no log", a.Store)
	}
	cps, err := bs.Checkpoints(ctx)
	if err != nil {
		return nil, err
	}
	if len(cps) == 0 {
		return nil, fmt.Errorf("bundle: no checkpoint signed yet (truce checkpoint)")
	}
	latest := cps[len(cps)-1]
	c, err := ledger.ParseCheckpoint(checkpointText(latest))
	if err != nil {
		return nil, err
	}
	reps, err := bs.IncidentReports(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	if len(reps) == 0 {
		return nil, fmt.Errorf("bundle: incident %d: %w", incidentID, store.ErrNotFound)
	}
	b := &ledger.Bundle{Checkpoint: string(latest)}
	for _, r := range reps {
		idx, entry, err := bs.LogEntryFor(ctx, ledger.Report, r.Key, r.Revision)
		if err != nil {
			return nil, err
		}
		if idx >= c.Size {
			return nil, fmt.Errorf("bundle: report %s was logged after the latest checkpoint (size %d): sign a new one first", r.Key, c.Size)
		}
		p, err := tlog.ProveRecord(c.Size, idx, bs)
		if err != nil {
			return nil, err
		}
		content, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		b.Records = append(b.Records, ledger.BundledRecord{Content: content, Index: idx, Entry: string(entry), Proof: ledger.NewProof(p)})
	}
	return b, nil
}

// checkpointText is the body of a signed note (before its blank line).
func checkpointText(msg []byte) string {
	text, _, _ := strings.Cut(string(msg), "\n\n")
	return text + "\n"
}

// CheckBundle checks a bundle offline against the node's public key(s).
func CheckBundle(b *ledger.Bundle, known note.Verifiers) (ledger.Checkpoint, error) {
	return ledger.CheckBundle(b, known, func(content json.RawMessage) (string, string, int, string, error) {
		var r sqldb.RawReport
		if err := json.Unmarshal(content, &r); err != nil {
			return "", "", 0, "", err
		}
		return ledger.Report, r.Key, r.Revision, sqldb.ReportDigest(r), nil
	})
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
	bs, ok := a.Store.(bundleStore)
	if !ok {
		return nil, 0, nil
	}
	var size int64
	cps, err := bs.Checkpoints(ctx)
	if err != nil {
		return nil, 0, err
	}
	if len(cps) > 0 {
		if cp, err := ledger.ParseCheckpoint(checkpointText(cps[len(cps)-1])); err == nil {
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
