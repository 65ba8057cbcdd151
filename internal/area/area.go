// Package area reads the areas people draw into truce's data files (an
// agreement's zones, a control layer's ground): a GeoJSON Polygon or
// MultiPolygon, every ring checked, each fault named by where it is.
package area

import (
	"encoding/json"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Fault is one thing wrong with an area. Path is below the geometry
// ("coordinates[0]", "" for the geometry itself).
type Fault struct {
	Path, Msg string
}

// Parse reads a GeoJSON geometry, as decoded from a data file, as a
// MultiPolygon. Every fault is reported; the area is nil when the geometry
// is not a polygon at all.
func Parse(geometry any) (orb.MultiPolygon, []Fault) {
	raw, err := json.Marshal(geometry)
	if err != nil {
		return nil, []Fault{{"", err.Error()}}
	}
	g, err := geojson.UnmarshalGeometry(raw)
	if err != nil {
		return nil, []Fault{{"", "not a GeoJSON geometry: " + err.Error()}}
	}
	var mp orb.MultiPolygon
	switch p := g.Geometry().(type) {
	case orb.Polygon:
		mp = orb.MultiPolygon{p}
	case orb.MultiPolygon:
		mp = p
	default:
		return nil, []Fault{{"", fmt.Sprintf("want a Polygon or MultiPolygon, got %s", g.Type)}}
	}
	var faults []Fault
	for i, poly := range mp {
		for j, ring := range poly {
			rp := fmt.Sprintf("coordinates[%d][%d]", i, j)
			if len(mp) == 1 {
				rp = fmt.Sprintf("coordinates[%d]", j)
			}
			if len(ring) < 4 {
				faults = append(faults, Fault{rp, fmt.Sprintf("a ring needs at least 4 positions, has %d", len(ring))})
				continue
			}
			if !ring.Closed() {
				faults = append(faults, Fault{rp, fmt.Sprintf("ring is not closed: first position %v differs from last %v", ring[0], ring[len(ring)-1])})
			}
			for k, pt := range ring {
				if pt.Lon() < -180 || pt.Lon() > 180 || pt.Lat() < -90 || pt.Lat() > 90 {
					faults = append(faults, Fault{fmt.Sprintf("%s[%d]", rp, k), fmt.Sprintf("position %v is not [longitude, latitude]", pt)})
					break
				}
			}
		}
	}
	return mp, faults
}
