package app_test

import (
	"compress/gzip"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/bundled"
	"github.com/truce-monitor/truce/internal/humanitarian"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/store/sqldb"
	"github.com/truce-monitor/truce/internal/workflow"
)

// uncovered lists the columns an edit to which verification does not
// catch, each with why it cannot change what anyone is shown as the
// record. docs/ledger.md lists the same (TestTamper checks both ways).
var uncovered = map[string]string{
	"schema_migrations.*":          "bookkeeping of the schema's own version",
	"users.*":                      "accounts decide who may log in, not what the record says; whoever can write the database can read it all anyway",
	"sessions.*":                   "browser sessions: access, not record",
	"feeds.*":                      "the feed poller's bookkeeping (validators, last poll, items seen), not a record; the reports its items make are logged",
	"delivery_subscriptions.*":     "who is sent which messages, and how: access, not record (docs/delivery.md)",
	"delivery_outbox.*":            "copies of messages on their way to subscribers, made from records (notifications) or alerts: delivery's bookkeeping, not a record",
	"delivery_attempts.*":          "the delivery log: what each attempt to send a message did, bookkeeping of the node's deliveries, not a record",
	"delivery_notified.*":          "which party notifications were handed to the outbox: the inbox itself (notifications) is what the record holds",
	"reports.owner":                "decides who may revise a report; every revision is itself logged with the digest it replaces",
	"readings.*":                   "how this node's imports read records (a fingerprint of its build and reference files): decides only whether a daily sync reads a record again, not what is stored; import -reread reads every record anyway",
	"reports.reading_id":           "which of readings a report was read with: decides only whether a daily sync reads it again, not what is stored",
	"reports.imported_at":          "when this node stored the row: the node's bookkeeping",
	"report_revisions.replaced_at": "when this node stored the revision: the node's bookkeeping",
	"incidents.updated_at":         "when this node last wrote the row: the node's bookkeeping",
	"rulings.ruled_at":             "when this node last ruled: the node's bookkeeping",
	"rulings.inputs":               "what the ruling was made from: decides only whether truce rule rules the incident again; verify -deep rules every incident again whatever it says",
	"agreement_sources.file":       "the file's name, used in messages only",
	"agreement_sources.loaded_at":  "when this node stored the file: the node's bookkeeping",
	"agreement_versions.stored_at": "when this node stored the version: the node's bookkeeping",
	"reference_files.file":         "the file's name as loaded, used in messages and listings only; the record is named by its kind, name and id, which its log key holds",
	"reference_files.loaded_at":    "when this node stored the file: the node's bookkeeping",
	"evidence.added_at":            "when this node stored the file; the logged chain of custody holds the receipt's time",
	"evidence_custody.action":      "a copy of the logged document's field, read by nothing",
	"evidence_custody.by_user":     "a copy of the logged document's field, read by nothing",
	"evidence_custody.at":          "a copy of the logged document's field, read by nothing",
	"log_entries.logged_at":        "when this node appended the entry; the log's order is its index",
	"log_checkpoints.signed_at":    "when this node signed; the signed note is what is checked",
	"log_checkpoints.size":         "keys the row; checkpoints are ordered by the size their signed note states",
	"notifications.id":             "the inbox's row number",
	"notifications.message":        "the words of a party's inbox, made from the ruling when first a violation; the ruling and the notice's existence are checked",
	"notifications.created_at":     "when the party was told: the node's bookkeeping",

	// Humanitarian records (docs/humanitarian.md).
	"humanitarian_records.stored_at": "when this node stored the revision: the node's bookkeeping",
}

