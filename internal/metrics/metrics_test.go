package metrics_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/metrics"
)

func scrape(t *testing.T, m *metrics.Metrics) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Code, rec.Body.String()
}

func TestCounts(t *testing.T) {
	size := int64(41)
	m := metrics.New(metrics.Options{NoRuntime: true, LogSize: func(context.Context) (int64, error) { size++; return size, nil }})
	m.ObserveRequest("GET /api/incidents/{id}", "GET", 200, 30*time.Millisecond, 120)
	m.ObserveRequest("", "BREW", 404, time.Millisecond, 19)
	m.CountImport("api", 3, 1, 1, 1)
	m.CountImport("feed", 1, 1, 0, 0)
	m.AlertDelivered("email", true)
	m.AlertDelivered("email", true)
	code, body := scrape(t, m)
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	for _, want := range []string{
		`truce_http_requests_total{code="200",method="GET",route="GET /api/incidents/{id}"} 1`,
		`truce_http_requests_total{code="404",method="other",route="none"} 1`,
		`truce_http_request_duration_seconds_bucket{method="GET",route="GET /api/incidents/{id}",le="0.05"} 1`,
		`truce_http_request_duration_seconds_bucket{method="GET",route="GET /api/incidents/{id}",le="0.025"} 0`,
		`truce_http_response_bytes_total{route="GET /api/incidents/{id}"} 120`,
		`truce_import_rows_total{channel="api",outcome="read"} 3`,
		`truce_import_rows_total{channel="api",outcome="unchanged"} 1`,
		`truce_import_rows_total{channel="feed",outcome="rejected"} 0`,
		`truce_alert_deliveries_total{channel="email",result="ok"} 2`,
		"truce_log_entries 42\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("lacks %s", want)
		}
	}
	if strings.Contains(body, "go_goroutines") {
		t.Error("NoRuntime: the runtime's metrics are there")
	}
	// Read at each scrape.
	if _, body := scrape(t, m); !strings.Contains(body, "truce_log_entries 43\n") {
		t.Errorf("the log size was not read again:\n%s", body)
	}
}

// TestLogSizeFails: an unreadable log leaves its metric out; the others
// are served.
func TestLogSizeFails(t *testing.T) {
	m := metrics.New(metrics.Options{LogSize: func(context.Context) (int64, error) { return 0, errors.New("database is closed") }})
	m.AlertDelivered("webhook", false)
	code, body := scrape(t, m)
	if code != 200 || strings.Contains(body, "truce_log_entries ") || !strings.Contains(body, `truce_alert_deliveries_total{channel="webhook",result="failed"} 1`) || !strings.Contains(body, "go_goroutines") {
		t.Errorf("%d\n%s", code, body)
	}
}

// TestApart: two servers' metrics count apart.
func TestApart(t *testing.T) {
	a, b := metrics.New(metrics.Options{NoRuntime: true}), metrics.New(metrics.Options{NoRuntime: true})
	a.AlertDelivered("email", true)
	if _, body := scrape(t, b); strings.Contains(body, "truce_alert_deliveries_total{") {
		t.Errorf("b counts a's delivery:\n%s", body)
	}
}

func TestNil(t *testing.T) {
	var m *metrics.Metrics
	m.ObserveRequest("x", "GET", 200, 0, 0)
	m.CountImport("api", 1, 1, 0, 0)
	m.AlertDelivered("email", true)
}

func TestRequestUser(t *testing.T) {
	metrics.SetUser(context.Background(), "nobody") // outside a request: nothing
	ctx, r := metrics.WithRequest(context.Background())
	if r.User() != "" {
		t.Fatal(r.User())
	}
	metrics.SetUser(ctx, "amina")
	if r.User() != "amina" {
		t.Errorf("user %q", r.User())
	}
	if metrics.Method("GET") != "GET" || metrics.Method("PROPFIND") != "other" {
		t.Error("Method")
	}
}
