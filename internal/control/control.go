// Package control holds who controlled which ground when, as versioned
// layers of data each of which says whose claim it is. A ruling on an
// attack that names no target depends on who held the place attacked (an
// area held by a group outside the truce is not protected by it), and
// that is exactly what the sides dispute: so control is never one truth
// built into truce, but one layer per claimant (an encyclopaedia, a party,
// a guarantor), every row citing its source, and the engine shows the
// outcome under each claim and marks the ruling disputed where claims
// differ.
//
// A layer is loaded from the bytes of a YAML file and its name (Load), so
// that the bytes can be stored, logged and reloaded unchanged. The format
// is described in docs/control.md.
package control

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/planar"

	"github.com/truce-monitor/truce/internal/boundary"
	"github.com/truce-monitor/truce/internal/incident"
)

// Layer is one claimant's account of control, as loaded from one file.
// It is not changed after Load, so one value serves all goroutines.
type Layer struct {
	ID       string
	Claimant string
	Version  int
	Label    string
	TimeZone string
	Location *time.Location
	// From and To are the period the layer speaks for; To may be zero
	// (open). A row reaches no further than the period: a row without an
	// end means "still held when the layer's period ends", not "for ever".
	From, To time.Time
	Notes    string
	Rows     []*Row
	// File, Source and Digest are the file name, its bytes exactly as
	// loaded, and their SHA-256 in hex: what a store keeps and a log
	// entry names.
	File   string
	Source []byte
	Digest string
}

// Row is one statement of a layer: this unit was held by these actors in
// this period, according to this source. Rows are shared by every Claim
// that cites them and must not be modified.
type Row struct {
	// Line is the row's line in the layer's file.
	Line int
	// Exactly one of PCode, Place and Geometry says where.
	//
	// PCode is an OCHA administrative unit (governorate, district or
	// sub-district); the row covers all of it and every unit inside.
	PCode string
	// Place is a town, village or city neighbourhood as written in the
	// file, resolved through the gazetteer to Lat, Lon and Admin3 (the
	// sub-district it lies in) when loaded; the row covers the points
	// within RadiusKM of it.
	Place    string
	In       string
	Lat, Lon float64
	Admin3   string
	RadiusKM float64
	// Geometry is a polygon or multipolygon drawn by the claimant.
	Geometry orb.MultiPolygon
	// From and To bound the row's period [From, To); To may be zero
	// (until the end of the layer's period).
	From, To time.Time
	// Actors are the actor registry ids that held the unit; several
	// actors held it jointly (a coalition whose members shared the ground).
	Actors []string
	// Partial says the actors held only part of the unit: a front line
	// ran through it. A partial row never decides alone who held a place.
	Partial bool
	Source  string
	Note    string

	bound orb.Bound // of Geometry
}

// Where describes the row's ground for explanations.
func (r *Row) Where() string {
	switch {
	case r.PCode != "":
		return r.PCode
	case r.Place != "":
		return fmt.Sprintf("%s (%s, %.4f,%.4f, %g km)", r.Place, r.Admin3, r.Lat, r.Lon, r.RadiusKM)
	default:
		c, _ := planar.CentroidArea(r.Geometry)
		return fmt.Sprintf("polygon around %.4f,%.4f", c.Lat(), c.Lon())
	}
}

// rank orders how specific a row's ground is: where rows of one layer
// overlap, the most specific one speaks for the points it covers (a town
// held by one side inside a sub-district held by the other).
func (r *Row) rank() int {
	if r.PCode == "" {
		return 0
	}
	switch len(r.PCode) {
	case 8:
		return 1
	case 6:
		return 2
	case 4:
		return 3
	}
	return 4
}

// activeAt reports whether the row speaks for instant t, within the
// layer's period.
func (r *Row) activeAt(t time.Time, l *Layer) bool {
	return !t.Before(r.From) && (r.To.IsZero() || t.Before(r.To)) &&
		!t.Before(l.From) && (l.To.IsZero() || t.Before(l.To))
}

func (r *Row) containsPoint(lat, lon float64, admin3 string) bool {
	switch {
	case r.PCode != "":
		return admin3 != "" && boundary.Within(admin3, r.PCode)
	case r.Place != "":
		return geo.Distance(orb.Point{r.Lon, r.Lat}, orb.Point{lon, lat}) <= r.RadiusKM*1000
	default:
		p := orb.Point{lon, lat}
		return r.bound.Contains(p) && planar.MultiPolygonContains(r.Geometry, p)
	}
}

// Geography is what a Set needs of the administrative units: the
// sub-districts inside a unit, and the units around a point. A
// *boundary.Set provides both.
type Geography interface {
	Units(level int) []boundary.Unit
	Locate(lat, lon float64) (boundary.Admin, bool)
}