// TestTamper edits, one at a time, every column of every table the
// application reads, and checks that truce verify -deep names the edit,
// or that the column is listed (here and in docs/ledger.md) with why it
// cannot change the record anyone is shown.
func TestTamper(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, known, db := tamperFixture(t, filepath.Join(dir, "tamper.db"))
	// check verifies the store, and then everything derived from it
	// unless first names a problem already (an edit is caught by one).
	check := func(first bool) []string {
		res, err := a.Verify(ctx, known)
		if err != nil {
			return []string{"verify failed: " + err.Error()}
		}
		if first && len(res.Problems) > 0 {
			return []string{res.Problems[0].String()}
		}
		d, err := a.VerifyDerived(ctx)
		if err != nil {
			return []string{"deep verify failed: " + err.Error()}
		}
		var out []string
		for _, p := range append(res.Problems, d.Problems...) {
			out = append(out, p.String())
		}
		return out
	}
	if p := check(false); len(p) > 0 {
		t.Fatalf("the untouched store does not verify: %v", p[:min(len(p), 5)])
	}
	cols := columns(t, db)
	before := contents(t, db, cols)
	var missed []string
	for _, c := range cols {
		name := c.table + "." + c.column
		if _, ok := uncovered[name]; ok {
			continue
		}
		if _, ok := uncovered[c.table+".*"]; ok {
			continue
		}
		t.Run(name, func(t *testing.T) {
			restore, err := tamper(ctx, db, c)
			if err != nil && strings.Contains(err.Error(), "constraint failed") {
				t.Skipf("the schema refuses the edit: %v", err)
			}
			if err != nil {
				t.Fatalf("edit %s: %v", name, err)
			}
			if restore == nil {
				t.Skipf("%s: no row to edit", name)
			}
			problems := check(true)
			if err := restore(); err != nil {
				t.Fatalf("restore %s: %v", name, err)
			}
			if len(problems) == 0 {
				missed = append(missed, name)
				t.Errorf("an edit of %s passes verification", name)
				return
			}
			t.Logf("%s: %s", name, problems[0])
			// Restored byte for byte, the store verifies as before; only
			// when a trigger left a trace is it verified again (a check
			// takes some 35 ms, and was made twice for each column).
			if changed := changedTables(before, contents(t, db, cols)); len(changed) > 0 {
				if p := check(false); len(p) > 0 {
					t.Fatalf("after restoring %s (%s changed): %v", name, strings.Join(changed, ", "), p[0])
				}
				before = contents(t, db, cols)
			}
		})
	}
	// The list and the documentation say the same.
	doc, err := os.ReadFile("../../docs/ledger.md")
	if err != nil {
		t.Fatal(err)
	}
	for name := range uncovered {
		if !strings.Contains(string(doc), "`"+name+"`") {
			t.Errorf("docs/ledger.md does not list %s as not covered", name)
		}
	}
	var names []string
	for _, c := range cols {
		names = append(names, c.table+"."+c.column)
	}
	for name := range uncovered {
		if !strings.HasSuffix(name, ".*") && !slices.Contains(names, name) {
			t.Errorf("uncovered lists %s, which is not a column", name)
		}
	}
}

type column struct{ table, column string }

// columns lists every column of the schema.
func columns(t *testing.T, db *sql.DB) []column {
	t.Helper()
	var out []column
	for _, table := range append(sqldb.Tables(), sqldb.Derived()...) {
		rows, err := db.Query(`SELECT name FROM pragma_table_info(?)`, table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				t.Fatal(err)
			}
			out = append(out, column{table, c})
		}
		rows.Close()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].table+out[i].column < out[j].table+out[j].column })
	return out
}

// contents is each table's rows, in rowid order, as one string: what
// an edit and its undoing must leave as it found.
func contents(t *testing.T, db *sql.DB, cols []column) map[string]string {
	t.Helper()
	by := map[string][]string{}
	for _, c := range cols {
		by[c.table] = append(by[c.table], fmt.Sprintf("quote(%q)", c.column))
	}
	out := map[string]string{}
	for table, exprs := range by {
		var rows string
		q := fmt.Sprintf(`SELECT coalesce(group_concat(%s, char(10)), '') FROM (SELECT * FROM %q ORDER BY rowid)`, strings.Join(exprs, " || ',' || "), table)
		if err := db.QueryRow(q).Scan(&rows); err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		out[table] = rows
	}
	return out
}

