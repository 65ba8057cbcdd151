package extract

import (
	"os"
	"strings"
	"testing"
)

// scoreFloor is the least precision (and recall) a score must keep.
type scoreFloor struct {
	field             string
	precision, recall float64
}

func checkReport(t *testing.T, rep Report, fl []scoreFloor) {
	t.Helper()
	var b strings.Builder
	rep.WriteTable(&b)
	t.Log("\n" + b.String())
	if rep.NoSpan != 0 {
		t.Errorf("%s: %d facts without a span", rep.Dataset, rep.NoSpan)
	}
	for _, f := range fl {
		s, ok := rep.Score(f.field)
		if !ok {
			t.Errorf("%s: no score %q", rep.Dataset, f.field)
			continue
		}
		if s.Precision() < f.precision || s.Recall() < f.recall {
			t.Errorf("%s %s: precision %.1f%%, recall %.1f%%; floors %.0f%%, %.0f%%", rep.Dataset, f.field, 100*s.Precision(), 100*s.Recall(), 100*f.precision, 100*f.recall)
		}
	}
}

// The floors of the evaluations on the full shared files, set a little
// below the figures measured (docs/extraction.md).
var (
	ucdpFloors = []scoreFloor{
		{"date", 0.95, 0.2},
		{"date (events)", 0.95, 0.2},
		{"place admin2", 0.58, 0.24},
		{"place admin2 (one place)", 0.6, 0.6},
		{"place admin2 (named)", 0.95, 0.58},
		{"place admin1", 0.7, 0.6},
		{"actor (events)", 0.75, 0.4},
		{"perpetrator", 0.6, 0.12},
		{"perpetrator (aligned)", 0.7, 0.14},
		{"violence type", 0.7, 0.33},
	}
	fakesFloors = []scoreFloor{
		{"date", 0.7, 0.6},
		{"place governorate", 0.88, 0.85},
		{"place gov. (strict)", 0.8, 0.75},
	}
)

// TestEvaluateShared runs the evaluations on the full UCDP GED and FA-KES
// files where the shared data folder is beside the checkout, and asserts
// the floors; elsewhere it says why it skips.
func TestEvaluateShared(t *testing.T) {
	x := testExtractor(t)
	ucdp, err := os.Open(sharedUCDP)
	if err != nil {
		t.Skipf("the shared UCDP GED file is not here (%v): the evaluation on real data runs where /work/shared/data is", err)
	}
	defer ucdp.Close()
	rep, err := EvaluateUCDP(ucdp, x, shared.bounds)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Texts != 16566 {
		t.Errorf("UCDP: %d events, want 16566", rep.Texts)
	}
	checkReport(t, rep, ucdpFloors)
	fakes, err := os.Open(sharedFAKES)
	if err != nil {
		t.Skipf("the shared FA-KES file is not here (%v)", err)
	}
	defer fakes.Close()
	rep, err = EvaluateFAKES(fakes, x)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Texts != 643 {
		t.Errorf("FA-KES: %d articles, want 643", rep.Texts)
	}
	checkReport(t, rep, fakesFloors)
}

// TestEvaluateSamples runs the evaluations on the excerpts kept in
// testdata, everywhere: the readers of both files work and no fact lacks
// its span.
func TestEvaluateSamples(t *testing.T) {
	x := testExtractor(t)
	f, err := os.Open("testdata/ucdp-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := EvaluateUCDP(f, x, shared.bounds)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Texts != 150 || rep.Facts == 0 {
		t.Errorf("UCDP sample: %d events, %d facts", rep.Texts, rep.Facts)
	}
	checkReport(t, rep, []scoreFloor{{"date", 0.9, 0.1}, {"place admin1", 0.6, 0.4}})
	g, err := os.Open("testdata/fakes-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	rep, err = EvaluateFAKES(g, x)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Texts != 12 || rep.Facts == 0 {
		t.Errorf("FA-KES sample: %d articles, %d facts", rep.Texts, rep.Facts)
	}
	checkReport(t, rep, []scoreFloor{{"place governorate", 0.7, 0.6}})
}

func TestEvaluateBadInput(t *testing.T) {
	x := testExtractor(t)
	if _, err := EvaluateUCDP(strings.NewReader("a,b\n1,2\n"), x, shared.bounds); err == nil || !strings.Contains(err.Error(), "source_headline") {
		t.Errorf("UCDP without its columns: %v", err)
	}
	if _, err := EvaluateFAKES(strings.NewReader("a,b\n1,2\n"), x); err == nil || !strings.Contains(err.Error(), "article_content") {
		t.Errorf("FA-KES without its columns: %v", err)
	}
}
