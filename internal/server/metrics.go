package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/metrics"
	"github.com/truce-monitor/truce/internal/workflow"
)

// Instrumentation: every request is counted (internal/metrics: by route
// pattern, method and status, with its latency and size) and logged, one
// line each at level Info (Warn for a 5xx or an aborted answer): method,
// route pattern (never the path, which can carry a feed's token, nor the
// query), status, bytes, duration, user and request id. The id is the
// client's X-Request-Id when it is a short plain token, else a new one;
// either way it is sent back in X-Request-Id.

// sessionCookie is the web interface's session cookie (internal/web): a
// request carrying it is the web interface's to attribute. Until the web
// interface names its user (metrics.SetUser), the log says "session".
const sessionCookie = "truce_session"

// instrument serves r through the mux, counting and logging it.
func (s *Server) instrument(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := requestID(r.Header.Get("X-Request-Id"))
	w.Header().Set("X-Request-Id", id)
	ctx, info := metrics.WithRequest(r.Context())
	r = r.WithContext(ctx)
	rec := &recorder{ResponseWriter: w}
	defer func() {
		p := recover()
		status := rec.status
		switch {
		case p != nil && status == 0:
			status = http.StatusInternalServerError
		case status == 0:
			status = http.StatusOK
		}
		d := time.Since(start)
		// The mux set the pattern that matched on r (the web
		// interface's own mux, when it served the request, its own).
		s.metrics.ObserveRequest(r.Pattern, r.Method, status, d, rec.bytes)
		route := r.Pattern
		if route == "" {
			route = "none"
		}
		user := info.User()
		if user == "" {
			user = s.requester(ctx, r, status)
		}
		level := slog.LevelInfo
		if status >= 500 || p != nil {
			level = slog.LevelWarn
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method), slog.String("route", route), slog.Int("status", status),
			slog.Int64("bytes", rec.bytes), slog.Duration("duration", d), slog.String("user", user), slog.String("request_id", id),
		}
		if p != nil {
			attrs = append(attrs, slog.Bool("aborted", true))
		}
		s.log.LogAttrs(context.WithoutCancel(ctx), level, "request", attrs...)
		if p != nil {
			panic(p)
		}
	}()
	s.mux.ServeHTTP(rec, r)
}

// requester names the user of a request no handler named (SetUser): the
// user of its bearer token, "api" for the
// shared submit token, "session" for the web interface's session, else
// "public".
func (s *Server) requester(ctx context.Context, r *http.Request, status int) string {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	switch {
	case !ok:
		if _, err := r.Cookie(sessionCookie); err == nil {
			return "session"
		}
		return "public"
	case status == http.StatusUnauthorized:
		return "public"
	case len(s.token) > 0 && subtle.ConstantTimeCompare([]byte(tok), s.token) == 1:
		return "api"
	}
	// A route that reads no token (a public one) named no user: look the
	// token up for the log, so that who read what is on record.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	u, err := s.app.UserByToken(ctx, tok)
	if err != nil {
		return "public"
	}
	return u.Name
}

// requestID is the client's id when it is a plain token of up to 64
// characters, else a new random one.
func requestID(given string) string {
	ok := given != "" && len(given) <= 64
	for _, c := range given {
		if !ok {
			break
		}
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_.:", c)
	}
	if ok {
		return given
	}
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// recorder notes the status and the body size of an answer.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && code >= 200 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Flush lets a streamed answer (the open data) reach the client as it is
// written.
func (r *recorder) Flush() {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	http.NewResponseController(r.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// metricsRoute: GET /metrics on the server's own address, for an
// administrator's bearer token only (a scraper gets a user of the admin
// role: truce user add prometheus -role admin). -metrics-addr serves them
// without a token on an address of their own (MetricsHandler).
func (s *Server) metricsRoute(w http.ResponseWriter, r *http.Request) {
	u, ok := s.user(w, r)
	if !ok {
		return
	}
	if u.Role != workflow.Admin {
		s.reply(w, r, nil, &apiError{http.StatusForbidden, "the metrics are for an administrator's token (or serve them apart with -metrics-addr)"})
		return
	}
	s.metricsHandler.ServeHTTP(w, r)
}

// Metrics are the server's metrics, for whatever else counts in the same
// process (alert deliveries: Metrics().AlertDelivered).
func (s *Server) Metrics() *metrics.Metrics { return s.metrics }

// MetricsHandler serves GET /metrics without authentication, for a
// listener of its own (truce serve -metrics-addr) that only the
// monitoring network reaches.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metricsHandler)
	return mux
}

// ParseLevel reads a log level: debug, info, warn or error, optionally
// with an offset (warn+2), in any case.
func ParseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.TrimSpace(s))); err != nil {
		return 0, fmt.Errorf("log level %q: not debug, info, warn or error", s)
	}
	return l, nil
}

// WithLevel returns a logger writing through l's handler what is at least
// level, whatever level l's handler was made with.
func WithLevel(l *slog.Logger, level slog.Leveler) *slog.Logger {
	h := l.Handler()
	if lh, ok := h.(*leveled); ok {
		h = lh.Handler
	}
	return slog.New(&leveled{Handler: h, level: level})
}

// leveled is a handler with another minimum level. A handler's Handle
// writes what it is given: the level is Enabled's to check.
type leveled struct {
	slog.Handler
	level slog.Leveler
}

func (h *leveled) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

func (h *leveled) WithAttrs(as []slog.Attr) slog.Handler {
	return &leveled{Handler: h.Handler.WithAttrs(as), level: h.level}
}

func (h *leveled) WithGroup(name string) slog.Handler {
	return &leveled{Handler: h.Handler.WithGroup(name), level: h.level}
}