// changedTables names the tables whose contents differ.
func changedTables(a, b map[string]string) []string {
	var out []string
	for table, rows := range a {
		if b[table] != rows {
			out = append(out, table)
		}
	}
	sort.Strings(out)
	return out
}

// tamper changes the column in one row (the most telling one: a report
// placed and moved, an incident with a history) and returns how to undo
// the change; nil when the table is empty.
func tamper(ctx context.Context, db *sql.DB, c column) (func() error, error) {
	where := map[string]string{
		"reports":         "pinned = 1",
		"incidents":       "grade <> ''",
		"rulings":         "verdict = 'violation'",
		"ruling_parties":  "1 = 1",
		"incident_events": "action = 'merge'",
	}[c.table]
	if where == "" || c.table == "incidents" && c.column == "merged_into" {
		where = "1 = 1"
	}
	var rowid int64
	var old any
	err := db.QueryRowContext(ctx, fmt.Sprintf(`SELECT rowid, %q FROM %q WHERE %s ORDER BY rowid DESC LIMIT 1`, c.column, c.table, where)).Scan(&rowid, &old)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	// An integer primary key is the rowid: follow the row it moves.
	edit := fmt.Sprintf(`UPDATE %q SET %q = ? WHERE rowid = ? RETURNING rowid`, c.table, c.column)
	if err := db.QueryRowContext(ctx, edit, mutate(old), rowid).Scan(&rowid); err != nil {
		return nil, err
	}
	return func() error {
		return db.QueryRowContext(ctx, edit, old, rowid).Scan(&rowid)
	}, nil
}

// mutate changes a value's meaning: a number by one (a flag flips), a
// JSON document in its first text field, text and bytes by a character.
func mutate(v any) any {
	switch x := v.(type) {
	case int64:
		switch x {
		case 0:
			return int64(1)
		case 1:
			return int64(0) // a flag flips; an id moves where none is
		}
		return x + 1000003
	case float64:
		return x + 1
	case []byte:
		if len(x) == 0 {
			return []byte{'x'}
		}
		if s, ok := mutateJSON(string(x)); ok {
			return []byte(s)
		}
		y := slices.Clone(x)
		y[len(y)-1] ^= 1
		return y
	case string:
		if s, ok := mutateJSON(x); ok {
			return s
		}
		return x + "x"
	case nil:
		return "x"
	}
	return fmt.Sprint(v) + "x"
}

// mutateJSON changes the first text value (keys in order) of a JSON
// object, so that the document still parses but says something else.
func mutateJSON(s string) (string, bool) {
	if !strings.HasPrefix(s, "{") {
		return "", false
	}
	var m map[string]any
	if json.Unmarshal([]byte(s), &m) != nil {
		return "", false
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if v, ok := m[k].(string); ok && v != "" {
			m[k] = v + "x"
			b, _ := json.Marshal(m)
			return string(b), true
		}
	}
	for _, k := range keys {
		if v, ok := m[k].(float64); ok {
			m[k] = v + 1
			b, _ := json.Marshal(m)
			return string(b), true
		}
	}
	return "", false
}

