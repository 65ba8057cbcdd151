package bulletin

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"github.com/truce-monitor/truce/internal/agreement"
	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/chart"
	"github.com/truce-monitor/truce/internal/i18n"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/period"
	"github.com/truce-monitor/truce/internal/ruling"
)

//go:embed templates/bulletin.html
var templateFS embed.FS

// Options say how a bulletin is written.
type Options struct {
	// Lang is the language (en, ar, ru, tr, fa).
	Lang string
	// Site is the address of the node serving the incidents ("" for
	// none): incidents and figures then link to its incident pages and
	// incident list. Web links them within the site ("/incidents/…").
	Site string
	Web  bool
	// File is the name the bulletin is written under, for the command
	// that verifies it.
	File string
}

func (o Options) linked() bool { return o.Web || o.Site != "" }

// CSS is the bulletin's style, inline so that the page stands alone; a
// server sending it states CSSHash in its Content-Security-Policy.
const CSS = `@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 60rem; padding: 16px; font: 14px/1.45 system-ui, "Noto Sans", "Noto Sans Arabic", "DejaVu Sans", Tahoma, sans-serif; color: #1b1f24; background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; border-block-end: 2px solid #1b1f24; padding-block-end: 2px; margin-block: 22px 8px; break-after: avoid; }
h3 { font-size: 15px; margin-block: 12px 4px; break-after: avoid; }
a { color: #0b5cad; }
.note, .edition { color: #4a5360; }
table { border-collapse: collapse; width: 100%; margin-block: 6px; }
th, td { text-align: start; padding: 3px 6px; border-block-end: 1px solid #c9ced6; vertical-align: top; }
thead th { border-block-end: 1.5px solid #4a5360; }
td.n, th.n { text-align: end; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr, figure, article, dt { break-inside: avoid; }
figure { margin: 8px 0; }
figcaption { font-weight: bold; margin-block-end: 2px; }
svg.chart { max-width: 100%; height: auto; }
.up { color: #8c1d18; } .down { color: #1e6b33; }
.notable { border-block-end: 1px solid #c9ced6; padding-block: 4px; }
.notable p { margin: 2px 0; }
dl.figures dt { font-weight: bold; margin-block-start: 6px; }
dl.figures dd { margin-inline-start: 16px; overflow-wrap: anywhere; }
code { font-size: 12px; overflow-wrap: anywhere; }
table.days { width: auto; }
@media print { a { color: inherit; text-decoration: none; } body { padding: 0; } }`

