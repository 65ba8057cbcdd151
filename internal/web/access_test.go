package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/workflow"
)

// The viewers of the access matrix: no session, each role, and for the
// API a token that is no one's.
var viewers = []string{"public", "res", "mon", "accused", "other-party", "rev", "ru", "admin"}

// TestAccessMatrix tries every route with every viewer and checks the
// answer against the matrix in docs/access.md, which this test keeps:
// run with -update-access to rewrite it from the code (then read the diff).
func TestAccessMatrix(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	// The accused party of the hidden incident, and a liaison of it and
	// of another party.
	c, err := s.app.CaseFor(ctx, app.Operator(), s.hidden)
	if err != nil || len(c.Accused) == 0 {
		t.Fatalf("hidden incident: %v", err)
	}
	accused, other := c.Accused[0], "OPP"
	if accused == "OPP" {
		other = "GOV"
	}
	tokens := map[string]string{}
	for name, party := range map[string]string{"accused": accused, "other-party": other} {
		if tokens[name], err = s.app.AddUser(ctx, workflow.User{Name: name, Role: workflow.Liaison, Party: party}, password); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range users {
		tokens[u.Name] = s.tokens[u.Name]
	}
	sha, _, err := s.app.AddEvidence(ctx, png, "mon", "test", "photo.png")
	if err != nil {
		t.Fatal(err)
	}
	h, p := s.hidden, s.public
	routes := []struct {
		name string
		do   func(v string) int
	}{
		{"GET / (dashboard)", s.page("/")},
		{"GET /incidents", s.page("/incidents")},
		{"GET /incidents/{under review}", s.page(fmt.Sprintf("/incidents/%d", h))},
		{"GET /incidents/{verified}", s.page(fmt.Sprintf("/incidents/%d", p))},
		{"GET /map/incidents.geojson", s.page("/map/incidents.geojson")},
		{"GET /submit", s.page("/submit")},
		{"GET /evidence/{sha}", s.page("/evidence/" + sha)},
		{"POST /incidents/{under review}/events (dismiss, no reason)", s.form(fmt.Sprintf("/incidents/%d/events", h), url.Values{"action": {"dismiss"}})},
		{"POST /incidents/{verified}/events (reply)", s.form(fmt.Sprintf("/incidents/%d/events", p), url.Values{"action": {"reply"}, "stance": {"deny"}})},
		{"GET /api/incidents/{under review}", s.api("GET", fmt.Sprintf("/api/incidents/%d", h), tokens)},
		{"GET /api/incidents/{verified}", s.api("GET", fmt.Sprintf("/api/incidents/%d", p), tokens)},
		{"GET /api/incidents/{under review}/case", s.api("GET", fmt.Sprintf("/api/incidents/%d/case", h), tokens)},
		{"POST /api/incidents/{under review}/events (dismiss, no reason)", s.apiBody("POST", fmt.Sprintf("/api/incidents/%d/events", h), `{"action":"dismiss"}`, tokens)},
		{"POST /api/evidence", s.apiBody("POST", "/api/evidence", "%PDF-1.4\n", tokens)},
		{"GET /api/notifications", s.api("GET", "/api/notifications", tokens)},
		{"GET /api/incidents with a token that is no one's", func(v string) int { return s.api("GET", "/api/incidents", map[string]string{v: "truce_x"})(v) }},
		{"GET /static/truce.css", s.page("/static/truce.css")},
		{"GET /map", s.page("/map")},
		{"GET /map/boundaries.geojson", s.page("/map/boundaries.geojson")},
		{"GET /agreements", s.page("/agreements")},
		{"GET /agreements/{id}", s.page("/agreements/syria-coh-2016")},
		{"GET /agreements/{id}/zones.geojson", s.page("/agreements/syria-coh-2016/zones.geojson?v=3")},
		{"GET /login", s.page("/login")},
		{"POST /login (wrong password)", s.form("/login", url.Values{"name": {"rev"}, "password": {"not the password"}})},
		{"POST /submit (no date)", s.form("/submit", url.Values{"place": {"Douma"}, "act": {"shelling"}})},
		{"GET /api/agreements", s.api("GET", "/api/agreements", tokens)},
		{"GET /api/agreements/{id}", s.api("GET", "/api/agreements/syria-coh-2016", tokens)},
		{"GET /api/agreements/{id}/versions/{n}", s.api("GET", "/api/agreements/syria-coh-2016/versions/1", tokens)},
		{"GET /api/agreements/{id}/diff", s.api("GET", "/api/agreements/syria-coh-2016/diff?from=1&to=2", tokens)},
		{"GET /api/incidents", s.api("GET", "/api/incidents", tokens)},
		{"GET /api/rulings/summary", s.api("GET", "/api/rulings/summary?agreement=syria-coh-2016", tokens)},
		{"POST /api/reports (body {}, no submit token configured)", s.apiBody("POST", "/api/reports", "{}", tokens)},
		{"GET /healthz", s.api("GET", "/healthz", tokens)},
		{"GET /log (page)", s.page("/log")},
		{"GET /log/checkpoint (none signed)", s.api("GET", "/log/checkpoint", tokens)},
		{"GET /log/entries", s.api("GET", "/log/entries?start=0", tokens)},
		{"GET /log/proof/inclusion", s.api("GET", "/log/proof/inclusion?index=0&size=2", tokens)},
		{"GET /log/proof/consistency", s.api("GET", "/log/proof/consistency?old=1&new=2", tokens)},
		{"GET /areas/{pcode}", s.page("/areas/SY030200")},
		{"GET /map/humanitarian.geojson", s.page("/map/humanitarian.geojson")},
		{"GET /api/humanitarian/sieges", s.api("GET", "/api/humanitarian/sieges", tokens)},
		{"GET /api/humanitarian/cases (identities for rev, ru, admin only)", s.api("GET", "/api/humanitarian/cases", tokens)},
		{"GET /api/humanitarian/matches", s.api("GET", "/api/humanitarian/matches", tokens)},
		{"POST /api/humanitarian/cases (body {})", s.apiBody("POST", "/api/humanitarian/cases", "{}", tokens)},
		{"POST /api/humanitarian/matches (body {})", s.apiBody("POST", "/api/humanitarian/matches", "{}", tokens)},
		{"GET /api/areas/{pcode}", s.api("GET", "/api/areas/SY030200", tokens)},
		{"GET /data/humanitarian.jsonl", s.api("GET", "/data/humanitarian.jsonl", tokens)},
		{"GET /federation/records (a user's token is no peer's grant)", s.api("GET", "/federation/records?start=0", tokens)},
		{"GET /federation/checkpoints", s.api("GET", "/federation/checkpoints", tokens)},
		{"GET /federation/evidence/{sha} (a user's token is no peer's grant)", s.api("GET", "/federation/evidence/"+sha, tokens)},
		{"GET /log/tile/0/000.p/1", s.api("GET", "/log/tile/0/000.p/1", tokens)},
		{"GET /account", s.page("/account")},
		{"POST /account (wrong current password)", s.form("/account", url.Values{"current": {"not the password"}, "new": {"x"}, "confirm": {"x"}})},
		// Last: it ends the sessions the rows above share.
		{"POST /logout", s.form("/logout", url.Values{})},
	}
	var doc strings.Builder
	doc.WriteString("| route | " + strings.Join(viewers, " | ") + " |\n|---|" + strings.Repeat("---|", len(viewers)) + "\n")
	for _, r := range routes {
		doc.WriteString("| " + r.name + " |")
		for _, v := range viewers {
			fmt.Fprintf(&doc, " %d |", r.do(v))
		}
		doc.WriteString("\n")
	}
	got := doc.String()
	const file = "../../docs/access.md"
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	start, end := strings.Index(string(b), "<!-- matrix -->\n"), strings.Index(string(b), "<!-- /matrix -->")
	if start < 0 || end < 0 {
		t.Fatalf("%s has no <!-- matrix --> section", file)
	}
	want := string(b)[start+len("<!-- matrix -->\n") : end]
	if *updateAccess {
		os.WriteFile(file, []byte(string(b)[:start+len("<!-- matrix -->\n")]+got+string(b)[end:]), 0o644)
		return
	}
	if got != want {
		gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
		var diff []string
		for i := range gl {
			if i >= len(wl) || gl[i] != wl[i] {
				diff = append(diff, "got  "+gl[i])
				if i < len(wl) {
					diff = append(diff, "want "+wl[i])
				}
			}
		}
		sort.Strings(viewers)
		t.Errorf("access differs from docs/access.md:\n%s", strings.Join(diff, "\n"))
	}
}

var sessions = map[string]*client{}

// as is a logged-in client of viewer v (one login each: the form tests
// change nothing).
func (s *site) as(v string) *client {
	if c, ok := sessions[v]; ok && c.s == s {
		return c
	}
	c := s.client(nil)
	if v != "public" {
		c.login(v)
	}
	sessions[v] = c
	return c
}

func (s *site) page(path string) func(string) int {
	return func(v string) int {
		c := s.as(v)
		status, _ := c.get(path)
		return status
	}
}

func (s *site) form(path string, f url.Values) func(string) int {
	return func(v string) int {
		c := s.as(v)
		c.get("/")
		form := url.Values{}
		for k, vs := range f {
			form[k] = vs
		}
		status, _ := c.post(path, form)
		return status
	}
}

func (s *site) api(method, path string, tokens map[string]string) func(string) int {
	return s.apiBody(method, path, "", tokens)
}

func (s *site) apiBody(method, path, body string, tokens map[string]string) func(string) int {
	return func(v string) int {
		req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
		if tok := tokens[v]; tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}
}
