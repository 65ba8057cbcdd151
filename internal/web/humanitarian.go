package web

import (
	"encoding/json"
	"html/template"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"github.com/truce-monitor/truce/internal/humanitarian"
	"github.com/truce-monitor/truce/internal/i18n"
)

// The humanitarian side of the map and of places (docs/humanitarian.md):
// an area page with its sieges, access requests and their fate,
// evacuations, displacement and the violations there; a map layer of
// besieged areas and aid events. Both read through the app, as the viewer
// may see (identities never appear here: cases are not on either).

// humanitarianFuncs are the templates' helpers for humanitarian records.
func (u *UI) humanitarianFuncs() template.FuncMap {
	return template.FuncMap{
		// hdate writes a record's date (YYYY-MM-DD, YYYY-MM or YYYY) in
		// the locale's digits; empty stays empty.
		"hdate": func(lang, s string) string { return i18n.Digits(lang, s) },
		// unitName is a P-code's name in the reader's script.
		"unitName": func(lang, pcode string) string {
			if unit, ok := u.app.Boundaries.Unit(pcode); ok {
				if i18n.RTL(lang) && unit.NameAR != "" {
					return unit.NameAR
				}
				return unit.Name
			}
			return pcode
		},
		"actorName": func(lang, id string) string { return u.app.Actors.DisplayName(id, lang) },
	}
}

// area is the page of one administrative unit.
func (u *UI) area(q *req) error {
	v, err := u.app.Area(q.ctx, q.user, q.r.PathValue("pcode"))
	if err != nil {
		return err
	}
	name := v.Name
	if i18n.RTL(q.lang) && v.NameAR != "" {
		name = v.NameAR
	}
	return u.render(q, "area", "area.title", map[string]any{"Area": v, "Name": name})
}

// mapHumanitarian is the map's humanitarian layer: besieged areas as
// their units' shapes, with the status of their latest period, and aid
// access requests and evacuations as points at their area's centre.
func (u *UI) mapHumanitarian(q *req) error {
	fc := geojson.NewFeatureCollection()
	shape := func(pcodes []string) orb.MultiPolygon {
		var mp orb.MultiPolygon
		for _, pc := range pcodes {
			switch g := u.app.Boundaries.Geometry(pc).(type) {
			case orb.Polygon:
				mp = append(mp, g)
			case orb.MultiPolygon:
				mp = append(mp, g...)
			}
		}
		return mp
	}
	centre := func(pcodes []string) (orb.Point, bool) {
		mp := shape(pcodes)
		if len(mp) == 0 {
			return orb.Point{}, false
		}
		c, _ := planar.CentroidArea(mp)
		return c, true
	}
	first := func(pcodes []string) string {
		if len(pcodes) > 0 {
			return pcodes[0]
		}
		return ""
	}
	sieges, err := u.app.Sieges(q.ctx, q.user)
	if err != nil {
		return err
	}
	for _, s := range sieges {
		mp := shape(s.Area.PCodes)
		if len(mp) == 0 {
			continue
		}
		status := ""
		if len(s.Periods) > 0 {
			status = s.Periods[len(s.Periods)-1].Status
		}
		f := geojson.NewFeature(mp)
		f.Properties["layer"] = "siege"
		f.Properties["id"] = s.ID
		f.Properties["name"] = s.Area.Name
		f.Properties["label"] = q.t("siege.status." + status)
		f.Properties["from"] = i18n.Digits(q.lang, s.From)
		f.Properties["to"] = i18n.Digits(q.lang, s.To)
		f.Properties["href"] = "/areas/" + first(s.Area.PCodes)
		fc.Append(f)
	}
	access, err := u.app.AccessRequests(q.ctx, q.user)
	if err != nil {
		return err
	}
	for _, r := range access {
		c, ok := centre(r.Destination.PCodes)
		if !ok {
			continue
		}
		f := geojson.NewFeature(c)
		f.Properties["layer"] = "access"
		f.Properties["id"] = r.ID
		f.Properties["name"] = r.Destination.Name
		f.Properties["fate"] = r.Fate()
		f.Properties["label"] = q.t("access.step." + r.Fate())
		f.Properties["date"] = i18n.Digits(q.lang, r.Date)
		f.Properties["href"] = "/areas/" + first(r.Destination.PCodes)
		fc.Append(f)
	}
	evs, err := u.app.Evacuations(q.ctx, q.user)
	if err != nil {
		return err
	}
	for _, e := range evs {
		c, ok := centre(e.From.PCodes)
		if !ok {
			continue
		}
		attacked := false
		for _, ev := range e.Events {
			attacked = attacked || ev.Kind == humanitarian.EvacAttacked
		}
		f := geojson.NewFeature(c)
		f.Properties["layer"] = "evacuation"
		f.Properties["id"] = e.ID
		f.Properties["name"] = e.From.Name + " → " + e.To.Name
		f.Properties["label"] = q.t("area.evacuation")
		f.Properties["attacked"] = attacked
		f.Properties["date"] = i18n.Digits(q.lang, e.Agreed)
		f.Properties["href"] = "/areas/" + first(e.From.PCodes)
		fc.Append(f)
	}
	q.w.Header().Set("Content-Type", "application/geo+json")
	return json.NewEncoder(q.w).Encode(fc)
}
