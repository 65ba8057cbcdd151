package boundary

import (
	"math"
	"slices"
	"sort"

	"github.com/paulmach/orb"
)

// grid is a uniform-grid point-in-polygon index over one layer.
//
// Most cells lie wholly inside one polygon or wholly outside all of them and
// answer with a single array read. The remaining "boundary" cells keep a
// reference point whose inside/outside status is precomputed for each
// candidate polygon, plus only those polygon edges that touch the cell. A
// query then counts how many of those few edges the segment from the
// reference point to the query point crosses: an odd count flips the status.
// Because that segment stays inside the cell, no other edge can cross it,
// so the cost is a few dozen multiplications instead of a ray cast over a
// polygon with thousands of vertices.
type grid struct {
	minX, minY float64
	inv        float64 // 1 / cell size
	fnx, fny   float64 // nx, ny as float64 for the bounds check
	nx         int
	// cells: v >= 0 means wholly inside polygon v; -1 outside every
	// polygon; v <= -2 means boundary cell bcells[-v-2].
	cells  []int32
	bcells []bcell
	cands  []cand
	edges  []cellEdge
}

type bcell struct {
	rx, ry float64 // reference point
	lo, hi int32   // cands[lo:hi], in polygon order
}

type cand struct {
	poly   int32
	inside bool  // status of the cell's reference point
	lo, hi int32 // edges[lo:hi]
}

// cellEdge is an edge translated so the cell's reference point R is the
// origin, and oriented so that R lies strictly on its positive side. The
// translation keeps the products small (better precision); the orientation
// removes one of the two side tests from the query.
type cellEdge struct {
	ax, ay, bx, by float64
	dx, dy, k      float64 // b-a, and the line constant dx*ay - dy*ax
}

const outside = -1

// locate returns the index of the first polygon (in layer order) containing
// (x, y), or -1.
func (g *grid) locate(x, y float64) int32 {
	fx := (x - g.minX) * g.inv
	fy := (y - g.minY) * g.inv
	// Written so that NaN fails too.
	if !(fx >= 0 && fy >= 0 && fx < g.fnx && fy < g.fny) {
		return outside
	}
	v := g.cells[int(fy)*g.nx+int(fx)]
	if v >= outside {
		return v
	}
	b := &g.bcells[-v-2]
	qx, qy := x-b.rx, y-b.ry
	for ci := b.lo; ci < b.hi; ci++ {
		c := &g.cands[ci]
		in := c.inside
		for i := c.lo; i < c.hi; i++ {
			e := &g.edges[i]
			// A and B on different sides of line R→Q (half-open so a
			// vertex lying on the line is counted once, like a ray cast)...
			if (qx*e.ay-qy*e.ax > 0) != (qx*e.by-qy*e.bx > 0) {
				// ...and Q not on R's side of line A→B.
				if e.dx*qy-e.dy*qx-e.k <= 0 {
					in = !in
				}
			}
		}
		if in {
			return c.poly
		}
	}
	return outside
}

// ring is a closed ring as a flat list of points; the closing edge from the
// last to the first point is implied if the data omit it.
type ring []orb.Point

// polyEdge is an edge of polygon poly, as collected per cell during the build.
type polyEdge struct {
	poly int32
	a, b orb.Point
}

type poly struct {
	rings []ring
	bound orb.Bound
}

func flatten(g orb.Geometry) poly {
	var p poly
	add := func(pg orb.Polygon) {
		for _, r := range pg {
			p.rings = append(p.rings, ring(r))
		}
	}
	switch g := g.(type) {
	case orb.Polygon:
		add(g)
	case orb.MultiPolygon:
		for _, pg := range g {
			add(pg)
		}
	}
	p.bound = g.Bound()
	return p
}

// forEdges calls f for every edge of every ring, including the closing edge.
func (p *poly) forEdges(f func(a, b orb.Point)) {
	for _, r := range p.rings {
		n := len(r)
		for i := 0; i < n-1; i++ {
			f(r[i], r[i+1])
		}
		if r[0] != r[n-1] {
			f(r[n-1], r[0])
		}
	}
}

// contains is an even-odd ray cast; used only while building the grid.
func (p *poly) contains(x, y float64) bool {
	if !p.bound.Contains(orb.Point{x, y}) {
		return false
	}
	in := false
	p.forEdges(func(a, b orb.Point) {
		if (a[1] > y) != (b[1] > y) {
			if x < a[0]+(y-a[1])/(b[1]-a[1])*(b[0]-a[0]) {
				in = !in
			}
		}
	})
	return in
}

