package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/delivery"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/store/sqlite"
)

const secret = "a webhook secret, long enough"

func TestSignVerify(t *testing.T) {
	body := []byte(`{"id":"a1","title":"قصف"}`)
	now := time.Unix(1700000000, 0)
	ts := "1700000000"
	sig := delivery.Sign(secret, ts, body)
	if !strings.HasPrefix(sig, "sha256=") || len(sig) != 7+64 {
		t.Fatalf("signature %q", sig)
	}
	if err := delivery.Verify(secret, ts, sig, body, now.Add(time.Minute), 5*time.Minute); err != nil {
		t.Errorf("a good signature: %v", err)
	}
	for name, err := range map[string]error{
		"another body":      delivery.Verify(secret, ts, sig, []byte(`{"id":"a2"}`), now, time.Minute),
		"another secret":    delivery.Verify("another secret, long enough", ts, sig, body, now, time.Minute),
		"another timestamp": delivery.Verify(secret, "1700000001", sig, body, now, time.Minute),
		"too old":           delivery.Verify(secret, ts, sig, body, now.Add(time.Hour), 5*time.Minute),
		"no timestamp":      delivery.Verify(secret, "", sig, body, now, time.Minute),
	} {
		if !errors.Is(err, delivery.ErrSignature) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestPublicAddr(t *testing.T) {
	for addr, want := range map[string]bool{"93.184.216.34": true, "2606:2800:220:1::1": true, "127.0.0.1": false, "10.1.2.3": false,
		"192.168.0.1": false, "172.16.5.4": false, "169.254.169.254": false, "100.64.0.1": false, "::1": false, "fe80::1": false,
		"fd00::1": false, "0.0.0.0": false, "224.0.0.1": false, "::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false} {
		if got := delivery.PublicAddr(netip.MustParseAddr(addr)); got != want {
			t.Errorf("PublicAddr(%s) = %v", addr, got)
		}
	}
}

// TestWebhookRefusesPrivate: a subscriber cannot make the node call its
// own network (here, its loopback address) unless the operator allows it.
func TestWebhookRefusesPrivate(t *testing.T) {
	rc := newReceiver(secret)
	srv := httptest.NewServer(rc)
	defer srv.Close()
	h := &delivery.Webhook{Client: delivery.WebhookClient(time.Second, false)}
	sub := store.Subscription{ID: "s", Channel: store.ChannelWebhook, Address: srv.URL + "/hook?token=private", Secret: secret}
	m := delivery.Message{ID: "a1", Kind: delivery.KindAlert, Title: "t", At: time.Now()}
	payload, _ := m.Payload()
	err := h.Send(context.Background(), sub, m, payload)
	if err == nil || !strings.Contains(err.Error(), "not a public address") || strings.Contains(err.Error(), "token=private") {
		t.Errorf("a webhook to the loopback address: %v", err)
	}
	if _, _, n, _ := rc.counts(); n != 0 {
		t.Errorf("the receiver got %d requests", n)
	}
	h.Client = delivery.WebhookClient(time.Second, true)
	if err := h.Send(context.Background(), sub, m, payload); err != nil {
		t.Errorf("allowed: %v", err)
	}
}

// outbox is a store with one webhook subscription to rc and msgs
// enqueued for it.
func outbox(t *testing.T, url, secret string, n int) (store.Store, []string) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.PutSubscription(ctx, store.Subscription{ID: "s1", User: "ops", Channel: store.ChannelWebhook, Address: url, Secret: secret}); err != nil {
		t.Fatal(err)
	}
	var items []store.OutboxItem
	var ids []string
	for i := range n {
		m := delivery.Message{ID: fmt.Sprintf("alert:%d", i), Kind: delivery.KindAlert, Party: "GOV", Title: fmt.Sprintf("تصعيد %d", i),
			Text: "text", Link: fmt.Sprintf("/incidents/%d", i), At: time.Date(2017, 3, 10, 9, i, 0, 0, time.UTC)}
		p, err := m.Payload()
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, store.OutboxItem{Subscription: "s1", MessageID: m.ID, Payload: p, At: m.At})
		ids = append(ids, m.ID)
	}
	if added, err := st.Enqueue(ctx, items, nil); err != nil || added != n {
		t.Fatalf("enqueue: %d %v", added, err)
	}
	return st, ids
}

