// Package agreement holds ceasefire agreements as data: who the parties
// and guarantors are, whom each guarantor answers for, who is excluded,
// which acts are prohibited where and when, and how all of that changed
// from one version to the next.
package agreement

import (
	"time"

	"github.com/paulmach/orb"

	"github.com/truce-monitor/truce/internal/act"
)

// Agreement is a ceasefire with all its versions. A version is never edited
// once recorded: every change is a new version.
type Agreement struct {
	ID       string     `yaml:"id" json:"id"`
	Title    string     `yaml:"title" json:"title"`
	TimeZone string     `yaml:"timezone" json:"timezone"`
	Notes    string     `yaml:"notes,omitempty" json:"notes,omitempty"`
	Versions []*Version `yaml:"versions" json:"versions"`

	// File is where the agreement was loaded from, for messages.
	File string `yaml:"-" json:"-"`
	// Location is TimeZone, loaded.
	Location *time.Location `yaml:"-" json:"-"`
	// lines maps a field path such as "versions[1].clauses[0].zones" to
	// its line in File, so that every message can point at the source.
	lines map[string]int
}

// Version is the agreement as it stood from one date. Versions are complete
// in themselves, so that a version can be read and ruled on alone; YAML
// anchors keep the file short.
type Version struct {
	Number        int          `yaml:"version" json:"version"`
	Label         string       `yaml:"label" json:"label"`
	Document      string       `yaml:"document,omitempty" json:"document,omitempty"`
	EffectiveFrom string       `yaml:"effective_from" json:"effective_from"`
	EffectiveTo   string       `yaml:"effective_to,omitempty" json:"effective_to,omitempty"`
	Parties       []*Party     `yaml:"parties" json:"parties"`
	Guarantors    []*Guarantor `yaml:"guarantors" json:"guarantors"`
	Excluded      []*Excluded  `yaml:"excluded,omitempty" json:"excluded,omitempty"`
	Zones         []*Zone      `yaml:"zones,omitempty" json:"zones,omitempty"`
	Clauses       []*Clause    `yaml:"clauses" json:"clauses"`

	// From and To are EffectiveFrom and EffectiveTo resolved. To is zero
	// when the version holds until the next one (or indefinitely); End
	// gives the instant it actually stops.
	From time.Time `yaml:"-" json:"-"`
	To   time.Time `yaml:"-" json:"-"`
}

// Party is a side bound by the agreement.
type Party struct {
	ID     string   `yaml:"id" json:"id"`
	Name   string   `yaml:"name" json:"name"`
	Actors []string `yaml:"actors" json:"actors"`
}

// Guarantor answers for the compliance of some parties. Forces lists the
// guarantor's own armed forces, so that acts by them can be recognised.
// ForcesSide is the party on whose side those forces fight, when the
// version's drafters record it: their acts are then judged as that
// party's, and the guarantor has a conflict of interest in rulings on
// them. Empty means the version binds them to no side, and their acts
// are left to the Joint Group.
type Guarantor struct {
	ID         string   `yaml:"id" json:"id"`
	Name       string   `yaml:"name" json:"name"`
	AnswersFor []string `yaml:"answers_for" json:"answers_for"`
	Forces     []string `yaml:"forces,omitempty" json:"forces,omitempty"`
	ForcesSide string   `yaml:"forces_side,omitempty" json:"forces_side,omitempty"`
}

// Excluded is a group the ceasefire does not cover: it is not bound by the
// agreement, and fighting it is no violation.
type Excluded struct {
	ID     string   `yaml:"id" json:"id"`
	Name   string   `yaml:"name" json:"name"`
	Actors []string `yaml:"actors" json:"actors"`
}

// Zone is an area some clauses are limited to: a union of administrative
// units by P-code, a drawn polygon, or both.
type Zone struct {
	ID       string         `yaml:"id" json:"id"`
	Name     string         `yaml:"name" json:"name"`
	PCodes   []string       `yaml:"pcodes,omitempty" json:"pcodes,omitempty"`
	Geometry map[string]any `yaml:"geometry,omitempty" json:"geometry,omitempty"`

	// Polygon is Geometry parsed; nil when the zone is P-codes only.
	Polygon orb.MultiPolygon `yaml:"-" json:"-"`
}

// Window limits a clause in time within its version.
type Window struct {
	From string `yaml:"from,omitempty" json:"from,omitempty"`
	To   string `yaml:"to,omitempty" json:"to,omitempty"`

	from, to time.Time
}

// Protected is whom a clause protects: "parties" (any other party),
// "civilians", or a party id.
type Protected = string

const (
	ProtectsParties   Protected = "parties"
	ProtectsCivilians Protected = "civilians"
)

// Clause prohibits act types, optionally only in some zones, in a window,
// and only against some targets.
type Clause struct {
	ID        string      `yaml:"id" json:"id"`
	Title     string      `yaml:"title" json:"title"`
	Reference string      `yaml:"reference" json:"reference"`
	Prohibits []act.Type  `yaml:"prohibits" json:"prohibits"`
	Protects  []Protected `yaml:"protects,omitempty" json:"protects,omitempty"`
	Zones     []string    `yaml:"zones,omitempty" json:"zones,omitempty"`
	Window    *Window     `yaml:"window,omitempty" json:"window,omitempty"`
	// Obligations names the humanitarian duties the clause carries, so
	// that a record of aid access, a siege, an exchange or an evacuation
	// finds the clause it tests; a clause without them is a truce of
	// arms only. Each obligation requires the clause to prohibit the act
	// type that breaches it (ObligationActs).
	Obligations []Obligation `yaml:"obligations,omitempty" json:"obligations,omitempty"`
}

