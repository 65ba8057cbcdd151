package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/truce-monitor/truce/internal/auth"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// ErrUserExists refuses to add a user under a name already taken.
var ErrUserExists = errors.New("a user of that name exists (replace them explicitly)")

// AddUser stores a new user and returns their API token, which is shown
// once: only its hash is kept. A password, when given, lets them log in
// by browser. A name already taken is refused: replacing an account by
// mistake would hand its history's name to someone else.
func (a *App) AddUser(ctx context.Context, u workflow.User, password string) (string, error) {
	if _, err := a.store.User(ctx, u.Name); err == nil {
		return "", fmt.Errorf("add user %s: %w", u.Name, ErrUserExists)
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	return a.putUser(ctx, u, password)
}

// CheckAffiliation refuses a user whose party or guarantor no stored
// agreement defines: a liaison of a mistyped party would answer for
// nobody, and see nothing. With no agreement stored, nothing can be
// checked, and an affiliation is refused until one is loaded.
func (a *App) CheckAffiliation(u workflow.User) error {
	if u.Party == "" && u.Guarantor == "" {
		return nil
	}
	ags := a.Agreements()
	if len(ags) == 0 {
		return fmt.Errorf("user %s: no agreement is stored to define party or guarantor codes: load the agreement first (truce agreement load)", u.Name)
	}
	var parties, guarantors []string
	for _, ag := range ags {
		for _, v := range ag.Versions {
			for _, p := range v.Parties {
				if !slices.Contains(parties, p.ID) {
					parties = append(parties, p.ID)
				}
			}
			for _, g := range v.Guarantors {
				if !slices.Contains(guarantors, g.ID) {
					guarantors = append(guarantors, g.ID)
				}
			}
		}
	}
	slices.Sort(parties)
	slices.Sort(guarantors)
	if u.Party != "" && !slices.Contains(parties, u.Party) {
		return fmt.Errorf("user %s: unknown party %q: no stored agreement defines it (known: %s)", u.Name, u.Party, strings.Join(parties, ", "))
	}
	if u.Guarantor != "" && !slices.Contains(guarantors, u.Guarantor) {
		return fmt.Errorf("user %s: unknown guarantor %q: no stored agreement defines it (known: %s)", u.Name, u.Guarantor, strings.Join(guarantors, ", "))
	}
	return nil
}

// Users lists the stored users by name: their role and affiliation, never
// their tokens or password hashes.
func (a *App) Users(ctx context.Context) ([]workflow.User, error) {
	return a.store.Users(ctx)
}

// ReplaceUser gives an existing name a new role, token and password (none
// when empty), ending its sessions.
func (a *App) ReplaceUser(ctx context.Context, u workflow.User, password string) (string, error) {
	token, err := a.putUser(ctx, u, password)
	if err != nil || password != "" {
		return token, err
	}
	return token, a.store.SetPassword(ctx, u.Name, "")
}

func (a *App) putUser(ctx context.Context, u workflow.User, password string) (string, error) {
	if err := u.Validate(); err != nil {
		return "", err
	}
	token := auth.Token("truce_")
	if err := a.store.PutUser(ctx, u, auth.Hash(token)); err != nil {
		return "", fmt.Errorf("add user %s: %w", u.Name, err)
	}
	if password != "" {
		if err := a.SetPassword(ctx, u.Name, password); err != nil {
			return "", err
		}
	}
	return token, nil
}

// SetPassword sets a user's password, ending their sessions.
func (a *App) SetPassword(ctx context.Context, name, password string) error {
	h, err := auth.HashPassword(password)
	if err != nil {
		return fmt.Errorf("user %s: %w", name, err)
	}
	return a.store.SetPassword(ctx, name, h)
}

// ErrLogin is the one answer to a wrong name or password: which of the
// two was wrong is not said.
var ErrLogin = errors.New("wrong name or password")

// SessionTTL is how long a login lasts.
const SessionTTL = 12 * time.Hour

// Login checks a password and opens a session: the cookie's token and the
// session's CSRF token.
func (a *App) Login(ctx context.Context, name, password string) (token, csrf string, u workflow.User, err error) {
	h, err := a.store.PasswordHash(ctx, name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", "", u, err
	}
	if h == "" {
		// Spend the same time as a real check, so that timing does not
		// tell which names exist.
		auth.CheckPassword(dummyHash(), password)
		return "", "", u, ErrLogin
	}
	if !auth.CheckPassword(h, password) {
		return "", "", u, ErrLogin
	}
	token, csrf = auth.Token("s_"), auth.Token("c_")
	if err := a.store.PutSession(ctx, auth.Hash(token), name, csrf, time.Now().Add(SessionTTL)); err != nil {
		return "", "", u, err
	}
	u, _, err = a.store.Session(ctx, auth.Hash(token))
	return token, csrf, u, err
}

var dummyHash = sync.OnceValue(func() string {
	h, _ := auth.HashPassword("not the password of anyone")
	return h
})

// Case is everything the workflow knows of an incident.
type Case struct {
	store.IncidentDetail
	workflow.Case
	State   string            `json:"state"`
	Grade   workflow.Grade    `json:"grade"`
	Why     []workflow.Reason `json:"grade_reasons"`
	Sources workflow.Sources  `json:"sources"`
	Accused []string          `json:"accused,omitempty"`
	// Joined says why each report is in the incident.
	Joined map[int64]string `json:"joined"`
	// Files are the evidence files of its reports and replies, with what
	// they say about themselves and their chain of custody (staff only).
	Files map[string]store.EvidenceFile `json:"evidence_files,omitempty"`
	// PeerFindings are the findings and positions other nodes recorded
	// about its reports, each with the node that signed it into its log
	// (docs/federation.md).
	PeerFindings []PeerFinding `json:"peer_findings,omitempty"`
}

// Subject is what the workflow's checks need of an incident: whom its
// violation rulings accuse, and the guarantors of the versions in force.
func (a *App) subject(rulings []ruling.Ruling) workflow.Subject {
	var s workflow.Subject
	for _, r := range rulings {
		if r.Verdict == ruling.Violation {
			for _, p := range r.Parties {
				if !slices.Contains(s.Accused, p) {
					s.Accused = append(s.Accused, p)
				}
			}
		}
		// A guarantor whose own forces the ruling names is recused, as an
		// accused party is.
		for _, g := range r.ConflictOfInterest {
			if !slices.Contains(s.Conflicted, g) {
				s.Conflicted = append(s.Conflicted, g)
			}
		}
		ag, ok := a.Agreement(r.Agreement)
		if !ok || r.Version == 0 {
			continue
		}
		if v := ag.Version(r.Version); v != nil {
			for _, g := range v.Guarantors {
				if !slices.Contains(s.Guarantors, g.ID) {
					s.Guarantors = append(s.Guarantors, g.ID)
				}
			}
		}
	}
	return s
}

// load reads what the workflow decides on: the incident, its history and
// its subject.
func (a *App) load(ctx context.Context, id int64) (store.IncidentDetail, []workflow.Event, workflow.Subject, error) {
	d, err := a.store.Incident(ctx, id)
	if err != nil {
		return d, nil, workflow.Subject{}, err
	}
	events, err := a.store.Events(ctx, id)
	return d, events, a.subject(d.Rulings), err
}

// Grade is an incident's confidence grade, from its reports, history and
// rulings: the grade listings show (kept by the store) and the one the
// incident's page recomputes are made by this one rule.
func (a *App) Grade(reports []incident.Report, events []workflow.Event, rulings []ruling.Ruling) workflow.Grade {
	s := a.subject(rulings)
	g, _ := workflow.Assess(reports, workflow.Fold(events, s), s.Accused)
	return g
}

// caseOf returns an incident's whole case (reports, rulings, history,
// grade) as stored: CaseFor gives it as a viewer may see it.
func (a *App) caseOf(ctx context.Context, id int64) (*Case, error) {
	d, events, s, err := a.load(ctx, id)
	if err != nil {
		return nil, err
	}
	links, err := a.store.IncidentLinks(ctx, id)
	if err != nil {
		return nil, err
	}
	c := &Case{IncidentDetail: d, Case: workflow.Fold(events, s), Accused: s.Accused, Joined: links}
	c.State = string(c.Case.State)
	c.derive(nil)
	return c, nil
}

// Act records an event by u on an incident, once the workflow allows it.
// A merge moves the reports of e.Other into this incident; a split moves
// e.Reports out to a new one.
func (a *App) Act(ctx context.Context, u workflow.User, id int64, e workflow.Event) (workflow.Event, error) {
	for attempt := 0; ; attempt++ {
		ev, err := a.act(ctx, u, id, e)
		if !errors.Is(err, store.ErrConflict) || attempt == 5 {
			return ev, err
		}
	}
}

// CheckAct says whether u may record e on an incident now, recording
// nothing: a form checks this before it stores the files sent with it.
func (a *App) CheckAct(ctx context.Context, u workflow.User, id int64, e workflow.Event) error {
	_, _, _, _, err := a.check(ctx, u, id, e)
	return err
}

// check loads an incident and checks e by u against its history.
func (a *App) check(ctx context.Context, u workflow.User, id int64, e workflow.Event) (store.IncidentDetail, []workflow.Event, workflow.Subject, workflow.Event, error) {
	d, events, s, err := a.load(ctx, id)
	if err != nil {
		return d, nil, s, e, err
	}
	c := workflow.Fold(events, s)
	// What a user may not see, they may not act on either (and learn
	// nothing of it from the answer).
	if !Sees(&u, c.State, s.Accused, d.Reports) {
		return d, nil, s, e, fmt.Errorf("incident %d: %w", id, store.ErrNotFound)
	}
	ev, err := c.Check(u, e, s)
	return d, events, s, ev, err
}

func (a *App) act(ctx context.Context, u workflow.User, id int64, e workflow.Event) (workflow.Event, error) {
	d, events, s, ev, err := a.check(ctx, u, id, e)
	if err != nil {
		return ev, err
	}
	ev.Seq, ev.At = len(events)+1, time.Now().UTC()
	switch ev.Action {
	case workflow.Assign:
		if _, err := a.store.User(ctx, ev.Assignee); err != nil {
			return ev, fmt.Errorf("assign: %w: %v", workflow.ErrInvalid, err)
		}
	case workflow.Fact:
		if err := a.reviewFact(ctx, u, d, ev.FactReview); err != nil {
			return ev, err
		}
	case workflow.Reply:
		for _, sha := range ev.Evidence {
			if _, err := a.store.EvidenceInfo(ctx, sha); err != nil {
				return ev, fmt.Errorf("reply: %w: %v (store it first)", workflow.ErrInvalid, err)
			}
		}
	}
	next := workflow.Fold(append(events, ev), s)
	st := store.Status{State: next.State, Grade: a.Grade(d.Reports, append(events, ev), d.Rulings), Assignee: next.Assignee}
	switch ev.Action {
	case workflow.Merge:
		if ev.Other == 0 || ev.Other == id {
			return ev, fmt.Errorf("merge: %w: name the other incident, whose reports join this one", workflow.ErrInvalid)
		}
		other, oevents, os, err := a.load(ctx, ev.Other)
		if err != nil {
			return ev, err
		}
		oc := workflow.Fold(oevents, os)
		oev, err := oc.Check(u, workflow.Event{Action: workflow.Split, Reason: ev.Reason, Other: id}, os)
		if err != nil {
			return ev, fmt.Errorf("incident %d: %w", ev.Other, err)
		}
		oev.Seq, oev.At, oev.Reports = len(oevents)+1, ev.At, other.ReportIDs
		oev.Action = workflow.Merge
		// The merged incident is closed under the other; its history
		// says where its reports went.
		_, err = a.store.MoveReports(ctx, store.Move{From: ev.Other, To: id, Reports: other.ReportIDs, By: oev,
			FromStatus: store.Status{State: oc.State, Assignee: oc.Assignee}, Grade: a.Grade}, a.RuleAll)
		return oev, err
	case workflow.Split:
		ev.Other = 0
		to, err := a.store.MoveReports(ctx, store.Move{From: id, Reports: ev.Reports, By: ev, FromStatus: st, Grade: a.Grade}, a.RuleAll)
		ev.Other = to
		return ev, err
	}
	return ev, a.store.AppendEvent(ctx, id, ev, st)
}

// DisableUser ends a user's access: a new token nobody holds, no
// password, no session. Their history stays, under their name.
func (a *App) DisableUser(ctx context.Context, name string) error {
	u, err := a.store.User(ctx, name)
	if err != nil {
		return err
	}
	if err := a.store.PutUser(ctx, u, auth.Hash(auth.Token("disabled_"))); err != nil {
		return err
	}
	return a.store.SetPassword(ctx, name, "")
}
