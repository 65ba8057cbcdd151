package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/evidence"
	"github.com/truce-monitor/truce/internal/metrics"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// user authenticates a request by its bearer token (truce user add).
func (s *Server) user(w http.ResponseWriter, r *http.Request) (workflow.User, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if ok {
		u, err := s.app.UserByToken(r.Context(), tok)
		if err == nil {
			metrics.SetUser(r.Context(), u.Name) // for the request log
			return u, true
		}
		if !errors.Is(err, store.ErrNotFound) {
			s.reply(w, r, nil, err)
			return u, false
		}
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="truce"`)
	s.reply(w, r, nil, &apiError{http.StatusUnauthorized, "a user's bearer token is required (truce user add)"})
	return workflow.User{}, false
}

// viewer is the user of a request that may also come from the public:
// nil without a token, refused with a wrong one.
func (s *Server) viewer(w http.ResponseWriter, r *http.Request) (*workflow.User, bool) {
	if r.Header.Get("Authorization") == "" {
		return nil, true
	}
	u, ok := s.user(w, r)
	return &u, ok
}

func (s *Server) incidentID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.reply(w, r, nil, badRequest("id: %q is not an incident id", r.PathValue("id")))
		return 0, false
	}
	return id, true
}

// getCase: GET /api/incidents/{id}/case — reports, rulings, history,
// replies, findings, grade and the reasons for each.
func (s *Server) getCase(w http.ResponseWriter, r *http.Request) {
	u, ok := s.user(w, r)
	if !ok {
		return
	}
	id, ok := s.incidentID(w, r)
	if !ok {
		return
	}
	c, err := s.app.CaseFor(r.Context(), &u, id)
	s.reply(w, r, c, err)
}

// postEvent: POST /api/incidents/{id}/events with a workflow event as
// JSON ({"action": "verify", "reason": "..."}).
func (s *Server) postEvent(w http.ResponseWriter, r *http.Request) {
	u, ok := s.user(w, r)
	if !ok {
		return
	}
	id, ok := s.incidentID(w, r)
	if !ok {
		return
	}
	var e workflow.Event
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		s.reply(w, r, nil, badRequest("event: %v", err))
		return
	}
	ev, err := s.app.Act(r.Context(), u, id, e)
	if err == nil {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusCreated)
	}
	s.reply(w, r, ev, err)
}

// postEvidence: POST /api/evidence with the file as the body; answers
// its SHA-256, under which it is stored once.
func (s *Server) postEvidence(w http.ResponseWriter, r *http.Request) {
	u, ok := s.user(w, r)
	if !ok {
		return
	}
	if u.Role == workflow.Researcher {
		s.reply(w, r, nil, &apiError{http.StatusForbidden, "the researcher role cannot add evidence"})
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, evidence.MaxSize))
	if err != nil {
		s.reply(w, r, nil, &apiError{http.StatusRequestEntityTooLarge, fmt.Sprintf("evidence may be at most %d MiB", evidence.MaxSize>>20)})
		return
	}
	sha, meta, err := s.app.AddEvidence(r.Context(), data, u.Name, "api", r.URL.Query().Get("name"))
	if errors.Is(err, app.ErrEvidence) {
		status := http.StatusUnsupportedMediaType
		if len(data) == 0 {
			status = http.StatusBadRequest
		}
		s.reply(w, r, nil, &apiError{status, err.Error()})
		return
	}
	s.reply(w, r, map[string]any{"sha256": sha, "meta": meta}, err)
}

// notifications: GET /api/notifications — a liaison's party's.
func (s *Server) notifications(w http.ResponseWriter, r *http.Request) {
	u, ok := s.user(w, r)
	if !ok {
		return
	}
	if u.Party == "" {
		s.reply(w, r, nil, &apiError{http.StatusForbidden, "notifications go to a party's users; this user has no party"})
		return
	}
	ns, err := s.app.Notifications(r.Context(), &u, u.Party)
	s.reply(w, r, ns, err)
}
