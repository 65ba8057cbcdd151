package importer_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/importer/acled"
	"github.com/truce-monitor/truce/internal/importer/geojson"
	"github.com/truce-monitor/truce/internal/importer/importertest"
	"github.com/truce-monitor/truce/internal/importer/jsonl"
	"github.com/truce-monitor/truce/internal/importer/mapped"
	"github.com/truce-monitor/truce/internal/importer/ucdp"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store/sqlite"
)

var damascus = time.FixedZone("EET", 2*3600)

// format is one import format with its fixture in testdata/rows: good
// rows, and rows each wrong in one way that importer.Check or the format
// must refuse.
type format struct {
	name, file string
	// row is the id of a good row holding the text TEXT, from which rows
	// with bad text are made; ids are the ids to give them.
	row  string
	ids  [2]string
	json bool // text in JSON, where a NUL is written \u0000
	good int
	want []string
}

var formats = []format{{
	name: "acled", file: "acled.csv", row: "SYRR1,", ids: [2]string{"SYRRN,", "SYRRL,"}, good: 2,
	want: []string{
		`acled.csv row 3 column event_date: 9999-12-31 is in the future`,
		`acled.csv row 4 column event_date: 1850-01-01 is before 1900`,
		`acled.csv row 5 column latitude, longitude: 0, 0 ("null island"`,
		`acled.csv row 6 column latitude, longitude: 136.4027 is not a latitude (-90 to 90), though longitude 33.5717 would be: are the two swapped?`,
		`acled.csv row 7 column fatalities: "-3" is not a count of deaths`,
		`acled.csv row 8 column event_date: "2017-01-05T25:00:00" has no valid time of day (hour out of range`,
		`acled.csv row 9 column timestamp: 5138-11-16 is not a plausible time of a report`,
		`acled.csv row 11 column notes: holds a NUL byte (0x00) at byte 2`,
		`acled.csv row 12 column notes: is not UTF-8 text`,
	},
}, {
	name: "ucdp", file: "ucdp.csv", row: "900101,", ids: [2]string{"900191,", "900192,"}, good: 2,
	want: []string{
		`ucdp.csv row 3 column date_end: year 10000 is in the future`,
		`ucdp.csv row 4 column date_start: 1850-01-01 is before 1900`,
		`ucdp.csv row 5 column latitude, longitude: 0, 0 ("null island"`,
		`ucdp.csv row 6 column latitude, longitude: 136.4027 is not a latitude (-90 to 90), though longitude 33.5717 would be`,
		`ucdp.csv row 7 column deaths_civilians: "-2" is not a count of deaths`,
		`ucdp.csv row 8 column date_start: "2017-01-05 25:00:00.000" has no valid time of day (hour out of range`,
		`ucdp.csv row 9 column low: "-1" is not a count of deaths`,
		`ucdp.csv row 11 column source_article: holds a NUL byte`,
		`ucdp.csv row 12 column source_article: is not UTF-8 text`,
	},
}, {
	name: "geojson", file: "events.geojson", row: `"G1"`, ids: [2]string{`"GN"`, `"GL"`}, json: true, good: 2,
	want: []string{
		`events.geojson row 2 (line 3) column date_start: 9999-12-31 is in the future`,
		`events.geojson row 3 (line 4) column date_start: 1850-01-01 is before 1900`,
		`events.geojson row 4 (line 5) column geometry: 0, 0 ("null island"`,
		`events.geojson row 5 (line 6) column geometry: 136.4027 is not a latitude (-90 to 90), though longitude 33.5717 would be`,
		`events.geojson row 6 (line 7) column deaths_civilians: "-2" is not a count of deaths`,
		`events.geojson row 7 (line 8) column date_start: "2017-01-05T24:00:00Z" has no valid time of day (hour out of range`,
		`events.geojson row 8 (line 9) column deaths_low: "-1" is not a count of deaths`,
		`events.geojson row 10 (line 11) column description: holds a NUL byte`,
		`events.geojson row 11 (line 12) column description: is not UTF-8 text`,
	},
}, {
	name: "jsonl", file: "reports.jsonl", row: `"J1"`, ids: [2]string{`"JN"`, `"JL"`}, json: true, good: 2,
	want: []string{
		`reports.jsonl row 2 column occurred.start: 9999-12-31 is in the future`,
		`reports.jsonl row 3 column occurred.start: 1850-01-01 is before 1900`,
		`reports.jsonl row 4 column place.lat, place.lon: 0, 0 ("null island"`,
		`reports.jsonl row 5 column place.lat, place.lon: 136.4027 is not a latitude (-90 to 90), though longitude 33.5717 would be`,
		`reports.jsonl row 6 column casualties.best: -1 is negative`,
		`reports.jsonl row 7 column occurred.start: parsing time "2017-01-05T25:00:00Z": hour out of range`,
		`reports.jsonl row 8 column reported_at: 3017-01-02 is not a plausible time of a report`,
		`reports.jsonl row 10 column description: holds a NUL byte`,
		`reports.jsonl row 11 column description: is not UTF-8 text`,
	},
}, {
	name: "csv", file: "mapped.csv", row: "M1,", ids: [2]string{"MN,", "ML,"}, good: 2,
	want: []string{
		`mapped.csv row 3 column date: 9999-12-31 is in the future`,
		`mapped.csv row 4 column date: 1850-01-01 is before 1900`,
		`mapped.csv row 5 column lat, lon: 0, 0 ("null island"`,
		`mapped.csv row 6 column lat, lon: 136.4027 is not a latitude (-90 to 90), though longitude 33.5717 would be`,
		`mapped.csv row 7 column killed: "-3" is not a count of deaths`,
		`mapped.csv row 8 column civilians: "-2" is not a count of deaths`,
		`mapped.csv row 10 column details: holds a NUL byte`,
		`mapped.csv row 11 column details: is not UTF-8 text`,
	},
}}

