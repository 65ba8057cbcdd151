package workflow_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/workflow"
)

var (
	reviewer = workflow.User{Name: "rev", Role: workflow.Reviewer, Guarantor: "TR"}
	ru       = workflow.User{Name: "ru", Role: workflow.GuarantorMember, Guarantor: "RU"}
	tr       = workflow.User{Name: "tr", Role: workflow.GuarantorMember, Guarantor: "TR"}
	ir       = workflow.User{Name: "ir", Role: workflow.GuarantorMember, Guarantor: "IR"}
	govStaff = workflow.User{Name: "gs", Role: workflow.Reviewer, Party: "GOV"}
	govLia   = workflow.User{Name: "gl", Role: workflow.Liaison, Party: "GOV"}
	oppLia   = workflow.User{Name: "ol", Role: workflow.Liaison, Party: "OPP"}
	monitor  = workflow.User{Name: "mon", Role: workflow.Monitor}
	public   = workflow.User{Name: "pub", Role: workflow.Researcher}
	subject  = workflow.Subject{Accused: []string{"GOV"}, Guarantors: []string{"RU", "TR", "IR"}}
)

// run records events in turn, each checked against the history before it.
func run(t *testing.T, s workflow.Subject, steps []step) workflow.Case {
	t.Helper()
	var events []workflow.Event
	for i, st := range steps {
		c := workflow.Fold(events, s)
		ev, err := c.Check(st.u, st.e, s)
		if st.err == nil && err != nil {
			t.Fatalf("step %d (%s by %s): %v", i, st.e.Action, st.u.Name, err)
		}
		if st.err != nil {
			if !errors.Is(err, st.err) {
				t.Fatalf("step %d (%s by %s): err %v, want %v", i, st.e.Action, st.u.Name, err, st.err)
			}
			continue
		}
		ev.Seq, ev.At = len(events)+1, time.Unix(int64(i), 0)
		events = append(events, ev)
	}
	return workflow.Fold(events, s)
}

type step struct {
	u   workflow.User
	e   workflow.Event
	err error
}

func ev(a workflow.Action, reason string) workflow.Event {
	return workflow.Event{Action: a, Reason: reason}
}

func TestTransitions(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
		want  incident.State
	}{
		{"review then verify", []step{{reviewer, ev(workflow.Review, ""), nil}, {reviewer, ev(workflow.Verify, "two monitors saw it"), nil}}, incident.Verified},
		{"review then dispute", []step{{reviewer, ev(workflow.Review, ""), nil}, {tr, ev(workflow.Dispute, "accounts conflict"), nil}}, incident.Disputed},
		{"review then dismiss", []step{{reviewer, ev(workflow.Review, ""), nil}, {reviewer, ev(workflow.Dismiss, "a hoax"), nil}}, incident.Dismissed},
		{"dismissed, then reopened", []step{{reviewer, ev(workflow.Review, ""), nil}, {reviewer, ev(workflow.Dismiss, "a hoax"), nil},
			{reviewer, ev(workflow.Reopen, "new footage"), nil}}, incident.UnderReview},
		{"verify without review", []step{{reviewer, ev(workflow.Verify, "sure"), workflow.ErrState}}, incident.Reported},
		{"dismiss without review", []step{{reviewer, ev(workflow.Dismiss, "spam"), workflow.ErrState}}, incident.Reported},
		{"reopen what is open", []step{{reviewer, ev(workflow.Reopen, "why"), workflow.ErrState}}, incident.Reported},
		{"review twice", []step{{reviewer, ev(workflow.Review, ""), nil}, {reviewer, ev(workflow.Review, ""), workflow.ErrState}}, incident.UnderReview},
		{"verify without a reason", []step{{reviewer, ev(workflow.Review, ""), nil}, {reviewer, ev(workflow.Verify, " "), workflow.ErrInvalid}}, incident.UnderReview},
		{"a monitor cannot verify", []step{{reviewer, ev(workflow.Review, ""), nil}, {monitor, ev(workflow.Verify, "I saw it"), workflow.ErrForbidden}}, incident.UnderReview},
		{"a liaison cannot dismiss", []step{{reviewer, ev(workflow.Review, ""), nil}, {oppLia, ev(workflow.Dismiss, "no"), workflow.ErrForbidden}}, incident.UnderReview},
		{"the accused party cannot rule", []step{{reviewer, ev(workflow.Review, ""), nil}, {govStaff, ev(workflow.Dismiss, "fabricated"), workflow.ErrConflict}}, incident.UnderReview},
		{"the accused party cannot grade", []step{{govStaff, workflow.Event{Action: workflow.Regrade, Grade: workflow.Weak, Reason: "x"}, workflow.ErrConflict}}, incident.Reported},
		{"the public cannot comment", []step{{public, ev(workflow.Comment, "hello"), workflow.ErrForbidden}}, incident.Reported},
		{"a monitor comments", []step{{monitor, ev(workflow.Comment, "more smoke seen at 14:00"), nil}}, incident.Reported},
		{"assign needs an assignee", []step{{reviewer, workflow.Event{Action: workflow.Assign}, workflow.ErrInvalid}}, incident.Reported},
		{"merge a verified incident", []step{{reviewer, ev(workflow.Review, ""), nil}, {reviewer, ev(workflow.Verify, "ok"), nil},
			{reviewer, workflow.Event{Action: workflow.Merge, Other: 9}, workflow.ErrState}}, incident.Verified},
		{"unknown action", []step{{reviewer, ev("burn", ""), workflow.ErrInvalid}}, incident.Reported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if c := run(t, subject, tt.steps); c.State != tt.want {
				t.Errorf("state %s, want %s", c.State, tt.want)
			}
		})
	}
}

