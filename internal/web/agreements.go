package web

import (
	"encoding/json"
	"html/template"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/truce-monitor/truce/internal/agreement"
	"github.com/truce-monitor/truce/internal/i18n"
)

func (u *UI) agreements(q *req) error {
	return u.render(q, "agreements", "nav.agreements", map[string]any{"Agreements": u.app.Agreements()})
}

// version finds the agreement and version a request names (?v=N, the
// latest by default).
func (q *req) version() (*agreement.Agreement, *agreement.Version, error) {
	ag, ok := q.u.app.Agreement(q.r.PathValue("id"))
	if !ok || len(ag.Versions) == 0 {
		return nil, nil, fail(http.StatusNotFound, "error.not_found")
	}
	v := ag.Versions[len(ag.Versions)-1]
	if s := q.r.URL.Query().Get("v"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || ag.Version(n) == nil {
			return nil, nil, fail(http.StatusNotFound, "error.not_found")
		}
		v = ag.Version(n)
	}
	return ag, v, nil
}

// agreement shows one version: parties, guarantors and whom they answer
// for, excluded groups, clauses, zones on a map, and what changed from the
// version before.
func (u *UI) agreement(q *req) error {
	ag, v, err := q.version()
	if err != nil {
		return err
	}
	var prev *agreement.Version
	for i, w := range ag.Versions {
		if w == v && i > 0 {
			prev = ag.Versions[i-1]
		}
	}
	var changes []change
	if prev != nil {
		changes = u.changes(q.lang, ag, prev, v)
	}
	return u.render(q, "agreement", "nav.agreements", map[string]any{"Agreement": ag, "Version": v, "Prev": prev, "Changes": changes})
}

// zones is a version's zones as GeoJSON: drawn polygons as drawn, and
// zones of administrative units as those units' shapes.
func (u *UI) zones(q *req) error {
	_, v, err := q.version()
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for _, z := range v.Zones {
		var mp orb.MultiPolygon
		if z.Polygon != nil {
			mp = append(mp, z.Polygon...)
		}
		for _, pc := range z.PCodes {
			switch g := u.app.Boundaries.Geometry(pc).(type) {
			case orb.Polygon:
				mp = append(mp, g)
			case orb.MultiPolygon:
				mp = append(mp, g...)
			}
		}
		if len(mp) == 0 {
			continue
		}
		f := geojson.NewFeature(mp)
		f.Properties["id"] = z.ID
		f.Properties["name"] = z.Name
		fc.Append(f)
	}
	q.w.Header().Set("Content-Type", "application/geo+json")
	return json.NewEncoder(q.w).Encode(fc)
}

// when is an instant of an agreement, in its time zone: the date, and the
// time of day unless it is midnight.
func when(lang string, a *agreement.Agreement, t time.Time) string {
	if a.Location != nil {
		t = t.In(a.Location)
	}
	if t.Hour() == 0 && t.Minute() == 0 {
		return i18n.Date(lang, t)
	}
	return i18n.Date(lang, t) + " " + i18n.Clock(lang, t)
}