// tamperFixture makes a store that holds every kind of record: an
// agreement, a week of UCDP events, users, a reviewed and verified
// incident with a comment, an assignment, a liaison's reply with evidence,
// a finding with a position, a merge and a split, and a signed checkpoint.
func tamperFixture(t *testing.T, file string) (*app.App, note.Verifiers, *sql.DB) {
	t.Helper()
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: file})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	f, err := bundled.FS.Open(bundled.DemoEvents)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	week := app.ImportOptions{From: time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2017, 1, 8, 0, 0, 0, 0, time.UTC)}
	if _, err := a.Import(ctx, "ucdp", gz, "ged.csv", week); err != nil {
		t.Fatal(err)
	}
	users := map[string]workflow.User{}
	for _, u := range []workflow.User{
		{Name: "rev", Role: workflow.Reviewer}, {Name: "mon", Role: workflow.Monitor},
		{Name: "gov", Role: workflow.Liaison, Party: "GOV"}, {Name: "opp", Role: workflow.Liaison, Party: "OPP"},
		{Name: "ru", Role: workflow.GuarantorMember, Guarantor: "RU"}, {Name: "tr", Role: workflow.GuarantorMember, Guarantor: "TR"},
		{Name: "ir", Role: workflow.GuarantorMember, Guarantor: "IR"},
	} {
		if _, err := a.AddUser(ctx, u, ""); err != nil {
			t.Fatal(err)
		}
		users[u.Name] = u
	}
	list, _, err := a.Incidents(ctx, app.Operator(), store.Filter{Agreement: "syria-coh-2016", Verdict: ruling.Violation})
	if err != nil || len(list) == 0 {
		t.Fatalf("no violation among the fixture's events (%v)", err)
	}
	v := list[0]
	party := "GOV"
	if v.Ruling != nil && len(v.Ruling.Parties) > 0 {
		party = v.Ruling.Parties[0]
	}
	accused := map[string]string{"GOV": "gov", "OPP": "opp"}[party]
	if accused == "" {
		t.Fatalf("violation by %q: no liaison for it", party)
	}
	sha, _, err := a.AddEvidence(ctx, []byte("%PDF-1.4\nstatement of the accused\n%%EOF\n"), accused, "api", "statement.pdf")
	if err != nil {
		t.Fatal(err)
	}
	act := func(user string, id int64, e workflow.Event) workflow.Event {
		t.Helper()
		ev, err := a.Act(ctx, users[user], id, e)
		if err != nil {
			t.Fatalf("%s %s on %d: %v", user, e.Action, id, err)
		}
		return ev
	}
	act("rev", v.ID, workflow.Event{Action: workflow.Assign, Assignee: "mon"})
	act("rev", v.ID, workflow.Event{Action: workflow.Review})
	act("rev", v.ID, workflow.Event{Action: workflow.Comment, Reason: "two sources"})
	act("rev", v.ID, workflow.Event{Action: workflow.Verify, Reason: "the monitors' reports agree"})
	act(accused, v.ID, workflow.Event{Action: workflow.Reply, Stance: workflow.Explain, Reason: "return fire", Evidence: []string{sha}})
	finding := act("ru", v.ID, workflow.Event{Action: workflow.Propose, Finding: &workflow.Finding{Agreement: "syria-coh-2016", Conclusion: workflow.IsViolation, Clauses: v.Ruling.Clauses, Parties: []string{party}, Text: "established"}})
	act("tr", v.ID, workflow.Event{Action: workflow.Position, Of: finding.Seq, Position: workflow.AgreePosition})
	// A humanitarian record, revised once (internal/humanitarian).
	rev := users["rev"]
	for _, status := range []string{humanitarian.CaseHeld, humanitarian.CaseReleased} {
		if _, err := a.PutCase(ctx, &rev, humanitarian.Case{ID: "c-1", Kind: humanitarian.CaseDetainee, Status: status,
			Identity: &humanitarian.Identity{Name: "Sealed Name"}}); err != nil {
			t.Fatal(err)
		}
	}
	// A merge of two other incidents, then a split of one report.
	all, _, err := a.Incidents(ctx, app.Operator(), store.Filter{})
	if err != nil || len(all) < 4 {
		t.Fatalf("too few incidents: %d (%v)", len(all), err)
	}
	x, y := all[1].ID, all[2].ID
	if x == v.ID || y == v.ID {
		x, y = all[3].ID, all[4%len(all)].ID
	}
	act("rev", x, workflow.Event{Action: workflow.Merge, Other: y, Reason: "same shelling"})
	merged, err := a.Incident(ctx, app.Operator(), x)
	if err != nil {
		t.Fatal(err)
	}
	if len(merged.Reports) > 1 {
		act("rev", x, workflow.Event{Action: workflow.Split, Reports: []int64{merged.Reports[len(merged.Reports)-1].ID}, Reason: "another day"})
	}
	// A monitor's report, revised: a report with a replaced revision.
	mon := users["mon"]
	report := `{"source":"field","source_id":"t-1","occurred":{"start":"2017-01-03T00:00:00+02:00","end":"2017-01-04T00:00:00+02:00"},
		"place":{"name":"Duma","lat":33.5717,"lon":36.4027,"has_point":true,"precision":"exact"},"act":"shelling","description":"DESC"}`
	for _, d := range []string{"first account", "second account"} {
		if _, _, err := a.SubmitAs(ctx, []byte(strings.Replace(report, "DESC", d, 1)), &mon); err != nil {
			t.Fatal(err)
		}
	}
	// An operator's actors file: a reference file in the store and log.
	extra := "actors:\n  - id: tamper-test-brigade\n    name: Tamper Test Brigade\n    kind: armed_group\n"
	if _, _, err := a.LoadActorsFile(ctx, "extra.yaml", []byte(extra)); err != nil {
		t.Fatal(err)
	}
	skey, vkey, err := note.GenerateKey(rand.Reader, "tamper.test/log")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Checkpoint(ctx, signer); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return a, note.VerifierList(verifier), raw
}

