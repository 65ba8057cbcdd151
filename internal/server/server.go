// Package server serves truce's JSON API over HTTP.
package server

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/agreement"
	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/httperr"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/metrics"
	"github.com/truce-monitor/truce/internal/period"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// Server is the HTTP API.
type Server struct {
	app   *app.App
	log   *slog.Logger
	mux   *routeMux
	token []byte
	// metrics count what the server does (metrics.go);
	// metricsHandler serves them.
	metrics        *metrics.Metrics
	metricsHandler http.Handler
	// modified is when the server first saw the log at its size, the
	// open data's Last-Modified (opendata.go).
	modified lastModified
}

// routeMux is the server's mux, which keeps the patterns registered on
// it: the one list of the routes, whoever registers them, that the
// OpenAPI document is checked against (Routes).
type routeMux struct {
	*http.ServeMux
	patterns []string
}

func (m *routeMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.HandleFunc(pattern, h)
}

func (m *routeMux) Handle(pattern string, h http.Handler) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.Handle(pattern, h)
}

// Routes are the patterns of every route registered, in order (the web
// interface's "/" last, when it is served).
func (s *Server) Routes() []string { return slices.Clone(s.mux.patterns) }

// Options configure the API.
type Options struct {
	// SubmitToken is the bearer token report submissions must carry.
	// Without one, submissions are refused: nothing is writable by
	// default. (Accounts and roles replace it with the web application.)
	SubmitToken string
	// UI, when set, serves every path the API does not: the browser
	// interface.
	UI http.Handler
	// Metrics, when set, are the metrics the server counts in (shared
	// with what else counts in the process); by default it makes its own.
	Metrics *metrics.Metrics
}

// maxReport bounds a submitted report's body.
const maxReport = 1 << 20

// New returns the API handler for a.
func New(a *app.App, opt Options) *Server {
	s := &Server{app: a, log: a.Log, mux: &routeMux{ServeMux: http.NewServeMux()}, token: []byte(opt.SubmitToken), metrics: opt.Metrics}
	if s.metrics == nil {
		s.metrics = metrics.New(metrics.Options{LogSize: a.LogSize})
	}
	s.metricsHandler = s.metrics.Handler()
	s.mux.HandleFunc("POST /api/reports", s.submit)
	s.mux.HandleFunc("GET /healthz", s.health)
	s.mux.HandleFunc("GET /api/agreements", s.listAgreements)
	s.mux.HandleFunc("GET /api/agreements/{id}", s.getAgreement)
	s.mux.HandleFunc("GET /api/agreements/{id}/versions/{n}", s.getVersion)
	s.mux.HandleFunc("GET /api/agreements/{id}/diff", s.diffVersions)
	s.mux.HandleFunc("GET /api/incidents", s.listIncidents)
	s.mux.HandleFunc("GET /api/incidents/{id}", s.getIncident)
	s.mux.HandleFunc("GET /api/rulings/summary", s.summary)
	s.mux.HandleFunc("GET /api/incidents/{id}/case", s.getCase)
	s.mux.HandleFunc("POST /api/incidents/{id}/events", s.postEvent)
	s.mux.HandleFunc("POST /api/evidence", s.postEvidence)
	s.mux.HandleFunc("GET /api/notifications", s.notifications)
	s.mux.HandleFunc("GET /api/openapi.json", s.openAPI)
	s.logRoutes()
	s.federationRoutes()
	s.subscriptionRoutes()
	s.dataRoutes()
	s.humanitarianRoutes()
	s.mux.HandleFunc("GET /metrics", s.metricsRoute)
	if opt.UI != nil {
		s.mux.Handle("/", opt.UI)
	}
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	s.instrument(w, r) // counted and logged (metrics.go), through the mux
}

// apiError is an error answer: the status and a message naming the
// parameter that was wrong.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &apiError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) error {
	return &apiError{http.StatusNotFound, fmt.Sprintf(format, args...)}
}

