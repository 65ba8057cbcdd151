package ucdp_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/truce-monitor/truce/internal/importer/importertest"
	"github.com/truce-monitor/truce/internal/importer/ucdp"
)

// FuzzUCDP: no file makes the reader panic or store a report the store
// cannot take, read whole or split per source article.
func FuzzUCDP(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.csv")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	ref := importertest.Load(f)
	cfg := ucdp.Config{Actors: ref.Actors, Boundaries: ref.Boundaries}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, perSource := range []bool{false, true} {
			rd, err := ucdp.NewReader(bytes.NewReader(data), "f.csv", cfg)
			if err != nil {
				if err.Error() == "" {
					t.Fatal("an error without a message")
				}
				return
			}
			if perSource {
				importertest.Run(t, "f.csv", ucdp.PerSource(rd))
			} else {
				importertest.Run(t, "f.csv", rd)
			}
		}
	})
}
