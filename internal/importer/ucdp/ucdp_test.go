package ucdp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/importer/geojson"
	"github.com/truce-monitor/truce/internal/importer/importertest"
	"github.com/truce-monitor/truce/internal/importer/jsonl"
	"github.com/truce-monitor/truce/internal/importer/ucdp"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/store/sqlite"
)

type env struct {
	cfg ucdp.Config
	st  store.Store
}

func setup(t *testing.T) *env {
	t.Helper()
	ref := importertest.Load(t)
	reg, bounds := ref.Actors, ref.Boundaries
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	loc, _ := time.LoadLocation("Asia/Damascus")
	return &env{cfg: ucdp.Config{Actors: reg, Boundaries: bounds, Places: ref.Places, Location: loc}, st: st}
}

func (e *env) run(t *testing.T, file string) (*importer.Summary, error) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ucdp.NewReader(f, file, e.cfg)
	if err != nil {
		return nil, err
	}
	return importer.Run(context.Background(), e.st, file, r, importer.Options{})
}

// Bad rows are rejected with row, column and reason; the good rows around
// them still land; a second import adds nothing.
func TestMixedFile(t *testing.T) {
	e := setup(t)
	sum, err := e.run(t, "testdata/mixed.csv")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows != 10 || sum.Created != 5 || sum.Rejected != 5 {
		t.Fatalf("summary: %s", sum)
	}
	want := []string{
		`testdata/mixed.csv row 3 column date_start: "2017-13-45" is not a date (want YYYY-MM-DD)`,
		`testdata/mixed.csv row 5 column latitude: "north" is not a latitude (-90 to 90)`,
		`testdata/mixed.csv row 6 column type_of_violence: "9" is not 1 (state-based), 2 (non-state) or 3 (one-sided)`,
		`testdata/mixed.csv row 8: has 4 fields, the header has 41`,
		`testdata/mixed.csv row 9 column best: "-3" is not a count of deaths`,
	}
	for i, w := range want {
		if got := sum.Errors[i].Error(); !strings.HasPrefix(got, w) {
			t.Errorf("error %d:\n got %s\nwant %s", i, got, w)
		}
		if sum.Errors[i].Original == "" {
			t.Errorf("error %d keeps no original line", i)
		}
	}
	again, err := e.run(t, "testdata/mixed.csv")
	if err != nil {
		t.Fatal(err)
	}
	if again.Created != 0 || again.Unchanged != 5 || again.Rejected != 5 {
		t.Errorf("re-import: %s", again)
	}
	_, total, err := e.st.Incidents(context.Background(), store.Filter{})
	if err != nil || total != 5 {
		t.Errorf("incidents: %d, %v", total, err)
	}
}

// A report keeps the row verbatim and maps GED's codes.
func TestMapping(t *testing.T) {
	e := setup(t)
	if _, err := e.run(t, "testdata/mixed.csv"); err != nil {
		t.Fatal(err)
	}
	items, _, err := e.st.Incidents(context.Background(), store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	src, _ := os.ReadFile("testdata/mixed.csv")
	byID := map[string]incident.Report{}
	for _, it := range items {
		d, err := e.st.Incident(context.Background(), it.ID)
		if err != nil {
			t.Fatal(err)
		}
		r := d.Reports[0]
		byID[r.SourceID] = r
		if !strings.Contains(string(src), r.Original) || !strings.HasPrefix(r.Original, r.SourceID+",") {
			t.Errorf("report %s: original not verbatim: %q", r.SourceID, r.Original)
		}
	}
	r := byID["233200"]
	if r.Act != "armed_clash" || len(r.Actors) != 2 || r.Actors[0].Role != incident.SideA || r.Actors[0].ID != "government-of-syria" {
		t.Errorf("state-based event: %+v", r)
	}
	// where_prec 6: the point stands for the whole country.
	if r.Place.Precision != incident.PlaceCountry || r.Place.Area != "" {
		t.Errorf("country-level place: %+v", r.Place)
	}
	one := byID["255112"]
	if one.Act != "attack_on_civilians" || one.Actors[0].Role != incident.Perpetrator || one.Actors[1].ID != "civilians" {
		t.Errorf("one-sided event: %+v", one.Actors)
	}
	multi := byID["241259"]
	if len(multi.Actors) != 3 || multi.Actors[2].ID != "martyr-lieutenant-ahmed-abdou-brigades" {
		t.Errorf("side_b with two groups: %+v", multi.Actors)
	}
	exact := byID["241139"] // Tabqa town, where_prec 1
	if exact.Place.Precision != incident.PlaceExact || exact.Place.Admin3 != "SY110300" || exact.Place.Admin1 != "SY11" {
		t.Errorf("exact place not located in Ath-Thawrah: %+v", exact.Place)
	}
	district := byID["233215"] // where_prec 3: the district that contains the point
	if district.Place.Precision != incident.PlaceAdmin2 || district.Place.Area == "" || district.Place.Area != district.Place.Admin2 {
		t.Errorf("district-level place: %+v", district.Place)
	}
	// GED dates are local calendar days: 2016-01-01 to 2016-12-31 here.
	if !r.Occurred.Start.Equal(time.Date(2015, 12, 31, 22, 0, 0, 0, time.UTC)) || !r.Occurred.End.Equal(time.Date(2016, 12, 31, 22, 0, 0, 0, time.UTC)) {
		t.Errorf("dates read as %v to %v, want 2016-01-01 to the end of 2016-12-31, Damascus time", r.Occurred.Start, r.Occurred.End)
	}
}

func TestFileErrors(t *testing.T) {
	e := setup(t)
	tests := []struct{ file, want string }{
		{"testdata/missing-column.csv", "testdata/missing-column.csv: missing column(s) date_start"},
		{"testdata/semicolon.csv", "delimited by ';'"},
		{"testdata/empty.csv", "testdata/empty.csv: file is empty"},
	}
	for _, tt := range tests {
		_, err := e.run(t, tt.file)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", tt.file, err, tt.want)
		}
	}
	sum, err := e.run(t, "testdata/latin1.csv")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rejected != 1 || !strings.Contains(sum.Errors[0].Reason, "not UTF-8") {
		t.Errorf("latin-1 row: %s %v", sum, sum.Errors)
	}
}

