package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// The open data: the incidents as files (docs/opendata.md), for the
// public the published ones, for a user what they may see (the App's
// door: app.ExportFor), with the incident list's filters. Each is
// streamed as it is read, and carries an ETag and a Last-Modified made
// from the log, which grows with every change: a client asking again
// with If-None-Match or If-Modified-Since is answered 304 while nothing
// changed.

// dataFile is one of the open data's files.
type dataFile struct {
	name   string // under /data/
	format string // one of app.OpenFormats
	ctype  string
}

var dataFiles = []dataFile{
	{"incidents.csv", "csv", "text/csv; charset=utf-8; header=present"},
	{"incidents.acled.csv", "acled", "text/csv; charset=utf-8; header=present"},
	{"incidents.geojson", "geojson", "application/geo+json"},
	{"incidents.jsonl", "jsonl", "application/x-ndjson"},
}

// dataWriteTimeout bounds the writing of one file.
const dataWriteTimeout = 30 * time.Minute

// openDataVersion changes when what a file holds for the same log
// changes (its columns, its fields): it is in the ETag.
const openDataVersion = "opendata/1"

func (s *Server) dataRoutes() {
	for _, d := range dataFiles {
		s.mux.HandleFunc("GET /data/"+d.name, s.openData(d))
	}
}

func (s *Server) openData(d dataFile) http.HandlerFunc {
	known := filterParams
	if d.format == "csv" {
		known = append(slices.Clip(filterParams), "hxl")
	}
	return func(w http.ResponseWriter, r *http.Request) {
		u, ok := s.viewer(w, r)
		if !ok {
			return
		}
		f, _, err := s.filterOf(r, known)
		if err != nil {
			s.reply(w, r, nil, err)
			return
		}
		var opt app.OpenOptions
		if v := r.URL.Query().Get("hxl"); v != "" {
			if opt.HXL, err = strconv.ParseBool(v); err != nil {
				s.reply(w, r, nil, badRequest("hxl: %q is not 1 or 0", v))
				return
			}
		}
		etag, modified, err := s.dataVersion(r.Context(), d, r, u)
		if err != nil {
			s.reply(w, r, nil, err)
			return
		}
		h := w.Header()
		h.Set("ETag", etag)
		h.Set("Last-Modified", modified.Format(http.TimeFormat))
		h.Set("Vary", "Authorization")
		if u == nil {
			// Anyone's: a cache may keep it, and asks again each time
			// (a 304 while the log has not grown).
			h.Set("Cache-Control", "public, no-cache")
		}
		if notModified(r, etag, modified) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Type", d.ctype)
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": dataFileName(d, f, s.app)}))
		if r.Method == http.MethodHead {
			return
		}
		// The whole data set may take longer than the server's write
		// timeout (truce serve: 2 minutes): the file has its own.
		http.NewResponseController(w).SetWriteDeadline(time.Now().Add(dataWriteTimeout))
		cw := &countingWriter{w: w}
		_, err = s.app.ExportFor(r.Context(), u, d.format, f, cw, opt)
		switch {
		case err == nil:
		case r.Context().Err() != nil:
			// The client went away.
		case cw.n == 0:
			for _, k := range []string{"ETag", "Last-Modified", "Content-Disposition", "Cache-Control"} {
				h.Del(k)
			}
			h.Set("Cache-Control", "no-store")
			s.reply(w, r, nil, err)
		default:
			// Part of the file is sent: end the answer unfinished, so
			// that the client does not take a cut file for the whole.
			s.log.Error("open data cut short", "file", d.name, "bytes", cw.n, "err", err)
			panic(http.ErrAbortHandler)
		}
	}
}

// countingWriter counts what was written through it.
type countingWriter struct {
	w http.ResponseWriter
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// dataVersion is a file's ETag and Last-Modified. The ETag is made of
// what decides the file's bytes: the log (its size and root hash: every
// change is logged), the request's parameters, what the viewer may see
// (the public, a party, or everything), the file's format version and
// the server's build (whose rulings and columns may differ). It is weak:
// the same log gives the same incidents, but not promised the same bytes.
// Last-Modified is when this server first saw the log at its size.
func (s *Server) dataVersion(ctx context.Context, d dataFile, r *http.Request, u *workflow.User) (string, time.Time, error) {
	size, err := s.app.LogSize(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	root := ""
	if size > 0 {
		h, err := s.app.TreeHash(ctx, size)
		if err != nil {
			return "", time.Time{}, err
		}
		root = h.String()
	}
	viewer := "public"
	switch {
	case app.SeesAll(u):
		viewer = "all"
	case u != nil:
		viewer = "party:" + u.Party
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\n%s\n%d\n%s\n%s\n%s\n%s", openDataVersion, build(), size, root, d.name, viewer, r.URL.Query().Encode()))
	return `W/"` + hex.EncodeToString(sum[:16]) + `"`, s.modified.at(size), nil
}

// build names the server's build, for the ETag.
var build = sync.OnceValue(func() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	b := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
			b += " " + s.Value
		}
	}
	return b
})

// lastModified is when the server first saw the log at a size.
type lastModified struct {
	mu   sync.Mutex
	size int64
	when time.Time
}

func (m *lastModified) at(size int64) time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.when.IsZero() || size != m.size {
		m.size, m.when = size, time.Now().UTC().Truncate(time.Second)
	}
	return m.when
}

// notModified says whether a conditional GET may be answered 304:
// If-None-Match, when given, decides (weak comparison, "*" or a list);
// otherwise If-Modified-Since.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		weak := func(t string) string { return strings.TrimPrefix(strings.TrimSpace(t), "W/") }
		for t := range strings.SplitSeq(inm, ",") {
			if strings.TrimSpace(t) == "*" || weak(t) == weak(etag) {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !modified.After(t)
	}
	return false
}

// dataFileName names a download: truce-incidents, the agreement, the
// period asked for, the format's extension.
func dataFileName(d dataFile, f store.Filter, a *app.App) string {
	parts := []string{"truce-incidents"}
	if f.Agreement != "" {
		parts = append(parts, f.Agreement)
	}
	loc := a.DefaultLocation()
	if ag, ok := a.Agreement(f.Agreement); ok {
		loc = ag.Location
	}
	if !f.From.IsZero() || !f.To.IsZero() {
		from, to := "start", "now"
		if !f.From.IsZero() {
			from = f.From.In(loc).Format("2006-01-02")
		}
		if !f.To.IsZero() {
			to = f.To.In(loc).Add(-time.Nanosecond).Format("2006-01-02")
		}
		parts = append(parts, from+"_"+to)
	}
	name := strings.Join(parts, "-") + strings.TrimPrefix(d.name, "incidents")
	// Only the characters of ids and dates: a name is never a path.
	return strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_.", c) {
			return c
		}
		return '_'
	}, name)
}
