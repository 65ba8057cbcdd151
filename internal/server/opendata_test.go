package server_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/server"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/web"
	"github.com/truce-monitor/truce/internal/workflow"
)

// fetch reads a path with a token ("" for the public) and headers.
func fetch(t *testing.T, base, token, path string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return res, string(b)
}

// TestOpenDataFiles: the four files of the open data, as staff see them
// over the demo data (1062 incidents: several pages), hold every incident
// the list holds, in their formats, with their headers.
func TestOpenDataFiles(t *testing.T) {
	base := demo(t).URL
	var all listing
	get(t, "/api/incidents?limit=1", 200, &all)
	if all.Total < 1001 {
		t.Fatalf("the demo has %d incidents: too few for pages", all.Total)
	}
	for _, tt := range []struct {
		path, ctype, file string
		count             func(string) int
	}{
		{"/data/incidents.csv", "text/csv", "truce-incidents-syria-coh-2016.csv", func(b string) int {
			rows, err := csv.NewReader(strings.NewReader(b)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows[0]) != len(app.OpenColumns) || rows[0][0] != "id" {
				t.Errorf("header %v", rows[0])
			}
			ids := map[string]bool{}
			for _, r := range rows[1:] {
				ids[r[0]] = true
				if r[26] != "syria-coh-2016" || r[28] == "" {
					t.Fatalf("row without its ruling: %v", r)
				}
			}
			return len(ids)
		}},
		{"/data/incidents.acled.csv", "text/csv", "truce-incidents-syria-coh-2016.acled.csv", func(b string) int {
			rows, err := csv.NewReader(strings.NewReader(b)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if rows[0][0] != "event_id_cnty" {
				t.Errorf("ACLED header %v", rows[0][:3])
			}
			return len(rows) - 1
		}},
		{"/data/incidents.geojson", "application/geo+json", "truce-incidents-syria-coh-2016.geojson", func(b string) int {
			var fc struct {
				Type     string `json:"type"`
				Features []struct {
					Properties struct {
						Rulings []struct{ Verdict string } `json:"rulings"`
					} `json:"properties"`
				} `json:"features"`
			}
			if err := json.Unmarshal([]byte(b), &fc); err != nil || fc.Type != "FeatureCollection" {
				t.Fatalf("geojson: %v %.200s", err, b)
			}
			if len(fc.Features[0].Properties.Rulings) != 1 {
				t.Errorf("feature without its ruling: %+v", fc.Features[0])
			}
			return len(fc.Features)
		}},
		{"/data/incidents.jsonl", "application/x-ndjson", "truce-incidents-syria-coh-2016.jsonl", func(b string) int {
			n := 0
			seen := map[int64]bool{}
			for line := range strings.Lines(b) {
				var in struct {
					ID      int64 `json:"id"`
					Rulings []struct {
						Agreement, Verdict string
					} `json:"rulings"`
				}
				if err := json.Unmarshal([]byte(line), &in); err != nil || len(in.Rulings) != 1 {
					t.Fatalf("line %d: %v %.200s", n+1, err, line)
				}
				if seen[in.ID] {
					t.Errorf("incident %d twice", in.ID)
				}
				seen[in.ID] = true
				n++
			}
			return n
		}},
	} {
		t.Run(tt.path, func(t *testing.T) {
			res, body := fetch(t, base, adminToken, tt.path)
			if res.StatusCode != 200 {
				t.Fatalf("%d %.300s", res.StatusCode, body)
			}
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.ctype) {
				t.Errorf("Content-Type %q", ct)
			}
			_, params, err := mime.ParseMediaType(res.Header.Get("Content-Disposition"))
			if err != nil || params["filename"] != tt.file {
				t.Errorf("Content-Disposition %q, want file %s", res.Header.Get("Content-Disposition"), tt.file)
			}
			if res.Header.Get("ETag") == "" || res.Header.Get("Last-Modified") == "" {
				t.Errorf("no validators: %v", res.Header)
			}
			if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("a user's file: Cache-Control %q", cc)
			}
			if n := tt.count(body); n != all.Total {
				t.Errorf("%d incidents, the list has %d", n, all.Total)
			}
		})
	}
}

