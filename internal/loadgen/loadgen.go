// Package loadgen drives report submissions at a truce server from many
// concurrent clients and measures what it gets: throughput and latency
// percentiles of acknowledged submissions.
package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Config is a load run.
type Config struct {
	URL      string // the server, e.g. http://127.0.0.1:8080
	Token    string // its submit token
	Clients  int
	Duration time.Duration
	// Run names this run's reports, so that runs do not collide.
	Run string
}

// Result is what a run measured.
type Result struct {
	Clients   int
	Duration  time.Duration
	OK        int // acknowledged submissions
	Failed    int
	FirstErr  string
	Latencies []time.Duration // of acknowledged submissions, sorted
}

// PerSecond is acknowledged submissions per second.
func (r *Result) PerSecond() float64 { return float64(r.OK) / r.Duration.Seconds() }

// Percentile returns the latency at p (0–100).
func (r *Result) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	i := int(float64(len(r.Latencies)-1) * p / 100)
	return r.Latencies[i]
}

func (r *Result) String() string {
	s := fmt.Sprintf("%d clients, %s: %d submissions acknowledged (%.0f/s), %d failed; latency p50 %s, p90 %s, p99 %s, max %s",
		r.Clients, r.Duration.Round(time.Millisecond), r.OK, r.PerSecond(), r.Failed,
		ms(r.Percentile(50)), ms(r.Percentile(90)), ms(r.Percentile(99)), ms(r.Percentile(100)))
	if r.FirstErr != "" {
		s += "\nfirst failure: " + r.FirstErr
	}
	return s
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// Report is the body of submission n of client c: a shelling in one of a
// few places, so that geocoding and ruling do real work.
func Report(run string, c, n int) []byte {
	places := [...]struct {
		name     string
		lat, lon float64
	}{{"Duma", 33.5717, 36.4027}, {"Idlib", 35.9306, 36.6339}, {"Aleppo", 36.2012, 37.1612}, {"Homs", 34.7268, 36.7234}, {"Darayya", 33.4583, 36.2325}}
	p := places[(c+n)%len(places)]
	day := 1 + n%28
	return fmt.Appendf(nil, `{"source":"load-%s","source_id":"c%d-%d","occurred":{"start":"2017-01-%02dT00:00:00+02:00","end":"2017-01-%02dT00:00:00+02:00"},`+
		`"place":{"name":%q,"lat":%.4f,"lon":%.4f,"has_point":true,"precision":"exact"},`+
		`"actors":[{"name":"Syrian Arab Army","role":"perpetrator"},{"name":"civilians","role":"target"}],"act":"shelling",`+
		`"casualties":{"low":1,"best":1,"high":1,"civilians":1},"description":"load test report %d of client %d"}`,
		run, c, n, day, day+1, p.name, p.lat, p.lon, n, c)
}

// Run submits reports from cfg.Clients clients until cfg.Duration has
// passed or ctx ends. Submissions under way when the duration ends are
// waited for and counted; Duration is the whole run, theirs included.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Clients < 1 {
		return nil, fmt.Errorf("load: clients must be at least 1")
	}
	tr := &http.Transport{MaxIdleConnsPerHost: cfg.Clients, MaxConnsPerHost: cfg.Clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	// The run's end stops new submissions; those in flight finish and are
	// counted (within the client's timeout; ctx still cancels them). When
	// the end cut them off, a run shorter than one slow request (a server
	// under CPU load) counted nothing at all: no acknowledgement, and no
	// failure either, even with a wrong token.
	end, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	var (
		mu  sync.Mutex
		res = &Result{Clients: cfg.Clients}
		wg  sync.WaitGroup
	)
	start := time.Now()
	for c := 0; c < cfg.Clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			ok, failed, first := 0, 0, ""
			for n := 0; n == 0 || end.Err() == nil; n++ { // one submission at least, however short the run
				t0 := time.Now()
				err := submit(ctx, client, cfg, Report(cfg.Run, c, n))
				if ctx.Err() != nil {
					break // interrupted, not a failure of the server
				}
				if err != nil {
					failed++
					if first == "" {
						first = err.Error()
					}
					continue
				}
				ok++
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			res.OK += ok
			res.Failed += failed
			res.Latencies = append(res.Latencies, lat...)
			if res.FirstErr == "" {
				res.FirstErr = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.Duration = time.Since(start)
	slices.Sort(res.Latencies)
	return res, nil
}

func submit(ctx context.Context, client *http.Client, cfg Config, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, "POST", cfg.URL+"/api/reports", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+cfg.Token)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}
