// Package loadgen drives report submissions, or reads, at a truce server
// from many concurrent clients and measures what it gets: throughput and
// latency percentiles of acknowledged submissions, or of each path read.
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
	// Get, when set, makes the run read instead: each client GETs these
	// paths in turn, with Token as a user's API token.
	Get []string
}

// Result is what a run measured.
type Result struct {
	Clients   int
	Duration  time.Duration
	OK        int // acknowledged submissions
	Failed    int
	FirstErr  string
	Latencies []time.Duration // of acknowledged submissions, sorted
	// ByPath are the latencies of each path of a read run, sorted.
	ByPath map[string][]time.Duration
}

// PerSecond is acknowledged submissions per second.
func (r *Result) PerSecond() float64 { return float64(r.OK) / r.Duration.Seconds() }

// Percentile returns the latency at p (0–100).
func (r *Result) Percentile(p float64) time.Duration { return at(r.Latencies, p) }

// at is the latency at p (0–100) of sorted latencies.
func at(l []time.Duration, p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	return l[int(float64(len(l)-1)*p/100)]
}

func (r *Result) String() string {
	if r.ByPath != nil {
		s := fmt.Sprintf("%d clients, %s: %d reads (%.0f/s), %d failed", r.Clients, r.Duration.Round(time.Millisecond), r.OK, r.PerSecond(), r.Failed)
		paths := make([]string, 0, len(r.ByPath))
		for p := range r.ByPath {
			paths = append(paths, p)
		}
		slices.Sort(paths)
		for _, p := range paths {
			l := r.ByPath[p]
			s += fmt.Sprintf("\n  %s: %d, p50 %s, p90 %s, p99 %s, max %s", p, len(l), ms(at(l, 50)), ms(at(l, 90)), ms(at(l, 99)), ms(at(l, 100)))
		}
		if r.FirstErr != "" {
			s += "\nfirst failure: " + r.FirstErr
		}
		return s
	}
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
			byPath := map[string][]time.Duration{}
			ok, failed, first := 0, 0, ""
			for n := 0; n == 0 || end.Err() == nil; n++ { // one submission at least, however short the run
				t0 := time.Now()
				var err error
				path := ""
				if len(cfg.Get) > 0 {
					path = cfg.Get[(c+n)%len(cfg.Get)]
					err = get(ctx, client, cfg, path)
				} else {
					err = submit(ctx, client, cfg, Report(cfg.Run, c, n))
				}
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
				if path != "" {
					byPath[path] = append(byPath[path], lat[len(lat)-1])
				}
			}
			mu.Lock()
			if len(cfg.Get) > 0 {
				if res.ByPath == nil {
					res.ByPath = map[string][]time.Duration{}
				}
				for p, l := range byPath {
					res.ByPath[p] = append(res.ByPath[p], l...)
				}
			}
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
	for _, l := range res.ByPath {
		slices.Sort(l)
	}
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

// get reads path whole, as a user of the token.
func get(ctx context.Context, client *http.Client, cfg Config, path string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", cfg.URL+path, nil)
	if err != nil {
		return err
	}
	if cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+cfg.Token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s (%d bytes)", path, resp.Status, n)
	}
	return nil
}
