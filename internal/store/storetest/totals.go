package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
)

// TotalsFollowWrites checks, on two stores of the same empty database,
// that the totals and ruling counts reader keeps while the data is
// unchanged (sqldb's kept totals, under the engine's data version) follow
// every write: reader's own and other's, as of an import run beside the
// server. Each count is asked twice, the second answered from what was
// kept.
func TotalsFollowWrites(t *testing.T, reader, other store.Store) {
	ctx := context.Background()
	total := func(f store.Filter) int {
		t.Helper()
		_, n, err := reader.Incidents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	ruled := func() int {
		t.Helper()
		counts, err := reader.RulingCounts(ctx, store.Filter{Agreement: "ag"}, store.CountBySpan)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range counts {
			n += c.N
		}
		return n
	}
	rule := func(incident.Incident) []ruling.Ruling {
		return []ruling.Ruling{{Agreement: "ag", Version: 1, Verdict: ruling.Violation, Parties: []string{"GOV"}}}
	}
	all, admin := store.Filter{Limit: 1}, store.Filter{Admin: "SY07", Limit: 1}
	for i, s := range []store.Store{reader, other, other, reader} {
		for range 2 {
			if n := total(all); n != i {
				t.Fatalf("after %d imports: %d incidents counted", i, n)
			}
			if n := total(admin); n != i {
				t.Fatalf("after %d imports: %d incidents in SY07 counted", i, n)
			}
			if n := ruled(); n != i {
				t.Fatalf("after %d imports: %d rulings counted", i, n)
			}
		}
		r := Report(fmt.Sprint(i), incident.Day(2017, 1, 1+i, time.UTC), "SY070000")
		if _, err := s.ImportReports(ctx, []incident.Report{r}, store.Intake{Rule: rule}); err != nil {
			t.Fatal(err)
		}
	}
	if n := total(all); n != 4 {
		t.Fatalf("after 4 imports: %d incidents counted", n)
	}
}
