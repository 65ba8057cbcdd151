package ruling

import "sort"

// Tally counts rulings for the ruling table: by outcome, by party, by
// clause and by agreement version.
type Tally struct {
	Total     int                       `json:"total"`
	Outcomes  map[string]int            `json:"outcomes"`
	ByVerdict map[Verdict]int           `json:"by_verdict"`
	Parties   map[string]map[string]int `json:"parties"` // party → outcome → count
	Clauses   map[string]map[string]int `json:"clauses"` // clause → outcome → count
	Versions  map[int]map[Verdict]int   `json:"versions"`
}

// NewTally returns an empty tally.
func NewTally() *Tally {
	return &Tally{
		Outcomes:  map[string]int{},
		ByVerdict: map[Verdict]int{},
		Parties:   map[string]map[string]int{},
		Clauses:   map[string]map[string]int{},
		Versions:  map[int]map[Verdict]int{},
	}
}

// Add counts one ruling. Parties and clauses are counted for every ruling
// that names them: violations, breaches whose initiator is unknown, and
// incidents whose suspected alternatives would be ruled differently (the
// parties and clauses at stake under some alternative).
func (t *Tally) Add(r Ruling) {
	t.Total++
	o := r.Outcome()
	t.Outcomes[o]++
	t.ByVerdict[r.Verdict]++
	if r.Version > 0 {
		if t.Versions[r.Version] == nil {
			t.Versions[r.Version] = map[Verdict]int{}
		}
		t.Versions[r.Version][r.Verdict]++
	}
	for _, p := range r.Parties {
		if t.Parties[p] == nil {
			t.Parties[p] = map[string]int{}
		}
		t.Parties[p][o]++
	}
	for _, c := range r.Clauses {
		if t.Clauses[c] == nil {
			t.Clauses[c] = map[string]int{}
		}
		t.Clauses[c][o]++
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