// TestImplausibleSourceDate: GED's placeholder source_date 1753-01-01 and
// its typos (2919) are dropped and flagged; the event itself is real and
// taken in. Rejecting them cost 12 of the demo's 1,062 events.
func TestImplausibleSourceDate(t *testing.T) {
	cfg := setup(t).cfg
	head := "id,type_of_violence,side_a,side_b,source_article,source_headline,source_date,where_prec,where_coordinates,latitude,longitude,date_prec,date_start,date_end,deaths_civilians,low,best,high\n"
	row := func(id, date string) string {
		return id + `,1,Government of Syria,Syrian insurgents,"""SOHR,` + date + `,x""",x,` + date + ",1,Duma,33.5717,36.4027,1,2017-01-02,2017-01-02,0,1,1,1\n"
	}
	for _, tt := range []struct{ date, flag string }{
		{"2017-01-03", ""},
		{"1753-01-01", "source_date 1753-01-01 is not a plausible time of a report (1900 to now); not kept"},
		{"2919-02-06", "source_date 2919-02-06 is not a plausible time of a report (1900 to now); not kept"},
	} {
		for _, split := range []bool{false, true} {
			rd, err := ucdp.NewReader(strings.NewReader(head+row("1", tt.date)), "f.csv", cfg)
			if err != nil {
				t.Fatal(err)
			}
			var src importer.Source = rd
			if split {
				src = ucdp.PerSource(rd)
			}
			reps := readAll(t, src)
			if len(reps) != 1 {
				t.Fatalf("%s: %d reports", tt.date, len(reps))
			}
			r := reps[0]
			if fe := importer.Check(&r, time.Now()); fe != nil {
				t.Errorf("%s (per source %v): refused: %v", tt.date, split, fe)
			}
			if tt.flag == "" && r.ReportedAt.Format("2006-01-02") != tt.date || tt.flag != "" && (!r.ReportedAt.IsZero() || strings.Join(r.Flags, "|") != tt.flag) {
				t.Errorf("%s (per source %v): reported at %v, flags %q", tt.date, split, r.ReportedAt, r.Flags)
			}
		}
	}
}

