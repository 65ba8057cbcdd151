package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/agreement"
	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// TestCountsEqualListing: the dashboard and the ruling summary, counted
// from the database's groups (App.RulingCounts), equal what they counted
// before from every incident of the agreement listed and its ruling
// decoded (oldDashboard, oldTally: that code, kept here), on the demo
// data with incidents verified, disputed, dismissed and under review,
// for the public, a party's liaison and a reviewer, and for the
// summary's filters.
func TestCountsEqualListing(t *testing.T) {
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: filepath.Join(t.TempDir(), "counts.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	shared := loadCountsFixture(t, a)
	const ag = "syria-coh-2016"
	rev := workflow.User{Name: "rev", Role: workflow.Reviewer}
	if _, err := a.AddUser(ctx, rev, "a long test password"); err != nil {
		t.Fatal(err)
	}
	reviewStates(t, a, rev, ag)
	agr, _ := a.Agreement(ag)
	loc := agr.Location
	viewers := map[string]*workflow.User{"public": nil, "GOV liaison": {Name: "gov", Role: workflow.Liaison, Party: "GOV"}, "reviewer": &rev}
	for name, u := range viewers {
		list, _, err := a.Incidents(ctx, u, store.Filter{Agreement: ag, NoCount: true})
		if err != nil {
			t.Fatal(err)
		}
		want := oldDashboard(list, agr, loc)
		got, err := countDashboard(ctx, a, u, agr, loc)
		if err != nil {
			t.Fatal(err)
		}
		got.loc, want.loc = nil, nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the dashboard counted from groups differs from the one counted from the listing:\n%s", name, dashDiff(got, want))
		}
		if shared && name == "reviewer" && (len(want.byZone) == 0 || want.total < 100 || want.verified == 0 || want.dismissed == 0) {
			t.Errorf("the fixture does not exercise the dashboard: %d violations, %d verified, %d dismissed, zones %v", want.total, want.verified, want.dismissed, want.byZone)
		}
	}
	filters := []store.Filter{
		{Agreement: ag},
		{Agreement: ag, Party: "GOV"},
		{Agreement: ag, Verdict: ruling.Violation},
		{Agreement: ag, From: time.Date(2017, 6, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)},
		{Agreement: ag, Admin: "SY07"},
	}
	for name, u := range viewers {
		for _, f := range filters {
			list, _, err := a.Incidents(ctx, u, store.Filter{Agreement: f.Agreement, Party: f.Party, Verdict: f.Verdict, From: f.From, To: f.To, Admin: f.Admin, NoCount: true})
			if err != nil {
				t.Fatal(err)
			}
			want := oldTally(list)
			counts, err := a.RulingCounts(ctx, u, f, 0)
			if err != nil {
				t.Fatal(err)
			}
			got := ruling.NewTally()
			for _, c := range counts {
				got.AddN(c.Version, c.Verdict, c.Outcome, c.Parties, c.Clauses, c.State, c.N)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s, filter %+v: the summary counted from groups\n%+v\ndiffers from the one counted from the listing\n%+v", name, f, got, want)
			}
		}
	}
}

// sharedUCDP is the shared UCDP GED file beside the checkout.
const sharedUCDP = "../../../shared/data/ucdp-ged-syria/ucdp_ged_syria_2016_2019.csv"

