package ruling

import (
	"github.com/truce-monitor/truce/internal/agreement"
	"github.com/truce-monitor/truce/internal/incident"
)

// InZone says whether a place lies in a zone of a version: 1 inside, -1
// outside, 0 when the place's precision cannot tell. It is the test the
// engine applies to a clause's zones, for filters that select by zone.
func InZone(z *agreement.Zone, p incident.Place) int { return inZone(z, p) }
