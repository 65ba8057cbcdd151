package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	if !strings.Contains(out, "new versions: [1 2 3]") {
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

	one := mustTruce(t, "rule", "-db", db, "-from", "2017-01-10", "-to", "2017-01-10", "-incidents")
	for _, want := range []string{"Incidents", "violation", "Guarantor(s) answering", "undetermined: initiator"} {
		if !strings.Contains(one, want) {
			t.Errorf("per-incident output lacks %q", want)
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
