package server

import (
	"net/http"
	"strings"
)

// The federation routes (docs/federation.md). The checkpoints a node holds
// are public, like its log; its records go only to a peer presenting the
// token of a grant, and only those the grant allows.

func (s *Server) federationRoutes() {
	s.mux.HandleFunc("GET /federation/records", s.federationRecords)
	s.mux.HandleFunc("GET /federation/checkpoints", s.federationCheckpoints)
	s.mux.HandleFunc("GET /federation/evidence/{sha}", s.federationEvidence)
}

// federationEvidence serves an evidence file to a peer whose grant
// includes evidence.
func (s *Server) federationEvidence(w http.ResponseWriter, r *http.Request) {
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	data, _, err := s.app.ServeEvidence(r.Context(), token, r.PathValue("sha"))
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	// The bytes are the record; the type is the peer's to check.
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Write(data)
}

func (s *Server) federationRecords(w http.ResponseWriter, r *http.Request) {
	start, err := logParam(r, "start", 0)
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	end, err := logParam(r, "end", 0)
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	page, err := s.app.ServeRecords(r.Context(), token, start, end, r.URL.Query().Get("own") == "1")
	s.reply(w, r, page, err)
}

func (s *Server) federationCheckpoints(w http.ResponseWriter, r *http.Request) {
	held, err := s.app.HeldCheckpoints(r.Context())
	s.reply(w, r, map[string]any{"checkpoints": held}, err)
}