// TestOpenDataConditional: the validators change with the log, the
// parameters and the viewer; a conditional request is answered 304 while
// they hold.
func TestOpenDataConditional(t *testing.T) {
	s := newCanarySite(t)
	base, adminToken := s.URL, s.tokens["admin"]
	report := `{"source":"etag-test","source_id":"%d","occurred":{"start":"2017-01-%02[1]dT00:00:00+02:00","end":"2017-01-%02[1]dT23:00:00+02:00"},
		"place":{"name":"Duma","lat":33.5717,"lon":36.4027,"has_point":true,"precision":"exact"},"act":"shelling","description":"etag"}`
	s.submit(t, "admin", fmt.Sprintf(report, 10))
	path := "/data/incidents.csv?from=2017-01-01&to=2017-01-31"
	res, body := fetch(t, base, adminToken, path)
	etag, mod := res.Header.Get("ETag"), res.Header.Get("Last-Modified")
	if res.StatusCode != 200 || !strings.HasPrefix(etag, `W/"`) || mod == "" {
		t.Fatalf("%d ETag %q Last-Modified %q", res.StatusCode, etag, mod)
	}
	if _, params, _ := mime.ParseMediaType(res.Header.Get("Content-Disposition")); params["filename"] != "truce-incidents-syria-coh-2016-2017-01-01_2017-01-31.csv" {
		t.Errorf("file name %q", params["filename"])
	}
	if len(body) == 0 {
		t.Fatal("empty")
	}
	for _, c := range []struct {
		name   string
		hdr    []string
		status int
	}{
		{"same ETag", []string{"If-None-Match", etag}, 304},
		{"strong form of the ETag", []string{"If-None-Match", strings.TrimPrefix(etag, "W/")}, 304},
		{"one of a list", []string{"If-None-Match", `"other", ` + etag}, 304},
		{"star", []string{"If-None-Match", "*"}, 304},
		{"another ETag", []string{"If-None-Match", `W/"other"`}, 200},
		{"same date", []string{"If-Modified-Since", mod}, 304},
		{"an earlier date", []string{"If-Modified-Since", "Sat, 01 Jan 2000 00:00:00 GMT"}, 200},
		{"ETag decides over the date", []string{"If-None-Match", `W/"other"`, "If-Modified-Since", mod}, 200},
	} {
		res, body := fetch(t, base, adminToken, path, c.hdr...)
		if res.StatusCode != c.status {
			t.Errorf("%s: %d, want %d", c.name, res.StatusCode, c.status)
		}
		if c.status == 304 && (body != "" || res.Header.Get("ETag") != etag) {
			t.Errorf("%s: 304 with %d bytes, ETag %q", c.name, len(body), res.Header.Get("ETag"))
		}
	}
	// Other parameters, another viewer: another ETag.
	if res, _ := fetch(t, base, adminToken, path+"&hxl=1"); res.Header.Get("ETag") == etag {
		t.Error("hxl=1 has the same ETag")
	}
	res, _ = fetch(t, base, "", path, "If-None-Match", etag)
	if res.StatusCode != 200 || res.Header.Get("ETag") == etag {
		t.Errorf("the public gets staff's ETag: %d %q", res.StatusCode, res.Header.Get("ETag"))
	}
	if cc := res.Header.Get("Cache-Control"); cc != "public, no-cache" || !strings.Contains(res.Header.Get("Vary"), "Authorization") {
		t.Errorf("the public's file: Cache-Control %q Vary %q", cc, res.Header.Get("Vary"))
	}
	// The log grows: the ETag changes.
	s.submit(t, "admin", fmt.Sprintf(report, 20))
	if res, _ := fetch(t, base, adminToken, path, "If-None-Match", etag); res.StatusCode != 200 || res.Header.Get("ETag") == etag {
		t.Errorf("after a change: %d, ETag %q unchanged", res.StatusCode, etag)
	}
}