// fixture is a format's fixture with two rows added, copies of its good
// row with a NUL byte and a Latin-1 byte in its text.
func (f format) fixture(t *testing.T) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "rows", f.file))
	if err != nil {
		t.Fatal(err)
	}
	nul := "TE\x00XT"
	if f.json {
		nul = `TE\u0000XT`
	}
	var row string
	for _, l := range strings.Split(string(src), "\n") {
		if strings.Contains(l, f.row) {
			row = strings.TrimSuffix(l, ",")
		}
	}
	if row == "" {
		t.Fatalf("%s: no row %s", f.file, f.row)
	}
	var extra []string
	for i, text := range []string{nul, "TE\xe9XT"} {
		extra = append(extra, strings.ReplaceAll(strings.Replace(row, f.row, f.ids[i], 1), "TEXT", text))
	}
	if f.name == "geojson" {
		return []byte(strings.Replace(string(src), "\n]}", ",\n"+strings.Join(extra, ",\n")+"\n]}", 1))
	}
	return []byte(string(src) + strings.Join(extra, "\n") + "\n")
}

// source opens a format's reader on src.
func (f format) source(t *testing.T, src []byte) importer.Source {
	t.Helper()
	ref := importertest.Load(t)
	cfg := importer.Config{Actors: ref.Actors, Boundaries: ref.Boundaries, Places: ref.Places, Location: damascus}
	r := bytes.NewReader(src)
	var s importer.Source
	var err error
	switch f.name {
	case "acled":
		s, err = acled.NewReader(r, f.file, cfg)
	case "ucdp":
		s, err = ucdp.NewReader(r, f.file, cfg)
	case "geojson":
		s, err = geojson.NewReader(r, f.file, cfg)
	case "jsonl":
		s = jsonl.NewReader(r, f.file, cfg)
	case "csv":
		mf, ferr := os.Open("testdata/rows/mapped.yaml")
		if ferr != nil {
			t.Fatal(ferr)
		}
		defer mf.Close()
		m, merr := mapped.LoadMapping(mf, "mapped.yaml", ref.Actors)
		if merr != nil {
			t.Fatal(merr)
		}
		s, err = mapped.NewReader(r, f.file, m, cfg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func run(t *testing.T, file string, src importer.Source) *importer.Summary {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sum, err := importer.Run(ctx, st, file, src, importer.Options{})
	if err != nil {
		t.Fatalf("a bad row took the import down: %v", err)
	}
	return sum
}

// TestBadRowsEveryFormat: in every format, a row the store cannot take or
// should not (a date in year 9999 or 1850, a NUL byte, text that is not
// UTF-8, 0,0 or swapped coordinates, negative deaths, hour 25) is rejected
// alone, naming its file, row, column and fault, and the good rows land.
func TestBadRowsEveryFormat(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			sum := run(t, f.file, f.source(t, f.fixture(t)))
			if sum.Created != f.good || sum.Rejected != len(f.want) {
				t.Errorf("%s; want %d created, %d rejected", sum, f.good, len(f.want))
			}
			for i, e := range sum.Errors {
				if i >= len(f.want) {
					t.Errorf("rejected %d: %s, not expected", i, e)
					continue
				}
				if !strings.HasPrefix(e.Error(), f.want[i]) {
					t.Errorf("rejected %d:\n got %s\nwant %s…", i, e, f.want[i])
				}
				if e.Original == "" {
					t.Errorf("rejected %d keeps no original row", i)
				}
			}
		})
	}
}

