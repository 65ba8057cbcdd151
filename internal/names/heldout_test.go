package names

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// Floors of the matcher's precision and recall at DefaultThreshold on
// testdata/heldout.tsv, set just below the measured figures (see
// docs/humanitarian.md). The held-out set was written by hand, without
// the matcher's code or tables in view, and is not to be tuned on: these
// floors only catch a regression, they are not targets.
const (
	minHeldoutPrecision = 0.64 // measured 0.656 (84/128)
	minHeldoutRecall    = 0.69 // measured 0.706 (84/119)
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

// TestHeldout measures the matcher as it is on the hand-written held-out
// set, logs precision and recall at the default threshold and every miss
// and false match. Run: go test -v -run Heldout ./internal/names
//
// Not parallel: fold's package-level transform.Chain keeps state, so
// Compare is not safe for concurrent use (go test -race shows it when this
// test runs beside TestEvaluation); that is the matcher's to fix.
func TestHeldout(t *testing.T) {
	pairs := readPairs(t, "testdata/heldout.tsv")
	var tp, fp, fn, tn, arabic, positives int
	scores := make([]float64, len(pairs))
	for i, p := range pairs {
		if hasArabicScript(p.a.Name + p.b.Name) {
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
		case proposed:
			fp++
			t.Logf("false match %.2f (line %d): %s | %s (%s) %v", s.Score, p.line, p.a.Name, p.b.Name, p.note, s.Reasons)
		case p.same:
			fn++
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
	t.Logf("held-out: %d pairs (%d with Arabic script, %d true, %d false): threshold %.2f, precision %.3f (%d/%d), recall %.3f (%d/%d), %d true negatives",
		n, arabic, positives, n-positives, DefaultThreshold, precision, tp, tp+fp, recall, tp, tp+fn, tn)
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
	if precision < minHeldoutPrecision || recall < minHeldoutRecall {
		t.Errorf("held-out precision %.3f, recall %.3f: below the floors %.2f, %.2f", precision, recall, minHeldoutPrecision, minHeldoutRecall)
	}
}
