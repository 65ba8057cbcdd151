package actor_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/actor"
)

// tally counts how a file's actor names resolve.
type tally struct {
	rows, unresolvedRows, unknownRows int
	names                             map[string]int // distinct name → rows
	unresolved                        map[string]int
	rules                             map[actor.Rule]int // name occurrences by rule
}

func newTally() *tally {
	return &tally{names: map[string]int{}, unresolved: map[string]int{}, rules: map[actor.Rule]int{}}
}

// row counts one row's names. exactOnly counts only RuleExact as
// resolved, which is what Resolve did before the ACLED rules.
func (t *tally) row(reg *actor.Registry, names []string, exactOnly bool) {
	t.rows++
	var unres, unknown bool
	for _, n := range names {
		t.names[n]++
		res := reg.Lookup(n)
		if exactOnly && res.Rule != actor.RuleExact {
			res = actor.Resolution{Name: n}
		}
		if !res.OK() {
			t.unresolved[n]++
			unres = true
			continue
		}
		t.rules[res.Rule]++
		if a, _ := reg.Get(res.ID); a.Kind == actor.Unknown {
			unknown = true
		}
	}
	if unres {
		t.unresolvedRows++
	}
	if unknown {
		t.unknownRows++
	}
}

func (t *tally) String() string {
	var top []string
	for n := range t.unresolved {
		top = append(top, n)
	}
	sort.Slice(top, func(i, j int) bool {
		if t.unresolved[top[i]] != t.unresolved[top[j]] {
			return t.unresolved[top[i]] > t.unresolved[top[j]]
		}
		return top[i] < top[j]
	})
	var b strings.Builder
	fmt.Fprintf(&b, "%d rows; %d of %d distinct names unresolved; %d rows (%.1f%%) with an unresolved name; %d rows (%.1f%%) with an actor of kind unknown; resolved by rule: %v",
		t.rows, len(t.unresolved), len(t.names), t.unresolvedRows, pct(t.unresolvedRows, t.rows), t.unknownRows, pct(t.unknownRows, t.rows), t.rules)
	for _, n := range top[:min(len(top), 15)] {
		fmt.Fprintf(&b, "\n    %6d  %s", t.unresolved[n], n)
	}
	return b.String()
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// measured is the registry a measurement uses: the shipped one, or the
// file in TRUCE_ACTORS_YAML (the registry at HEAD, for a "before").
func measured(t *testing.T) (*actor.Registry, bool) {
	t.Helper()
	exactOnly := os.Getenv("TRUCE_ACTORS_EXACT") == "1"
	path := os.Getenv("TRUCE_ACTORS_YAML")
	if path == "" {
		return shipped(t), exactOnly
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	reg, err := actor.Load(f, path)
	if err != nil {
		t.Fatal(err)
	}
	return reg, exactOnly
}

// csvRows calls fn with every record of a CSV file by column name.
func csvRows(t *testing.T, r io.Reader, fn func(get func(string) string)) {
	t.Helper()
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		t.Fatal(err)
	}
	cols := map[string]int{}
	for i, h := range header {
		cols[h] = i
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		fn(func(col string) string {
			if i, ok := cols[col]; ok && i < len(rec) {
				return rec[i]
			}
			return ""
		})
	}
}

// TestMeasureUnresolved counts the actor names that do not resolve, and
// the rows that carry one, on the shared UCDP file and on bench/gen-acled.awk's
// synthetic ACLED rows (and on a real ACLED file named in TRUCE_ACLED_CSV).
// The figures in docs/actors.md come from it:
//
//	go test -v -run TestMeasureUnresolved ./internal/actor/
//	TRUCE_ACTORS_YAML=/tmp/actors-head.yaml TRUCE_ACTORS_EXACT=1 go test -v -run TestMeasureUnresolved ./internal/actor/
//
// With the shipped registry and every rule it also checks that no UCDP
// name is left unresolved and that ACLED's forms leave few rows so.
func TestMeasureUnresolved(t *testing.T) {
	reg, exactOnly := measured(t)
	custom := os.Getenv("TRUCE_ACTORS_YAML") != "" || os.Getenv("TRUCE_GEN_ACLED") != "" || exactOnly

	t.Run("ucdp", func(t *testing.T) {
		f, err := os.Open("../../../shared/data/ucdp-ged-syria/ucdp_ged_syria_2016_2019.csv")
		if err != nil {
			t.Skip("shared data not present:", err)
		}
		defer f.Close()
		tl := newTally()
		csvRows(t, f, func(get func(string) string) {
			names := append(actor.SplitList(get("side_a")), actor.SplitList(get("side_b"))...)
			tl.row(reg, names, exactOnly)
			// dyad_name is "side_a - side_b" in every row of this file;
			// a dyad naming anyone else would be a name this test misses.
			if d := get("dyad_name"); d != get("side_a")+" - "+get("side_b") {
				t.Errorf("dyad %q is not side_a - side_b", d)
			}
		})
		t.Logf("UCDP GED Syria 2016-2019: %v", tl)
		if !custom && len(tl.unresolved) > 0 {
			t.Errorf("%d UCDP names do not resolve", len(tl.unresolved))
		}
	})

	t.Run("acled-synthetic", func(t *testing.T) {
		awk, err := exec.LookPath("awk")
		if err != nil {
			t.Skip("no awk:", err)
		}
		script := os.Getenv("TRUCE_GEN_ACLED")
		if script == "" {
			script = "../../bench/gen-acled.awk"
		}
		out, err := exec.Command(awk, "-v", "n=20000", "-f", script).Output()
		if err != nil {
			t.Fatalf("%s: %v", script, err)
		}
		tl := acledTally(t, reg, bytes.NewReader(out), exactOnly)
		t.Logf("%s, 20000 rows: %v", script, tl)
		if !custom && pct(tl.unresolvedRows, tl.rows) > 10 {
			t.Errorf("%.1f%% of rows carry an unresolved name; ACLED's forms should leave under 10%%", pct(tl.unresolvedRows, tl.rows))
		}
	})

	t.Run("acled-file", func(t *testing.T) {
		path := os.Getenv("TRUCE_ACLED_CSV")
		if path == "" {
			t.Skip("TRUCE_ACLED_CSV not set")
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		t.Logf("%s: %v", path, acledTally(t, reg, f, exactOnly))
	})
}

// acledTally reads ACLED's four actor columns, each a "; "-separated list
// as the acled importer splits them.
func acledTally(t *testing.T, reg *actor.Registry, r io.Reader, exactOnly bool) *tally {
	tl := newTally()
	csvRows(t, r, func(get func(string) string) {
		var names []string
		for _, col := range []string{"actor1", "assoc_actor_1", "actor2", "assoc_actor_2"} {
			for _, n := range strings.Split(get(col), ";") {
				if n = strings.TrimSpace(n); n != "" {
					names = append(names, n)
				}
			}
		}
		tl.row(reg, names, exactOnly)
	})
	return tl
}