// TestFileForms: a UTF-8 byte order mark at the start of any file, and
// CSV lines ending in CR alone (old Mac), read as the plain file does.
func TestFileForms(t *testing.T) {
	for _, f := range formats {
		plain := f.fixture(t)
		want := run(t, f.file, f.source(t, plain))
		variants := map[string][]byte{"bom": append([]byte("\uFEFF"), plain...)}
		if !f.json {
			variants["cr"] = bytes.ReplaceAll(plain, []byte("\n"), []byte("\r"))
		}
		for name, src := range variants {
			t.Run(f.name+"/"+name, func(t *testing.T) {
				got := run(t, f.file, f.source(t, src))
				if got.String() != want.String() || fmt.Sprint(got.Errors) != fmt.Sprint(want.Errors) {
					t.Errorf("got  %s\n%v\nwant %s\n%v", got, got.Errors, want, want.Errors)
				}
			})
		}
	}
}

// TestCSVHeader: a header with a NUL byte (a UTF-16 file, as spreadsheets
// save "Unicode text") is a fault of the whole file, not of every row.
func TestCSVHeader(t *testing.T) {
	utf16 := []byte{0xff, 0xfe}
	for _, r := range "id,date\n1,2017-01-02\n" {
		utf16 = append(utf16, byte(r), 0)
	}
	for _, src := range [][]byte{[]byte("id,da\x00te\n1,2017-01-02\n"), utf16} {
		_, err := importer.NewCSV(bytes.NewReader(src), "f.csv")
		if err == nil || !strings.Contains(err.Error(), "f.csv: header") {
			t.Errorf("%q: got %v, want the header refused", src, err)
		}
	}
}

// TestOneBadDateInAThousand: one event_date of 9999-12-31 among 1,200
// ACLED rows used to fail the store's batch and so store none.
func TestOneBadDateInAThousand(t *testing.T) {
	var b strings.Builder
	b.WriteString(strings.Join(acled.Columns(), ",") + "\n")
	for i := 1; i <= 1200; i++ {
		date := "02 January 2017"
		if i == 600 {
			date = "9999-12-31"
		}
		fmt.Fprintf(&b, "SYRK%d,%s,2017,1,Political violence,Battles,Armed clash,A,,,B,,,,,760,Middle East,Syria,,,,Duma,33.5717,36.4027,1,,,,0,,\n", i, date)
	}
	f := format{name: "acled", file: "big.csv"}
	sum := run(t, f.file, f.source(t, []byte(b.String())))
	if sum.Created != 1199 || sum.Rejected != 1 || !strings.HasPrefix(sum.Errors[0].Error(), "big.csv row 601 column event_date: 9999-12-31 is in the future") {
		t.Errorf("%s: %v", sum, sum.Errors)
	}
}

