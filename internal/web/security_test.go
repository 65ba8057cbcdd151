package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/server"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/web"
	"github.com/truce-monitor/truce/internal/workflow"
)

// newLoginSite is a site with users and no incidents, served with opt;
// prepare, when set, sees the interface before it serves.
func newLoginSite(t *testing.T, opt web.Options, prepare func(*web.UI)) *site {
	t.Helper()
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: filepath.Join(t.TempDir(), "login.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	s := &site{app: a, tokens: map[string]string{}}
	for _, u := range users[:3] { // admin, rev, ru
		if s.tokens[u.Name], err = a.AddUser(ctx, u, password); err != nil {
			t.Fatal(err)
		}
	}
	ui, err := web.New(a, opt)
	if err != nil {
		t.Fatal(err)
	}
	if prepare != nil {
		prepare(ui)
	}
	s.Server = httptest.NewServer(server.New(a, server.Options{UI: ui}))
	t.Cleanup(s.Close)
	return s
}

// loginFrom posts the login form as a client behind a proxy that says the
// client's address is forwardedFor (none when empty).
func (c *client) loginFrom(forwardedFor, name, pw string) *http.Response {
	c.t.Helper()
	form := url.Values{"name": {name}, "password": {pw}, "csrf": {c.csrf}}
	req, _ := http.NewRequest("POST", c.s.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", forwardedFor)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// TestLoginParallelGuesses: guesses sent at once get no more tries than
// the limit allows. The limit used to be checked before the password
// hash and spent after it, so every guess in flight passed the check.
func TestLoginParallelGuesses(t *testing.T) {
	t.Parallel()
	s := newLoginSite(t, web.Options{InsecureCookies: true}, nil)
	c := s.client(t)
	c.get("/login")
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	start := make(chan struct{})
	for i := range 20 {
		wg.Go(func() {
			<-start
			res := c.loginFrom("", "rev", fmt.Sprintf("guess number %d", i))
			mu.Lock()
			statuses[res.StatusCode]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	if statuses[http.StatusUnauthorized] > 5 || statuses[http.StatusUnauthorized] == 0 || statuses[http.StatusSeeOther] > 0 {
		t.Errorf("20 parallel guesses: %v; want at most the budget of 5 checked (401), the rest 429 or 503", statuses)
	}
}

// TestLoginLimits: the limit is per account and per client address, and
// behind a trusted proxy the address is the client's, not the proxy's.
func TestLoginLimits(t *testing.T) {
	t.Parallel()
	s := newLoginSite(t, web.Options{InsecureCookies: true, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, nil)
	c := s.client(t)
	c.get("/login")
	status := func(xff, name, pw string) int { return c.loginFrom(xff, name, pw).StatusCode }

	// Five wrong passwords for rev, from five addresses: rev is locked,
	// whoever asks; ru is not.
	for i := range 5 {
		if got := status(fmt.Sprintf("203.0.113.%d", i+1), "rev", "a wrong password"); got != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i, got)
		}
	}
	if got := status("203.0.113.50", "rev", "a wrong password"); got != http.StatusTooManyRequests {
		t.Errorf("a sixth guess at rev from a new address: %d, want 429", got)
	}
	if got := status("203.0.113.50", "ru", password); got != http.StatusSeeOther {
		t.Errorf("ru, while rev is locked: %d, want 303", got)
	}
	c = s.client(t) // logged out again
	c.get("/login")

	// One client behind the proxy spends its address's attempts (on
	// names that are no one's, so that no account is locked)...
	for i := range 5 {
		status("198.51.100.1", fmt.Sprintf("nobody-%d", i), "a wrong password")
	}
	if got := status("198.51.100.1", "admin", password); got != http.StatusTooManyRequests {
		t.Errorf("a spent address: %d, want 429", got)
	}
	// ...and another client behind the same proxy is not locked out.
	if got := status("198.51.100.2", "nobody-else", "a wrong password"); got != http.StatusUnauthorized {
		t.Errorf("another client behind the proxy, wrong password: %d, want 401", got)
	}
	if got := status("198.51.100.2", "admin", password); got != http.StatusSeeOther {
		t.Errorf("another client behind the proxy: %d, want 303", got)
	}
	c = s.client(t)
	c.get("/login")
	// The proxy's own hop is trusted, what the client wrote left of it
	// is not: a client cannot pick its address.
	if got := status("192.0.2.99, 198.51.100.1", "admin", password); got != http.StatusTooManyRequests {
		t.Errorf("a spent client naming another address before its own: %d, want 429", got)
	}
}

// TestLoginSpoofedForwardedFor: a client that is not a trusted proxy
// cannot get fresh attempts by sending X-Forwarded-For.
func TestLoginSpoofedForwardedFor(t *testing.T) {
	t.Parallel()
	for _, proxies := range [][]netip.Prefix{nil, {netip.MustParsePrefix("192.0.2.0/24")}} {
		s := newLoginSite(t, web.Options{InsecureCookies: true, TrustedProxies: proxies}, nil)
		c := s.client(t)
		c.get("/login")
		for i := range 5 {
			c.loginFrom(fmt.Sprintf("203.0.113.%d", i), fmt.Sprintf("nobody-%d", i), "a wrong password")
		}
		if got := c.loginFrom("203.0.113.200", "admin", password).StatusCode; got != http.StatusTooManyRequests {
			t.Errorf("proxies %v: a spoofed X-Forwarded-For got a fresh limit: %d, want 429", proxies, got)
		}
	}
}

// TestLoginHashCap: no more password checks run at once than allowed; the
// others wait briefly or are turned away with Retry-After, never queued
// without end. 150 logins at once used to take 2 GB and stall the server.
func TestLoginHashCap(t *testing.T) {
	t.Parallel()
	var inFlight, most, checks atomic.Int32
	watch := func(next web.LoginCheck) web.LoginCheck {
		return func(ctx context.Context, name, pw string) (string, string, workflow.User, error) {
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			checks.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(50 * time.Millisecond) // a slower machine
			return next(ctx, name, pw)
		}
	}
	s := newLoginSite(t, web.Options{InsecureCookies: true, ConcurrentLogins: 2,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, func(u *web.UI) { web.WrapLoginCheck(u, watch) })
	c := s.client(t)
	c.get("/login")
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	start := make(chan struct{})
	for i := range 60 {
		wg.Go(func() {
			<-start
			// Each from its own address and name: only the cap stops them.
			res := c.loginFrom(fmt.Sprintf("203.0.113.%d", i), fmt.Sprintf("nobody-%d", i), "a wrong password")
			mu.Lock()
			statuses[res.StatusCode]++
			mu.Unlock()
			if res.StatusCode == http.StatusServiceUnavailable && res.Header.Get("Retry-After") == "" {
				t.Error("503 without Retry-After")
			}
		})
	}
	close(start)
	wg.Wait()
	if m := most.Load(); m > 2 || m == 0 {
		t.Errorf("%d password checks at once, want at most 2", m)
	}
	if statuses[http.StatusServiceUnavailable] == 0 || int(checks.Load()) != statuses[http.StatusUnauthorized] {
		t.Errorf("60 logins at once: %v, %d checks; want some turned away (503)", statuses, checks.Load())
	}
}

// TestLoginRedirect: after a login, only a path on this site is followed.
func TestLoginRedirect(t *testing.T) {
	t.Parallel()
	s := newLoginSite(t, web.Options{InsecureCookies: true}, nil)
	for _, tt := range []struct{ next, want string }{
		{"/incidents?party=GOV", "/incidents?party=GOV"},
		{"/incidents/4", "/incidents/4"},
		{"//evil.example/", "/"},
		{"/\\evil.example/", "/"},
		{"/\t/evil.example/", "/"},
		{"/\n/evil.example/", "/"},
		{"/\r\n/evil.example/", "/"},
		{"/\x00/evil.example/", "/"},
		{"/\x7f/evil.example/", "/"},
		{"\t//evil.example/", "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{"", "/"},
	} {
		c := s.client(t)
		c.get("/login")
		res, err := c.http.PostForm(s.URL+"/login", url.Values{"name": {"admin"}, "password": {password}, "csrf": {c.csrf}, "next": {tt.next}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || got != tt.want {
			t.Errorf("next %q: %d to %q, want %q", tt.next, res.StatusCode, got, tt.want)
		}
	}
}

// TestStaticFiles: files are served, folders are not listed.
func TestStaticFiles(t *testing.T) {
	t.Parallel()
	s := newLoginSite(t, web.Options{InsecureCookies: true}, nil)
	c := s.client(t)
	for path, want := range map[string]int{
		"/static/truce.css":           http.StatusOK,
		"/static/leaflet/leaflet.js":  http.StatusOK,
		"/static/":                    http.StatusNotFound,
		"/static/leaflet/":            http.StatusNotFound,
		"/static/leaflet":             http.StatusNotFound,
		"/static/leaflet/images/":     http.StatusNotFound,
		"/static/leaflet/images/x.js": http.StatusNotFound,
	} {
		if got, body := c.get(path); got != want {
			t.Errorf("GET %s: %d, want %d: %.200s", path, got, want, body)
		}
	}
}

// TestHSTS: with Secure cookies (TLS in front) browsers are told to keep
// to HTTPS; in the plain-HTTP development mode they are not.
func TestHSTS(t *testing.T) {
	t.Parallel()
	for insecure, want := range map[bool]bool{false: true, true: false} {
		s := newLoginSite(t, web.Options{InsecureCookies: insecure}, nil)
		res, err := http.Get(s.URL + "/login")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got := res.Header.Get("Strict-Transport-Security"); (got != "") != want || (want && !strings.HasPrefix(got, "max-age=")) {
			t.Errorf("insecure cookies %v: Strict-Transport-Security %q", insecure, got)
		}
	}
}

// TestRefusedReportStoresNothing: a web report refused for a bad field
// leaves no evidence and no log entry behind. Its file used to be stored
// (with its evidence and custody log entries) before the report was
// checked.
func TestRefusedReportStoresNothing(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	logSize := func() int64 {
		t.Helper()
		n, err := s.app.LogSize(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	photo := append(append([]byte{}, png...), "a photo sent with a refused report"...)
	sum := sha256.Sum256(photo)
	sha := hex.EncodeToString(sum[:])
	c := s.client(t).login("mon")
	c.get("/submit")
	before := logSize()
	good := map[string]string{"date": "2017-01-10", "place": "Douma", "act": "shelling", "description": "x"}
	for field, bad := range map[string]string{"act": "bombing", "lat": "north", "date": "yesterday"} {
		form := map[string]string{}
		for k, v := range good {
			form[k] = v
		}
		form[field] = bad
		if status, _ := c.upload("/submit", form, "photo.png", photo); status != http.StatusBadRequest {
			t.Errorf("%s %q: %d, want 400", field, bad, status)
		}
		if _, _, err := s.app.Download(ctx, app.Operator(), sha, "test"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s %q: the refused report's file was stored (%v)", field, bad, err)
		}
		if after := logSize(); after != before {
			t.Errorf("%s %q: the log grew from %d to %d entries", field, bad, before, after)
		}
	}
	// The same report, correct, stores its file.
	if status, _ := c.upload("/submit", good, "photo.png", photo); status != http.StatusSeeOther {
		t.Fatalf("good report: %d", status)
	}
	if _, _, err := s.app.Download(ctx, app.Operator(), sha, "test"); err != nil {
		t.Errorf("the accepted report's file: %v", err)
	}
}

// TestRefusedReplyStoresNothing: a reply the workflow refuses (here a
// monitor's: only the accused party replies) stores no file and no log
// entry, like a refused report.
func TestRefusedReplyStoresNothing(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	ls := s.app
	photo := append(append([]byte{}, png...), "a photo sent with a refused reply"...)
	sum := sha256.Sum256(photo)
	sha := hex.EncodeToString(sum[:])
	c := s.client(t).login("mon")
	c.get("/incidents/1")
	before, _ := ls.LogSize(ctx)
	if status, _ := c.upload("/incidents/1/events", map[string]string{"action": "reply", "stance": "deny", "reason": "not us"}, "photo.png", photo); status < 400 {
		t.Fatalf("a monitor's reply: %d, want it refused", status)
	}
	if _, _, err := s.app.Download(ctx, app.Operator(), sha, "test"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the refused reply's file was stored (%v)", err)
	}
	if after, _ := ls.LogSize(ctx); after != before {
		t.Errorf("the log grew from %d to %d entries", before, after)
	}
}
