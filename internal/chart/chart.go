// Package chart draws truce's charts as SVG on the server: bars over time
// stacked by outcome, horizontal bars, a calendar heat map and a map of
// incidents. No script draws them, so they print, work in a PDF and in a
// page without JavaScript, and pass a Content-Security-Policy that allows
// no inline style (only presentation attributes are used).
//
// Every chart is accessible: a <title> and a <desc>, text labels on the
// axes and the values, and layers told apart by pattern (solid, hatched,
// dotted, crossed) and by the legend's words, not by colour alone; each bar
// and cell carries its value in a <title> and may link to the incidents
// behind it.
//
// Right to left: in Arabic and Persian the charts mirror, as the page
// does. Time runs from right to left (the first day at the right), the
// value axis stands at the right, horizontal bars grow leftwards from
// labels on the right, and the calendar's weeks run right to left with the
// weekday names on the right. A map is never mirrored: it is geography.
// Numbers on the axes and in the cells are in the locale's digits
// (internal/i18n, "Digits and direction").
package chart

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/truce-monitor/truce/internal/i18n"
)

// Style is how a layer is filled.
type Style int

const (
	Solid Style = iota // dark red, filled
	Hatch              // red diagonal lines
	Dots               // amber dots
	Cross              // green cross-hatch
	Plain              // grey, filled
)

// Layer is one series of a stacked chart, bottom first.
type Layer struct {
	Label string
	Style Style
}

// Options are what every chart takes.
type Options struct {
	// ID prefixes the ids of the chart's elements: unique in the page.
	ID    string
	Lang  string
	Title string
	Desc  string
	// Width in pixels (a default when 0); the chart scales to its box.
	Width int
}

func (o Options) rtl() bool { return i18n.RTL(o.Lang) }

// Bar is one bar of a stacked chart, or one row of horizontal bars.
type Bar struct {
	// Label names the bar (a date, already in the locale's digits; a
	// name).
	Label  string
	Values []int // one per layer
	// Href links the bar to the incidents behind it ("" for none).
	Href string
	// Title is the bar's text for a tooltip and a screen reader; the
	// values are added to it.
	Title string
}

func (b Bar) total() int {
	n := 0
	for _, v := range b.Values {
		n += v
	}
	return n
}

// svg is an SVG being written.
type svg struct {
	b   strings.Builder
	o   Options
	w   float64
	rtl bool
}

const font = `font-family="system-ui, 'Noto Sans', 'Noto Sans Arabic', 'DejaVu Sans', sans-serif"`

func begin(o Options, w, h float64, mirror bool) *svg {
	s := &svg{o: o, w: w, rtl: o.rtl() && mirror}
	dir := "ltr"
	if o.rtl() {
		dir = "rtl"
	}
	fmt.Fprintf(&s.b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="%s" role="img" aria-labelledby="%s-title %s-desc" viewBox="0 0 %s %s" width="%s" height="%s" direction="%s" %s font-size="11" fill="#1b1f24">`,
		esc(o.ID), esc(o.ID), esc(o.ID), f(w), f(h), f(w), f(h), dir, font)
	fmt.Fprintf(&s.b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, esc(o.ID), esc(o.Title), esc(o.ID), esc(o.Desc))
	s.defs()
	return s
}

func (s *svg) end() template.HTML {
	s.b.WriteString(`</svg>`)
	return template.HTML(s.b.String())
}

// x mirrors a horizontal position in a right-to-left chart.
func (s *svg) x(x float64) float64 {
	if s.rtl {
		return s.w - x
	}
	return x
}

// rect draws a rectangle from x over width w, mirrored as the chart is.
func (s *svg) rect(x, y, w, h float64, fill string, extra string) {
	if s.rtl {
		x = s.w - x - w
	}
	fmt.Fprintf(&s.b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"%s/>`, f(x), f(y), f(w), f(h), fill, extra)
}

// text writes a label. anchor is logical (start, middle, end): with the
// chart's direction it mirrors by itself.
func (s *svg) text(x, y float64, anchor, class, text string, extra string) {
	fmt.Fprintf(&s.b, `<text x="%s" y="%s" text-anchor="%s"%s%s>%s</text>`, f(s.x(x)), f(y), anchor, classAttr(class), extra, esc(text))
}

