// Package importertest loads the shipped reference data (actors,
// boundaries, gazetteer) for the format packages' tests, once per test
// binary.
package importertest

import (
	"sync"
	"testing"

	"github.com/truce-monitor/truce/internal/actor"
	"github.com/truce-monitor/truce/internal/boundary"
	"github.com/truce-monitor/truce/internal/bundled"
	"github.com/truce-monitor/truce/internal/gazetteer"
)

// Ref is the shipped reference data.
type Ref struct {
	Actors     *actor.Registry
	Boundaries *boundary.Set
	Places     *gazetteer.Gazetteer
}

var load = sync.OnceValues(func() (*Ref, error) {
	f, err := bundled.FS.Open(bundled.Actors)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	reg, err := actor.Load(f, bundled.Actors)
	if err != nil {
		return nil, err
	}
	bounds, err := boundary.Load(bundled.FS, bundled.Boundaries)
	if err != nil {
		return nil, err
	}
	places, err := gazetteer.Load(bundled.FS, bundled.Gazetteer, bounds)
	if err != nil {
		return nil, err
	}
	return &Ref{Actors: reg, Boundaries: bounds, Places: places}, nil
})

// Load returns the reference data, failing the test if it cannot load.
func Load(t testing.TB) *Ref {
	t.Helper()
	ref, err := load()
	if err != nil {
		t.Fatal(err)
	}
	return ref
}
