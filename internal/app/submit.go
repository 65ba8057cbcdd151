package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/truce-monitor/truce/internal/importer/jsonl"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// ErrInvalidReport wraps what is wrong with a submitted report.
var ErrInvalidReport = errors.New("invalid report")

// Submit validates one report in truce's JSON from the server's trusted
// machine client and stores it, with its incident's rulings, durably: when
// Submit returns without error the report survives a crash. Resubmitting
// the same source and id is idempotent, so a client that lost the answer
// may simply retry. The client's ids live in their own namespace ("api:"),
// so that they never reach a dataset's records or a user's.
func (a *App) Submit(ctx context.Context, body []byte, kind incident.SourceKind) (store.Imported, *incident.Report, error) {
	return a.submit(ctx, body, func(r *incident.Report) {
		if r.Kind == "" {
			r.Kind = kind
		}
		r.Owner, r.SourceID = store.OwnerAPI, namespaced("api:", r.SourceID)
	})
}

// SubmitAs is Submit by a user (nil: the public web form), whose role says
// what the report is, whatever the body claims: a liaison's report is its
// party's claim, a researcher's a member of the public's, anyone else's a
// monitor's. The report belongs to the user, and its id is in the user's
// namespace ("NAME:"): nobody else may revise it. An administrator's ids
// are taken as they are, so that an administrator may correct any record,
// a dataset's too.
func (a *App) SubmitAs(ctx context.Context, body []byte, u *workflow.User) (store.Imported, *incident.Report, error) {
	if u == nil {
		return a.submit(ctx, body, func(r *incident.Report) {
			r.Kind, r.Party = incident.FromPublic, ""
			r.Owner, r.SourceID = store.OwnerPublic, namespaced("public:", r.SourceID)
		})
	}
	return a.submit(ctx, body, func(r *incident.Report) {
		switch u.Role {
		case workflow.Liaison:
			r.Kind, r.Party = incident.FromParty, u.Party
		case workflow.Researcher:
			r.Kind, r.Party = incident.FromPublic, ""
		case workflow.Admin:
			if r.Kind == "" {
				r.Kind = incident.FromMonitor
			}
			r.Owner = store.OwnerAdmin + u.Name
			return
		default:
			r.Kind, r.Party = incident.FromMonitor, ""
		}
		r.Owner, r.SourceID = "user:"+u.Name, namespaced(u.Name+":", r.SourceID)
	})
}

// namespaced puts a submitted id in its submitter's namespace, once: a
// client may send back the id it was answered with.
func namespaced(prefix, id string) string {
	if strings.HasPrefix(id, prefix) {
		return id
	}
	return prefix + id
}

func (a *App) submit(ctx context.Context, body []byte, fix func(*incident.Report)) (store.Imported, *incident.Report, error) {
	rep, fe := jsonl.ParseSubmission(body, jsonl.Config{Actors: a.Actors, Boundaries: a.Boundaries, Places: a.Places})
	if fe != nil {
		return store.Imported{}, nil, fmt.Errorf("%w: %w", ErrInvalidReport, fe)
	}
	fix(rep)
	for _, sha := range rep.Evidence {
		if _, err := a.store.EvidenceInfo(ctx, sha); err != nil {
			return store.Imported{}, nil, fmt.Errorf("%w: evidence %s: not stored (send the file first)", ErrInvalidReport, sha)
		}
	}
	if err := a.read(rep); err != nil {
		return store.Imported{}, nil, err
	}
	// The submission as received is the original record.
	rep.Original, rep.OriginalFormat = string(body), "application/json; truce-report"
	if err := a.seal(rep); err != nil {
		return store.Imported{}, nil, fmt.Errorf("%w: %w", ErrInvalidReport, err)
	}
	sub := submission{rep: *rep, done: make(chan submitResult, 1)}
	select {
	case a.submissions <- sub:
	case <-ctx.Done():
		return store.Imported{}, nil, ctx.Err()
	}
	select {
	case r := <-sub.done:
		return r.res, rep, r.err
	case <-ctx.Done():
		// The commit goes on; the client retries with the same id and
		// learns the outcome.
		return store.Imported{}, nil, ctx.Err()
	}
}

type submission struct {
	rep  incident.Report
	done chan submitResult
}

type submitResult struct {
	res store.Imported
	err error
}

// maxGroup bounds how many submissions share one commit.
const maxGroup = 256

// commitSubmissions stores submissions as they come, in group commits:
// the submissions waiting when a commit starts share its transaction and
// its fsync, so that many clients are acknowledged for the price of one
// durable write. None is acknowledged before its commit returns.
func (a *App) commitSubmissions() {
	for first := range a.submissions {
		group := []submission{first}
	drain:
		for len(group) < maxGroup {
			select {
			case s, ok := <-a.submissions:
				if !ok {
					break drain
				}
				group = append(group, s)
			default:
				break drain
			}
		}
		reports := make([]incident.Report, len(group))
		for i, s := range group {
			reports[i] = s.rep
		}
		ctx := context.Background()
		res, err := a.store.ImportReports(ctx, reports, a.Intake())
		if err != nil && len(group) > 1 {
			// One bad submission must not fail the others: commit them
			// one by one to find it.
			for _, s := range group {
				r, err := a.store.ImportReports(ctx, []incident.Report{s.rep}, a.Intake())
				if err != nil {
					s.done <- submitResult{err: err}
				} else {
					s.done <- submitResult{res: r[0]}
				}
			}
			continue
		}
		for i, s := range group {
			if err != nil {
				s.done <- submitResult{err: err}
			} else {
				s.done <- submitResult{res: res[i]}
			}
		}
	}
}