func classAttr(c string) string {
	if c == "" {
		return ""
	}
	return ` class="` + c + `"`
}

// defs are the fills of the layers: patterns, so that print in black and
// white and readers who do not tell colours apart see the difference.
func (s *svg) defs() {
	id := esc(s.o.ID)
	fmt.Fprintf(&s.b, `<defs>`+
		`<pattern id="%[1]s-p1" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fbe9e7"/><line x1="0" y1="0" x2="0" y2="6" stroke="#b3261e" stroke-width="3"/></pattern>`+
		`<pattern id="%[1]s-p2" width="5" height="5" patternUnits="userSpaceOnUse"><rect width="5" height="5" fill="#fff3cd"/><circle cx="2.5" cy="2.5" r="1.3" fill="#7a5b00"/></pattern>`+
		`<pattern id="%[1]s-p3" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#e8f3ea"/><path d="M0 0L6 6M6 0L0 6" stroke="#1e6b33" stroke-width="1"/></pattern>`+
		`</defs>`, id)
}

// fill is a layer style's fill.
func (s *svg) fill(st Style) string {
	switch st {
	case Hatch:
		return "url(#" + esc(s.o.ID) + "-p1)"
	case Dots:
		return "url(#" + esc(s.o.ID) + "-p2)"
	case Cross:
		return "url(#" + esc(s.o.ID) + "-p3)"
	case Plain:
		return "#8a939e"
	}
	return "#8c1d18"
}

// legend draws the layers' swatches and names in a row from x, y.
func (s *svg) legend(layers []Layer, x, y float64) {
	for _, l := range layers {
		s.rect(x, y-9, 12, 12, s.fill(l.Style), ` stroke="#1b1f24" stroke-width="0.5"`)
		s.text(x+16, y+1, "start", "legend", l.Label, "")
		x += 16 + textWidth(l.Label) + 18
	}
}

// textWidth guesses the width of a label at 11px.
func textWidth(s string) float64 { return float64(len([]rune(s))) * 6.2 }

// link wraps what fn writes in a link when href is set.
func (s *svg) link(href string, fn func()) {
	if href == "" {
		fn()
		return
	}
	fmt.Fprintf(&s.b, `<a href="%s">`, esc(href))
	fn()
	s.b.WriteString(`</a>`)
}

// ticks are the round values of an axis up to max.
func ticks(max int) []int {
	if max <= 0 {
		return []int{0}
	}
	step := 1
	for base := 1; ; base *= 10 {
		found := false
		for _, m := range []int{1, 2, 5} {
			if max <= 5*base*m {
				step, found = base*m, true
				break
			}
		}
		if found {
			break
		}
	}
	var out []int
	for v := 0; v <= max; v += step {
		out = append(out, v)
	}
	if out[len(out)-1] < max {
		out = append(out, out[len(out)-1]+step)
	}
	return out
}

// valuesTitle is a bar's title with each layer's value.
func valuesTitle(lang string, b Bar, layers []Layer) string {
	var parts []string
	for i, l := range layers {
		if i < len(b.Values) && b.Values[i] > 0 {
			parts = append(parts, l.Label+": "+i18n.Number(lang, b.Values[i]))
		}
	}
	t := b.Title
	if len(parts) > 0 {
		if t != "" {
			t += " — "
		}
		t += strings.Join(parts, "; ")
	}
	return t
}

