package names

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// Floors of the matcher's precision and recall at DefaultThreshold on
// testdata/pairs.tsv; docs/humanitarian.md gives the measured figures.
const (
	minPrecision = 0.95
	minRecall    = 0.93
)

// TestEvaluation measures the matcher on the evaluation set (at least
// 300 labelled pairs, both scripts, hard negatives included) and prints
// its precision and recall at the default threshold.
func TestEvaluation(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/pairs.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var tp, fp, fn, tn, n, arabic int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c := strings.Split(line, "\t")
		if len(c) != 8 {
			t.Fatalf("bad line %q", line)
		}
		n++
		if strings.ContainsFunc(c[1]+c[4], func(r rune) bool { return r >= 0x600 && r <= 0x6ff }) {
			arabic++
		}
		s := Compare(Person{Name: c[1], Born: c[2], Place: c[3]}, Person{Name: c[4], Born: c[5], Place: c[6]})
		proposed, same := s.Score >= DefaultThreshold, c[0] == "1"
		switch {
		case proposed && same:
			tp++
		case proposed:
			fp++
			t.Logf("false match %.2f: %s | %s (%s) %v", s.Score, c[1], c[4], c[7], s.Reasons)
		case same:
			fn++
			t.Logf("missed %.2f: %s | %s (%s) %v", s.Score, c[1], c[4], c[7], s.Reasons)
		default:
			tn++
		}
	}
	if n < 300 || arabic < 100 {
		t.Fatalf("the set has %d pairs, %d with Arabic script: want at least 300 and 100", n, arabic)
	}
	precision := float64(tp) / float64(tp+fp)
	recall := float64(tp) / float64(tp+fn)
	t.Logf("%d pairs (%d with Arabic script): threshold %.2f, precision %.3f (%d/%d), recall %.3f (%d/%d)",
		n, arabic, DefaultThreshold, precision, tp, tp+fp, recall, tp, tp+fn)
	if precision < minPrecision || recall < minRecall {
		t.Errorf("precision %.3f, recall %.3f: below the floors %.2f, %.2f", precision, recall, minPrecision, minRecall)
	}
}
