package server

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/truce-monitor/truce/internal/humanitarian"
	"github.com/truce-monitor/truce/internal/workflow"
)

// Humanitarian records (docs/humanitarian.md): each kind is listed by GET
// and recorded by POST of one record in its JSON; the app decides who may
// write which and what each viewer reads (identities: the Joint Group's
// staff only). Areas gather what is known of one unit.

func (s *Server) humanitarianRoutes() {
	for _, k := range []struct {
		path string
		kind humanitarian.Kind
		list func(*Server, *http.Request, *workflow.User) (any, error)
	}{
		{"sieges", humanitarian.KindSiege, func(s *Server, r *http.Request, u *workflow.User) (any, error) { return s.app.Sieges(r.Context(), u) }},
		{"access", humanitarian.KindAccess, func(s *Server, r *http.Request, u *workflow.User) (any, error) {
			return s.app.AccessRequests(r.Context(), u)
		}},
		{"cases", humanitarian.KindCase, func(s *Server, r *http.Request, u *workflow.User) (any, error) { return s.app.Cases(r.Context(), u) }},
		{"lists", humanitarian.KindList, func(s *Server, r *http.Request, u *workflow.User) (any, error) { return s.app.Lists(r.Context(), u) }},
		{"exchanges", humanitarian.KindExchange, func(s *Server, r *http.Request, u *workflow.User) (any, error) {
			return s.app.Exchanges(r.Context(), u)
		}},
		{"evacuations", humanitarian.KindEvacuation, func(s *Server, r *http.Request, u *workflow.User) (any, error) {
			return s.app.Evacuations(r.Context(), u)
		}},
		{"displacement", humanitarian.KindDisplacement, func(s *Server, r *http.Request, u *workflow.User) (any, error) {
			return s.app.Displacement(r.Context(), u)
		}},
		{"matches", humanitarian.KindMatch, func(s *Server, r *http.Request, u *workflow.User) (any, error) {
			th := 0.0
			if v := r.URL.Query().Get("threshold"); v != "" {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil || f < 0 || f > 1 {
					return nil, badRequest("threshold: %q is not a number from 0 to 1", v)
				}
				th = f
			}
			return s.app.MatchCandidates(r.Context(), u, th)
		}},
	} {
		s.mux.HandleFunc("GET /api/humanitarian/"+k.path, func(w http.ResponseWriter, r *http.Request) {
			u, ok := s.viewer(w, r)
			if !ok {
				return
			}
			v, err := k.list(s, r, u)
			s.reply(w, r, v, err)
		})
		s.mux.HandleFunc("POST /api/humanitarian/"+k.path, func(w http.ResponseWriter, r *http.Request) {
			u, ok := s.user(w, r)
			if !ok {
				return
			}
			raw, err := readBody(w, r)
			if err != nil {
				s.reply(w, r, nil, err)
				return
			}
			record := []byte(raw)
			var cases []humanitarian.Case
			if k.kind == humanitarian.KindList {
				// A list comes with the cases it names: {"list": …, "cases": […]}.
				var l struct {
					List  json.RawMessage     `json:"list"`
					Cases []humanitarian.Case `json:"cases"`
				}
				if err := json.Unmarshal(raw, &l); err != nil || l.List == nil {
					s.reply(w, r, nil, badRequest("list: the body is {\"list\": {...}, \"cases\": [...]}"))
					return
				}
				record, cases = l.List, l.Cases
			}
			v, err := s.app.PutHumanitarian(r.Context(), &u, k.kind, record, cases)
			if err != nil {
				s.reply(w, r, nil, err)
				return
			}
			w.WriteHeader(http.StatusCreated)
			s.reply(w, r, v, nil)
		})
	}
	s.mux.HandleFunc("GET /api/humanitarian/cases/{id}", func(w http.ResponseWriter, r *http.Request) {
		u, ok := s.viewer(w, r)
		if !ok {
			return
		}
		c, err := s.app.Case(r.Context(), u, r.PathValue("id"))
		s.reply(w, r, c, err)
	})
	s.mux.HandleFunc("POST /api/humanitarian/exchanges/{id}/confirmations", func(w http.ResponseWriter, r *http.Request) {
		u, ok := s.user(w, r)
		if !ok {
			return
		}
		raw, err := readBody(w, r)
		if err != nil {
			s.reply(w, r, nil, err)
			return
		}
		var c humanitarian.Confirmation
		if err := json.Unmarshal(raw, &c); err != nil {
			s.reply(w, r, nil, badRequest("confirmation: %v", err))
			return
		}
		e, err := s.app.ConfirmExchange(r.Context(), &u, r.PathValue("id"), c)
		s.reply(w, r, e, err)
	})
	s.mux.HandleFunc("GET /api/areas/{pcode}", func(w http.ResponseWriter, r *http.Request) {
		u, ok := s.viewer(w, r)
		if !ok {
			return
		}
		v, err := s.app.Area(r.Context(), u, r.PathValue("pcode"))
		s.reply(w, r, v, err)
	})
	s.mux.HandleFunc("GET /data/humanitarian.jsonl", func(w http.ResponseWriter, r *http.Request) {
		u, ok := s.viewer(w, r)
		if !ok {
			return
		}
		w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="humanitarian.jsonl"`)
		if _, err := s.app.ExportHumanitarian(r.Context(), u, w); err != nil {
			s.log.Error("humanitarian export", "err", err)
		}
	})
	s.mux.HandleFunc("POST /api/humanitarian/import", func(w http.ResponseWriter, r *http.Request) {
		u, ok := s.user(w, r)
		if !ok {
			return
		}
		format := r.URL.Query().Get("format")
		if format == "" {
			format = "jsonl"
		}
		sum, err := s.app.ImportHumanitarian(r.Context(), &u, format, humanitarian.Kind(r.URL.Query().Get("kind")), http.MaxBytesReader(w, r.Body, 32<<20))
		s.reply(w, r, sum, err)
	})
}

// maxRecord bounds one record's body.
const maxRecord = 1 << 20

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	var raw json.RawMessage
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRecord)).Decode(&raw); err != nil {
		return nil, badRequest("body: %v", err)
	}
	return raw, nil
}
