package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/app"
)

// TestImportNotes: what a reader notes about its file (here an unknown
// column) reaches the import's summary; the sealing step in between used
// to hide it.
func TestImportNotes(t *testing.T) {
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: filepath.Join(t.TempDir(), "n.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	data, err := os.ReadFile("../importer/acled/testdata/events.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	for i := range lines {
		if i == 0 {
			lines[i] += ",colour"
		} else {
			lines[i] += ",red"
		}
	}
	sum, err := a.Import(ctx, "acled", strings.NewReader(strings.Join(lines, "\n")+"\n"), "events.csv", app.ImportOptions{Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(sum.Notes, "\n"), "colour") {
		t.Errorf("the unknown column is not noted: %q", sum.Notes)
	}
}
