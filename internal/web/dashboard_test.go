package web_test

import (
	"context"
	"regexp"
	"strconv"
	"testing"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

var dashCount = regexp.MustCompile(`<li id="count-([a-z-]+)">[^:]*: ([0-9]+)`)

// dashboardCounts reads the dashboard's counts by review state.
func dashboardCounts(t *testing.T, c *client) map[string]int {
	t.Helper()
	status, body := c.get("/")
	if status != 200 {
		t.Fatalf("dashboard: %d", status)
	}
	out := map[string]int{}
	for _, m := range dashCount.FindAllStringSubmatch(body, -1) {
		out[m[1]], _ = strconv.Atoi(m[2])
	}
	return out
}

// TestDashboardByReview (issue 14): a dismissed incident ruled a
// violation is not counted as a violation on the dashboard, for the
// public (who sees it) nor for staff, only as dismissed; an unreviewed
// violation counts under review for staff, and not at all for the public.
func TestDashboardByReview(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	list, total, err := s.app.Incidents(ctx, app.Operator(), store.Filter{Agreement: "syria-coh-2016", Verdict: ruling.Violation, Limit: 3})
	if err != nil || len(list) < 3 {
		t.Fatalf("demo data: %v", err)
	}
	dismissed := list[2].ID
	for _, e := range []workflow.Event{{Action: workflow.Review}, {Action: workflow.Dismiss, Reason: "no such attack"}} {
		if _, err := s.app.Act(ctx, users[1], dismissed, e); err != nil {
			t.Fatal(err)
		}
	}
	// s.public is verified, s.hidden under review, the rest reported.
	if got, want := dashboardCounts(t, s.client(t)), map[string]int{"verified": 1, "dismissed": 1}; len(got) != 2 || got["verified"] != want["verified"] || got["dismissed"] != want["dismissed"] {
		t.Errorf("public dashboard counts %v, want %v (and no count under review)", got, want)
	}
	_, body := s.client(t).get("/")
	if !regexp.MustCompile(`>1 incidents ruled violations`).MatchString(body) {
		t.Error("the public dashboard's total is not the one verified violation")
	}
	got := dashboardCounts(t, s.client(t).login("rev"))
	if want := (map[string]int{"verified": 1, "under-review": total - 2, "dismissed": 1}); len(got) != 3 || got["verified"] != 1 || got["under-review"] != total-2 || got["dismissed"] != 1 {
		t.Errorf("staff dashboard counts %v, want %v", got, want)
	}
}
