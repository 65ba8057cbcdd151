package web

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/truce-monitor/truce/internal/agreement"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// The dashboard's counts: violations by party, guarantor, clause, zone and
// week, each party's weeks by layer, and each day's violations. They are
// made from the database's grouped counts (App.RulingCounts), each group
// counted as many times as it holds rulings, so that a view reads a few
// thousand groups instead of every incident and ruling of the agreement.

// dashBar counts the violations of one row of a dashboard table: verified
// (verified or disputed) and under review (reported or under review), by
// the one rule of ruling.ReviewOf.
type dashBar struct {
	Label                 string
	N, Verified, UnderRev int
}

type dashCounts map[string]*dashBar

func (m dashCounts) add(k string, rv ruling.Review, n int) {
	b := m[k]
	if b == nil {
		b = &dashBar{Label: k}
		m[k] = b
	}
	b.N += n
	if rv == ruling.Reviewed {
		b.Verified += n
	} else {
		b.UnderRev += n
	}
}

// dashLayers are a party's week: its violations verified, under review,
// and the undetermined incidents it is at stake in.
type dashLayers struct{ verified, underRev, undetermined int }

// dashTally is what the dashboard shows, counted. Dismissed incidents are
// never counted as violations, only as a number of their own.
type dashTally struct {
	loc                                            *time.Location
	byParty, byGuarantor, byClause, byZone, byWeek dashCounts
	partyWeeks                                     map[string]map[time.Time]*dashLayers
	days                                           map[time.Time]int
	first, last                                    time.Time
	total, verified, underReview, dismissed        int
}

func newDashTally(loc *time.Location) *dashTally {
	return &dashTally{loc: loc, byParty: dashCounts{}, byGuarantor: dashCounts{}, byClause: dashCounts{}, byZone: dashCounts{}, byWeek: dashCounts{},
		partyWeeks: map[string]map[time.Time]*dashLayers{}, days: map[time.Time]int{}}
}

// dayOf is t's day in the agreement's time zone, at noon UTC.
func (d *dashTally) dayOf(t time.Time) time.Time {
	t = t.In(d.loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 12, 0, 0, 0, time.UTC)
}

func (d *dashTally) mondayOf(t time.Time) time.Time {
	day := d.dayOf(t)
	return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
}

// layer is party's week of t, widening the weeks shown.
func (d *dashTally) layer(party string, t time.Time) *dashLayers {
	if d.partyWeeks[party] == nil {
		d.partyWeeks[party] = map[time.Time]*dashLayers{}
	}
	w := d.mondayOf(t)
	if d.partyWeeks[party][w] == nil {
		d.partyWeeks[party][w] = &dashLayers{}
	}
	if d.first.IsZero() || w.Before(d.first) {
		d.first = w
	}
	if w.After(d.last) {
		d.last = w
	}
	return d.partyWeeks[party][w]
}

// add counts a group of c.N rulings with their incidents' spans
// (store.CountBySpan): every table but the zones'.
func (d *dashTally) add(c store.RulingCount) {
	rv := ruling.ReviewOf(c.State)
	if c.Verdict == ruling.Undetermined && rv != ruling.Dismissed {
		for _, p := range c.Parties {
			d.layer(p, c.Start).undetermined += c.N
		}
		return
	}
	if c.Verdict != ruling.Violation {
		return
	}
	switch rv {
	case ruling.Dismissed:
		d.dismissed += c.N
		return
	case ruling.Reviewed:
		d.verified += c.N
	default:
		d.underReview += c.N
	}
	d.total += c.N
	for _, p := range c.Parties {
		d.byParty.add(p, rv, c.N)
		l := d.layer(p, c.Start)
		if rv == ruling.Reviewed {
			l.verified += c.N
		} else {
			l.underRev += c.N
		}
	}
	for _, g := range c.Guarantors {
		d.byGuarantor.add(g, rv, c.N)
	}
	for _, cl := range c.Clauses {
		d.byClause.add(cl, rv, c.N)
	}
	// The week of the start as the incident's document gave it, in the
	// zone its dates were read in (the agreement's); the row holds UTC.
	y, w := c.Start.In(d.loc).ISOWeek()
	d.byWeek.add(fmt.Sprintf("%d-W%02d", y, w), rv, c.N)
	if c.End.Sub(c.Start) <= 25*time.Hour {
		d.days[d.dayOf(c.Start)] += c.N
	}
}

// addZones counts n violations of an incident at place p, ruled under
// version of a, in the zones of that version p lies in.
func (d *dashTally) addZones(a *agreement.Agreement, version int, state incident.State, p incident.Place, n int) {
	rv := ruling.ReviewOf(state)
	if rv == ruling.Dismissed {
		return
	}
	if v := a.Version(version); v != nil {
		for _, z := range v.Zones {
			if ruling.InZone(z, p) == 1 {
				d.byZone.add(z.ID, rv, n)
			}
		}
	}
}

// polygonZones says whether a version of a has a zone drawn as a polygon,
// which a place's P-codes cannot decide (ruling.InZone needs its point).
func polygonZones(a *agreement.Agreement) bool {
	for _, v := range a.Versions {
		for _, z := range v.Zones {
			if z.Polygon != nil {
				return true
			}
		}
	}
	return false
}

// countDashboard counts the dashboard of agreement a for viewer u: the
// violations and the undetermined rulings grouped by span, and the
// violations' zones grouped by place (from the P-codes an incident's row
// holds; from each violation's place when a zone is a polygon). The
// three are asked at once: after a write each is counted again, at a
// million incidents 0.7-1.9 s apiece, which one after the other made the
// first view 2.3 s on SQLite and 2.8-3.0 s on PostgreSQL.
func countDashboard(ctx context.Context, ap dashSource, u *workflow.User, a *agreement.Agreement, loc *time.Location) (*dashTally, error) {
	violations := store.Filter{Agreement: a.ID, Verdict: ruling.Violation}
	polygons := polygonZones(a)
	var (
		spans  [2][]store.RulingCount
		places []store.RulingCount
		list   []store.IncidentSummary
	)
	g, gctx := errgroup.WithContext(ctx)
	for i, v := range []ruling.Verdict{ruling.Violation, ruling.Undetermined} {
		g.Go(func() (err error) {
			spans[i], err = ap.RulingCounts(gctx, u, store.Filter{Agreement: a.ID, Verdict: v}, store.CountBySpan)
			return err
		})
	}
	g.Go(func() (err error) {
		if polygons {
			f := violations
			f.NoCount = true
			list, _, err = ap.Incidents(gctx, u, f)
			return err
		}
		places, err = ap.RulingCounts(gctx, u, violations, store.CountByPlace)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	d := newDashTally(loc)
	for _, counts := range spans {
		for _, c := range counts {
			d.add(c)
		}
	}
	for _, in := range list {
		if in.Ruling != nil {
			d.addZones(a, in.Ruling.Version, in.State, in.Place, 1)
		}
	}
	for _, c := range places {
		// What ruling.InZone reads of a place for zones of P-codes.
		p := incident.Place{Admin3: c.Admin3, Area: c.Area, HasPoint: c.Point}
		if c.Point {
			p.Precision = incident.PlaceExact
		}
		d.addZones(a, c.Version, c.State, p, c.N)
	}
	return d, nil
}

// dashSource is what countDashboard reads: the application.
type dashSource interface {
	RulingCounts(ctx context.Context, u *workflow.User, f store.Filter, by store.CountBy) ([]store.RulingCount, error)
	Incidents(ctx context.Context, u *workflow.User, f store.Filter) ([]store.IncidentSummary, int, error)
}
