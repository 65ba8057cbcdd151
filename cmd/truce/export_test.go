package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 14: exported incidents carry their rulings (jsonl, geojson; the
// acled usage says why it cannot), and exports take -from/-to.
func TestExportRulingsAndPeriod(t *testing.T) {
	db := filepath.Join(t.TempDir(), "e.db")
	mustTruce(t, "agreement", "load", "-db", db, "../../internal/bundled/data/agreements/syria-coh-2016.yaml")
	mustTruce(t, "import", "acled", "-db", db, "../../internal/importer/acled/testdata/events.csv")

	type ruled struct {
		Agreement, Verdict, Outcome string
		Version                     int
		Parties, Clauses            []string
	}
	out := mustTruce(t, "export", "jsonl", "-db", db, "-what", "incidents")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 6 {
		t.Fatalf("jsonl incidents: %d lines\n%s", len(lines), out)
	}
	violations := 0
	for _, l := range lines {
		var in struct {
			ID       int64    `json:"id"`
			Title    string   `json:"title"`
			Occurred struct{} `json:"occurred"`
			Rulings  []ruled  `json:"rulings"`
		}
		if err := json.Unmarshal([]byte(l), &in); err != nil || in.ID == 0 || in.Title == "" {
			t.Fatalf("jsonl incident %v: %s", err, l)
		}
		if len(in.Rulings) != 1 || in.Rulings[0].Agreement != "syria-coh-2016" || in.Rulings[0].Verdict == "" || in.Rulings[0].Version == 0 {
			t.Errorf("incident %d rulings: %+v", in.ID, in.Rulings)
		}
		if len(in.Rulings) > 0 && in.Rulings[0].Verdict == "violation" {
			violations++
			if len(in.Rulings[0].Parties) == 0 || len(in.Rulings[0].Clauses) == 0 {
				t.Errorf("a violation without parties or clauses: %+v", in.Rulings[0])
			}
		}
	}
	if violations == 0 {
		t.Errorf("no violation among the exported rulings:\n%s", out)
	}

	geo := mustTruce(t, "export", "geojson", "-db", db, "-what", "incidents")
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Type       string `json:"type"`
			ID         string `json:"id"`
			Properties struct {
				IncidentID int64   `json:"incident_id"`
				Rulings    []ruled `json:"rulings"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal([]byte(geo), &fc); err != nil || fc.Type != "FeatureCollection" || len(fc.Features) != 6 {
		t.Fatalf("geojson incidents: %v\n%.400s", err, geo)
	}
	for _, f := range fc.Features {
		if f.Type != "Feature" || !strings.HasPrefix(f.ID, "truce:") || len(f.Properties.Rulings) != 1 || f.Properties.Rulings[0].Outcome == "" {
			t.Errorf("geojson feature %s: %+v", f.ID, f.Properties)
		}
	}
	if !strings.HasPrefix(geo, `{"type":"FeatureCollection","features":[`+"\n"+`{"type":"Feature","id":"truce:`) {
		t.Errorf("geojson layout: %.200s", geo)
	}

	// The usage says ACLED has no place for rulings.
	if help := mustTruce(t, "export", "-h"); !strings.Contains(help, "ACLED's columns have no place for rulings") || !strings.Contains(help, "-from") {
		t.Errorf("export usage: %s", help)
	}

	// -from/-to: the fixture's events of 2 and 5 January 2017.
	all := strings.Count(mustTruce(t, "export", "jsonl", "-db", db), "\n")
	some := mustTruce(t, "export", "jsonl", "-db", db, "-from", "2017-01-02", "-to", "2017-01-05")
	if n := strings.Count(some, "\n"); n == 0 || n >= all || !strings.Contains(some, `"source_id":"SYR90001"`) || !strings.Contains(some, `"source_id":"SYR90002"`) {
		t.Errorf("reports 2–5 January: %d of %d\n%s", n, all, some)
	}
	inc := mustTruce(t, "export", "geojson", "-db", db, "-what", "incidents", "-from", "2017-01-02", "-to", "2017-01-02")
	// The day's airstrike, and the two incidents whose week and month
	// take in that day; not those of 15 January on.
	if n := strings.Count(inc, `"type":"Feature",`); n != 3 || !strings.Contains(inc, `"date_start":"2017-01-02","deaths_best":4`) {
		t.Errorf("incidents of 2 January: %d\n%s", n, inc)
	}
	if none := mustTruce(t, "export", "acled", "-db", db, "-what", "incidents", "-from", "2030-01-01"); strings.Count(none, "\n") > 1 {
		t.Errorf("incidents after 2030: %s", none)
	}
	if _, err := truce(t, "export", "jsonl", "-db", db, "-from", "yesterday"); err == nil {
		t.Error("a bad -from was taken")
	}
}
