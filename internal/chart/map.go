package chart

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"
)

// Shape is an area of a map: a governorate, a zone.
type Shape struct {
	Label    string // a zone's name for its title ("" for none)
	Geometry orb.Geometry
}

// Marker is how a point is drawn: by shape as well as colour.
type Marker int

const (
	Disc     Marker = iota // filled circle
	Ring                   // hollow circle
	Triangle               // hollow triangle
	Square                 // small grey square
)

// Point is an incident on the map.
type Point struct {
	Lon, Lat float64
	Marker   Marker
	// Label is written beside the point (an incident number), "" for
	// none; Title is its tooltip; Href its link.
	Label, Title, Href string
}

// Key is one entry of a map's legend.
type Key struct {
	Marker Marker
	Label  string
}

// Map draws the outlines (governorates), the zones (hatched) and the
// points, in an equirectangular projection fitted to the outlines. It is
// not mirrored in right-to-left pages.
func Map(o Options, outlines []Shape, zones []Shape, zoneLabel string, points []Point, keys []Key) template.HTML {
	w := float64(o.Width)
	if w == 0 {
		w = 640
	}
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, s := range outlines {
		if s.Geometry != nil {
			b = b.Union(s.Geometry.Bound())
		}
	}
	if math.IsInf(b.Min[0], 1) {
		for _, p := range points {
			b = b.Extend(orb.Point{p.Lon, p.Lat})
		}
	}
	if math.IsInf(b.Min[0], 1) {
		b = orb.Bound{Min: orb.Point{35.5, 32.3}, Max: orb.Point{42.4, 37.4}} // Syria
	}
	k := math.Cos((b.Min[1] + b.Max[1]) / 2 * math.Pi / 180)
	spanX, spanY := (b.Max[0]-b.Min[0])*k, b.Max[1]-b.Min[1]
	const pad, legendH = 10.0, 30.0
	scale := (w - 2*pad) / math.Max(spanX, 1e-9)
	h := spanY*scale + 2*pad + legendH
	proj := func(p orb.Point) (float64, float64) {
		return pad + (p[0]-b.Min[0])*k*scale, pad + (b.Max[1]-p[1])*scale
	}
	s := begin(o, w, h, false)
	path := func(g orb.Geometry, fill, stroke, width, extra string) {
		g = simplify.DouglasPeucker(1.2 / scale).Simplify(orb.Clone(g))
		var d strings.Builder
		var ring func(r orb.Ring)
		ring = func(r orb.Ring) {
			for i, p := range r {
				x, y := proj(p)
				if i == 0 {
					fmt.Fprintf(&d, "M%s %s", f(x), f(y))
				} else {
					fmt.Fprintf(&d, "L%s %s", f(x), f(y))
				}
			}
			d.WriteString("Z")
		}
		switch g := g.(type) {
		case orb.Polygon:
			for _, r := range g {
				ring(r)
			}
		case orb.MultiPolygon:
			for _, p := range g {
				for _, r := range p {
					ring(r)
				}
			}
		}
		if d.Len() > 0 {
			fmt.Fprintf(&s.b, `<path d="%s" fill="%s" stroke="%s" stroke-width="%s" fill-rule="evenodd"%s/>`, d.String(), fill, stroke, width, extra)
		}
	}
	for _, sh := range outlines {
		if sh.Geometry != nil {
			path(sh.Geometry, "#f6f7f9", "#8a939e", "0.8", "")
		}
	}
	for _, z := range zones {
		if z.Geometry == nil {
			continue
		}
		fmt.Fprintf(&s.b, `<g class="zone"><title>%s</title>`, esc(z.Label))
		path(z.Geometry, s.fill(Cross), "#1e6b33", "1.2", ` fill-opacity="0.6"`)
		s.b.WriteString(`</g>`)
	}
	for _, p := range points {
		x, y := proj(orb.Point{p.Lon, p.Lat})
		s.link(p.Href, func() {
			fmt.Fprintf(&s.b, `<g class="point"><title>%s</title>`, esc(p.Title))
			s.marker(p.Marker, x, y)
			if p.Label != "" {
				fmt.Fprintf(&s.b, `<text x="%s" y="%s" text-anchor="middle" font-size="9" direction="ltr" class="id">%s</text>`, f(x), f(y-7), esc(p.Label))
			}
			s.b.WriteString(`</g>`)
		})
	}
	// The legend, in reading order.
	x := pad
	if o.rtl() {
		x = w - pad
	}
	step := func(width float64) float64 {
		if o.rtl() {
			x -= width
			return x + width
		}
		x += width
		return x - width
	}
	for _, key := range keys {
		at := step(16 + textWidth(key.Label) + 16)
		cx := at + 6
		if o.rtl() {
			cx = at - 6
		}
		s.marker(key.Marker, cx, h-legendH/2)
		fmt.Fprintf(&s.b, `<text x="%s" y="%s" text-anchor="start">%s</text>`, f(cx+sign(o.rtl())*10), f(h-legendH/2+4), esc(key.Label))
	}
	if len(zones) > 0 && zoneLabel != "" {
		at := step(16 + textWidth(zoneLabel) + 16)
		rx := at
		if o.rtl() {
			rx = at - 12
		}
		fmt.Fprintf(&s.b, `<rect x="%s" y="%s" width="12" height="12" fill="%s" stroke="#1e6b33"/>`, f(rx), f(h-legendH/2-6), s.fill(Cross))
		fmt.Fprintf(&s.b, `<text x="%s" y="%s" text-anchor="start">%s</text>`, f(at+sign(o.rtl())*16), f(h-legendH/2+4), esc(zoneLabel))
	}
	return s.end()
}

func sign(rtl bool) float64 {
	if rtl {
		return -1
	}
	return 1
}

func (s *svg) marker(m Marker, x, y float64) {
	switch m {
	case Disc:
		fmt.Fprintf(&s.b, `<circle cx="%s" cy="%s" r="4.5" fill="#8c1d18" stroke="#ffffff" stroke-width="1"/>`, f(x), f(y))
	case Ring:
		fmt.Fprintf(&s.b, `<circle cx="%s" cy="%s" r="4" fill="#ffffff" stroke="#b3261e" stroke-width="2"/>`, f(x), f(y))
	case Triangle:
		fmt.Fprintf(&s.b, `<path d="M%s %sL%s %sL%s %sZ" fill="#fff3cd" stroke="#7a5b00" stroke-width="1.5"/>`, f(x), f(y-5), f(x+4.5), f(y+3.5), f(x-4.5), f(y+3.5))
	default:
		fmt.Fprintf(&s.b, `<rect x="%s" y="%s" width="6" height="6" fill="#8a939e"/>`, f(x-3), f(y-3))
	}
}