// TestProvincePlaces: an event GED places only in a province is in the
// province GED names, whatever its point (event 240893: "Tartus
// Governorate", whose point lies in Hama, was coded as Hama), and keeps no
// district or sub-district; a region inside a named province is in it.
func TestProvincePlaces(t *testing.T) {
	cfg := setup(t).cfg
	head := "id,type_of_violence,side_a,side_b,source_article,source_headline,source_date,where_prec,where_coordinates,adm_1,latitude,longitude,date_prec,date_start,date_end,deaths_civilians,low,best,high\n"
	for _, tt := range []struct {
		prec, name, adm1, lat, lon string
		area                       string
		precision                  incident.PlacePrecision
	}{
		{"4", "Tartus Governorate", "Tartus Governorate", "35.00427", "36.15867", "SY10", incident.PlaceAdmin1},
		{"5", "Southern Idlib Governorate", "Idlib Governorate", "35.44", "36.84", "SY07", incident.PlaceAdmin1},
		{"6", "Syria", "", "35", "38", "", incident.PlaceCountry},
	} {
		row := `1,1,Government of Syria,Syrian insurgents,"""SOHR,2017-01-03,x""",x,2017-01-03,` + tt.prec + `,` + tt.name + `,` + tt.adm1 + `,` + tt.lat + `,` + tt.lon + ",1,2017-01-02,2017-01-02,0,1,1,1\n"
		rd, err := ucdp.NewReader(strings.NewReader(head+row), "f.csv", cfg)
		if err != nil {
			t.Fatal(err)
		}
		reps := readAll(t, rd)
		if len(reps) != 1 {
			t.Fatalf("%s: %d reports", tt.name, len(reps))
		}
		p := reps[0].Place
		if p.Area != tt.area || p.Precision != tt.precision || p.Admin1 != tt.area || p.Admin2 != "" || p.Admin3 != "" {
			t.Errorf("%s: %+v, want %s in %q only", tt.name, p, tt.precision, tt.area)
		}
	}
}

// Every row of the real GED Syria file is imported or rejected with a
// reason, and every actor name in it resolves.
func TestRealFile(t *testing.T) {
	const file = "../../../../shared/data/ucdp-ged-syria/ucdp_ged_syria_2016_2019.csv"
	if _, err := os.Stat(file); err != nil {
		t.Skip("shared data not present:", err)
	}
	if testing.Short() {
		t.Skip("-short")
	}
	e := setup(t)
	sum, err := e.run(t, file)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(sum)
	if sum.Flagged == 0 {
		t.Error("GED has rows with casualty estimates out of order; none was flagged")
	}
	if sum.Rows != 16566 || sum.Created+sum.Rejected != 16566 {
		t.Errorf("rows: %s", sum)
	}
	for _, e := range sum.Errors {
		if e.Reason == "" || e.Row < 2 {
			t.Errorf("rejection without reason or row: %+v", e)
		}
	}
	if len(sum.Unresolved) > 0 {
		t.Errorf("unresolved actor names: %v", sum.UnresolvedNames())
	}
}

// TestRoundTrip: GED events exported as JSON lines and GeoJSON, and read
// back, keep every fact truce took from them, and their original rows.
func TestRoundTrip(t *testing.T) {
	e := setup(t)
	if _, err := e.run(t, "testdata/mixed.csv"); err != nil {
		t.Fatal(err)
	}
	var want []incident.Report
	if err := e.st.EachReport(context.Background(), func(r incident.Report) error { want = append(want, r); return nil }); err != nil {
		t.Fatal(err)
	}
	var lines, features bytes.Buffer
	jw := jsonl.NewWriter(&lines)
	gw := geojson.NewWriter(&features, e.cfg.Location)
	for i := range want {
		if err := jw.Write(want[i]); err != nil {
			t.Fatal(err)
		}
		if err := gw.WriteReport(&want[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := errors.Join(jw.Flush(), gw.Close()); err != nil {
		t.Fatal(err)
	}
	fromLines := readAll(t, jsonl.NewReader(&lines, "ged.jsonl", jsonl.Config{Actors: e.cfg.Actors, Boundaries: e.cfg.Boundaries}))
	gr, err := geojson.NewReader(&features, "ged.geojson", geojson.Config{Actors: e.cfg.Actors, Boundaries: e.cfg.Boundaries, Location: e.cfg.Location})
	if err != nil {
		t.Fatal(err)
	}
	fromFeatures := readAll(t, gr)
	if len(fromLines) != len(want) || len(fromFeatures) != len(want) {
		t.Fatalf("read back %d lines, %d features; want %d", len(fromLines), len(fromFeatures), len(want))
	}
	for i, w := range want {
		w.ID, w.IncidentID = 0, 0
		if a, b := mustJSON(t, w), mustJSON(t, fromLines[i]); a != b {
			t.Errorf("jsonl %d:\n got %s\nwant %s", i, b, a)
		}
		// GeoJSON carries the facts, not the CSV row.
		g := fromFeatures[i]
		g.Original, g.OriginalFormat, w.Original, w.OriginalFormat = "", "", "", ""
		if a, b := mustJSON(t, w), mustJSON(t, g); a != b {
			t.Errorf("geojson %d:\n got %s\nwant %s", i, b, a)
		}
	}
}

func readAll(t *testing.T, src importer.Source) []incident.Report {
	t.Helper()
	var out []incident.Report
	for {
		row, ok, err := src.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return out
		}
		if row.Err != nil {
			t.Fatal(row.Err)
		}
		out = append(out, *row.Report)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