func TestCheck(t *testing.T) {
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	good := func() incident.Report {
		return incident.Report{
			Source: "s", SourceID: "1", Occurred: incident.Day(2017, 1, 2, damascus),
			Place:  incident.Place{Name: "Duma", Lat: 33.57, Lon: 36.40, HasPoint: true},
			Actors: []incident.ActorRef{{Name: "A", Role: incident.Perpetrator}},
		}
	}
	for _, tt := range []struct {
		name, field, reason string
		edit                func(r *incident.Report)
	}{
		{"good", "", "", func(r *incident.Report) {}},
		{"no point", "", "", func(r *incident.Report) { r.Place = incident.Place{Name: "Duma"} }},
		{"tomorrow", "", "", func(r *incident.Report) { r.Occurred = incident.Day(2024, 6, 2, damascus) }},
		{"this month", "", "", func(r *incident.Report) {
			r.Occurred = incident.TimeSpan{Start: time.Date(2024, 6, 1, 0, 0, 0, 0, damascus), End: time.Date(2024, 7, 1, 0, 0, 0, 0, damascus)}
		}},
		{"year 9999", "occurred.start", "9999-12-31 is in the future", func(r *incident.Report) { r.Occurred = incident.Day(9999, 12, 31, damascus) }},
		{"next week", "occurred.start", "2024-06-08 is in the future", func(r *incident.Report) { r.Occurred = incident.Day(2024, 6, 8, time.UTC) }},
		{"long end", "occurred.end", "2025-01-02 is in the future", func(r *incident.Report) { r.Occurred.End = time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC) }},
		{"year 1", "occurred.start", "0001-01-01 is before 1900", func(r *incident.Report) { r.Occurred = incident.Day(1, 1, 1, time.UTC) }},
		{"empty span", "occurred", "must have a start before its end", func(r *incident.Report) { r.Occurred.End = r.Occurred.Start }},
		{"reported in 3017", "reported_at", "3017-01-01 is not a plausible time", func(r *incident.Report) { r.ReportedAt = time.Date(3017, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"NUL", "description", "holds a NUL byte (0x00) at byte 1", func(r *incident.Report) { r.Description = "a\x00b" }},
		{"NUL in actor", "actors[0].name", "holds a NUL byte", func(r *incident.Report) { r.Actors[0].Name = "\x00" }},
		{"NUL in witness", "witnesses[0].contact", "holds a NUL byte", func(r *incident.Report) { r.Witnesses = []incident.Person{{Name: "x", Contact: "\x00"}} }},
		{"Latin-1", "place.name", "is not UTF-8 text", func(r *incident.Report) { r.Place.Name = "Dar\xe2ya" }},
		{"null island", "place.lat, place.lon", `0, 0 ("null island"`, func(r *incident.Report) { r.Place.Lat, r.Place.Lon = 0, 0 }},
		{"swapped", "place.lat, place.lon", "136.4 is not a latitude (-90 to 90), though longitude 33.57 would be", func(r *incident.Report) { r.Place.Lat, r.Place.Lon = 136.4, 33.57 }},
		{"latitude", "place.lat", "95 is not a latitude", func(r *incident.Report) { r.Place.Lat, r.Place.Lon = 95, 136.4 }},
		{"longitude", "place.lon", "181 is not a longitude", func(r *incident.Report) { r.Place.Lon = 181 }},
		{"negative deaths", "casualties.best", "-1 is negative", func(r *incident.Report) { r.Casualties.Best = -1 }},
		{"negative civilians", "casualties.civilians", "-2 is negative", func(r *incident.Report) { r.Casualties.Civilians = -2 }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := good()
			tt.edit(&r)
			fe := importer.Check(&r, now)
			switch {
			case tt.field == "" && fe != nil:
				t.Errorf("refused: %v", fe)
			case tt.field != "" && (fe == nil || fe.Field != tt.field || !strings.HasPrefix(fe.Reason, tt.reason)):
				t.Errorf("got %v, want %s: %s…", fe, tt.field, tt.reason)
			}
		})
	}
}

func TestDatePart(t *testing.T) {
	for _, tt := range []struct{ in, want, err string }{
		{"2017-01-07", "2017-01-07", ""},
		{"2017-01-07 00:00:00.000", "2017-01-07", ""},
		{"2017-01-07T13:45:00Z", "2017-01-07", ""},
		{"2017-01-07T13:45:00+03:00", "2017-01-07", ""},
		{"2017-01-07T13:45", "2017-01-07", ""},
		{"2017-01-07T25:00:00", "", "hour out of range"},
		{"2017-01-07T24:00:00Z", "", "hour out of range"},
		{"2017-01-07 23:61", "", "minute out of range"},
		{"2017-01-07Tnoon", "", "is not a date, or a date and a time of day"},
		{"2017-01-07x", "", "is not a date"},
		{"2017-02-30", "", "is not a date"},
		{"", "", "is not a date"},
	} {
		got, err := importer.DatePart(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: got %v, %v; want an error with %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got.Format("2006-01-02") != tt.want {
			t.Errorf("%q: got %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestSafeCell(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`},
		{"+1+2", "'+1+2"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"-", "'-"},
		{"-Inf", "'-Inf"},
		{"-12.5", "-12.5"},
		{"+3", "+3"},
		{"-1e-3", "-1e-3"},
		{"-.5", "-.5"},
		{"36.4027", "36.4027"},
		{"Duma", "Duma"},
		{"", ""},
		{"a=b", "a=b"},
	} {
		if got := importer.SafeCell(tt.in); got != tt.want {
			t.Errorf("SafeCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestJSONField(t *testing.T) {
	raw := []byte(`{"source":"s","actors":[{"name":"a"},{"name":"bXd"}],"place":{"name":"p"},"n":[1,"X"]}`)
	for _, tt := range []struct{ at, want string }{
		{`bXd`, "actors[1].name"},
		{`"p"`, "place.name"},
		{`"X"]`, "n[1]"},
		{`"source"`, "source"},
	} {
		if got := importer.JSONField(raw, bytes.Index(raw, []byte(tt.at))+1); got != tt.want {
			t.Errorf("field at %s: %q, want %q", tt.at, got, tt.want)
		}
	}
	if got := importer.JSONFieldOf(raw, "p"); got != "place.name" {
		t.Errorf("JSONFieldOf p: %q", got)
	}
}