// loadCountsFixture imports the shared UCDP file (16,566 events, some
// thousand violations, in zones and out) when it is here and the tests
// are not short, and the demo events otherwise; it says which.
func loadCountsFixture(t *testing.T, a *app.App) bool {
	t.Helper()
	ctx := context.Background()
	if f, err := os.Open(sharedUCDP); err == nil && !testing.Short() {
		defer f.Close()
		if _, err := a.Import(ctx, "ucdp", f, sharedUCDP, app.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		return true
	}
	if _, err := a.ImportDemoEvents(ctx); err != nil {
		t.Fatal(err)
	}
	return false
}

// reviewStates moves violations and undetermined incidents through the
// review: some verified, some disputed (by a party's reply), some
// dismissed, some under review.
func reviewStates(t *testing.T, a *app.App, rev workflow.User, ag string) {
	t.Helper()
	ctx := context.Background()
	for _, v := range []ruling.Verdict{ruling.Violation, ruling.Undetermined} {
		list, _, err := a.Incidents(ctx, app.Operator(), store.Filter{Agreement: ag, Verdict: v, Limit: 40, NoCount: true})
		if err != nil {
			t.Fatal(err)
		}
		for i, in := range list {
			var events []workflow.Event
			switch i % 4 {
			case 0:
				events = []workflow.Event{{Action: workflow.Review}, {Action: workflow.Verify, Reason: "a monitor's report"}}
			case 1:
				events = []workflow.Event{{Action: workflow.Review}, {Action: workflow.Dismiss, Reason: "no such attack"}}
			case 2:
				events = []workflow.Event{{Action: workflow.Review}}
			}
			for _, e := range events {
				if _, err := a.Act(ctx, rev, in.ID, e); err != nil {
					t.Fatal(fmt.Errorf("incident %d: %s: %w", in.ID, e.Action, err))
				}
			}
		}
	}
}

// oldDashboard is how the dashboard counted before the counts were
// grouped in the database: from every incident listed, its ruling
// decoded.
func oldDashboard(list []store.IncidentSummary, a *agreement.Agreement, loc *time.Location) *dashTally {
	d := newDashTally(loc)
	for _, in := range list {
		if in.Ruling == nil {
			continue
		}
		rv := ruling.ReviewOf(in.State)
		if in.Ruling.Verdict == ruling.Undetermined && rv != ruling.Dismissed {
			for _, p := range in.Ruling.Parties {
				d.layer(p, in.Occurred.Start).undetermined++
			}
			continue
		}
		if in.Ruling.Verdict != ruling.Violation {
			continue
		}
		switch rv {
		case ruling.Dismissed:
			d.dismissed++
			continue
		case ruling.Reviewed:
			d.verified++
		default:
			d.underReview++
		}
		d.total++
		for _, p := range in.Ruling.Parties {
			d.byParty.add(p, rv, 1)
			l := d.layer(p, in.Occurred.Start)
			if rv == ruling.Reviewed {
				l.verified++
			} else {
				l.underRev++
			}
		}
		for _, g := range in.Ruling.Guarantors {
			d.byGuarantor.add(g, rv, 1)
		}
		for _, c := range in.Ruling.Clauses {
			d.byClause.add(c, rv, 1)
		}
		if v := a.Version(in.Ruling.Version); v != nil {
			for _, z := range v.Zones {
				if ruling.InZone(z, in.Place) == 1 {
					d.byZone.add(z.ID, rv, 1)
				}
			}
		}
		y, w := in.Occurred.Start.ISOWeek()
		d.byWeek.add(fmt.Sprintf("%d-W%02d", y, w), rv, 1)
		if day := d.dayOf(in.Occurred.Start); in.Occurred.End.Sub(in.Occurred.Start) <= 25*time.Hour {
			d.days[day]++
		}
	}
	return d
}

// oldTally is how /api/rulings/summary counted before: every incident
// listed, its ruling decoded.
func oldTally(list []store.IncidentSummary) *ruling.Tally {
	t := ruling.NewTally()
	for _, it := range list {
		if it.Ruling != nil {
			t.AddIn(*it.Ruling, it.State)
		}
	}
	return t
}

// dashDiff names what differs between two dashboards' counts.
func dashDiff(got, want *dashTally) string {
	var b strings.Builder
	fmt.Fprintf(&b, "totals %d/%d/%d/%d, want %d/%d/%d/%d\n", got.total, got.verified, got.underReview, got.dismissed, want.total, want.verified, want.underReview, want.dismissed)
	for _, m := range []struct {
		name      string
		got, want dashCounts
	}{{"party", got.byParty, want.byParty}, {"guarantor", got.byGuarantor, want.byGuarantor}, {"clause", got.byClause, want.byClause}, {"zone", got.byZone, want.byZone}, {"week", got.byWeek, want.byWeek}} {
		for k, w := range m.want {
			if g := m.got[k]; g == nil || *g != *w {
				fmt.Fprintf(&b, "%s %s: %+v, want %+v\n", m.name, k, g, *w)
			}
		}
		for k, g := range m.got {
			if m.want[k] == nil {
				fmt.Fprintf(&b, "%s %s: %+v, want none\n", m.name, k, *g)
			}
		}
	}
	for p, weeks := range want.partyWeeks {
		for w, l := range weeks {
			if g := got.partyWeeks[p][w]; g == nil || *g != *l {
				fmt.Fprintf(&b, "%s week %s: %+v, want %+v\n", p, w.Format("2006-01-02"), g, *l)
			}
		}
	}
	if !reflect.DeepEqual(got.days, want.days) || !got.first.Equal(want.first) || !got.last.Equal(want.last) {
		fmt.Fprintf(&b, "days or weeks shown differ: %d days, want %d; %s..%s, want %s..%s\n", len(got.days), len(want.days), got.first, got.last, want.first, want.last)
	}
	return b.String()
}