// TestRecombine: an incident whose stored facts are not what its reports
// give (as after an upgrade that changes how reports combine) is named by
// the deep check, and Recombine makes it again.
func TestRecombine(t *testing.T) {
	ctx := context.Background()
	a, _, db := tamperFixture(t, filepath.Join(t.TempDir(), "recombine.db"))
	if _, err := sqldb.EditDoc(ctx, db, "incidents", "id = (SELECT min(id) FROM incidents WHERE merged_into = 0)", nil, func(doc string) string {
		return strings.Replace(doc, `"act":"`, `"act":"x`, 1)
	}); err != nil {
		t.Fatal(err)
	}
	if d, err := a.VerifyDerived(ctx); err != nil || len(d.Problems) == 0 {
		t.Fatalf("stale facts not found: %v %v", d, err)
	}
	if n, err := a.Recombine(ctx, time.Time{}, time.Time{}); err != nil || n == 0 {
		t.Fatalf("recombine: %d %v", n, err)
	}
	if d, err := a.VerifyDerived(ctx); err != nil || len(d.Problems) > 0 {
		t.Errorf("after recombining: %v %v", d.Problems, err)
	}
}

// TestDeepMisplacedReport: a report whose row is moved to another
// incident is one problem, named once; the deep check, which reads the
// reports a range of incidents at a time, still combines each incident
// from the reports the log places in it (in an incident before or after
// the row's), so neither incident's facts are reported as well.
func TestDeepMisplacedReport(t *testing.T) {
	ctx := context.Background()
	for _, to := range []string{"min", "max"} {
		t.Run("to the "+to+" incident", func(t *testing.T) {
			a, _, db := tamperFixture(t, filepath.Join(t.TempDir(), "m.db"))
			// A report of an unmerged incident, moved to the first or
			// last other unmerged incident.
			var id, from, dest int64
			err := db.QueryRow(`SELECT r.id, r.incident_id FROM reports r JOIN incidents i ON i.id = r.incident_id
				WHERE i.merged_into = 0 ORDER BY r.id LIMIT 1`).Scan(&id, &from)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.QueryRow(`SELECT `+to+`(id) FROM incidents WHERE merged_into = 0 AND id <> ?`, from).Scan(&dest); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(`UPDATE reports SET incident_id = ? WHERE id = ?`, dest, id); err != nil {
				t.Fatal(err)
			}
			d, err := a.VerifyDerived(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("reports.incident_id is %d but the log places the report in incident %d", dest, from)
			if len(d.Problems) != 1 || !strings.Contains(d.Problems[0].String(), want) {
				t.Errorf("problems %v, want one: %s", d.Problems, want)
			}
		})
	}
}
