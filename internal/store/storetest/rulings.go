package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
)

// A ruling equal to the stored one is not written again: ruling a period
// twice writes nothing the second time (truce rule), and what was altered
// by hand beside an unchanged document (its parties, a violation's
// notification) is written again.
func testRulingsUnchanged(t *testing.T, s store.Store) {
	ctx := context.Background()
	res, err := s.ImportReports(ctx, []incident.Report{
		Report("u1", day(2017, 1, 1), "SY070000"),
		Report("u2", day(2017, 1, 2), "SY070000"),
		Report("u3", day(2017, 1, 3), "SY070000"),
	}, store.Intake{})
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := res[0].IncidentID, res[1].IncidentID, res[2].IncidentID
	violation := ruling.Ruling{Verdict: ruling.Violation, Agreement: "ag", Version: 2, Parties: []string{"OPP", "GOV"}, Clauses: []string{"C1"}, Explanation: "v", Facts: []string{"f"}}
	rulings := []store.IncidentRuling{
		{IncidentID: a, Ruling: violation},
		{IncidentID: b, Ruling: ruling.Ruling{Verdict: ruling.NotViolation, Agreement: "ag", Version: 2, Reason: ruling.ExcludedGroup, Explanation: "n"}},
		{IncidentID: c, Ruling: ruling.Ruling{Verdict: ruling.Undetermined, Agreement: "ag", Version: 2, Missing: ruling.MissingInitiator, Parties: []string{"GOV"}, Explanation: "u"}},
		{IncidentID: c, Ruling: ruling.Ruling{Verdict: ruling.NotViolation, Agreement: "other", Version: 1, Reason: ruling.ExcludedGroup, Explanation: "o"}},
	}
	save := func(what string, rs []store.IncidentRuling, want int) {
		t.Helper()
		n, err := s.SaveRulings(ctx, rs)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if n != want {
			t.Errorf("%s: %d rulings written, want %d", what, n, want)
		}
	}
	save("first", rulings, 4)
	db := dbOf(s)
	before := ruledAt(t, db)
	save("again", rulings, 0)
	save("nothing", nil, 0)
	if after := ruledAt(t, db); db != nil && fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("rulings rewritten though unchanged: ruled_at %v, then %v", before, after)
	}

	// One changed among the unchanged: only it is written.
	changed := append([]store.IncidentRuling(nil), rulings...)
	changed[1].Ruling.Explanation = "n, again"
	save("one changed", changed, 1)
	if d, err := s.Incident(ctx, b); err != nil || len(d.Rulings) != 1 || d.Rulings[0].Explanation != "n, again" {
		t.Errorf("changed ruling: %+v, %v", d.Rulings, err)
	}
	if after := ruledAt(t, db); db != nil {
		for k, v := range before {
			if (after[k] != v) != (k == fmt.Sprintf("%d/ag", b)) {
				t.Errorf("ruled_at of %s: %s, then %s", k, v, after[k])
			}
		}
	}

	// Of two rulings of one incident under one agreement, the last
	// counts; the same ruling twice is written at most once.
	save("last counts", []store.IncidentRuling{rulings[1], changed[1]}, 0)
	save("last counts, changed", []store.IncidentRuling{changed[1], rulings[1]}, 1)
	if d, _ := s.Incident(ctx, b); len(d.Rulings) != 1 || d.Rulings[0].Explanation != "n" {
		t.Errorf("last ruling given: %+v", d.Rulings)
	}

	if db == nil {
		return
	}
	// Rows altered beside an unchanged document are written again.
	for _, tt := range []struct{ what, sql string }{
		{"a party's row deleted", fmt.Sprintf(`DELETE FROM ruling_parties WHERE incident_id = %d AND party = 'GOV'`, a)},
		{"a notification deleted", fmt.Sprintf(`DELETE FROM notifications WHERE incident_id = %d AND party = 'OPP'`, a)},
		{"the verdict column altered", fmt.Sprintf(`UPDATE rulings SET verdict = 'not_violation' WHERE incident_id = %d`, a)},
		{"the parties column altered", fmt.Sprintf(`UPDATE rulings SET parties = '[]' WHERE incident_id = %d`, a)},
		{"the clauses column altered", fmt.Sprintf(`UPDATE rulings SET clauses = '["C9"]' WHERE incident_id = %d`, a)},
		{"the document altered", fmt.Sprintf(`UPDATE rulings SET doc = '{"verdict":"forged"}' WHERE incident_id = %d`, a)},
	} {
		if _, err := db.ExecContext(ctx, tt.sql); err != nil {
			t.Fatalf("%s: %v", tt.what, err)
		}
		save(tt.what, rulings, 1)
		save(tt.what+", then again", rulings, 0)
	}
	got, _, err := s.Incidents(ctx, store.Filter{Agreement: "ag", Party: "GOV"})
	if err != nil || len(got) != 2 {
		t.Errorf("party GOV after repair: %d incidents, %v; want 2", len(got), err)
	}
	ns, err := s.Notifications(ctx, "OPP")
	if err != nil || len(ns) != 1 {
		t.Errorf("notifications of OPP after repair: %+v, %v", ns, err)
	}
}

