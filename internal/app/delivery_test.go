package app_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/delivery"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/store/storetest"
	"github.com/truce-monitor/truce/internal/workflow"
)

const hookSecret = "the receiver's shared secret"

// hookReceiver is a webhook receiver that verifies signatures and
// processes each idempotency key once, and can be taken down (its port
// closed) and brought back on the same address.
type hookReceiver struct {
	addr string
	srv  *http.Server

	mu         sync.Mutex
	mode       string // "ok", "fail" (500), "slow" (processes, answers too late)
	processed  map[string]delivery.Message
	order      []string
	duplicates int
	requests   int
	refused    int
}

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{mode: "ok", processed: map[string]delivery.Message{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.addr = ln.Addr().String()
	h.serve(ln)
	t.Cleanup(h.down)
	return h
}

func (h *hookReceiver) url() string { return "http://" + h.addr + "/truce-hook" }

func (h *hookReceiver) serve(ln net.Listener) {
	h.srv = &http.Server{Handler: h}
	go h.srv.Serve(ln)
}

func (h *hookReceiver) down() {
	if h.srv != nil {
		h.srv.Close()
		h.srv = nil
	}
}

func (h *hookReceiver) up(t *testing.T) {
	t.Helper()
	var ln net.Listener
	var err error
	for range 50 {
		if ln, err = net.Listen("tcp", h.addr); err == nil {
			h.serve(ln)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the receiver cannot listen on %s again: %v", h.addr, err)
}

func (h *hookReceiver) set(mode string) {
	h.mu.Lock()
	h.mode = mode
	h.mu.Unlock()
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.requests++
	mode := h.mode
	if err := delivery.Verify(hookSecret, r.Header.Get("X-Truce-Timestamp"), r.Header.Get("X-Truce-Signature"), body, time.Now(), 5*time.Minute); err != nil {
		h.refused++
		h.mu.Unlock()
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if mode == "fail" {
		h.mu.Unlock()
		http.Error(w, "unavailable", http.StatusInternalServerError)
		return
	}
	id := r.Header.Get("X-Truce-Id")
	if _, seen := h.processed[id]; seen {
		h.duplicates++
	} else {
		var m delivery.Message
		json.Unmarshal(body, &m)
		h.processed[id] = m
		h.order = append(h.order, id)
	}
	h.mu.Unlock()
	if mode == "slow" {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

type hookCounts struct{ processed, duplicates, requests, refused int }

func (h *hookReceiver) counts() hookCounts {
	h.mu.Lock()
	defer h.mu.Unlock()
	return hookCounts{len(h.processed), h.duplicates, h.requests, h.refused}
}

// testDelivery is a delivery configuration for tests: loopback webhooks,
// short timeouts and backoff.
func testDelivery() delivery.Config {
	cfg := delivery.Defaults()
	cfg.WebhookTimeout = 150 * time.Millisecond
	cfg.WebhookPrivate = true
	cfg.Every = 10 * time.Millisecond
	cfg.Backoff = delivery.Backoff{Base: 5 * time.Millisecond, Cap: 20 * time.Millisecond, Jitter: 0.5}
	cfg.BaseURL = "https://truce.example.org"
	return cfg
}

func deliveryApp(t *testing.T, db string) *app.App {
	t.Helper()
	// Webhook secrets are sealed: a PostgreSQL node names its data key,
	// the same one at every restart of the test.
	key := ""
	if app.IsPostgres(db) {
		key = filepath.Join(os.TempDir(), fmt.Sprintf("truce-delivery-test-%x.key", sha256.Sum256([]byte(db))))
		t.Cleanup(func() { os.Remove(key) })
	}
	a, err := app.Open(context.Background(), app.Config{DB: db, DataKey: key})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func alerts(from, n int) []delivery.Message {
	var out []delivery.Message
	for i := from; i < from+n; i++ {
		m := delivery.Message{ID: fmt.Sprintf("alert:DZ1:%03d", i), Kind: delivery.KindAlert, Party: []string{"GOV", "OPP"}[i%2], Zone: "DZ1",
			Severity: "high", Title: fmt.Sprintf("تصعيد %d", i), Text: "escalation", At: time.Date(2017, 3, 10, 0, i, 0, 0, time.UTC), Public: i%3 == 0}
		out = append(out, m)
	}
	return out
}

// runDelivery runs the app's worker until stop is called, which waits
// for it to return.
func runDelivery(t *testing.T, a *app.App, cfg delivery.Config) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.RunDelivery(ctx, cfg) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// waitFor polls cond for a few seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestDeliveryFaultsAndRestart (issue 16 item 5): a webhook receiver that
// fails (500), then times out (it processes, but answers too late), then
// is down while the node is stopped and started again, with messages
// enqueued meanwhile: once it is back, every message has been processed
// exactly once under its idempotency key, none is lost, the signatures
// all verified, and nothing delivered is sent again.
func TestDeliveryFaultsAndRestart(t *testing.T) {
	testFaultsAndRestart(t, filepath.Join(t.TempDir(), "delivery.db"))
}

// TestDeliveryFaultsAndRestartPostgres is the same on PostgreSQL, where
// the app commits from several connections at once.
func TestDeliveryFaultsAndRestartPostgres(t *testing.T) {
	server := storetest.PostgresURL(t) // under CI, fails when unset
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	name := fmt.Sprintf("truce_delivery_%d", os.Getpid())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	cfg, _ := pgx.ParseConfig(server)
	testFaultsAndRestart(t, fmt.Sprintf("postgres://%s:%s@%s:%d/%s", cfg.User, cfg.Password, cfg.Host, cfg.Port, name))
}

func testFaultsAndRestart(t *testing.T, db string) {
	ctx := context.Background()
	a := deliveryApp(t, db)
	ops := workflow.User{Name: "ops", Role: workflow.Admin}
	if _, err := a.AddUser(ctx, ops, ""); err != nil {
		t.Fatal(err)
	}
	rc := newHookReceiver(t)
	sub, err := a.Subscribe(ctx, &ops, store.Subscription{Channel: store.ChannelWebhook, Address: rc.url(), Secret: hookSecret})
	if err != nil {
		t.Fatal(err)
	}
	// The secret signs as truce: sealed in the store, never in clear (the
	// receiver below checks that what is sent is signed with it).
	if !strings.Contains(db, "://") {
		for _, f := range []string{db, db + "-wal"} {
			if raw, err := os.ReadFile(f); err == nil && bytes.Contains(raw, []byte(hookSecret)) {
				t.Fatalf("the webhook's secret is in %s in clear", f)
			}
		}
	}
	cfg := testDelivery()
	first := alerts(0, 10)
	if n, err := a.Enqueue(ctx, first); err != nil || n != 10 {
		t.Fatalf("enqueue: %d %v", n, err)
	}
	if n, err := a.Enqueue(ctx, first); err != nil || n != 0 {
		t.Fatalf("enqueued twice: %d %v", n, err)
	}
	round := func(want delivery.Result) {
		t.Helper()
		time.Sleep(25 * time.Millisecond) // past the backoff
		if res, err := a.DeliverOnce(ctx, cfg); err != nil || res != want {
			t.Fatalf("round: %v %v, want %v", res, err, want)
		}
	}
	rc.set("fail")
	round(delivery.Result{Attempted: 10, Failed: 10})
	rc.set("slow")
	round(delivery.Result{Attempted: 10, Failed: 10})
	slowProcessed := rc.counts().processed
	if slowProcessed != 10 {
		t.Fatalf("the slow receiver processed %d", slowProcessed)
	}

	// Down, with the worker running and more messages coming; then the
	// node stops.
	rc.down()
	stop := runDelivery(t, a, cfg)
	second := alerts(10, 10)
	if n, err := a.Enqueue(ctx, second); err != nil || n != 10 {
		t.Fatalf("enqueue while down: %d %v", n, err)
	}
	waitFor(t, "attempts at the receiver while it is down", func() bool {
		log, err := a.DeliveryLog(ctx, &ops, sub.ID)
		return err == nil && slices.ContainsFunc(log, func(x store.DeliveryAttempt) bool {
			return x.MessageID == second[9].ID && strings.Contains(x.Error, "refused")
		})
	})
	stop()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if c := rc.counts(); c.processed != 10 {
		t.Fatalf("processed while down: %+v", c)
	}

	// Up again, and the node restarted: it resumes from the outbox.
	rc.set("ok")
	rc.up(t)
	b := deliveryApp(t, db)
	defer b.Close()
	stop = runDelivery(t, b, cfg)
	waitFor(t, "every message delivered", func() bool {
		subs, err := b.Subscriptions(ctx, &ops, "")
		return err == nil && len(subs) == 1 && subs[0].Stats.Delivered == 20
	})
	stop()
	subs, _ := b.Subscriptions(ctx, &ops, "")
	if st := subs[0].Stats; st.Pending != 0 || st.Failed != 0 || st.Delivered != 20 {
		t.Errorf("stats %+v", st)
	}
	c := rc.counts()
	if c.processed != 20 || c.duplicates != slowProcessed || c.refused != 0 {
		t.Errorf("receiver: %+v: want 20 processed, %d duplicates (the slow round's, sent again), none refused", c, slowProcessed)
	}
	for _, m := range slices.Concat(first, second) {
		got, ok := rc.processed[m.ID]
		if !ok || got.Title != m.Title || got.Public != m.Public || !got.At.Equal(m.At) {
			t.Errorf("message %s: received %v %+v", m.ID, ok, got)
		}
	}
	// Nothing is sent again.
	if res, err := b.DeliverOnce(ctx, cfg); err != nil || res.Attempted != 0 || rc.counts().requests != c.requests {
		t.Errorf("after delivery: %v %v", res, err)
	}
	// The log of the first message: the failures, each kind, then one
	// delivery.
	log, err := b.DeliveryLog(ctx, &ops, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	var statuses []string
	for _, x := range log {
		if x.MessageID == first[0].ID {
			statuses = append(statuses, x.Status+": "+x.Error)
		}
	}
	if len(statuses) < 3 || !strings.Contains(statuses[0], "HTTP 500") || !strings.Contains(statuses[1], "Timeout") ||
		statuses[len(statuses)-1] != "delivered: " ||
		slices.IndexFunc(statuses, func(s string) bool { return strings.HasPrefix(s, "delivered") }) != len(statuses)-1 {
		t.Errorf("log of %s:\n%s", first[0].ID, strings.Join(statuses, "\n"))
	}
	if !slices.ContainsFunc(log, func(x store.DeliveryAttempt) bool { return strings.Contains(x.Error, "connection refused") }) {
		t.Error("the log holds no attempt at the receiver while it was down")
	}
}

// TestNotifyViolations: a violation ruled at intake, whatever the door,
// becomes a message to the accused party's subscribers and the staff's,
// once; never to another party, the public edition, or a user who sees
// no protected record; and a user's rights are those they have when a
// message is enqueued.
func TestNotifyViolations(t *testing.T) {
	ctx := context.Background()
	a := deliveryApp(t, filepath.Join(t.TempDir(), "n.db"))
	defer a.Close()
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	users := map[string]workflow.User{}
	for _, u := range []workflow.User{{Name: "ops", Role: workflow.Admin}, {Name: "gov", Role: workflow.Liaison, Party: "GOV"},
		{Name: "opp", Role: workflow.Liaison, Party: "OPP"}, {Name: "res", Role: workflow.Researcher}} {
		if _, err := a.AddUser(ctx, u, ""); err != nil {
			t.Fatal(err)
		}
		users[u.Name] = u
	}
	rc := newHookReceiver(t)
	subscribe := func(user string, s store.Subscription) string {
		t.Helper()
		u := users[user]
		if s.Channel == "" {
			s.Channel, s.Address, s.Secret = store.ChannelWebhook, rc.url(), hookSecret
		}
		ns, err := a.Subscribe(ctx, &u, s)
		if err != nil {
			t.Fatal(err)
		}
		return ns.ID
	}
	govSub := subscribe("gov", store.Subscription{})
	oppSub := subscribe("opp", store.Subscription{})
	resSub := subscribe("res", store.Subscription{})
	opsSub := subscribe("ops", store.Subscription{Verdict: "violation", Area: "SY03", Kind: delivery.KindViolation})
	opsElsewhere := subscribe("ops", store.Subscription{Area: "SY07"})
	feed := subscribe("ops", store.Subscription{Channel: store.ChannelAtom})

	if n, err := a.NotifyViolations(ctx); err != nil || n != 0 {
		t.Fatalf("nothing to notify: %d %v", n, err)
	}
	body := `{"source":"field","source_id":"dv-1","occurred":{"start":"2017-03-10T00:00:00+02:00","end":"2017-03-11T00:00:00+02:00"},
		"place":{"name":"Duma","lat":33.5717,"lon":36.4027,"has_point":true,"precision":"exact"},"act":"airstrike",
		"actors":[{"name":"Russian Military","role":"perpetrator"},{"name":"Jaysh al-Islam","role":"target"}]}`
	mon := workflow.User{Name: "mon", Role: workflow.Monitor}
	res, _, err := a.SubmitAs(ctx, []byte(body), &mon)
	if err != nil {
		t.Fatal(err)
	}
	if ns, err := a.Notifications(ctx, app.Operator(), "GOV"); err != nil || len(ns) != 1 {
		t.Fatalf("notifications %v %v", ns, err)
	}
	if n, err := a.NotifyViolations(ctx); err != nil || n != 2 {
		t.Fatalf("notify: %d deliveries, %v; want 2 (the party's and the staff's)", n, err)
	}
	if n, err := a.NotifyViolations(ctx); err != nil || n != 0 {
		t.Errorf("notified twice: %d %v", n, err)
	}
	subs, err := a.Subscriptions(ctx, app.Operator(), "")
	if err != nil {
		t.Fatal(err)
	}
	pending := map[string]int{}
	for _, s := range subs {
		pending[s.ID] = s.Stats.Pending + s.Stats.Feed
	}
	if pending[govSub] != 1 || pending[opsSub] != 1 || pending[oppSub] != 0 || pending[resSub] != 0 || pending[opsElsewhere] != 0 || pending[feed] != 0 {
		t.Errorf("pending per subscription: %v", pending)
	}
	if r, err := a.DeliverOnce(ctx, testDelivery()); err != nil || r.Delivered != 2 {
		t.Fatalf("deliver: %v %v", r, err)
	}
	id := fmt.Sprintf("violation:%d:syria-coh-2016:GOV", res.IncidentID)
	m, ok := rc.processed[id]
	if !ok || m.Kind != delivery.KindViolation || m.Party != "GOV" || m.Ruling != "violation" || m.Public || m.Area != "SY030200" ||
		m.Severity != "low" || m.Link != fmt.Sprintf("https://truce.example.org/incidents/%d", res.IncidentID) ||
		!strings.Contains(m.Text, "You may reply") || !strings.HasPrefix(m.Title, fmt.Sprintf("Incident %d: ruled a violation of syria-coh-2016 by GOV", res.IncidentID)) {
		t.Errorf("message %s: %v %+v", id, ok, m)
	}
	if c := rc.counts(); c.requests != 2 || c.processed != 1 || c.duplicates != 1 {
		t.Errorf("receiver %+v (one message to two subscriptions)", c)
	}
	// The zone the message names is a filter like the others.
	if m.Zone != "" {
		z := subscribe("ops", store.Subscription{Zone: m.Zone})
		if _, err := a.Enqueue(ctx, []delivery.Message{{ID: "zone-test", Kind: delivery.KindAlert, Zone: m.Zone, Title: "t", At: time.Now()}}); err != nil {
			t.Fatal(err)
		}
		if l, _ := a.Subscriptions(ctx, app.Operator(), "ops"); !slices.ContainsFunc(l, func(s store.Subscription) bool { return s.ID == z && s.Stats.Pending == 1 }) {
			t.Errorf("zone %s: %+v", m.Zone, l)
		}
	}

	// gov is no longer the party's: its subscription gets the public
	// messages only.
	if _, err := a.ReplaceUser(ctx, workflow.User{Name: "gov", Role: workflow.Researcher}, ""); err != nil {
		t.Fatal(err)
	}
	msgs := alerts(0, 4) // GOV public, OPP protected, GOV protected, OPP public
	msgs[3].Party = "GOV"
	if _, err := a.Enqueue(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	subs, _ = a.Subscriptions(ctx, app.Operator(), "gov")
	if len(subs) != 1 || subs[0].Stats.Pending != 2 {
		t.Errorf("a former liaison's subscription: %+v, want the 2 public messages only", subs[0].Stats)
	}
}

// TestEnqueueChecks: a message must be whole; an Atom feed never holds a
// protected message, even one the caller marked for it.
func TestEnqueueChecks(t *testing.T) {
	ctx := context.Background()
	a := deliveryApp(t, filepath.Join(t.TempDir(), "e.db"))
	defer a.Close()
	ops := workflow.User{Name: "ops", Role: workflow.Admin}
	if _, err := a.AddUser(ctx, ops, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Enqueue(ctx, []delivery.Message{{ID: "x", Kind: "rumour", Title: "t", At: time.Now()}}); !errors.Is(err, workflow.ErrInvalid) {
		t.Errorf("a message of no known kind: %v", err)
	}
	ns, err := a.Subscribe(ctx, &ops, store.Subscription{Channel: store.ChannelAtom, PublicOnly: false})
	if err != nil || !ns.PublicOnly || ns.FeedToken == "" || ns.FeedPath != "/feeds/"+ns.FeedToken+".atom" {
		t.Fatalf("atom subscription %+v %v", ns, err)
	}
	msgs := alerts(0, 6)
	if n, err := a.Enqueue(ctx, msgs); err != nil || n != 2 {
		t.Fatalf("enqueue: %d %v (want the 2 public ones)", n, err)
	}
	s, feed, err := a.Feed(ctx, ns.FeedToken)
	if err != nil || s.ID != ns.ID || len(feed) != 2 || feed[0].ID != msgs[3].ID || feed[1].ID != msgs[0].ID {
		t.Errorf("feed %+v %v", feed, err)
	}
	if _, _, err := a.Feed(ctx, "feed_nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown token: %v", err)
	}
}

// TestUpgradeKeepsInboxPast: on a database made before delivery, the
// notifications already in the parties' inboxes are marked handed over
// by the migration: subscribers get what happens from then on.
func TestUpgradeKeepsInboxPast(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "u.db")
	a := deliveryApp(t, db)
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	body := `{"source":"field","source_id":"up-1","occurred":{"start":"2017-03-10T00:00:00+02:00","end":"2017-03-11T00:00:00+02:00"},
		"place":{"name":"Duma","lat":33.5717,"lon":36.4027,"has_point":true,"precision":"exact"},"act":"airstrike",
		"actors":[{"name":"Russian Military","role":"perpetrator"},{"name":"Jaysh al-Islam","role":"target"}]}`
	if _, _, err := a.SubmitAs(ctx, []byte(body), &workflow.User{Name: "mon", Role: workflow.Monitor}); err != nil {
		t.Fatal(err)
	}
	a.Close()
	// The database as it was before migration 0012.
	raw, err := sql.Open("sqlite", "file:"+db+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"DROP TABLE delivery_subscriptions", "DROP TABLE delivery_outbox", "DROP TABLE delivery_attempts",
		"DROP TABLE delivery_notified", "DELETE FROM schema_migrations WHERE version = 12"} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	b := deliveryApp(t, db)
	defer b.Close()
	ops := workflow.User{Name: "ops", Role: workflow.Admin}
	if _, err := b.AddUser(ctx, ops, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Subscribe(ctx, &ops, store.Subscription{Channel: store.ChannelWebhook, Address: "https://hooks.example.org/x", Secret: hookSecret}); err != nil {
		t.Fatal(err)
	}
	if ns, _ := b.Notifications(ctx, app.Operator(), "GOV"); len(ns) != 1 {
		t.Fatalf("the inbox: %v", ns)
	}
	if n, err := b.NotifyViolations(ctx); err != nil || n != 0 {
		t.Errorf("the inbox's past was enqueued: %d %v", n, err)
	}
}

// TestNotifyWithoutSubscriptions: with no subscription, a violation's
// notifications are handed over without a message made for them, as
// they were when each message was made and matched nobody: a
// subscription made later gets what happens from then on.
func TestNotifyWithoutSubscriptions(t *testing.T) {
	ctx := context.Background()
	a := deliveryApp(t, filepath.Join(t.TempDir(), "n.db"))
	defer a.Close()
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	gov := workflow.User{Name: "gov", Role: workflow.Liaison, Party: "GOV"}
	if _, err := a.AddUser(ctx, gov, ""); err != nil {
		t.Fatal(err)
	}
	mon := workflow.User{Name: "mon", Role: workflow.Monitor}
	submit := func(id, day string) {
		t.Helper()
		body := `{"source":"field","source_id":"` + id + `","occurred":{"start":"2017-03-` + day + `T00:00:00+02:00","end":"2017-03-` + day + `T23:00:00+02:00"},
		"place":{"name":"Duma","lat":33.5717,"lon":36.4027,"has_point":true,"precision":"exact"},"act":"airstrike",
		"actors":[{"name":"Russian Military","role":"perpetrator"},{"name":"Jaysh al-Islam","role":"target"}]}`
		if _, _, err := a.SubmitAs(ctx, []byte(body), &mon); err != nil {
			t.Fatal(err)
		}
	}
	submit("nv-1", "10")
	if ns, err := a.Notifications(ctx, app.Operator(), "GOV"); err != nil || len(ns) != 1 {
		t.Fatalf("notifications %v %v", ns, err)
	}
	if n, err := a.NotifyViolations(ctx); err != nil || n != 0 {
		t.Fatalf("notify with no subscription: %d %v", n, err)
	}
	rc := newHookReceiver(t)
	if _, err := a.Subscribe(ctx, &gov, store.Subscription{Channel: store.ChannelWebhook, Address: rc.url(), Secret: hookSecret}); err != nil {
		t.Fatal(err)
	}
	if n, err := a.NotifyViolations(ctx); err != nil || n != 0 {
		t.Fatalf("a notification handed over before the subscription was sent to it: %d %v", n, err)
	}
	submit("nv-2", "20")
	if n, err := a.NotifyViolations(ctx); err != nil || n != 1 {
		t.Fatalf("a notification after the subscription: %d deliveries, %v; want 1", n, err)
	}
}