// agreementTime reads a time written in an agreement file as the agreement
// package does (RFC 3339, or a local date or date-time in the agreement's
// zone); ok is false for anything else.
func agreementTime(a *agreement.Agreement, s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	loc := a.Location
	if loc == nil {
		loc = time.UTC
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// agreementWhen is a time of an agreement file in the reader's language;
// what it cannot read it shows as data.
func agreementWhen(lang string, a *agreement.Agreement, s string) template.HTML {
	if t, ok := agreementTime(a, s); ok {
		return template.HTML(template.HTMLEscapeString(when(lang, a, t)))
	}
	return bdi(s)
}

// effective says when a version is in force.
func (u *UI) effective(lang string, a *agreement.Agreement, v *agreement.Version) template.HTML {
	if v.EffectiveTo == "" {
		return u.th(lang, "agreement.in_force", agreementWhen(lang, a, v.EffectiveFrom))
	}
	return u.th(lang, "agreement.in_force_to", agreementWhen(lang, a, v.EffectiveFrom), agreementWhen(lang, a, v.EffectiveTo))
}

// window says when within its version a clause applies.
func (u *UI) window(lang string, a *agreement.Agreement, w *agreement.Window) template.HTML {
	switch {
	case w == nil:
		return ""
	case w.From != "" && w.To != "":
		return u.th(lang, "agreement.window", agreementWhen(lang, a, w.From), agreementWhen(lang, a, w.To))
	case w.From != "":
		return u.th(lang, "agreement.window_from", agreementWhen(lang, a, w.From))
	case w.To != "":
		return u.th(lang, "agreement.window_to", agreementWhen(lang, a, w.To))
	}
	return ""
}

// protects is whom a clause protects, each in the reader's language: the
// other parties, civilians, or a party by its id. A clause that names
// none protects both the other parties and civilians
// (agreement.Clause.ProtectsTarget).
func (u *UI) protects(lang string, p []agreement.Protected) []template.HTML {
	if len(p) == 0 {
		p = []agreement.Protected{agreement.ProtectsParties, agreement.ProtectsCivilians}
	}
	var out []template.HTML
	for _, x := range p {
		switch x {
		case agreement.ProtectsParties, agreement.ProtectsCivilians:
			out = append(out, template.HTML(template.HTMLEscapeString(u.cat.T(lang, "protects."+x))))
		default:
			out = append(out, bdi(x))
		}
	}
	return out
}

// change is one difference between two versions (agreement.Diff), told in
// the reader's language: Head says what changed ("New clause C4", "Zone
// Z2 changed", "In force from"), Text what it is or how it changed, data
// isolated and dates in the locale's digits.
type change struct {
	Op   string // "+", "-" or "~"
	Head template.HTML
	Text template.HTML
}

// changes lists what changed from version a to version b.
func (u *UI) changes(lang string, a *agreement.Agreement, from, to *agreement.Version) []change {
	var out []change
	for _, c := range agreement.Diff(from, to) {
		ch := change{Op: c.Op}
		if c.What == "version" {
			ch.Head = template.HTML(template.HTMLEscapeString(u.cat.T(lang, "change.version."+c.ID)))
			ch.Text = u.fromTo(lang, u.versionField(lang, a, from, c.ID), u.versionField(lang, a, to, c.ID))
			out = append(out, ch)
			continue
		}
		verb := map[string]string{"+": "added", "-": "removed", "~": "changed"}[c.Op]
		ch.Head = u.th(lang, "change."+verb+"."+c.What, bdi(c.ID))
		x, y := item(from, c.What, c.ID), item(to, c.What, c.ID)
		switch c.Op {
		case "+":
			ch.Text = u.describe(lang, a, y)
		case "-":
			ch.Text = u.describe(lang, a, x)
		default:
			ch.Text = u.fieldChanges(lang, a, x, y)
		}
		out = append(out, ch)
	}
	return out
}

// item is the party, guarantor, excluded group, zone or clause of a
// version by id, as a map of its fields as they are written in an
// agreement file (its JSON form, as agreement.Diff compares them).
func item(v *agreement.Version, what, id string) map[string]any {
	var x any
	switch what {
	case "party":
		x = v.Party(id)
	case "guarantor":
		if i := slices.IndexFunc(v.Guarantors, func(g *agreement.Guarantor) bool { return g.ID == id }); i >= 0 {
			x = v.Guarantors[i]
		}
	case "excluded":
		if i := slices.IndexFunc(v.Excluded, func(g *agreement.Excluded) bool { return g.ID == id }); i >= 0 {
			x = v.Excluded[i]
		}
	case "zone":
		x = v.Zone(id)
	case "clause":
		x = v.Clause(id)
	}
	if x == nil || reflect.ValueOf(x).IsNil() {
		return nil
	}
	b, _ := json.Marshal(x)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// fieldOrder is the order in which an item's fields are told.
var fieldOrder = []string{"name", "title", "reference", "prohibits", "protects", "zones", "window", "answers_for", "forces", "forces_side", "actors", "pcodes", "geometry"}

// describe tells what a new or removed item is: its name or title, and
// its fields.
func (u *UI) describe(lang string, a *agreement.Agreement, m map[string]any) template.HTML {
	var parts []template.HTML
	for _, k := range fieldOrder {
		v, ok := m[k]
		if !ok || v == nil {
			continue
		}
		switch k {
		case "name", "title":
			parts = append(parts, u.value(lang, a, k, v))
		case "reference":
			// Long, and in the table of clauses above.
		default:
			parts = append(parts, u.field(lang, k, u.value(lang, a, k, v)))
		}
	}
	return u.join(lang, parts)
}

// fieldChanges tells how an item changed, field by field.
func (u *UI) fieldChanges(lang string, a *agreement.Agreement, x, y map[string]any) template.HTML {
	keys := slices.Clone(fieldOrder)
	for k := range x {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	for k := range y {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys[len(fieldOrder):])
	var parts []template.HTML
	for _, k := range keys {
		if reflect.DeepEqual(x[k], y[k]) {
			continue
		}
		if k == "geometry" && x[k] != nil && y[k] != nil {
			parts = append(parts, u.field(lang, k, template.HTML(template.HTMLEscapeString(u.cat.T(lang, "change.redrawn")))))
			continue
		}
		parts = append(parts, u.field(lang, k, u.fromTo(lang, u.value(lang, a, k, x[k]), u.value(lang, a, k, y[k]))))
	}
	return u.join(lang, parts)
}

// field is "label: value".
func (u *UI) field(lang, key string, v template.HTML) template.HTML {
	return template.HTML(template.HTMLEscapeString(u.cat.T(lang, "change.field."+key))) + ": " + v
}

// fromTo is "old → new", the arrow pointing the way the language reads.
func (u *UI) fromTo(lang string, old, new template.HTML) template.HTML {
	return u.th(lang, "change.from_to", old, new)
}

// join joins the parts of a description with the language's semicolon.
func (u *UI) join(lang string, parts []template.HTML) template.HTML {
	sep := template.HTMLEscapeString(u.cat.T(lang, "sym.semicolon"))
	var out template.HTML
	for i, p := range parts {
		if i > 0 {
			out += template.HTML(sep)
		}
		out += p
	}
	return out
}

// versionField is one of a version's own fields, for the reader.
func (u *UI) versionField(lang string, a *agreement.Agreement, v *agreement.Version, name string) template.HTML {
	var s string
	switch name {
	case "label":
		s = v.Label
	case "document":
		s = v.Document
	case "effective_from":
		s = v.EffectiveFrom
	case "effective_to":
		s = v.EffectiveTo
	}
	switch {
	case s == "":
		return template.HTML(template.HTMLEscapeString(u.cat.T(lang, "change.none")))
	case name == "effective_from" || name == "effective_to":
		return agreementWhen(lang, a, s)
	}
	return bdi(s)
}

// value is the value of an item's field, for the reader: acts and whom a
// clause protects translated, actors by name, times and counts in the
// locale's digits, ids and names isolated.
func (u *UI) value(lang string, a *agreement.Agreement, key string, v any) template.HTML {
	text := func(s string) template.HTML { return template.HTML(template.HTMLEscapeString(s)) }
	if v == nil {
		return text(u.cat.T(lang, "change.none"))
	}
	strs := func() []string {
		var out []string
		if l, ok := v.([]any); ok {
			for _, x := range l {
				if s, ok := x.(string); ok {
					out = append(out, s)
				}
			}
		}
		return out
	}
	switch key {
	case "prohibits":
		var out []template.HTML
		for _, s := range strs() {
			out = append(out, text(u.cat.T(lang, "act."+s)))
		}
		return u.listHTML(lang, out)
	case "protects":
		return u.listHTML(lang, u.protects(lang, strs()))
	case "actors", "forces":
		return u.actorNames(lang, strs())
	case "zones", "answers_for":
		var out []template.HTML
		for _, s := range strs() {
			out = append(out, bdi(s))
		}
		if len(out) == 0 && key == "zones" {
			return text(u.cat.T(lang, "agreement.everywhere"))
		}
		return u.listHTML(lang, out)
	case "pcodes":
		return text(i18n.Number(lang, len(strs())))
	case "geometry":
		return text(u.cat.T(lang, "change.field.geometry"))
	case "window":
		w, _ := v.(map[string]any)
		from, _ := w["from"].(string)
		to, _ := w["to"].(string)
		return u.window(lang, a, &agreement.Window{From: from, To: to})
	}
	if s, ok := v.(string); ok {
		return bdi(s)
	}
	b, _ := json.Marshal(v)
	return template.HTML(`<bdi dir="ltr">` + template.HTMLEscapeString(string(b)) + "</bdi>")
}
