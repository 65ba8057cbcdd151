// Package bundled holds the data shipped inside the truce binary: the
// example agreement, the actor registry, the OCHA administrative
// boundaries, the gazetteer and the UCDP events of the demo. Each folder under data has
// a SOURCE.md with origin and licence.
package bundled

import "embed"

// FS holds the shipped data under "data/".
//
//go:embed data
var FS embed.FS

// Paths of the shipped files within FS.
const (
	Actors     = "data/actors.yaml"
	Agreements = "data/agreements"
	Boundaries = "data/boundaries"
	Gazetteer  = "data/gazetteer"
	DemoEvents = "data/ucdp/ged-syria-2016-12-30_2017-02-28.csv.gz"
	// Control is the folder of territorial control layers (internal/control).
	Control = "data/control"
)
