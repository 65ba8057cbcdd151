package chart

import (
	"fmt"
	"html/template"
	"time"

	"github.com/truce-monitor/truce/internal/i18n"
)

// Cell is one day of a calendar heat map.
type Cell struct {
	Day  time.Time // the day (its date is read; the time of day is not)
	N    int
	Href string
	// Title is the cell's text for a tooltip and a screen reader (the
	// date and what the number counts).
	Title string
}

// Calendar draws a heat map of days: a column per week (Monday to
// Sunday), a row per weekday, each day's number written in its cell and
// its shade darker with it (the number, not the shade, is the figure).
// Days outside the cells given are left blank. weekdays are the rows'
// names, Monday first; weekLabel names a week's column from its Monday.
func Calendar(o Options, cells []Cell, weekdays [7]string, weekLabel func(monday time.Time) string) template.HTML {
	if len(cells) == 0 {
		s := begin(o, 200, 30, true)
		return s.end()
	}
	day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 12, 0, 0, 0, time.UTC) }
	monday := func(t time.Time) time.Time { d := day(t); return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7)) }
	first := monday(cells[0].Day)
	weeks := 0
	most := 0
	for _, c := range cells {
		weeks = max(weeks, int(monday(c.Day).Sub(first).Hours()/24/7+0.5)+1)
		most = max(most, c.N)
	}
	const cell, gap, labelW, top = 30.0, 3.0, 90.0, 42.0
	w := max(labelW+float64(weeks)*(cell+gap)+10, labelW+float64(len(scale(most)))*34+10)
	h := top + 7*(cell+gap) + 34
	s := begin(o, w, h, true)
	for r, name := range weekdays {
		s.text(labelW-6, top+float64(r)*(cell+gap)+cell/2+4, "end", "label", name, "")
	}
	for wk := range weeks {
		if wk%2 == 0 || weeks <= 4 {
			// The week's Monday, turned, above its column.
			x := s.x(labelW + float64(wk)*(cell+gap) + cell/2)
			angle := -40
			if s.rtl {
				angle = 40
			}
			fmt.Fprintf(&s.b, `<text x="%s" y="%s" text-anchor="start" class="tick" transform="rotate(%d %s %s)">%s</text>`,
				f(x), f(top-6), angle, f(x), f(top-6), esc(weekLabel(first.AddDate(0, 0, 7*wk))))
		}
	}
	for _, c := range cells {
		d := day(c.Day)
		wk := int(monday(d).Sub(first).Hours()/24/7 + 0.5)
		row := (int(d.Weekday()) + 6) % 7
		x, y := labelW+float64(wk)*(cell+gap), top+float64(row)*(cell+gap)
		fill, ink := shade(c.N, most)
		s.link(c.Href, func() {
			fmt.Fprintf(&s.b, `<g class="cell"><title>%s</title>`, esc(c.Title))
			s.rect(x, y, cell, cell, fill, ` stroke="#8a939e" stroke-width="0.5"`)
			s.text(x+cell/2, y+cell/2+4, "middle", "value", i18n.Number(o.Lang, c.N), ` fill="`+ink+`"`)
			s.b.WriteString(`</g>`)
		})
	}
	// The scale: what the shades stand for, with numbers.
	lx := labelW
	for i, n := range scale(most) {
		fill, ink := shade(n, most)
		s.rect(lx+float64(i)*34, h-26, 30, 18, fill, ` stroke="#8a939e" stroke-width="0.5"`)
		s.text(lx+float64(i)*34+15, h-13, "middle", "value", i18n.Number(o.Lang, n), ` fill="`+ink+`"`)
	}
	return s.end()
}

// shades run from white to dark red; ink is the number's colour on it, at
// a contrast of at least 4.5:1.
var shades = []string{"#ffffff", "#fde0dc", "#f4a79d", "#d9534a", "#8c1d18"}

func shade(n, most int) (fill, ink string) {
	if n <= 0 || most <= 0 {
		return shades[0], "#4a5360"
	}
	i := 1 + (n-1)*(len(shades)-1)/max(most, 1)
	i = min(i, len(shades)-1)
	if i >= 3 {
		return shades[i], "#ffffff"
	}
	return shades[i], "#1b1f24"
}

// scale are the values the legend shows, one per shade used.
func scale(most int) []int {
	out := []int{0}
	seen := map[string]bool{shades[0]: true}
	for n := 1; n <= most; n++ {
		if fill, _ := shade(n, most); !seen[fill] {
			seen[fill] = true
			out = append(out, n)
		}
	}
	return out
}
