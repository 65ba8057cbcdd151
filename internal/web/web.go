// Package web is truce's browser interface: pages rendered on the server
// from embedded templates, in the user's language, with a little
// JavaScript for the map only. Every page and form checks, on the server,
// who is asking (session cookie), what they may see (app.Visibility), and
// that a form came from truce (CSRF token).
package web

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/auth"
	"github.com/truce-monitor/truce/internal/evidence"
	"github.com/truce-monitor/truce/internal/httperr"
	"github.com/truce-monitor/truce/internal/i18n"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Cookie names.
const (
	sessionCookie = "truce_session"
	langCookie    = "truce_lang"
	// anonCSRFCookie carries the CSRF token of visitors without a
	// session (the login and public report forms): the form's copy must
	// match it (double submit).
	anonCSRFCookie = "truce_csrf"
)

// Options configure the interface.
type Options struct {
	// InsecureCookies drops the Secure flag, for serving plain HTTP on a
	// machine's own network during development. Never in production.
	InsecureCookies bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed (see auth.ClientAddr); without them every request is
	// taken to come from its direct peer.
	TrustedProxies []netip.Prefix
	// ConcurrentLogins bounds the password checks run at once; 0 means
	// one per CPU.
	ConcurrentLogins int
	Log              *slog.Logger
}

// UI serves the pages.
type UI struct {
	app   *app.App
	cat   *i18n.Catalog
	tmpl  map[string]*template.Template
	mux   *http.ServeMux
	opt   Options
	login auth.Limiter
	// hashes bounds the argon2id checks of logins and password changes.
	hashes *auth.Gate
	// checkLogin is app.Login, replaceable by tests to watch the
	// password checks.
	checkLogin func(ctx context.Context, name, password string) (token, csrf string, u workflow.User, err error)
	log        *slog.Logger
	static     *assets
}

// New makes the interface.
func New(a *app.App, opt Options) (*UI, error) {
	cat, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	u := &UI{app: a, cat: cat, mux: http.NewServeMux(), opt: opt, log: opt.Log,
		login: auth.Limiter{Burst: 5, Every: 12 * time.Second}, hashes: newHashGate(opt.ConcurrentLogins)}
	u.checkLogin = a.Login
	static, _ := fs.Sub(staticFS, "static")
	if u.static, err = loadAssets(static); err != nil {
		return nil, err
	}
	if err := u.parse(); err != nil {
		return nil, err
	}
	u.mux.Handle("GET /static/", http.StripPrefix("/static/", u.static))
	u.mux.HandleFunc("GET /{$}", u.page(u.dashboard))
	u.mux.HandleFunc("GET /incidents", u.page(u.incidents))
	u.mux.HandleFunc("GET /incidents/{id}", u.page(u.incident))
	u.mux.HandleFunc("POST /incidents/{id}/events", u.form(u.postEvent))
	u.mux.HandleFunc("GET /evidence/{sha}", u.page(u.evidence))
	u.mux.HandleFunc("GET /map", u.page(u.mapPage))
	u.mux.HandleFunc("GET /map/incidents.geojson", u.page(u.mapIncidents))
	u.mux.HandleFunc("GET /map/boundaries.geojson", u.boundaries)
	u.mux.HandleFunc("GET /map/humanitarian.geojson", u.page(u.mapHumanitarian))
	u.mux.HandleFunc("GET /areas/{pcode}", u.page(u.area))
	u.mux.HandleFunc("GET /log", u.page(u.logPage))
	u.mux.HandleFunc("GET /agreements", u.page(u.agreements))
	u.mux.HandleFunc("GET /agreements/{id}", u.page(u.agreement))
	u.mux.HandleFunc("GET /agreements/{id}/zones.geojson", u.page(u.zones))
	u.mux.HandleFunc("GET /bulletins", u.page(u.bulletins))
	u.mux.HandleFunc("GET /bulletins/{period}/{date}", u.page(u.bulletin))
	u.mux.HandleFunc("GET /submit", u.page(u.submitForm))
	u.mux.HandleFunc("POST /submit", u.form(u.submit))
	u.mux.HandleFunc("GET /login", u.page(u.loginForm))
	u.mux.HandleFunc("POST /login", u.form(u.postLogin))
	u.mux.HandleFunc("POST /logout", u.form(u.logout))
	u.mux.HandleFunc("GET /account", u.page(u.account))
	u.mux.HandleFunc("POST /account", u.form(u.postAccount))
	return u, nil
}

// ServeHTTP sets the headers every answer carries.
func (u *UI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	if !u.opt.InsecureCookies || r.TLS != nil {
		// Secure cookies mean TLS in front (docs/deployment.md): keep
		// browsers on it. Browsers ignore the header over plain HTTP.
		h.Set("Strict-Transport-Security", "max-age=63072000")
	}
	u.mux.ServeHTTP(w, r)
}

// req is one request as the handlers see it.
type req struct {
	u    *UI
	w    http.ResponseWriter
	r    *http.Request
	ctx  context.Context
	lang string
	user *workflow.User // nil for the public
	csrf string
}

