package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/store/postgres"
	"github.com/truce-monitor/truce/internal/store/storetest"
)

// TestTotalsFollowWrites: the store keeps the totals and the ruling counts
// it counted while the data is unchanged, which it learns from the
// server's snapshot (dataVersion). A write by this store, or by another
// process on the same database (here another store), must show in the
// next total, and an unchanged store answers from what it kept.
func TestTotalsFollowWrites(t *testing.T) {
	ctx := context.Background()
	u := freshDB(t)
	reader, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	other, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
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
	for i, s := range []*postgres.Store{reader, other, other, reader} {
		// Twice each: the second is answered from what was kept.
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
		r := storetest.Report(fmt.Sprint(i), incident.Day(2017, 1, 1+i, time.UTC), "SY070000")
		if _, err := s.ImportReports(ctx, []incident.Report{r}, store.Intake{Rule: rule}); err != nil {
			t.Fatal(err)
		}
	}
	if n := total(all); n != 4 {
		t.Fatalf("after 4 imports: %d incidents counted", n)
	}
}
