package cluster

import (
	"cmp"
	"math"
	"slices"
)

// Link is where batch clustering put one report: in the group of report
// Group (a report that opened a group links to itself), with the match
// that put it there.
type Link struct {
	Group int32
	Match Match
}

// Fixed says a report may not be moved: a reviewer put it where it is,
// or its incident is past the reported state. Fixed reports keep their
// group (an existing incident, by any id the caller likes), and others
// may still join them.
type Fixed map[int]int64

// Run clusters reports: in order of their start, each report joins the
// best-matching group opened before it whose facts are still current, or
// opens one. Groups are found through a grid of cells of about 28 km and
// the administrative areas, so each report is tested only against groups
// near it in time and space: the cost is that of the sort, n log n, and
// a near-constant amount per report.
func (p Params) Run(reports []Facts, fixed Fixed) []Link {
	order := make([]int32, len(reports))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(reports[a].Start, reports[b].Start) })

	links := make([]Link, len(reports))
	ix := newIndex(p)
	groups := map[int64]int32{} // a fixed incident's group
	for _, i := range order {
		r := reports[i]
		if inc, ok := fixed[int(i)]; ok {
			if g, ok := groups[inc]; ok {
				links[i] = Link{Group: g, Match: Match{OK: true, Why: "placed by a reviewer"}}
				ix.absorb(g, r)
				continue
			}
			groups[inc] = i
			links[i] = Link{Group: i}
			ix.open(i, r)
			continue
		}
		var c chooser
		ix.candidates(r, func(g int32) {
			f := ix.facts[g]
			c.offer(&r, g, f, p.test(&r, f, false))
		})
		if !c.found {
			links[i] = Link{Group: i}
			ix.open(i, r)
			continue
		}
		links[i] = Link{Group: c.best, Match: p.test(&r, ix.facts[c.best], true)}
		ix.absorb(c.best, r)
	}
	return links
}

// cellDeg is the grid's cell size in degrees: about 28 km, more than any
// distance two mergeable points may lie apart with default thresholds
// once the neighbouring cells are searched too.
const cellDeg = 0.25

type cell struct{ lat, lon int32 }

// Cell numbers the grid cell of a point for a database column: never 0,
// which stands for "no point".
func Cell(lat, lon float64) int64 { return cellOf(lat, lon).number() }

func (c cell) number() int64 { return (int64(c.lat)+1000)*100000 + int64(c.lon) + 1000 }

// NearCells are the numbers of a point's cell and its eight neighbours:
// where incidents it may join lie.
func NearCells(lat, lon float64) [9]int64 {
	c := cellOf(lat, lon)
	var out [9]int64
	i := 0
	for dl := int32(-1); dl <= 1; dl++ {
		for do := int32(-1); do <= 1; do++ {
			out[i] = cell{c.lat + dl, c.lon + do}.number()
			i++
		}
	}
	return out
}

func cellOf(lat, lon float64) cell {
	return cell{int32(math.Floor(lat / cellDeg)), int32(math.Floor(lon / cellDeg))}
}

// index finds the open groups near a report. Groups whose end (plus the
// slack) lies before the report's start cannot match it or any later
// report, and are dropped as the scan goes by.
type index struct {
	p     Params
	facts map[int32]*Facts
	cells map[cell][]int32
	// areaOnly holds groups without a meaningful point, by their finest
	// area; byArea every group under each of its areas.
	areaOnly map[string][]int32
	byArea   map[string][]int32
	seen     map[int32]int64 // the report last offered each group (dedup)
	stamp    int64
	now      int64 // the start of the report being placed
	slack    int64
}

func newIndex(p Params) *index {
	return &index{p: p, facts: map[int32]*Facts{}, cells: map[cell][]int32{}, areaOnly: map[string][]int32{},
		byArea: map[string][]int32{}, seen: map[int32]int64{}, slack: int64(p.Slack.Seconds())}
}

func (ix *index) open(g int32, r Facts) {
	f := r
	f.Areas = slices.Clone(r.Areas)
	f.Actors = slices.Clone(r.Actors)
	f.Datasets = slices.Clone(r.Datasets)
	ix.facts[g] = &f
	ix.register(g, &f)
}

func (ix *index) register(g int32, f *Facts) {
	if f.Point {
		c := cellOf(f.Lat, f.Lon)
		ix.cells[c] = append(ix.cells[c], g)
	} else if len(f.Areas) > 0 {
		k := f.Areas[len(f.Areas)-1]
		ix.areaOnly[k] = append(ix.areaOnly[k], g)
	}
	for _, a := range f.Areas {
		ix.byArea[a] = append(ix.byArea[a], g)
	}
}

// absorb merges a report's facts into its group's, as incident.Combine
// does for stored incidents: the narrower time, the better place, every
// actor, a known act over an unknown one.
func (ix *index) absorb(g int32, r Facts) {
	f := ix.facts[g]
	if lo, hi := max(f.Start, r.Start), min(f.End, r.End); hi > lo {
		f.Start, f.End = lo, hi
	}
	moved := false
	if r.Point && (!f.Point || (f.Near && !r.Near)) {
		f.Point, f.Near, f.Lat, f.Lon = true, r.Near, r.Lat, r.Lon
		moved = true
	}
	if len(r.Areas) > len(f.Areas) {
		f.Areas = slices.Clone(r.Areas)
		moved = true
	}
	for _, a := range r.Actors {
		if !slices.Contains(f.Actors, a) {
			f.Actors = append(f.Actors, a)
		}
	}
	for _, d := range r.Datasets {
		if !slices.Contains(f.Datasets, d) {
			f.Datasets = append(f.Datasets, d)
		}
	}
	if f.Act == "" || f.Act == "unknown" || f.Act == "other" {
		f.Act = r.Act
	}
	if moved {
		ix.register(g, f)
	}
}

// candidates calls fn once for every open group that could hold r.
func (ix *index) candidates(r Facts, fn func(int32)) {
	ix.stamp++
	ix.now = r.Start
	visit := func(list []int32) []int32 {
		kept := list[:0]
		for _, g := range list {
			f := ix.facts[g]
			if f.End+2*ix.slack <= ix.now {
				continue // over: no later report can reach it
			}
			kept = append(kept, g)
			if ix.seen[g] != ix.stamp {
				ix.seen[g] = ix.stamp
				fn(g)
			}
		}
		clear(list[len(kept):])
		return kept
	}
	if r.Point {
		c := cellOf(r.Lat, r.Lon)
		for dl := int32(-1); dl <= 1; dl++ {
			for do := int32(-1); do <= 1; do++ {
				k := cell{c.lat + dl, c.lon + do}
				if l, ok := ix.cells[k]; ok {
					if l = visit(l); len(l) == 0 {
						delete(ix.cells, k)
					} else {
						ix.cells[k] = l
					}
				}
			}
		}
		for _, a := range r.Areas {
			if l, ok := ix.areaOnly[a]; ok {
				ix.areaOnly[a] = visit(l)
			}
		}
		return
	}
	if len(r.Areas) == 0 {
		return // no place known: never merged automatically
	}
	if l, ok := ix.byArea[r.Areas[len(r.Areas)-1]]; ok {
		ix.byArea[r.Areas[len(r.Areas)-1]] = visit(l)
	}
	for _, a := range r.Areas[:len(r.Areas)-1] {
		if l, ok := ix.areaOnly[a]; ok {
			ix.areaOnly[a] = visit(l)
		}
	}
}
