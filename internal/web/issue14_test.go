package web_test

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/app"
)

// TestMapFilters: the map page hands its filters to the map's data and
// to the list link as a query, not escaped once more (issue 14), and the
// data then holds only the filtered incidents.
func TestMapFilters(t *testing.T) {
	s := newSite(t)
	c := s.client(t)
	_, body := c.get("/map?party=GOV&verdict=violation&from=2016-01-01")
	for _, want := range []string{
		`data-src="/map/incidents.geojson?from=2016-01-01&amp;party=GOV&amp;verdict=violation"`,
		`href="/incidents?from=2016-01-01&amp;party=GOV&amp;verdict=violation"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("map page lacks %s", want)
		}
	}
	if strings.Contains(body, "%3d") || strings.Contains(body, "%26") {
		t.Error("the map page escapes its query twice")
	}
	count := func(q string) int {
		_, b := c.get("/map/incidents.geojson?" + q)
		var g struct{ Features []json.RawMessage }
		if err := json.Unmarshal([]byte(b), &g); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return len(g.Features)
	}
	all, some := count(""), count("verdict=not_violation")
	if all == 0 || some >= all {
		t.Errorf("map data: %d points without a filter, %d with one", all, some)
	}
}

// TestLoginOverPlainHTTP: a login whose cookies did not come back because
// they are Secure and the page came over plain HTTP under a host other
// than localhost says so, instead of "this form has expired".
func TestLoginOverPlainHTTP(t *testing.T) {
	s := newSiteSecure(t)
	post := func(host string) (int, string) {
		form := url.Values{"name": {"rev"}, "password": {password}, "csrf": {"a_somethingsomethingsomething"}}
		req, _ := http.NewRequest("POST", s.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Host = host
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	for host, tls := range map[string]bool{"truce.example:8080": true, "10.0.0.5": true, "localhost:8080": false, "127.0.0.1": false, "[::1]:80": false} {
		status, body := post(host)
		if status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", host, status)
		}
		if got := strings.Contains(body, "-insecure-cookies") && strings.Contains(body, "HTTPS"); got != tls {
			i := strings.Index(body, "<main")
			t.Errorf("%s: explains the cookies: %v, want %v: %.300s", host, got, tls, body[max(i, 0):])
		}
	}
	// With the cookies sent back, the ordinary message.
	d := newSite(t).client(t)
	d.get("/login")
	if _, body := d.post("/login", url.Values{"name": {"rev"}, "password": {password}, "csrf": {"forged"}}); strings.Contains(body, "-insecure-cookies") {
		t.Error("a forged token is taken for lost cookies")
	}
	_ = fmt.Sprint
}

// TestFormsKeepInput: a refused workflow form or report comes back with
// what was typed, and the required fields are marked.
func TestFormsKeepInput(t *testing.T) {
	s := newSite(t)
	c := s.client(t).login("rev")
	path := fmt.Sprintf("/incidents/%d", s.hidden)
	_, page := c.get(path)
	for _, want := range []string{`name="reason" required`, "A reason is required"} {
		if !strings.Contains(page, want) {
			t.Errorf("the workflow form lacks %q", want)
		}
	}
	status, body := c.post(path+"/events", url.Values{"action": {"verify"}, "reason": {"  "}})
	if status != http.StatusBadRequest || !strings.Contains(body, "a reason is required") || !strings.Contains(body, `<option value="verify" selected>`) {
		t.Errorf("verify without a reason: %d %s", status, excerpt(body))
	}
	// Refused for the state: the typed reason is kept.
	status, body = c.post(path+"/events", url.Values{"action": {"reopen"}, "reason": {"Typed at length & with care"}})
	if status != http.StatusConflict || !strings.Contains(body, ">Typed at length &amp; with care</textarea>") || !strings.Contains(body, `role="alert"`) {
		t.Errorf("a refused reopen: %d %s", status, excerpt(body))
	}

	m := s.client(t).login("mon")
	_, form := m.get("/submit")
	if !strings.Contains(form, `<select id="act" name="act" required><option value="">Choose…</option>`) || !strings.Contains(form, "Fields marked * must be filled in.") {
		t.Errorf("the report form: %s", excerpt(form))
	}
	status, body = m.upload("/submit", map[string]string{"date": "10/01/2017", "place": "Douma", "act": "shelling", "description": "Seen from the roof", "killed": "2", "witnesses": "A. B., +963"}, "", nil)
	for _, want := range []string{`value="Douma"`, `<option value="shelling" selected>`, ">Seen from the roof</textarea>", `value="2"`, ">A. B., &#43;963</textarea>", "is not a date"} {
		if status != http.StatusBadRequest || !strings.Contains(body, want) {
			t.Errorf("refused report: %d, lacks %s: %s", status, want, excerpt(body))
		}
	}
}

func excerpt(body string) string {
	i := strings.Index(body, "<main")
	return body[max(i, 0):min(len(body), max(i, 0)+1500)]
}

// TestBidiIsolation: data in whatever language it came in is isolated from
// the right-to-left page around it.
func TestBidiIsolation(t *testing.T) {
	s := newSite(t)
	c := s.client(t)
	_, body := c.get(fmt.Sprintf("/incidents/%d?lang=ar", s.public))
	in, err := s.app.Incident(t.Context(), app.Operator(), s.public)
	if err != nil || in.Title == "" {
		t.Fatalf("demo incident %d: %v, title %q", s.public, err, in.Title)
	}
	title := template.HTMLEscapeString(in.Title)
	if !strings.Contains(body, `dir="rtl"`) || !strings.Contains(body, "<bdi>"+title+"</bdi></h1>") {
		t.Errorf("the Arabic page does not isolate the title %q: %s", in.Title, excerpt(body))
	}
	if !regexp.MustCompile(`<p dir="auto"[^>]*>`).MatchString(body) {
		t.Error("the Arabic page does not isolate report descriptions")
	}
	_, list := c.get("/incidents?lang=fa")
	if !regexp.MustCompile(`<a href="/incidents/\d+"><bdi>[^<]+</bdi></a>`).MatchString(list) {
		t.Errorf("the Persian list does not isolate titles")
	}
}

// TestIncidentListOrderAndFilters: newest first unless asked, sort links
// in the header, filters kept across languages, unknown values refused,
// parties in any case.
func TestIncidentListOrderAndFilters(t *testing.T) {
	s := newSite(t)
	c := s.client(t).login("rev")
	dates := regexp.MustCompile(`<tr>\s*<td>(\d{4}-\d\d-\d\d)</td>`)
	order := func(path string) []string {
		status, body := c.get(path)
		if status != http.StatusOK {
			t.Fatalf("%s: %d %s", path, status, excerpt(body))
		}
		var out []string
		for _, m := range dates.FindAllStringSubmatch(body, -1) {
			out = append(out, m[1])
		}
		if len(out) < 1 {
			t.Fatalf("%s: no rows", path)
		}
		return out
	}
	newest, oldest := order("/incidents?lang=en"), order("/incidents?lang=en&sort=oldest")
	if len(newest) < 2 || newest[0] < newest[len(newest)-1] || oldest[0] > oldest[len(oldest)-1] || newest[0] <= oldest[0] {
		t.Errorf("newest first %v…, oldest first %v…", newest[:2], oldest[:2])
	}
	// The second page newest first continues the first.
	if p2 := order("/incidents?lang=en&page=2"); p2[0] > newest[len(newest)-1] {
		t.Errorf("page 2 starts at %s after page 1 ended at %s", p2[0], newest[len(newest)-1])
	}
	_, body := c.get("/incidents?party=gov&verdict=violation&lang=en")
	for _, want := range []string{
		`href="/incidents?lang=en&amp;party=gov&amp;sort=oldest&amp;verdict=violation"`,
		`href="?lang=ar&amp;party=gov&amp;verdict=violation"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the list lacks %s", want)
		}
	}
	upper, lower := order("/incidents?party=GOV&verdict=violation"), order("/incidents?party=gov&verdict=violation")
	if strings.Join(upper, ",") != strings.Join(lower, ",") {
		t.Error("party=gov and party=GOV differ")
	}
	for param, val := range map[string]string{"party": "xyz", "verdict": "foo", "state": "lost", "sort": "sideways"} {
		status, body := c.get("/incidents?" + param + "=" + val)
		if status != http.StatusBadRequest || !strings.Contains(body, param+": &#34;"+val+"&#34; is not a known value") {
			t.Errorf("%s=%s: %d %s", param, val, status, excerpt(body))
		}
	}
}

