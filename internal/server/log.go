package server

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"golang.org/x/mod/sumdb/tlog"
)

// The log routes are public: entries hold digests, not records, so that
// anyone may check the log without seeing what it protects.

func (s *Server) logRoutes() {
	s.mux.HandleFunc("GET /log/checkpoint", s.logCheckpoint)
	s.mux.HandleFunc("GET /log/entries", s.logEntries)
	s.mux.HandleFunc("GET /log/proof/inclusion", s.logInclusion)
	s.mux.HandleFunc("GET /log/proof/consistency", s.logConsistency)
}

// logCheckpoint serves the latest signed checkpoint as a signed note.
func (s *Server) logCheckpoint(w http.ResponseWriter, r *http.Request) {
	ls, err := s.logStore()
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	cps, err := ls.Checkpoints(r.Context())
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	if len(cps) == 0 {
		s.reply(w, r, nil, notFound("no checkpoint has been signed yet"))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(cps[len(cps)-1])
}

type logEntry struct {
	Index int64  `json:"index"`
	Data  string `json:"data"`
}

// maxEntries bounds one page of entries.
const maxEntries = 1000

func (s *Server) logEntries(w http.ResponseWriter, r *http.Request) {
	ls, err := s.logStore()
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	start, err := logParam(r, "start", 0)
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	var out []logEntry
	errFull := errors.New("page full")
	err = ls.EachLogEntry(r.Context(), start, func(i int64, data []byte) error {
		if len(out) == maxEntries {
			return errFull
		}
		out = append(out, logEntry{Index: i, Data: string(data)})
		return nil
	})
	if err != nil && !errors.Is(err, errFull) {
		s.reply(w, r, nil, err)
		return
	}
	s.reply(w, r, map[string]any{"entries": out}, nil)
}

// logInclusion proves that entry index is in the tree of size size.
func (s *Server) logInclusion(w http.ResponseWriter, r *http.Request) {
	index, err1 := logParam(r, "index", -1)
	size, err2 := logParam(r, "size", -1)
	if err := errors.Join(err1, err2); err != nil {
		s.reply(w, r, nil, err)
		return
	}
	ls, n, err := s.logSized(r.Context(), size)
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	if index < 0 || index >= size {
		s.reply(w, r, nil, badRequest("index: %d is not an entry of a tree of size %d", index, size))
		return
	}
	p, err := tlog.ProveRecord(size, index, ls)
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	root, err := tlog.TreeHash(size, ls)
	s.reply(w, r, map[string]any{"index": index, "size": size, "log_size": n, "root": b64(root), "proof": hashes(p)}, err)
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
	ls, _, err := s.logSized(r.Context(), size)
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	if old < 1 || old > size {
		s.reply(w, r, nil, badRequest("old: %d is not a size from 1 to %d", old, size))
		return
	}
	p, err := tlog.ProveTree(size, old, ls)
	s.reply(w, r, map[string]any{"old": old, "new": size, "proof": hashes(p)}, err)
}

func (s *Server) logStore() (interface {
	tlog.HashReader
	LogSize(context.Context) (int64, error)
	EachLogEntry(context.Context, int64, func(int64, []byte) error) error
	Checkpoints(context.Context) ([][]byte, error)
}, error) {
	ls, ok := s.app.Store.(interface {
		tlog.HashReader
		LogSize(context.Context) (int64, error)
		EachLogEntry(context.Context, int64, func(int64, []byte) error) error
		Checkpoints(context.Context) ([][]byte, error)
	})
	if !ok {
		return nil, fmt.Errorf("the store keeps no log")
	}
	return ls, nil
}

// logSized returns the log store, checking that size is a size the log
// has reached.
func (s *Server) logSized(ctx context.Context, size int64) (tlog.HashReader, int64, error) {
	ls, err := s.logStore()
	if err != nil {
		return nil, 0, err
	}
	n, err := ls.LogSize(ctx)
	if err != nil {
		return nil, 0, err
	}
	if size < 1 || size > n {
		return nil, 0, badRequest("size: %d is not a size from 1 to %d", size, n)
	}
	return ls, n, nil
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

func b64(h tlog.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }

func hashes(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = b64(h)
	}
	return out
}
