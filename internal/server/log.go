package server

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/ledger"
)

// The log routes are public: entries hold digests, not records, so that
// anyone may check the log without seeing what it protects.

func (s *Server) logRoutes() {
	s.mux.HandleFunc("GET /log/checkpoint", s.logCheckpoint)
	s.mux.HandleFunc("GET /log/entries", s.logEntries)
	s.mux.HandleFunc("GET /log/proof/inclusion", s.logInclusion)
	s.mux.HandleFunc("GET /log/proof/consistency", s.logConsistency)
	s.mux.HandleFunc("GET /log/tile/{path...}", s.logTile)
}

// logCheckpoint serves the latest signed checkpoint as a signed note.
func (s *Server) logCheckpoint(w http.ResponseWriter, r *http.Request) {
	cp, err := s.app.LatestCheckpoint(r.Context())
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(cp)
}

// maxEntries bounds one page of entries.
const maxEntries = 1000

func (s *Server) logEntries(w http.ResponseWriter, r *http.Request) {
	start, err := logParam(r, "start", 0)
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	out, err := s.app.LogEntries(r.Context(), start, maxEntries)
	s.reply(w, r, map[string]any{"entries": out}, err)
}

// logInclusion proves that entry index is in the tree of size size.
func (s *Server) logInclusion(w http.ResponseWriter, r *http.Request) {
	index, err1 := logParam(r, "index", -1)
	size, err2 := logParam(r, "size", -1)
	if err := errors.Join(err1, err2); err != nil {
		s.reply(w, r, nil, err)
		return
	}
	p, root, err := s.app.InclusionProof(r.Context(), index, size)
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	n, err := s.app.LogSize(r.Context())
	s.reply(w, r, map[string]any{"index": index, "size": size, "log_size": n, "root": ledger.EncodeHash(root), "proof": ledger.EncodeHashes(p)}, err)
}

// logConsistency proves that the tree of size old is a prefix of the tree
// of size new.
func (s *Server) logConsistency(w http.ResponseWriter, r *http.Request) {
	old, err1 := logParam(r, "old", -1)
	size, err2 := logParam(r, "new", -1)
	if err := errors.Join(err1, err2); err != nil {
		s.reply(w, r, nil, err)
		return
	}
	p, err := s.app.ConsistencyProof(r.Context(), old, size)
	s.reply(w, r, map[string]any{"old": old, "new": size, "proof": ledger.EncodeHashes(p)}, err)
}

func logParam(r *http.Request, name string, def int64) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		if def >= 0 {
			return def, nil
		}
		return 0, badRequest("%s: required", name)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, badRequest("%s: %q is not a whole number", name, v)
	}
	return n, nil
}

// logTile serves the log as C2SP tlog-tiles under /log/: hash tiles
// (/log/tile/L/N[.p/W]) and entry bundles (/log/tile/entries/N[.p/W]).
// A full tile never changes, and is cached as such.
func (s *Server) logTile(w http.ResponseWriter, r *http.Request) {
	t, err := app.ParseTile(r.PathValue("path"))
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	data, err := s.app.TileData(r.Context(), t)
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	if t.W == 1<<app.TileHeight {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	}
	w.Write(data)
}