func (s *Server) reply(w http.ResponseWriter, r *http.Request, v any, err error) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if err != nil {
		status := http.StatusInternalServerError
		msg := "internal error"
		var ae *apiError
		if errors.As(err, &ae) {
			status, msg = ae.status, ae.msg
		} else if st, known := httperr.Status(err); known {
			status, msg = st, err.Error()
			if errors.Is(err, store.ErrNotOwner) {
				msg = "this report was submitted by someone else: only they (or an administrator) may revise it"
				s.log.Warn("revision refused", "path", r.URL.Path, "err", err)
			}
		} else {
			s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		}
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]string{"error": msg})
		return
	}
	// As json.Encoder with SetIndent("", "  ") writes it (see indent).
	b, err := json.Marshal(v)
	if err == nil {
		_, err = w.Write(append(indent(make([]byte, 0, len(b)+len(b)/2), b), '\n'))
	}
	if err != nil {
		s.log.Warn("write response", "path", r.URL.Path, "err", err)
	}
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	s.reply(w, r, map[string]string{"status": "ok"}, nil)
}

type versionInfo struct {
	Version int       `json:"version"`
	Label   string    `json:"label"`
	From    time.Time `json:"effective_from"`
	To      time.Time `json:"effective_to,omitzero"`
	Digest  string    `json:"digest"`
}

type agreementInfo struct {
	ID       string        `json:"id"`
	Title    string        `json:"title"`
	TimeZone string        `json:"timezone"`
	Versions []versionInfo `json:"versions"`
}

func info(ag *agreement.Agreement) agreementInfo {
	out := agreementInfo{ID: ag.ID, Title: ag.Title, TimeZone: ag.TimeZone}
	for _, p := range ag.Periods() {
		out.Versions = append(out.Versions, versionInfo{p.Version.Number, p.Version.Label, p.From, p.To, p.Version.Digest()})
	}
	return out
}

func (s *Server) listAgreements(w http.ResponseWriter, r *http.Request) {
	out := []agreementInfo{}
	for _, ag := range s.app.Agreements() {
		out = append(out, info(ag))
	}
	s.reply(w, r, out, nil)
}

func (s *Server) agreement(id string) (*agreement.Agreement, error) {
	ag, ok := s.app.Agreement(id)
	if !ok {
		return nil, notFound("no agreement %q", id)
	}
	return ag, nil
}

func (s *Server) getAgreement(w http.ResponseWriter, r *http.Request) {
	ag, err := s.agreement(r.PathValue("id"))
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	s.reply(w, r, struct {
		agreementInfo
		Full *agreement.Agreement `json:"agreement"`
	}{info(ag), ag}, nil)
}

func (s *Server) version(ag *agreement.Agreement, param, value string) (*agreement.Version, error) {
	n, err := strconv.Atoi(value)
	if err != nil {
		return nil, badRequest("%s: %q is not a version number", param, value)
	}
	v := ag.Version(n)
	if v == nil {
		return nil, notFound("agreement %s has no version %d", ag.ID, n)
	}
	return v, nil
}

func (s *Server) getVersion(w http.ResponseWriter, r *http.Request) {
	ag, err := s.agreement(r.PathValue("id"))
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	v, err := s.version(ag, "version", r.PathValue("n"))
	s.reply(w, r, v, err)
}

func (s *Server) diffVersions(w http.ResponseWriter, r *http.Request) {
	ag, err := s.agreement(r.PathValue("id"))
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	q := r.URL.Query()
	a, err := s.version(ag, "from", q.Get("from"))
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	b, err := s.version(ag, "to", q.Get("to"))
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	changes := agreement.Diff(a, b)
	if changes == nil {
		changes = []agreement.Change{}
	}
	s.reply(w, r, changes, nil)
}

// listParams are the parameters of the incident list and the summary:
// the filters, and the page. The open data takes the filters
// (filterParams).
var (
	filterParams = []string{"agreement", "from", "to", "party", "ruling", "verdict", "admin", "state", "q"}
	listParams   = append(slices.Clip(filterParams), "limit", "offset", "sort")
)