func TestReplies(t *testing.T) {
	c := run(t, subject, []step{
		{govLia, workflow.Event{Action: workflow.Reply, Stance: workflow.Deny, Reason: "our units were not there"}, nil},
		{oppLia, workflow.Event{Action: workflow.Reply, Stance: workflow.Deny, Reason: "x"}, workflow.ErrForbidden}, // not accused
		{govLia, workflow.Event{Action: workflow.Reply, Stance: "shrug", Reason: "x"}, workflow.ErrInvalid},
		{reviewer, workflow.Event{Action: workflow.Reply, Stance: workflow.Deny, Reason: "x"}, workflow.ErrForbidden},
	})
	if len(c.Replies) != 1 || c.Replies[0].Party != "GOV" || c.Replies[0].Stance != workflow.Deny {
		t.Errorf("replies: %+v", c.Replies)
	}
}

func finding() *workflow.Finding {
	return &workflow.Finding{Agreement: "syria-coh-2016", Conclusion: workflow.IsViolation, Clauses: []string{"C2"}, Parties: []string{"GOV"}, Text: "Shelling of a protected area."}
}

func TestFindings(t *testing.T) {
	verified := []step{{reviewer, ev(workflow.Review, ""), nil}, {reviewer, ev(workflow.Verify, "monitors"), nil}}
	propose := step{ru, workflow.Event{Action: workflow.Propose, Finding: finding()}, nil}
	pos := func(u workflow.User, p, reason string, err error) step {
		return step{u, workflow.Event{Action: workflow.Position, Of: 3, Position: p, Reason: reason}, err}
	}
	tests := []struct {
		name    string
		steps   []step
		adopted bool
		dissent int
	}{
		{"proposed only: no consensus", []step{propose}, false, 0},
		{"two of three agree: no consensus", []step{propose, pos(tr, "agree", "", nil)}, false, 0},
		{"all agree", []step{propose, pos(tr, "agree", "", nil), pos(ir, "agree", "", nil)}, true, 0},
		{"a dissent is published, and does not block", []step{propose, pos(tr, "agree", "", nil), pos(ir, "dissent", "the munitions were not identified", nil)}, true, 1},
		{"an objection blocks", []step{propose, pos(tr, "agree", "", nil), pos(ir, "object", "the evidence is one video", nil)}, false, 0},
		{"a dissent needs its reason", []step{propose, pos(tr, "dissent", "", workflow.ErrInvalid)}, false, 0},
		{"a reviewer takes no position", []step{propose, pos(reviewer, "agree", "", workflow.ErrForbidden)}, false, 0},
		{"no finding before verification", []step{{reviewer, ev(workflow.Review, ""), nil}, {ru, workflow.Event{Action: workflow.Propose, Finding: finding()}, workflow.ErrState}}, false, 0},
		{"a violation finding names clauses", []step{{ru, workflow.Event{Action: workflow.Propose, Finding: &workflow.Finding{Agreement: "a", Conclusion: workflow.IsViolation, Text: "t"}}, workflow.ErrInvalid}}, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps := tt.steps
			if tt.steps[0].e.Action != workflow.Review {
				steps = append(append([]step{}, verified...), tt.steps...)
			}
			c := run(t, subject, steps)
			adopted := len(c.Findings) > 0 && c.Findings[0].Adopted
			if adopted != tt.adopted || (len(c.Findings) > 0 && len(c.Findings[0].Dissent) != tt.dissent) {
				t.Errorf("findings %+v, want adopted %v with %d dissent", c.Findings, tt.adopted, tt.dissent)
			}
		})
	}
}

