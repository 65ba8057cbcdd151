// Package ged reads a UCDP GED CSV file into the alert detector's events
// for the backtest, through the importer's own UCDP reader (so that an
// event is placed and coded exactly as "truce import ucdp" would place
// and code it), storing nothing.
package ged

import (
	"fmt"
	"io"
	"io/fs"
	"path"
	"strconv"
	"time"

	"github.com/truce-monitor/truce/internal/actor"
	"github.com/truce-monitor/truce/internal/agreement"
	"github.com/truce-monitor/truce/internal/alert"
	"github.com/truce-monitor/truce/internal/boundary"
	"github.com/truce-monitor/truce/internal/bundled"
	"github.com/truce-monitor/truce/internal/gazetteer"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/importer/ucdp"
)

// Stats count what became of the file's rows.
type Stats struct {
	Rows int `json:"rows"`
	// Rejected rows are those the importer would reject.
	Rejected int `json:"rejected"`
	// Outside rows lie outside the period read.
	Outside int `json:"outside"`
	// NotDaily rows are events known only to several days (GED date_prec
	// 2 to 5); NoUnit, events placed in no district nor zone (GED
	// where_prec 4 to 7: a governorate, a region, the country);
	// NotViolent, acts the detector does not count.
	NotDaily   int `json:"not_daily"`
	NoUnit     int `json:"no_unit"`
	NotViolent int `json:"not_violent"`
	// Counted rows are the events the detector reads.
	Counted int `json:"counted"`
}

func (s Stats) String() string {
	return fmt.Sprintf("%d rows: %d counted; left out: %d rejected, %d outside the period, %d known only to several days, %d placed in no district or zone, %d not armed violence",
		s.Rows, s.Counted, s.Rejected, s.Outside, s.NotDaily, s.NoUnit, s.NotViolent)
}

// Events reads a GED CSV file: the events of cfg's period, each on its
// day in cfg.Location, in its district and the zones it lies in.
func Events(r io.Reader, file string, cfg ucdp.Config, zones *alert.Zones) ([]alert.Event, Stats, error) {
	var st Stats
	rd, err := ucdp.NewReader(r, file, cfg)
	if err != nil {
		return nil, st, err
	}
	loc := cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	now := time.Now()
	var out []alert.Event
	for {
		row, ok, err := rd.Next()
		if err != nil {
			return nil, st, err
		}
		if !ok {
			break
		}
		st.Rows++
		rep := row.Report
		switch {
		case row.Err != nil:
			st.Rejected++
			continue
		case rep == nil:
			st.Outside++
			continue
		case importer.Check(rep, now) != nil:
			st.Rejected++
			continue
		case len(alert.KindsOf(rep.Act)) == 0:
			st.NotViolent++
			continue
		}
		id, err := strconv.ParseInt(rep.SourceID, 10, 64)
		if err != nil {
			st.Rejected++
			continue
		}
		ev, ok := alert.EventOf(id, rep.Occurred, rep.Place, rep.Act, loc, zones)
		if !ok {
			if alert.DayOf(rep.Occurred.Start, loc) != alert.DayOf(rep.Occurred.End.Add(-time.Nanosecond), loc) {
				st.NotDaily++
			} else {
				st.NoUnit++
			}
			continue
		}
		st.Counted++
		out = append(out, ev)
	}
	return out, st, nil
}

// Reference is the shipped data the backtest reads the file with (as
// app.LoadGeography and app.LoadActors load it).
type Reference struct {
	Actors     *actor.Registry
	Boundaries *boundary.Set
	Places     *gazetteer.Gazetteer
}

// ShippedAgreements loads the agreements shipped with truce (their zones
// are units of the backtest; their time zone, that of its days).
func ShippedAgreements(ref Reference) ([]*agreement.Agreement, error) {
	names, err := fs.Glob(bundled.FS, path.Join(bundled.Agreements, "*.yaml"))
	if err != nil {
		return nil, err
	}
	chk := agreement.Checker{
		KnownActor: func(id string) bool { _, ok := ref.Actors.Get(id); return ok },
		KnownPCode: func(pc string) bool { _, ok := ref.Boundaries.Unit(pc); return ok },
	}
	var ags []*agreement.Agreement
	for _, n := range names {
		f, err := bundled.FS.Open(n)
		if err != nil {
			return nil, err
		}
		ag, err := agreement.Load(f, path.Base(n), chk)
		f.Close()
		if err != nil {
			return nil, err
		}
		ags = append(ags, ag)
	}
	return ags, nil
}

// Result is a backtest's outcome.
type Result struct {
	Stats  Stats         `json:"stats"`
	Report *alert.Report `json:"report"`
	Alerts []alert.Alert `json:"alerts"`
	// Read is how long reading the file took, Detect how long the
	// detector and the scoring took.
	Read   time.Duration `json:"-"`
	Detect time.Duration `json:"-"`
}

// Backtest reads a GED file and runs the detector over the days [from,
// to] (inclusive; the shipped agreements' time zone), with their zones as
// units beside the districts, scoring its alerts against offs.
func Backtest(r io.Reader, file string, ref Reference, from, to alert.Day, cfg alert.Config, offs []alert.Offensive) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ags, err := ShippedAgreements(ref)
	if err != nil {
		return nil, err
	}
	loc := time.UTC
	if len(ags) > 0 {
		loc = ags[0].Location
	}
	zones := alert.NewZones(ags, loc)
	started := time.Now()
	events, stats, err := Events(r, file, ucdp.Config{Actors: ref.Actors, Boundaries: ref.Boundaries, Places: ref.Places, Location: loc,
		From: (from - alert.Day(cfg.History())).Start(loc), To: (to + 1).Start(loc)}, zones)
	if err != nil {
		return nil, err
	}
	res := &Result{Stats: stats, Read: time.Since(started)}
	var dataTo alert.Day
	for _, e := range events {
		dataTo = max(dataTo, e.Day)
	}
	started = time.Now()
	units := append(alert.Districts(ref.Boundaries), zones.Units()...)
	res.Report, res.Alerts, err = alert.Backtest(alert.Input{From: from, To: to + 1, Units: units, Events: events}, cfg, offs, alert.DefaultScoring(), dataTo)
	res.Detect = time.Since(started)
	return res, err
}
