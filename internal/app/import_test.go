package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/importer"
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

// TestDailySync: importing a dataset again reads only the records whose
// original changed; the others are counted unchanged without being read,
// unless Reread asks for every record, and the stored results are those of
// reading every record (the daily sync of issue 17).
func TestDailySync(t *testing.T) {
	ctx := context.Background()
	data, err := os.ReadFile("../importer/acled/testdata/events.csv")
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(ctx, app.Config{DB: filepath.Join(t.TempDir(), "s.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	imp := func(text string, opt app.ImportOptions) (created, updated, unchanged, notRead int) {
		t.Helper()
		opt.Location = time.UTC
		sum, err := a.Import(ctx, "acled", strings.NewReader(text), "events.csv", opt)
		if err != nil {
			t.Fatal(err)
		}
		return sum.Created, sum.Updated, sum.Unchanged, sum.NotRead
	}
	first, _, _, _ := imp(string(data), app.ImportOptions{})
	if first == 0 {
		t.Fatal("nothing imported")
	}
	if c, u, same, notRead := imp(string(data), app.ImportOptions{}); c != 0 || u != 0 || same != first || notRead != first {
		t.Errorf("again: %d created, %d updated, %d unchanged (%d not read); want all %d unchanged, not read", c, u, same, notRead, first)
	}
	if _, _, same, notRead := imp(string(data), app.ImportOptions{Reread: true}); same != first || notRead != 0 {
		t.Errorf("reread: %d unchanged, %d not read; want %d read and unchanged", same, notRead, first)
	}
	// One record's notes corrected at the source.
	edited := strings.Replace(string(data), "Clashes on", "Fighting on", 1)
	if edited == string(data) {
		t.Fatal("the fixture has no record to edit")
	}
	if c, u, same, notRead := imp(edited, app.ImportOptions{}); c != 0 || u != 1 || same != first-1 || notRead != first-1 {
		t.Errorf("one record changed: %d created, %d updated, %d unchanged (%d not read)", c, u, same, notRead)
	}
	res, err := a.VerifyDerived(ctx)
	if err != nil || len(res.Problems) > 0 {
		t.Errorf("verify -deep after the syncs: %v %v", res, err)
	}
}

// TestDailySyncReading: a record is skipped only if it was read the way
// this import reads it. Another time zone, a new actors file (a name that
// was unresolved now is) or reports stored before readings were kept: every
// record is read once again, what it now says is stored, and the next sync
// skips them again (the stale-reading bug of the first daily sync, which
// needed -reread by hand after such a change).
func TestDailySyncReading(t *testing.T) {
	ctx := context.Background()
	data, err := os.ReadFile("../importer/acled/testdata/events.csv")
	if err != nil {
		t.Fatal(err)
	}
	// A name the shipped registry does not know, on one record.
	const name = "Reading Test Brigade"
	text := strings.Replace(string(data), "Faylaq al Rahman", name, 1)
	if text == string(data) {
		t.Fatal("the fixture has no associated actor to rename")
	}
	db := filepath.Join(t.TempDir(), "s.db")
	open := func() *app.App {
		t.Helper()
		a, err := app.Open(ctx, app.Config{DB: db})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := open()
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	damascus, err := time.LoadLocation("Asia/Damascus")
	if err != nil {
		t.Fatal(err)
	}
	imp := func(a *app.App, loc *time.Location) *importer.Summary {
		t.Helper()
		sum, err := a.Import(ctx, "acled", strings.NewReader(text), "events.csv", app.ImportOptions{Location: loc})
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	first := imp(a, time.UTC)
	n := first.Created
	if first.Unresolved[name] == 0 {
		t.Fatalf("%q is not unresolved at first: %v", name, first.Unresolved)
	}
	if sum := imp(a, time.UTC); sum.NotRead != n {
		t.Errorf("same reading: %d of %d not read", sum.NotRead, n)
	}
	// Dates without a zone now read in Damascus: every record read again.
	if sum := imp(a, damascus); sum.NotRead != 0 || sum.Updated == 0 {
		t.Errorf("another zone: %d not read, %d updated; want every record read and the dates changed", sum.NotRead, sum.Updated)
	}
	if sum := imp(a, damascus); sum.NotRead != n {
		t.Errorf("after the zone's reading: %d of %d not read", sum.NotRead, n)
	}

	extra := "actors:\n  - id: reading-test-brigade\n    name: " + name + "\n    kind: armed_group\n"
	if _, _, err := a.LoadActorsFile(ctx, "reading.yaml", []byte(extra)); err != nil {
		t.Fatal(err)
	}
	a.Close()
	a = open() // the registry is read when truce opens
	defer a.Close()
	sum := imp(a, damascus)
	if sum.NotRead != 0 || sum.Unresolved[name] != 0 {
		t.Errorf("after a new actors file: %d not read, %q unresolved %d times; want every record read and the name resolved", sum.NotRead, name, sum.Unresolved[name])
	}
	if sum := imp(a, damascus); sum.NotRead != n {
		t.Errorf("after the new registry's reading: %d of %d not read", sum.NotRead, n)
	}
	res, err := a.VerifyDerived(ctx)
	if err != nil || len(res.Problems) > 0 {
		t.Errorf("verify -deep after the syncs: %v %v", res, err)
	}
}
