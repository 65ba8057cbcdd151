package acled_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/importer/acled"
	"github.com/truce-monitor/truce/internal/importer/importertest"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store/sqlite"
)

var damascus = time.FixedZone("EET", 2*3600)

func config(t testing.TB) acled.Config {
	ref := importertest.Load(t)
	return acled.Config{Actors: ref.Actors, Boundaries: ref.Boundaries, Places: ref.Places, Location: damascus}
}

// read reads a whole file, returning the reports and the rejected rows.
func read(t *testing.T, cfg acled.Config, file string, r io.Reader) ([]incident.Report, []*importer.RowError, error) {
	t.Helper()
	rd, err := acled.NewReader(r, file, cfg)
	if err != nil {
		return nil, nil, err
	}
	var reps []incident.Report
	var errs []*importer.RowError
	for {
		row, ok, err := rd.Next()
		if err != nil {
			return reps, errs, err
		}
		if !ok {
			return reps, errs, nil
		}
		if row.Err != nil {
			errs = append(errs, row.Err)
		} else if row.Report != nil {
			reps = append(reps, *row.Report)
		}
	}
}

func readFile(t *testing.T, cfg acled.Config, name string) ([]incident.Report, []*importer.RowError, error) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return read(t, cfg, name, f)
}

func TestRead(t *testing.T) {
	cfg := config(t)
	reps, errs, err := readFile(t, cfg, "events.csv")
	if err != nil || len(errs) > 0 {
		t.Fatalf("err %v, rejected %v", err, errs)
	}
	if len(reps) != 6 {
		t.Fatalf("got %d reports, want 6", len(reps))
	}
	byID := map[string]incident.Report{}
	for _, r := range reps {
		byID[r.SourceID] = r
	}
	tests := []struct {
		id        string
		act       act.Type
		start     string
		days      int
		precision incident.PlacePrecision
		admin3    string
		area      string
		roles     string
		best      int
	}{
		{"SYR90001", act.Airstrike, "2017-01-02", 1, incident.PlaceExact, "SY030200", "", "perpetrator:government-of-syria target:civilians", 4},
		{"SYR90002", act.ArmedClash, "2017-01-02", 7, incident.PlaceNear, "SY030201", "", "side_a:government-of-syria side_a:hezbollah side_b:jaysh-al-islam side_b:rahman-corps", 0},
		{"SYR90003", act.ArrestAbduction, "2017-01-01", 31, incident.PlaceAdmin1, "", "SY07", // a governorate: no sub-district
			"perpetrator:unidentified-armed-group target:civilians", 0},
		{"SYR90004", act.Shelling, "2017-01-20", 1, incident.PlaceExact, "SY090100", "", "perpetrator:islamic-state target:government-of-syria", 3},
		{"SYR90005", act.PropertyDamage, "2017-02-28", 1, incident.PlaceExact, "SY020000", "", "perpetrator:rioters", 0},
		{"SYR90006", act.Shelling, "2017-02-10", 1, incident.PlaceNear, "SY030200", "", "perpetrator:government-of-syria target:civilians", 2},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			r, ok := byID[tt.id]
			if !ok {
				t.Fatal("missing")
			}
			if r.Act != tt.act {
				t.Errorf("act %s, want %s", r.Act, tt.act)
			}
			if got := r.Occurred.Start.Format("2006-01-02"); got != tt.start || r.Occurred.Start.Location() != damascus {
				t.Errorf("start %s (%v), want %s in local time", got, r.Occurred.Start.Location(), tt.start)
			}
			if d := int(r.Occurred.End.Sub(r.Occurred.Start).Hours() / 24); d != tt.days {
				t.Errorf("span %d days, want %d", d, tt.days)
			}
			if r.Place.Precision != tt.precision || r.Place.Admin3 != tt.admin3 || r.Place.Area != tt.area {
				t.Errorf("place %+v, want %s in %s area %q", r.Place, tt.precision, tt.admin3, tt.area)
			}
			var roles []string
			for _, a := range r.Actors {
				roles = append(roles, string(a.Role)+":"+a.ID)
			}
			if got := strings.Join(roles, " "); got != tt.roles {
				t.Errorf("actors %s, want %s", got, tt.roles)
			}
			if r.Casualties.Best != tt.best {
				t.Errorf("fatalities %d, want %d", r.Casualties.Best, tt.best)
			}
		})
	}
	if r := byID["SYR90003"]; !strings.Contains(r.Description, "خطف ناشط") || !strings.Contains(r.Original, "multi-line") {
		t.Errorf("Arabic multi-line note lost: %q / original %q", r.Description, r.Original)
	}
	if r := byID["SYR90001"]; len(r.Citations) != 2 || r.Citations[1] != "Syrian Network for Human Rights" || r.ReportedAt.Unix() != 1483401600 {
		t.Errorf("citations %q, reported at %v", r.Citations, r.ReportedAt)
	}
}

