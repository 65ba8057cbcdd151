package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// A bulletin (internal/bulletin) is computed from the log as it stood at
// a checkpoint, so that anyone holding the database can compute it again
// later and get the same figures, whatever was recorded since. What an
// incident's records were at a size of the log is read here; the log is
// public, so when a record was logged is everyone's to know.

// CaseAt is an incident's case as a viewer may see it (CaseFor), as it
// stood when the log had Size entries.
type CaseAt struct {
	*Case
	Size int64
	// Logged says the incident existed then: one of its reports was
	// logged before Size.
	Logged bool
	// Later are the log indexes of its records (a report's current
	// revision, an event) logged at Size or after: what was recorded
	// since, which the case's facts and rulings, as stored now, may
	// reflect.
	Later []int64
}

// CasesAt returns the cases of the incidents ids that u (nil: the public)
// may see, each as it stood when the log had size entries: its history
// cut to the events logged before size, and its state, replies and
// findings folded from those. An incident u may not see now, or could not
// have seen in its state then, or none of whose reports was logged yet,
// is left out (the caller reads Logged to tell the last apart, for staff).
// Facts and rulings are those stored now: Later says whether anything of
// the incident was logged since.
func (a *App) CasesAt(ctx context.Context, u *workflow.User, ids []int64, size int64) (map[int64]*CaseAt, error) {
	out := map[int64]*CaseAt{}
	for _, id := range ids {
		c, err := a.CaseFor(ctx, u, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		at := &CaseAt{Case: c, Size: size}
		raws, err := a.store.IncidentReports(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, r := range raws {
			first, _, err := a.store.LogEntryFor(ctx, ledger.Report, r.Key, 1)
			if err != nil {
				return nil, fmt.Errorf("incident %d: %w", id, err)
			}
			if first < size {
				at.Logged = true
			}
			cur, _, err := a.store.LogEntryFor(ctx, ledger.Report, r.Key, r.Revision)
			if err != nil {
				return nil, fmt.Errorf("incident %d: %w", id, err)
			}
			if cur >= size {
				at.Later = append(at.Later, cur)
			}
		}
		// The history as logged before size; the viewer's copy of it
		// (redacted for those who do not see everything) is cut, so that
		// what is folded is what they may read.
		var before []workflow.Event
		for _, e := range c.Case.History {
			idx, _, err := a.store.LogEntryFor(ctx, ledger.IncidentEvent, strconv.FormatInt(id, 10)+"/"+strconv.Itoa(e.Seq), 1)
			if err != nil {
				return nil, fmt.Errorf("incident %d: %w", id, err)
			}
			if idx >= size {
				at.Later = append(at.Later, idx)
				continue
			}
			before = append(before, e)
		}
		if len(before) != len(c.Case.History) {
			cc := *c
			cc.Case = workflow.Fold(before, a.subject(c.Rulings))
			cc.State = string(cc.Case.State)
			if !SeesAll(u) {
				cc.Assignee = ""
			}
			at.Case = &cc
		}
		if !at.Logged || !Sees(u, at.Case.Case.State, at.Accused, at.Reports) {
			continue
		}
		out[id] = at
	}
	return out, nil
}

// LogAt is the log at a size: its size and root hash, and the signed
// checkpoint of that size when one was signed.
type LogAt struct {
	Size int64
	Root [32]byte
	// Checkpoint is the signed note, nil when the size was not signed.
	Checkpoint []byte
}

// BulletinLog is the log a bulletin is computed from now: the latest
// signed checkpoint, or, when none has been signed, the log as it stands
// (unsigned).
func (a *App) BulletinLog(ctx context.Context) (LogAt, error) {
	msg, err := a.LatestCheckpoint(ctx)
	switch {
	case errors.Is(err, ErrNoCheckpoint):
		n, err := a.LogSize(ctx)
		if err != nil {
			return LogAt{}, err
		}
		root, err := a.TreeHash(ctx, n)
		return LogAt{Size: n, Root: root}, err
	case err != nil:
		return LogAt{}, err
	}
	c, _, err := ledger.Unverified(msg)
	if err != nil {
		return LogAt{}, err
	}
	return LogAt{Size: c.Size, Root: c.Root, Checkpoint: msg}, nil
}