// Reference points sit at these fractions of a cell rather than at the
// centre so they do not land on round coordinates, where digitised vertices
// and axis-parallel edges are likelier.
const refFX, refFY = 0.5173, 0.4829

// buildGrid indexes polys (in the given order, which decides ties where
// polygons overlap).
func buildGrid(geoms []orb.Geometry, cell float64) *grid {
	polys := make([]poly, len(geoms))
	bound := flatten(geoms[0]).bound
	for i, g := range geoms {
		polys[i] = flatten(g)
		bound = bound.Union(polys[i].bound)
	}
	g := &grid{
		minX: bound.Min[0] - cell/2,
		minY: bound.Min[1] - cell/2,
		inv:  1 / cell,
	}
	g.nx = int(math.Ceil((bound.Max[0]-g.minX)/cell)) + 1
	ny := int(math.Ceil((bound.Max[1]-g.minY)/cell)) + 1
	g.fnx, g.fny = float64(g.nx), float64(ny)
	ncell := g.nx * ny

	cellBox := func(c int) (x0, y0, x1, y1 float64) {
		col, row := c%g.nx, c/g.nx
		x0 = g.minX + float64(col)*cell
		y0 = g.minY + float64(row)*cell
		return x0, y0, x0 + cell, y0 + cell
	}
	refOf := func(c int) (float64, float64) {
		x0, y0, _, _ := cellBox(c)
		return x0 + refFX*cell, y0 + refFY*cell
	}
	clampCol := func(v float64) int { return max(0, min(g.nx-1, int(math.Floor((v-g.minX)/cell)))) }
	clampRow := func(v float64) int { return max(0, min(ny-1, int(math.Floor((v-g.minY)/cell)))) }

	// 1. Edges touching each cell, per polygon. The padding makes the
	// test conservative: an extra edge costs a little time, a missing
	// one would give wrong answers.
	const pad = 1e-9
	cellEdges := make([][]polyEdge, ncell)
	for pi := range polys {
		polys[pi].forEdges(func(a, b orb.Point) {
			c0, c1 := clampCol(min(a[0], b[0])-pad), clampCol(max(a[0], b[0])+pad)
			r0, r1 := clampRow(min(a[1], b[1])-pad), clampRow(max(a[1], b[1])+pad)
			for r := r0; r <= r1; r++ {
				for c := c0; c <= c1; c++ {
					ci := r*g.nx + c
					x0, y0, x1, y1 := cellBox(ci)
					if segmentTouchesBox(a, b, x0-pad, y0-pad, x1+pad, y1+pad) {
						cellEdges[ci] = append(cellEdges[ci], polyEdge{int32(pi), a, b})
					}
				}
			}
		})
	}

	// 2. Which polygons contain each cell's reference point, by one
	// scanline per grid row rather than a ray cast per cell.
	containing := make([][]int32, ncell)
	for pi := range polys {
		p := &polys[pi]
		r0, r1 := clampRow(p.bound.Min[1]), clampRow(p.bound.Max[1])
		c0, c1 := clampCol(p.bound.Min[0]), clampCol(p.bound.Max[0])
		xs := make([][]float64, r1-r0+1)
		p.forEdges(func(a, b orb.Point) {
			lo, hi := clampRow(min(a[1], b[1])), clampRow(max(a[1], b[1]))
			for r := max(lo, r0); r <= min(hi, r1); r++ {
				_, y := refOf(r * g.nx)
				if (a[1] > y) != (b[1] > y) {
					xs[r-r0] = append(xs[r-r0], a[0]+(y-a[1])/(b[1]-a[1])*(b[0]-a[0]))
				}
			}
		})
		for r := r0; r <= r1; r++ {
			row := xs[r-r0]
			if len(row) == 0 {
				continue
			}
			sort.Float64s(row)
			for c := c0; c <= c1; c++ {
				x, _ := refOf(r*g.nx + c)
				// Crossings strictly right of x, as in contains.
				n := len(row) - sort.Search(len(row), func(i int) bool { return row[i] > x })
				if n%2 == 1 {
					containing[r*g.nx+c] = append(containing[r*g.nx+c], int32(pi))
				}
			}
		}
	}

	// 3. Classify cells, into arrays sized first: grown by appends they
	// were a third of the build's time.
	nedges, nb := 0, 0
	for _, e := range cellEdges {
		if len(e) > 0 {
			nedges, nb = nedges+len(e), nb+1
		}
	}
	g.cells = make([]int32, ncell)
	g.bcells = make([]bcell, 0, nb)
	g.cands = make([]cand, 0, nedges+nb)
	g.edges = make([]cellEdge, 0, nedges)
	for ci := range g.cells {
		edges := cellEdges[ci]
		in := containing[ci]
		if len(edges) == 0 {
			if len(in) == 0 {
				g.cells[ci] = outside
			} else {
				g.cells[ci] = in[0] // polygons were visited in order
			}
			continue
		}
		slices.SortStableFunc(edges, func(a, b polyEdge) int { return int(a.poly - b.poly) })

		rx, ry := refOf(ci)
		moved := false
		x0, y0, _, _ := cellBox(ci)
		for try := 0; try < 64 && !refClear(edges, rx, ry); try++ {
			// The reference point lies on (or within rounding of) an
			// edge; step to another spot in the cell.
			rx = x0 + cell*math.Mod(refFX+0.1093*float64(try+1), 0.9)
			ry = y0 + cell*math.Mod(refFY+0.0711*float64(try+1), 0.9)
			moved = true
		}

		b := bcell{rx: rx, ry: ry, lo: int32(len(g.cands))}
		isIn := func(pi int32) bool {
			if moved {
				return polys[pi].contains(rx, ry)
			}
			_, found := slices.BinarySearch(in, pi)
			return found
		}
		// Merge polygons with edges here and polygons wholly covering the
		// cell, in polygon order; stop after the first wholly covering
		// one since it always matches.
		ei, ii := 0, 0
		for ei < len(edges) || ii < len(in) {
			if ii < len(in) && (ei == len(edges) || in[ii] < edges[ei].poly) {
				g.cands = append(g.cands, cand{poly: in[ii], inside: true, lo: int32(len(g.edges)), hi: int32(len(g.edges))})
				break
			}
			pi := edges[ei].poly
			c := cand{poly: pi, inside: isIn(pi), lo: int32(len(g.edges))}
			for ; ei < len(edges) && edges[ei].poly == pi; ei++ {
				g.edges = append(g.edges, makeCellEdge(edges[ei].a, edges[ei].b, rx, ry))
			}
			c.hi = int32(len(g.edges))
			g.cands = append(g.cands, c)
			for ii < len(in) && in[ii] <= pi {
				ii++
			}
		}
		b.hi = int32(len(g.cands))
		g.cells[ci] = int32(-2 - len(g.bcells))
		g.bcells = append(g.bcells, b)
	}
	return g
}

