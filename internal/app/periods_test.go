package app_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// TestPeriodPagesUCDP: on the shared UCDP file (258 of its 16,566 events
// run longer than six days, eight a year), every month of 2016-2019 read a
// page at a time, oldest and newest first, for the incidents, an
// agreement's violations, a party's incidents and a party's violations,
// gives the incidents of the unfiltered listing that overlap the month,
// in order, and their number as the total: whatever bounds the store
// sets a period's range of starts by (sinceFor) and however it reads the
// long incidents apart. As staff, and as the public, with one incident in
// seven published (the public's listings read the copies of the state,
// migrations 0029 and 0031). Not in -short mode: some 3,000 pages.
func TestPeriodPagesUCDP(t *testing.T) {
	if testing.Short() {
		t.Skip("some 3,000 pages of the shared UCDP file")
	}
	t.Run("sqlite", func(t *testing.T) { checkPeriodPages(t, filepath.Join(t.TempDir(), "periods.db")) })
	t.Run("postgres", func(t *testing.T) { checkPeriodPages(t, postgresDB(t, "truce_periods")) })
}

func checkPeriodPages(t *testing.T, db string) {
	ctx := context.Background()
	f, err := os.Open(sharedUCDP)
	if err != nil {
		t.Fatalf("the shared UCDP file: %v", err)
	}
	defer f.Close()
	a, err := app.Open(ctx, app.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Import(ctx, "ucdp", f, sharedUCDP, app.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	// Published by hand (the triggers keep the rulings' and parties'
	// copies): the workflow would take an action, and a log entry, each.
	driver := "sqlite"
	if strings.HasPrefix(db, "postgres") {
		driver = "pgx"
	}
	raw, err := sql.Open(driver, db)
	if err != nil {
		t.Fatal(err)
	}
	_, err = raw.ExecContext(ctx, `UPDATE incidents SET state = 'verified' WHERE id % 7 = 3`)
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	const ag = "syria-coh-2016"
	for _, c := range []struct {
		viewer *workflow.User
		base   store.Filter
	}{
		{app.Operator(), store.Filter{}},
		{app.Operator(), store.Filter{Agreement: ag, Verdict: ruling.Violation}},
		{app.Operator(), store.Filter{Agreement: ag, Party: "GOV"}},
		{app.Operator(), store.Filter{Agreement: ag, Party: "OPP", Verdict: ruling.Violation}},
		{nil, store.Filter{}},
		{nil, store.Filter{Agreement: ag, Verdict: ruling.Violation}},
		{nil, store.Filter{Agreement: ag, Party: "GOV"}},
	} {
		base := c.base
		all := base
		all.NoCount = true
		every, _, err := a.Incidents(ctx, c.viewer, all)
		if err != nil {
			t.Fatal(err)
		}
		if c.viewer == nil && (len(every) == 0 || len(every) > 16566/5) {
			t.Fatalf("%+v: the public sees %d incidents", base, len(every))
		}
		for m := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC); m.Year() < 2020; m = m.AddDate(0, 1, 0) {
			from, to := m, m.AddDate(0, 1, 0)
			var want []int64
			for _, in := range every {
				if in.Occurred.End.After(from) && in.Occurred.Start.Before(to) {
					want = append(want, in.ID)
				}
			}
			for _, newest := range []bool{false, true} {
				if newest {
					slices.Reverse(want)
				}
				f := base
				f.From, f.To, f.Newest, f.Limit = from, to, newest, 100
				var got []int64
				for f.Offset = 0; ; f.Offset += f.Limit {
					page, total, err := a.Incidents(ctx, c.viewer, f)
					if err != nil {
						t.Fatal(err)
					}
					if total != len(want) {
						t.Errorf("%+v: total %d, want %d", f, total, len(want))
					}
					for _, in := range page {
						got = append(got, in.ID)
					}
					if len(page) < f.Limit {
						break
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("%+v, public %v, %s, newest %v: the pages give %d incidents, the listing %d overlapping it", base, c.viewer == nil, from.Format("2006-01"), newest, len(got), len(want))
				}
				if newest {
					slices.Reverse(want)
				}
			}
		}
	}
}