// Set is the layers a ruling consults. It is not changed after NewSet.
type Set struct {
	geo    Geography
	layers []*Layer
	admin3 []string
	// inner[layer][admin3] are the rows of that layer whose ground lies
	// inside the sub-district (towns, polygons): they make a sub-district
	// held by one side not wholly held by it.
	inner map[*Layer]map[string][]*Row
}

// NewSet makes the set of layers rulings consult. Of layers sharing an
// id, only the highest version is consulted: a claimant corrects its
// account by issuing a new version. Two layers with the same id and
// version are an error.
func NewSet(geo Geography, layers ...*Layer) (*Set, error) {
	s := &Set{geo: geo, inner: map[*Layer]map[string][]*Row{}}
	for _, u := range geo.Units(3) {
		s.admin3 = append(s.admin3, u.PCode)
	}
	latest := map[string]*Layer{}
	for _, l := range layers {
		if prev, ok := latest[l.ID]; ok {
			if prev.Version == l.Version {
				return nil, fmt.Errorf("control layer %s version %d is given twice (%s and %s)", l.ID, l.Version, prev.File, l.File)
			}
			if prev.Version > l.Version {
				continue
			}
		}
		latest[l.ID] = l
	}
	for _, l := range latest {
		s.layers = append(s.layers, l)
		in := map[string][]*Row{}
		for _, r := range l.Rows {
			switch {
			case r.Place != "":
				in[r.Admin3] = append(in[r.Admin3], r)
			case r.Geometry != nil:
				for _, u := range touched(geo, r) {
					in[u] = append(in[u], r)
				}
			}
		}
		s.inner[l] = in
	}
	slices.SortFunc(s.layers, func(a, b *Layer) int { return strings.Compare(a.ID, b.ID) })
	return s, nil
}

// Layers returns the layers the set consults, by id.
func (s *Set) Layers() []*Layer { return slices.Clone(s.layers) }

// touchStep is the spacing, in degrees (about 2 km), of the points at
// which a polygon is sampled to find the sub-districts it reaches: fine
// enough for any polygon drawn around a town or a front, and no polygon
// needs more than a few thousand samples.
const touchStep = 0.02

// touched returns the sub-districts a polygon row reaches: those holding
// one of its vertices or one of a grid of points inside it.
func touched(g Geography, r *Row) []string {
	seen := map[string]bool{}
	add := func(p orb.Point) {
		if a, ok := g.Locate(p.Lat(), p.Lon()); ok && a.Admin3 != "" {
			seen[a.Admin3] = true
		}
	}
	for _, poly := range r.Geometry {
		for _, ring := range poly {
			for _, p := range ring {
				add(p)
			}
		}
	}
	for x := r.bound.Min.Lon(); x <= r.bound.Max.Lon(); x += touchStep {
		for y := r.bound.Min.Lat(); y <= r.bound.Max.Lat(); y += touchStep {
			if p := (orb.Point{x, y}); planar.MultiPolygonContains(r.Geometry, p) {
				add(p)
			}
		}
	}
	out := make([]string, 0, len(seen))
	for u := range seen {
		out = append(out, u)
	}
	slices.Sort(out)
	return out
}

// Claim is what one layer says of who held a place over a time span.
type Claim struct {
	Layer    string
	Version  int
	Claimant string
	Label    string
	// Holdings cut the span where what the layer says changes, in time
	// order, and together cover all of it.
	Holdings []Holding
}

// Holding is what a layer says of the place for one part of the span.
type Holding struct {
	From, To time.Time
	// Actors held the place. None: the layer says nothing of it then.
	// Several: held jointly, or (with Partial) in parts by each.
	Actors []string
	// Partial says the layer knows only who held part of the place: a
	// front ran through it, or only some of the units of an area are
	// covered, or an area's units were held by different actors.
	Partial bool
	// Rows are the rows the holding rests on, each with its source.
	Rows []*Row
}

// Holder returns who held the place throughout the span according to the
// claim: ok only when one holding covers the whole span and names the
// whole place. Several actors held it jointly.
func (c Claim) Holder() (actors []string, ok bool) {
	if len(c.Holdings) != 1 || c.Holdings[0].Partial || len(c.Holdings[0].Actors) == 0 {
		return nil, false
	}
	return c.Holdings[0].Actors, true
}

// Says reports whether the layer says anything of the place in the span.
func (c Claim) Says() bool {
	for _, h := range c.Holdings {
		if len(h.Actors) > 0 {
			return true
		}
	}
	return false
}