// Obligation is a humanitarian duty a clause carries.
type Obligation = string

const (
	// ObligeAccess: unhindered access for humanitarian aid.
	ObligeAccess Obligation = "access"
	// ObligeNoSiege: no siege of civilians.
	ObligeNoSiege Obligation = "no_siege"
	// ObligeExchange: release and exchange of detainees and abductees,
	// and handover of bodies, on agreed lists.
	ObligeExchange Obligation = "detainee_exchange"
	// ObligeEvacuation: evacuations under their agreed terms.
	ObligeEvacuation Obligation = "evacuation"
)

// ObligationActs is the act type that breaches each obligation.
var ObligationActs = map[Obligation]act.Type{
	ObligeAccess:     act.AidObstruction,
	ObligeNoSiege:    act.Siege,
	ObligeExchange:   act.ExchangeBreach,
	ObligeEvacuation: act.EvacuationBreach,
}

// Carrying returns the clauses of the version that carry obligation o.
func (v *Version) Carrying(o Obligation) []*Clause {
	var out []*Clause
	for _, c := range v.Clauses {
		if contains(c.Obligations, o) {
			out = append(out, c)
		}
	}
	return out
}

// End is the instant the version stops applying given the version after it
// (nil for the last); zero means it has not ended.
func (v *Version) End(next *Version) time.Time {
	end := v.To
	if next != nil && (end.IsZero() || next.From.Before(end)) {
		end = next.From
	}
	return end
}

// Party returns the party with the given id.
func (v *Version) Party(id string) *Party {
	for _, p := range v.Parties {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// Zone returns the zone with the given id.
func (v *Version) Zone(id string) *Zone {
	for _, z := range v.Zones {
		if z.ID == id {
			return z
		}
	}
	return nil
}

// Clause returns the clause with the given id.
func (v *Version) Clause(id string) *Clause {
	for _, c := range v.Clauses {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// AnsweringFor returns the ids of the guarantors that answer for party.
func (v *Version) AnsweringFor(party string) []string {
	var out []string
	for _, g := range v.Guarantors {
		for _, p := range g.AnswersFor {
			if p == party {
				out = append(out, g.ID)
				break
			}
		}
	}
	return out
}

// Affiliation is what an actor is under one version of an agreement.
type Affiliation struct {
	Party     string // party id, when the actor belongs to a party
	Excluded  string // excluded-group id
	Guarantor string // guarantor id, when the actor is a guarantor's own forces
	// Side is the party a guarantor's forces fight beside (the
	// guarantor's ForcesSide); empty for every other actor.
	Side string
}

// Affiliation looks an actor id up in the version.
func (v *Version) Affiliation(actorID string) Affiliation {
	for _, p := range v.Parties {
		if contains(p.Actors, actorID) {
			return Affiliation{Party: p.ID}
		}
	}
	for _, x := range v.Excluded {
		if contains(x.Actors, actorID) {
			return Affiliation{Excluded: x.ID}
		}
	}
	for _, g := range v.Guarantors {
		if contains(g.Forces, actorID) {
			return Affiliation{Guarantor: g.ID, Side: g.ForcesSide}
		}
	}
	return Affiliation{}
}

// Prohibits reports whether the clause prohibits t.
func (c *Clause) ProhibitsAct(t act.Type) bool {
	for _, p := range c.Prohibits {
		if p == t {
			return true
		}
	}
	return false
}

// ProtectsTarget reports whether the clause protects civilians or, for a
// party target, whether it protects that party against the perpetrator.
func (c *Clause) ProtectsTarget(civilians bool, targetParty, perpetratorParty string) bool {
	protects := c.Protects
	if len(protects) == 0 {
		protects = []Protected{ProtectsParties, ProtectsCivilians}
	}
	for _, p := range protects {
		switch {
		case civilians && p == ProtectsCivilians:
			return true
		case targetParty != "" && p == ProtectsParties && targetParty != perpetratorParty:
			return true
		case targetParty != "" && p == targetParty && targetParty != perpetratorParty:
			return true
		}
	}
	return false
}

// InWindow reports where a span lies relative to the clause's window:
// -1 entirely outside, 0 partly inside, 1 entirely inside (or no window).
func (c *Clause) InWindow(start, end time.Time) int {
	if c.Window == nil {
		return 1
	}
	return overlap(start, end, c.Window.from, c.Window.to)
}

// overlap classifies [start,end) against [from,to) where a zero bound is
// open: -1 disjoint, 0 partial, 1 contained.
func overlap(start, end, from, to time.Time) int {
	afterFrom := from.IsZero() || !start.Before(from)
	beforeTo := to.IsZero() || !end.After(to)
	if afterFrom && beforeTo {
		return 1
	}
	if (!to.IsZero() && !start.Before(to)) || (!from.IsZero() && !end.After(from)) {
		return -1
	}
	return 0
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
