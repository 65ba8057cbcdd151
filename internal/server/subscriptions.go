package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/delivery"
	"github.com/truce-monitor/truce/internal/store"
)

// Subscriptions to alerts and notifications (docs/delivery.md): a user
// manages their own, an administrator anyone's; the app decides who may
// be sent what. Atom feeds are read by their token, without a login: they
// carry public messages only.

func (s *Server) subscriptionRoutes() {
	s.mux.HandleFunc("POST /api/subscriptions", s.postSubscription)
	s.mux.HandleFunc("GET /api/subscriptions", s.listSubscriptions)
	s.mux.HandleFunc("DELETE /api/subscriptions/{id}", s.deleteSubscription)
	s.mux.HandleFunc("GET /api/subscriptions/{id}/log", s.subscriptionLog)
	s.mux.HandleFunc("GET /feeds/{file}", s.atomFeed)
}

// subscriptionRequest is the body of POST /api/subscriptions.
type subscriptionRequest struct {
	// User is whom the subscription is for: the caller when empty (only
	// an administrator names another).
	User string `json:"user"`
	// Channel is "email", "webhook" or "atom"; Address the e-mail
	// address or the webhook's URL; Secret the webhook's (made when
	// empty, and answered once).
	Channel    string `json:"channel"`
	Address    string `json:"address"`
	Secret     string `json:"secret"`
	Kind       string `json:"kind"`
	Party      string `json:"party"`
	Zone       string `json:"zone"`
	Area       string `json:"area"`
	Verdict    string `json:"verdict"`
	Severity   string `json:"severity"`
	PublicOnly bool   `json:"public_only"`
}

// subscribed is the answer to a new subscription: an Atom feed's URL is
// shown this once.
type subscribed struct {
	app.NewSubscription
	FeedURL string `json:"feed_url,omitempty"`
}

// baseURL is the node's URL as the request reached it.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// postSubscription: POST /api/subscriptions with a subscriptionRequest.
func (s *Server) postSubscription(w http.ResponseWriter, r *http.Request) {
	u, ok := s.user(w, r)
	if !ok {
		return
	}
	var req subscriptionRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		s.reply(w, r, nil, badRequest("subscription: %v", err))
		return
	}
	sub, err := s.app.Subscribe(r.Context(), &u, store.Subscription{User: req.User, Channel: req.Channel, Address: req.Address, Secret: req.Secret,
		Kind: req.Kind, Party: req.Party, Zone: req.Zone, Area: req.Area, Verdict: req.Verdict, Severity: req.Severity, PublicOnly: req.PublicOnly})
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	out := subscribed{NewSubscription: sub}
	if sub.FeedPath != "" {
		out.FeedURL = baseURL(r) + sub.FeedPath
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusCreated)
	s.reply(w, r, out, nil)
}

// listSubscriptions: GET /api/subscriptions[?user=NAME] — the caller's
// (an administrator's: everyone's, or NAME's).
func (s *Server) listSubscriptions(w http.ResponseWriter, r *http.Request) {
	u, ok := s.user(w, r)
	if !ok {
		return
	}
	list, err := s.app.Subscriptions(r.Context(), &u, r.URL.Query().Get("user"))
	if list == nil {
		list = []store.Subscription{}
	}
	s.reply(w, r, map[string]any{"subscriptions": list}, err)
}

// deleteSubscription: DELETE /api/subscriptions/{id}.
func (s *Server) deleteSubscription(w http.ResponseWriter, r *http.Request) {
	u, ok := s.user(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	err := s.app.Unsubscribe(r.Context(), &u, id)
	s.reply(w, r, map[string]string{"removed": id}, err)
}

// subscriptionLog: GET /api/subscriptions/{id}/log — every attempt to
// deliver its messages.
func (s *Server) subscriptionLog(w http.ResponseWriter, r *http.Request) {
	u, ok := s.user(w, r)
	if !ok {
		return
	}
	log, err := s.app.DeliveryLog(r.Context(), &u, r.PathValue("id"))
	if log == nil {
		log = []store.DeliveryAttempt{}
	}
	s.reply(w, r, map[string]any{"attempts": log}, err)
}

// atomFeed: GET /feeds/{token}.atom — an Atom subscription's public
// messages, for anyone holding the token.
func (s *Server) atomFeed(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutSuffix(r.PathValue("file"), ".atom")
	if !ok || token == "" {
		s.reply(w, r, nil, notFound("no such feed"))
		return
	}
	sub, msgs, err := s.app.Feed(r.Context(), token)
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	base := baseURL(r)
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	feed := delivery.Feed{ID: "urn:truce:feed:" + sub.ID, Title: feedTitle(sub), Self: base + app.FeedPath(token), BaseURL: base, Updated: sub.CreatedAt}
	if err := delivery.WriteAtom(w, feed, msgs); err != nil {
		s.log.Warn("write feed", "path", r.URL.Path, "err", err)
	}
}

// feedTitle says what a feed holds.
func feedTitle(sub store.Subscription) string {
	var f []string
	for _, x := range [][2]string{{"kind", sub.Kind}, {"party", sub.Party}, {"zone", sub.Zone}, {"area", sub.Area}, {"ruling", sub.Verdict}, {"severity ≥", sub.Severity}} {
		if x[1] != "" {
			f = append(f, x[0]+" "+x[1])
		}
	}
	if len(f) == 0 {
		return "truce: public messages"
	}
	return fmt.Sprintf("truce: public messages (%s)", strings.Join(f, ", "))
}
