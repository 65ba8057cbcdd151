package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store/sqldb"
)

var update = flag.Bool("update", false, "rewrite golden files")

func truce(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, &out, slog.New(slog.DiscardHandler))
	return out.String(), err
}

func mustTruce(t *testing.T, args ...string) string {
	t.Helper()
	out, err := truce(t, args...)
	if err != nil {
		t.Fatalf("truce %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// The ruling table for the demo period, from the command line as a user
// runs it, against a golden file.
func TestRuleTable(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	out := mustTruce(t, "agreement", "load", "-db", db, "../../internal/bundled/data/agreements/syria-coh-2016.yaml")
	if !strings.Contains(out, "new versions: [1 2 3 4 5 6]") {
		t.Errorf("load: %s", out)
	}
	// Loading again adds nothing.
	if out := mustTruce(t, "agreement", "load", "-db", db, "../../internal/bundled/data/agreements/syria-coh-2016.yaml"); !strings.Contains(out, "new versions: []") {
		t.Errorf("reload: %s", out)
	}
	gz := "../../internal/bundled/data/ucdp/ged-syria-2016-12-30_2017-02-28.csv.gz"
	csv := filepath.Join(t.TempDir(), "ged.csv")
	gunzip(t, gz, csv)
	out = mustTruce(t, "import", "ucdp", "-db", db, csv)
	if !strings.Contains(out, "1062 rows: 1062 created") {
		t.Errorf("import: %s", out)
	}
	if out := mustTruce(t, "import", "ucdp", "-db", db, csv); !strings.Contains(out, "0 created, 0 updated, 1062 unchanged") {
		t.Errorf("re-import: %s", out)
	}
	table := mustTruce(t, "rule", "-db", db, "-from", "2016-12-30", "-to", "2017-02-28")
	golden(t, "testdata/rule-2016-12-30_2017-02-28.golden", table)
	// Counted from the stored rulings (each made from the incident's facts
	// with the key of now) or every incident ruled again: the same table.
	if again := mustTruce(t, "rule", "-db", db, "-from", "2016-12-30", "-to", "2017-02-28", "-again"); again != table {
		t.Errorf("rule -again gives another table:\n%s", again)
	}

	one := mustTruce(t, "rule", "-db", db, "-from", "2017-01-10", "-to", "2017-01-10", "-incidents")
	for _, want := range []string{"Incidents", "violation", "Guarantor(s) answering", "undetermined: initiator"} {
		if !strings.Contains(one, want) {
			t.Errorf("per-incident output lacks %q", want)
		}
	}
	// Filters: the table of the incidents they select, and a clear
	// error for a filter that names nothing.
	incidentsOf := func(table string) string {
		m := regexp.MustCompile(`: (\d+) incidents`).FindStringSubmatch(table)
		if m == nil {
			t.Fatalf("no incident count in:\n%s", table)
		}
		return m[1]
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-party", "GOV"}, "541"}, // 534 undetermined + 7 violations naming GOV (6 read from headlines)
		{[]string{"-admin", "SY01"}, ""},   // checked below against the unfiltered table
		{[]string{"-actor", "ISIS"}, ""},
		{[]string{"-party", "GOV", "-actor", "Government of Syria"}, ""},
	} {
		args := append([]string{"rule", "-from", "2016-12-30", "-to", "2017-02-28"}, tt.args...)
		got := incidentsOf(mustTruce(t, append(args, "-db", db)...))
		if tt.want != "" && got != tt.want {
			t.Errorf("rule %v: %s incidents, want %s", tt.args, got, tt.want)
		}
		if n, _ := strconv.Atoi(got); n == 0 || n >= 1062 {
			t.Errorf("rule %v: %s incidents: the filter selects all or nothing", tt.args, got)
		}
	}
	for _, bad := range [][]string{{"-zone", "DZ9"}, {"-admin", "SY99"}, {"-actor", "Nobody Brigade"}} {
		if _, err := truce(t, append([]string{"rule", "-db", db}, bad...)...); err == nil {
			t.Errorf("rule %v: no error", bad)
		}
	}
	diff := mustTruce(t, "agreement", "diff", "-db", db, "syria-coh-2016", "1", "2")
	if !strings.Contains(diff, "+ guarantor IR: Islamic Republic of Iran answers for GOV") {
		t.Errorf("diff 1 2:\n%s", diff)
	}
}

func TestAgreementValidateReportsProblems(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	out, err := truce(t, "agreement", "validate", "-db", db, "../../internal/agreement/testdata/errors.yaml")
	if err == nil {
		t.Fatal("validate of a bad file succeeded")
	}
	if !strings.Contains(out, "errors.yaml:4: colour: unknown field") {
		t.Errorf("output:\n%s", out)
	}
}

func TestActorsResolve(t *testing.T) {
	out := mustTruce(t, "actors", "resolve", "regime forces", "داعش", "Some Brigade")
	for _, want := range []string{"regime forces\tgovernment-of-syria", "داعش\tislamic-state", "Some Brigade\t-\tunresolved"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"frobnicate"}, {"import"}, {"import", "acled"}, {"rule", "-db", filepath.Join(t.TempDir(), "y.db"), "-from", "yesterday"}, {"import", "ucdp", "-db", filepath.Join(t.TempDir(), "x.db")}} {
		if _, err := truce(t, args...); err == nil {
			t.Errorf("truce %v: no error", args)
		}
	}
}

func gunzip(t *testing.T, src, dst string) {
	t.Helper()
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/truce -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test ./cmd/truce -update rewrites it):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestImportExport: each format imported from the command line and
// exported again; an ACLED file comes back as it went in, and a changed
// row updates its record on re-import.
func TestImportExport(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.db")
	acledFile := "../../internal/importer/acled/testdata/events.csv"
	// Without an agreement, nothing says in which zone a date is a day:
	// refused (issue 13 item 9: such dates were read as UTC days, and
	// never corrected), unless the zone is given.
	if _, err := truce(t, "import", "acled", "-db", db, acledFile); err == nil || !strings.Contains(err.Error(), "no agreement is stored") || !strings.Contains(err.Error(), "-tz") {
		t.Errorf("import before any agreement: %v", err)
	}
	out := mustTruce(t, "import", "acled", "-tz", "UTC", "-db", db, acledFile)
	if !strings.Contains(out, "6 rows: 6 created") {
		t.Errorf("import acled: %s", out)
	}
	exported := filepath.Join(dir, "out.csv")
	mustTruce(t, "export", "acled", "-db", db, "-o", exported)
	want, _ := os.ReadFile(acledFile)
	got, _ := os.ReadFile(exported)
	if !bytes.Equal(got, want) {
		t.Errorf("acled export differs from the import:\n%s", got)
	}

	// A corrected row is an update; the others are unchanged.
	changed := strings.Replace(string(want), "killing 4 civilians.\",4,", "killing 5 civilians.\",5,", 1)
	if changed == string(want) {
		t.Fatal("fixture changed: cannot find the row to correct")
	}
	fixed := filepath.Join(dir, "fixed.csv")
	os.WriteFile(fixed, []byte(changed), 0o644)
	if out := mustTruce(t, "import", "acled", "-tz", "UTC", "-db", db, fixed); !strings.Contains(out, "0 created, 1 updated, 5 unchanged") {
		t.Errorf("re-import with a correction: %s", out)
	}

	out = mustTruce(t, "import", "geojson", "-tz", "UTC", "-db", db, "../../internal/importer/geojson/testdata/events.geojson")
	if !strings.Contains(out, "4 rows: 4 created") {
		t.Errorf("import geojson: %s", out)
	}
	out = mustTruce(t, "import", "csv", "-tz", "UTC", "-db", db, "-mapping", "../../internal/importer/mapped/testdata/monitor.yaml",
		"-errors", filepath.Join(dir, "errors.jsonl"), "../../internal/importer/mapped/testdata/monitor.csv")
	if !strings.Contains(out, "7 rows: 3 created") || !strings.Contains(out, "4 rejected") {
		t.Errorf("import csv: %s", out)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "errors.jsonl")); err != nil || bytes.Count(b, []byte("\n")) != 4 {
		t.Errorf("errors file: %v\n%s", err, b)
	}

	// Everything out as JSON lines, and into a fresh store: nothing lost.
	lines := filepath.Join(dir, "all.jsonl")
	mustTruce(t, "export", "jsonl", "-db", db, "-o", lines)
	db2 := filepath.Join(dir, "t2.db")
	if out := mustTruce(t, "import", "jsonl", "-db", db2, lines); !strings.Contains(out, "13 rows: 13 created, 0 updated, 0 unchanged, 0 skipped, 0 rejected") {
		t.Errorf("jsonl into a new store: %s", out)
	}
	again := filepath.Join(dir, "again.jsonl")
	mustTruce(t, "export", "jsonl", "-db", db2, "-o", again)
	a, _ := os.ReadFile(lines)
	b, _ := os.ReadFile(again)
	if !bytes.Equal(a, b) {
		t.Errorf("jsonl export of the copy differs from the original's")
	}

	geo := mustTruce(t, "export", "geojson", "-db", db, "-what", "incidents")
	// 13 reports, of 11 incidents: a field team's and a network's
	// report of ACLED's shelling of 2017-01-02 joined it.
	if !strings.HasPrefix(geo, `{"type":"FeatureCollection"`) || strings.Count(geo, `"type":"Feature",`) != 11 {
		t.Errorf("geojson incidents: %.300s", geo)
	}
	if _, err := truce(t, "import", "csv", "-db", db, acledFile); err == nil {
		t.Error("csv without -mapping must be refused")
	}
}

func TestPlaces(t *testing.T) {
	out := mustTruce(t, "places", "Douma", "Ghouta", "Nowhereville")
	for _, want := range []string{"Douma\tDuma (populated_place in SY030200)", "Ghouta\tambiguous:", "Eastern Ghouta", "Western Ghouta", "Nowhereville\t-\t"} {
		if !strings.Contains(out, want) {
			t.Errorf("places: lacks %q:\n%s", want, out)
		}
	}
	if out := mustTruce(t, "places", "-at", "33.57,36.40"); !strings.Contains(out, "SY030200\tDuma") {
		t.Errorf("places -at: %s", out)
	}
}

// TestLogCommands: a key, a checkpoint, a clean verify, then a record
// edited behind truce's back is named by verify.
func TestLogCommands(t *testing.T) {
	dir := t.TempDir()
	db, key := filepath.Join(dir, "t.db"), filepath.Join(dir, "node.key")
	if out := mustTruce(t, "key", "generate", "-name", "truce.test/log", "-o", key); !strings.Contains(out, "public key (publish it): truce.test/log+") {
		t.Errorf("key: %s", out)
	}
	if _, err := truce(t, "key", "generate", "-name", "truce.test/log", "-o", key); err == nil {
		t.Error("an existing key must never be overwritten")
	}
	mustTruce(t, "agreement", "load", "-db", db, "../../internal/bundled/data/agreements/syria-coh-2016.yaml")
	mustTruce(t, "import", "acled", "-db", db, "../../internal/importer/acled/testdata/events.csv")
	if out := mustTruce(t, "checkpoint", "-db", db, "-key", key); !strings.HasPrefix(out, "truce.test/log\n13\n") {
		t.Errorf("checkpoint: %s", out)
	}
	if out := mustTruce(t, "verify", "-db", db, "-pub", key+".pub"); !strings.Contains(out, "verified:") || !strings.Contains(out, "log: 13 entries") {
		t.Errorf("verify: %s", out)
	}
	// A bundle checks offline with the public key alone; an edited one
	// does not.
	bundle := filepath.Join(dir, "incident-1.json")
	mustTruce(t, "bundle", "-db", db, "-incident", "1", "-o", bundle)
	if out := mustTruce(t, "verify-bundle", "-pub", key+".pub", bundle); !strings.Contains(out, "1 record(s) verified against the checkpoint of truce.test/log at size 13") {
		t.Errorf("verify-bundle: %s", out)
	}
	b, _ := os.ReadFile(bundle)
	forged := filepath.Join(dir, "forged.json")
	os.WriteFile(forged, bytes.Replace(b, []byte(`killing 4 civilians`), []byte(`killing 9 civilians`), 1), 0o644)
	if _, err := truce(t, "verify-bundle", "-pub", key+".pub", forged); err == nil || !strings.Contains(err.Error(), "content differs from log entry 7: altered") {
		t.Errorf("forged bundle: %v", err)
	}
	// Issue 14: the bundle carries the case's history (the review, replies
	// and findings), each step proved like the reports; it held the
	// reports alone.
	mustTruce(t, "user", "add", "rev", "-db", db, "-role", "reviewer")
	mustTruce(t, "incident", "act", "1", "-db", db, "-as", "rev", "-action", "review")
	mustTruce(t, "incident", "act", "1", "-db", db, "-as", "rev", "-action", "verify", "-reason", "two independent sources and a photo")
	mustTruce(t, "checkpoint", "-db", db, "-key", key)
	cased := filepath.Join(dir, "incident-1-case.json")
	mustTruce(t, "bundle", "-db", db, "-incident", "1", "-o", cased)
	out := mustTruce(t, "verify-bundle", "-pub", key+".pub", cased)
	for _, want := range []string{"3 record(s) verified", "1 report(s), 2 step(s) of the case's history", "review     rev (reviewer) → under_review", "verify     rev (reviewer) → verified"} {
		if !strings.Contains(out, want) {
			t.Errorf("verify-bundle of a reviewed case: no %q in\n%s", want, out)
		}
	}
	cb, _ := os.ReadFile(cased)
	os.WriteFile(forged, bytes.Replace(cb, []byte(`two independent sources`), []byte(`one doubtful source`), 1), 0o644)
	if _, err := truce(t, "verify-bundle", "-pub", key+".pub", forged); err == nil || !strings.Contains(err.Error(), "incident_event 1/2 rev 1): content differs") {
		t.Errorf("a bundle with an altered review: %v", err)
	}
	// A bundle with no record proves nothing (issue 12).
	var empty map[string]any
	json.Unmarshal(b, &empty)
	empty["records"] = []any{}
	eb, _ := json.Marshal(empty)
	emptyFile := filepath.Join(dir, "empty.json")
	os.WriteFile(emptyFile, eb, 0o644)
	if _, err := truce(t, "verify-bundle", "-pub", key+".pub", emptyFile); err == nil || !strings.Contains(err.Error(), "no record") {
		t.Errorf("a bundle with no record: %v", err)
	}
	other := filepath.Join(dir, "other.key")
	mustTruce(t, "key", "generate", "-name", "truce.test/log", "-o", other)
	if _, err := truce(t, "verify-bundle", "-pub", other+".pub", bundle); err == nil {
		t.Error("a bundle must not verify against another key")
	}

	sqlEditDoc(t, db, "reports", "source_id = 'SYR90001'", func(doc string) string {
		return strings.Replace(doc, `"best":4`, `"best":40`, 1)
	})
	out, err := truce(t, "verify", "-db", db, "-pub", key+".pub")
	if err == nil || !regexp.MustCompile(`first: log entry 7: report r[0-9a-f]{24}: revision 1 differs`).MatchString(err.Error()) {
		t.Errorf("verify after tampering: %v\n%s", err, out)
	}
}

// TestAgreementTamper: the engine ruled from the stored agreement file,
// which the log did not cover: editing it turned violations into "not a
// violation" and verify stayed green (issue 12 item 2). Now the file is
// logged, an altered one is not ruled with, and verify names it.
func TestAgreementTamper(t *testing.T) {
	dir := t.TempDir()
	db, key := filepath.Join(dir, "t.db"), filepath.Join(dir, "node.key")
	mustTruce(t, "key", "generate", "-name", "truce.test/log", "-o", key)
	mustTruce(t, "agreement", "load", "-db", db, "../../internal/bundled/data/agreements/syria-coh-2016.yaml")
	mustTruce(t, "import", "acled", "-db", db, "../../internal/importer/acled/testdata/events.csv")
	mustTruce(t, "checkpoint", "-db", db, "-key", key)
	before := mustTruce(t, "rule", "-db", db, "-from", "2016-12-30", "-to", "2017-12-31")
	if !strings.Contains(before, "violation") {
		t.Fatalf("no ruling before: %s", before)
	}
	if out := mustTruce(t, "verify", "-db", db, "-pub", key+".pub", "-deep"); !strings.Contains(out, "verified: every incident") {
		t.Fatalf("verify -deep before: %s", out)
	}
	// Whoever can write the database makes Turkey answer for the
	// government too.
	sqlExec(t, db, `UPDATE agreement_sources SET source = CAST(replace(CAST(source AS TEXT), 'answers_for: [OPP]', 'answers_for: [OPP, GOV]') AS BLOB)`)
	out, err := truce(t, "verify", "-db", db, "-pub", key+".pub")
	if err == nil || !strings.Contains(out, "agreement_source syria-coh-2016/") {
		t.Errorf("verify after editing the agreement file: %v\n%s", err, out)
	}
	if out, err := truce(t, "rule", "-db", db, "-from", "2016-12-30", "-to", "2017-12-31"); err == nil {
		t.Errorf("the engine ruled with an altered agreement:\n%s", out)
	}
}

// TestWorkflow: an incident ruled a violation by GOV goes through review
// and verification, GOV's liaison (told of it) replies with evidence, the
// guarantors adopt a finding with a dissent; every step is in the log,
// and an event edited in the database is named by verify.
func TestWorkflow(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	mustTruce(t, "agreement", "load", "-db", db, "../../internal/bundled/data/agreements/syria-coh-2016.yaml")
	mustTruce(t, "import", "acled", "-db", db, "../../internal/importer/acled/testdata/events.csv")
	for _, u := range [][]string{{"rev", "-role", "reviewer"}, {"gov", "-role", "liaison", "-party", "GOV"}, {"gov-staff", "-role", "reviewer", "-party", "GOV"},
		{"ru", "-role", "guarantor", "-guarantor", "RU"}, {"tr", "-role", "guarantor", "-guarantor", "TR"}, {"ir", "-role", "guarantor", "-guarantor", "IR"}} {
		if out := mustTruce(t, append([]string{"user", "add", u[0], "-db", db}, u[1:]...)...); !strings.Contains(out, "truce_") {
			t.Fatalf("user add: %s", out)
		}
	}
	mustTruce(t, "user", "add", "gone", "-db", db, "-role", "monitor")
	// An existing name is replaced only when asked (issue 12).
	if _, err := truce(t, "user", "add", "gone", "-db", db, "-role", "admin"); err == nil || !strings.Contains(err.Error(), "-replace") {
		t.Errorf("user add over an existing user: %v", err)
	}
	mustTruce(t, "user", "add", "gone", "-db", db, "-role", "monitor", "-replace")
	if out := mustTruce(t, "user", "disable", "gone", "-db", db); !strings.Contains(out, "disabled") {
		t.Errorf("disable: %s", out)
	}
	if _, err := truce(t, "incident", "act", "1", "-db", db, "-as", "nobody", "-action", "comment", "-reason", "x"); err == nil {
		t.Error("an unknown user acted")
	}
	if out := mustTruce(t, "notifications", "-db", db, "-party", "GOV"); !strings.Contains(out, "incident 1 ") {
		t.Fatalf("GOV was not told of incident 1: %s", out)
	}
	act := func(as string, args ...string) (string, error) {
		return truce(t, append([]string{"incident", "act", "1", "-db", db, "-as", as}, args...)...)
	}
	mustAct := func(as string, args ...string) {
		t.Helper()
		if out, err := act(as, args...); err != nil {
			t.Fatalf("%s %v: %v %s", as, args, err, out)
		}
	}
	mustAct("rev", "-action", "review")
	if _, err := act("gov-staff", "-action", "dismiss", "-reason", "fabricated"); err == nil || !strings.Contains(err.Error(), "a party cannot rule on an incident it is accused in") {
		t.Errorf("the accused party's staff dismissed: %v", err)
	}
	mustAct("rev", "-action", "verify", "-reason", "two monitors' reports")
	evidence := filepath.Join(dir, "statement.pdf")
	os.WriteFile(evidence, []byte("%PDF-1.4\nStatement of the GOV liaison office."), 0o644)
	notes := filepath.Join(dir, "notes.jpg")
	os.WriteFile(notes, []byte("not a photo"), 0o644)
	if _, err := truce(t, "evidence", "add", "-db", db, "-as", "gov", notes); err == nil || !strings.Contains(err.Error(), "notes.jpg is text/plain") {
		t.Errorf("a text file named .jpg was taken as evidence: %v", err)
	}
	sha := strings.TrimSpace(mustTruce(t, "evidence", "add", "-db", db, "-as", "gov", evidence))
	mustAct("gov", "-action", "reply", "-stance", "deny", "-reason", "no unit of ours was there", "-evidence", sha)
	finding := filepath.Join(dir, "finding.json")
	os.WriteFile(finding, []byte(`{"agreement":"syria-coh-2016","conclusion":"violation","clauses":["C1"],"parties":["GOV"],"text":"Shelling of Duma on 2017-01-02."}`), 0o644)
	mustAct("ru", "-action", "finding", "-finding", finding)
	show := mustTruce(t, "incident", "show", "1", "-db", db, "-json")
	if !strings.Contains(show, `"adopted": false`) || !strings.Contains(show, `"waiting": [`) {
		t.Errorf("a finding without Turkey's position is not adopted: %s", show)
	}
	// Iran joined the guarantors on 2017-01-24, after the incident.
	if _, err := act("ir", "-action", "position", "-of", "4", "-position", "agree"); err == nil || !strings.Contains(err.Error(), "guarantor IR is not a guarantor of the agreement in force") {
		t.Errorf("Iran took a position under version 1: %v", err)
	}
	mustAct("tr", "-action", "position", "-of", "4", "-position", "dissent", "-reason", "the shells' origin is not established")
	show = mustTruce(t, "incident", "show", "1", "-db", db, "-json")
	for _, want := range []string{`"adopted": true`, `"TR": "the shells' origin is not established"`, `"stance": "deny"`, `"state": "verified"`, sha} {
		if !strings.Contains(show, want) {
			t.Errorf("case lacks %s:\n%s", want, show)
		}
	}
	// Issue 14: without -json, a summary a person reads.
	summary := mustTruce(t, "incident", "show", "1", "-db", db)
	for _, want := range []string{"Incident 1: ", "  when:   2017-01-02", "  where:  ", "  grade:  ", "Reports (", "[acled ", "Rulings (", "syria-coh-2016 v1: violation", "parties GOV", "clauses ", "History (", "verify by rev (reviewer) → verified", "reply by gov (liaison) → verified  deny: no unit of ours was there"} {
		if !strings.Contains(summary, want) {
			t.Errorf("incident show summary lacks %q:\n%s", want, summary)
		}
	}
	if testing.Verbose() {
		t.Log(summary)
	}
	if strings.Contains(summary, `"adopted"`) {
		t.Errorf("incident show prints JSON without -json:\n%s", summary)
	}

	// A reviewer merges incident 3 into 2, then splits a report out again.
	if out := mustTruce(t, "incident", "act", "2", "-db", db, "-as", "rev", "-action", "merge", "-other", "3", "-reason", "same shelling"); !strings.Contains(out, "merge") {
		t.Errorf("merge: %s", out)
	}
	merged := mustTruce(t, "incident", "show", "2", "-db", db, "-json")
	if strings.Count(merged, `"source_id": "SYR`) != 2 || !strings.Contains(merged, `"placed by rev"`) {
		t.Errorf("after merge, incident 2: %s", merged)
	}
	if gone := mustTruce(t, "incident", "show", "3", "-db", db, "-json"); !strings.Contains(gone, `"merged_into": 2`) {
		t.Errorf("incident 3 after merge: %s", gone)
	}
	if geo := mustTruce(t, "export", "geojson", "-db", db, "-what", "incidents"); strings.Count(geo, `"type":"Feature",`) != 5 {
		t.Errorf("a merged incident is still listed: %d features", strings.Count(geo, `"type":"Feature",`))
	}
	var d struct {
		Reports []struct {
			ID int64 `json:"id"`
		} `json:"reports"`
	}
	json.Unmarshal([]byte(merged), &d)
	out := mustTruce(t, "incident", "act", "2", "-db", db, "-as", "rev", "-action", "split", "-reports", strconv.FormatInt(d.Reports[1].ID, 10), "-reason", "a different day")
	if !strings.Contains(out, "now form incident 7") {
		t.Errorf("split: %s", out)
	}
	if _, err := truce(t, "incident", "act", "1", "-db", db, "-as", "rev", "-action", "merge", "-other", "2", "-reason", "x"); err == nil {
		t.Error("a verified incident was merged into")
	}

	key := filepath.Join(dir, "k.key")
	mustTruce(t, "key", "generate", "-name", "workflow.test/log", "-o", key)
	mustTruce(t, "checkpoint", "-db", db, "-key", key)
	mustTruce(t, "verify", "-db", db, "-pub", key+".pub")
	sqlExec(t, db, `UPDATE incident_events SET doc = replace(doc, 'no unit of ours', 'our unit') WHERE seq = 3`)
	if out, err := truce(t, "verify", "-db", db, "-pub", key+".pub"); err == nil || !strings.Contains(out, "incident_event 1/3") {
		t.Errorf("an edited reply was not named: %v\n%s", err, out)
	}
}

// sqlExec changes the database behind truce's back.
// sqlEditDoc rewrites the documents of table's rows where cond holds,
// behind truce's back.
func sqlEditDoc(t *testing.T, db, table, cond string, edit func(string) string) {
	t.Helper()
	st, err := app.OpenStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := sqldb.EditDoc(context.Background(), st.(interface{ DB() *sql.DB }).DB(), table, cond, nil, edit); err != nil {
		t.Fatal(err)
	}
}

func sqlExec(t *testing.T, db, q string) {
	t.Helper()
	st, err := app.OpenStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.(interface{ DB() *sql.DB }).DB().Exec(q); err != nil {
		t.Fatal(err)
	}
}

// TestClusterEvaluate: UCDP events read one report per source article are
// clustered back, and both the batch run and intake are scored against
// the events.
func TestClusterEvaluate(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	out := mustTruce(t, "import", "ucdp", "-per-source", "-tz", "UTC", "-db", db, "-errors", filepath.Join(t.TempDir(), "e.jsonl"), "../../internal/importer/ucdp/testdata/mixed.csv")
	if !strings.Contains(out, "joined an incident already reported") {
		t.Fatalf("import: %s", out)
	}
	out = mustTruce(t, "cluster", "-evaluate", "-db", db)
	if !strings.Contains(out, "against the events named in the reports' ids") || !strings.Contains(out, "as stored (joined at intake)") {
		t.Errorf("cluster -evaluate: %s", out)
	}
	if _, err := truce(t, "cluster", "-db", db, "-min-score", "2"); err == nil {
		t.Error("a threshold out of range was accepted")
	}
}

// TestFlagsAnywhere: flags after the other arguments are flags ("truce
// actors resolve -db X NAME" used to resolve "-db" as a name and create
// truce.db), and "--" ends them.
func TestFlagsAnywhere(t *testing.T) {
	for _, tt := range []struct {
		args       []string
		db         string
		positional []string
	}{
		{[]string{"-db", "x.db", "a", "b"}, "x.db", []string{"a", "b"}},
		{[]string{"a", "-db", "x.db", "b"}, "x.db", []string{"a", "b"}},
		{[]string{"a", "b", "-db=x.db"}, "x.db", []string{"a", "b"}},
		{[]string{"a", "--", "-db", "x.db"}, "truce.db", []string{"a", "-db", "x.db"}},
		{[]string{"-", "-db", "x.db"}, "x.db", []string{"-"}},
		{nil, "truce.db", nil},
	} {
		t.Setenv("TRUCE_DB", "")
		fs, db := flags("test")
		if err := parse(fs, tt.args); err != nil {
			t.Fatalf("%q: %v", tt.args, err)
		}
		if *db != tt.db || !slices.Equal(fs.Args(), tt.positional) {
			t.Errorf("%q: db %q args %q, want %q %q", tt.args, *db, fs.Args(), tt.db, tt.positional)
		}
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "named.db")
	if out := mustTruce(t, "actors", "resolve", "SAA", "-db", db); !strings.Contains(out, "government-of-syria") {
		t.Errorf("actors resolve with -db last: %s", out)
	}
}

// TestRuleFilterZone: -zone selects by the zones of the version each
// incident was ruled under.
func TestRuleFilterZone(t *testing.T) {
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: filepath.Join(t.TempDir(), "z.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	ag, _ := a.Agreement("syria-coh-2016")
	keep, err := ruleFilter(a, ag, "DZ1", "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	idlib := incident.Place{Name: "Idlib", Precision: incident.PlaceAdmin1, Area: "SY07"}
	daraa := incident.Place{Name: "Daraa", Precision: incident.PlaceAdmin1, Area: "SY12"}
	for _, tt := range []struct {
		place   incident.Place
		version int
		want    bool
	}{
		{idlib, 3, true},
		{daraa, 3, false},
		{idlib, 1, false}, // version 1 has no zones
	} {
		r := app.Ruled{Incident: incident.Incident{Place: tt.place}, Ruling: ruling.Ruling{Version: tt.version}}
		if got := keep(r); got != tt.want {
			t.Errorf("%s under version %d: kept %v, want %v", tt.place.Name, tt.version, got, tt.want)
		}
	}
}
