package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/cluster"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// testJoin: at intake, a report of the same event joins the incident,
// with the reason; another place opens its own.
func testJoin(t *testing.T, s store.Store) {
	ctx := context.Background()
	p := cluster.Defaults()
	in := store.Intake{Cluster: &p}
	first, err := s.ImportReports(ctx, []incident.Report{Report("j1", day(2017, 1, 5), "SY070000")}, in)
	if err != nil {
		t.Fatal(err)
	}
	same := Report("j2", day(2017, 1, 5), "SY070000")
	same.Kind = incident.FromNews
	far := Report("j3", day(2017, 1, 5), "SY070000")
	far.Kind, far.Place.Lat = incident.FromNews, 36.5
	res, err := s.ImportReports(ctx, []incident.Report{same, far}, in)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].IncidentID != first[0].IncidentID || res[0].Joined == "" {
		t.Errorf("the same event: %+v, want incident %d with a reason", res[0], first[0].IncidentID)
	}
	if res[1].IncidentID == first[0].IncidentID || res[1].Joined != "" {
		t.Errorf("66 km away: %+v", res[1])
	}
	links, err := s.IncidentLinks(ctx, first[0].IncidentID)
	if err != nil || links[res[0].ReportID] != res[0].Joined {
		t.Errorf("links %v, %v", links, err)
	}
}

// testJoinWithinOneImport: reports of one event in one import join the
// incident the first of them opened, though it is not yet written where
// the store searches (SQLite writes a transaction's rows in batches; a
// server searches for a whole group first); a second event's reports
// join theirs.
func testJoinWithinOneImport(t *testing.T, s store.Store) {
	ctx := context.Background()
	p := cluster.Defaults()
	in := store.Intake{Cluster: &p}
	var reports []incident.Report
	for i, lat := range []float64{35.9, 36.5, 35.9, 36.5, 35.9} {
		r := Report(fmt.Sprintf("w%d", i), day(2017, 2, 5), "SY070000")
		r.Kind, r.Place.Lat = incident.FromNews, lat
		reports = append(reports, r)
	}
	res, err := s.ImportReports(ctx, reports, in)
	if err != nil {
		t.Fatal(err)
	}
	a, b := res[0].IncidentID, res[1].IncidentID
	if a == b {
		t.Fatalf("66 km apart, one incident %d", a)
	}
	for i, want := range []int64{a, b, a, b, a} {
		if res[i].IncidentID != want {
			t.Errorf("report %d: incident %d, want %d (%+v)", i, res[i].IncidentID, want, res[i])
		}
	}
	for id, n := range map[int64]int{a: 3, b: 2} {
		d, err := s.Incident(ctx, id)
		if err != nil || len(d.Reports) != n || len(d.Incident.ReportIDs) != n {
			t.Errorf("incident %d: %d reports, %d in its facts, want %d (%v)", id, len(d.Reports), len(d.Incident.ReportIDs), n, err)
		}
	}
	// A listing gives each incident its own reports, in the order of
	// their ids.
	want := map[int64][]int64{}
	for _, r := range res {
		want[r.IncidentID] = append(want[r.IncidentID], r.ReportID)
	}
	for _, f := range []store.Filter{{}, {Limit: 1}, {Newest: true, Limit: 2}} {
		list, _, err := s.Incidents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range list {
			if ids := want[in.ID]; !slices.IsSorted(ids) || fmt.Sprint(in.ReportIDs) != fmt.Sprint(ids) {
				t.Errorf("listed %+v: incident %d with reports %v, want %v", f, in.ID, in.ReportIDs, ids)
			}
		}
	}
}

// testEvents: events append in sequence, a stale sequence is a conflict,
// and merges move reports and close the emptied incident.
func testEvents(t *testing.T, s store.Store) {
	ctx := context.Background()
	res, err := s.ImportReports(ctx, []incident.Report{Report("e1", day(2017, 1, 5), "SY070000"), Report("e2", day(2017, 1, 6), "SY070000")}, store.Intake{})
	if err != nil {
		t.Fatal(err)
	}
	a, b := res[0].IncidentID, res[1].IncidentID
	ev := workflow.Event{Seq: 1, Action: workflow.Review, By: "rev", Role: workflow.Reviewer, At: time.Now().UTC(), State: incident.UnderReview}
	if err := s.AppendEvent(ctx, a, ev, store.Status{State: incident.UnderReview}); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendEvent(ctx, a, ev, store.Status{State: incident.UnderReview}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a second event 1: %v, want ErrConflict", err)
	}
	events, err := s.Events(ctx, a)
	if err != nil || len(events) != 1 || events[0].Action != workflow.Review {
		t.Errorf("events %+v, %v", events, err)
	}
	list, _, _ := s.Incidents(ctx, store.Filter{State: incident.UnderReview})
	if len(list) != 1 || list[0].ID != a || list[0].State != incident.UnderReview {
		t.Errorf("under review: %+v", list)
	}
	merge := workflow.Event{Seq: 1, Action: workflow.Merge, By: "rev", Role: workflow.Reviewer, At: time.Now().UTC(), State: incident.Reported}
	if _, err := s.MoveReports(ctx, store.Move{From: b, To: a, Reports: []int64{res[1].ReportID}, By: merge, FromStatus: store.Status{State: incident.Reported}}, nil); err != nil {
		t.Fatal(err)
	}
	d, err := s.Incident(ctx, a)
	if err != nil || len(d.Reports) != 2 {
		t.Fatalf("after merge: %d reports, %v", len(d.Reports), err)
	}
	if gone, _ := s.Incident(ctx, b); gone.MergedInto != a {
		t.Errorf("incident %d merged into %d, want %d", b, gone.MergedInto, a)
	}
	if _, total, _ := s.Incidents(ctx, store.Filter{}); total != 1 {
		t.Errorf("%d incidents listed after the merge, want 1", total)
	}
	if events, _ := s.Events(ctx, a); len(events) != 2 || events[1].Other != b {
		t.Errorf("the receiving incident's history: %+v", events)
	}
}

