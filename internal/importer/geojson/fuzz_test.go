package geojson_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/truce-monitor/truce/internal/importer/geojson"
	"github.com/truce-monitor/truce/internal/importer/importertest"
)

// FuzzGeoJSON: no file makes the reader panic or store a report the store
// cannot take, and whatever it takes in can be written back out.
func FuzzGeoJSON(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.geojson")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[36.4,33.5]},"properties":{"date":"2017-01-02T10:00:00Z"}}]}`))
	cfg := config(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		rd, err := geojson.NewReader(bytes.NewReader(data), "f.geojson", cfg)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		importertest.Run(t, "f.geojson", rd)
		reps, _, err := read(t, cfg, "f.geojson", bytes.NewReader(data))
		if err != nil {
			return
		}
		w := geojson.NewWriter(io.Discard, damascus)
		for i := range reps {
			if err := w.WriteReport(&reps[i]); err != nil {
				t.Fatalf("report read from GeoJSON cannot be written as GeoJSON: %v", err)
			}
		}
	})
}