// dbOf is the store's database, when it is on one (nil otherwise).
func dbOf(s store.Store) *sql.DB {
	if d, ok := s.(interface{ DB() *sql.DB }); ok {
		return d.DB()
	}
	return nil
}

// ruledAt returns the time of the last write of every stored ruling, by
// incident/agreement.
func ruledAt(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	if db == nil {
		return nil
	}
	rows, err := db.Query(`SELECT incident_id, agreement_id, ruled_at FROM rulings`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id int64
		var ag, at string
		if err := rows.Scan(&id, &ag, &at); err != nil {
			t.Fatal(err)
		}
		out[fmt.Sprintf("%d/%s", id, ag)] = at
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// A ruling made at intake with a key, or saved with the inputs
// EachToRule gave, is current under that key while the incident's facts
// stay as they were: EachToRule then gives the stored ruling's columns
// and not the incident (unless asked for all). Under another key, after
// the incident changed, or saved without inputs, it is not current.
// SaveRulings writes inputs that changed beside an unchanged ruling
// without counting the ruling as written.
func testEachToRule(t *testing.T, s store.Store) {
	ctx := context.Background()
	key, other := []byte("key one"), []byte("key two")
	v := ruling.Ruling{Verdict: ruling.Violation, Agreement: "ag", Version: 2, Parties: []string{"OPP", "GOV"}, Clauses: []string{"C1"}, Explanation: "v"}
	n := ruling.Ruling{Verdict: ruling.NotViolation, Agreement: "ag", Version: 2, Reason: ruling.ExcludedGroup, Explanation: "n"}
	byAct := func(in incident.Incident) []ruling.Ruling {
		if in.Title == "second" { // r2's description
			return []ruling.Ruling{n}
		}
		return []ruling.Ruling{v}
	}
	r1, r2 := Report("t1", day(2017, 1, 1), "SY070000"), Report("t2", day(2017, 1, 2), "SY070000")
	r2.Description = "second"
	r3 := Report("t3", day(2017, 1, 3), "SY070000") // ruled without a key
	if _, err := s.ImportReports(ctx, []incident.Report{r1, r2}, store.Intake{Rule: byAct, Keys: map[string][]byte{"ag": key}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportReports(ctx, []incident.Report{r3}, store.Intake{Rule: byAct}); err != nil {
		t.Fatal(err)
	}
	each := func(key []byte, all bool) []store.ToRule {
		t.Helper()
		var out []store.ToRule
		if err := s.EachToRule(ctx, time.Time{}, time.Time{}, "ag", key, all, func(tr store.ToRule) error {
			out = append(out, tr)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(out) != 3 {
			t.Fatalf("EachToRule gave %d incidents, want 3", len(out))
		}
		return out
	}
	current := func(got []store.ToRule) string {
		var b []byte
		for _, tr := range got {
			if tr.Current {
				b = append(b, '1')
			} else {
				b = append(b, '0')
			}
		}
		return string(b)
	}
	got := each(key, false)
	if c := current(got); c != "110" {
		t.Errorf("current after intake with a key: %s, want 110", c)
	}
	want := store.StoredRuling{Version: 2, Verdict: ruling.Violation, Outcome: "violation", Parties: []string{"OPP", "GOV"}, Clauses: []string{"C1"}}
	if fmt.Sprint(got[0].Stored) != fmt.Sprint(want) || got[0].Incident.ID != 0 || got[0].State != incident.Reported {
		t.Errorf("a current ruling: %+v, state %q, incident %d; want %+v, reported, none", got[0].Stored, got[0].State, got[0].Incident.ID, want)
	}
	if got[1].Stored.Outcome != "not_violation: excluded_group" || len(got[1].Stored.Parties) != 0 {
		t.Errorf("a current ruling without parties: %+v", got[1].Stored)
	}
	if got[2].Incident.ID == 0 || got[2].Incident.Title != r3.Description || len(got[2].Inputs) == 0 {
		t.Errorf("a ruling not current: the incident %+v, inputs %x", got[2].Incident, got[2].Inputs)
	}
	all := each(key, true)
	for _, tr := range all {
		if tr.Incident.ID != tr.ID || len(tr.Incident.ReportIDs) != 1 {
			t.Errorf("asked for all: incident %d given as %d with reports %v", tr.ID, tr.Incident.ID, tr.Incident.ReportIDs)
		}
	}
	if c := current(each(other, false)); c != "000" {
		t.Errorf("current under another key: %s", c)
	}
	if c := current(each(nil, false)); c != "000" {
		t.Errorf("current without a key: %s", c)
	}

	// The third, saved with its inputs: the same ruling, so only its
	// inputs are written.
	db := dbOf(s)
	before := ruledAt(t, db)
	third := store.IncidentRuling{IncidentID: got[2].ID, Ruling: v, Inputs: got[2].Inputs}
	if n, err := s.SaveRulings(ctx, []store.IncidentRuling{third}); err != nil || n != 0 {
		t.Errorf("inputs only: %d written (%v), want 0", n, err)
	}
	if c := current(each(key, false)); c != "111" {
		t.Errorf("current after saving the inputs: %s, want 111", c)
	}
	if after := ruledAt(t, db); db != nil && fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("a ruling whose inputs alone changed was written: ruled_at %v, then %v", before, after)
	}
	// Saved again without inputs: not current.
	third.Inputs = nil
	if n, err := s.SaveRulings(ctx, []store.IncidentRuling{third}); err != nil || n != 0 {
		t.Errorf("inputs cleared: %d written (%v), want 0", n, err)
	}
	if c := current(each(key, false)); c != "110" {
		t.Errorf("current after saving without inputs: %s, want 110", c)
	}
	// A changed ruling with the current inputs is written.
	third.Ruling, third.Inputs = n, got[2].Inputs
	if n, err := s.SaveRulings(ctx, []store.IncidentRuling{third}); err != nil || n != 1 {
		t.Errorf("changed ruling: %d written (%v), want 1", n, err)
	}
	if got := each(key, false); !got[2].Current || got[2].Stored.Verdict != ruling.NotViolation {
		t.Errorf("after the changed ruling: %+v", got[2])
	}
	// The incident's facts change (a report revised): no longer current,
	// though the ruling made at the revision is (it has the key).
	r1.Casualties.Best = 7
	if _, err := s.ImportReports(ctx, []incident.Report{r1}, store.Intake{Rule: byAct}); err != nil {
		t.Fatal(err)
	}
	if c := current(each(key, false)); c != "011" {
		t.Errorf("current after the first incident changed, ruled without a key: %s, want 011", c)
	}
	if _, err := s.ImportReports(ctx, []incident.Report{r1}, store.Intake{Rule: byAct, Keys: map[string][]byte{"ag": key}}); err != nil {
		t.Fatal(err)
	}
	r1.Casualties.Best = 8
	if _, err := s.ImportReports(ctx, []incident.Report{r1}, store.Intake{Rule: byAct, Keys: map[string][]byte{"ag": key}}); err != nil {
		t.Fatal(err)
	}
	if c := current(each(key, false)); c != "111" {
		t.Errorf("current after the first incident changed and was ruled with the key: %s, want 111", c)
	}
}