// Stacked draws vertical bars (days, weeks) stacked by layer, time running
// in the reading direction. top is the value axis's top (0: the highest
// bar), so that small multiples share a scale.
func Stacked(o Options, layers []Layer, bars []Bar, top int) template.HTML {
	if top <= 0 {
		for _, b := range bars {
			top = max(top, b.total())
		}
	}
	tk := ticks(top)
	top = tk[len(tk)-1]
	w := float64(o.Width)
	if w == 0 {
		w = 640
	}
	const left, right, topPad, plotH, bottom = 40.0, 12.0, 24.0, 150.0, 58.0
	h := topPad + plotH + bottom
	s := begin(o, w, h, true)
	plotW := w - left - right
	slot := plotW / float64(max(len(bars), 1))
	barW := math.Min(slot*0.7, 48)
	y := func(v int) float64 { return topPad + plotH - float64(v)/float64(max(top, 1))*plotH }
	// Value axis and grid.
	for _, v := range tk {
		s.line(left, y(v), w-right, y(v), "#c9ced6")
		s.text(left-6, y(v)+4, "end", "tick", i18n.Number(o.Lang, v), "")
	}
	s.line(left, topPad, left, topPad+plotH, "#4a5360")
	every := 1
	if len(bars) > 16 {
		every = (len(bars) + 11) / 12
	}
	for i, b := range bars {
		x0 := left + slot*float64(i) + (slot-barW)/2
		acc := 0
		title := valuesTitle(o.Lang, b, layers)
		s.link(b.Href, func() {
			fmt.Fprintf(&s.b, `<g class="bar"><title>%s</title>`, esc(title))
			if b.total() == 0 {
				// An empty bar is still a target for its link and title.
				s.rect(x0, topPad, barW, plotH, "transparent", "")
			}
			for li, v := range b.Values {
				if v == 0 || li >= len(layers) {
					continue
				}
				s.rect(x0, y(acc+v), barW, y(acc)-y(acc+v), s.fill(layers[li].Style), ` stroke="#1b1f24" stroke-width="0.5"`)
				acc += v
			}
			if acc > 0 {
				s.text(x0+barW/2, y(acc)-3, "middle", "value", i18n.Number(o.Lang, acc), "")
			}
			s.b.WriteString(`</g>`)
		})
		if i%every == 0 {
			// Dates are long: turned, so that a month's fit.
			lx, ly := s.x(x0+barW/2), topPad+plotH+10
			angle := -40 // mirrored with the text's direction
			if s.rtl {
				angle = 40
			}
			fmt.Fprintf(&s.b, `<text x="%s" y="%s" text-anchor="end" class="tick" transform="rotate(%d %s %s)">%s</text>`, f(lx), f(ly), angle, f(lx), f(ly), esc(b.Label))
		}
	}
	s.legend(layers, left, h-6)
	return s.end()
}

func (s *svg) line(x1, y1, x2, y2 float64, stroke string) {
	fmt.Fprintf(&s.b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>`, f(s.x(x1)), f(y1), f(s.x(x2)), f(y2), stroke)
}

// HBars draws one horizontal bar per row (zones, governorates), stacked by
// layer, with the row's label and total beside it.
func HBars(o Options, layers []Layer, rows []Bar) template.HTML {
	w := float64(o.Width)
	if w == 0 {
		w = 640
	}
	labelW := 60.0
	for _, r := range rows {
		labelW = math.Max(labelW, math.Min(textWidth(r.Label)+10, w*0.45))
	}
	const rowH, pad = 22.0, 8.0
	h := pad + rowH*float64(max(len(rows), 1)) + 30
	s := begin(o, w, h, true)
	most := 0
	for _, r := range rows {
		most = max(most, r.total())
	}
	plotW := w - labelW - 50
	for i, r := range rows {
		y0 := pad + rowH*float64(i)
		s.text(labelW-6, y0+rowH/2+4, "end", "label", r.Label, "")
		acc := 0
		title := valuesTitle(o.Lang, r, layers)
		s.link(r.Href, func() {
			fmt.Fprintf(&s.b, `<g class="bar"><title>%s</title>`, esc(title))
			x := labelW
			for li, v := range r.Values {
				if v == 0 || li >= len(layers) {
					continue
				}
				bw := float64(v) / float64(max(most, 1)) * plotW
				s.rect(x, y0+4, bw, rowH-8, s.fill(layers[li].Style), ` stroke="#1b1f24" stroke-width="0.5"`)
				x += bw
				acc += v
			}
			s.text(x+4, y0+rowH/2+4, "start", "value", i18n.Number(o.Lang, acc), "")
			s.b.WriteString(`</g>`)
		})
	}
	s.line(labelW, pad, labelW, pad+rowH*float64(max(len(rows), 1)), "#4a5360")
	s.legend(layers, labelW, h-8)
	return s.end()
}

func esc(s string) string { return template.HTMLEscapeString(s) }

// f writes a coordinate briefly.
func f(v float64) string {
	s := fmt.Sprintf("%.1f", v)
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		return "0"
	}
	return s
}
