package ruling

import (
	"sort"

	"github.com/truce-monitor/truce/internal/incident"
)

// Review is the column of the ruling table an incident's ruling counts in,
// by where its review stands. It is the one rule for every count of
// rulings: truce rule, the API's summary and the dashboard.
type Review string

const (
	// Reviewed: verified or disputed. The review is complete and the
	// incident upheld (verified) or upheld with its facts contested
	// (disputed); this is what the public sees counted.
	Reviewed Review = "verified"
	// Pending: reported or under review. Nobody has reviewed the incident
	// yet (an anonymous web report, an imported dataset's event) or the
	// review is under way; its ruling is the engine's reading of what was
	// reported, not a finding.
	Pending Review = "under_review"
	// Dismissed: the review found nothing to rule on. A dismissed incident
	// is never counted as a violation (nor in any other outcome), only
	// listed in its own column.
	Dismissed Review = "dismissed"
)

// Reviews are the columns in the order they are shown.
var Reviews = []Review{Reviewed, Pending, Dismissed}

// ReviewOf maps an incident's state to its column. A state it does not
// know (or none) is under review: nothing counts as verified unless it
// was.
func ReviewOf(s incident.State) Review {
	switch s {
	case incident.Verified, incident.Disputed:
		return Reviewed
	case incident.Dismissed:
		return Dismissed
	}
	return Pending
}

// Tally counts rulings for the ruling table: by outcome, by party, by
// clause and by agreement version, and by review state. Dismissed
// incidents count in Total, Dismissed and ByReview only: never in
// Outcomes, ByVerdict, Parties, Clauses or Versions, so that a dismissed
// incident ruled a violation is not counted as a violation.
type Tally struct {
	Total     int                       `json:"total"`
	Outcomes  map[string]int            `json:"outcomes"`
	ByVerdict map[Verdict]int           `json:"by_verdict"`
	Parties   map[string]map[string]int `json:"parties"` // party → outcome → count
	Clauses   map[string]map[string]int `json:"clauses"` // clause → outcome → count
	Versions  map[int]map[Verdict]int   `json:"versions"`
	// Dismissed is the number of dismissed incidents, whatever their
	// ruling (also ByReview["dismissed"]).
	Dismissed int `json:"dismissed"`
	// ByReview counts the rulings of each review column by verdict:
	// "verified" (verified or disputed), "under_review" (reported or under
	// review), "dismissed" (listed, not counted as their verdict).
	ByReview map[Review]map[Verdict]int `json:"by_review"`
	// Violations is ByReview's violation column: violations verified,
	// under review, and dismissed incidents that had been ruled
	// violations (which are not violations).
	Violations map[Review]int `json:"violations"`
}

// NewTally returns an empty tally.
func NewTally() *Tally {
	t := &Tally{
		Outcomes:   map[string]int{},
		ByVerdict:  map[Verdict]int{},
		Parties:    map[string]map[string]int{},
		Clauses:    map[string]map[string]int{},
		Versions:   map[int]map[Verdict]int{},
		ByReview:   map[Review]map[Verdict]int{},
		Violations: map[Review]int{},
	}
	for _, rv := range Reviews {
		t.ByReview[rv] = map[Verdict]int{}
		t.Violations[rv] = 0
	}
	return t
}

// AddIn counts one ruling of an incident in state s. Parties and clauses
// are counted for every ruling that names them: violations, breaches
// whose initiator is unknown, and incidents whose suspected alternatives
// would be ruled differently (the parties and clauses at stake under some
// alternative). A dismissed incident is counted only as dismissed.
func (t *Tally) AddIn(r Ruling, s incident.State) {
	t.AddN(r.Version, r.Verdict, r.Outcome(), r.Parties, r.Clauses, s, 1)
}

// AddN counts n rulings of incidents in state s that share their version,
// verdict, outcome, parties and clauses, as AddIn counts each: the counts
// a database grouped by these.
func (t *Tally) AddN(version int, v Verdict, outcome string, parties, clauses []string, s incident.State, n int) {
	t.Total += n
	rv := ReviewOf(s)
	t.ByReview[rv][v] += n
	if v == Violation {
		t.Violations[rv] += n
	}
	if rv == Dismissed {
		t.Dismissed += n
		return
	}
	t.Outcomes[outcome] += n
	t.ByVerdict[v] += n
	if version > 0 {
		if t.Versions[version] == nil {
			t.Versions[version] = map[Verdict]int{}
		}
		t.Versions[version][v] += n
	}
	for _, p := range parties {
		if t.Parties[p] == nil {
			t.Parties[p] = map[string]int{}
		}
		t.Parties[p][outcome] += n
	}
	for _, c := range clauses {
		if t.Clauses[c] == nil {
			t.Clauses[c] = map[string]int{}
		}
		t.Clauses[c][outcome] += n
	}
}

// SortedKeys returns the keys of m in order.
func SortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
