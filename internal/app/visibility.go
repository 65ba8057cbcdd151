package app

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// SeesAll reports whether a user sees every incident and every field:
// the mechanism's own staff and monitors. Nil is the public.
func SeesAll(u *workflow.User) bool {
	if u == nil {
		return false
	}
	switch u.Role {
	case workflow.Admin, workflow.Reviewer, workflow.GuarantorMember, workflow.Monitor:
		return true
	}
	return false
}

// Visibility is the listing restriction for u, nil when u sees all.
func Visibility(u *workflow.User) *store.Visibility {
	if SeesAll(u) {
		return nil
	}
	v := &store.Visibility{}
	if u != nil {
		v.Party = u.Party
	}
	return v
}

// CaseFor returns the case as u (nil: the public) may see it. An incident
// u may not see is not found, so that its existence is not revealed.
func (a *App) CaseFor(ctx context.Context, u *workflow.User, id int64) (*Case, error) {
	c, err := a.caseOf(ctx, id)
	if err != nil {
		return nil, err
	}
	a.unseal(u, c.Reports)
	if SeesAll(u) {
		c.derive(nil)
		if err := a.files(ctx, c); err != nil {
			return nil, err
		}
		c.PeerFindings, err = a.peerFindings(ctx, u, id)
		return c, err
	}
	if !Sees(u, c.Case.State, c.Accused, c.Reports) {
		return nil, fmt.Errorf("incident %d: %w", id, store.ErrNotFound)
	}
	if c.PeerFindings, err = a.peerFindings(ctx, u, id); err != nil {
		return nil, err
	}
	party := ""
	if u != nil {
		party = u.Party
	}
	Redact(c, party)
	return c, nil
}

// Sees reports whether u (nil: the public) may see an incident in state
// st, accusing those parties, made of those reports: staff see all, the
// public what is published, a party also what accuses it or it filed.
func Sees(u *workflow.User, st incident.State, accused []string, reports []incident.Report) bool {
	if SeesAll(u) || st.Published() {
		return true
	}
	party := ""
	if u != nil {
		party = u.Party
	}
	return party != "" && (slices.Contains(accused, party) || slices.ContainsFunc(reports, func(r incident.Report) bool { return r.Party == party }))
}

// Withheld marks a field removed for the viewer.
const Withheld = "[withheld]"

// Protected reports whether a report's words and sources (description,
// citations, outlet, id) are withheld from a viewer of the given party
// ("" for the public and researchers) who does not see everything: those
// of monitors, of the public, and of parties other than the viewer's. It
// is the one rule for the report and for everything derived from it.
func Protected(r incident.Report, party string) bool {
	return r.Kind == incident.FromMonitor || r.Kind == incident.FromPublic || (r.Kind == incident.FromParty && r.Party != party)
}

// derive makes what a case says about its reports — the sources counted,
// the grade and its reasons — from the reports, while they are whole,
// naming only the sources withheld (nil: none) leaves to the reader. The
// count and the grade are everyone's; only the names differ.
func (c *Case) derive(withheld workflow.Withheld) {
	c.Sources = workflow.CountSourcesFor(c.Reports, c.Case.Accepted(), withheld)
	c.Grade, c.Why = workflow.AssessFor(c.Reports, c.Case, c.Accused, withheld)
}

// Redact removes from a case what only the mechanism's staff may see:
// the original records (which can carry a reporter's or witness's name),
// the words and sources of protected reports (Protected), in the reports
// and in what is derived from them (sources, grade reasons), the names of
// staff in the history, and internal comments.
func Redact(c *Case, party string) {
	protected := func(r incident.Report) bool { return Protected(r, party) }
	c.derive(protected)
	RedactTitle(&c.Incident)
	for i := range c.Reports {
		r := &c.Reports[i]
		r.Original, r.OriginalFormat = "", ""
		if protected(*r) {
			r.Description, r.Citations, r.SourceID, r.Outlet = Withheld, nil, Withheld, ""
			r.Read = nil // quotes of the withheld words
		}
	}
	c.Comments = nil
	history := c.History[:0]
	for _, e := range c.History {
		if e.Action == workflow.Comment {
			continue
		}
		e.By = string(e.Role) // institutions speak, not named staff
		e.Assignee = ""       // nor do they name whom a case was given to
		history = append(history, e)
	}
	c.History = history
	for i := range c.Replies {
		c.Replies[i].By = string(c.Replies[i].Role)
	}
	for i := range c.Findings {
		f := &c.Findings[i]
		f.By = string(workflow.GuarantorMember)
		for g, p := range f.Positions {
			p.By = string(p.Role)
			f.Positions[g] = p
		}
	}
	c.Assignee = ""
	if c.Override != nil {
		o := *c.Override
		o.By = string(o.Role)
		c.Override = &o
	}
	c.Joined = nil
}

// RedactTitle removes a title that is a protected report's words.
func RedactTitle(in *incident.Incident) {
	if in.TitleProtected {
		in.Title = Withheld
	}
}

// RedactList applies RedactTitle to a listing for a viewer who does not
// see everything.
func RedactList(u *workflow.User, list []store.IncidentSummary) {
	if SeesAll(u) {
		return
	}
	for i := range list {
		RedactTitle(&list[i].Incident)
	}
}

// files gathers the evidence files a case refers to.
func (a *App) files(ctx context.Context, c *Case) error {
	var shas []string
	for _, r := range c.Reports {
		shas = append(shas, r.Evidence...)
	}
	for _, r := range c.Replies {
		shas = append(shas, r.Evidence...)
	}
	for _, sha := range shas {
		if _, ok := c.Files[sha]; ok {
			continue
		}
		f, err := a.store.EvidenceInfo(ctx, sha)
		if errors.Is(err, store.ErrNotFound) {
			f, err = store.EvidenceFile{SHA256: sha, Missing: true}, nil
		}
		if err != nil {
			return err
		}
		if c.Files == nil {
			c.Files = map[string]store.EvidenceFile{}
		}
		c.Files[sha] = f
	}
	return nil
}
