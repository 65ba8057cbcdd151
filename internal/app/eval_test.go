package app_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
)

// The agreement rate of the engine on the hand-labelled evaluation set
// (internal/ruling/testdata/eval, described in its README.md and in
// docs/rulings.md, "Evaluation") must not fall below these floors, set just
// under the rates measured last (225/230 = 97.8% and 209/214 = 97.7%,
// leaving one label of slack each; the set was made at 218/230). Raise
// them when the engine improves; lower them only with the reason in
// docs/rulings.md.
const (
	// evalFloor is for the whole set.
	evalFloor = 0.97
	// evalFloorSettled is for the labels that do not wait on a pending
	// change to the agreement (those with an empty "needs").
	evalFloorSettled = 0.97
)

const evalAgreement = "syria-coh-2016"

// evalLabel is one row of labels.csv.
type evalLabel struct {
	ID, Source, Category string
	Verdict, Outcome     string
	Parties, Clauses     []string
	Why, Needs           string
	line                 int
}

// evalResult is a label with the engine's ruling of its incident.
type evalResult struct {
	evalLabel
	ruling ruling.Ruling
	found  bool
	diffs  []string // what differs; empty when the engine agrees
}

func (r evalResult) agrees() bool { return r.found && len(r.diffs) == 0 }

// TestRulingEvaluation rules every incident of the evaluation set under the
// bundled agreement and compares each ruling with the label an analyst
// gave it from the agreement and the source: verdict and outcome always,
// parties and clauses where the label names them. It logs every
// disagreement and the agreement rate overall, by category, by source and
// by "needs"; it fails only when a rate falls below its floor, or when the
// set itself is broken (a row that does not import, a label without an
// incident, an incident without a label).
//
//	go test ./internal/app -run TestRulingEvaluation -v
func TestRulingEvaluation(t *testing.T) {
	dir := filepath.Join("..", "ruling", "testdata", "eval")
	labels := readEvalLabels(t, filepath.Join(dir, "labels.csv"))

	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: filepath.Join(t.TempDir(), "eval.db"), NoCluster: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	ag, ok := a.Agreement(evalAgreement)
	if !ok {
		t.Fatalf("the bundled agreement %s is not loaded", evalAgreement)
	}

	for _, in := range []struct{ format, file string }{{"ucdp", "ucdp.csv"}, {"jsonl", "wikipedia.jsonl"}} {
		f, err := os.Open(filepath.Join(dir, in.file))
		if err != nil {
			t.Fatal(err)
		}
		sum, err := a.Import(ctx, in.format, f, in.file, app.ImportOptions{OnReject: func(e *importer.RowError) error {
			t.Errorf("%s: a labelled row was rejected: %v", in.file, e)
			return nil
		}})
		f.Close()
		if err != nil {
			t.Fatalf("import %s: %v", in.file, err)
		}
		if sum.Skipped > 0 || sum.Rejected > 0 {
			t.Errorf("import %s: %d rows skipped, %d rejected; every row must become an incident", in.file, sum.Skipped, sum.Rejected)
		}
		for _, n := range sum.Notes {
			t.Logf("import %s: %s", in.file, n)
		}
	}

	// Each report is its own incident (clustering is off); find it by the
	// label's id: "ucdp-<GED id>" or the Wikipedia report's source_id.
	incidentOf := map[string]int64{}
	err = a.EachReport(ctx, app.Operator(), func(r incident.Report) error {
		key := r.SourceID
		if r.Source == "ucdp-ged" {
			key = "ucdp-" + r.SourceID
		}
		if prev, dup := incidentOf[key]; dup && prev != r.IncidentID {
			t.Errorf("report %s is in two incidents (%d, %d): clustering should be off", key, prev, r.IncidentID)
		}
		incidentOf[key] = r.IncidentID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	incidents := map[int64]incident.Incident{}
	err = a.EachIncident(ctx, app.Operator(), time.Time{}, time.Time{}, func(in incident.Incident) error {
		incidents[in.ID] = in
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	labelled := map[string]bool{}
	var results []evalResult
	for _, l := range labels {
		labelled[l.ID] = true
		res := evalResult{evalLabel: l}
		id, ok := incidentOf[l.ID]
		in, found := incidents[id]
		if !ok || !found {
			t.Errorf("labels.csv line %d: %s has no incident (its row is missing from the data files)", l.line, l.ID)
			res.diffs = []string{"no incident"}
			results = append(results, res)
			continue
		}
		res.found = true
		res.ruling = a.Engine.Rule(ag, in)
		res.diffs = compareEval(l, res.ruling)
		results = append(results, res)
	}
	for key := range incidentOf {
		if !labelled[key] {
			t.Errorf("report %s has no label in labels.csv", key)
		}
	}

	reportEval(t, results)

	all, settled := evalRate(results, func(evalResult) bool { return true }), evalRate(results, func(r evalResult) bool { return r.Needs == "" })
	if all.rate() < evalFloor {
		t.Errorf("agreement rate %s is below the floor %.3f", all, evalFloor)
	}
	if settled.rate() < evalFloorSettled {
		t.Errorf("agreement rate on labels without \"needs\" %s is below the floor %.3f", settled, evalFloorSettled)
	}
}

// compareEval lists how a ruling differs from its label.
func compareEval(l evalLabel, r ruling.Ruling) []string {
	var diffs []string
	if string(r.Verdict) != l.Verdict {
		diffs = append(diffs, "verdict")
	}
	if r.Outcome() != l.Outcome {
		diffs = append(diffs, "outcome")
	}
	if l.Parties != nil && !slices.Equal(sortedCopy(r.Parties), l.Parties) {
		diffs = append(diffs, "parties")
	}
	if l.Clauses != nil && !slices.Equal(sortedCopy(r.Clauses), l.Clauses) {
		diffs = append(diffs, "clauses")
	}
	return diffs
}

func sortedCopy(xs []string) []string {
	out := slices.Clone(xs)
	sort.Strings(out)
	return out
}

// readEvalLabels reads and checks labels.csv.
func readEvalLabels(t *testing.T, file string) []evalLabel {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	want := []string{"id", "source", "category", "expected_verdict", "expected_reason", "expected_parties", "expected_clause", "why", "needs"}
	if !slices.Equal(header, want) {
		t.Fatalf("%s: header %v, want %v", file, header, want)
	}
	split := func(s string) []string {
		if s == "" {
			return nil
		}
		parts := strings.Split(s, ";")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		sort.Strings(parts)
		return parts
	}
	var out []evalLabel
	seen := map[string]bool{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		line, _ := r.FieldPos(0)
		l := evalLabel{ID: rec[0], Source: rec[1], Category: rec[2], Verdict: rec[3], Outcome: rec[4],
			Parties: split(rec[5]), Clauses: split(rec[6]), Why: rec[7], Needs: rec[8], line: line}
		bad := func(format string, args ...any) {
			t.Errorf("%s line %d (%s): %s", file, line, l.ID, fmt.Sprintf(format, args...))
		}
		switch {
		case seen[l.ID]:
			bad("id used twice")
		case l.Verdict != string(ruling.Violation) && l.Verdict != string(ruling.NotViolation) && l.Verdict != string(ruling.Undetermined):
			bad("expected_verdict %q is not violation, not_violation or undetermined", l.Verdict)
		case l.Outcome != l.Verdict && !strings.HasPrefix(l.Outcome, l.Verdict+": "):
			bad("expected_reason %q does not start with the verdict %q", l.Outcome, l.Verdict)
		case l.Verdict == string(ruling.Violation) && (l.Parties == nil || l.Clauses == nil):
			bad("a violation must name its parties and clauses")
		case l.Category == "" || l.Why == "":
			bad("category and why are required")
		case !strings.HasPrefix(l.Source, "ucdp:") && !strings.HasPrefix(l.Source, "wikipedia:"):
			bad("source %q is neither ucdp:<id> nor wikipedia:<file>#<section>", l.Source)
		}
		seen[l.ID] = true
		out = append(out, l)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no labels", file)
	}
	return out
}

type evalCount struct{ agree, n int }

func (c evalCount) rate() float64 {
	if c.n == 0 {
		return 1
	}
	return float64(c.agree) / float64(c.n)
}

func (c evalCount) String() string {
	return fmt.Sprintf("%d/%d = %.1f%%", c.agree, c.n, 100*c.rate())
}

func evalRate(rs []evalResult, keep func(evalResult) bool) evalCount {
	var c evalCount
	for _, r := range rs {
		if keep(r) {
			c.n++
			if r.agrees() {
				c.agree++
			}
		}
	}
	return c
}

// reportEval logs every disagreement and the rates by category, source
// and "needs".
func reportEval(t *testing.T, rs []evalResult) {
	t.Helper()
	var b strings.Builder
	n := 0
	for _, r := range rs {
		if r.agrees() {
			continue
		}
		n++
		fmt.Fprintf(&b, "\n%s [%s]", r.ID, r.Category)
		if r.Needs != "" {
			fmt.Fprintf(&b, " (needs %s)", r.Needs)
		}
		fmt.Fprintf(&b, " %s\n  expected: %s", r.Source, describeExpected(r.evalLabel))
		if !r.found {
			fmt.Fprintf(&b, "\n  got:      no incident\n")
			continue
		}
		fmt.Fprintf(&b, "\n  got:      %s (differs in %s)\n  label:    %s\n  engine:   %s\n",
			describeRuling(r.ruling), strings.Join(r.diffs, ", "), r.Why, r.ruling.Explanation)
	}
	t.Logf("Disagreements: %d of %d%s", n, len(rs), b.String())

	var s strings.Builder
	fmt.Fprintf(&s, "Agreement with the labels under %s: %s\n", evalAgreement, evalRate(rs, func(evalResult) bool { return true }))
	fmt.Fprintf(&s, "  without \"needs\": %s\n", evalRate(rs, func(r evalResult) bool { return r.Needs == "" }))
	group := func(title string, key func(evalResult) string) {
		var keys []string
		seen := map[string]bool{}
		for _, r := range rs {
			if k := key(r); !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
		fmt.Fprintf(&s, "By %s\n", title)
		for _, k := range keys {
			fmt.Fprintf(&s, "  %-26s %s\n", k, evalRate(rs, func(r evalResult) bool { return key(r) == k }))
		}
	}
	group("source", func(r evalResult) string { src, _, _ := strings.Cut(r.Source, ":"); return src })
	group("category", func(r evalResult) string { return r.Category })
	group("needs", func(r evalResult) string {
		if r.Needs == "" {
			return "(none)"
		}
		return r.Needs
	})
	t.Log("\n" + s.String())
}

func describeExpected(l evalLabel) string {
	s := l.Outcome
	if l.Parties != nil {
		s += " by " + strings.Join(l.Parties, ",")
	}
	if l.Clauses != nil {
		s += " of " + strings.Join(l.Clauses, ",")
	}
	return s
}

func describeRuling(r ruling.Ruling) string {
	s := r.Outcome()
	if len(r.Parties) > 0 {
		s += " by " + strings.Join(sortedCopy(r.Parties), ",")
	}
	if len(r.Clauses) > 0 {
		s += " of " + strings.Join(sortedCopy(r.Clauses), ",")
	}
	return s
}