// TestOpenDataCSV: the HXL row, the formula escape, the filters and their
// errors.
func TestOpenDataCSV(t *testing.T) {
	base := demo(t).URL
	res, body := fetch(t, base, adminToken, "/data/incidents.csv?hxl=1&ruling=violation&party=OPP")
	if res.StatusCode != 200 {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 3 {
		t.Fatalf("%d rows", len(rows))
	}
	for i, tag := range rows[1] {
		if !strings.HasPrefix(tag, "#") || strings.ContainsAny(tag, " ,") {
			t.Errorf("column %s: hashtag %q", rows[0][i], tag)
		}
	}
	col := func(name string) int { return slices.Index(rows[0], name) }
	for _, want := range []struct{ col, tag string }{{"date_start", "#date+occurred+start"}, {"admin1", "#adm1+code"}, {"admin2", "#adm2+code"},
		{"latitude", "#geo+lat"}, {"longitude", "#geo+lon"}, {"act", "#event+type"}, {"killed", "#affected+killed"}, {"perpetrators", "#group+name+perpetrator"}} {
		if i := col(want.col); i < 0 || rows[1][i] != want.tag {
			t.Errorf("%s: hashtag %v, want %s", want.col, i, want.tag)
		}
	}
	for _, r := range rows[2:] {
		if r[col("verdict")] != "violation" || !strings.Contains(r[col("parties")], "OPP") {
			t.Errorf("filter not applied: %v", r)
		}
	}
	// Without hxl, the data follows the header.
	if _, body := fetch(t, base, adminToken, "/data/incidents.csv?ruling=violation&party=OPP&hxl=0"); strings.Contains(body, "#event") {
		t.Error("an HXL row without hxl=1")
	}
	for _, bad := range []struct{ path, want string }{
		{"/data/incidents.csv?hxl=yes", "hxl"},
		{"/data/incidents.jsonl?hxl=1", `unknown parameter \"hxl\"`},
		{"/data/incidents.csv?limit=10", `unknown parameter \"limit\"`},
		{"/data/incidents.geojson?state=closed", "state"},
		{"/data/incidents.jsonl?verdict=violation&ruling=undetermined", "verdict"},
		{"/data/incidents.acled.csv?from=yesterday", "from"},
	} {
		res, body := fetch(t, base, "", bad.path)
		if res.StatusCode != 400 || !strings.Contains(body, bad.want) || res.Header.Get("Content-Disposition") != "" {
			t.Errorf("%s: %d %s", bad.path, res.StatusCode, body)
		}
	}
	if res, _ := fetch(t, base, "truce_guess", "/data/incidents.csv"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a wrong token: %d, want 401", res.StatusCode)
	}
}

// TestOpenDataFormulas: a title a spreadsheet would run is written as
// text in both CSV files.
func TestOpenDataFormulas(t *testing.T) {
	s := newCanarySite(t)
	s.submit(t, "admin", `{"source":"formula-test","source_id":"1","kind":"news","outlet":"Wire","occurred":{"start":"2016-12-31T00:00:00+02:00","end":"2017-01-01T00:00:00+02:00"},
		"place":{"name":"=HYPERLINK(\"http://x\")","lat":35.1,"lon":36.7,"has_point":true,"precision":"exact"},"act":"shelling","description":"=cmd|' /C calc'!A0"}`)
	for _, p := range []string{"/data/incidents.csv", "/data/incidents.acled.csv"} {
		_, body := fetch(t, s.URL, s.tokens["admin"], p)
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range rows {
			for _, c := range r {
				if strings.Contains(c, "calc") || strings.Contains(c, "HYPERLINK") {
					found = true
					if !strings.HasPrefix(c, "'") {
						t.Errorf("%s: cell %q is a formula", p, c)
					}
				}
			}
		}
		if !found {
			t.Errorf("%s: the report's words are not in the file, so the test proves nothing", p)
		}
	}
}

// TestOpenDataAllAgreements: without an agreement, an incident carries its
// rulings under every stored agreement, the same as under the one named.
func TestOpenDataAllAgreements(t *testing.T) {
	demo(t)
	ctx := context.Background()
	rulings := func(agreement string) map[int64]string {
		out := map[int64]string{}
		err := demoApp.EachIncidentFor(ctx, app.Operator(), store.Filter{Agreement: agreement, From: mustDay(t, "2017-01-01"), To: mustDay(t, "2017-01-08")}, 7, func(in *app.OpenIncident) error {
			var vs []string
			for _, r := range in.Rulings {
				vs = append(vs, r.Agreement+":"+string(r.Verdict)+":"+strings.Join(r.Parties, ","))
			}
			out[in.ID] = strings.Join(vs, ";")
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	one, all := rulings("syria-coh-2016"), rulings("")
	if len(one) < 8 || fmt.Sprint(one) != fmt.Sprint(all) {
		t.Errorf("under the agreement %d: %v\nunder all %d: %v", len(one), one, len(all), all)
	}
}

func mustDay(t *testing.T, s string) time.Time {
	t.Helper()
	ag, _ := demoApp.Agreement("syria-coh-2016")
	d, err := time.ParseInLocation("2006-01-02", s, ag.Location)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// canary is a word placed in every field only the Joint Group may read.
const canary = "zqcanary"

// canaryRoutes are the ways out the canary test reads, as the public and
// as a party's liaison of another party: add a route here when one is
// added that shows what the public may read. An entry whose route the
// server does not serve (yet) is skipped, with a note; an entry whose
// path needs setting up (an Atom feed's token) has a path function.
var canaryRoutes = []struct {
	name string
	// pattern is the route (ending in /: any route under it); path the
	// path read, or pathFor makes it ("" when it cannot: an error once
	// the route is served).
	pattern, path string
	pathFor       func(t *testing.T, s *canarySite) string
	// optional routes are being added elsewhere: read once served.
	optional bool
}{
	{name: "CSV", pattern: "GET /data/incidents.csv", path: "/data/incidents.csv?hxl=1"},
	{name: "CSV searched", pattern: "GET /data/incidents.csv", path: "/data/incidents.csv?q=" + canary},
	{name: "ACLED", pattern: "GET /data/incidents.acled.csv", path: "/data/incidents.acled.csv"},
	{name: "GeoJSON", pattern: "GET /data/incidents.geojson", path: "/data/incidents.geojson"},
	{name: "JSON lines", pattern: "GET /data/incidents.jsonl", path: "/data/incidents.jsonl"},
	{name: "JSON lines by state", pattern: "GET /data/incidents.jsonl", path: "/data/incidents.jsonl?state=verified"},
	{name: "log entries", pattern: "GET /log/entries", path: "/log/entries"},
	{name: "API list", pattern: "GET /api/incidents", path: "/api/incidents"},
	{name: "API summary", pattern: "GET /api/rulings/summary", path: "/api/rulings/summary"},
	// The assignee's name once leaked here through the history's assign
	// events (app.Redact cleared only the case's own field).
	{name: "API incident", pattern: "GET /api/incidents/{id}", pathFor: func(t *testing.T, s *canarySite) string { return fmt.Sprintf("/api/incidents/%d", s.id) }},
	// The web interface's (read here as the public: it takes sessions,
	// not tokens; internal/web's TestCanary logs in).
	{name: "bulletins", pattern: "GET /bulletins", path: "/bulletins", optional: true},
	{name: "bulletin", pattern: "GET /bulletins/", path: "/bulletins/month/2017-03-15", optional: true},
	{name: "bulletin as Markdown", pattern: "GET /bulletins/", path: "/bulletins/month/2017-03-15?format=md", optional: true},
	{name: "bulletin as JSON", pattern: "GET /bulletins/", path: "/bulletins/week/2017-03-15?format=json", optional: true},
	{name: "Atom feed", pattern: "GET /feeds/", optional: true, pathFor: func(t *testing.T, s *canarySite) string {
		// An Atom subscription's feed, read by its token.
		status, v := call2(t, s.URL, "POST", "/api/subscriptions", s.tokens["admin"], `{"channel":"atom"}`)
		feed, _ := v["feed_path"].(string)
		if status != http.StatusCreated || feed == "" {
			t.Errorf("an Atom subscription: %d %v", status, v)
		}
		return feed
	}},
}

// canarySite is a server over an empty database with one published
// incident whose protected fields carry the canary.
type canarySite struct {
	*httptest.Server
	srv    *server.Server
	app    *app.App
	tokens map[string]string
	id     int64
}

func newCanarySite(t *testing.T) *canarySite {
	t.Helper()
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: filepath.Join(t.TempDir(), "canary.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	ui, err := web.New(a, web.Options{InsecureCookies: true})
	if err != nil {
		t.Fatal(err)
	}
	s := &canarySite{app: a, tokens: map[string]string{}}
	s.srv = server.New(a, server.Options{UI: ui})
	s.Server = httptest.NewServer(s.srv)
	t.Cleanup(s.Close)
	for _, u := range []workflow.User{{Name: "admin", Role: workflow.Admin}, {Name: "mon", Role: workflow.Monitor},
		{Name: "rev-" + canary, Role: workflow.Reviewer}, {Name: "gov", Role: workflow.Liaison, Party: "GOV"},
		{Name: "opp", Role: workflow.Liaison, Party: "OPP"}, {Name: "reader", Role: workflow.Researcher}} {
		if s.tokens[u.Name], err = a.AddUser(ctx, u, ""); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func (s *canarySite) submit(t *testing.T, user, body string) int64 {
	t.Helper()
	status, v := call2(t, s.URL, "POST", "/api/reports", s.tokens[user], body)
	if status != http.StatusCreated {
		t.Fatalf("%s's report: %d %v", user, status, v)
	}
	return int64(v["incident_id"].(float64))
}

func call2(t *testing.T, base, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
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

// TestOpenDataCanary: a secret placed in every protected field — a
// monitor's description (and so the incident's title), citations, outlet
// and id, the reporter's and a witness's names and contacts, a party's
// report read by another party, a reviewer's comment, the assignee and
// the staff's names — reaches neither the public nor another party's
// liaison nor a researcher through any file of the open data, the log, or
// the other ways out listed in canaryRoutes, while the staff's own file
// carries it (else the test would prove nothing).
func TestOpenDataCanary(t *testing.T) {
	s := newCanarySite(t)
	ctx := context.Background()
	when := `"occurred":{"start":"2017-03-15T00:00:00+02:00","end":"2017-03-16T00:00:00+02:00"},"place":{"name":"Duma","lat":33.5717,"lon":36.4027,"has_point":true,"precision":"exact"},"act":"shelling"`
	s.id = s.submit(t, "mon", fmt.Sprintf(`{"source":"team-api","source_id":"%[1]s-17",%[2]s,"actors":[{"name":"Syrian Arab Army","role":"perpetrator"},{"name":"civilians","role":"target"}],
		"description":"%[1]s team 4 saw the impact","outlet":"%[1]s outlet","citations":["%[1]s cite,2017-03-15,notes"],
		"reporter":{"name":"Abu %[1]s","contact":"+963 %[1]s"},"witnesses":[{"name":"Umm %[1]s","contact":"%[1]s@example.org"}]}`, canary, when))
	// The opposition's liaison reports the same shelling: its words are
	// the opposition's, not the government's liaison's to read.
	if id := s.submit(t, "opp", fmt.Sprintf(`{"source":"opp-desk","source_id":"o-1",%s,"actors":[{"name":"Syrian Arab Army","role":"perpetrator"}],
		"description":"opp says %s shells","outlet":"OPP %s desk"}`, when, canary, canary)); id != s.id {
		t.Logf("the party's report made incident %d apart from %d", id, s.id)
	}
	// A second incident, never published, all of whose words are secret.
	hidden := s.submit(t, "mon", fmt.Sprintf(`{"source":"team-api","source_id":"h-1","occurred":{"start":"2017-04-02T00:00:00+03:00","end":"2017-04-03T00:00:00+03:00"},
		"place":{"name":"Idlib","lat":35.93,"lon":36.63,"has_point":true,"precision":"exact"},"act":"shelling","description":"%s hidden"}`, canary))
	rev, err := s.app.User(ctx, "rev-"+canary)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []workflow.Event{{Action: workflow.Review}, {Action: workflow.Comment, Reason: canary + " internal note"},
		{Action: workflow.Assign, Assignee: rev.Name}, {Action: workflow.Verify, Reason: "team 4 and a party's desk"}} {
		if _, err := s.app.Act(ctx, rev, s.id, e); err != nil {
			t.Fatalf("%s: %v", e.Action, err)
		}
	}
	if _, err := s.app.Act(ctx, rev, hidden, workflow.Event{Action: workflow.Comment, Reason: canary + " hidden note"}); err != nil {
		t.Fatal(err)
	}
	c, err := s.app.CaseFor(ctx, app.Operator(), s.id)
	if err != nil || c.Case.State != incident.Verified || c.Assignee != rev.Name || len(c.Comments) != 1 {
		t.Fatalf("the case is not set up: %v %+v", err, c)
	}

	// The staff's file carries the canary: the test can see it.
	if _, body := fetch(t, s.URL, s.tokens["admin"], "/data/incidents.csv"); !strings.Contains(body, canary) {
		t.Fatalf("the staff's CSV does not carry the canary, so the test proves nothing:\n%s", body)
	}
	// The public's file holds the published incident, its title withheld,
	// and not the other.
	_, body := fetch(t, s.URL, "", "/data/incidents.csv")
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][0] != strconv.FormatInt(s.id, 10) || rows[1][4] != app.Withheld {
		t.Fatalf("the public's CSV does not hold incident %d alone, its title withheld, so the test proves nothing (%v):\n%s", s.id, err, body)
	}

	routes := s.srv.Routes()
	for _, v := range []struct{ name, token string }{{"public", ""}, {"gov", s.tokens["gov"]}, {"reader", s.tokens["reader"]}} {
		t.Run(v.name, func(t *testing.T) {
			for _, r := range canaryRoutes {
				registered := slices.ContainsFunc(routes, func(p string) bool {
					return p == r.pattern || strings.HasSuffix(r.pattern, "/") && strings.HasPrefix(p, r.pattern)
				})
				path := r.path
				if r.pathFor != nil && (registered || !r.optional) {
					path = r.pathFor(t, s)
				}
				if path == "" {
					if registered {
						t.Errorf("%s (%s) is served, but the canary test cannot read it: give its entry a pathFor", r.name, r.pattern)
					} else {
						t.Logf("%s (%s): not served here, not read", r.name, r.pattern)
					}
					continue
				}
				res, body := fetch(t, s.URL, v.token, path)
				if r.optional && !registered && res.StatusCode == http.StatusNotFound {
					// Not the server's: perhaps the web interface's.
					t.Logf("%s (%s): not served here, not read", r.name, r.pattern)
					continue
				}
				if res.StatusCode != http.StatusOK {
					t.Errorf("%s: GET %s: %d %.200s", r.name, path, res.StatusCode, body)
				}
				var hdr bytes.Buffer
				res.Header.Write(&hdr)
				out := strings.ToLower(hdr.String() + body)
				if i := strings.Index(out, canary); i >= 0 {
					t.Errorf("%s (GET %s) shows the canary: …%s…", r.name, path, out[max(0, i-120):min(len(out), i+60)])
				}
			}
		})
	}
}

// TestOpenDataDocumented: docs/opendata.md names every column of the CSV
// with its hashtag.
func TestOpenDataDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/opendata.md")
	if err != nil {
		t.Fatal(err)
	}
	hxl := regexp.MustCompile(`^#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*$`)
	for _, c := range app.OpenColumns {
		if !hxl.MatchString(c.HXL) {
			t.Errorf("%s: %q is not an HXL hashtag with attributes", c.Name, c.HXL)
		}
		if !strings.Contains(string(doc), fmt.Sprintf("| `%s` | `%s` |", c.Name, c.HXL)) {
			t.Errorf("docs/opendata.md does not list column %s (%s)", c.Name, c.HXL)
		}
	}
}