// Sources are the distinct sources the claim rests on, in the order of
// its holdings.
func (c Claim) Sources() []string {
	var out []string
	for _, h := range c.Holdings {
		for _, r := range h.Rows {
			if !slices.Contains(out, r.Source) {
				out = append(out, r.Source)
			}
		}
	}
	return out
}

// String explains the claim in one line per holding, for the ruling's
// explanation and the command line.
func (c Claim) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (layer %s v%d):", c.Claimant, c.Layer, c.Version)
	for _, h := range c.Holdings {
		b.WriteString("\n  ")
		b.WriteString(h.String())
	}
	return b.String()
}

func (h Holding) String() string {
	when := incident.TimeSpan{Start: h.From, End: h.To}.String()
	switch {
	case len(h.Actors) == 0:
		return when + ": not known"
	case h.Partial:
		return fmt.Sprintf("%s: part held by %s (no single holder of the whole place)%s", when, strings.Join(h.Actors, ", "), rowsText(h.Rows))
	case len(h.Actors) > 1:
		return fmt.Sprintf("%s: held jointly by %s%s", when, strings.Join(h.Actors, " and "), rowsText(h.Rows))
	}
	return fmt.Sprintf("%s: held by %s%s", when, h.Actors[0], rowsText(h.Rows))
}

func rowsText(rows []*Row) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "; %s line %d: %s [%s]", r.Where(), r.Line, strings.Join(r.Actors, "+"), r.Source)
	}
	return b.String()
}

// Disputed reports whether claims disagree: two claims that say something
// of the place name different holders or a different part of it. A claim
// that says nothing disputes nothing.
func Disputed(claims []Claim) bool {
	var first string
	seen := false
	for _, c := range claims {
		if !c.Says() {
			continue
		}
		sig := outcome(c)
		if seen && sig != first {
			return true
		}
		first, seen = sig, true
	}
	return false
}

