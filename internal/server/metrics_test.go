package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/metrics"
	"github.com/truce-monitor/truce/internal/server"
	"github.com/truce-monitor/truce/internal/workflow"
)

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// logSite is a server over an empty database whose log is kept.
type logSite struct {
	*httptest.Server
	srv    *server.Server
	log    *syncBuffer
	tokens map[string]string
}

func newLogSite(t *testing.T, level slog.Level) *logSite {
	t.Helper()
	ctx := context.Background()
	s := &logSite{log: &syncBuffer{}, tokens: map[string]string{}}
	logger := slog.New(slog.NewJSONHandler(s.log, &slog.HandlerOptions{Level: slog.LevelInfo}))
	a, err := app.Open(ctx, app.Config{DB: filepath.Join(t.TempDir(), "log.db"), Logger: server.WithLevel(logger, level)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	for _, u := range []workflow.User{{Name: "root", Role: workflow.Admin}, {Name: "rev", Role: workflow.Reviewer}} {
		if s.tokens[u.Name], err = a.AddUser(ctx, u, ""); err != nil {
			t.Fatal(err)
		}
	}
	s.srv = server.New(a, server.Options{SubmitToken: testToken})
	s.Server = httptest.NewServer(s.srv)
	t.Cleanup(s.Close)
	return s
}

// requests are the request lines of the log.
func (s *logSite) requests(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(s.log.String()) {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if v["msg"] == "request" {
			out = append(out, v)
		}
	}
	return out
}

// TestMetrics: /metrics is an administrator's, counts requests by route
// pattern and status, rows submitted, and reads the log's size; its own
// handler serves it without a token.
func TestMetrics(t *testing.T) {
	s := newLogSite(t, slog.LevelInfo)
	for _, tt := range []struct {
		token  string
		status int
	}{{"", 401}, {s.tokens["rev"], 403}, {"truce_guess", 401}} {
		if res, body := fetch(t, s.URL, tt.token, "/metrics"); res.StatusCode != tt.status {
			t.Errorf("/metrics with %q: %d %s", tt.token, res.StatusCode, body)
		}
	}
	fetch(t, s.URL, "", "/api/agreements")
	fetch(t, s.URL, "", "/api/agreements/none")
	fetch(t, s.URL, "", "/api/incidents/7")
	fetch(t, s.URL, "", "/nowhere")
	if status, v := call2(t, s.URL, "POST", "/api/reports", testToken, `{"source":"m","source_id":"1","occurred":{"start":"2017-01-10T00:00:00+02:00","end":"2017-01-11T00:00:00+02:00"},
		"place":{"name":"Duma","lat":33.5717,"lon":36.4027,"has_point":true,"precision":"exact"},"act":"shelling"}`); status != 201 {
		t.Fatalf("submit: %d %v", status, v)
	}
	call2(t, s.URL, "POST", "/api/reports", testToken, `{"source":"m","source_id":"2","occurred":"yesterday"}`)
	s.srv.Metrics().AlertDelivered("webhook", false)

	res, body := fetch(t, s.URL, s.tokens["root"], "/metrics")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`truce_http_requests_total{code="200",method="GET",route="GET /api/agreements"} 1`,
		`truce_http_requests_total{code="404",method="GET",route="GET /api/agreements/{id}"} 1`,
		`truce_http_requests_total{code="404",method="GET",route="GET /api/incidents/{id}"} 1`,
		`truce_http_requests_total{code="404",method="GET",route="none"} 1`,
		`truce_http_requests_total{code="401",method="GET",route="GET /metrics"} 2`,
		`truce_http_requests_total{code="403",method="GET",route="GET /metrics"} 1`,
		`truce_http_requests_total{code="201",method="POST",route="POST /api/reports"} 1`,
		`truce_http_request_duration_seconds_bucket{method="GET",route="GET /api/agreements",le="+Inf"} 1`,
		`truce_http_response_bytes_total{route="GET /api/agreements"}`,
		`truce_import_rows_total{channel="api",outcome="read"} 2`,
		`truce_import_rows_total{channel="api",outcome="stored"} 1`,
		`truce_import_rows_total{channel="api",outcome="rejected"} 1`,
		`truce_alert_deliveries_total{channel="webhook",result="failed"} 1`,
		"truce_log_entries ",
		"go_goroutines ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// The log's size is read at the scrape.
	if !strings.Contains(body, "\ntruce_log_entries ") || strings.Contains(body, "\ntruce_log_entries 0\n") {
		t.Errorf("log size: %s", grepLines(body, "truce_log_entries"))
	}

	// The separate listener's handler: no token, /metrics only.
	ms := httptest.NewServer(s.srv.MetricsHandler())
	defer ms.Close()
	if res, body := fetch(t, ms.URL, "", "/metrics"); res.StatusCode != 200 || !strings.Contains(body, "truce_http_requests_total") {
		t.Errorf("metrics listener: %d", res.StatusCode)
	}
	if res, _ := fetch(t, ms.URL, "", "/api/agreements"); res.StatusCode != 404 {
		t.Errorf("metrics listener serves the API: %d", res.StatusCode)
	}
}

func grepLines(s, word string) string {
	var out []string
	for l := range strings.Lines(s) {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "")
}

// TestRequestLog: one line per request, with its method, route pattern
// (never the path or the query), status, bytes, duration, user and
// request id; the id the client gave when plain, else a new one.
func TestRequestLog(t *testing.T) {
	s := newLogSite(t, slog.LevelInfo)
	fetch(t, s.URL, "", "/api/agreements?secret=1", "X-Request-Id", "abc-123")
	fetch(t, s.URL, s.tokens["rev"], "/api/agreements/syria-coh-2016", "X-Request-Id", "bad id\u00e9")
	fetch(t, s.URL, "truce_guess", "/api/incidents")
	call2(t, s.URL, "POST", "/api/reports", testToken, `{}`)
	res, _ := fetch(t, s.URL, "", "/healthz")
	if id := res.Header.Get("X-Request-Id"); len(id) != 16 {
		t.Errorf("X-Request-Id %q", id)
	}
	lines := s.requests(t)
	if len(lines) != 5 {
		t.Fatalf("%d request lines:\n%s", len(lines), s.log.String())
	}
	for i, want := range []map[string]any{
		{"method": "GET", "route": "GET /api/agreements", "status": 200.0, "user": "public", "request_id": "abc-123", "level": "INFO"},
		{"method": "GET", "route": "GET /api/agreements/{id}", "status": 200.0, "user": "rev"},
		{"method": "GET", "route": "GET /api/incidents", "status": 401.0, "user": "public"},
		{"method": "POST", "route": "POST /api/reports", "status": 400.0, "user": "api"},
		{"method": "GET", "route": "GET /healthz", "status": 200.0, "user": "public"},
	} {
		got := lines[i]
		for k, v := range want {
			if got[k] != v {
				t.Errorf("line %d: %s = %v, want %v (%v)", i, k, got[k], v, got)
			}
		}
		for _, k := range []string{"bytes", "duration", "request_id"} {
			if _, ok := got[k]; !ok {
				t.Errorf("line %d: no %s: %v", i, k, got)
			}
		}
	}
	if id := lines[1]["request_id"].(string); id == "bad idé" || len(id) != 16 {
		t.Errorf("a client's id that is not plain was kept: %q", id)
	}
	if all := grepLines(s.log.String(), `"msg":"request"`); strings.Contains(all, "secret") || strings.Contains(all, "syria-coh-2016") {
		t.Errorf("the request log shows a path or a query:\n%s", all)
	}

	// At level warn, no request line.
	quiet := newLogSite(t, slog.LevelWarn)
	fetch(t, quiet.URL, "", "/healthz")
	if n := len(quiet.requests(t)); n != 0 {
		t.Errorf("level warn: %d request lines", n)
	}
	// At level debug, a handler made at info writes debug lines.
	var loud bytes.Buffer
	l := server.WithLevel(slog.New(slog.NewJSONHandler(&loud, &slog.HandlerOptions{Level: slog.LevelInfo})), slog.LevelDebug)
	l.With("k", "v").WithGroup("g").Debug("dbg-line")
	server.WithLevel(l, slog.LevelError).Warn("warn-line")
	if !strings.Contains(loud.String(), "dbg-line") || strings.Contains(loud.String(), "warn-line") {
		t.Errorf("WithLevel: %s", loud.String())
	}
}

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]slog.Level{"debug": slog.LevelDebug, "INFO": slog.LevelInfo, " warn ": slog.LevelWarn, "error": slog.LevelError, "warn+2": slog.LevelWarn + 2} {
		if got, err := server.ParseLevel(in); err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := server.ParseLevel("loud"); err == nil {
		t.Error("ParseLevel(loud): no error")
	}
}

// TestMetricsShared: a server counts in the metrics it is given.
func TestMetricsShared(t *testing.T) {
	demo(t)
	m := metrics.New(metrics.Options{NoRuntime: true})
	s := httptest.NewServer(server.New(demoApp, server.Options{Metrics: m}))
	defer s.Close()
	fetch(t, s.URL, "", "/healthz")
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(rec.Body.String(), `truce_http_requests_total{code="200",method="GET",route="GET /healthz"} 1`) || strings.Contains(rec.Body.String(), "go_goroutines") {
		t.Errorf("shared metrics:\n%s", rec.Body.String())
	}
}
