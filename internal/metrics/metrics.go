// Package metrics holds truce's Prometheus metrics. A Metrics is made per
// server, with its own registry, and handed to whoever counts: there is no
// global registry and no package state, so that two servers in one process
// (the tests) count apart.
//
// The metrics (all prefixed truce_):
//
//	truce_http_requests_total{route,method,code}        counter: requests answered, by route pattern
//	                                                    ("GET /api/incidents/{id}"; "none" when no route
//	                                                    matched), method and status code
//	truce_http_request_duration_seconds{route,method}   histogram: time to the last byte written
//	truce_http_response_bytes_total{route}              counter: body bytes written
//	truce_import_rows_total{channel,outcome}            counter: rows taken in, by channel ("api": POST
//	                                                    /api/reports; "cli", "feed", ... for other doors)
//	                                                    and outcome: read, stored (created or updated),
//	                                                    unchanged, rejected
//	truce_alert_deliveries_total{channel,result}        counter: alerts delivered, by channel (email,
//	                                                    webhook, ...) and result (ok, failed); counted
//	                                                    by the delivery code through AlertDelivered
//	truce_log_entries                                   gauge: entries in the tamper-evident log, read
//	                                                    at each scrape
//
// with the Go runtime's (go_*) and the process's (process_*) standard
// collectors.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are one server's metrics. A nil *Metrics counts nothing, so
// that a caller need not check.
type Metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	bytes      *prometheus.CounterVec
	importRows *prometheus.CounterVec
	alerts     *prometheus.CounterVec
}

// Options say where the metrics read at scrape time come from.
type Options struct {
	// LogSize, when set, is read at each scrape for truce_log_entries.
	LogSize func(context.Context) (int64, error)
	// NoRuntime leaves out the Go runtime's and the process's collectors.
	NoRuntime bool
}

// Import outcomes (truce_import_rows_total's outcome label).
const (
	Read      = "read"
	Stored    = "stored"
	Unchanged = "unchanged"
	Rejected  = "rejected"
)

// New makes the metrics with a registry of their own.
func New(opt Options) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "truce_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "truce_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, to the last byte written, by route pattern and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"route", "method"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "truce_http_response_bytes_total",
			Help: "Response body bytes written, by route pattern.",
		}, []string{"route"}),
		importRows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "truce_import_rows_total",
			Help: "Rows taken in, by channel (api, cli, feed, ...) and outcome (read, stored, unchanged, rejected).",
		}, []string{"channel", "outcome"}),
		alerts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "truce_alert_deliveries_total",
			Help: "Alert deliveries, by channel and result (ok, failed).",
		}, []string{"channel", "result"}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.bytes, m.importRows, m.alerts)
	if opt.LogSize != nil {
		m.reg.MustRegister(&logSize{fn: opt.LogSize, desc: prometheus.NewDesc("truce_log_entries",
			"Entries in the tamper-evident log (read at each scrape).", nil, nil)})
	}
	if !opt.NoRuntime {
		m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	return m
}

// Registry is the metrics' registry, for a caller that registers
// collectors of its own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in Prometheus's text format. A collector
// that fails (the log size unreadable) leaves its metric out and the
// others are served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// methods are the methods counted by name; any other is "other", so that
// a client cannot add label values at will.
var methods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "OPTIONS": true}

// Method is the method label of a request method.
func Method(m string) string {
	if methods[m] {
		return m
	}
	return "other"
}

// ObserveRequest counts one answered request. route is the pattern that
// matched ("" for none).
func (m *Metrics) ObserveRequest(route, method string, code int, d time.Duration, bytes int64) {
	if m == nil {
		return
	}
	if route == "" {
		route = "none"
	}
	method = Method(method)
	m.requests.WithLabelValues(route, method, strconv.Itoa(code)).Inc()
	m.duration.WithLabelValues(route, method).Observe(d.Seconds())
	m.bytes.WithLabelValues(route).Add(float64(bytes))
}

// CountImport counts rows taken in through a channel: read in all, and
// of them stored (created or updated), unchanged and rejected.
func (m *Metrics) CountImport(channel string, read, stored, unchanged, rejected int) {
	if m == nil {
		return
	}
	for outcome, n := range map[string]int{Read: read, Stored: stored, Unchanged: unchanged, Rejected: rejected} {
		// Every outcome is created, at 0, so that rates are defined
		// from the first row.
		m.importRows.WithLabelValues(channel, outcome).Add(float64(n))
	}
}

// AlertDelivered counts one alert delivery through channel (email,
// webhook, ...), successful or not.
func (m *Metrics) AlertDelivered(channel string, ok bool) {
	if m == nil {
		return
	}
	result := "ok"
	if !ok {
		result = "failed"
	}
	m.alerts.WithLabelValues(channel, result).Inc()
}

// logSize reads the log's size at each scrape.
type logSize struct {
	fn   func(context.Context) (int64, error)
	desc *prometheus.Desc
}

func (c *logSize) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *logSize) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := c.fn(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n))
}