// CSSHash is the CSP source of CSS ('sha256-…').
var CSSHash = func() string {
	sum := sha256.Sum256([]byte(CSS))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

var (
	catOnce sync.Once
	cat     *i18n.Catalog
	catErr  error
	tmpl    *template.Template
)

func catalog() (*i18n.Catalog, error) {
	catOnce.Do(func() {
		cat, catErr = i18n.Load()
		if catErr != nil {
			return
		}
		tmpl, catErr = template.New("bulletin.html").Funcs(template.FuncMap{
			"t": func(lang, key string, args ...any) string { return cat.T(lang, key, args...) },
			"args": func(v *view, rows []incRow) any {
				return struct {
					V    *view
					Rows []incRow
				}{v, rows}
			},
		}).ParseFS(templateFS, "templates/bulletin.html")
	})
	return cat, catErr
}

// writer writes one bulletin in one language.
type writer struct {
	b   *Bulletin
	d   *Data
	a   *app.App
	o   Options
	cat *i18n.Catalog
}

func (w *writer) t(key string, args ...any) string { return w.cat.T(w.o.Lang, key, args...) }

// th translates a sentence whose template.HTML arguments (isolated data,
// code) go in as they are, the rest escaped.
func (w *writer) th(key string, args ...any) template.HTML {
	args = slices.Clone(args)
	var parts []template.HTML
	for i, a := range args {
		if h, ok := a.(template.HTML); ok {
			args[i] = string(rune(0xE000 + len(parts)))
			parts = append(parts, h)
		}
	}
	s := template.HTMLEscapeString(w.t(key, args...))
	for i, p := range parts {
		s = strings.Replace(s, string(rune(0xE000+i)), string(p), 1)
	}
	return template.HTML(s)
}

func (w *writer) num(n int) string { return i18n.Number(w.o.Lang, n) }

func bdi(s string) template.HTML {
	return template.HTML("<bdi>" + template.HTMLEscapeString(s) + "</bdi>")
}

// isolate isolates an id in text that cannot carry <bdi> (an SVG's
// title, a label): Unicode's first-strong isolate, which is what <bdi>
// does.
func isolate(s string) string { return "\u2068" + s + "\u2069" }

func code(s string) template.HTML {
	return template.HTML(`<code dir="ltr">` + template.HTMLEscapeString(s) + "</code>")
}

// date is a day in the locale's digits.
func (w *writer) date(s string) string {
	t, err := time.Parse(period.DateLayout, s)
	if err != nil {
		return s
	}
	return i18n.Date(w.o.Lang, t)
}

// span is an incident's dates: a day, or its first and last days.
func (w *writer) span(f Fact) string {
	s, e := f.span(w.b.loc)
	last := e.Add(-time.Nanosecond)
	if s.Format(period.DateLayout) == last.Format(period.DateLayout) {
		return i18n.Date(w.o.Lang, s)
	}
	return w.t("dash.week", i18n.Date(w.o.Lang, s), i18n.Date(w.o.Lang, last))
}

// heading is the bulletin's title.
func (w *writer) heading() string {
	b := w.b
	if b.Period == Day {
		return w.t("bulletin.heading.day", w.date(b.From))
	}
	return w.t("bulletin.heading."+string(b.Period), w.date(b.From), w.date(b.To))
}

func (w *writer) prevNote() string {
	b := w.b
	if b.Period == Day {
		return w.t("bulletin.previous_note.day", w.date(b.PrevFrom))
	}
	return w.t("bulletin.previous_note."+string(b.Period), w.date(b.PrevFrom), w.date(b.PrevTo))
}

func (w *writer) edition() string {
	switch {
	case w.b.Edition == Full:
		return w.t("bulletin.edition.full")
	case strings.HasPrefix(string(w.b.Edition), "party:"):
		return w.t("bulletin.edition.party", strings.TrimPrefix(string(w.b.Edition), "party:"))
	}
	return w.t("bulletin.edition.public")
}

// split says whether the edition shows incidents under review.
func (w *writer) split() bool { return w.b.Edition != Public }

// incidentHref is an incident's page, "" when the bulletin links to no
// site.
func (w *writer) incidentHref(id int64) string {
	if !w.o.linked() {
		return ""
	}
	return strings.TrimSuffix(w.o.Site, "/") + "/incidents/" + strconv.FormatInt(id, 10)
}

func (w *writer) incidentLink(id int64) template.HTML {
	text := bdi(strconv.FormatInt(id, 10))
	if h := w.incidentHref(id); h != "" {
		return template.HTML(`<a href="` + template.HTMLEscapeString(h) + `">` + string(text) + `</a>`)
	}
	return text
}

// anchor is a figure's place in the list of the incidents behind it.
func anchor(id string) string {
	return "fig-" + strings.NewReplacer("/", "-", ":", "-", " ", "-").Replace(id)
}

// listHref is the incident list's nearest filter for a figure (web and
// command line alike: the list's query parameters), "" when none
// expresses it (guarantors, clauses, zones, acts).
func (w *writer) listHref(id string, prev bool) string {
	if !w.o.linked() {
		return ""
	}
	from, to := w.b.From, w.b.To
	if prev {
		from, to = w.b.PrevFrom, w.b.PrevTo
	}
	q := url.Values{}
	parts := strings.Split(id, "/")
	switch {
	case id == "incidents" || id == "unplaced":
	case id == "violations" || id == "undetermined" || id == "not_violation":
		q.Set("verdict", map[string]string{"violations": "violation", "undetermined": "undetermined", "not_violation": "not_violation"}[id])
	case id == "dismissed":
		q.Set("state", "dismissed")
	case parts[0] == "party" && len(parts) == 2:
		q.Set("verdict", "violation")
		q.Set("party", parts[1])
	case parts[0] == "party" && len(parts) == 3:
		q.Set("verdict", "undetermined")
		q.Set("party", parts[1])
	case parts[0] == "admin1" && parts[1] != "unknown":
		q.Set("verdict", "violation")
		q.Set("admin", parts[1])
	case parts[0] == "day" && len(parts) == 2:
		q.Set("verdict", "violation")
		from, to = parts[1], parts[1]
	default:
		return ""
	}
	q.Set("from", from)
	q.Set("to", to)
	q.Set("lang", w.o.Lang)
	return strings.TrimSuffix(w.o.Site, "/") + "/incidents?" + q.Encode()
}

// label names a figure in the reader's language, ids isolated.
func (w *writer) label(id string) template.HTML {
	parts := strings.Split(id, "/")
	switch parts[0] {
	case "party":
		l := w.named(parts[1], w.partyName(parts[1]))
		if len(parts) == 3 {
			return w.th("bulletin.at_stake", l)
		}
		return l
	case "guarantor":
		return w.named(parts[1], w.guarantorName(parts[1]))
	case "clause":
		title := ""
		for _, v := range w.b.versions {
			if c := v.Clause(parts[1]); c != nil {
				title = c.Title
			}
		}
		return w.named(parts[1], title)
	case "zone":
		switch parts[1] {
		case "none", "unknown":
			return template.HTML(template.HTMLEscapeString(w.t("bulletin.zone." + parts[1])))
		}
		name := ""
		for _, v := range w.b.ag.Versions {
			if z := v.Zone(parts[1]); z != nil {
				name = z.Name
			}
		}
		return w.named(parts[1], name)
	case "admin1":
		if parts[1] == "unknown" {
			return template.HTML(template.HTMLEscapeString(w.t("bulletin.admin1.unknown")))
		}
		return w.unit(parts[1])
	case "day":
		return template.HTML(template.HTMLEscapeString(w.date(parts[1])))
	case "days":
		return template.HTML(template.HTMLEscapeString(w.t("bulletin.several_days_label")))
	case "humanitarian":
		return template.HTML(template.HTMLEscapeString(w.t("act." + parts[1])))
	}
	return template.HTML(template.HTMLEscapeString(w.t("bulletin.total." + id)))
}

// named is an id with its name, both isolated.
func (w *writer) named(id, name string) template.HTML {
	if name == "" {
		return bdi(id)
	}
	return bdi(id) + " " + template.HTML(`<small>`) + bdi(name) + template.HTML(`</small>`)
}

// unit is a governorate's name in the reader's script, with its P-code.
func (w *writer) unit(pcode string) template.HTML {
	u, ok := w.a.Boundaries.Unit(pcode)
	if !ok {
		return bdi(pcode)
	}
	name := u.Name
	if i18n.RTL(w.o.Lang) && u.NameAR != "" {
		name = u.NameAR
	}
	return bdi(name) + " " + template.HTML(`<small>`) + bdi(pcode) + template.HTML(`</small>`)
}

func (w *writer) unitName(pcode string) string {
	u, ok := w.a.Boundaries.Unit(pcode)
	if !ok {
		return pcode
	}
	if i18n.RTL(w.o.Lang) && u.NameAR != "" {
		return u.NameAR
	}
	return u.Name
}

func (w *writer) partyName(id string) string {
	for _, v := range slices.Backward(w.b.versions) {
		if p := v.Party(id); p != nil {
			return p.Name
		}
	}
	return ""
}

func (w *writer) guarantorName(id string) string {
	for _, v := range slices.Backward(w.b.versions) {
		for _, g := range v.Guarantors {
			if g.ID == id {
				return g.Name
			}
		}
	}
	return ""
}

// place names an incident's place in the reader's script where the
// gazetteer and the boundaries know it, as the web pages do.
func (w *writer) place(f Fact) string {
	p, ok := w.b.placeFor[f.ID]
	if !ok {
		p = incident.Place{Name: f.Place, Admin1: f.Admin1, Area: f.Area}
	}
	arabic := i18n.RTL(w.o.Lang)
	name := p.Name
	if arabic && name != "" && w.a.Places != nil {
		for _, g := range w.a.Places.Lookup(name) {
			if g.NameAR != "" && (p.Admin1 == "" || g.Admin1 == p.Admin1) {
				name = g.NameAR
				break
			}
		}
	}
	unit := ""
	if c := cmpOr(p.Admin3, p.Area); c != "" {
		unit = w.unitName(c)
	}
	switch {
	case name != "" && unit != "" && unit != name:
		return name + " (" + unit + ")"
	case name != "":
		return name
	case unit != "":
		return unit
	case p.Admin1 != "":
		return w.unitName(p.Admin1)
	}
	return w.t("bulletin.place_unknown")
}

// placeKnown says whether an incident's place has a name or a unit.
func (w *writer) placeKnown(f Fact) bool {
	p := w.b.placeFor[f.ID]
	return f.Place != "" || f.Admin1 != "" || f.Area != "" || p.Admin3 != ""
}

// outcome is a ruling's outcome in the reader's language.
func (w *writer) outcome(o string) string {
	verdict, detail, ok := strings.Cut(o, ":")
	detail = strings.TrimSpace(detail)
	if !ok || detail == "" {
		return w.t("verdict." + cmpOr(strings.TrimSpace(verdict), "none"))
	}
	key := "ruling.reason." + detail
	if ruling.Verdict(strings.TrimSpace(verdict)) == ruling.Undetermined {
		key = "ruling.missing." + detail
	}
	// The reason's sentence names the verdict itself.
	return strings.TrimRight(w.t(key), ".。")
}

// ids are ids isolated, joined with the language's comma.
func (w *writer) ids(items []string) template.HTML {
	var out []string
	for _, it := range items {
		out = append(out, string(bdi(it)))
	}
	return template.HTML(strings.Join(out, template.HTMLEscapeString(w.t("sym.comma"))))
}

// row is a line of a table of figures.
type row struct {
	Label     template.HTML
	N         string
	Href      string
	Split     bool
	Review    string
	Prev      string
	PrevHref  string
	Change    template.HTML
	Extra     string
	ExtraHref string
}

func (w *writer) row(fg *Figure) row {
	r := row{Label: w.label(fg.ID), N: w.num(fg.N), Href: "#" + anchor(fg.ID), Split: w.split()}
	if r.Split && (fg.ID == "violations" || !isTotal(fg.ID)) && !strings.HasSuffix(fg.ID, "/undetermined") && !strings.HasPrefix(fg.ID, "humanitarian/") {
		r.Review = w.t("bulletin.split", w.num(fg.Verified), w.num(fg.UnderReview))
	}
	if fg.Prev != nil {
		r.Prev = w.num(fg.Prev.N)
		r.PrevHref = "#" + anchor(fg.ID) + "-prev"
		r.Change = w.change(fg.N - fg.Prev.N)
	}
	return r
}

func isTotal(id string) bool { return slices.Contains(totals, id) }

// change is the difference from the previous period, in words as well
// as an arrow.
func (w *writer) change(d int) template.HTML {
	switch {
	case d > 0:
		return template.HTML(`<span class="up">` + template.HTMLEscapeString(w.t("bulletin.up", w.num(d))) + `</span>`)
	case d < 0:
		return template.HTML(`<span class="down">` + template.HTMLEscapeString(w.t("bulletin.down", w.num(-d))) + `</span>`)
	}
	return template.HTML(template.HTMLEscapeString(w.t("bulletin.same")))
}

// group is a breakdown of the violations.
type group struct {
	ID, Title, Col string
	Note           string
	Chart          template.HTML
	Rows           []row
	Extra          string
}

// breakdown is the rows of one kind of figure, most first.
func (w *writer) breakdown(prefix string) []*Figure {
	var out []*Figure
	for i := range w.d.Figures {
		fg := &w.d.Figures[i]
		rest, ok := strings.CutPrefix(fg.ID, prefix+"/")
		if !ok || strings.Contains(rest, "/") {
			continue
		}
		out = append(out, fg)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].N != out[j].N {
			return out[i].N > out[j].N
		}
		pi, pj := 0, 0
		if out[i].Prev != nil {
			pi = out[i].Prev.N
		}
		if out[j].Prev != nil {
			pj = out[j].Prev.N
		}
		if pi != pj {
			return pi > pj
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// layers of the charts of violations.
func (w *writer) layers() []chart.Layer {
	ls := []chart.Layer{{Label: w.t("bulletin.layer.verified"), Style: chart.Solid}}
	if w.split() {
		ls = append(ls, chart.Layer{Label: w.t("bulletin.layer.under_review"), Style: chart.Hatch})
	}
	return ls
}

func (w *writer) values(fg *Figure) []int {
	if fg == nil {
		return []int{0, 0}
	}
	if !w.split() {
		return []int{fg.Verified}
	}
	return []int{fg.Verified, fg.UnderReview}
}

func (w *writer) groups() []group {
	var gs []group
	party := group{ID: "by-party", Title: w.t("bulletin.by_party"), Col: w.t("bulletin.col.party"), Extra: w.t("bulletin.col.at_stake")}
	for _, fg := range w.breakdown("party") {
		r := w.row(fg)
		if u := w.d.Figure(fg.ID + "/undetermined"); u != nil {
			r.Extra, r.ExtraHref = w.num(u.N), "#"+anchor(u.ID)
		} else {
			r.Extra, r.ExtraHref = w.num(0), "#"+anchor(fg.ID)
		}
		party.Rows = append(party.Rows, r)
	}
	gs = append(gs, party)
	for _, k := range []struct{ prefix, id, title, col string }{
		{"guarantor", "by-guarantor", "bulletin.by_guarantor", "bulletin.col.guarantor"},
		{"clause", "by-clause", "bulletin.by_clause", "bulletin.col.clause"},
		{"zone", "by-zone", "bulletin.by_zone", "bulletin.col.zone"},
		{"admin1", "by-admin1", "bulletin.by_admin1", "bulletin.col.admin1"},
	} {
		g := group{ID: k.id, Title: w.t(k.title), Col: w.t(k.col)}
		var bars []chart.Bar
		for _, fg := range w.breakdown(k.prefix) {
			g.Rows = append(g.Rows, w.row(fg))
			label := strings.TrimPrefix(fg.ID, k.prefix+"/")
			switch {
			case k.prefix == "admin1" && label != "unknown":
				label = w.unitName(label)
			case label == "none" || label == "unknown":
				label = w.t("bulletin." + k.prefix + "." + label)
			}
			if fg.N > 0 {
				bars = append(bars, chart.Bar{Label: label, Values: w.values(fg), Href: "#" + anchor(fg.ID), Title: label})
			}
		}
		if k.prefix == "zone" && len(w.d.Zones) == 0 {
			g.Note = w.t("bulletin.no_zones")
		}
		if (k.prefix == "zone" || k.prefix == "admin1") && len(bars) > 0 {
			g.Chart = chart.HBars(chart.Options{ID: "chart-" + k.id, Lang: w.o.Lang, Title: g.Title,
				Desc: w.t("bulletin.hbars_desc", w.heading())}, w.layers(), bars)
		}
		gs = append(gs, g)
	}
	return gs
}

// dayRow is a line of the table of days.
type dayRow struct {
	Label, N, Href string
}

// partyChart is a party's chart of the period, with its caption.
type partyChart struct {
	Caption template.HTML
	SVG     template.HTML
}

func (w *writer) overTime() (charts []partyChart, cal template.HTML, days []dayRow, several string) {
	var cells []chart.Cell
	top := 0
	for _, p := range w.d.Parties {
		for _, day := range w.d.Days {
			n := 0
			if fg := w.d.Figure("day/" + day + "/party/" + p); fg != nil {
				n += fg.N
			}
			if fg := w.d.Figure("day/" + day + "/party/" + p + "/undetermined"); fg != nil {
				n += fg.N
			}
			top = max(top, n)
		}
	}
	for i, p := range w.d.Parties {
		layers := append(w.layers(), chart.Layer{Label: w.t("bulletin.layer.undetermined"), Style: chart.Dots})
		var bars []chart.Bar
		for _, day := range w.d.Days {
			t, _ := time.Parse(period.DateLayout, day)
			v := w.values(w.d.Figure("day/" + day + "/party/" + p))
			u := 0
			if fg := w.d.Figure("day/" + day + "/party/" + p + "/undetermined"); fg != nil {
				u = fg.N
			}
			bars = append(bars, chart.Bar{Label: i18n.Digits(w.o.Lang, t.Format("01-02")), Values: append(v, u),
				Href: "#" + anchor("day/"+day+"/party/"+p), Title: i18n.Date(w.o.Lang, t)})
		}
		charts = append(charts, partyChart{Caption: w.th("bulletin.chart.party_title", w.named(p, w.partyName(p))),
			SVG: chart.Stacked(chart.Options{ID: "chart-party-" + strconv.Itoa(i), Lang: w.o.Lang,
				Title: w.t("bulletin.chart.party_title", isolate(p)), Desc: w.t("bulletin.chart.party_desc", isolate(p), w.date(w.b.From), w.date(w.b.To))}, layers, bars, top)})
	}
	for _, day := range w.d.Days {
		fg := w.d.Figure("day/" + day)
		t, _ := time.Parse(period.DateLayout, day)
		n := 0
		if fg != nil {
			n = fg.N
		}
		cells = append(cells, chart.Cell{Day: t, N: n, Href: "#" + anchor("day/"+day), Title: w.t("bulletin.calendar.cell", i18n.Date(w.o.Lang, t), w.num(n))})
		days = append(days, dayRow{Label: i18n.Date(w.o.Lang, t), N: w.num(n), Href: "#" + anchor("day/"+day)})
	}
	var wd [7]string
	for i := range wd {
		wd[i] = w.t("bulletin.weekday." + strconv.Itoa(i+1))
	}
	cal = chart.Calendar(chart.Options{ID: "chart-calendar", Lang: w.o.Lang, Title: w.t("bulletin.calendar.title"), Desc: w.t("bulletin.calendar.desc")},
		cells, wd, func(m time.Time) string { return i18n.Digits(w.o.Lang, m.Format("01-02")) })
	if fg := w.d.Figure("days/several"); fg != nil && fg.N > 0 {
		several = w.t("bulletin.several_days", w.num(fg.N))
	}
	return charts, cal, days, several
}

// mapOf draws the governorates, the zones of the versions in force and the
// period's incidents with a point.
func (w *writer) mapOf() (template.HTML, string) {
	var outlines []chart.Shape
	for _, u := range w.a.Boundaries.Units(1) {
		outlines = append(outlines, chart.Shape{Label: u.Name, Geometry: w.a.Boundaries.Geometry(u.PCode)})
	}
	var zones []chart.Shape
	seen := map[string]bool{}
	for _, v := range w.b.versions {
		for _, z := range v.Zones {
			if seen[z.ID] {
				continue
			}
			seen[z.ID] = true
			zones = append(zones, chart.Shape{Label: z.ID + " " + z.Name, Geometry: zoneGeometry(w.a, z)})
		}
	}
	var points []chart.Point
	noPoint := 0
	for _, f := range w.d.Incidents {
		if f.Where != "period" {
			continue
		}
		if !f.HasPoint {
			noPoint++
			continue
		}
		m := chart.Square
		label := ""
		rv := ruling.ReviewOf(incident.State(f.State))
		switch {
		case rv == ruling.Dismissed:
		case f.Verdict == string(ruling.Violation) && rv == ruling.Reviewed:
			m, label = chart.Disc, strconv.FormatInt(f.ID, 10)
		case f.Verdict == string(ruling.Violation):
			m, label = chart.Ring, strconv.FormatInt(f.ID, 10)
		case f.Verdict == string(ruling.Undetermined):
			m = chart.Triangle
		}
		points = append(points, chart.Point{Lon: f.Lon, Lat: f.Lat, Marker: m, Label: label, Href: w.incidentHref(f.ID),
			Title: w.span(f) + " · " + w.outcome(f.Outcome)})
	}
	// Violations drawn last, on top.
	sort.SliceStable(points, func(i, j int) bool { return points[i].Marker > points[j].Marker })
	keys := []chart.Key{{Marker: chart.Disc, Label: w.t("bulletin.layer.verified")}}
	if w.split() {
		keys = append(keys, chart.Key{Marker: chart.Ring, Label: w.t("bulletin.layer.under_review")})
	}
	keys = append(keys, chart.Key{Marker: chart.Triangle, Label: w.t("verdict.undetermined")}, chart.Key{Marker: chart.Square, Label: w.t("bulletin.marker.other")})
	svg := chart.Map(chart.Options{ID: "chart-map", Lang: w.o.Lang, Title: w.t("bulletin.map.title"), Desc: w.t("bulletin.map.desc")},
		outlines, zones, w.t("bulletin.map.zones"), points, keys)
	note := ""
	if noPoint > 0 {
		note = w.t("bulletin.map.no_point", w.num(noPoint))
	}
	return svg, note
}

func zoneGeometry(a *app.App, z *agreement.Zone) orb.Geometry {
	var mp orb.MultiPolygon
	mp = append(mp, z.Polygon...)
	for _, pc := range z.PCodes {
		switch g := a.Boundaries.Geometry(pc).(type) {
		case orb.Polygon:
			mp = append(mp, g)
		case orb.MultiPolygon:
			mp = append(mp, g...)
		}
	}
	if len(mp) == 0 {
		return nil
	}
	return mp
}

// incRow is a line of the table of incidents.
type incRow struct {
	ID                       int64
	Link, Place, Ruling      template.HTML
	Date, Act, Killed, State string
}

func (w *writer) incRow(f Fact) incRow {
	killed := w.num(f.Killed)
	if f.NoBest {
		killed = "—"
	}
	r := template.HTML(template.HTMLEscapeString(w.outcome(f.Outcome)))
	if len(f.Parties) > 0 {
		r += " (" + w.ids(f.Parties) + ")"
	}
	place := bdi(w.place(f))
	if !w.placeKnown(f) {
		place = template.HTML(template.HTMLEscapeString(w.t("bulletin.place_unknown")))
	}
	return incRow{ID: f.ID, Link: w.incidentLink(f.ID), Date: w.span(f), Place: place, Act: w.t("act." + cmpOr(f.Act, "unknown")),
		Killed: killed, Ruling: r, State: w.t("state." + f.State)}
}

// notableView is a notable incident as written.
type notableView struct {
	Head, Facts, Ruling template.HTML
	Findings, Replies   []template.HTML
}

func (w *writer) notable() []notableView {
	var out []notableView
	for _, n := range w.d.Notable {
		f := w.d.Fact(n.ID)
		if f == nil {
			continue
		}
		v := notableView{Head: w.th("bulletin.notable_head", w.incidentLink(f.ID), bdi(n.Title))}
		v.Facts = w.th("bulletin.notable_facts", w.span(*f), bdi(w.place(*f)), w.t("act."+cmpOr(f.Act, "unknown")), w.num(f.Killed), w.t("state."+f.State))
		v.Ruling = template.HTML(template.HTMLEscapeString(w.outcome(f.Outcome)))
		if len(f.Parties) > 0 {
			v.Ruling += template.HTML(template.HTMLEscapeString(w.t("sym.semicolon"))) + w.th("bulletin.parties", w.ids(f.Parties))
		}
		if len(f.Clauses) > 0 {
			v.Ruling += template.HTML(template.HTMLEscapeString(w.t("sym.semicolon"))) + w.th("bulletin.clauses", w.ids(f.Clauses))
		}
		if len(f.Guarantors) > 0 {
			v.Ruling += template.HTML(template.HTMLEscapeString(w.t("sym.semicolon"))) + w.th("bulletin.guarantors", w.ids(f.Guarantors))
		}
		for _, fs := range n.Findings {
			status := w.t("finding.pending")
			if fs.Adopted {
				status = w.t("finding.adopted")
			}
			h := w.th("bulletin.finding", w.t("conclusion."+fs.Conclusion), status)
			if len(fs.Agree) > 0 {
				h += template.HTML(template.HTMLEscapeString(w.t("sym.semicolon"))) + w.th("bulletin.agree", w.ids(fs.Agree))
			}
			if len(fs.Dissent) > 0 {
				h += template.HTML(template.HTMLEscapeString(w.t("sym.semicolon"))) + w.th("bulletin.dissent", w.ids(fs.Dissent))
			}
			if len(fs.Waiting) > 0 {
				h += template.HTML(template.HTMLEscapeString(w.t("sym.semicolon"))) + w.th("bulletin.waiting", w.ids(fs.Waiting))
			}
			v.Findings = append(v.Findings, h)
		}
		for _, r := range n.Replies {
			v.Replies = append(v.Replies, w.th("bulletin.reply", bdi(r.Party), w.t("stance."+r.Stance)))
		}
		out = append(out, v)
	}
	return out
}

func (w *writer) disputed() []template.HTML {
	var out []template.HTML
	for _, d := range w.d.Disputed {
		var why []string
		for _, y := range d.Why {
			if p, ok := strings.CutPrefix(y, "denied:"); ok {
				why = append(why, string(w.th("bulletin.why.denied", bdi(p))))
				continue
			}
			why = append(why, template.HTMLEscapeString(w.t("bulletin.why."+y)))
		}
		out = append(out, w.incidentLink(d.ID)+template.HTML(template.HTMLEscapeString(w.t("bulletin.colon"))+strings.Join(why, template.HTMLEscapeString(w.t("sym.semicolon")))))
	}
	return out
}

// sieges are the lines of the sieges in force during the period.
func (w *writer) sieges() []template.HTML {
	var out []template.HTML
	for _, s := range w.d.Sieges {
		span := i18n.Digits(w.o.Lang, s.From)
		if s.To != "" {
			span += " – " + i18n.Digits(w.o.Lang, s.To)
		}
		var by []string
		for _, a := range s.Besieging {
			by = append(by, string(bdi(w.a.Actors.DisplayName(a, w.o.Lang))))
		}
		out = append(out, template.HTML(string(bdi(s.Area))+" · "+template.HTMLEscapeString(w.t("siege.status."+s.Status))+" · "+span+
			" · "+template.HTMLEscapeString(w.t("siege.besieging"))+" "+strings.Join(by, " ")+
			` · <small><bdi lang="en" dir="ltr">`+template.HTMLEscapeString(s.Source)+`</bdi></small>`))
	}
	return out
}

// aid are the lines of the period's humanitarian events.
func (w *writer) aid() []template.HTML {
	var out []template.HTML
	for _, a := range w.d.Aid {
		var what string
		switch a.Kind {
		case "access":
			what = w.t("access.step." + a.What)
		case "evacuation":
			what = w.t("area.evacuation") + w.t("bulletin.colon") + w.t("evac.event."+a.What)
		default:
			what = w.t("bulletin.exchange." + a.What)
		}
		line := i18n.Digits(w.o.Lang, a.Date) + " · " + string(bdi(a.Area)) + " · " + template.HTMLEscapeString(what)
		if a.By != "" {
			line += " · " + string(bdi(w.a.Actors.DisplayName(a.By, w.o.Lang)))
		}
		if a.People > 0 {
			line += " · " + w.num(a.People)
		}
		if a.Incident != 0 {
			line += " · " + string(w.incidentLink(a.Incident))
		}
		line += ` · <small><bdi lang="en" dir="ltr">` + template.HTMLEscapeString(a.Source) + `</bdi></small>`
		out = append(out, template.HTML(line))
	}
	return out
}

func (w *writer) replies() []template.HTML {
	var out []template.HTML
	for _, r := range w.d.OpenReplies {
		out = append(out, w.incidentLink(r.ID)+template.HTML(template.HTMLEscapeString(w.t("bulletin.colon")))+w.th("bulletin.reply", bdi(r.Party), w.t("stance."+r.Stance)))
	}
	return out
}

// appendixEntry is a figure with the incidents behind it.
type appendixEntry struct {
	Anchor string
	Label  template.HTML
	N      string
	List   string
	IDs    template.HTML
}

func (w *writer) appendix() []appendixEntry {
	var out []appendixEntry
	idsOf := func(ids []int64) template.HTML {
		var parts []string
		for _, id := range ids {
			parts = append(parts, string(w.incidentLink(id)))
		}
		return template.HTML(strings.Join(parts, " "))
	}
	for _, fg := range w.d.Figures {
		label := w.label(fg.ID)
		if strings.HasPrefix(fg.ID, "day/") && strings.Count(fg.ID, "/") > 1 {
			parts := strings.SplitN(fg.ID, "/", 3)
			label = template.HTML(template.HTMLEscapeString(w.date(parts[1]))) + " · " + w.label(parts[2])
		}
		if fg.N == 0 && (fg.Prev == nil || fg.Prev.N == 0) && strings.HasPrefix(fg.ID, "day/") {
			// Empty days are still anchors of the charts.
			out = append(out, appendixEntry{Anchor: anchor(fg.ID), Label: label, N: w.num(0)})
			continue
		}
		out = append(out, appendixEntry{Anchor: anchor(fg.ID), Label: label, N: w.num(fg.N), List: w.listHref(fg.ID, false), IDs: idsOf(fg.Incidents)})
		if fg.Prev != nil {
			out = append(out, appendixEntry{Anchor: anchor(fg.ID) + "-prev", Label: label + template.HTML(" · "+template.HTMLEscapeString(w.t("bulletin.previous"))),
				N: w.num(fg.Prev.N), List: w.listHref(fg.ID, true), IDs: idsOf(fg.Prev.Incidents)})
		}
	}
	return out
}

// view is what the HTML template gets.
type view struct {
	Lang, Dir                     string
	Title, Heading                string
	Under                         template.HTML
	Edition, PrevNote             string
	CSS                           template.CSS
	Split, Web                    bool
	Summary                       []row
	Groups                        []group
	PartyCharts                   []partyChart
	Calendar, Map                 template.HTML
	Days                          []dayRow
	SeveralDays, NoPoint          string
	Notable                       []notableView
	Disputed, Replies             []template.HTML
	Humanitarian                  []row
	Sieges, Aid                   []template.HTML
	Incidents, Unplaced           []incRow
	Appendix                      []appendixEntry
	LogLine, HashLine, VerifyLine template.HTML
	JSON                          template.JS
}

// HTML writes the bulletin as a standalone page: inline CSS and SVG, no
// script, right to left for Arabic and Persian, its data embedded for
// Verify.
func HTML(b *Bulletin, a *app.App, o Options) ([]byte, error) {
	c, err := catalog()
	if err != nil {
		return nil, err
	}
	if !c.Has(o.Lang) {
		return nil, fmt.Errorf("language %q: want one of en, ar, ru, tr, fa", o.Lang)
	}
	w := &writer{b: b, d: b.D, a: a, o: o, cat: c}
	v := &view{Lang: o.Lang, Dir: "ltr", Heading: w.heading(), Edition: w.edition(), PrevNote: w.prevNote(), CSS: template.CSS(CSS),
		Split: w.split(), Web: o.linked()}
	if i18n.RTL(o.Lang) {
		v.Dir = "rtl"
	}
	v.Title = v.Heading + " — " + b.ag.Title
	v.Under = w.th("bulletin.under", bdi(b.ag.Title), bdi(b.TimeZone))
	for _, id := range totals {
		fg := b.D.Figure(id)
		if fg == nil || (id == "not_ruled" && fg.N == 0 && fg.Prev.N == 0) {
			continue
		}
		v.Summary = append(v.Summary, w.row(fg))
	}
	v.Groups = w.groups()
	v.PartyCharts, v.Calendar, v.Days, v.SeveralDays = w.overTime()
	v.Map, v.NoPoint = w.mapOf()
	v.Notable = w.notable()
	v.Disputed = w.disputed()
	v.Replies = w.replies()
	for _, fg := range w.breakdown("humanitarian") {
		v.Humanitarian = append(v.Humanitarian, w.row(fg))
	}
	v.Sieges, v.Aid = w.sieges(), w.aid()
	for _, f := range b.D.Incidents {
		switch f.Where {
		case "period":
			v.Incidents = append(v.Incidents, w.incRow(f))
		case "period-unplaced":
			v.Unplaced = append(v.Unplaced, w.incRow(f))
		}
	}
	v.Appendix = w.appendix()
	v.LogLine, v.HashLine, v.VerifyLine = w.verification()
	j, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	v.JSON = template.JS(j)
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// verification says what the bulletin was computed from and how to check
// it.
func (w *writer) verification() (logLine, hashLine, verifyLine template.HTML) {
	b := w.b
	if b.Log.Checkpoint != "" {
		logLine = w.th("bulletin.log_signed", w.num(int(b.Log.Size)), code(b.Log.Root), w.ids(b.Log.Signers))
	} else {
		logLine = w.th("bulletin.log_unsigned", w.num(int(b.Log.Size)), code(b.Log.Root))
	}
	hashLine = w.th("bulletin.data_hash", code(b.DataHash))
	file := cmpOr(w.o.File, "FILE")
	verifyLine = w.th("bulletin.verify_how", code("truce bulletin -verify "+file))
	return
}