func (q *req) t(key string, args ...any) string { return q.u.cat.T(q.lang, key, args...) }

// httpError is an answer other than a page: a status and a message key.
type httpError struct {
	status int
	key    string
	args   []any
}

func (e *httpError) Error() string { return e.key }

func fail(status int, key string, args ...any) error { return &httpError{status, key, args} }

// page wraps a GET handler: it finds the language and the user, and
// answers errors as pages.
func (u *UI) page(h func(*req) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := u.begin(w, r)
		u.finish(q, h(q))
	}
}

// form wraps a POST handler: the CSRF token of the session (or, without
// one, of the double-submit cookie) must come with the form.
func (u *UI) form(h func(*req) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := u.begin(w, r)
		r.Body = http.MaxBytesReader(w, r.Body, maxUpload+1<<20)
		var err error
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			err = r.ParseMultipartForm(1 << 20)
		} else {
			err = r.ParseForm()
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				u.finish(q, fail(http.StatusRequestEntityTooLarge, "error.too_large", maxUpload>>20))
				return
			}
			u.finish(q, fail(http.StatusBadRequest, "error.bad_form"))
			return
		}
		want := q.csrf
		if q.user == nil {
			if c, err := r.Cookie(anonCSRFCookie); err == nil {
				want = c.Value
			}
		}
		if want == "" || !auth.Equal(r.PostFormValue("csrf"), want) {
			key := "error.csrf"
			if u.cookiesLost(r) {
				// Not an expired form: the browser never sent back the
				// Secure cookie it was given over plain HTTP.
				key = "error.csrf_insecure"
			}
			u.finish(q, fail(http.StatusForbidden, key))
			return
		}
		u.finish(q, h(q))
	}
}

func (u *UI) begin(w http.ResponseWriter, r *http.Request) *req {
	ctx := r.Context()
	q := &req{u: u, w: w, r: r, ctx: ctx}
	chosen := ""
	if l := r.URL.Query().Get("lang"); u.cat.Has(l) {
		chosen = l
		http.SetCookie(w, u.cookie(langCookie, l, 365*24*time.Hour))
	} else if c, err := r.Cookie(langCookie); err == nil {
		chosen = c.Value
	}
	q.lang = u.cat.Match(chosen, r.Header.Get("Accept-Language"))
	if c, err := r.Cookie(sessionCookie); err == nil {
		usr, csrf, err := u.app.Session(ctx, c.Value)
		if err == nil {
			q.user, q.csrf = &usr, csrf
		}
	}
	if q.user == nil {
		// Visitors get a CSRF cookie for the forms they may post.
		if c, err := r.Cookie(anonCSRFCookie); err == nil && len(c.Value) > 20 {
			q.csrf = c.Value
		} else {
			q.csrf = auth.Token("a_")
			http.SetCookie(w, u.cookie(anonCSRFCookie, q.csrf, 12*time.Hour))
		}
	}
	return q
}

// cookiesLost tells whether a form came without truce's cookies because
// they are Secure and the request came over plain HTTP to a host a browser
// does not treat as secure (anything but localhost and loopback): the
// browser keeps such cookies to itself, and every form then fails.
func (u *UI) cookiesLost(r *http.Request) bool {
	if u.opt.InsecureCookies || r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		return false
	}
	if _, err := r.Cookie(anonCSRFCookie); err == nil {
		return false
	}
	if _, err := r.Cookie(sessionCookie); err == nil {
		return false
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return false
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsLoopback() {
		return false
	}
	return true
}

func (u *UI) cookie(name, value string, maxAge time.Duration) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: int(maxAge.Seconds()), HttpOnly: true,
		Secure: !u.opt.InsecureCookies, SameSite: http.SameSiteStrictMode}
}

