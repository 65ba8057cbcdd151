package importer

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/truce-monitor/truce/internal/boundary"
	"github.com/truce-monitor/truce/internal/gazetteer"
	"github.com/truce-monitor/truce/internal/incident"
)

// PlaceFromGazetteer turns a gazetteer entry found for a named place into
// the place of a report. A town or neighbourhood gives its point; a unit
// or a region gives the area, since its centre says nothing of where in it
// the event was. exact says the source put the event in the town itself
// rather than near it.
func PlaceFromGazetteer(name string, g gazetteer.Place, exact bool) incident.Place {
	p := incident.Place{Name: name, Admin1: g.Admin1, Admin2: g.Admin2, Admin3: g.Admin3}
	switch g.Kind {
	case gazetteer.PopulatedPlace, gazetteer.Neighbourhood:
		p.Lat, p.Lon, p.HasPoint = g.Lat, g.Lon, true
		p.Precision = incident.PlaceNear
		if exact {
			p.Precision = incident.PlaceExact
		}
		return p
	case gazetteer.Region:
		// The smallest unit that holds the whole region.
		p.Area = g.Admin1
		if g.Admin3 != "" {
			p.Area = g.Admin3
		} else if g.Admin2 != "" {
			p.Area = g.Admin2
		}
	default:
		p.Area = g.PCode
	}
	switch len(p.Area) {
	case 8:
		p.Precision = incident.PlaceAdmin3
	case 6:
		p.Precision, p.Admin3 = incident.PlaceAdmin2, ""
	case 4:
		p.Precision, p.Admin2, p.Admin3 = incident.PlaceAdmin1, "", ""
	default:
		p.Precision, p.Admin1, p.Admin2, p.Admin3 = incident.PlaceCountry, "", "", ""
	}
	return p
}

// ParsePoint reads a latitude and longitude written as text, naming the
// field at fault ("latitude, longitude" when only the pair is wrong, as
// when swapped or 0,0): see CheckPoint.
func ParsePoint(lat, lon string) (la, lo float64, field, msg string) {
	la, err := strconv.ParseFloat(strings.TrimSpace(lat), 64)
	if err != nil {
		return 0, 0, "latitude", fmt.Sprintf("%q is not a latitude (-90 to 90)", lat)
	}
	lo, err = strconv.ParseFloat(strings.TrimSpace(lon), 64)
	if err != nil {
		return 0, 0, "longitude", fmt.Sprintf("%q is not a longitude (-180 to 180)", lon)
	}
	switch field, msg := CheckPoint(la, lo); field {
	case "":
		return la, lo, "", ""
	case "latitude":
		return 0, 0, field, fmt.Sprintf("%q is not a latitude (-90 to 90)", lat)
	case "longitude":
		return 0, 0, field, fmt.Sprintf("%q is not a longitude (-180 to 180)", lon)
	default:
		return 0, 0, field, msg
	}
}

// Locate sets the admin units of a place with a point; bounds may be nil.
func Locate(p *incident.Place, bounds *boundary.Set) {
	if bounds == nil || !p.HasPoint {
		return
	}
	if a, ok := bounds.Locate(p.Lat, p.Lon); ok {
		p.Admin1, p.Admin2, p.Admin3 = a.Admin1, a.Admin2, a.Admin3
	}
}