// A guarantor whose own forces are accused, or are among the incident's
// actors (a ruling's conflict of interest), is recused: it takes no
// position, and consensus is among the others.
func TestRecusal(t *testing.T) {
	tests := []struct {
		name string
		s    workflow.Subject
	}{
		{"accused", workflow.Subject{Accused: []string{"RU"}, Guarantors: []string{"RU", "TR", "IR"}}},
		{"conflict of interest", workflow.Subject{Accused: []string{"GOV"}, Conflicted: []string{"RU"}, Guarantors: []string{"RU", "TR", "IR"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := run(t, tt.s, []step{
				{reviewer, ev(workflow.Review, ""), nil}, {reviewer, ev(workflow.Verify, "monitors"), nil},
				{ru, workflow.Event{Action: workflow.Propose, Finding: finding()}, workflow.ErrConflict},
				{tr, workflow.Event{Action: workflow.Propose, Finding: finding()}, nil},
				{ru, workflow.Event{Action: workflow.Position, Of: 3, Position: "object", Reason: "no"}, workflow.ErrConflict},
				{ir, workflow.Event{Action: workflow.Position, Of: 3, Position: "agree"}, nil},
			})
			if f := c.Findings[0]; !f.Adopted || len(f.Recused) != 1 || f.Recused[0] != "RU" {
				t.Errorf("finding %+v", f)
			}
		})
	}
}

func TestGrade(t *testing.T) {
	rep := func(kind incident.SourceKind, outlet string, perp string) incident.Report {
		return incident.Report{Kind: kind, Outlet: outlet, Source: "s", SourceID: outlet, Party: "OPP",
			Actors: []incident.ActorRef{{ID: perp, Role: incident.Perpetrator}}}
	}
	tests := []struct {
		name    string
		reports []incident.Report
		c       workflow.Case
		want    workflow.Grade
	}{
		{"one outlet", []incident.Report{rep(incident.FromNews, "SOHR", "gov")}, workflow.Case{}, workflow.Weak},
		{"one outlet twice", []incident.Report{rep(incident.FromNews, "SOHR", "gov"), rep(incident.FromNews, "sohr", "gov")}, workflow.Case{}, workflow.Weak},
		{"two outlets", []incident.Report{rep(incident.FromNews, "SOHR", "gov"), rep(incident.FromNews, "AFP", "gov")}, workflow.Case{}, workflow.Fair},
		{"a party claim only", []incident.Report{rep(incident.FromParty, "", "gov")}, workflow.Case{}, workflow.Contested},
		{"sources disagree", []incident.Report{rep(incident.FromNews, "SOHR", "gov"), rep(incident.FromNews, "AFP", "isis")}, workflow.Case{}, workflow.Contested},
		{"verified on a monitor's report", []incident.Report{rep(incident.FromMonitor, "team 4", "gov")}, workflow.Case{State: incident.Verified}, workflow.Confirmed},
		{"accepted by the accused", []incident.Report{rep(incident.FromNews, "SOHR", "gov")}, workflow.Case{Replies: []workflow.Event{{Stance: workflow.Accept, Party: "GOV"}}}, workflow.Confirmed},
		{"denied, one source", []incident.Report{rep(incident.FromNews, "SOHR", "gov")}, workflow.Case{Replies: []workflow.Event{{Stance: workflow.Deny, Party: "GOV"}}}, workflow.Contested},
		{"dismissed", []incident.Report{rep(incident.FromNews, "SOHR", "gov")}, workflow.Case{State: incident.Dismissed}, workflow.Discounted},
		{"overridden", []incident.Report{rep(incident.FromNews, "SOHR", "gov")}, workflow.Case{Override: &workflow.Event{Grade: workflow.Fair, By: "rev", Reason: "the outlet had a reporter there"}}, workflow.Fair},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if g, why := workflow.Assess(tt.reports, tt.c, []string{"GOV"}); g != tt.want {
				t.Errorf("grade %s (%v), want %s", g, why, tt.want)
			}
		})
	}
	if s := workflow.CountSources([]incident.Report{{Citations: []string{"SOHR,2016-01-30,Title", "HRW,2016-02-08,Other"}}, {Citations: []string{"SOHR,2016-01-30,Title"}}}); len(s.Independent) != 2 {
		t.Errorf("the same article cited twice counts once: %v", s.Independent)
	}
}

