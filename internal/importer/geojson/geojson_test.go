package geojson_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/importer/geojson"
	"github.com/truce-monitor/truce/internal/importer/importertest"
	"github.com/truce-monitor/truce/internal/incident"
)

var damascus = time.FixedZone("EET", 2*3600)

func config(t testing.TB) geojson.Config {
	ref := importertest.Load(t)
	return geojson.Config{Actors: ref.Actors, Boundaries: ref.Boundaries, Location: damascus}
}

func read(t testing.TB, cfg geojson.Config, name string, r io.Reader) ([]incident.Report, []*importer.RowError, error) {
	t.Helper()
	rd, err := geojson.NewReader(r, name, cfg)
	if err != nil {
		return nil, nil, err
	}
	var reps []incident.Report
	var errs []*importer.RowError
	for {
		row, ok, err := rd.Next()
		if err != nil || !ok {
			return reps, errs, err
		}
		if row.Err != nil {
			errs = append(errs, row.Err)
		} else if row.Report != nil {
			reps = append(reps, *row.Report)
		}
	}
}

func readFixture(t *testing.T, cfg geojson.Config) []incident.Report {
	t.Helper()
	f, err := os.Open("testdata/events.geojson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	reps, errs, err := read(t, cfg, "events.geojson", f)
	if err != nil || len(errs) > 0 {
		t.Fatalf("%v %v", err, errs)
	}
	return reps
}

func TestRead(t *testing.T) {
	reps := readFixture(t, config(t))
	if len(reps) != 4 {
		t.Fatalf("got %d reports, want 4", len(reps))
	}
	a, b, c, d := reps[0], reps[1], reps[2], reps[3]
	if a.Source != "field-team" || a.SourceID != "F-1" || a.Kind != incident.FromMonitor || a.Act != act.Shelling ||
		a.Place.Admin3 != "SY030200" || a.Casualties != (incident.Casualties{Low: 3, Best: 3, High: 3, Civilians: 3}) ||
		a.Actors[0].ID != "government-of-syria" || a.Actors[1].ID != "civilians" || a.Language != "ar" {
		t.Errorf("feature 1: %+v", a)
	}
	if b.Source != "geojson" || !strings.HasPrefix(b.SourceID, "sha256:") || b.Act != act.Airstrike || b.Casualties.Best != 7 ||
		b.Actors[0].Role != incident.SideA || b.Actors[0].ID != "government-of-russia" || b.Place.Name != "Idlib" ||
		b.Occurred.Start.Format("2006-01-02") != "2017-01-05" || b.Description != "Strikes on the city" {
		t.Errorf("feature 2 (aliases): %+v", b)
	}
	if c.SourceID != "3" || c.Place.HasPoint || c.Place.Area != "SY03" || c.Place.Precision != incident.PlaceAdmin1 ||
		c.Occurred.End.Sub(c.Occurred.Start) != 72*time.Hour || c.ReportedAt.IsZero() {
		t.Errorf("feature 3 (no geometry): %+v", c)
	}
	if d.Occurred.End.Sub(d.Occurred.Start) != 30*time.Minute || d.Place.Admin1 != "SY02" {
		t.Errorf("feature 4 (times): %+v", d)
	}
}

// TestRoundTrip: read, write, read again gives the same reports, and
// properties truce does not model survive.
func TestRoundTrip(t *testing.T) {
	cfg := config(t)
	want := readFixture(t, cfg)
	var out bytes.Buffer
	w := geojson.NewWriter(&out, damascus)
	for i := range want {
		if err := w.Write(&want[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !json.Valid(out.Bytes()) {
		t.Fatalf("output is not JSON:\n%s", out.String())
	}
	if !strings.Contains(out.String(), `"x_custom":{"nested":[1,2]}`) {
		t.Errorf("unknown property lost:\n%s", out.String())
	}
	got, errs, err := read(t, cfg, "out.geojson", &out)
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	for i := range want {
		// The written feature is the new original; the facts must match.
		want[i].Original, got[i].Original = "", ""
		a, _ := json.Marshal(want[i])
		b, _ := json.Marshal(got[i])
		if !bytes.Equal(a, b) {
			t.Errorf("feature %d changed:\n got %s\nwant %s", i+1, b, a)
		}
	}
}

func TestErrors(t *testing.T) {
	cfg := config(t)
	feature := func(props string, geom string) string {
		return `{"type":"Feature","geometry":` + geom + `,"properties":` + props + `}`
	}
	pt := `{"type":"Point","coordinates":[36.4,33.5]}`
	coll := func(fs ...string) string {
		// One feature a line, so that line = row + 1.
		return `{"type":"FeatureCollection","features":[` + "\n" + strings.Join(fs, ",\n") + "\n]}"
	}
	t.Run("features", func(t *testing.T) {
		src := coll(
			feature(`{"id":"ok1","date":"2017-01-02"}`, pt),
			feature(`{"id":"b1","date":"2017-02-31"}`, pt),
			feature(`{"id":"b2","date":"2017-01-05","date_end":"2017-01-02"}`, pt),
			feature(`{"id":"b3","date":"2017-01-02"}`, `{"type":"Point","coordinates":[36.4,95]}`),
			feature(`{"id":"b4","date":"2017-01-02"}`, `{"type":"Polygon","coordinates":[]}`),
			feature(`{"id":"b5","date":"2017-01-02","act":"bombardment"}`, pt),
			feature(`{"id":"b6"}`, pt),
			feature(`{"id":"b7","date":"2017-01-02","fatalities":"many"}`, pt),
			feature(`{"id":"b8","date":"2017-01-02","admin3":"SY999999"}`, pt),
			feature(`{"id":"b9","date":"2017-01-02"}`, `{"type":"Point","coordinates":["36.4",33.5]}`),
			`{"type":"Feature","id":{"a":1},"geometry":null,"properties":{"x":"b10","date":"2017-01-02"}}`,
			`{"type":"Point","coordinates":[36.4,33.5],"properties":{"id":"b11"}}`,
			feature(`{"id":"b12","date":"2017-01-02","event_type":"Battles"}`, pt),
			feature(`{"id":"ok2","date":"2017-01-03"}`, pt),
		)
		reps, errs, err := read(t, cfg, "f.geojson", strings.NewReader(src))
		if err != nil {
			t.Fatal(err)
		}
		if len(reps) != 2 {
			t.Errorf("good features: %d, want 2", len(reps))
		}
		want := []string{
			`f.geojson row 2 (line 3) column date: "2017-02-31" is not a date`,
			`f.geojson row 3 (line 4) column date_end: 2017-01-02 is before date_start 2017-01-05`,
			`f.geojson row 4 (line 5) column geometry: 95 is not a latitude (-90 to 90), though longitude 36.4 would be: are the two swapped?; GeoJSON coordinates are [longitude, latitude]`,
			`f.geojson row 5 (line 6) column geometry: is a Polygon; truce imports points`,
			`f.geojson row 6 (line 7) column act: "bombardment" is not an act type`,
			`f.geojson row 7 (line 8) column date_start: is missing`,
			`f.geojson row 8 (line 9) column fatalities: "many" is not a count of deaths`,
			`f.geojson row 9 (line 10) column admin3: "SY999999" is not an OCHA P-code`,
			`f.geojson row 10 (line 11) column geometry: coordinates ["36.4",33.5] are not [longitude, latitude]`,
			`f.geojson row 11 (line 12) column id: is {"a":1}; want a string or a number`,
			`f.geojson row 12 (line 13) column type: is "Point"; want "Feature"`,
			`f.geojson row 13 (line 14) column event_type: "Battles" is not an act type`,
		}
		if len(errs) != len(want) {
			t.Fatalf("rejected %v, want %d", errs, len(want))
		}
		for i, w := range want {
			if !strings.HasPrefix(errs[i].Error(), w) {
				t.Errorf("rejected %d:\n got %s\nwant %s…", i, errs[i], w)
			}
			if !strings.Contains(errs[i].Original, `"b`) {
				t.Errorf("rejected %d: original feature not kept: %s", i, errs[i].Original)
			}
		}
	})
	t.Run("encoding", func(t *testing.T) {
		src := coll(feature(`{"id":"x","date":"2017-01-02","place":"Dar`+"\xe2"+`ya"}`, pt), feature(`{"id":"y","date":"2017-01-02"}`, pt))
		reps, errs, err := read(t, cfg, "f.geojson", strings.NewReader(src))
		if err != nil || len(reps) != 1 || len(errs) != 1 || !strings.Contains(errs[0].Error(), "f.geojson row 1 (line 2) column place: is not UTF-8 text; convert the file to UTF-8") {
			t.Errorf("got %d reports, %v, %v", len(reps), errs, err)
		}
	})
	t.Run("truncated", func(t *testing.T) {
		src := coll(feature(`{"id":"ok","date":"2017-01-02"}`, pt), feature(`{"id":"ok2","date":"2017-01-02"}`, pt))
		src = src[:len(src)-40]
		reps, _, err := read(t, cfg, "f.geojson", strings.NewReader(src))
		if len(reps) != 1 || err == nil || !strings.Contains(err.Error(), "feature 2: f.geojson: the file ends in the middle of a JSON value (line 3,") {
			t.Errorf("got %d reports, %v", len(reps), err)
		}
	})
	t.Run("unclosed", func(t *testing.T) {
		src := coll(feature(`{"id":"ok","date":"2017-01-02"}`, pt))
		src = src[:len(src)-2]
		reps, _, err := read(t, cfg, "f.geojson", strings.NewReader(src))
		if len(reps) != 1 || err == nil || !strings.Contains(err.Error(), "f.geojson: the file ends in the middle of a JSON value") {
			t.Errorf("got %d reports, %v", len(reps), err)
		}
	})
	t.Run("invalid mid-file", func(t *testing.T) {
		src := coll(
			feature(`{"id":"ok1","date":"2017-01-02"}`, pt),
			feature(`{"id":"ok2","date":"2017-01-02"}`, pt),
			`{"type":"Feature",,"geometry":null}`,
			feature(`{"id":"never","date":"2017-01-02"}`, pt),
		)
		reps, _, err := read(t, cfg, "f.geojson", strings.NewReader(src))
		if len(reps) != 2 || err == nil || !strings.Contains(err.Error(), "feature 3: f.geojson: invalid JSON near line 4, byte ") {
			t.Errorf("got %d reports, %v", len(reps), err)
		}
	})
	for _, tt := range []struct{ name, src, want string }{
		{"empty", "", "f.geojson: file is empty"},
		{"array", `[1,2]`, "not a GeoJSON FeatureCollection (the file does not start with an object)"},
		{"feature", `{"type":"Feature","geometry":null,"properties":{}}`, `GeoJSON type is "Feature"; truce imports a FeatureCollection`},
		{"no features", `{"type":"FeatureCollection"}`, `no "features" member`},
		{"bad json", "{\"type\":\"FeatureCollection\",\n, \"features\":[]}", "f.geojson: invalid JSON near line 2, byte"},
		{"whitespace", " \n\t", "f.geojson: file is empty"},
		{"features not an array", `{"features":{}}`, `"features" is not an array`},
		{"too large", `{"type":"FeatureCollection","crs":"` + strings.Repeat("x", 17<<20) + `","features":[]}`, "one JSON value is larger than 16 MiB"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := read(t, cfg, "f.geojson", strings.NewReader(tt.src))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}

// TestShapes: the collection's members in any order, and features that
// say little.
func TestShapes(t *testing.T) {
	cfg := config(t)
	const f = `{"type":"Feature","id":%s,"geometry":null,"properties":{"date":"2017-01-02"%s}}`
	for _, tt := range []struct {
		name, src string
		check     func(incident.Report) bool
	}{
		{"features first", `{"features":[` + fmt.Sprintf(f, `"a"`, "") + `],"type":"FeatureCollection"}`,
			func(r incident.Report) bool {
				return r.SourceID == "a" && r.Place.Precision == incident.PlaceUnknown && !r.Place.HasPoint
			}},
		{"members before", `{"bbox":[35,32,42,37],"crs":{"type":"name","properties":{"name":"x"}},"type":"FeatureCollection","features":[` + fmt.Sprintf(f, `7`, "") + `]}`,
			func(r incident.Report) bool {
				return r.SourceID == "7" && r.Source == "geojson" && r.Act == act.Unknown
			}},
		{"byte order mark", "\uFEFF" + `{"type":"FeatureCollection","features":[` + fmt.Sprintf(f, `"aé"`, "") + `]}`,
			func(r incident.Report) bool { return r.SourceID == "aé" }},
		{"admin area only", `{"type":"FeatureCollection","features":[` + fmt.Sprintf(f, `"a"`, `,"admin2":"SY0302"`) + `]}`,
			func(r incident.Report) bool {
				return r.Place.Precision == incident.PlaceAdmin2 && r.Place.Area == "SY0302"
			}},
		{"no id", `{"type":"FeatureCollection","features":[` + fmt.Sprintf(f, `null`, "") + `]}`,
			func(r incident.Report) bool { return len(r.SourceID) == len("sha256:")+32 }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			reps, errs, err := read(t, cfg, "f.geojson", strings.NewReader(tt.src))
			if err != nil || len(errs) > 0 || len(reps) != 1 {
				t.Fatalf("%d reports, %v, %v", len(reps), errs, err)
			}
			if !tt.check(reps[0]) {
				t.Errorf("%+v", reps[0])
			}
		})
	}
	// A pretty-printed copy of a feature is the same feature.
	compact := `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":{"date":"2017-01-02"}}]}`
	pretty := "{\n  \"type\": \"FeatureCollection\",\n  \"features\": [\n    {\"type\": \"Feature\", \"geometry\": null,\n     \"properties\": {\"date\": \"2017-01-02\"}}\n  ]\n}\n"
	a, _, _ := read(t, cfg, "a", strings.NewReader(compact))
	b, _, _ := read(t, cfg, "b", strings.NewReader(pretty))
	if len(a) != 1 || len(b) != 1 || a[0].SourceID != b[0].SourceID {
		t.Errorf("content ids differ: %v %v", a, b)
	}
}

// generate writes a FeatureCollection of n features to w.
func generate(w io.WriteCloser, n int) {
	defer w.Close()
	fmt.Fprint(w, `{"type":"FeatureCollection","features":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			io.WriteString(w, ",")
		}
		fmt.Fprintf(w, `{"type":"Feature","geometry":{"type":"Point","coordinates":[%.4f,%.4f]},"properties":{"id":"g%d","date":"2017-01-%02d","act":"shelling","actor1":"Government of Syria","actor2":"Jaysh al-Islam","fatalities":%d}}`,
			36+float64(i%200)/100, 33+float64(i%300)/100, i, 1+i%28, i%5)
	}
	fmt.Fprint(w, `]}`)
}

// TestStreaming reads a large collection through a pipe: the reader
// never holds more than one feature.
func TestStreaming(t *testing.T) {
	if testing.Short() {
		t.Skip("large input")
	}
	const n = 200_000
	pr, pw := io.Pipe()
	go generate(pw, n)
	cfg := config(t)
	// The boundary layers' indexes, built once on the first Locate that
	// needs each and kept for the process (about 8 MB), are built before
	// the baseline: they do not grow with the input, and were measured as
	// if they did when this test ran before the package's others had
	// located points there.
	cfg.Boundaries.Prepare()
	rd, err := geojson.NewReader(pr, "big.geojson", cfg)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	count := 0
	for {
		row, ok, err := rd.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		if row.Err != nil {
			t.Fatal(row.Err)
		}
		count++
	}
	if count != n {
		t.Errorf("read %d features, want %d", count, n)
	}
	// About 50 MB went through; what the reader holds on to must not
	// grow with it.
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(rd)
	if grew := int64(after.HeapInuse) - int64(before.HeapInuse); grew > 8<<20 {
		t.Errorf("heap grew by %d MB reading %d features", grew>>20, n)
	}
}

func BenchmarkRead(b *testing.B) {
	cfg := config(b)
	const n = 10_000
	pr, pw := io.Pipe()
	go generate(pw, n)
	data, _ := io.ReadAll(pr)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		rd, err := geojson.NewReader(bytes.NewReader(data), "b.geojson", cfg)
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, ok, err := rd.Next()
			if err != nil {
				b.Fatal(err)
			}
			if !ok {
				break
			}
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "features/s")
}