// filter reads the incident filters shared by listing and the summary.
func (s *Server) filter(r *http.Request) (store.Filter, *agreement.Agreement, error) {
	return s.filterOf(r, listParams)
}

// filterOf reads the incident filters and the page, of the parameters
// known (any other is refused by name).
func (s *Server) filterOf(r *http.Request, known []string) (store.Filter, *agreement.Agreement, error) {
	q := r.URL.Query()
	for k := range q {
		if !slices.Contains(known, k) {
			return store.Filter{}, nil, badRequest("unknown parameter %q (known: %s)", k, strings.Join(known, ", "))
		}
	}
	f := store.Filter{Agreement: q.Get("agreement"), Party: q.Get("party"), Admin: strings.ToUpper(q.Get("admin")), Text: strings.TrimSpace(q.Get("q"))}
	var ag *agreement.Agreement
	if f.Agreement == "" {
		if all := s.app.Agreements(); len(all) == 1 {
			ag = all[0]
			f.Agreement = ag.ID
		}
	} else {
		var err error
		if ag, err = s.agreement(f.Agreement); err != nil {
			return f, nil, err
		}
	}
	loc := s.app.DefaultLocation()
	if ag != nil {
		loc = ag.Location
	}
	var err error
	if f.From, f.To, err = period.Range("from", q.Get("from"), "to", q.Get("to"), loc); err != nil {
		return f, nil, badRequest("%v", err)
	}
	// verdict is the web interface's name of ruling.
	v, param := q.Get("ruling"), "ruling"
	if w := q.Get("verdict"); w != "" {
		if v != "" && v != w {
			return f, nil, badRequest("verdict: %q differs from ruling %q (they are the same filter)", w, v)
		}
		v, param = w, "verdict"
	}
	if v != "" {
		switch ruling.Verdict(v) {
		case ruling.Violation, ruling.NotViolation, ruling.Undetermined:
			f.Verdict = ruling.Verdict(v)
		default:
			return f, nil, badRequest("%s: %q is not violation, not_violation or undetermined", param, v)
		}
	}
	if st := incident.State(q.Get("state")); st != "" {
		switch st {
		case incident.Reported, incident.UnderReview, incident.Verified, incident.Disputed, incident.Dismissed:
			f.State = st
		default:
			return f, nil, badRequest("state: %q is not reported, under_review, verified, disputed or dismissed", st)
		}
	}
	if (f.Party != "" || f.Verdict != "") && ag == nil {
		return f, nil, badRequest("agreement: required to filter by party or ruling")
	}
	if f.Party != "" && ag != nil {
		known := false
		for _, v := range ag.Versions {
			known = known || v.Party(f.Party) != nil
		}
		if !known {
			return f, nil, badRequest("party: %q is not a party to %s", f.Party, ag.ID)
		}
	}
	if !slices.Contains(known, "limit") {
		return f, ag, nil
	}
	if f.Limit, err = intParam(q.Get("limit"), "limit", 100, 1000); err != nil {
		return f, nil, err
	}
	if f.Offset, err = intParam(q.Get("offset"), "offset", 0, 1<<31); err != nil {
		return f, nil, err
	}
	switch q.Get("sort") {
	case "", "oldest":
	case "newest":
		f.Newest = true
	default:
		return f, nil, badRequest("sort: %q is not oldest or newest", q.Get("sort"))
	}
	return f, ag, nil
}

func intParam(v, name string, def, max int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > max {
		return 0, badRequest("%s: %q is not a number from 0 to %d", name, v, max)
	}
	return n, nil
}