// TestPublicReportsNeedAcceptance: anonymous reports from the public,
// however many, change neither the grade nor the sources counted until a
// reviewer accepts them by verifying the incident.
func TestPublicReportsNeedAcceptance(t *testing.T) {
	news := incident.Report{Kind: incident.FromNews, Outlet: "SOHR", Actors: []incident.ActorRef{{ID: "gov", Role: incident.Perpetrator}}}
	public := func(id string) incident.Report {
		return incident.Report{Kind: incident.FromPublic, Source: "web-public", SourceID: id, Actors: []incident.ActorRef{{ID: "isis", Role: incident.Perpetrator}}}
	}
	alone := []incident.Report{news}
	flooded := []incident.Report{news, public("w1"), public("w2")}
	for _, st := range []incident.State{incident.Reported, incident.UnderReview, incident.Disputed} {
		c := workflow.Case{State: st}
		g0, _ := workflow.Assess(alone, c, nil)
		g, why := workflow.Assess(flooded, c, nil)
		s := workflow.CountSourcesFor(flooded, c.Accepted(), nil)
		if g != g0 || len(s.Independent) != 1 || s.Unaccepted != 2 {
			t.Errorf("%s: grade %s (%v) with two anonymous reports, %s without; sources %+v", st, g, why, g0, s)
		}
	}
	if g, why := workflow.Assess(flooded[1:], workflow.Case{State: incident.UnderReview}, nil); g != workflow.Weak {
		t.Errorf("only anonymous reports: grade %s (%v), want weak", g, why)
	}
	verified := workflow.Case{State: incident.Verified}
	if s := workflow.CountSourcesFor(flooded, verified.Accepted(), nil); len(s.Independent) != 3 || s.Unaccepted != 0 {
		t.Errorf("verified: sources %+v, want the public's two counted", s)
	}
	if g, why := workflow.Assess(flooded, verified, nil); g != workflow.Contested {
		t.Errorf("verified: grade %s (%v), want contested (the accepted reports name another perpetrator)", g, why)
	}
}

// TestWithheldSourcesNamed: a source the reader may not see counts as for
// everyone, and neither the source list nor the grade's reasons name it.
func TestWithheldSourcesNamed(t *testing.T) {
	reports := []incident.Report{
		{Kind: incident.FromNews, Outlet: "AFP"},
		{Kind: incident.FromMonitor, Outlet: "canary outlet", Source: "web-monitor", SourceID: "canary-id"},
		{Kind: incident.FromMonitor, Citations: []string{"canary cite,2017-01-10,x", "AFP,2017-01-10,y"}},
		{Kind: incident.FromMonitor, Source: "web-monitor", SourceID: "canary-2"},
	}
	withheld := func(r incident.Report) bool { return r.Kind == incident.FromMonitor }
	all := workflow.CountSourcesFor(reports, false, nil)
	seen := workflow.CountSourcesFor(reports, false, withheld)
	if len(seen.Independent) != len(all.Independent) || seen.Monitors != all.Monitors {
		t.Errorf("withheld sources change the count: %v, all %v", seen.Independent, all.Independent)
	}
	c := workflow.Case{State: incident.UnderReview}
	g, why := workflow.AssessFor(reports, c, nil, withheld)
	if g0, _ := workflow.Assess(reports, c, nil); g != g0 {
		t.Errorf("grade %s for a reader, %s for staff", g, g0)
	}
	text := fmt.Sprint(seen, why)
	for _, secret := range []string{"canary", "#"} {
		if strings.Contains(text, secret) {
			t.Errorf("a withheld source is named (%q): %s", secret, text)
		}
	}
	if !strings.Contains(text, "afp") {
		t.Errorf("a visible source is not named: %s", text)
	}
}
