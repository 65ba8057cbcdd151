package loadgen_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/loadgen"
	"github.com/truce-monitor/truce/internal/server"
)

// TestRun drives a real server on a SQLite store for a moment: every
// submission is acknowledged and counted, and the figures are consistent.
func TestRun(t *testing.T) {
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: filepath.Join(t.TempDir(), "l.db")})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(a, server.Options{SubmitToken: "t"}))
	defer func() { srv.Close(); a.Close() }()
	res, err := loadgen.Run(ctx, loadgen.Config{URL: srv.URL, Token: "t", Clients: 4, Duration: 500 * time.Millisecond, Run: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if res.OK == 0 || res.Failed != 0 || len(res.Latencies) != res.OK {
		t.Fatalf("%v", res)
	}
	if res.Percentile(50) > res.Percentile(99) || res.Percentile(99) > res.Percentile(100) {
		t.Errorf("percentiles out of order: %v", res)
	}
	// Requests in flight when the run ends are waited for: every stored
	// report was acknowledged. (Incidents are fewer: the generator reports
	// a handful of events over and over, and reports of one event join
	// one incident.)
	total := 0
	if err := a.EachReport(ctx, app.Operator(), func(incident.Report) error { total++; return nil }); err != nil || total != res.OK {
		t.Errorf("stored %d reports, acknowledged %d (%v)", total, res.OK, err)
	}
	bad, err := loadgen.Run(ctx, loadgen.Config{URL: srv.URL, Token: "wrong", Clients: 1, Duration: 100 * time.Millisecond, Run: "bad"})
	if err != nil || bad.OK != 0 || bad.Failed == 0 || bad.FirstErr == "" {
		t.Errorf("wrong token: %v", bad)
	}
}

// Issue 14: under CPU load, a request slower than the whole run was cut
// off by the run's end and counted as nothing, so a run with a wrong
// token reported 0 failed. Submissions in flight are now waited for.
func TestRunSlowerThanDuration(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(150 * time.Millisecond)
		http.Error(w, `{"error":"wrong token"}`, http.StatusUnauthorized)
	}))
	defer slow.Close()
	res, err := loadgen.Run(context.Background(), loadgen.Config{URL: slow.URL, Token: "wrong", Clients: 2, Duration: 10 * time.Millisecond, Run: "slow"})
	if err != nil {
		t.Fatal(err)
	}
	if res.OK != 0 || res.Failed != 2 || !strings.Contains(res.FirstErr, "401") {
		t.Errorf("a wrong token against a slow server: %v", res)
	}
	if res.Duration < 150*time.Millisecond {
		t.Errorf("duration %s leaves out the submissions waited for", res.Duration)
	}
}

// TestRunReads reads paths in turn from a real server: each path's
// latencies are counted apart, and a path the server refuses fails.
func TestRunReads(t *testing.T) {
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: filepath.Join(t.TempDir(), "r.db")})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(a, server.Options{}))
	defer func() { srv.Close(); a.Close() }()
	paths := []string{"/api/incidents?limit=5", "/api/agreements", "/healthz"}
	res, err := loadgen.Run(ctx, loadgen.Config{URL: srv.URL, Clients: 3, Duration: 300 * time.Millisecond, Get: paths})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed != 0 || len(res.ByPath) != len(paths) {
		t.Fatalf("%v", res)
	}
	n := 0
	for _, p := range paths {
		n += len(res.ByPath[p])
		if !strings.Contains(res.String(), p+": ") {
			t.Errorf("no line for %s in %q", p, res)
		}
	}
	if n != res.OK {
		t.Errorf("%d reads by path, %d in all", n, res.OK)
	}
	bad, err := loadgen.Run(ctx, loadgen.Config{URL: srv.URL, Clients: 1, Duration: 50 * time.Millisecond, Get: []string{"/api/incidents/999999"}})
	if err != nil || bad.OK != 0 || bad.Failed == 0 || !strings.Contains(bad.FirstErr, "404") {
		t.Errorf("a missing incident: %v", bad)
	}
}
