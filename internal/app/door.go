package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/truce-monitor/truce/internal/auth"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// The App is the only way to the data: the command line, the API and the
// web interface call these methods with the viewer (nil: the public), and
// each applies what that viewer may see, so that no door can forget a
// rule another applies. The store itself is not reachable from outside.

// Operator is the viewer the command line acts as: whoever can open the
// database file (or holds its URL) already holds every record.
func Operator() *workflow.User {
	return &workflow.User{Name: "operator", Role: workflow.Admin}
}

// Incidents lists the incidents matching f that u may see, titles
// redacted for those who do not see everything, and the total matching.
func (a *App) Incidents(ctx context.Context, u *workflow.User, f store.Filter) ([]store.IncidentSummary, int, error) {
	f.Visible = Visibility(u)
	list, total, err := a.store.Incidents(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	RedactList(u, list)
	return list, total, nil
}

// RulingCounts counts the rulings of the incidents matching f that u may
// see, grouped (store.RulingCount): what the dashboard and the ruling
// summary show, without reading each incident.
func (a *App) RulingCounts(ctx context.Context, u *workflow.User, f store.Filter, by store.CountBy) ([]store.RulingCount, error) {
	f.Visible = Visibility(u)
	return a.store.RulingCounts(ctx, f, by)
}

// EachOnMap calls fn with each incident matching f that u may see, as
// the map shows it (titles redacted for those who do not see everything),
// as it is read.
func (a *App) EachOnMap(ctx context.Context, u *workflow.User, f store.Filter, fn func(store.OnMap) error) error {
	f.Visible = Visibility(u)
	all := SeesAll(u)
	return a.store.EachOnMap(ctx, f, func(m store.OnMap) error {
		if !all {
			RedactTitle(&m.Incident)
		}
		return fn(m)
	})
}

// EachReport calls fn with every report, as stored, for a viewer who sees
// everything (an export of the whole record).
func (a *App) EachReport(ctx context.Context, u *workflow.User, fn func(incident.Report) error) error {
	if !SeesAll(u) {
		return fmt.Errorf("every report: %w", workflow.ErrForbidden)
	}
	return a.store.EachReport(ctx, fn)
}

// EachIncident calls fn with every incident overlapping [from, to), for a
// viewer who sees everything.
func (a *App) EachIncident(ctx context.Context, u *workflow.User, from, to time.Time, fn func(incident.Incident) error) error {
	if !SeesAll(u) {
		return fmt.Errorf("every incident: %w", workflow.ErrForbidden)
	}
	return a.store.EachIncident(ctx, from, to, fn)
}

// User returns a user by name.
func (a *App) User(ctx context.Context, name string) (workflow.User, error) {
	return a.store.User(ctx, name)
}

// UserByToken returns the user an API token belongs to (ErrNotFound for
// no one's).
func (a *App) UserByToken(ctx context.Context, token string) (workflow.User, error) {
	return a.store.UserByToken(ctx, auth.Hash(token))
}

// Session returns the user and CSRF token of a browser session cookie.
func (a *App) Session(ctx context.Context, cookie string) (workflow.User, string, error) {
	return a.store.Session(ctx, auth.Hash(cookie))
}

// Logout ends a browser session.
func (a *App) Logout(ctx context.Context, cookie string) error {
	return a.store.DeleteSession(ctx, auth.Hash(cookie))
}

// CheckPassword says whether password is name's (ErrLogin if not).
func (a *App) CheckPassword(ctx context.Context, name, password string) error {
	h, err := a.store.PasswordHash(ctx, name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if h == "" || !auth.CheckPassword(h, password) {
		return ErrLogin
	}
	return nil
}

// Notifications lists what party has been told, for the party's own
// users and those who see everything.
func (a *App) Notifications(ctx context.Context, u *workflow.User, party string) ([]store.Notification, error) {
	if !SeesAll(u) && (u == nil || u.Party == "" || u.Party != party) {
		return nil, fmt.Errorf("notifications of %s: %w", party, workflow.ErrForbidden)
	}
	return a.store.Notifications(ctx, party)
}

// Download returns an evidence file's bytes and type to a viewer who sees
// everything, and records the download in the file's chain of custody
// (via: "web", "api", "cli"). Anyone else is told it does not exist.
func (a *App) Download(ctx context.Context, u *workflow.User, sha, via string) ([]byte, string, error) {
	if !SeesAll(u) {
		return nil, "", fmt.Errorf("evidence %s: %w", sha, store.ErrNotFound)
	}
	data, mt, err := a.store.Evidence(ctx, sha)
	if err != nil {
		return nil, "", err
	}
	if err := a.store.AddCustody(ctx, sha, store.CustodyEntry{Action: "downloaded", By: u.Name, At: time.Now().UTC(), Note: via}); err != nil {
		return nil, "", err
	}
	return data, mt, nil
}

// Incident returns one incident with its reports and rulings as stored,
// to a viewer who sees everything (CaseFor gives a case to anyone, as
// they may see it).
func (a *App) Incident(ctx context.Context, u *workflow.User, id int64) (store.IncidentDetail, error) {
	if !SeesAll(u) {
		return store.IncidentDetail{}, fmt.Errorf("incident %d: %w", id, store.ErrNotFound)
	}
	return a.store.Incident(ctx, id)
}
