package web

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/truce-monitor/truce/internal/agreement"
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
	var changes []agreement.Change
	if prev != nil {
		changes = agreement.Diff(prev, v)
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
