package web_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/server"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/web"
	"github.com/truce-monitor/truce/internal/workflow"
)

const password = "a long test password"

var updateAccess = flag.Bool("update-access", false, "rewrite the access matrix in docs/access.md")

// site is a server over the demo data with a user of every role.
type site struct {
	*httptest.Server
	app *app.App
	// hidden is a violation under review; public one that
	// is verified.
	hidden, public int64
	tokens         map[string]string
	db             string // the SQLite file
}

// raw opens the site's database apart from the app, as someone with the
// file would: for checks of what is stored, and for tampering.
func (s *site) raw(t *testing.T) *sql.DB {
	t.Helper()
	st, err := app.OpenStore(context.Background(), s.db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st.(interface{ DB() *sql.DB }).DB()
}

var users = []workflow.User{
	{Name: "admin", Role: workflow.Admin},
	{Name: "rev", Role: workflow.Reviewer},
	{Name: "ru", Role: workflow.GuarantorMember, Guarantor: "RU"},
	{Name: "tr", Role: workflow.GuarantorMember, Guarantor: "TR"},
	{Name: "mon", Role: workflow.Monitor},
	{Name: "gov", Role: workflow.Liaison, Party: "GOV"},
	{Name: "opp", Role: workflow.Liaison, Party: "OPP"},
	{Name: "res", Role: workflow.Researcher},
}

func newSite(t *testing.T) *site { return newSiteWith(t, true) }

// newSiteSecure sends cookies Secure, as in production: a browser keeps
// them from http://127.0.0.1, a secure context.
func newSiteSecure(t *testing.T) *site { return newSiteWith(t, false) }

func newSiteWith(t *testing.T, insecureCookies bool) *site {
	t.Helper()
	ctx := context.Background()
	site0.once.Do(makeSite0)
	if site0.err != nil {
		t.Fatal(site0.err)
	}
	// Every file the template left (the database, and its data key or
	// WAL should a later truce leave one), so that the copy is whole.
	dir := t.TempDir()
	files, err := os.ReadDir(site0.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(site0.dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	db := filepath.Join(dir, filepath.Base(site0.file))
	a, err := app.Open(ctx, app.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	s := &site{app: a, tokens: maps.Clone(site0.tokens), db: db, hidden: site0.hidden, public: site0.public}
	ui, err := web.New(a, web.Options{InsecureCookies: insecureCookies})
	if err != nil {
		t.Fatal(err)
	}
	s.Server = httptest.NewServer(server.New(a, server.Options{UI: ui}))
	t.Cleanup(s.Close)
	return s
}

// site0 is the database every site starts from, made once per test
// binary (the agreements, the demo events, a user of every role, one
// violation under review and one verified): each site copies the file
// rather than import the demo events again, which took a second a site.
var site0 struct {
	once           sync.Once
	dir, file      string
	tokens         map[string]string
	hidden, public int64
	err            error
}

func makeSite0() {
	ctx := context.Background()
	site0.dir, site0.err = os.MkdirTemp("", "truce-web-test-")
	if site0.err != nil {
		return
	}
	site0.file = filepath.Join(site0.dir, "web.db")
	a, err := app.Open(ctx, app.Config{DB: site0.file})
	if err != nil {
		site0.err = err
		return
	}
	// Closed before the file is copied: the WAL is then in the file.
	defer func() { site0.err = errors.Join(site0.err, a.Close()) }()
	site0.err = func() error {
		if err := a.LoadBundledAgreements(ctx); err != nil {
			return err
		}
		if _, err := a.ImportDemoEvents(ctx); err != nil {
			return err
		}
		site0.tokens = map[string]string{}
		for _, u := range users {
			tok, err := a.AddUser(ctx, u, password)
			if err != nil {
				return err
			}
			site0.tokens[u.Name] = tok
		}
		list, _, err := a.Incidents(ctx, app.Operator(), store.Filter{Agreement: "syria-coh-2016", Verdict: ruling.Violation, Limit: 2})
		if err != nil || len(list) < 2 {
			return fmt.Errorf("demo data: %d violations, %v", len(list), err)
		}
		site0.hidden, site0.public = list[0].ID, list[1].ID
		rev := users[1]
		for _, e := range []workflow.Event{{Action: workflow.Review}, {Action: workflow.Verify, Reason: "a monitor's report"}} {
			if _, err := a.Act(ctx, rev, site0.public, e); err != nil {
				return err
			}
		}
		_, err = a.Act(ctx, rev, site0.hidden, workflow.Event{Action: workflow.Review})
		return err
	}()
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if site0.dir != "" {
		os.RemoveAll(site0.dir)
	}
	os.Exit(code)
}

// client is a browser: cookies, and the CSRF token of the last page.
type client struct {
	t    *testing.T
	s    *site
	http *http.Client
	csrf string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (s *site) client(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, s: s, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) get(path string) (int, string) {
	res, err := c.http.Get(c.s.URL + path)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if m := csrfField.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	return res.StatusCode, string(b)
}

func (c *client) post(path string, form url.Values) (int, string) {
	if _, set := form["csrf"]; !set && c.csrf != "" {
		form.Set("csrf", c.csrf)
	}
	res, err := c.http.PostForm(c.s.URL+path, form)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (c *client) login(name string) *client {
	c.get("/login")
	if status, body := c.post("/login", url.Values{"name": {name}, "password": {password}}); status != http.StatusSeeOther {
		panic(fmt.Sprintf("login %s: %d %s", name, status, body))
	}
	c.get("/") // the session's CSRF token
	return c
}

func TestLogin(t *testing.T) {
	s := newSite(t)
	c := s.client(t)
	c.get("/login")
	if status, body := c.post("/login", url.Values{"name": {"rev"}, "password": {"wrong password!"}}); status != http.StatusUnauthorized || !strings.Contains(body, "Wrong name or password") {
		t.Errorf("wrong password: %d", status)
	}
	c.login("rev")
	if _, body := c.get("/"); !strings.Contains(body, "rev (Joint Group reviewer)") {
		t.Errorf("not logged in: %.500s", body)
	}
	c.post("/logout", url.Values{})
	if _, body := c.get("/"); strings.Contains(body, "rev (") {
		t.Error("still logged in after logout")
	}
	// Five failures from one address, then the limiter answers.
	d := s.client(t)
	d.get("/login")
	var status int
	for range 8 {
		status, _ = d.post("/login", url.Values{"name": {"mon"}, "password": {"guess guess guess"}})
	}
	if status != http.StatusTooManyRequests {
		t.Errorf("after 8 failures: %d, want 429", status)
	}
}

// TestCSRF: a state change without the session's CSRF token fails.
func TestCSRF(t *testing.T) {
	s := newSite(t)
	c := s.client(t).login("rev")
	path := fmt.Sprintf("/incidents/%d/events", s.hidden)
	for _, tok := range []string{"", "c_forged"} {
		if status, body := c.post(path, url.Values{"action": {"verify"}, "reason": {"x"}, "csrf": {tok}}); status != http.StatusForbidden || !strings.Contains(body, "did not come from this site") {
			t.Errorf("csrf %q: %d", tok, status)
		}
	}
	if status, body := c.post(path, url.Values{"action": {"verify"}, "reason": {"two reports"}}); status != http.StatusSeeOther {
		t.Errorf("with the token: %d %.300s", status, body)
	}
	// The login form too (double-submit cookie).
	d := s.client(t)
	if status, _ := d.post("/login", url.Values{"name": {"rev"}, "password": {password}, "csrf": {"nope"}}); status != http.StatusForbidden {
		t.Errorf("login without CSRF: %d", status)
	}
}

func (c *client) upload(path string, fields map[string]string, name string, data []byte) (int, string) {
	c.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	fields["csrf"] = c.csrf
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if data != nil {
		f, _ := w.CreateFormFile("evidence", name)
		f.Write(data)
	}
	w.Close()
	req, _ := http.NewRequest("POST", c.s.URL+path, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// png is the smallest valid PNG header and chunk, enough for sniffing.
var png = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)

// TestUploads: evidence is taken by what it is, not by its name, and
// within the size bound; a refusal says why.
func TestUploads(t *testing.T) {
	s := newSite(t)
	c := s.client(t).login("mon")
	c.get("/submit")
	report := map[string]string{"date": "2017-01-10", "place": "Douma", "act": "shelling", "description": "Shells hit the market", "perpetrator": "Syrian Arab Army"}
	if status, body := c.upload("/submit", report, "evil.jpg", []byte("#!/bin/sh\nrm -rf /\n")); status != http.StatusUnsupportedMediaType || !strings.Contains(body, "evil.jpg is text/plain, which is not taken as evidence") {
		t.Errorf("disguised upload: %d %.300s", status, body)
	}
	if status, body := c.upload("/submit", report, "big.png", append(png, make([]byte, 33<<20)...)); status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "at most 32 MiB") {
		t.Errorf("oversized upload: %d %.300s", status, body)
	}
	status, _ := c.upload("/submit", report, "photo.png", png)
	if status != http.StatusSeeOther {
		t.Fatalf("good upload: %d", status)
	}
	// Stored once by its hash, whoever sends it again.
	status2, _ := c.upload("/submit", map[string]string{"date": "2017-01-11", "place": "Douma", "act": "shelling", "description": "again"}, "same.png", png)
	if status2 != http.StatusSeeOther {
		t.Fatalf("second upload: %d", status2)
	}
	var n int
	s.raw(t).QueryRow(`SELECT count(*) FROM evidence`).Scan(&n)
	if n != 1 {
		t.Errorf("%d evidence rows for one file sent twice", n)
	}
	// Both receipts are in the file's chain of custody, and a photo's
	// capture metadata is read.
	var id int64
	db := s.raw(t)
	db.QueryRow(`SELECT incident_id FROM reports WHERE source = 'web-monitor' ORDER BY id LIMIT 1`).Scan(&id)
	_, body := c.get(fmt.Sprintf("/incidents/%d", id))
	if strings.Count(body, "received · mon — <bdi>via web as &#34;") != 2 || !strings.Contains(body, "the same file was already held") {
		t.Errorf("chain of custody on the incident page: %.2000s", body[strings.Index(body, "<main"):])
	}
	photo, err := os.ReadFile("../evidence/testdata/gps.jpg")
	if err != nil {
		t.Fatal(err)
	}
	c.get("/submit")
	if status, _ := c.upload("/submit", map[string]string{"date": "2017-01-12", "place": "Douma", "act": "airstrike", "description": "photo with GPS"}, "gps.jpg", photo); status != http.StatusSeeOther {
		t.Fatalf("photo upload: %d", status)
	}
	db.QueryRow(`SELECT incident_id FROM reports WHERE description = 'photo with GPS'`).Scan(&id)
	if _, body := c.get(fmt.Sprintf("/incidents/%d", id)); !strings.Contains(body, "at -38.40519, 144.18896") {
		t.Errorf("the photo's GPS position is not shown")
	}
}

// TestPublicRedaction: the public and a party see no original records,
// no witnesses' or monitors' words, no staff names, no comments.
func TestPublicRedaction(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	if _, err := s.app.Act(ctx, users[1], s.public, workflow.Event{Action: workflow.Comment, Reason: "internal: source is the cousin of the mayor"}); err != nil {
		t.Fatal(err)
	}
	pub := s.client(t)
	status, body := pub.get(fmt.Sprintf("/incidents/%d", s.public))
	if status != http.StatusOK {
		t.Fatalf("public page: %d", status)
	}
	for _, secret := range []string{"cousin of the mayor", "text/csv", "· rev →"} {
		if strings.Contains(body, secret) {
			t.Errorf("the public page shows %q", secret)
		}
	}
	if status, _ := pub.get(fmt.Sprintf("/incidents/%d", s.hidden)); status != http.StatusNotFound {
		t.Errorf("the public reads an incident under review: %d", status)
	}
	if _, geo := pub.get("/map/incidents.geojson"); strings.Contains(geo, fmt.Sprintf(`"id":%d,`, s.hidden)) || !strings.Contains(geo, fmt.Sprintf(`"id":%d,`, s.public)) {
		t.Errorf("public map data: %.300s", geo)
	}
	staff := s.client(t).login("rev")
	if _, body := staff.get(fmt.Sprintf("/incidents/%d", s.public)); !strings.Contains(body, "cousin of the mayor") {
		t.Error("staff do not see their comment")
	}
}

// TestIdentitiesSealed: a reporter's and a witness's names are stored
// only encrypted (not in the report, its original, or the log), and shown
// only to the Joint Group's staff.
func TestIdentitiesSealed(t *testing.T) {
	s := newSite(t)
	mon := s.client(t).login("mon")
	mon.get("/submit")
	status, _ := mon.upload("/submit", map[string]string{"date": "2017-01-10", "place": "Douma", "act": "shelling", "description": "Shells hit the bakery",
		"reporter_name": "Abu Khalil", "reporter_contact": "+963 11 555 0101", "witnesses": "Umm Samir, +963 11 555 0102\nHasan"}, "", nil)
	if status != http.StatusSeeOther {
		t.Fatalf("submit: %d", status)
	}
	db := s.raw(t)
	var id int64
	var doc, original string
	if err := db.QueryRow(`SELECT incident_id, doc, original FROM reports WHERE source = 'web-monitor' ORDER BY id DESC LIMIT 1`).Scan(&id, &doc, &original); err != nil {
		t.Fatal(err)
	}
	var inLog int
	db.QueryRow(`SELECT count(*) FROM log_entries WHERE CAST(data AS TEXT) LIKE '%Khalil%'`).Scan(&inLog)
	// "555 01", not "555": the place's geocoded coordinates may hold those
	// digits.
	for what, text := range map[string]string{"report": doc, "original": original} {
		if strings.Contains(text, "Khalil") || strings.Contains(text, "Samir") || strings.Contains(text, "555 01") {
			t.Errorf("the %s holds an identity in clear: %.300s", what, text)
		}
	}
	if inLog > 0 {
		t.Error("the log holds an identity")
	}
	page := fmt.Sprintf("/incidents/%d", id)
	if _, body := s.client(t).login("rev").get(page); !strings.Contains(body, "Abu Khalil") || !strings.Contains(body, "Umm Samir") {
		t.Error("the Joint Group's reviewer does not see the identities")
	}
	for _, v := range []string{"mon", "gov"} {
		if _, body := s.client(t).login(v).get(page); strings.Contains(body, "Khalil") || strings.Contains(body, "Samir") {
			t.Errorf("%s sees an identity", v)
		}
	}
	s.app.Act(context.Background(), users[1], id, workflow.Event{Action: workflow.Review})
	s.app.Act(context.Background(), users[1], id, workflow.Event{Action: workflow.Verify, Reason: "team report"})
	if _, body := s.client(t).get(page); strings.Contains(body, "Khalil") || strings.Contains(body, "Samir") || !strings.Contains(body, "[withheld]") {
		t.Error("the public sees an identity, or the report's words")
	}
}

// TestPasswordChange: the current password is needed; a change ends every
// session; the new password works, the old does not.
func TestPasswordChange(t *testing.T) {
	s := newSite(t)
	c := s.client(t).login("res")
	other := s.client(t).login("res")
	if status, body := c.post("/account", url.Values{"current": {"wrong password!!"}, "new": {"another long password"}, "confirm": {"another long password"}}); status != http.StatusForbidden || !strings.Contains(body, "Wrong name or password") {
		t.Errorf("wrong current password: %d", status)
	}
	if status, _ := c.post("/account", url.Values{"current": {password}, "new": {"short"}, "confirm": {"short"}}); status != http.StatusBadRequest {
		t.Errorf("short password: %d", status)
	}
	if status, _ := c.post("/account", url.Values{"current": {password}, "new": {"another long password"}, "confirm": {"another long password"}}); status != http.StatusSeeOther {
		t.Fatalf("change: %d", status)
	}
	if _, body := other.get("/account"); strings.Contains(body, "account.current") || strings.Contains(body, `name="current"`) {
		t.Error("another session survived the change")
	}
	d := s.client(t)
	d.get("/login")
	if status, _ := d.post("/login", url.Values{"name": {"res"}, "password": {password}}); status != http.StatusUnauthorized {
		t.Errorf("the old password still works: %d", status)
	}
	if status, _ := d.post("/login", url.Values{"name": {"res"}, "password": {"another long password"}}); status != http.StatusSeeOther {
		t.Errorf("the new password fails: %d", status)
	}
}

// TestDisabledUser: a disabled user's session, password and token stop
// working at once.
func TestDisabledUser(t *testing.T) {
	s := newSite(t)
	c := s.client(t).login("mon")
	if err := s.app.DisableUser(context.Background(), "mon"); err != nil {
		t.Fatal(err)
	}
	if status, _ := c.get("/account"); status != http.StatusSeeOther {
		t.Errorf("the session survived: %d", status)
	}
	d := s.client(t)
	d.get("/login")
	if status, _ := d.post("/login", url.Values{"name": {"mon"}, "password": {password}}); status != http.StatusUnauthorized {
		t.Errorf("the password still works: %d", status)
	}
	req, _ := http.NewRequest("GET", s.URL+"/api/notifications", nil)
	req.Header.Set("Authorization", "Bearer "+s.tokens["mon"])
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusUnauthorized {
		t.Errorf("the token still works: %v %v", res.StatusCode, err)
	}
}

// TestSubmitErrors: a refused report says which field was wrong, in the
// reader's language, and stores nothing.
func TestSubmitErrors(t *testing.T) {
	s := newSite(t)
	c := s.client(t).login("mon")
	c.get("/submit")
	base := map[string]string{"date": "2017-01-10", "place": "Douma", "act": "shelling", "description": "x"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range base {
			m[a] = b
		}
		m[k] = v
		return m
	}
	for _, tt := range []struct {
		form map[string]string
		want string
	}{
		{with("date", "31/02/2017"), `Date of the incident: &#34;31/02/2017&#34; is not a date (YYYY-MM-DD).`},
		{with("lat", "north"), `&#34;north&#34;, &#34;&#34; is not a latitude and longitude.`},
		{with("act", "bombing"), `act: &#34;bombing&#34; is not an act type`},
	} {
		status, body := c.upload("/submit", tt.form, "", nil)
		if status != http.StatusBadRequest || !strings.Contains(body, tt.want) {
			i := strings.Index(body, "<main")
			t.Errorf("%v: %d, want 400 with %s: %.400s", tt.form, status, tt.want, body[max(i, 0):])
		}
	}
	var n int
	s.raw(t).QueryRow(`SELECT count(*) FROM reports WHERE source = 'web-monitor'`).Scan(&n)
	if n != 0 {
		t.Errorf("%d refused reports were stored", n)
	}
	ar := s.client(t).login("mon")
	ar.get("/submit?lang=ar")
	if _, body := ar.upload("/submit", with("date", "x"), "", nil); !strings.Contains(body, "تاريخ الحادثة") {
		t.Error("the error is not in the reader's language")
	}
}
