package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// testPublicListings: whoever does not see everything asks every listing
// (a verdict's, a party's, a period's, a place's, a page and the whole)
// for the incidents under review, and gets none of them; once one is
// verified it appears in each, once reopened it is gone again; a party's
// liaison sees those and the incidents its party is accused in. The
// listings read copies of the incident's state in the rulings' and the
// parties' rows (migrations 0029 and 0031), so this follows a state
// changed by the workflow into every copy a listing may read.
func testPublicListings(t *testing.T, s store.Store) {
	ctx := context.Background()
	// Each a violation under "ag" by GOV; c's by OPP too.
	rule := func(in incident.Incident) []ruling.Ruling {
		parties := []string{"GOV"}
		if in.Place.Admin3 == "SY030200" {
			parties = append(parties, "OPP")
		}
		return []ruling.Ruling{{Verdict: ruling.Violation, Agreement: "ag", Version: 1, Parties: parties, Clauses: []string{"C1"}, Guarantors: []string{"RU"}, Explanation: "x"}}
	}
	ids := map[string]int64{}
	for _, r := range []incident.Report{Report("a", day(2017, 1, 5), "SY070000"), Report("b", day(2017, 1, 9), "SY070100"), Report("c", day(2017, 1, 12), "SY030200")} {
		res, err := s.ImportReports(ctx, []incident.Report{r}, store.Intake{Rule: rule})
		if err != nil {
			t.Fatal(err)
		}
		ids[r.SourceID] = res[0].IncidentID
	}
	seq := map[int64]int{} // each incident's events are numbered from 1
	act := func(id int64, a workflow.Action, st incident.State) {
		t.Helper()
		seq[id]++
		ev := workflow.Event{Seq: seq[id], Action: a, By: "rev", Role: workflow.Reviewer, At: time.Now().UTC(), State: st}
		if err := s.AppendEvent(ctx, id, ev, store.Status{State: st}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids {
		act(id, workflow.Review, incident.UnderReview)
	}
	filters := map[string]store.Filter{
		"everything":       {},
		"agreement":        {Agreement: "ag"},
		"violations":       {Agreement: "ag", Verdict: ruling.Violation},
		"GOV's":            {Agreement: "ag", Party: "GOV"},
		"GOV's violations": {Agreement: "ag", Party: "GOV", Verdict: ruling.Violation},
		"January":          {From: time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2017, 2, 1, 0, 0, 0, 0, time.UTC)},
		"SY07":             {Admin: "SY07"},
		"newest":           {Newest: true},
	}
	check := func(step string, v *store.Visibility, want ...string) {
		t.Helper()
		for name, f := range filters {
			f.Visible = v
			var w []int64
			for _, src := range want {
				// The filters that name GOV, or a place, match fewer.
				if f.Admin != "" && src == "c" {
					continue
				}
				w = append(w, ids[src])
			}
			for _, limit := range []int{0, 50} {
				f.Limit = limit
				list, total, err := s.Incidents(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				var got []int64
				for _, in := range list {
					got = append(got, in.ID)
				}
				slices.Sort(got)
				slices.Sort(w)
				if !slices.Equal(got, w) || total != len(w) {
					t.Errorf("%s, %s, limit %d, viewer %+v: listed %v (total %d), want %v", step, name, limit, v, got, total, w)
				}
			}
		}
	}
	// GOV is accused in all three: its liaison sees them whatever their
	// state, in GOV's own listings too.
	public, opp, gov := &store.Visibility{}, &store.Visibility{Party: "OPP"}, &store.Visibility{Party: "GOV"}
	check("all under review", public)
	check("all under review", opp, "c")
	check("all under review", gov, "a", "b", "c")
	act(ids["a"], workflow.Verify, incident.Verified)
	check("a verified", public, "a")
	check("a verified", opp, "a", "c")
	check("a verified", gov, "a", "b", "c")
	act(ids["a"], workflow.Reopen, incident.UnderReview)
	check("a reopened", public)
	check("a reopened", opp, "c")
	act(ids["b"], workflow.Dismiss, incident.Dismissed)
	check("b dismissed", public, "b")
	check("b dismissed", opp, "b", "c")
	check("b dismissed", gov, "a", "b", "c")
}
