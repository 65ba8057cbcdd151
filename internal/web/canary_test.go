package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/workflow"
)

// canary is a word placed in everything of a monitor's report that only
// the Joint Group may read.
const canary = "zqcanary"

// apiGet reads an API path with a user's token ("" for the public).
func (s *site) apiGet(t *testing.T, token, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// apiPost sends a body to an API path with a user's token.
func (s *site) apiPost(t *testing.T, token, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", s.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var v map[string]any
	json.NewDecoder(res.Body).Decode(&v)
	return res.StatusCode, v
}

// caseView is what the tests read of /api/incidents/{id}.
type caseView struct {
	Grade   string `json:"grade"`
	Sources struct {
		Independent []string `json:"independent"`
		Unaccepted  int      `json:"unaccepted"`
	} `json:"sources"`
	Actors  []incident.ActorRef `json:"actors"`
	Reports []json.RawMessage   `json:"reports"`
}

func (s *site) caseOf(t *testing.T, token string, id int64) caseView {
	t.Helper()
	status, body := s.apiGet(t, token, fmt.Sprintf("/api/incidents/%d", id))
	if status != http.StatusOK {
		t.Fatalf("GET /api/incidents/%d: %d %.300s", id, status, body)
	}
	var c caseView
	if err := json.Unmarshal([]byte(body), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// searchBox matches the query echoed: in the search box, and in the
// links that keep it (language, sort, pages).
var searchBox = regexp.MustCompile(`name="q" value="[^"]*"|href="[^"]*[?;]q=[^"&]*`)

// listed reports whether a page of the incident list links incident id.
func listed(page string, id int64) bool {
	return strings.Contains(page, fmt.Sprintf(`href="/incidents/%d"`, id))
}

// TestCanary: a secret placed in a monitor's report (its outlet,
// citations, id, description and so the incident's title, the reporter's
// and a witness's sealed names, the original record) reaches neither the
// public nor a party's liaison by any way out — the incident's API answer
// with its sources and grade reasons, its page, the lists, the map, or a
// search that matches the hidden words — while the grade and the number
// of independent sources they see are the staff's.
func TestCanary(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	body := fmt.Sprintf(`{"source":"team-api","source_id":"%[1]s-17","occurred":{"start":"2017-03-15T00:00:00+02:00","end":"2017-03-16T00:00:00+02:00"},
		"place":{"name":"Duma","lat":33.5717,"lon":36.4027,"has_point":true,"precision":"exact"},"actors":[{"name":"Syrian Arab Army","role":"perpetrator"}],
		"act":"shelling","description":"%[1]s team 4 saw the impact","outlet":"%[1]s outlet","citations":["%[1]s cite,2017-03-15,notes"],
		"reporter":{"name":"Abu %[1]s","contact":"+963 %[1]s"},"witnesses":[{"name":"Umm %[1]s"}]}`, canary)
	status, v := s.apiPost(t, s.tokens["mon"], "/api/reports", body)
	if status != http.StatusCreated {
		t.Fatalf("monitor's report: %d %v", status, v)
	}
	id := int64(v["incident_id"].(float64))
	// A news report beside it, whose outlet everyone may read.
	news := `{"source":"wire","source_id":"wire-1","occurred":{"start":"2017-03-15T00:00:00+02:00","end":"2017-03-16T00:00:00+02:00"},
		"place":{"name":"Duma","lat":33.5717,"lon":36.4027,"has_point":true,"precision":"exact"},"actors":[{"name":"Syrian Arab Army","role":"perpetrator"}],
		"act":"shelling","description":"shells hit the market","outlet":"Visible Wire"}`
	res, _, err := s.app.Submit(ctx, []byte(news), incident.FromNews)
	if err != nil || res.IncidentID != id {
		t.Fatalf("news report: %+v %v, want it in incident %d", res, err, id)
	}
	for _, e := range []workflow.Event{{Action: workflow.Review}, {Action: workflow.Verify, Reason: "team 4 and the wire"}} {
		if _, err := s.app.Act(ctx, users[1], id, e); err != nil {
			t.Fatal(err)
		}
	}

	staff := s.caseOf(t, s.tokens["rev"], id)
	if _, body := s.apiGet(t, s.tokens["rev"], fmt.Sprintf("/api/incidents/%d", id)); !strings.Contains(body, canary+" outlet") || !strings.Contains(body, "Abu "+canary) {
		t.Fatalf("staff do not see the canary, so the test proves nothing: %.500s", body)
	}
	if len(staff.Sources.Independent) != 2 {
		t.Fatalf("staff see sources %v, want the monitor's and the wire's", staff.Sources.Independent)
	}
	if _, page := s.client(t).login("rev").get("/incidents?q=" + canary); !listed(page, id) {
		t.Error("staff do not find the incident by its monitor's words")
	}

	day := "from=2017-03-15&to=2017-03-15"
	for _, v := range []struct{ name, token string }{{"public", ""}, {"gov", s.tokens["gov"]}} {
		t.Run(v.name, func(t *testing.T) {
			web := s.client(t)
			if v.name != "public" {
				web.login(v.name)
			}
			seen := s.caseOf(t, v.token, id)
			if seen.Grade != staff.Grade || len(seen.Sources.Independent) != len(staff.Sources.Independent) {
				t.Errorf("grade %s with %d sources, staff see %s with %d", seen.Grade, len(seen.Sources.Independent), staff.Grade, len(staff.Sources.Independent))
			}
			if !slices.Contains(seen.Sources.Independent, "visible wire") {
				t.Errorf("the visible outlet is not named: %v", seen.Sources.Independent)
			}
			outs := map[string]string{}
			_, outs["API incident"] = s.apiGet(t, v.token, fmt.Sprintf("/api/incidents/%d", id))
			_, outs["API list"] = s.apiGet(t, v.token, "/api/incidents?"+day)
			_, outs["incident page"] = web.get(fmt.Sprintf("/incidents/%d", id))
			_, outs["list page"] = web.get("/incidents?" + day)
			_, outs["map"] = web.get("/map/incidents.geojson")
			for _, q := range []string{canary, canary + " team", "team 4 saw", "%", "_", "%" + canary[2:], canary[:2] + "_" + canary[3:]} {
				what := "search " + q
				_, outs[what] = web.get("/incidents?" + url.Values{"q": {q}}.Encode())
				if listed(outs[what], id) {
					t.Errorf("%s finds the incident by words it may not read", what)
				}
			}
			for what, out := range outs {
				out = searchBox.ReplaceAllString(out, "") // the query, echoed
				if i := strings.Index(strings.ToLower(out), canary); i >= 0 {
					t.Errorf("%s shows the canary: …%s…", what, out[max(0, i-100):min(len(out), i+60)])
				}
			}
			// What it may read still finds the incident.
			if _, page := web.get("/incidents?q=duma&" + day); !listed(page, id) {
				t.Error("a search by the incident's place does not find it")
			}
		})
	}
}

// TestAnonymousReportsDoNotGrade: two anonymous reports from the web form
// joining an incident change neither its grade, nor the independent
// sources counted, nor whom its facts name as perpetrator, until a
// reviewer accepts them by verifying the incident.
func TestAnonymousReportsDoNotGrade(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	news := `{"source":"wire","source_id":"w-1","occurred":{"start":"2017-03-20T00:00:00+02:00","end":"2017-03-21T00:00:00+02:00","precision":"day"},
		"place":{"name":"Douma","lat":33.5717,"lon":36.4027,"has_point":true,"precision":"exact"},"actors":[{"name":"civilians","role":"target"}],
		"act":"shelling","description":"shells hit the market","outlet":"Wire A"}`
	res, _, err := s.app.Submit(ctx, []byte(news), incident.FromNews)
	if err != nil {
		t.Fatal(err)
	}
	id := res.IncidentID
	rev := s.tokens["rev"]
	before := s.caseOf(t, rev, id)
	for i := range 2 {
		anon := s.client(t)
		anon.get("/submit")
		status, body := anon.upload("/submit", map[string]string{"date": "2017-03-20", "place": "Douma", "lat": "33.5717", "lon": "36.4027", "act": "shelling",
			"perpetrator": "Jaysh al-Islam", "target": "civilians", "description": fmt.Sprintf("anonymous %d: shells on the market", i)}, "", nil)
		if status != http.StatusSeeOther {
			t.Fatalf("anonymous report %d: %d %.300s", i, status, body)
		}
	}
	after := s.caseOf(t, rev, id)
	if len(after.Reports) != 3 {
		t.Fatalf("the anonymous reports did not join incident %d (%d reports), so the test proves nothing", id, len(after.Reports))
	}
	if after.Grade != before.Grade || len(after.Sources.Independent) != len(before.Sources.Independent) || after.Sources.Unaccepted != 2 {
		t.Errorf("two anonymous reports: grade %s → %s, sources %v → %v (%d unaccepted)", before.Grade, after.Grade, before.Sources.Independent, after.Sources.Independent, after.Sources.Unaccepted)
	}
	for _, a := range after.Actors {
		if a.Role == incident.Perpetrator {
			t.Errorf("an anonymous report added a perpetrator to the incident's facts: %+v", a)
		}
	}
	// Once a reviewer verifies the incident, its reports are accepted.
	for _, e := range []workflow.Event{{Action: workflow.Review}, {Action: workflow.Verify, Reason: "the wire and two residents"}} {
		if _, err := s.app.Act(ctx, users[1], id, e); err != nil {
			t.Fatal(err)
		}
	}
	if v := s.caseOf(t, rev, id); len(v.Sources.Independent) != 3 || v.Sources.Unaccepted != 0 {
		t.Errorf("verified: sources %v (%d unaccepted), want the public's counted", v.Sources.Independent, v.Sources.Unaccepted)
	}
}
