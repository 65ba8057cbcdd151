package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/store/storetest"
)

// openSQLitePools opens a store on a SQLite file with a writer and
// separate readers, as the sqlite package does, so that rulings are
// written while incidents are read (openSQLite shares one connection).
func openSQLitePools(tb testing.TB) (*Store, *sql.DB) {
	path := filepath.Join(tb.TempDir(), "r.db")
	w, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_txlock=immediate")
	if err != nil {
		tb.Fatal(err)
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		tb.Fatal(err)
	}
	r.SetMaxOpenConns(4)
	s, err := New(context.Background(), w, r, Dialect{Name: "sqlite", OneWriter: true, Pack: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s, w
}

// yearOfIncidents stores n incidents spread over 2017.
func yearOfIncidents(tb testing.TB, s *Store, n int) {
	ctx := context.Background()
	for i := 0; i < n; i += 500 {
		var group []incident.Report
		for j := i; j < min(i+500, n); j++ {
			group = append(group, storetest.Report(fmt.Sprint(j), incident.Day(2017, time.Month(1+j%12), 1+j%28, time.UTC), "SY070000"))
		}
		if _, err := s.ImportReports(ctx, group, store.Intake{}); err != nil {
			tb.Fatal(err)
		}
	}
}

// syntheticRuling is a ruling of about the size of a real one (800 bytes
// of JSON on the UCDP file), a violation one time in 40.
func syntheticRuling(in incident.Incident) ruling.Ruling {
	r := ruling.Ruling{Verdict: ruling.Undetermined, Agreement: "ag", Version: 1, Missing: ruling.MissingInitiator, Parties: []string{"GOV", "OPP"}, Clauses: []string{"C1"},
		Explanation: fmt.Sprintf("Incident %d on %s: the sources name no initiator among the parties; either side may have fired first, so the ruling waits for a report that says who did.", in.ID, in.Occurred.Start.Format("2006-01-02"))}
	if in.ID%40 == 0 {
		r = ruling.Ruling{Verdict: ruling.Violation, Agreement: "ag", Version: 1, Parties: []string{"GOV"}, Clauses: []string{"C1"}, Guarantors: []string{"RU"}, Explanation: "shelling of a protected area by a party"}
	}
	for i := 0; i < 6; i++ {
		r.Facts = append(r.Facts, fmt.Sprintf("fact %d of incident %d: %s at %s, reported by %v", i, in.ID, in.Act, in.Place.Admin3, in.ReportIDs))
	}
	return r
}

// rulePeriod rules every stored incident as app.RuleEach does (batches
// of 256 written while reading) and returns how many rulings were written.
func rulePeriod(tb testing.TB, s *Store, rule func(incident.Incident) ruling.Ruling) int {
	ctx := context.Background()
	written := 0
	var pending []store.IncidentRuling
	flush := func() error {
		n, err := s.SaveRulings(ctx, pending)
		written += n
		pending = pending[:0]
		return err
	}
	err := s.EachIncident(ctx, time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC), func(in incident.Incident) error {
		pending = append(pending, store.IncidentRuling{IncidentID: in.ID, Ruling: rule(in)})
		if len(pending) == 256 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		tb.Fatal(err)
	}
	return written
}

// changes is how many rows the writer connection has inserted, updated
// or deleted since it opened.
func changes(tb testing.TB, w *sql.DB) int64 {
	var n int64
	if err := w.QueryRow(`SELECT total_changes()`).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// Ruling a period again writes nothing when no ruling changed, and only
// what changed otherwise.
func TestRulePeriodTwice(t *testing.T) {
	s, w := openSQLitePools(t)
	const n = 1000
	yearOfIncidents(t, s, n)
	if got := rulePeriod(t, s, syntheticRuling); got != n {
		t.Fatalf("first pass wrote %d rulings, want %d", got, n)
	}
	before := changes(t, w)
	if got := rulePeriod(t, s, syntheticRuling); got != 0 {
		t.Errorf("second pass wrote %d rulings, want 0", got)
	}
	if after := changes(t, w); after != before {
		t.Errorf("second pass changed %d rows, want 0", after-before)
	}
	changedOne := func(in incident.Incident) ruling.Ruling {
		r := syntheticRuling(in)
		if in.ID%100 == 7 {
			r.Explanation += " (again)"
		}
		return r
	}
	if got := rulePeriod(t, s, changedOne); got != n/100 {
		t.Errorf("third pass wrote %d rulings, want %d", got, n/100)
	}
}

// BenchmarkRulePeriod rules a year of N incidents with everything new
// (first), then again with nothing changed (again), in the way
// app.RuleEach does, on SQLite: ns/op is per pass.
func BenchmarkRulePeriod(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		s, w := openSQLitePools(b)
		yearOfIncidents(b, s, n)
		b.Run(fmt.Sprintf("n=%d/first", n), func(b *testing.B) {
			version := 0
			for b.Loop() {
				version++
				v := version
				rulePeriod(b, s, func(in incident.Incident) ruling.Ruling {
					r := syntheticRuling(in)
					r.Version = v // every ruling changes
					return r
				})
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "incidents/s")
		})
		b.Run(fmt.Sprintf("n=%d/again", n), func(b *testing.B) {
			rulePeriod(b, s, syntheticRuling)
			before := changes(b, w)
			for b.Loop() {
				if got := rulePeriod(b, s, syntheticRuling); got != 0 {
					b.Fatalf("wrote %d unchanged rulings", got)
				}
			}
			if after := changes(b, w); after != before {
				b.Fatalf("changed %d rows", after-before)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "incidents/s")
		})
	}
}