// finish answers an error as a page in the user's language.
func (u *UI) finish(q *req, err error) {
	if err == nil {
		return
	}
	status, msg, known := u.explain(q, err)
	if !known {
		u.log.Error("page failed", "path", q.r.URL.Path, "err", err)
	}
	if status == http.StatusUnauthorized {
		// Back to the page after logging in; a form's page is its
		// action without the verb.
		next := q.r.URL.RequestURI()
		if q.r.Method != http.MethodGet {
			next = strings.TrimSuffix(q.r.URL.Path, "/events")
		}
		http.Redirect(q.w, q.r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	}
	q.w.WriteHeader(status)
	u.render(q, "error", "error.title", map[string]any{"Message": msg, "Status": status})
}

// explain is an error's status and message in the reader's language;
// known is false for a failure of the server.
func (u *UI) explain(q *req, err error) (status int, msg string, known bool) {
	status, key, args := http.StatusInternalServerError, "error.internal", []any(nil)
	known = true
	var he *httpError
	if errors.As(err, &he) {
		return he.status, q.t(he.key, he.args...), true
	}
	status, known = httperr.Status(err)
	switch {
	case !known:
	case status == http.StatusNotFound:
		key = "error.not_found"
	case errors.Is(err, store.ErrTooBroad):
		key = "error.search_too_broad"
	default:
		key, args = "error.workflow", []any{err.Error()}
	}
	return status, q.t(key, args...), known
}

// refill answers a refused form with its page again, the error on top and
// what the user typed kept; other errors (a failure, a login needed, a
// case not found) are answered as usual.
func (u *UI) refill(q *req, err error, again func(msg string) error) error {
	status, msg, known := u.explain(q, err)
	if !known || status == http.StatusUnauthorized || status == http.StatusNotFound || status == http.StatusTooManyRequests {
		return err
	}
	q.w.WriteHeader(status)
	return again(msg)
}

// view is what every template gets.
type view struct {
	Lang    string
	Dir     string
	Langs   []i18n.Lang
	User    *workflow.User
	CSRF    string
	Title   string
	Path    string
	Data    any
	Flash   string
	Version string
	// Query is the page's query, kept by the language links.
	Query url.Values
}

func (u *UI) render(q *req, name, titleKey string, data any) error {
	dir := "ltr"
	if i18n.RTL(q.lang) {
		dir = "rtl"
	}
	v := view{Lang: q.lang, Dir: dir, Langs: i18n.Languages, User: q.user, CSRF: q.csrf, Title: q.t(titleKey),
		Path: q.r.URL.Path, Data: data, Flash: q.r.URL.Query().Get("done"), Query: url.Values{}}
	if q.r.Method == http.MethodGet {
		v.Query = q.r.URL.Query()
	}
	var buf bytes.Buffer
	if err := u.tmpl[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("template %s: %w", name, err)
	}
	q.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err := buf.WriteTo(q.w)
	return err
}

func (u *UI) parse() error {
	u.tmpl = map[string]*template.Template{}
	pages, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	for _, p := range pages {
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t := template.New(name).Funcs(u.funcs()).Funcs(u.localeFuncs()).Funcs(u.humanitarianFuncs())
		if _, err := t.ParseFS(templateFS, "templates/layout.html", p); err != nil {
			return fmt.Errorf("template %s: %w", name, err)
		}
		u.tmpl[name] = t
	}
	return nil
}

func (u *UI) funcs() template.FuncMap {
	return template.FuncMap{
		"t":   func(lang, key string, args ...any) string { return u.cat.T(lang, key, args...) },
		"num": i18n.Number,
		// static is a static file's address under its hashed name.
		"static": u.static.url,
		// langHref is the page in another language, with its filters.
		"langHref": func(query url.Values, lang string) string {
			w := url.Values{}
			for k, vs := range query {
				if k != "done" {
					w[k] = vs
				}
			}
			w.Set("lang", lang)
			return "?" + w.Encode()
		},
		// shown translates the mark of a withheld field.
		"shown": func(lang, s string) string {
			if s == app.Withheld {
				return u.cat.T(lang, "withheld")
			}
			return s
		},
		"actor": func(lang string, a incident.ActorRef) string {
			if a.ID == "" {
				return a.Name
			}
			return u.app.Actors.DisplayName(a.ID, lang)
		},
		"place": u.placeLabel,
		"kib": func(lang string, n int64) string {
			return u.cat.T(lang, "file.kib", i18n.Number(lang, int((n+1023)/1024)))
		},
		"meta": func(raw json.RawMessage) *evidence.Meta {
			var m evidence.Meta
			if json.Unmarshal(raw, &m) != nil {
				return nil
			}
			return &m
		},
		"date": i18n.Date,
		"pct": func(n, total int) int {
			if total == 0 {
				return 0
			}
			return n * 100 / total
		},
		"has": func(u *workflow.User, roles ...string) bool {
			if u == nil {
				return false
			}
			for _, r := range roles {
				if string(u.Role) == r {
					return true
				}
			}
			return false
		},
	}
}

// placeLabel names a place in the reader's script where the gazetteer and
// the boundaries know it (Arabic script for Arabic and Persian), with the
// sub-district it lies in.
func (u *UI) placeLabel(lang string, p incident.Place) string {
	arabic := lang == "ar" || lang == "fa"
	name := p.Name
	if arabic && name != "" {
		for _, g := range u.app.Places.Lookup(name) {
			if g.NameAR != "" && (p.Admin1 == "" || g.Admin1 == p.Admin1) {
				name = g.NameAR
				break
			}
		}
	}
	code := p.Admin3
	if code == "" {
		code = p.Area
	}
	unit := ""
	if un, ok := u.app.Boundaries.Unit(code); ok {
		unit = un.Name
		if arabic && un.NameAR != "" {
			unit = un.NameAR
		}
	}
	switch {
	case name != "" && unit != "" && unit != name:
		return name + " (" + unit + ")"
	case name != "":
		return name
	case unit != "":
		return unit
	}
	return p.Label()
}

// clientIP is the address a request came from, for rate limits: its
// peer's, or behind a trusted proxy the client's the proxy forwarded.
func (u *UI) clientIP(r *http.Request) string {
	return auth.ClientAddr(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), u.opt.TrustedProxies)
}