// testAccounts: users by token, sessions that expire, passwords that end
// sessions.
func testAccounts(t *testing.T, s store.Store) {
	ctx := context.Background()
	u := workflow.User{Name: "ru-1", Role: workflow.GuarantorMember, Guarantor: "RU"}
	if err := s.PutUser(ctx, u, "tokenhash"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.UserByToken(ctx, "tokenhash"); err != nil || got != u {
		t.Errorf("UserByToken = %+v, %v", got, err)
	}
	if _, err := s.UserByToken(ctx, "other"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown token: %v", err)
	}
	if all, err := s.Users(ctx); err != nil || len(all) != 1 || all[0] != u {
		t.Errorf("Users = %+v, %v", all, err)
	}
	if err := s.SetPassword(ctx, "ru-1", "$argon2id$x"); err != nil {
		t.Fatal(err)
	}
	if h, err := s.PasswordHash(ctx, "ru-1"); err != nil || h != "$argon2id$x" {
		t.Errorf("PasswordHash = %q, %v", h, err)
	}
	s.PutSession(ctx, "live", "ru-1", "csrf1", time.Now().Add(time.Hour))
	s.PutSession(ctx, "old", "ru-1", "csrf2", time.Now().Add(-time.Minute))
	if got, csrf, err := s.Session(ctx, "live"); err != nil || got != u || csrf != "csrf1" {
		t.Errorf("Session = %+v %q %v", got, csrf, err)
	}
	if _, _, err := s.Session(ctx, "old"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("expired session: %v", err)
	}
	s.SetPassword(ctx, "ru-1", "$argon2id$y")
	if _, _, err := s.Session(ctx, "live"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a session survived a new password: %v", err)
	}
}

// testEvidence: a file is stored once, every receipt is in its chain of
// custody; a violation ruling notifies the accused party once.
func testEvidence(t *testing.T, s store.Store) {
	ctx := context.Background()
	data := []byte("%PDF-1.4 statement")
	r := store.Receipt{MediaType: "application/pdf", By: "gov", Via: "web", FileName: "s.pdf", Meta: map[string]any{"size": len(data)}}
	sha, err := s.PutEvidence(ctx, data, r)
	if err != nil {
		t.Fatal(err)
	}
	r.By = "mon"
	if again, err := s.PutEvidence(ctx, data, r); err != nil || again != sha {
		t.Fatalf("again: %s %v", again, err)
	}
	s.AddCustody(ctx, sha, store.CustodyEntry{Action: "downloaded", By: "rev", At: time.Now().UTC()})
	f, err := s.EvidenceInfo(ctx, sha)
	if err != nil || f.Size != int64(len(data)) || len(f.Custody) != 3 || f.Custody[1].By != "mon" || f.Custody[2].Action != "downloaded" {
		t.Errorf("EvidenceInfo = %+v, %v", f, err)
	}
	if got, mt, err := s.Evidence(ctx, sha); err != nil || string(got) != string(data) || mt != "application/pdf" {
		t.Errorf("Evidence = %q %q %v", got, mt, err)
	}

	rule := func(in incident.Incident) []ruling.Ruling {
		return []ruling.Ruling{{Verdict: ruling.Violation, Agreement: "ag", Version: 1, Parties: []string{"GOV"}, Clauses: []string{"C1"}}}
	}
	if _, err := s.ImportReports(ctx, []incident.Report{Report("n1", day(2017, 1, 5), "SY070000")}, store.Intake{Rule: rule}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveRulings(ctx, []store.IncidentRuling{{IncidentID: 1, Ruling: rule(incident.Incident{})[0]}}); err != nil {
		t.Fatal(err)
	}
	ns, err := s.Notifications(ctx, "GOV")
	if err != nil || len(ns) != 1 {
		t.Errorf("notifications %+v, %v", ns, err)
	}
}
