package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/store"
)

// TestIncidentPageShowsSiege: an incident in Eastern Ghouta while it was
// besieged shows the siege period on its page, with its source, in every
// language; one elsewhere does not.
func TestIncidentPageShowsSiege(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	var in, outside int64
	for _, pc := range []string{"SY030200", "SY030201", "SY030105", "SY030106"} {
		list, _, err := s.app.Incidents(ctx, app.Operator(), store.Filter{Admin: pc, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) > 0 {
			in = list[0].ID
			break
		}
	}
	list, _, err := s.app.Incidents(ctx, app.Operator(), store.Filter{Admin: "SY07", Limit: 1})
	if err != nil || len(list) == 0 {
		t.Fatalf("no incident in Idleb: %v", err)
	}
	outside = list[0].ID
	if in == 0 {
		t.Fatal("no demo incident in Eastern Ghouta")
	}
	c := s.client(t).login("rev")
	for _, lang := range []string{"en", "ar", "ru", "tr", "fa"} {
		status, page := c.get(fmt.Sprintf("/incidents/%d?lang=%s", in, lang))
		if status != http.StatusOK || !strings.Contains(page, `id="sieges"`) || !strings.Contains(page, `href="/areas/SY030200"`) ||
			!strings.Contains(page, "timeline_of_the_syrian_civil_war.md") {
			t.Errorf("incident %d (%s): no siege section (status %d)", in, lang, status)
		}
	}
	if _, page := c.get(fmt.Sprintf("/incidents/%d", outside)); strings.Contains(page, `id="sieges"`) {
		t.Errorf("incident %d in Idleb shows a siege", outside)
	}
}

// TestAreaPageAndMapLayer: an area page gathers the sieges, evacuations
// and violations of a unit, in every language; the map offers the
// humanitarian layers.
func TestAreaPageAndMapLayer(t *testing.T) {
	s := newSite(t)
	c := s.client(t)
	for _, lang := range []string{"en", "ar", "ru", "tr", "fa"} {
		status, page := c.get("/areas/SY030200?lang=" + lang)
		if status != http.StatusOK || !strings.Contains(page, `id="siege-eastern-ghouta"`) || !strings.Contains(page, `id="evacuation-douma-2018"`) {
			t.Fatalf("area page (%s): status %d", lang, status)
		}
		if lang == "ar" || lang == "fa" {
			checkLocalePage(t, lang, "/areas/SY030200", page)
		}
	}
	if status, _ := c.get("/areas/SY99"); status != http.StatusNotFound {
		t.Errorf("an unknown unit: %d, want 404", status)
	}
	_, page := c.get("/map")
	if !strings.Contains(page, `data-humanitarian="/map/humanitarian.geojson"`) {
		t.Error("the map offers no humanitarian layer")
	}
	status, body := c.get("/map/humanitarian.geojson")
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal([]byte(body), &fc); status != http.StatusOK || err != nil {
		t.Fatalf("layer: %d %v", status, err)
	}
	layers := map[string]int{}
	for _, f := range fc.Features {
		layers[fmt.Sprint(f.Properties["layer"])]++
	}
	if layers["siege"] < 6 || layers["evacuation"] < 5 {
		t.Errorf("layers = %v", layers)
	}
}

// TestHumanitarianCanary: a detainee's name, recorded through the API, is
// in no public page, export, API answer or log entry, and in none to a
// monitor, a party or a researcher; the Joint Group's staff read it.
func TestHumanitarianCanary(t *testing.T) {
	s := newSite(t)
	const name = "Zqcanary Humanitarianson"
	body := `{"list": {"id": "gov-holds-1", "side": "GOV", "role": "holds", "submitted": "2017-03-01", "source": {"citation": "test list"}},
		"cases": [{"id": "gh-1", "kind": "detainee", "status": "held", "held_by": "GOV", "since": "2017-01-15", "admin1": "SY03",
		"identity": {"name": "` + name + `", "name_ar": "زقكناري", "born": "1990-01-01", "place": "Douma"}}]}`
	if status, v := s.apiPost(t, s.tokens["mon"], "/api/humanitarian/lists", body); status != http.StatusCreated || strings.Contains(fmt.Sprint(v), "Zqcanary") {
		t.Fatalf("post list: %d %v", status, v)
	}
	if status, _ := s.apiPost(t, s.tokens["opp"], "/api/humanitarian/lists", strings.Replace(body, "gov-holds-1", "gov-holds-2", 1)); status != http.StatusForbidden {
		t.Errorf("OPP's liaison submitted GOV's list: %d", status)
	}
	paths := []string{"/api/humanitarian/cases", "/api/humanitarian/cases/gh-1", "/api/humanitarian/lists", "/api/humanitarian/sieges",
		"/api/humanitarian/access", "/api/humanitarian/exchanges", "/api/humanitarian/evacuations", "/api/humanitarian/displacement",
		"/api/humanitarian/matches", "/data/humanitarian.jsonl", "/api/areas/SY030200", "/log/entries", "/map/humanitarian.geojson"}
	for _, who := range []string{"", "mon", "gov", "opp", "res"} {
		for _, p := range paths {
			_, got := s.apiGet(t, s.tokens[who], p)
			if strings.Contains(got, "Zqcanary") || strings.Contains(got, "زقكناري") || strings.Contains(got, "1990-01-01") {
				t.Errorf("%q reads the name at %s", who, p)
			}
		}
		c := s.client(t)
		if who != "" {
			c.login(who)
		}
		for _, p := range []string{"/", "/areas/SY030200", "/areas/SY03", "/log", "/map"} {
			if _, page := c.get(p); strings.Contains(page, "Zqcanary") {
				t.Errorf("%q reads the name on %s", who, p)
			}
		}
	}
	if status, _ := s.apiGet(t, "", "/api/humanitarian/matches"); status != http.StatusForbidden {
		t.Errorf("the public asked for match candidates: %d", status)
	}
	for _, who := range []string{"rev", "admin"} {
		if _, got := s.apiGet(t, s.tokens[who], "/api/humanitarian/cases/gh-1"); !strings.Contains(got, name) {
			t.Errorf("%s does not read the name: %s", who, got)
		}
		if _, got := s.apiGet(t, s.tokens[who], "/data/humanitarian.jsonl"); !strings.Contains(got, name) {
			t.Errorf("%s's export lacks the name", who)
		}
	}
}
