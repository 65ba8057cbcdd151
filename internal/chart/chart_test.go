package chart_test

import (
	"encoding/xml"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/truce-monitor/truce/internal/chart"
)

// wellFormed parses an SVG as XML.
func wellFormed(t *testing.T, svg string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%.400s", err, svg)
		}
	}
}

var layers = []chart.Layer{{Label: "verified", Style: chart.Solid}, {Label: "under review", Style: chart.Hatch}, {Label: "undetermined", Style: chart.Dots}}

func bars() []chart.Bar {
	return []chart.Bar{
		{Label: "01-09", Values: []int{1, 0, 3}, Href: "/incidents?from=2017-01-09", Title: "2017-01-09"},
		{Label: "01-10", Values: []int{0, 2, 0}, Title: "2017-01-10"},
		{Label: "01-11", Values: []int{12, 0, 0}, Title: "2017-01-11"},
	}
}

// TestStackedAccessible: a title and a description referenced by the
// SVG, every layer in the legend by name and pattern, each bar's values
// in its title, its total written on it, and its link.
func TestStackedAccessible(t *testing.T) {
	svg := string(chart.Stacked(chart.Options{ID: "c1", Lang: "en", Title: "Party GOV", Desc: "Violations per day"}, layers, bars(), 0))
	wellFormed(t, svg)
	for _, want := range []string{`role="img"`, `aria-labelledby="c1-title c1-desc"`, `<title id="c1-title">Party GOV</title>`, `<desc id="c1-desc">Violations per day</desc>`,
		`fill="url(#c1-p1)"`, `fill="url(#c1-p2)"`, `<pattern id="c1-p1"`, ">verified<", ">under review<", ">undetermined<",
		"<title>2017-01-09 — verified: 1; undetermined: 3</title>", `<a href="/incidents?from=2017-01-09">`, ">12<", `direction="ltr"`} {
		if !strings.Contains(svg, want) {
			t.Errorf("the chart lacks %s", want)
		}
	}
	if strings.Contains(svg, "style=") {
		t.Error("a style attribute: the site's Content-Security-Policy forbids inline style")
	}
}

// TestStackedRightToLeft: in Arabic the time axis runs from right to left
// (the first bar is the rightmost) and the numbers are Arabic-Indic.
func TestStackedRightToLeft(t *testing.T) {
	x := func(svg string) []float64 {
		var out []float64
		for _, m := range regexp.MustCompile(`<g class="bar"><title>[^<]*</title><rect x="([0-9.]+)"`).FindAllStringSubmatch(svg, -1) {
			v, _ := strconv.ParseFloat(m[1], 64)
			out = append(out, v)
		}
		return out
	}
	ltr := string(chart.Stacked(chart.Options{ID: "a", Lang: "en"}, layers, bars(), 0))
	rtl := string(chart.Stacked(chart.Options{ID: "b", Lang: "ar"}, layers, bars(), 0))
	wellFormed(t, rtl)
	l, r := x(ltr), x(rtl)
	if len(l) != 3 || len(r) != 3 || !(l[0] < l[2]) || !(r[0] > r[2]) {
		t.Errorf("bars' x: %v left to right, %v right to left", l, r)
	}
	if !strings.Contains(rtl, `direction="rtl"`) || !strings.Contains(rtl, ">١٢<") || strings.Contains(rtl, ">12<") {
		t.Error("the Arabic chart is not right to left with Arabic-Indic digits")
	}
	if !strings.Contains(string(chart.Stacked(chart.Options{ID: "c", Lang: "fa"}, layers, bars(), 0)), ">۱۲<") {
		t.Error("the Persian chart's digits")
	}
}

func TestHBars(t *testing.T) {
	rows := []chart.Bar{{Label: "DZ1", Values: []int{3, 1}, Href: "#z1"}, {Label: "DZ2", Values: []int{0, 2}}}
	svg := string(chart.HBars(chart.Options{ID: "h", Lang: "ar", Title: "t", Desc: "d"}, layers[:2], rows))
	wellFormed(t, svg)
	for _, want := range []string{">DZ1<", ">٤<", ">٢<", `<a href="#z1">`} {
		if !strings.Contains(svg, want) {
			t.Errorf("horizontal bars lack %s", want)
		}
	}
}

// TestCalendar: a cell per day in its weekday's row and its week's
// column, its number written in it, the scale with numbers.
func TestCalendar(t *testing.T) {
	var cells []chart.Cell
	for d := range 10 {
		day := time.Date(2017, 1, 9+d, 0, 0, 0, 0, time.UTC)
		cells = append(cells, chart.Cell{Day: day, N: d % 4, Title: day.Format("2006-01-02")})
	}
	wd := [7]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
	svg := string(chart.Calendar(chart.Options{ID: "cal", Lang: "en", Title: "per day", Desc: "calendar"}, cells, wd, func(m time.Time) string { return m.Format("01-02") }))
	wellFormed(t, svg)
	if n := strings.Count(svg, `<g class="cell">`); n != 10 {
		t.Errorf("%d cells, want 10", n)
	}
	for _, want := range []string{">Mon<", ">Sun<", ">01-09<", ">01-16<", "<title>2017-01-18</title>"} {
		if !strings.Contains(svg, want) {
			t.Errorf("the calendar lacks %s", want)
		}
	}
}

// TestMap: not mirrored in Arabic (a map is geography); points drawn by
// shape, zones hatched.
func TestMap(t *testing.T) {
	square := orb.Polygon{orb.Ring{{36, 33}, {37, 33}, {37, 34}, {36, 34}, {36, 33}}}
	pts := []chart.Point{{Lon: 36.1, Lat: 33.5, Marker: chart.Disc, Label: "193"}, {Lon: 36.9, Lat: 33.5, Marker: chart.Triangle}}
	cx := func(svg string) float64 {
		m := regexp.MustCompile(`<circle cx="([0-9.]+)"`).FindStringSubmatch(svg)
		v, _ := strconv.ParseFloat(m[1], 64)
		return v
	}
	en := string(chart.Map(chart.Options{ID: "m", Lang: "en"}, []chart.Shape{{Geometry: square}}, []chart.Shape{{Label: "DZ3", Geometry: square}}, "zone", pts, nil))
	ar := string(chart.Map(chart.Options{ID: "m", Lang: "ar"}, []chart.Shape{{Geometry: square}}, []chart.Shape{{Label: "DZ3", Geometry: square}}, "zone", pts, nil))
	wellFormed(t, ar)
	if cx(en) != cx(ar) || cx(en) > 320 {
		t.Errorf("the western point at x %v in English, %v in Arabic: a map is not mirrored", cx(en), cx(ar))
	}
	if !strings.Contains(ar, `fill="url(#m-p3)"`) || !strings.Contains(ar, "<path d=\"M") || !strings.Contains(ar, ">193<") {
		t.Error("the map lacks its zone, its outlines or its labels")
	}
}