func testWorker(st store.Delivery, timeout time.Duration) *delivery.Worker {
	return &delivery.Worker{Store: st, Senders: map[string]delivery.Sender{
		store.ChannelWebhook: &delivery.Webhook{Client: delivery.WebhookClient(timeout, true), BaseURL: "https://truce.example.org"},
	}, Backoff: delivery.Backoff{Base: time.Millisecond, Cap: 4 * time.Millisecond, Jitter: 0.5}, Lease: 10 * time.Second}
}

// TestWebhookFaults: the receiver fails (500), then takes too long (it
// processes the messages, but the sender gives up first), then recovers:
// each message is processed once under its idempotency key, the second
// sending of the slow round acknowledged as a duplicate; every attempt is
// in the delivery log; nothing delivered is sent again.
func TestWebhookFaults(t *testing.T) {
	ctx := context.Background()
	rc := newReceiver(secret)
	rc.slow = 2 * time.Second
	srv := httptest.NewServer(rc)
	defer srv.Close()
	const n = 6
	st, ids := outbox(t, srv.URL+"/hook", secret, n)
	w := testWorker(st, 150*time.Millisecond)
	round := func(mode string, want delivery.Result) {
		t.Helper()
		rc.set(mode)
		time.Sleep(10 * time.Millisecond) // past the backoff
		res, err := w.RunOnce(ctx)
		if err != nil || res != want {
			t.Fatalf("%s round: %v, %v; want %v", mode, res, err, want)
		}
	}
	round("fail", delivery.Result{Attempted: n, Failed: n})
	round("slow", delivery.Result{Attempted: n, Failed: n})
	if p, d, _, _ := rc.counts(); p != n || d != 0 {
		t.Errorf("after the slow round: %d processed, %d duplicates", p, d)
	}
	round("ok", delivery.Result{Attempted: n, Delivered: n})
	round("ok", delivery.Result{})
	p, d, req, refused := rc.counts()
	if p != n || d != n || req != 3*n || refused != 0 || rc.mismatched != 0 {
		t.Errorf("receiver: %d processed, %d duplicates, %d requests, %d refused, %d bodies not their key", p, d, req, refused, rc.mismatched)
	}
	for _, id := range ids {
		m := rc.processed[id]
		if m.Link != "https://truce.example.org/incidents/"+strings.TrimPrefix(id, "alert:") || !strings.HasPrefix(m.Title, "تصعيد") {
			t.Errorf("message %s as received: %+v", id, m)
		}
		log, err := st.DeliveryLog(ctx, "s1", id)
		if err != nil || len(log) != 3 {
			t.Fatalf("log of %s: %+v %v", id, log, err)
		}
		if log[0].Status != store.AttemptFailed || log[0].Error != "webhook answered HTTP 500: down for maintenance" ||
			log[1].Status != store.AttemptFailed || !strings.Contains(log[1].Error, "Timeout") ||
			log[2].Status != store.AttemptDelivered || log[2].Attempt != 3 {
			t.Errorf("log of %s: %+v", id, log)
		}
	}
	items, _ := st.Outbox(ctx, "s1", false, 100)
	for _, it := range items {
		if it.State != store.OutboxDelivered || it.Attempts != 3 || it.DeliveredAt.IsZero() {
			t.Errorf("item %+v", it)
		}
	}
}

// TestWebhookGivesUp: with MaxAttempts, an item failing that often is
// given up, and not sent when the receiver recovers; a receiver refusing
// a wrong signature is a failure like any other.
func TestWebhookGivesUp(t *testing.T) {
	ctx := context.Background()
	rc := newReceiver(secret)
	srv := httptest.NewServer(rc)
	defer srv.Close()
	st, ids := outbox(t, srv.URL, "not the receiver's secret", 2)
	w := testWorker(st, time.Second)
	w.MaxAttempts = 2
	for i, want := range []delivery.Result{{Attempted: 2, Failed: 2}, {Attempted: 2, GaveUp: 2}, {}} {
		time.Sleep(10 * time.Millisecond)
		if res, err := w.RunOnce(ctx); err != nil || res != want {
			t.Fatalf("round %d: %v %v, want %v", i+1, res, err, want)
		}
	}
	if _, _, req, refused := rc.counts(); req != 4 || refused != 4 {
		t.Errorf("%d requests, %d refused", req, refused)
	}
	subs, _ := st.Subscriptions(ctx, "")
	if s := subs[0].Stats; s.Failed != 2 || s.Pending != 0 || !strings.Contains(s.LastError, "HTTP 401: bad signature") {
		t.Errorf("stats %+v", s)
	}
	log, _ := st.DeliveryLog(ctx, "s1", ids[0])
	if len(log) != 2 || log[1].Status != store.AttemptGaveUp {
		t.Errorf("log %+v", log)
	}
}

