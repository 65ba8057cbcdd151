// Package importertest loads the shipped reference data (actors,
// boundaries, gazetteer) for the format packages' tests, once per test
// binary, and runs their readers as an import would, checking what an
// import promises (for the fuzz targets).
package importertest

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/actor"
	"github.com/truce-monitor/truce/internal/boundary"
	"github.com/truce-monitor/truce/internal/bundled"
	"github.com/truce-monitor/truce/internal/gazetteer"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
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

// sink is a store that keeps nothing: it checks every report Run hands it
// and counts it created. Only ImportReports is called by Run.
type sink struct {
	store.Store
	t testing.TB
}

func (s sink) ImportReports(_ context.Context, reps []incident.Report, _ store.Intake) ([]store.Imported, error) {
	s.t.Helper()
	out := make([]store.Imported, len(reps))
	for i := range reps {
		CheckReport(s.t, &reps[i])
		out[i] = store.Imported{Outcome: store.Created}
	}
	return out, nil
}

// CheckReport fails t unless r is a report the store can take: a source
// and an id, a time span, the shared checks (importer.Check) passed, and
// JSON the store can write.
func CheckReport(t testing.TB, r *incident.Report) {
	t.Helper()
	if r.Source == "" || r.SourceID == "" {
		t.Fatalf("accepted a report without source or id: %+v", r)
	}
	if !r.Occurred.Valid() {
		t.Fatalf("accepted a report without a time span: %+v", r.Occurred)
	}
	if fe := importer.Check(r, time.Now()); fe != nil {
		t.Fatalf("accepted a report that Check refuses: %v\n%+v", fe, r)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Fatalf("accepted a report that cannot be written as JSON: %v", err)
	}
}

// Run imports src as importer.Run does, into a store that keeps nothing,
// and fails t unless the import keeps its promises: a whole-file error
// says what is wrong; every rejected row names its file, row and reason;
// every row is counted once; every report stored passes CheckReport. The
// fuzz targets of the format packages run their readers through it.
func Run(t testing.TB, file string, src importer.Source) *importer.Summary {
	t.Helper()
	var rejected int
	sum, err := importer.Run(context.Background(), sink{t: t}, file, src, importer.Options{
		BatchSize: 16,
		// Called on the reading goroutine, where t.Fatal may not be.
		OnReject: func(e *importer.RowError) error {
			rejected++
			if e.File != file || e.Row <= 0 || e.Reason == "" || !strings.HasPrefix(e.Error(), file+" row ") {
				t.Errorf("rejected row without its place or reason: %+v", e)
				return errors.New("bad rejection")
			}
			return nil
		},
	})
	if err != nil {
		if err.Error() == "" {
			t.Fatal("an error without a message")
		}
		return sum
	}
	if sum.Rejected != rejected || sum.Rows != sum.Created+sum.Rejected+sum.Skipped {
		t.Fatalf("rows counted wrong: %s (%d rejections seen)", sum, rejected)
	}
	return sum
}
