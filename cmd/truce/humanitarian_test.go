package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestHumanitarianCommands: records imported from JSON lines and from a
// CSV mapped by its header, bad rows rejected one by one; the removal of
// items at a checkpoint ruled; the export holds them, names only for the
// operator; the matcher proposes the pair across scripts and lists.
func TestHumanitarianCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "h.db")
	mustTruce(t, "agreement", "load", "-db", db, "../../internal/bundled/data/agreements/syria-coh-2016.yaml")
	out := mustTruce(t, "humanitarian", "import", "-db", db, "testdata/humanitarian.jsonl")
	if !strings.Contains(out, "4 rows, 3 stored, 1 rejected") || !strings.Contains(out, "line 3") {
		t.Errorf("jsonl import: %s", out)
	}
	out = mustTruce(t, "humanitarian", "import", "-db", db, "-format", "csv", "-kind", "case", "testdata/cases.csv")
	if !strings.Contains(out, "3 rows, 2 stored, 1 rejected") || !strings.Contains(out, "line 4") {
		t.Errorf("csv import: %s", out)
	}
	exp := mustTruce(t, "humanitarian", "export", "-db", db)
	for _, want := range []string{`"wfp-2017-08-harasta"`, `"incident":`, `"harasta-2017-08"`, `"eastern-ghouta"`, "Ahmed el-Khateeb"} {
		if !strings.Contains(exp, want) {
			t.Errorf("export lacks %s", want)
		}
	}
	mustTruce(t, "user", "add", "mon", "-db", db, "-role", "monitor")
	if exp := mustTruce(t, "humanitarian", "export", "-db", db, "-as", "mon"); strings.Contains(exp, "Khateeb") || strings.Contains(exp, "الخطيب") {
		t.Error("a monitor's export names a detainee")
	}
	rule := mustTruce(t, "rule", "-db", db, "-from", "2017-08-09", "-to", "2017-08-09", "-incidents")
	if !strings.Contains(rule, "DZ-2") || !strings.Contains(rule, "violation") {
		t.Errorf("the removal of items is not ruled a violation of DZ-2:\n%s", rule)
	}
	match := mustTruce(t, "humanitarian", "match", "-db", db)
	if !strings.Contains(match, `"a":"gh-1","b":"os-1"`) || strings.Contains(match, "gh-2") {
		t.Errorf("candidates:\n%s", match)
	}
}