// refClear reports whether the reference point is safely off every edge's
// line near it, so the side test in locate is never a coin toss for R.
func refClear(edges []polyEdge, rx, ry float64) bool {
	for _, e := range edges {
		dx, dy := e.b[0]-e.a[0], e.b[1]-e.a[1]
		o := dx*(ry-e.a[1]) - dy*(rx-e.a[0])
		if math.Abs(o) <= 1e-12*(math.Abs(dx)+math.Abs(dy)) {
			return false
		}
	}
	return true
}

func makeCellEdge(a, b orb.Point, rx, ry float64) cellEdge {
	ax, ay, bx, by := a[0]-rx, a[1]-ry, b[0]-rx, b[1]-ry
	// Orient so that the origin (R) is on the positive side of A→B.
	if (bx-ax)*(0-ay)-(by-ay)*(0-ax) < 0 {
		ax, ay, bx, by = bx, by, ax, ay
	}
	dx, dy := bx-ax, by-ay
	return cellEdge{ax: ax, ay: ay, bx: bx, by: by, dx: dx, dy: dy, k: dx*ay - dy*ax}
}

// segmentTouchesBox is a separating-axis test: the segment misses the box
// if their bounding boxes are disjoint or all four corners are strictly on
// one side of the segment's line.
func segmentTouchesBox(a, b orb.Point, x0, y0, x1, y1 float64) bool {
	if max(a[0], b[0]) < x0 || min(a[0], b[0]) > x1 || max(a[1], b[1]) < y0 || min(a[1], b[1]) > y1 {
		return false
	}
	dx, dy := b[0]-a[0], b[1]-a[1]
	side := func(x, y float64) float64 { return dx*(y-a[1]) - dy*(x-a[0]) }
	s0, s1, s2, s3 := side(x0, y0), side(x1, y0), side(x0, y1), side(x1, y1)
	if s0 > 0 && s1 > 0 && s2 > 0 && s3 > 0 {
		return false
	}
	if s0 < 0 && s1 < 0 && s2 < 0 && s3 < 0 {
		return false
	}
	return true
}