// TestWorkerRun: the loop delivers what is enqueued while it runs, and
// stops with its context.
func TestWorkerRun(t *testing.T) {
	rc := newReceiver(secret)
	srv := httptest.NewServer(rc)
	defer srv.Close()
	st, _ := outbox(t, srv.URL, secret, 3)
	w := testWorker(st, time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	befores := 0
	go func() {
		defer close(done)
		w.Run(ctx, 5*time.Millisecond, func(context.Context) error { befores++; return nil })
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if p, _, _, _ := rc.counts(); p == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("not delivered")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	if befores == 0 {
		t.Error("before was not called")
	}
}

var _ http.Handler = (*receiver)(nil)

// TestWorkerStopUnclaims: a worker stopped while it holds a batch gives
// back the items it had not attempted; they are due at once for the next
// run (after a restart), not when their lease ends, and the delivery log
// holds only the attempt that was interrupted. They used to stay leased
// when the stop came before the subscription was read, and a node
// restarted then sent them two minutes late (the flaky
// TestDeliveryFaultsAndRestart).
func TestWorkerStopUnclaims(t *testing.T) {
	started := make(chan struct{}, 10)
	var serve atomic.Bool // false: hang until the sender gives up
	rc := newReceiver(secret)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if serve.Load() {
			rc.ServeHTTP(w, r)
			return
		}
		io.Copy(io.Discard, r.Body) // else the server does not see the client go
		started <- struct{}{}
		<-r.Context().Done()
	}))
	defer srv.Close()
	const n = 3
	st, ids := outbox(t, srv.URL, secret, n)
	w := testWorker(st, 10*time.Second)
	w.Concurrency = 1
	w.Lease = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := w.RunOnce(ctx)
		done <- err
	}()
	<-started
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("stopped run: %v", err)
	}
	var attempts int
	for _, id := range ids {
		log, err := st.DeliveryLog(context.Background(), "s1", id)
		if err != nil {
			t.Fatal(err)
		}
		attempts += len(log)
	}
	if attempts != 1 {
		t.Errorf("%d attempts logged; want 1, the one interrupted", attempts)
	}
	serve.Store(true)
	res, err := testWorker(st, 10*time.Second).RunOnce(context.Background())
	if err != nil || res.Delivered != n {
		t.Errorf("the next run: %+v %v; want all %d delivered at once", res, err, n)
	}
}

// stopAtClaim is a store whose claim commits as the run is stopped and
// whose answer is lost then, as a database's can be: the claim's context
// cancelled, the caller learns only that.
type stopAtClaim struct {
	store.Store
	stop func()
}

func (s stopAtClaim) ClaimDue(ctx context.Context, now, until time.Time, limit int) ([]store.OutboxItem, error) {
	items, err := s.Store.ClaimDue(ctx, now, until, limit)
	s.stop()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return items, err
}

// TestWorkerStopDuringClaim: a run stopped while it claims items gives
// them back, so that the next run (after a restart) sends them at once,
// not when their lease ends; they used to stay leased, the other way
// TestDeliveryFaultsAndRestart could fail on PostgreSQL.
func TestWorkerStopDuringClaim(t *testing.T) {
	rc := newReceiver(secret)
	srv := httptest.NewServer(rc)
	defer srv.Close()
	const n = 3
	st, _ := outbox(t, srv.URL, secret, n)
	ctx, cancel := context.WithCancel(context.Background())
	w := testWorker(stopAtClaim{Store: st, stop: cancel}, 10*time.Second)
	w.Lease = time.Hour
	if res, err := w.RunOnce(ctx); !errors.Is(err, context.Canceled) || res.Attempted != 0 {
		t.Fatalf("stopped run: %+v %v", res, err)
	}
	res, err := testWorker(st, 10*time.Second).RunOnce(context.Background())
	if err != nil || res.Delivered != n {
		t.Errorf("the next run: %+v %v; want all %d delivered at once", res, err, n)
	}
}
