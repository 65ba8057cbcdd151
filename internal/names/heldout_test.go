package names

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// Floors of the matcher's precision and recall at DefaultThreshold,
// set just below the measured figures (see docs/humanitarian.md); they
// catch a regression, they are not targets.
//
// testdata/heldout.tsv was written by hand without the matcher's code in
// view and measured it at 0.656 / 0.706; the matcher's second round of
// development was then made on it, so it is a development set now
// (TestDevelopment), no longer held out. testdata/heldout2.tsv was
// written after that round, before its changes were scored on it, and is
// not to be tuned on (TestHeldout).
const (
	minDevPrecision     = 0.98 // measured 1.000 (116/116)
	minDevRecall        = 0.96 // measured 0.975 (116/119)
	minHeldoutPrecision = 0.88 // measured 0.891 (90/101)
	minHeldoutRecall    = 0.87 // measured 0.882 (90/102)
)

// heldoutPair is one labelled row of a pairs file.
type heldoutPair struct {
	line int
	same bool
	a, b Person
	note string
}

// readPairs reads a tab-separated pairs file: label (1 same person, 0
// not), name, born and place of each side, a note; '#' starts a comment.
func readPairs(t *testing.T, path string) []heldoutPair {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var pairs []heldoutPair
	sc := bufio.NewScanner(f)
	for ln := 1; sc.Scan(); ln++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c := strings.Split(line, "\t")
		if len(c) != 8 || (c[0] != "0" && c[0] != "1") {
			t.Fatalf("%s:%d: bad line %q", path, ln, line)
		}
		pairs = append(pairs, heldoutPair{
			line: ln,
			same: c[0] == "1",
			a:    Person{Name: c[1], Born: c[2], Place: c[3]},
			b:    Person{Name: c[4], Born: c[5], Place: c[6]},
			note: c[7],
		})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return pairs
}

func hasArabicScript(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r >= 0x600 && r <= 0x6ff })
}

// TestDevelopment measures the matcher on the first hand-written set,
// used to develop its second round. Run: go test -v -run Development ./internal/names
func TestDevelopment(t *testing.T) {
	measure(t, "testdata/heldout.tsv", "development", minDevPrecision, minDevRecall)
}

// TestHeldout measures the matcher on the second hand-written set, held
// out from its development, and logs precision and recall at the default
// threshold and a few others, and every miss and false match. Run: go
// test -v -run Heldout ./internal/names
func TestHeldout(t *testing.T) {
	measure(t, "testdata/heldout2.tsv", "held-out", minHeldoutPrecision, minHeldoutRecall)
}

func measure(t *testing.T, path, name string, minPrecision, minRecall float64) {
	t.Parallel()
	pairs := readPairs(t, path)
	var tp, fp, fn, tn, arabic, positives int
	var atp, afp, afn int // pairs with Arabic script
	scores := make([]float64, len(pairs))
	for i, p := range pairs {
		ar := hasArabicScript(p.a.Name + p.b.Name)
		if ar {
			arabic++
		}
		if p.same {
			positives++
		}
		s := Compare(p.a, p.b)
		scores[i] = s.Score
		proposed := s.Score >= DefaultThreshold
		switch {
		case proposed && p.same:
			tp++
			if ar {
				atp++
			}
		case proposed:
			fp++
			if ar {
				afp++
			}
			t.Logf("false match %.2f (line %d): %s | %s (%s) %v", s.Score, p.line, p.a.Name, p.b.Name, p.note, s.Reasons)
		case p.same:
			fn++
			if ar {
				afn++
			}
			t.Logf("missed %.2f (line %d): %s | %s (%s) %v", s.Score, p.line, p.a.Name, p.b.Name, p.note, s.Reasons)
		default:
			tn++
		}
	}
	n := len(pairs)
	if n < 150 || 3*arabic < n || 3*positives < n || 3*(n-positives) < n {
		t.Fatalf("the set has %d pairs, %d with Arabic script, %d true: want at least 150, a third with Arabic script, and both labels well represented", n, arabic, positives)
	}
	precision := float64(tp) / float64(tp+fp)
	recall := float64(tp) / float64(tp+fn)
	t.Logf("%s: %d pairs (%d with Arabic script, %d true, %d false): threshold %.2f, precision %.3f (%d/%d), recall %.3f (%d/%d), %d true negatives",
		name, n, arabic, positives, n-positives, DefaultThreshold, precision, tp, tp+fp, recall, tp, tp+fn, tn)
	t.Logf("  with Arabic script: precision %.3f (%d/%d), recall %.3f (%d/%d)",
		float64(atp)/float64(atp+afp), atp, atp+afp, float64(atp)/float64(atp+afn), atp, atp+afn)
	for _, th := range []float64{0.50, 0.60, 0.65, DefaultThreshold, 0.80, 0.90} {
		var tp, proposed int
		for i, p := range pairs {
			if scores[i] >= th {
				proposed++
				if p.same {
					tp++
				}
			}
		}
		t.Logf("  threshold %.2f: precision %.3f (%d/%d), recall %.3f (%d/%d)",
			th, float64(tp)/float64(proposed), tp, proposed, float64(tp)/float64(positives), tp, positives)
	}
	if precision < minPrecision || recall < minRecall {
		t.Errorf("%s precision %.3f, recall %.3f: below the floors %.2f, %.2f", name, precision, recall, minPrecision, minRecall)
	}
}
