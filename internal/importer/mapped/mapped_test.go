package mapped_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/importer/importertest"
	"github.com/truce-monitor/truce/internal/importer/mapped"
	"github.com/truce-monitor/truce/internal/incident"
)

var damascus = time.FixedZone("EET", 2*3600)

func config(t *testing.T) mapped.Config {
	ref := importertest.Load(t)
	return mapped.Config{Actors: ref.Actors, Boundaries: ref.Boundaries, Places: ref.Places, Location: damascus}
}

func loadMapping(t *testing.T, cfg mapped.Config, src string) (*mapped.Mapping, error) {
	t.Helper()
	return mapped.LoadMapping(strings.NewReader(src), "map.yaml", cfg.Actors)
}

func readAll(t *testing.T, rd *mapped.Reader) ([]incident.Report, []*importer.RowError) {
	t.Helper()
	var reps []incident.Report
	var errs []*importer.RowError
	for {
		row, ok, err := rd.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return reps, errs
		}
		if row.Err != nil {
			errs = append(errs, row.Err)
		} else if row.Report != nil {
			reps = append(reps, *row.Report)
		}
	}
}

func TestMonitorSheet(t *testing.T) {
	cfg := config(t)
	mf, err := os.Open("testdata/monitor.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer mf.Close()
	m, err := mapped.LoadMapping(mf, "monitor.yaml", cfg.Actors)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("testdata/monitor.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := mapped.NewReader(f, "monitor.csv", m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	reps, errs := readAll(t, rd)
	if len(reps) != 3 {
		t.Errorf("got %d reports, want 3", len(reps))
	}
	wantErr := []string{
		`monitor.csv row 4 column التاريخ: "31/02/2017" is not a date in the mapping's format DD/MM/YYYY`,
		`monitor.csv row 5 column lat, lon: 95 is not a latitude (-90 to 90), though longitude 37 would be`,
		`monitor.csv row 6 column النوع: "حصار" is not in the mapping's acts`,
		`monitor.csv row 7 column المكان: `,
	}
	if len(errs) != len(wantErr) {
		t.Fatalf("rejected %v, want %d rows", errs, len(wantErr))
	}
	for i, w := range wantErr {
		if !strings.HasPrefix(errs[i].Error(), w) {
			t.Errorf("rejected %d:\n got %s\nwant %s…", i, errs[i], w)
		}
	}
	if !strings.Contains(errs[3].Error(), "Nowhereville") {
		t.Errorf("unknown place not named: %s", errs[3])
	}
	tests := []struct {
		id        string
		act       act.Type
		day       string
		admin3    string
		precision incident.PlacePrecision
		actors    string
		deaths    int
	}{
		{"A-1", act.Shelling, "2017-01-02", "SY030200", incident.PlaceExact, "perpetrator:government-of-syria target:civilians", 3},
		{"A-2", act.Airstrike, "2017-01-05", "SY070000", incident.PlaceExact, "perpetrator:government-of-russia target:civilians", 7},
		{"A-7", act.ArrestAbduction, "2017-01-09", "", incident.PlaceExact, "perpetrator:government-of-syria", 0},
	}
	for i, tt := range tests {
		r := reps[i]
		var actors []string
		for _, a := range r.Actors {
			actors = append(actors, string(a.Role)+":"+a.ID)
		}
		if r.SourceID != tt.id || r.Source != "example-network" || r.Kind != incident.FromMonitor || r.Act != tt.act ||
			r.Occurred.Start.Format("2006-01-02") != tt.day || r.Place.Precision != tt.precision ||
			(tt.admin3 != "" && r.Place.Admin3 != tt.admin3) || !r.Place.HasPoint ||
			strings.Join(actors, " ") != tt.actors || r.Casualties.Best != tt.deaths {
			t.Errorf("%s: got %+v", tt.id, r)
		}
		if r.Language != "ar" || !strings.HasPrefix(r.Original, tt.id+";") {
			t.Errorf("%s: language %q, original %q", tt.id, r.Language, r.Original)
		}
	}
}

func TestMappingErrors(t *testing.T) {
	cfg := config(t)
	for _, tt := range []struct {
		name, mapping, want string
	}{
		{"unknown key", "source: s\ncolumns: {date: d, place: p}\ncolour: red\n", "mapping map.yaml:3: field colour not found"},
		{"no source", "columns: {date: d, place: p}\n", "map.yaml: source: is required"},
		{"no date", "source: s\ncolumns:\n  place: p\n", "columns.date: is required"},
		{"lat alone", "source: s\ncolumns:\n  date: d\n  lat: y\n", "map.yaml:4: columns.lat: lat and lon must be mapped together"},
		{"bad act", "source: s\ncolumns: {date: d, place: p}\nacts:\n  bombing: bombardment\n", `map.yaml:4: acts.bombing: "bombardment" is not an act type`},
		{"bad actor", "source: s\ncolumns: {date: d, place: p}\nactors:\n  X: no-such-group\n", `actors.X: "no-such-group" is not an actor in the registry`},
		{"bad delimiter", "source: s\ndelimiter: '#'\ncolumns: {date: d, place: p}\n", `map.yaml:2: delimiter: "#" is not one of`},
		{"bad date format", "source: s\ndate_format: DD-MM\ncolumns: {date: d, place: p}\n", `date_format: "DD-MM" is not a known date format`},
		{"empty", "", "map.yaml: file is empty"},
		// A key given twice, or a second document, was silently dropped.
		{"duplicate key", "source: s\ncolumns: {date: d, place: p}\nsource: t\n", "map.yaml:3: source: is given twice (first at line 1)"},
		{"duplicate column", "source: s\ncolumns:\n  date: d\n  place: p\n  date: e\n", "map.yaml:5: columns.date: is given twice (first at line 3)"},
		{"second document", "source: s\ncolumns: {date: d, place: p}\n---\nsource: t\n", "map.yaml:3: a second YAML document starts here"},
		{"syntax", "source: s\ncolumns: [\n", "mapping map.yaml:2: did not find expected node content"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadMapping(t, cfg, tt.mapping)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}

// TestMappingDocumentMarkers: "---" before the document, or alone after
// it, is no second document.
func TestMappingDocumentMarkers(t *testing.T) {
	cfg := config(t)
	for _, src := range []string{"---\nsource: s\ncolumns: {date: d, place: p}\n", "source: s\ncolumns: {date: d, place: p}\n---\n"} {
		if _, err := loadMapping(t, cfg, src); err != nil {
			t.Errorf("%q: %v", src, err)
		}
	}
}

func TestFileErrors(t *testing.T) {
	cfg := config(t)
	m, err := loadMapping(t, cfg, "source: s\ncolumns:\n  id: id\n  date: date\n  place: town\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, file, want string
	}{
		{"unknown column", "id,when,town\n1,2017-01-01,Duma\n", "f.csv: the mapping names columns the file does not have (its columns: id, when, town)\nmap.yaml:4: columns.date names column \"date\""},
		{"wrong delimiter", "id;date;town\n1;2017-01-01;Duma\n", "(the file seems delimited by ';'; truce reads ',')"},
		{"empty", "", "f.csv: file is empty"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mapped.NewReader(strings.NewReader(tt.file), "f.csv", m, cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
	t.Run("encoding", func(t *testing.T) {
		rd, err := mapped.NewReader(strings.NewReader("id,date,town\n1,2017-01-01,Dar\xe2ya\n2,2017-01-02,Duma\n"), "f.csv", m, cfg)
		if err != nil {
			t.Fatal(err)
		}
		reps, errs := readAll(t, rd)
		if len(reps) != 1 || len(errs) != 1 || !strings.Contains(errs[0].Error(), "f.csv row 2 column town: is not UTF-8 text") {
			t.Errorf("got %d reports, errors %v", len(reps), errs)
		}
	})
}

// TestNoIDIsStable: without an id column, a row's identity is its text,
// so a re-import is still idempotent.
func TestNoIDIsStable(t *testing.T) {
	cfg := config(t)
	m, err := loadMapping(t, cfg, "source: s\ncolumns:\n  date: date\n  place: town\n")
	if err != nil {
		t.Fatal(err)
	}
	read := func() []incident.Report {
		rd, err := mapped.NewReader(strings.NewReader("date,town\n2017-01-01,Duma\n2017-01-02,Harasta\n"), filepath.Join("x", "f.csv"), m, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if n := rd.Notes(); len(n) != 1 || !strings.Contains(n[0], "no id column") {
			t.Errorf("notes %q", n)
		}
		reps, _ := readAll(t, rd)
		return reps
	}
	a, b := read(), read()
	if len(a) != 2 || a[0].SourceID != b[0].SourceID || a[0].SourceID == a[1].SourceID || !strings.HasPrefix(a[0].SourceID, "sha256:") {
		t.Errorf("ids without an id column must be stable and distinct: %+v %+v", a, b)
	}
}
