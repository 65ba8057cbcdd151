package web

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/i18n"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// TestMapStreamed: the map's GeoJSON, streamed from EachOnMap, holds the
// features the listing gave before (the same incidents with a point, in
// order, with the same title, date, verdict and grade), for the public (who
// sees the published ones).
func TestMapStreamed(t *testing.T) {
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: filepath.Join(t.TempDir(), "map.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ImportDemoEvents(ctx); err != nil {
		t.Fatal(err)
	}
	rev := workflow.User{Name: "rev", Role: workflow.Reviewer}
	if _, err := a.AddUser(ctx, rev, "a long test password"); err != nil {
		t.Fatal(err)
	}
	// The public sees published incidents: verify and dismiss some.
	reviewStates(t, a, rev, "syria-coh-2016")
	ui, err := New(a, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, query := range []string{"", "?from=2017-01-01&to=2018-01-01", "?verdict=violation"} {
		rec := httptest.NewRecorder()
		ui.mux.ServeHTTP(rec, httptest.NewRequest("GET", "/map/incidents.geojson"+query, nil))
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/geo+json" {
			t.Fatalf("%s: %d %s", query, rec.Code, rec.Header().Get("Content-Type"))
		}
		var got struct {
			Type     string
			Features []struct {
				Geometry   struct{ Coordinates []float64 }
				Properties struct {
					ID                          int64
					Title, Date, Verdict, Grade string
				}
			}
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		f := store.Filter{Agreement: "syria-coh-2016", Limit: 5000, NoCount: true}
		switch query {
		case "?from=2017-01-01&to=2018-01-01":
			loc, _ := a.Agreement("syria-coh-2016")
			f.From, f.To = time.Date(2017, 1, 1, 0, 0, 0, 0, loc.Location), time.Date(2018, 1, 1, 0, 0, 0, 0, loc.Location)
		case "?verdict=violation":
			f.Verdict = "violation"
		}
		list, _, err := a.Incidents(ctx, nil, f)
		if err != nil {
			t.Fatal(err)
		}
		i := 0
		for _, in := range list {
			if !in.Place.HasPoint {
				continue
			}
			if i >= len(got.Features) {
				t.Fatalf("%s: %d features, the listing has more", query, len(got.Features))
			}
			g := got.Features[i].Properties
			verdict := ""
			if in.Ruling != nil {
				verdict = string(in.Ruling.Verdict)
			}
			if g.ID != in.ID || g.Title != in.Title || g.Date != i18n.Date("en", in.Occurred.Start) || g.Verdict != verdict || g.Grade != in.Grade ||
				got.Features[i].Geometry.Coordinates[0] != in.Place.Lon || got.Features[i].Geometry.Coordinates[1] != in.Place.Lat {
				t.Errorf("%s: feature %d is %+v, the listing's incident %d (%s, %s, %s)", query, i, g, in.ID, in.Title, verdict, in.Grade)
			}
			i++
		}
		if i != len(got.Features) || i == 0 {
			t.Errorf("%s: %d features, the listing has %d with a point", query, len(got.Features), i)
		}
	}
}
