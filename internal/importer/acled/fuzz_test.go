package acled_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/truce-monitor/truce/internal/importer/acled"
	"github.com/truce-monitor/truce/internal/importer/importertest"
)

// FuzzACLED: no file makes the reader panic or store a report the store
// cannot take, and whatever it takes in can be written back out as ACLED.
func FuzzACLED(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.csv")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	cfg := config(f)
	w := acled.NewWriter(io.Discard, acled.WriterConfig{Actors: cfg.Actors, Boundaries: cfg.Boundaries, Location: damascus})
	f.Fuzz(func(t *testing.T, data []byte) {
		rd, err := acled.NewReader(bytes.NewReader(data), "f.csv", cfg)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		importertest.Run(t, "f.csv", rd)
		// Read again, to write what was taken in.
		reps, _, err := read(t, cfg, "f.csv", bytes.NewReader(data))
		if err != nil {
			return
		}
		for i := range reps {
			if err := w.WriteReport(&reps[i]); err != nil {
				t.Fatalf("report read from ACLED cannot be written as ACLED: %v", err)
			}
		}
	})
}