// TestRoundTrip: an ACLED file read and written again comes back byte for
// byte, and reads back to the same reports.
func TestRoundTrip(t *testing.T) {
	cfg := config(t)
	want, err := os.ReadFile("testdata/events.csv")
	if err != nil {
		t.Fatal(err)
	}
	reps, _, err := read(t, cfg, "events.csv", bytes.NewReader(want))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w := acled.NewWriter(&out, acled.WriterConfig{Actors: cfg.Actors, Boundaries: cfg.Boundaries, Location: damascus})
	for i := range reps {
		if err := w.WriteReport(&reps[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("round trip changed the file:\n got: %s\nwant: %s", out.String(), want)
	}
	again, _, err := read(t, cfg, "events.csv", &out)
	if err != nil {
		t.Fatal(err)
	}
	for i := range reps {
		if !equalReports(reps[i], again[i]) {
			t.Errorf("report %d changed:\n got %+v\nwant %+v", i, again[i], reps[i])
		}
	}
}

// TestRoundTripThroughStore: import, then export from the store, gives the
// file back.
func TestRoundTripThroughStore(t *testing.T) {
	cfg := config(t)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	want, err := os.ReadFile("testdata/events.csv")
	if err != nil {
		t.Fatal(err)
	}
	rd, err := acled.NewReader(bytes.NewReader(want), "events.csv", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := importer.Run(ctx, st, "events.csv", rd, importer.Options{}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w := acled.NewWriter(&out, acled.WriterConfig{Actors: cfg.Actors, Boundaries: cfg.Boundaries, Location: damascus})
	if err := st.EachReport(ctx, func(r incident.Report) error { return w.WriteReport(&r) }); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("export after import differs:\n got: %s\nwant: %s", out.String(), want)
	}
}

// TestForeignReportsRoundTrip: reports from other sources written as ACLED
// and read back keep their facts.
func TestForeignReportsRoundTrip(t *testing.T) {
	cfg := config(t)
	reps := []incident.Report{{
		Source: "ucdp-ged", SourceID: "123", Kind: incident.FromDataset,
		Occurred: incident.Day(2017, 1, 7, damascus),
		Place:    incident.Place{Name: "Wadi Barada", Lat: 33.6469, Lon: 36.1667, HasPoint: true, Precision: incident.PlaceNear},
		Actors: []incident.ActorRef{
			{Name: "Government of Syria", ID: "government-of-syria", Role: incident.SideA},
			{Name: "Hezbollah", ID: "hezbollah", Role: incident.SideA},
			{Name: "Syrian insurgents", ID: "syrian-insurgents", Role: incident.SideB},
		},
		Act: act.ArmedClash, Casualties: incident.Casualties{Low: 5, Best: 5, High: 5},
		Description: "Fighting in Wadi Barada, 5 killed", Citations: []string{"SOHR", "Reuters"},
	}, {
		Source: "monitor", SourceID: "m-1", Kind: incident.FromMonitor,
		Occurred: incident.Days(time.Date(2017, 1, 10, 0, 0, 0, 0, time.UTC), time.Date(2017, 1, 12, 0, 0, 0, 0, time.UTC), damascus),
		Place:    incident.Place{Name: "Idleb", Lat: 35.93, Lon: 36.63, HasPoint: true, Precision: incident.PlaceAdmin1},
		Actors:   []incident.ActorRef{{Name: "Russia", ID: "government-of-russia", Role: incident.Perpetrator}, {Name: "Civilians", ID: "civilians", Role: incident.Target}},
		Act:      act.Airstrike, Casualties: incident.Casualties{Best: 7, Civilians: 7},
	}}
	var out bytes.Buffer
	w := acled.NewWriter(&out, acled.WriterConfig{Actors: cfg.Actors, Boundaries: cfg.Boundaries, Location: damascus})
	for i := range reps {
		if err := w.WriteReport(&reps[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	back, errs, err := read(t, cfg, "out.csv", &out)
	if err != nil || len(errs) > 0 || len(back) != 2 {
		t.Fatalf("read back: %d reports, %v, %v\n%s", len(back), errs, err, out.String())
	}
	for i, want := range reps {
		got := back[i]
		// ACLED cannot say "10 to 12 January": a span of days comes back
		// as a week around its middle, which must still contain it.
		if got.SourceID != want.Source+":"+want.SourceID || got.Act != want.Act || got.Occurred.Start.After(want.Occurred.Start) ||
			got.Occurred.End.Before(want.Occurred.End) || got.Occurred.End.Sub(got.Occurred.Start) > 7*24*time.Hour ||
			got.Casualties.Best != want.Casualties.Best || got.Place.Lat != want.Place.Lat || got.Place.Name != want.Place.Name {
			t.Errorf("report %d: got %+v\nwant %+v", i, got, want)
		}
		for j, a := range want.Actors {
			if j >= len(got.Actors) || got.Actors[j].ID != a.ID || got.Actors[j].Role != a.Role {
				t.Errorf("report %d actor %d: got %+v, want %+v", i, j, got.Actors, want.Actors)
				break
			}
		}
	}
}

// TestFormulaCells: a cell a spreadsheet would run as a formula is
// written with a leading ', whether it comes from truce's facts or from an
// original ACLED record; numbers, negative ones included, stay numbers.
func TestFormulaCells(t *testing.T) {
	cfg := config(t)
	link := `=HYPERLINK("http://x","y")`
	orig := strings.Join(acled.Columns(), ",") + "\n" +
		`SYRF1,02 January 2017,2017,1,Political violence,Battles,Armed clash,A,,,B,,,,,760,Middle East,Syria,,,,Duma,-12.5,36.4027,1,@SOHR,,"=HYPERLINK(""http://x"",""y"")",0,,` + "\n"
	in, _, err := read(t, cfg, "f.csv", strings.NewReader(orig))
	if err != nil || len(in) != 1 {
		t.Fatalf("%v %v", in, err)
	}
	reps := []incident.Report{in[0], {
		Source: "monitor", SourceID: "m-1", Kind: incident.FromMonitor, Occurred: incident.Day(2017, 1, 7, damascus),
		Place:  incident.Place{Name: "-Duma", Lat: -12.5, Lon: 36.4, HasPoint: true, Precision: incident.PlaceExact},
		Actors: []incident.ActorRef{{Name: "+A", Role: incident.Perpetrator}}, Act: act.Shelling, Description: link,
	}}
	var out bytes.Buffer
	w := acled.NewWriter(&out, acled.WriterConfig{Actors: cfg.Actors, Boundaries: cfg.Boundaries, Location: damascus})
	for i := range reps {
		if err := w.WriteReport(&reps[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("%v %v", rows, err)
	}
	col := map[string]int{}
	for i, c := range rows[0] {
		col[c] = i
	}
	for i, want := range []map[string]string{
		{"notes": "'" + link, "latitude": "-12.5", "source": "'@SOHR", "location": "Duma"},
		{"notes": "'" + link, "latitude": "-12.5", "location": "'-Duma", "actor1": "'+A", "fatalities": "0"},
	} {
		for c, v := range want {
			if got := rows[i+1][col[c]]; got != v {
				t.Errorf("row %d %s: %q, want %q", i+1, c, got, v)
			}
		}
	}
}

func TestErrors(t *testing.T) {
	cfg := config(t)
	t.Run("rows", func(t *testing.T) {
		reps, errs, err := readFile(t, cfg, "bad-rows.csv")
		if err != nil {
			t.Fatal(err)
		}
		if len(reps) != 2 {
			t.Errorf("good rows: got %d, want 2 (a rejected row must not take good ones down)", len(reps))
		}
		want := []string{
			`bad-rows.csv row 3 column event_date: "31 February 2017" is not a date`,
			`bad-rows.csv row 4 column latitude, longitude: 95.1 is not a latitude (-90 to 90), though longitude 36.4027 would be: are the two swapped?`,
			`bad-rows.csv row 5 column event_type: "Skirmish" is not an ACLED event type`,
			`bad-rows.csv row 6 column fatalities: "-3" is not a count of deaths`,
			`bad-rows.csv row 7 column geo_precision: "7" is not an ACLED geo precision`,
			`bad-rows.csv row 8 column longitude: "abc" is not a longitude`,
			`bad-rows.csv row 9 column event_id_cnty: is empty`,
		}
		if len(errs) != len(want) {
			t.Fatalf("got %d rejected rows, want %d: %v", len(errs), len(want), errs)
		}
		for i, w := range want {
			if !strings.HasPrefix(errs[i].Error(), w) {
				t.Errorf("rejected %d:\n got %s\nwant %s…", i, errs[i], w)
			}
			if !strings.HasPrefix(errs[i].Original, "SYRBAD") && i != len(want)-1 {
				t.Errorf("rejected %d: original row not kept: %q", i, errs[i].Original)
			}
		}
	})
	for _, tt := range []struct {
		file, want string
	}{
		{"empty.csv", "empty.csv: file is empty (no header row)"},
		{"semicolon.csv", "semicolon.csv: missing column(s) event_id_cnty, event_date"},
		{"semicolon.csv", "(the file seems delimited by ';'; truce reads ',')"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			_, _, err := readFile(t, cfg, tt.file)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
	t.Run("encoding", func(t *testing.T) {
		reps, errs, err := readFile(t, cfg, "latin1.csv")
		if err != nil {
			t.Fatal(err)
		}
		if len(reps) != 1 || len(errs) != 1 || !strings.Contains(errs[0].Error(), "latin1.csv row 2 column notes: is not UTF-8 text") {
			t.Errorf("got %d reports, errors %v; want the Latin-1 row rejected as not UTF-8 and the other kept", len(reps), errs)
		}
	})
	t.Run("unknown column", func(t *testing.T) {
		f, _ := os.Open("testdata/extra-column.csv")
		defer f.Close()
		rd, err := acled.NewReader(f, "extra-column.csv", cfg)
		if err != nil {
			t.Fatal(err)
		}
		if n := rd.Notes(); len(n) != 1 || !strings.Contains(n[0], "column(s) my_notes are not in ACLED's codebook") {
			t.Errorf("notes %q", n)
		}
		row, ok, err := rd.Next()
		if !ok || err != nil || row.Report == nil || !strings.HasSuffix(row.Report.Original, ",kept") {
			t.Errorf("row with an extra column: %+v %v %v", row, ok, err)
		}
	})
	t.Run("place not found", func(t *testing.T) {
		src := strings.Join(acled.Columns(), ",") + "\n" +
			"SYRX1,02 January 2017,2017,1,Political violence,Battles,Armed clash,A,,,B,,,,,760,Middle East,Syria,,,,Nowhereville,,,1,,,,0,,\n" +
			"SYRX2,02 January 2017,2017,1,Political violence,Battles,Armed clash,A,,,B,,,,,760,Middle East,Syria,,,,Ghouta,,,1,,,,0,,\n"
		_, errs, err := read(t, cfg, "places.csv", strings.NewReader(src))
		if err != nil || len(errs) != 2 {
			t.Fatalf("got %v, %v", errs, err)
		}
		if !strings.Contains(errs[0].Error(), "column location") || !strings.Contains(errs[0].Error(), "Nowhereville") {
			t.Errorf("unknown place: %v", errs[0])
		}
		if !strings.Contains(errs[1].Error(), "column location") || !strings.Contains(errs[1].Error(), "Eastern Ghouta") {
			t.Errorf("ambiguous place must list candidates: %v", errs[1])
		}
	})
}

func TestParseDate(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"02 June 2023", "2023-06-02"},
		{"2 June 2023", "2023-06-02"},
		{"2023-06-02", "2023-06-02"},
		{"2023-06-02T00:00:00Z", "2023-06-02"},
		{"2023-06-02 13:45", "2023-06-02"},
		{"2023-06-02T25:00:00", ""}, // once read as 2 June, the hour dropped
		{"2023-06-02 24:00", ""},
		{"02-June-2023", "2023-06-02"},
		{"02 Jun 2023", "2023-06-02"},
		{"06/02/2023", ""},
		{"", ""},
	} {
		got, err := acled.ParseDate(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("%q: got %v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got.Format("2006-01-02") != tt.want {
			t.Errorf("%q: got %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

// TestCodebookCovered: every ACLED sub-event type maps to an act in the
// vocabulary, and the documentation lists the mapping.
func TestCodebookCovered(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/act-types.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range acled.Codings() {
		if !act.Valid(c.Act) {
			t.Errorf("%s / %s maps to %q, not in the vocabulary", c.EventType, c.SubEventType, c.Act)
		}
		row := "| " + c.EventType + " | " + c.SubEventType + " | `" + string(c.Act) + "` |"
		if !bytes.Contains(doc, []byte(row)) {
			t.Errorf("docs/act-types.md lacks the row %s", row)
		}
	}
}

func equalReports(a, b incident.Report) bool {
	a.ID, b.ID = 0, 0
	return a.SourceID == b.SourceID && a.Original == b.Original && a.Act == b.Act && a.Occurred == b.Occurred &&
		a.Place == b.Place && a.Casualties == b.Casualties && a.Description == b.Description &&
		strings.Join(a.Citations, "|") == strings.Join(b.Citations, "|") && len(a.Actors) == len(b.Actors)
}
