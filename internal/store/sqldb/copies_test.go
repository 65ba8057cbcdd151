package sqldb

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/store/storetest"
	"github.com/truce-monitor/truce/internal/workflow"
)

// TestCopiesFollowIncidents: the copies migrations 0016, 0026, 0029 and
// 0031 keep in rulings and ruling_parties (the incident's start, end and
// state; the ruling's parties, clauses and guarantors; a
// party's ruling's verdict; whether the incident was merged), and the
// tables of what each party's liaison sees (0035, 0036), equal what they
// copy after each way an incident or its ruling changes: an import, a
// re-import that moves a report's date, a merge, a split into a new
// incident, SaveRulings, an incident whose start, end or state is changed
// in place, a report's party changed or removed, a party's row deleted.
// On both engines.
func TestCopiesFollowIncidents(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { checkCopies(t, openSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { checkCopies(t, openPostgres(t)) })
}

// copiesRule rules every incident a violation by the party named after
// its month, so that parties change when dates do.
func copiesRule(in incident.Incident) []ruling.Ruling {
	p := "P" + in.Occurred.Start.Format("01")
	return []ruling.Ruling{{Verdict: ruling.Violation, Agreement: "ag", Version: 1, Parties: []string{p, "GOV"}, Clauses: []string{"C" + p}, Guarantors: []string{"RU"}, Explanation: "x"}}
}

func checkCopies(t *testing.T, s *Store) {
	ctx := context.Background()
	day := func(m, d int) incident.TimeSpan { return incident.Day(2017, time.Month(m), d, time.UTC) }
	in := store.Intake{Rule: copiesRule}
	steps := []struct {
		name string
		do   func() error
	}{
		{"import", func() error {
			// c is filed by a party (its liaison sees it: party_incidents).
			c := storetest.Report("c", day(3, 5), "SY070000")
			c.Kind, c.Party = incident.FromParty, "LIA"
			_, err := s.ImportReports(ctx, []incident.Report{storetest.Report("a", day(1, 5), "SY070000"), storetest.Report("b", day(2, 5), "SY070000"), c}, in)
			return err
		}},
		{"re-import with a new date", func() error {
			_, err := s.ImportReports(ctx, []incident.Report{storetest.Report("a", day(4, 9), "SY070000")}, in)
			return err
		}},
		{"merge", func() error {
			ev := workflow.Event{Seq: 1, Action: workflow.Merge, By: "rev", Role: workflow.Reviewer, At: time.Now().UTC(), State: incident.Reported}
			_, err := s.MoveReports(ctx, store.Move{From: 3, To: 2, Reports: []int64{reportOf(t, s, "c")}, By: ev, FromStatus: store.Status{State: incident.Reported}}, copiesRule)
			return err
		}},
		{"split into a new incident", func() error {
			ev := workflow.Event{Seq: 2, Action: workflow.Split, By: "rev", Role: workflow.Reviewer, At: time.Now().UTC(), State: incident.Reported}
			_, err := s.MoveReports(ctx, store.Move{From: 2, Reports: []int64{reportOf(t, s, "b")}, By: ev, FromStatus: store.Status{State: incident.Reported}}, copiesRule)
			return err
		}},
		{"SaveRulings", func() error {
			r := ruling.Ruling{Verdict: ruling.Undetermined, Agreement: "ag", Version: 1, Parties: []string{"OPP"}, Explanation: "y"}
			_, err := s.SaveRulings(ctx, []store.IncidentRuling{{IncidentID: 1, Ruling: r}})
			return err
		}},
		{"start changed in place", func() error {
			_, err := s.w.ExecContext(ctx, s.rebind(`UPDATE incidents SET occurred_start = ? WHERE id = ?`), ts(time.Date(2016, 12, 1, 0, 0, 0, 0, time.UTC)), 1)
			return err
		}},
		{"state changed in place", func() error {
			_, err := s.w.ExecContext(ctx, s.rebind(`UPDATE incidents SET state = 'under_review' WHERE id = ?`), 1)
			return err
		}},
		{"end changed in place", func() error {
			_, err := s.w.ExecContext(ctx, s.rebind(`UPDATE incidents SET occurred_end = ? WHERE id = ?`), ts(time.Date(2017, 12, 1, 0, 0, 0, 0, time.UTC)), 1)
			return err
		}},
		{"place changed in place", func() error {
			_, err := s.w.ExecContext(ctx, s.rebind(`UPDATE incidents SET admin3 = 'SY020101', area = 'x' WHERE id = ?`), 2)
			return err
		}},
		{"a report's party changed in place", func() error {
			_, err := s.w.ExecContext(ctx, `UPDATE reports SET party = 'LIB' WHERE party = 'LIA'`)
			return err
		}},
		{"a report's party removed", func() error {
			_, err := s.w.ExecContext(ctx, `UPDATE reports SET party = '' WHERE party = 'LIB'`)
			return err
		}},
		{"a party's row deleted", func() error {
			_, err := s.w.ExecContext(ctx, `DELETE FROM ruling_parties WHERE party = 'GOV' AND incident_id = 2`)
			return err
		}},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		for _, q := range []string{
			`SELECT count(*) FROM rulings r JOIN incidents i ON i.id = r.incident_id WHERE r.occurred_start <> i.occurred_start`,
			`SELECT count(*) FROM ruling_parties p JOIN incidents i ON i.id = p.incident_id WHERE p.occurred_start <> i.occurred_start`,
			`SELECT count(*) FROM rulings WHERE occurred_start = ''`,
			`SELECT count(*) FROM rulings r JOIN incidents i ON i.id = r.incident_id WHERE r.occurred_end <> i.occurred_end`,
			`SELECT count(*) FROM ruling_parties p JOIN incidents i ON i.id = p.incident_id WHERE p.occurred_end <> i.occurred_end`,
			`SELECT count(*) FROM rulings WHERE occurred_end = ''`,
			`SELECT count(*) FROM rulings r JOIN incidents i ON i.id = r.incident_id WHERE r.state <> i.state`,
			`SELECT count(*) FROM rulings WHERE state = ''`,
			`SELECT count(*) FROM ruling_parties p JOIN incidents i ON i.id = p.incident_id WHERE p.state <> i.state`,
			`SELECT count(*) FROM ruling_parties WHERE state = ''`,
			`SELECT count(*) FROM ruling_parties p JOIN rulings r ON r.incident_id = p.incident_id AND r.agreement_id = p.agreement_id WHERE p.verdict <> r.verdict`,
			`SELECT count(*) FROM rulings r JOIN incidents i ON i.id = r.incident_id WHERE r.merged_into <> i.merged_into`,
			`SELECT count(*) FROM ruling_parties p JOIN incidents i ON i.id = p.incident_id WHERE p.merged_into <> i.merged_into`,
		} {
			var n int
			if err := s.r.QueryRowContext(ctx, q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("%s: %d rows of %s", st.name, n, q)
			}
		}
		checkListCopies(t, s, st.name)
		// party_incidents and party_pairs (migrations 0035, 0036): what
		// verify -deep checks of them (TestTamper: it names any edit).
		err := s.EachPartyIncidentProblem(ctx, func(id int64, party, what string) error {
			t.Errorf("%s: incident %d, %s: %s", st.name, id, party, what)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, table := range []string{"party_incidents", "party_pairs"} {
		var n int
		if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil || n == 0 {
			t.Errorf("%s: %d rows (%v): the steps made none to check", table, n, err)
		}
	}
}

// checkListCopies compares the parties, clauses and guarantors columns of
// every ruling with its document.
func checkListCopies(t *testing.T, s *Store, step string) {
	t.Helper()
	rows, err := s.r.QueryContext(context.Background(), `SELECT incident_id, doc, parties, clauses, guarantors FROM rulings`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var doc string
		var cols [3]string
		if err := rows.Scan(&id, s.docs.intoText(&doc), &cols[0], &cols[1], &cols[2]); err != nil {
			t.Fatal(err)
		}
		var r ruling.Ruling
		if err := json.Unmarshal([]byte(doc), &r); err != nil {
			t.Fatal(err)
		}
		for i, want := range [][]string{r.Parties, r.Clauses, r.Guarantors} {
			var got []string
			if err := json.Unmarshal([]byte(cols[i]), &got); err != nil {
				t.Fatalf("%s: incident %d: %q: %v", step, id, cols[i], err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: incident %d: column %d holds %v, the document %v", step, id, i, got, want)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

func reportOf(t *testing.T, s *Store, sourceID string) int64 {
	t.Helper()
	var id int64
	if err := s.r.QueryRowContext(context.Background(), s.rebind(`SELECT id FROM reports WHERE source = 'test' AND source_id = ?`), sourceID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestLiaisonPagesMerged: a party liaison's page read as two parts
// merged (liaisonIncidents: the published incidents, and the party's own
// that are not) is that page of the list read as one listing testing
// each incident (incidentsQuery, as pages past maxMerged are read), with
// the same count; for each filter a
// liaison combines, both orders, and offsets across the parts, on both
// engines.
func TestLiaisonPagesMerged(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { checkLiaisonPages(t, openFilled(t, "sqlite")) })
	t.Run("postgres", func(t *testing.T) { checkLiaisonPages(t, openFilled(t, "postgres")) })
}

func checkLiaisonPages(t *testing.T, s *Store) {
	ctx := context.Background()
	// The fill's violations are all published: some now under review
	// (GOV is accused beside OPP in half of OPP's: party_pairs).
	if _, err := s.w.ExecContext(ctx, `UPDATE incidents SET state = 'under_review' WHERE id % 70 = 27 OR id % 70 = 57`); err != nil {
		t.Fatal(err)
	}
	var pairs int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM party_pairs WHERE viewer = 'GOV' AND party = 'OPP' AND state = 'under_review'`).Scan(&pairs); err != nil || pairs == 0 {
		t.Fatalf("%d of OPP's rows under review that GOV's liaison sees (%v): the merge of a party's listing is not tested", pairs, err)
	}
	// -short: pages to 260, fewer filters, and a party with no incidents
	// of its own.
	// "" is the public (a state it is never shown gives nothing unread).
	parties, deepest := []string{"GOV", "OPP", "NONE", ""}, maxMerged
	if testing.Short() {
		parties, deepest = []string{"GOV", "NONE", ""}, 260
	}
	from := time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		f    store.Filter
		full bool // -short leaves it out
	}{
		{"everything", store.Filter{}, false},
		{"agreement", store.Filter{Agreement: "ag"}, true},
		{"governorate", store.Filter{Admin: "SY07"}, false},
		{"district", store.Filter{Admin: "SY0703"}, true},
		{"period", store.Filter{From: from, To: from.AddDate(0, 2, 0)}, false},
		{"from", store.Filter{From: from.AddDate(3, 0, 0)}, true},
		{"state reported", store.Filter{State: incident.Reported}, false},
		{"state verified", store.Filter{State: incident.Verified}, false},
		{"governorate, period", store.Filter{Admin: "SY03", From: from, To: from.AddDate(1, 0, 0)}, true},
		{"OPP's", store.Filter{Agreement: "ag", Party: "OPP"}, false},
		{"OPP's violations", store.Filter{Agreement: "ag", Party: "OPP", Verdict: ruling.Violation}, false},
		{"OPP's, a governorate", store.Filter{Agreement: "ag", Party: "OPP", Admin: "SY05"}, true},
		{"OPP's, a period", store.Filter{Agreement: "ag", Party: "OPP", From: from, To: from.AddDate(2, 0, 0)}, true},
		{"GOV's", store.Filter{Agreement: "ag", Party: "GOV"}, false},
		{"violations", store.Filter{Agreement: "ag", Verdict: ruling.Violation}, true},
	} {
		if c.full && testing.Short() {
			continue
		}
		for _, party := range parties {
			for _, newest := range []bool{false, true} {
				f := c.f
				f.Visible, f.Newest = &store.Visibility{Party: party}, newest
				// The one listing, testing each incident, as pages past
				// maxMerged are read.
				b, err := s.boundsOf(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				f.Limit = deepest
				q := s.incidentsQuery(f, b)
				whole, err := s.summaries(ctx, q.list, q.args)
				if err != nil {
					t.Fatal(err)
				}
				total, err := s.count(ctx, q.count, q.countArgs)
				if err != nil {
					t.Fatal(err)
				}
				for _, page := range []struct{ off, limit int }{{0, 50}, {0, 7}, {13, 20}, {200, 50}, {deepest - 10, 10}, {max(len(whole)-3, 0), 10}, {len(whole) + 5, 10}} {
					if page.off+page.limit > deepest {
						continue
					}
					f.Offset, f.Limit = page.off, page.limit
					got, n, err := s.Incidents(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					want := whole[min(page.off, len(whole)):min(page.off+page.limit, len(whole))]
					if n != total || !sameSummaries(got, want) {
						t.Errorf("%s: %s as %s's liaison, newest %v, offset %d limit %d: %d listed (count %d), want %d (count %d): %v, want %v",
							s.d.Name, c.name, party, newest, page.off, page.limit, len(got), n, len(want), total, summaryIDs(got), summaryIDs(want))
					}
				}
			}
		}
	}
}

// sameSummaries compares two lists whole: ids, facts, rulings, grades.
func sameSummaries(a, b []store.IncidentSummary) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func summaryIDs(l []store.IncidentSummary) []int64 {
	out := make([]int64, len(l))
	for i, x := range l {
		out[i] = x.ID
	}
	return out
}

// TestCountsMatchLists: the count Incidents returns, read from one index
// where the filter allows (counting), is the number of incidents it
// lists, for each filter of TestFilterIndexes, on both engines.
func TestCountsMatchLists(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { checkCountsMatch(t, openFilled(t, "sqlite")) })
	t.Run("postgres", func(t *testing.T) { checkCountsMatch(t, openFilled(t, "postgres")) })
}

func checkCountsMatch(t *testing.T, s *Store) {
	ctx := context.Background()
	for _, c := range planCases() {
		if c.f.Text != "" {
			continue // substring searches: TestSearch
		}
		f := c.f
		if testing.Short() {
			// The whole list of a broad filter (thousands of documents
			// decoded) is for the full run; -short checks the others.
			f.Limit = 1
			if _, total, err := s.Incidents(ctx, f); err != nil || total > store.CountCap {
				if err != nil {
					t.Fatal(err)
				}
				continue
			}
		}
		f.Limit, f.Offset = 0, 0
		list, total, err := s.Incidents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if want := min(len(list), store.CountCap+1); total != want {
			t.Errorf("%s, filter %s: counted %d, listed %d", s.d.Name, c.name, total, len(list))
		}
		if total > store.CountCap {
			continue
		}
		// The last page and the one after it (which the count says is
		// empty, and is not read: past).
		for _, off := range []int{max(total-1, 0), total, total + 50} {
			f.Offset, f.Limit = off, 50
			page, n, err := s.Incidents(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if want := min(max(total-off, 0), 50); len(page) != want || n != total {
				t.Errorf("%s, filter %s, offset %d: %d listed (want %d), counted %d (want %d)", s.d.Name, c.name, off, len(page), want, n, total)
			}
		}
	}
}

// TestPublishedIndexes: the published rows' indexes (migration 0031, 0032
// on PostgreSQL) hold the states the listings ask for, written as they
// write them, on each engine: a planner uses a partial index only for a
// query whose conditions imply the index's (SQLite's, only when they
// include it word for word), and a state added to incident.PublishedStates
// and not to the indexes would leave the public's listings without them.
func TestPublishedIndexes(t *testing.T) {
	want := "merged_into = 0 AND state IN " + publishedList()
	for _, engine := range []string{"sqlite", "postgres"} {
		entries, err := migrations.ReadDir("migrations/" + engine)
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, e := range entries {
			b, err := migrations.ReadFile("migrations/" + engine + "/" + e.Name())
			if err != nil {
				t.Fatal(err)
			}
			for _, stmt := range strings.Split(string(b), ";") {
				if !strings.Contains(stmt, "_published ON ") {
					continue
				}
				found++
				if !strings.HasSuffix(strings.TrimSpace(stmt), "WHERE "+want) {
					t.Errorf("%s/%s: %s\ndoes not end in WHERE %s", engine, e.Name(), strings.TrimSpace(stmt), want)
				}
			}
		}
		if found != 3 {
			t.Errorf("%s: %d published rows' indexes, want 3", engine, found)
		}
	}
}

// TestInOrderTermsOnTheIndex: a page SQLite reads in order from
// incidents_start (Store.inOrder) tests the terms it keeps off the other
// indexes (+i.column) on that index's entries, and reads the row of only
// the incidents that pass, when the index holds their columns (migrations
// 0031 and 0034): a column it lacks makes a page of a governorate read
// thousands of rows (a party's liaison's: 120-150 ms at a million).
func TestInOrderTermsOnTheIndex(t *testing.T) {
	keptOff := regexp.MustCompile(`\+i\.(\w+)`)
	s := openSQLite(t)
	ctx := context.Background()
	rows, err := s.r.QueryContext(ctx, `SELECT name FROM pragma_index_info('incidents_start')`)
	if err != nil {
		t.Fatal(err)
	}
	held := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		held[c] = true
	}
	rows.Close()
	for _, f := range []store.Filter{
		{Admin: "SY07", Limit: 50},
		{Admin: "SY07", Limit: 50, Visible: &store.Visibility{}},
		{Admin: "SY07", Limit: 50, Visible: &store.Visibility{Party: "GOV"}},
		{Limit: 50, Visible: &store.Visibility{}},
	} {
		q := s.incidentsQueryAs(f, bounds{}, true).list
		terms := keptOff.FindAllStringSubmatch(q, -1)
		if len(terms) == 0 {
			t.Errorf("filter %+v: no term kept off the indexes in %s", f, q)
		}
		for _, m := range terms {
			if !held[m[1]] {
				t.Errorf("filter %+v: incidents_start does not hold %s, which the page tests: %s", f, m[1], q)
			}
		}
	}
}
