package alert

import (
	"slices"
	"time"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/agreement"
	"github.com/truce-monitor/truce/internal/boundary"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
)

// Districts are the admin2 units of the boundaries, named with their
// governorate, for Input.Units.
func Districts(b *boundary.Set) []Unit {
	var out []Unit
	for _, u := range b.Units(2) {
		gov := ""
		if p, ok := b.Unit(u.Parent); ok {
			gov = p.Name
		}
		out = append(out, Unit{Key: u.PCode, Level: District, Name: u.Name, Within: gov})
	}
	return out
}

// Zones are the zones of some agreements as units: where an incident
// lies is decided as the ruling engine decides it (ruling.InZone), with
// the zone as the version in force on the incident's day draws it.
type Zones struct {
	list []zoneUnit
}

type zoneUnit struct {
	unit Unit
	defs []zoneDef // by time
}

// zoneDef is a zone as one version of its agreement draws it, and when
// that version is in force.
type zoneDef struct {
	from, to time.Time // to zero: open
	zone     *agreement.Zone
}

// NewZones makes the zones of the agreements units, each tested on the
// days a version of its agreement has it (days in loc).
func NewZones(ags []*agreement.Agreement, loc *time.Location) *Zones {
	z := &Zones{}
	for _, ag := range ags {
		byID := map[string]int{}
		for _, p := range ag.Periods() {
			for _, zn := range p.Version.Zones {
				i, ok := byID[zn.ID]
				if !ok {
					i = len(z.list)
					byID[zn.ID] = i
					z.list = append(z.list, zoneUnit{unit: Unit{Key: ag.ID + "/" + zn.ID, Level: Zone, Name: zn.Name, Within: ag.ID}})
				}
				zu := &z.list[i]
				zu.defs = append(zu.defs, zoneDef{from: p.From, to: p.To, zone: zn})
				for _, pc := range zn.PCodes {
					if !slices.Contains(zu.unit.PCodes, pc) {
						zu.unit.PCodes = append(zu.unit.PCodes, pc)
					}
				}
			}
		}
	}
	for i := range z.list {
		zu := &z.list[i]
		zu.unit.From = DayOf(zu.defs[0].from, loc)
		if end := zu.defs[len(zu.defs)-1].to; !end.IsZero() {
			zu.unit.To = DayOf(end, loc)
		}
	}
	return z
}

// Units are the zones as units.
func (z *Zones) Units() []Unit {
	if z == nil {
		return nil
	}
	out := make([]Unit, len(z.list))
	for i, zu := range z.list {
		out[i] = zu.unit
	}
	return out
}

// In are the keys of the zones a place lies in at t: by the version in
// force at t, or, before a zone's first version (after its last), by the
// first (last) one, so that a zone's first days have a baseline drawn on
// the same ground.
func (z *Zones) In(p incident.Place, t time.Time) []string {
	if z == nil {
		return nil
	}
	var out []string
	for _, zu := range z.list {
		def := zu.defs[0]
		for _, d := range zu.defs {
			if !t.Before(d.from) {
				def = d
			}
		}
		if ruling.InZone(def.zone, p) == 1 {
			out = append(out, zu.unit.Key)
		}
	}
	return out
}

// EventOf is an incident as the detector counts it, if it counts: an act
// of armed violence (KindsOf), known to the day in loc (an incident known
// only to the week or month is left out rather than piled on its first
// day), in a known district or zone.
func EventOf(id int64, when incident.TimeSpan, p incident.Place, a act.Type, loc *time.Location, z *Zones) (Event, bool) {
	if len(KindsOf(a)) == 0 || !when.Valid() {
		return Event{}, false
	}
	day := DayOf(when.Start, loc)
	if DayOf(when.End.Add(-time.Nanosecond), loc) != day {
		return Event{}, false
	}
	var units []string
	if p.Admin2 != "" {
		units = append(units, p.Admin2)
	}
	units = append(units, z.In(p, when.Start)...)
	if len(units) == 0 {
		return Event{}, false
	}
	return Event{ID: id, Day: day, Act: a, Units: units}, true
}
