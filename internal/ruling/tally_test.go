package ruling_test

import (
	"testing"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
)

// TestReviewOf: the one rule mapping a review state to a column of the
// ruling table (issue 14).
func TestReviewOf(t *testing.T) {
	for s, want := range map[incident.State]ruling.Review{
		incident.Verified: ruling.Reviewed, incident.Disputed: ruling.Reviewed,
		incident.Reported: ruling.Pending, incident.UnderReview: ruling.Pending, "": ruling.Pending, "unknown": ruling.Pending,
		incident.Dismissed: ruling.Dismissed,
	} {
		if got := ruling.ReviewOf(s); got != want {
			t.Errorf("ReviewOf(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestTallyByReview: a dismissed incident ruled a violation is listed as
// dismissed, never counted as a violation; an unreviewed one counts under
// review, not verified (issue 14).
func TestTallyByReview(t *testing.T) {
	v := ruling.Ruling{Verdict: ruling.Violation, Version: 1, Parties: []string{"GOV"}, Clauses: []string{"C1"}}
	tl := ruling.NewTally()
	tl.AddIn(v, incident.Dismissed)
	tl.AddIn(v, incident.Reported)
	tl.AddIn(v, incident.Verified)
	tl.AddIn(v, incident.Disputed)
	tl.AddIn(ruling.Ruling{Verdict: ruling.NotViolation}, incident.UnderReview)
	tl.AddIn(v, "") // state unknown: under review
	if tl.Total != 6 || tl.Dismissed != 1 {
		t.Errorf("total %d dismissed %d, want 6 and 1", tl.Total, tl.Dismissed)
	}
	if got := tl.ByVerdict[ruling.Violation]; got != 4 {
		t.Errorf("violations %d, want 4 (the dismissed one not counted)", got)
	}
	if got := tl.Outcomes["violation"]; got != 4 {
		t.Errorf("outcome violation %d, want 4", got)
	}
	if got := tl.Parties["GOV"]["violation"]; got != 4 {
		t.Errorf("GOV violations %d, want 4", got)
	}
	if got := tl.Versions[1][ruling.Violation]; got != 4 {
		t.Errorf("version 1 violations %d, want 4", got)
	}
	want := map[ruling.Review]int{ruling.Reviewed: 2, ruling.Pending: 2, ruling.Dismissed: 1}
	for rv, n := range want {
		if tl.Violations[rv] != n || tl.ByReview[rv][ruling.Violation] != n {
			t.Errorf("%s: violations %d (by review %d), want %d", rv, tl.Violations[rv], tl.ByReview[rv][ruling.Violation], n)
		}
	}
	if got := tl.ByReview[ruling.Pending][ruling.NotViolation]; got != 1 {
		t.Errorf("under review, not violations: %d, want 1", got)
	}
}
