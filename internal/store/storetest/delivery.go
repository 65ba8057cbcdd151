package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
)

// testDelivery: subscriptions are kept whole and listed per user; the
// outbox takes an item once per subscription and message, in one
// transaction with the notifications it hands over, refuses a message not
// public for an Atom subscription (the whole call, atomically) and drops
// an item for a subscription gone; items are leased to one worker at a
// time, retried at the time given, settled once, and every attempt is in
// the delivery log; removing a subscription removes its outbox and log;
// none of it is in the log.
func testDelivery(t *testing.T, s store.Store) {
	ctx := context.Background()
	if subs, err := s.Subscriptions(ctx, ""); err != nil || len(subs) != 0 {
		t.Fatalf("empty store: %v %v", subs, err)
	}
	size, err := s.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2017, 1, 3, 10, 0, 0, 0, time.UTC)
	hook := store.Subscription{ID: "sub_hook", User: "gov-liaison", Channel: store.ChannelWebhook, Address: "https://gov.example/hook",
		Secret: "a secret of thirty-two characters", Party: "GOV", Verdict: "violation", Severity: "medium", CreatedAt: created}
	feed := store.Subscription{ID: "sub_feed", User: "gov-liaison", Channel: store.ChannelAtom, TokenHash: "feedhash", Zone: "DZ1",
		Area: "SY03", Kind: "alert", PublicOnly: true, CreatedAt: created.Add(time.Second)}
	mail := store.Subscription{ID: "sub_mail", User: "rev", Channel: store.ChannelEmail, Address: "رصد@example.org", CreatedAt: created.Add(2 * time.Second)}
	for _, sub := range []store.Subscription{hook, feed, mail} {
		if err := s.PutSubscription(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutSubscription(ctx, store.Subscription{ID: "sub_hook", User: "x", Channel: store.ChannelEmail}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("an id taken: %v", err)
	}
	if err := s.PutSubscription(ctx, store.Subscription{ID: "sub_other", User: "x", Channel: store.ChannelAtom, TokenHash: "feedhash"}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a feed token taken: %v", err)
	}
	got, err := s.Subscription(ctx, "sub_hook")
	if err != nil || got.Secret != hook.Secret || got.Party != "GOV" || got.Verdict != "violation" || got.Severity != "medium" ||
		got.Address != hook.Address || !got.CreatedAt.Equal(created) || got.PublicOnly {
		t.Errorf("read back %+v %v, want %+v", got, err, hook)
	}
	if got, err := s.SubscriptionByToken(ctx, "feedhash"); err != nil || got.ID != "sub_feed" || !got.PublicOnly || got.Zone != "DZ1" || got.Area != "SY03" || got.Kind != "alert" {
		t.Errorf("by token: %+v %v", got, err)
	}
	for _, h := range []string{"", "nohash"} {
		if _, err := s.SubscriptionByToken(ctx, h); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("by token %q: %v", h, err)
		}
	}
	if _, err := s.Subscription(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown subscription: %v", err)
	}
	if subs, err := s.Subscriptions(ctx, "gov-liaison"); err != nil || len(subs) != 2 || subs[0].ID != "sub_hook" || subs[1].ID != "sub_feed" {
		t.Errorf("a user's subscriptions: %+v %v", subs, err)
	}

	if after, _ := s.LogSize(ctx); after != size {
		t.Errorf("subscriptions went into the log: %d entries, was %d", after, size)
	}

	// A notification to hand over.
	rule := func(incident.Incident) []ruling.Ruling {
		return []ruling.Ruling{{Verdict: ruling.Violation, Agreement: "ag", Version: 1, Parties: []string{"GOV"}, Clauses: []string{"C1"}}}
	}
	if _, err := s.ImportReports(ctx, []incident.Report{Report("d1", day(2017, 1, 5), "SY070000")}, store.Intake{Rule: rule}); err != nil {
		t.Fatal(err)
	}
	if size, err = s.LogSize(ctx); err != nil {
		t.Fatal(err)
	}
	ns, err := s.PendingNotifications(ctx, 10)
	if err != nil || len(ns) != 1 || ns[0].Party != "GOV" || ns[0].Agreement != "ag" || ns[0].IncidentID == 0 || ns[0].At.IsZero() {
		t.Fatalf("pending notifications: %+v %v", ns, err)
	}
	at := time.Date(2017, 1, 5, 12, 0, 0, 0, time.UTC)
	item := func(sub, msg string, public bool, at time.Time) store.OutboxItem {
		return store.OutboxItem{Subscription: sub, MessageID: msg, Payload: []byte(`{"id":"` + msg + `","title":"قصف"}`), Public: public, At: at}
	}
	// A message not public for the feed: refused, and nothing of the
	// call is kept, the notification not handed over.
	if _, err := s.Enqueue(ctx, []store.OutboxItem{item("sub_hook", "m1", false, at), item("sub_feed", "m1", false, at)}, []int64{ns[0].ID}); !errors.Is(err, store.ErrNotPublic) {
		t.Fatalf("a protected message to a feed: %v", err)
	}
	if ns2, _ := s.PendingNotifications(ctx, 10); len(ns2) != 1 {
		t.Errorf("a refused enqueue handed the notification over: %v", ns2)
	}
	items := []store.OutboxItem{item("sub_hook", "m1", false, at), item("sub_mail", "m1", false, at), item("sub_feed", "m2", true, at.Add(time.Hour)),
		item("sub_feed", "m3", true, at.Add(2*time.Hour)), item("sub_gone", "m1", true, at)}
	if n, err := s.Enqueue(ctx, items, []int64{ns[0].ID}); err != nil || n != 4 {
		t.Fatalf("enqueue: %d %v", n, err)
	}
	if ns2, err := s.PendingNotifications(ctx, 10); err != nil || len(ns2) != 0 {
		t.Errorf("handed over, still pending: %v %v", ns2, err)
	}
	if n, err := s.Enqueue(ctx, items, []int64{ns[0].ID}); err != nil || n != 0 {
		t.Errorf("enqueue again: %d added, %v", n, err)
	}
	list, err := s.Outbox(ctx, "sub_feed", true, 10)
	if err != nil || len(list) != 2 || list[0].MessageID != "m3" || list[1].MessageID != "m2" || list[0].State != store.OutboxFeed ||
		string(list[0].Payload) != `{"id":"m3","title":"قصف"}` || !list[0].At.Equal(at.Add(2*time.Hour)) {
		t.Errorf("feed outbox: %+v %v", list, err)
	}
	if list, _ := s.Outbox(ctx, "sub_feed", true, 1); len(list) != 1 || list[0].MessageID != "m3" {
		t.Errorf("feed outbox, limited: %+v", list)
	}

	// Claims: the due items, once; feed items never.
	now := time.Now().Add(time.Second).Truncate(time.Microsecond)
	claimed, err := s.ClaimDue(ctx, now, now.Add(time.Minute), 10)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claim: %+v %v", claimed, err)
	}
	for _, c := range claimed {
		if c.MessageID != "m1" || c.State != store.OutboxPending || c.Attempts != 0 || string(c.Payload) == "" {
			t.Errorf("claimed %+v", c)
		}
	}
	if again, err := s.ClaimDue(ctx, now, now.Add(time.Minute), 10); err != nil || len(again) != 0 {
		t.Errorf("claimed twice: %+v %v", again, err)
	}
	// A lease that ran out (a worker that died) is claimed again.
	later := now.Add(2 * time.Minute)
	if again, err := s.ClaimDue(ctx, later, later.Add(time.Minute), 1); err != nil || len(again) != 1 {
		t.Errorf("after the lease: %+v %v", again, err)
	}

	// The webhook fails once, then succeeds; the mail is given up.
	next := later.Add(10 * time.Second)
	if err := s.RecordAttempt(ctx, store.DeliveryAttempt{Subscription: "sub_hook", MessageID: "m1", Status: store.AttemptFailed, Error: "answered HTTP 500", At: later}, next); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordAttempt(ctx, store.DeliveryAttempt{Subscription: "sub_mail", MessageID: "m1", Status: store.AttemptGaveUp, Error: "550 no such user", At: later}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.ClaimDue(ctx, later.Add(5*time.Second), later.Add(time.Minute), 10); len(c) != 0 {
		t.Errorf("claimed before its next attempt: %+v", c)
	}
	c, err := s.ClaimDue(ctx, next, next.Add(time.Minute), 10)
	if err != nil || len(c) != 1 || c[0].Subscription != "sub_hook" || c[0].Attempts != 1 || c[0].LastError != "answered HTTP 500" || !c[0].NextAt.Equal(next) {
		t.Fatalf("retry claim: %+v %v", c, err)
	}
	subs, _ := s.Subscriptions(ctx, "")
	if len(subs) != 3 || subs[0].Stats == nil || subs[0].Stats.Pending != 1 || subs[0].Stats.LastError != "answered HTTP 500" ||
		subs[1].Stats.Feed != 2 || subs[2].Stats.Failed != 1 || subs[2].Stats.LastError != "550 no such user" {
		t.Errorf("stats: %+v %+v %+v", subs[0].Stats, subs[1].Stats, subs[2].Stats)
	}
	if err := s.RecordAttempt(ctx, store.DeliveryAttempt{Subscription: "sub_hook", MessageID: "m1", Status: store.AttemptDelivered, At: next}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	// A late attempt (a worker whose lease ran out) is logged, and
	// changes nothing.
	if err := s.RecordAttempt(ctx, store.DeliveryAttempt{Subscription: "sub_hook", MessageID: "m1", Status: store.AttemptFailed, Error: "late", At: next}, next); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.ClaimDue(ctx, next.Add(time.Hour), next.Add(2*time.Hour), 10); len(c) != 0 {
		t.Errorf("settled items claimed: %+v", c)
	}
	hookItems, _ := s.Outbox(ctx, "sub_hook", false, 10)
	if len(hookItems) != 1 || hookItems[0].State != store.OutboxDelivered || !hookItems[0].DeliveredAt.Equal(next) || hookItems[0].LastError != "" || hookItems[0].Attempts != 3 {
		t.Errorf("delivered item: %+v", hookItems)
	}
	if none, _ := s.Outbox(ctx, "sub_hook", true, 10); len(none) != 0 {
		t.Errorf("a protected item listed as public: %+v", none)
	}
	log, err := s.DeliveryLog(ctx, "sub_hook", "m1")
	if err != nil || len(log) != 3 || log[0].Attempt != 1 || log[0].Status != store.AttemptFailed || log[0].Error != "answered HTTP 500" ||
		log[1].Attempt != 2 || log[1].Status != store.AttemptDelivered || !log[1].At.Equal(next) || log[2].Error != "late" {
		t.Errorf("delivery log: %+v %v", log, err)
	}
	if all, _ := s.DeliveryLog(ctx, "", ""); len(all) != 4 {
		t.Errorf("whole delivery log: %+v", all)
	}
	if err := s.RecordAttempt(ctx, store.DeliveryAttempt{Subscription: "sub_hook", MessageID: "nope", Status: store.AttemptDelivered}, time.Time{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("attempt at no item: %v", err)
	}
	if err := s.RecordAttempt(ctx, store.DeliveryAttempt{Subscription: "sub_hook", MessageID: "m1", Status: "maybe"}, time.Time{}); err == nil {
		t.Error("an unknown status was recorded")
	}

	// Removing a subscription takes its outbox and log along.
	if err := s.DeleteSubscription(ctx, "sub_hook"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSubscription(ctx, "sub_hook"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("removed twice: %v", err)
	}
	if items, _ := s.Outbox(ctx, "sub_hook", false, 10); len(items) != 0 {
		t.Errorf("outbox of a removed subscription: %+v", items)
	}
	if log, _ := s.DeliveryLog(ctx, "sub_hook", ""); len(log) != 0 {
		t.Errorf("log of a removed subscription: %+v", log)
	}
	// An item enqueued for it now is dropped.
	if n, err := s.Enqueue(ctx, []store.OutboxItem{item("sub_hook", "m9", false, at)}, nil); err != nil || n != 0 {
		t.Errorf("enqueued to a removed subscription: %d %v", n, err)
	}
	if after, _ := s.LogSize(ctx); after != size {
		t.Errorf("delivery went into the log: %d entries, was %d", after, size)
	}

	// Notifications made after every one was handed over are pending,
	// however often the worker asked meanwhile (SQLite reads from the id
	// below which all were handed over), and so is one left behind them.
	for range 2 {
		if ns2, err := s.PendingNotifications(ctx, 10); err != nil || len(ns2) != 0 {
			t.Fatalf("all handed over, still pending: %v %v", ns2, err)
		}
	}
	if _, err := s.ImportReports(ctx, []incident.Report{Report("d2", day(2017, 1, 6), "SY070000"), Report("d3", day(2017, 1, 7), "SY070000")}, store.Intake{Rule: rule}); err != nil {
		t.Fatal(err)
	}
	fresh, err := s.PendingNotifications(ctx, 10)
	if err != nil || len(fresh) != 2 || fresh[0].ID <= ns[0].ID || fresh[1].ID <= fresh[0].ID {
		t.Fatalf("notifications made after all were handed over: %+v %v", fresh, err)
	}
	if _, err := s.Enqueue(ctx, nil, []int64{fresh[1].ID}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if ns2, err := s.PendingNotifications(ctx, 10); err != nil || len(ns2) != 1 || ns2[0].ID != fresh[0].ID {
			t.Fatalf("one left behind one handed over: %+v %v", ns2, err)
		}
	}
	if _, err := s.Enqueue(ctx, nil, []int64{fresh[0].ID}); err != nil {
		t.Fatal(err)
	}
	if ns2, err := s.PendingNotifications(ctx, 10); err != nil || len(ns2) != 0 {
		t.Fatalf("all handed over again, still pending: %v %v", ns2, err)
	}
}
