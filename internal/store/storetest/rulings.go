package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

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
