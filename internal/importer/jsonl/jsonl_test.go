package jsonl_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/importer/jsonl"
	"github.com/truce-monitor/truce/internal/incident"
)

var damascus = time.FixedZone("EET", 2*3600)

func readAll(t *testing.T, src string) ([]incident.Report, []*importer.RowError, error) {
	t.Helper()
	rd := jsonl.NewReader(strings.NewReader(src), "r.jsonl", jsonl.Config{})
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

func sample() []incident.Report {
	return []incident.Report{{
		Source: "acled", SourceID: "SYR1", Kind: incident.FromDataset,
		ReportedAt: time.Date(2017, 1, 3, 0, 0, 0, 0, time.UTC),
		Occurred:   incident.Day(2017, 1, 2, damascus),
		Place:      incident.Place{Name: "Duma", Lat: 33.5717, Lon: 36.4027, HasPoint: true, Precision: incident.PlaceExact, Admin1: "SY03", Admin2: "SY0302", Admin3: "SY030200"},
		Actors:     []incident.ActorRef{{Name: "Military Forces of Syria (2000-)", ID: "government-of-syria", Role: incident.Perpetrator}, {Name: "Civilians (Syria)", ID: "civilians", Role: incident.Target}},
		Act:        act.Airstrike, Casualties: incident.Casualties{Low: 4, Best: 4, High: 4, Civilians: 4},
		Description: "غارة على سوق دوما <b>", Citations: []string{"SOHR"}, Language: "en",
		Flags:    []string{"year 2016 does not match event_date 02 January 2017"},
		Original: "SYR1,02 January 2017,...", OriginalFormat: "text/csv; source=acled; header=event_id_cnty,event_date",
	}, {
		Source: "monitor", SourceID: "m-7", Kind: incident.FromMonitor,
		Occurred: incident.Days(time.Date(2017, 1, 5, 0, 0, 0, 0, time.UTC), time.Date(2017, 1, 7, 0, 0, 0, 0, time.UTC), damascus),
		Place:    incident.Place{Name: "Eastern Ghouta", Precision: incident.PlaceAdmin1, Area: "SY03", Admin1: "SY03"},
		Act:      act.Siege,
	}}
}

func TestRoundTrip(t *testing.T) {
	want := sample()
	var buf bytes.Buffer
	w := jsonl.NewWriter(&buf)
	for _, r := range want {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\n"); n != 2 {
		t.Fatalf("%d lines, want 2:\n%s", n, buf.String())
	}
	got, errs, err := readAll(t, buf.String())
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	for i := range want {
		a, _ := json.Marshal(want[i])
		b, _ := json.Marshal(got[i])
		if !bytes.Equal(a, b) {
			t.Errorf("report %d changed:\n got %s\nwant %s", i, b, a)
		}
	}
}

func TestErrors(t *testing.T) {
	good, _ := json.Marshal(sample()[0])
	line := func(edit func(m map[string]any)) string {
		var m map[string]any
		json.Unmarshal(good, &m)
		edit(m)
		b, _ := json.Marshal(m)
		return string(b)
	}
	src := strings.Join([]string{
		string(good),
		line(func(m map[string]any) { m["occurred"].(map[string]any)["start"] = "2017-13-01" }),
		line(func(m map[string]any) { m["place"].(map[string]any)["lat"] = 95.0 }),
		line(func(m map[string]any) { m["colour"] = "red" }),
		line(func(m map[string]any) { m["act"] = "bombardment" }),
		`{"source": "x", `,
		"\xff\xfe",
		line(func(m map[string]any) { m["source_id"] = "SYR2" }),
	}, "\n")
	reps, errs, err := readAll(t, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 2 {
		t.Errorf("got %d good reports, want 2", len(reps))
	}
	want := []string{
		`r.jsonl row 2 column occurred.start: parsing time "2017-13-01"`,
		`r.jsonl row 3 column place.lat, place.lon: 95 is not a latitude (-90 to 90), though longitude 36.4027 would be`,
		`r.jsonl row 4 column colour: is not a report field`,
		`r.jsonl row 5 column act: "bombardment" is not an act type`,
		`r.jsonl row 6: unexpected EOF`,
		`r.jsonl row 7: is not UTF-8 text`,
	}
	if len(errs) != len(want) {
		t.Fatalf("rejected %v, want %d", errs, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(errs[i].Error(), w) {
			t.Errorf("rejected %d:\n got %s\nwant %s…", i, errs[i], w)
		}
	}
	if _, _, err := readAll(t, ""); err == nil || !strings.Contains(err.Error(), "r.jsonl: file is empty") {
		t.Errorf("empty file: %v", err)
	}
}
