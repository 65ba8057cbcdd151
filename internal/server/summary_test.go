package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/importer/jsonl"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

type reviewSummary struct {
	Total      int            `json:"total"`
	ByVerdict  map[string]int `json:"by_verdict"`
	Outcomes   map[string]int `json:"outcomes"`
	Dismissed  int            `json:"dismissed"`
	Violations map[string]int `json:"violations"`
	ByReview   map[string]map[string]int
}

func summaryAs(t *testing.T, token string) reviewSummary {
	t.Helper()
	req, _ := http.NewRequest("GET", demo(t).URL+"/api/rulings/summary?agreement=syria-coh-2016", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var s reviewSummary
	if res.StatusCode != http.StatusOK {
		t.Fatalf("summary: %d", res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSummaryByReview (issue 14): the summary counts each ruling in its
// incident's review column. A dismissed incident ruled a violation is not
// a violation in the public summary (which then sees it) nor in the
// staff's; an unreviewed web report's violation counts under review, not
// verified.
func TestSummaryByReview(t *testing.T) {
	demo(t)
	ctx := context.Background()
	opp, total, err := demoApp.Incidents(ctx, app.Operator(), store.Filter{Agreement: "syria-coh-2016", Verdict: ruling.Violation, Party: "OPP"})
	if err != nil || total < 3 {
		t.Fatalf("OPP violations: %d, %v", total, err)
	}
	// Not the first, which TestVisibility reads as unreviewed.
	var dismiss, copyFrom *store.IncidentSummary
	for i := len(opp) - 1; i > 0; i-- {
		if opp[i].State != incident.Reported {
			continue
		}
		if dismiss == nil {
			dismiss = &opp[i]
		} else if copyFrom == nil {
			copyFrom = &opp[i]
		}
	}
	if dismiss == nil || copyFrom == nil {
		t.Fatal("no unreviewed OPP violations to work with")
	}
	pub0, staff0 := summaryAs(t, ""), summaryAs(t, adminToken)

	rev := workflow.User{Name: "sum-rev", Role: workflow.Reviewer}
	if _, err := demoApp.AddUser(ctx, rev, ""); err != nil {
		t.Fatal(err)
	}
	for _, e := range []workflow.Event{{Action: workflow.Review}, {Action: workflow.Dismiss, Reason: "no such shelling"}} {
		if _, err := demoApp.Act(ctx, rev, dismiss.ID, e); err != nil {
			t.Fatal(err)
		}
	}
	pub, staff := summaryAs(t, ""), summaryAs(t, adminToken)
	if pub.ByVerdict["violation"] != pub0.ByVerdict["violation"] || pub.Outcomes["violation"] != pub0.Outcomes["violation"] {
		t.Errorf("public: a dismissed incident counts as a violation: %d, was %d", pub.ByVerdict["violation"], pub0.ByVerdict["violation"])
	}
	if pub.Dismissed != pub0.Dismissed+1 || pub.Violations["dismissed"] != pub0.Violations["dismissed"]+1 || pub.Total != pub0.Total+1 {
		t.Errorf("public: dismissed %d (violations %d), was %d (%d)", pub.Dismissed, pub.Violations["dismissed"], pub0.Dismissed, pub0.Violations["dismissed"])
	}
	if pub.Violations["under_review"] != 0 {
		t.Errorf("the public summary counts %d violations under review", pub.Violations["under_review"])
	}
	if staff.ByVerdict["violation"] != staff0.ByVerdict["violation"]-1 || staff.Violations["under_review"] != staff0.Violations["under_review"]-1 ||
		staff.Violations["dismissed"] != staff0.Violations["dismissed"]+1 {
		t.Errorf("staff: violations %d (under review %d, dismissed %d), were %d (%d, %d)", staff.ByVerdict["violation"], staff.Violations["under_review"],
			staff.Violations["dismissed"], staff0.ByVerdict["violation"], staff0.Violations["under_review"], staff0.Violations["dismissed"])
	}

	// A web report from anyone (a researcher's submission is a public
	// report), with the facts of a violation, ruled and unreviewed.
	tok, err := demoApp.AddUser(ctx, workflow.User{Name: "sum-public", Role: workflow.Researcher}, "")
	if err != nil {
		t.Fatal(err)
	}
	d, err := demoApp.Incident(ctx, app.Operator(), copyFrom.ID)
	if err != nil {
		t.Fatal(err)
	}
	rep := d.Reports[0]
	body, _ := json.Marshal(jsonl.Submission{Source: "web", SourceID: "issue14-1", Occurred: rep.Occurred, Place: rep.Place,
		Actors: rep.Actors, Act: rep.Act, Casualties: rep.Casualties, SubEvent: rep.SubEvent, Initiator: rep.Initiator})
	status, v := post(t, tok, string(body))
	if status != http.StatusCreated {
		t.Fatalf("web report: %d %v", status, v)
	}
	id := int64(v["incident_id"].(float64))
	if _, _, err := demoApp.Rule(ctx, "syria-coh-2016", rep.Occurred.Start, rep.Occurred.End); err != nil {
		t.Fatal(err)
	}
	list, _, err := demoApp.Incidents(ctx, app.Operator(), store.Filter{Agreement: "syria-coh-2016", Verdict: ruling.Violation})
	if err != nil {
		t.Fatal(err)
	}
	want := map[ruling.Review]int{}
	found := false
	for _, in := range list {
		want[ruling.ReviewOf(in.State)]++
		if in.ID == id {
			found = true
			if rv := ruling.ReviewOf(in.State); rv != ruling.Pending {
				t.Errorf("the web report's incident is %s (%s), want under review", rv, in.State)
			}
		}
	}
	if !found {
		t.Fatalf("the web report's incident %d is not ruled a violation", id)
	}
	staff = summaryAs(t, adminToken)
	for _, rv := range ruling.Reviews {
		if got := staff.Violations[string(rv)]; got != want[rv] {
			t.Errorf("staff summary: %d violations %s, the incidents say %d", got, rv, want[rv])
		}
	}
	if got := staff.ByVerdict["violation"]; got != want[ruling.Reviewed]+want[ruling.Pending] {
		t.Errorf("staff summary: %d violations, want %d verified + %d under review", got, want[ruling.Reviewed], want[ruling.Pending])
	}
}
