package extract

import (
	"sync"
	"testing"

	"github.com/truce-monitor/truce/internal/actor"
	"github.com/truce-monitor/truce/internal/boundary"
	"github.com/truce-monitor/truce/internal/bundled"
	"github.com/truce-monitor/truce/internal/gazetteer"
)

var shared struct {
	once   sync.Once
	x      *Extractor
	bounds *boundary.Set
	places *gazetteer.Gazetteer
	actors *actor.Registry
	err    error
}

// testExtractor is the extractor on the shipped gazetteer and registry,
// built once for all tests.
func testExtractor(tb testing.TB) *Extractor {
	tb.Helper()
	shared.once.Do(func() {
		b, err := boundary.Load(bundled.FS, bundled.Boundaries)
		if err != nil {
			shared.err = err
			return
		}
		g, err := gazetteer.Load(bundled.FS, bundled.Gazetteer, b)
		if err != nil {
			shared.err = err
			return
		}
		f, err := bundled.FS.Open(bundled.Actors)
		if err != nil {
			shared.err = err
			return
		}
		defer f.Close()
		reg, err := actor.Load(f, bundled.Actors)
		if err != nil {
			shared.err = err
			return
		}
		shared.bounds, shared.places, shared.actors = b, g, reg
		shared.x, shared.err = New(g, reg)
	})
	if shared.err != nil {
		tb.Fatal(shared.err)
	}
	return shared.x
}

// The shared data files, when the checkout sits beside them
// (/work/main and /work/shared).
const (
	sharedUCDP  = "../../../shared/data/ucdp-ged-syria/ucdp_ged_syria_2016_2019.csv"
	sharedFAKES = "../../../shared/data/fa-kes-syria-news/FA-KES-Dataset.csv"
)