// outcome summarises what a claim says, ignoring its dates and rows: two
// claimants who agree on who held a place need not cite the same source
// or date a handover alike.
func outcome(c Claim) string {
	var parts []string
	for _, h := range c.Holdings {
		if len(h.Actors) == 0 {
			continue
		}
		p := strings.Join(h.Actors, "+")
		if h.Partial {
			p += " (part)"
		}
		if !slices.Contains(parts, p) {
			parts = append(parts, p)
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, "|")
}

// At returns, for each layer of the set (by id), who held the place over
// the span. A place with a meaningful point (exact or near) is judged by
// the point: the most specific rows containing it speak (a town's row
// before its sub-district's). A place known only to a unit is judged by
// every sub-district in it: one holder only if all of them, and all towns
// and polygons inside them, agree. A span over a change of control gives
// a holding for each side of it, and a layer that says nothing of part of
// the span gives an empty holding there: the caller decides.
func (s *Set) At(p incident.Place, span incident.TimeSpan) []Claim {
	claims := make([]Claim, 0, len(s.layers))
	for _, l := range s.layers {
		c := Claim{Layer: l.ID, Version: l.Version, Claimant: l.Claimant, Label: l.Label}
		if !span.Valid() {
			c.Holdings = []Holding{{From: span.Start, To: span.End}}
		} else {
			c.Holdings = s.holdings(l, p, span)
		}
		claims = append(claims, c)
	}
	return claims
}

// state is what a layer says of the place at one instant.
type state struct {
	actors  []string
	partial bool
	rows    []*Row
}

func (st state) same(o state) bool {
	return st.partial == o.partial && slices.Equal(st.actors, o.actors)
}

func (s *Set) holdings(l *Layer, p incident.Place, span incident.TimeSpan) []Holding {
	point := p.HasPoint && p.Precision.PointMeaningful()
	var units []string
	admin3 := p.Admin3
	switch {
	case !point:
		units = s.unitsOf(p)
	case admin3 == "":
		if a, ok := s.geo.Locate(p.Lat, p.Lon); ok {
			admin3 = a.Admin3
		}
	}
	// The instants at which what the layer says may change.
	cuts := []time.Time{span.Start, span.End}
	for _, t := range []time.Time{l.From, l.To} {
		if t.After(span.Start) && t.Before(span.End) {
			cuts = append(cuts, t)
		}
	}
	for _, r := range l.Rows {
		for _, t := range []time.Time{r.From, r.To} {
			if t.After(span.Start) && t.Before(span.End) {
				cuts = append(cuts, t)
			}
		}
	}
	slices.SortFunc(cuts, func(a, b time.Time) int { return a.Compare(b) })
	cuts = slices.CompactFunc(cuts, func(a, b time.Time) bool { return a.Equal(b) })

	var out []Holding
	for i := 0; i+1 < len(cuts); i++ {
		t := cuts[i]
		var st state
		if point {
			st = s.atPoint(l, p, admin3, t)
		} else {
			st = s.atUnits(l, units, t)
		}
		if n := len(out); n > 0 && (state{actors: out[n-1].Actors, partial: out[n-1].Partial}).same(st) {
			out[n-1].To = cuts[i+1]
			out[n-1].Rows = addRows(out[n-1].Rows, st.rows)
			continue
		}
		out = append(out, Holding{From: t, To: cuts[i+1], Actors: st.actors, Partial: st.partial, Rows: st.rows})
	}
	return out
}

// unitsOf lists the sub-districts a place known only to an area may be
// in; none when even the area is unknown.
func (s *Set) unitsOf(p incident.Place) []string {
	area := p.Area
	if area == "" {
		switch p.Precision {
		case incident.PlaceAdmin3:
			area = p.Admin3
		case incident.PlaceAdmin2:
			area = p.Admin2
		case incident.PlaceAdmin1:
			area = p.Admin1
		case incident.PlaceCountry:
			area = "SY"
		}
	}
	if area == "" {
		return nil
	}
	var out []string
	for _, u := range s.admin3 {
		if boundary.Within(u, area) {
			out = append(out, u)
		}
	}
	return out
}

func (s *Set) atPoint(l *Layer, p incident.Place, admin3 string, t time.Time) state {
	best := 99
	var rows []*Row
	for _, r := range l.Rows {
		if !r.activeAt(t, l) || !r.containsPoint(p.Lat, p.Lon, admin3) {
			continue
		}
		switch k := r.rank(); {
		case k < best:
			best, rows = k, []*Row{r}
		case k == best:
			rows = append(rows, r)
		}
	}
	return summarise(rows, false)
}

// atUnits says who held all of the given sub-districts at t. For each, the
// most specific unit rows covering it wholly say who held it, and the
// town and polygon rows inside it say who held parts of it. The area has
// one holder only if every sub-district has the same whole holder.
func (s *Set) atUnits(l *Layer, units []string, t time.Time) state {
	var rows []*Row
	var holders, first []string
	partial, covered := false, false
	for i, u := range units {
		best := 99
		var whole []*Row
		for _, r := range l.Rows {
			if r.PCode == "" || !r.activeAt(t, l) || !boundary.Within(u, r.PCode) {
				continue
			}
			switch k := r.rank(); {
			case k < best:
				best, whole = k, []*Row{r}
			case k == best:
				whole = append(whole, r)
			}
		}
		var inner []*Row
		for _, r := range s.inner[l][u] {
			if r.activeAt(t, l) {
				inner = append(inner, r)
			}
		}
		st := summarise(whole, false)
		switch {
		case len(whole) == 0 && len(inner) == 0:
			partial = true // a unit of the area of which the layer says nothing
			continue
		case len(whole) == 0:
			st.partial = true // only parts of the unit are known
		}
		for _, r := range inner {
			for _, a := range r.Actors {
				if !slices.Contains(st.actors, a) {
					st.partial = true // a town or polygon inside held by another
				}
			}
		}
		if i == 0 || !covered {
			first = st.actors
		} else if !slices.Equal(first, st.actors) {
			st.partial = true // units of the area held by different actors
		}
		covered = true
		partial = partial || st.partial
		rows = addRows(addRows(rows, whole), inner)
		for _, r := range append(whole, inner...) {
			for _, a := range r.Actors {
				if !slices.Contains(holders, a) {
					holders = append(holders, a)
				}
			}
		}
	}
	if !covered {
		return state{}
	}
	slices.Sort(holders)
	return state{actors: holders, partial: partial, rows: rows}
}

// summarise turns the rows that speak for a point or a unit at one
// instant into what they say: their actors together, partial when any
// row is partial or when rows of equal weight name different actors.
func summarise(rows []*Row, partial bool) state {
	if len(rows) == 0 {
		return state{}
	}
	var actors []string
	for i, r := range rows {
		if r.Partial {
			partial = true
		}
		if i > 0 && !slices.Equal(sortedCopy(r.Actors), sortedCopy(rows[0].Actors)) {
			partial = true
		}
		for _, a := range r.Actors {
			if !slices.Contains(actors, a) {
				actors = append(actors, a)
			}
		}
	}
	slices.Sort(actors)
	return state{actors: actors, partial: partial, rows: rows}
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

func addRows(dst, src []*Row) []*Row {
	for _, r := range src {
		if !slices.Contains(dst, r) {
			dst = append(dst, r)
		}
	}
	return dst
}
