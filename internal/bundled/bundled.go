// Package bundled holds the data shipped inside the truce binary: the
// example agreement, the actor registry, the OCHA administrative
// boundaries, the gazetteer and the UCDP events of the demo. Each folder under data has
// a SOURCE.md with origin and licence.
package bundled

import "embed"

// FS holds the shipped data under "data/".
//
// Besides the source files it holds two generated ones, the compiled forms
// of the boundaries (data/boundaries/syr_admin.compiled) and of the
// gazetteer's index (data/gazetteer/gazetteer.compiled): what loading the
// sources yields, in a form read in milliseconds rather than the half
// second decoding the boundary GeoJSON takes, which every command opening
// a database would pay. Each records a SHA-256 of the sources it was made
// from, and is used only while they match; after changing a source (or
// the code that loads it), regenerate them with
//
//	go generate ./internal/bundled
//
// The boundary and gazetteer tests fail while they are stale.
//
//go:embed data
var FS embed.FS

//go:generate go run ../boundary/internal/compile data/boundaries
//go:generate go run ../gazetteer/internal/compile data/gazetteer data/boundaries

// Paths of the shipped files within FS.
const (
	Actors     = "data/actors.yaml"
	Agreements = "data/agreements"
	Boundaries = "data/boundaries"
	Gazetteer  = "data/gazetteer"
	DemoEvents = "data/ucdp/ged-syria-2016-12-30_2017-02-28.csv.gz"
	// Control is the folder of territorial control layers (internal/control).
	Control = "data/control"
	// Humanitarian is the folder of shipped humanitarian records
	// (internal/humanitarian): sieges, evacuations, displacement.
	Humanitarian = "data/humanitarian"
)