// TestStaticCaching: pages name static files by their content's hash,
// served for a year and gzipped to clients that take it.
func TestStaticCaching(t *testing.T) {
	s := newSite(t)
	c := s.client(t)
	_, page := c.get("/map")
	var paths []string
	for _, m := range regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`).FindAllStringSubmatch(page, -1) {
		paths = append(paths, m[1])
	}
	hashed := regexp.MustCompile(`^/static/(truce|leaflet/leaflet|map)\.[0-9a-f]{12}\.(css|js)$`)
	if len(paths) != 4 {
		t.Fatalf("the map page names %v", paths)
	}
	for _, p := range paths {
		if !hashed.MatchString(p) {
			t.Errorf("%s is not a hashed name", p)
		}
	}
	get := func(path, enc string) *http.Response {
		req, _ := http.NewRequest("GET", s.URL+path, nil)
		req.Header.Set("Accept-Encoding", enc) // set: Go's transport then does not decompress
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	for _, p := range paths {
		res := get(p, "gzip, deflate, br")
		if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("%s: %d %v", p, res.StatusCode, res.Header)
		}
		if res := get(p, "identity"); res.Header.Get("Content-Encoding") != "" || res.ContentLength < 1000 {
			t.Errorf("%s without gzip: %v", p, res.Header)
		}
		if res := get(p, "gzip;q=0"); res.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s with gzip refused: %v", p, res.Header)
		}
	}
	// The unhashed names still answer (Leaflet's stylesheet names its
	// images so), revalidated; the boundaries go gzipped.
	if res := get("/static/leaflet/images/layers.png", "gzip"); res.StatusCode != 200 || res.Header.Get("Cache-Control") != "public, no-cache" || res.Header.Get("Content-Type") != "image/png" {
		t.Errorf("an image: %d %v", res.StatusCode, res.Header)
	}
	if res := get("/map/boundaries.geojson", "gzip"); res.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("boundaries: %v", res.Header)
	}
}