func (s *Server) listIncidents(w http.ResponseWriter, r *http.Request) {
	u, ok := s.viewer(w, r)
	if !ok {
		return
	}
	f, _, err := s.filter(r)
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	items, total, err := s.app.Incidents(r.Context(), u, f)
	if items == nil {
		items = []store.IncidentSummary{}
	}
	// Past store.CountCap the total is a floor: "total_more" says so.
	total, more := store.Shown(total)
	s.reply(w, r, map[string]any{"total": total, "total_more": more, "limit": f.Limit, "offset": f.Offset, "incidents": items}, err)
}

func (s *Server) getIncident(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.reply(w, r, nil, badRequest("id: %q is not an incident id", r.PathValue("id")))
		return
	}
	u, ok := s.viewer(w, r)
	if !ok {
		return
	}
	c, err := s.app.CaseFor(r.Context(), u, id)
	s.reply(w, r, c, err)
}

func (s *Server) summary(w http.ResponseWriter, r *http.Request) {
	u, ok := s.viewer(w, r)
	if !ok {
		return
	}
	f, _, err := s.filter(r)
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	if f.Agreement == "" {
		s.reply(w, r, nil, badRequest("agreement: required"))
		return
	}
	// Counted in the database, grouped by what the tally counts by.
	counts, err := s.app.RulingCounts(r.Context(), u, f, 0)
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	// Each ruling counts in its incident's review column (ruling.ReviewOf):
	// a dismissed incident is never a violation, an unreviewed one is
	// under review, not verified. The viewer's visibility chose the
	// incidents: the public's are the published ones.
	t := ruling.NewTally()
	for _, c := range counts {
		t.AddN(c.Version, c.Verdict, c.Outcome, c.Parties, c.Clauses, c.State, c.N)
	}
	s.reply(w, r, t, nil)
}

// submit takes one report in truce's JSON (the format of a line of
// "truce export jsonl") and answers only once it is durable: 201 with the
// ids when new, 200 when the same report was already stored or updated.
func (s *Server) submit(w http.ResponseWriter, r *http.Request) {
	// A user's token says who reports and so what the report is; the
	// shared submit token is a trusted machine client's, which may say
	// itself (a monitor's by default).
	got, hasToken := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	shared := hasToken && len(s.token) > 0 && subtle.ConstantTimeCompare([]byte(got), s.token) == 1
	var user *workflow.User
	if !shared {
		if !hasToken && len(s.token) == 0 {
			s.reply(w, r, nil, &apiError{http.StatusForbidden, "report submission needs a user's token (truce user add), or the server's submit token"})
			return
		}
		u, ok := s.user(w, r)
		if !ok {
			return
		}
		user = &u
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxReport))
	if err != nil {
		s.reply(w, r, nil, &apiError{http.StatusRequestEntityTooLarge, fmt.Sprintf("a report may be at most %d bytes", maxReport)})
		return
	}
	var res store.Imported
	var rep *incident.Report
	if user != nil {
		res, rep, err = s.app.SubmitAs(r.Context(), body, user)
	} else {
		res, rep, err = s.app.Submit(r.Context(), body, incident.FromMonitor)
	}
	s.countSubmission(res, err)
	if errors.Is(err, app.ErrInvalidReport) {
		s.reply(w, r, nil, badRequest("%v", err))
		return
	}
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	if res.Outcome == store.Created {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Location", fmt.Sprintf("/api/incidents/%d", res.IncidentID))
		w.WriteHeader(http.StatusCreated)
	}
	s.reply(w, r, map[string]any{
		"report_id": res.ReportID, "incident_id": res.IncidentID, "outcome": res.Outcome.String(),
		"source": rep.Source, "source_id": rep.SourceID,
	}, nil)
}

// countSubmission counts a submitted report as an imported row of the
// "api" channel: stored, unchanged, or rejected (invalid, or refused).
func (s *Server) countSubmission(res store.Imported, err error) {
	switch {
	case err != nil:
		s.metrics.CountImport("api", 1, 0, 0, 1)
	case res.Outcome == store.Unchanged:
		s.metrics.CountImport("api", 1, 0, 1, 0)
	default:
		s.metrics.CountImport("api", 1, 1, 0, 0)
	}
}
