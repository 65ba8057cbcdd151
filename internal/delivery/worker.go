package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/truce-monitor/truce/internal/store"
)

// Sender delivers a message to a subscription's receiver. A nil error
// means the receiver accepted it; any error, that it is to be tried
// again. payload is the message as stored in the outbox.
type Sender interface {
	Send(ctx context.Context, s store.Subscription, m Message, payload []byte) error
}

// Worker delivers the outbox. Any number of workers may run on one
// database: each item is leased to one at a time. A worker that stops
// (or dies) leaves its items to the next, which resumes from the table:
// those it had leased wait out their lease; every other is where it was.
type Worker struct {
	Store store.Delivery
	// Senders are by channel (store.ChannelEmail, ChannelWebhook); an item
	// of a channel without one fails, and waits for one to be configured.
	Senders map[string]Sender
	Backoff Backoff
	// MaxAttempts gives an item up after so many failed attempts (0:
	// never; it is retried every Backoff.Cap).
	MaxAttempts int
	// Lease is how long an item is held by the worker trying it: longer
	// than a send can take (the senders' timeouts).
	Lease time.Duration
	// Batch items are claimed at a time and Concurrency sent at once.
	Batch, Concurrency int
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	Log *slog.Logger
	// Open, when set, gives a subscription its secret in clear before it
	// is used (the application keeps secrets sealed in the store).
	Open func(store.Subscription) (store.Subscription, error)
}

// Result counts what a run did.
type Result struct {
	Attempted, Delivered, Failed, GaveUp int
}

func (r Result) String() string {
	return fmt.Sprintf("%d attempted: %d delivered, %d to try again, %d given up", r.Attempted, r.Delivered, r.Failed, r.GaveUp)
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Worker) log() *slog.Logger {
	if w.Log != nil {
		return w.Log
	}
	return slog.New(slog.DiscardHandler)
}

// claimTimeout bounds a claim of due items, which a stopped run does not
// cancel (RunOnce).
const claimTimeout = 30 * time.Second

// RunOnce attempts every item due when it starts, once each, and returns
// when they are settled or rescheduled.
func (w *Worker) RunOnce(ctx context.Context) (Result, error) {
	var (
		res  Result
		mu   sync.Mutex
		subs = map[string]*store.Subscription{}
	)
	batch, conc, lease := w.Batch, w.Concurrency, w.Lease
	if batch <= 0 {
		batch = 100
	}
	if conc <= 0 {
		conc = 4
	}
	if lease <= 0 {
		lease = 2 * time.Minute
	}
	// Items due after the start wait for the next run: a failure is
	// rescheduled after the start, so that a run ends even when every
	// receiver is down.
	start := w.now()
	subscription := func(id string) (*store.Subscription, error) {
		mu.Lock()
		s, ok := subs[id]
		mu.Unlock()
		if ok {
			return s, nil
		}
		sub, err := w.Store.Subscription(ctx, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			s = nil // removed meanwhile, with its outbox
		case err != nil:
			return nil, err
		default:
			if w.Open != nil {
				if sub, err = w.Open(sub); err != nil {
					return nil, err
				}
			}
			s = &sub
		}
		mu.Lock()
		subs[id] = s
		mu.Unlock()
		return s, nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		// The claim is not cancelled midway: a claim the database
		// committed as the run was stopped, its answer lost, would leave
		// its items leased and unattempted for the whole lease after a
		// restart. Claimed, they are unclaimed below if the run stopped.
		claimCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), claimTimeout)
		items, err := w.Store.ClaimDue(claimCtx, start, w.now().Add(lease), batch)
		cancel()
		if err != nil {
			return res, err
		}
		if len(items) == 0 {
			return res, nil
		}
		sem := make(chan struct{}, conc)
		var wg sync.WaitGroup
		var errs []error
		// unclaimed are the items the worker stopped before attempting:
		// left leased, they would wait for the lease to end after a
		// restart (two minutes by default).
		var unclaimed []store.OutboxItem
		for _, it := range items {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				var status string
				err := ctx.Err()
				if err == nil {
					status, err = w.deliver(ctx, it, subscription)
				}
				mu.Lock()
				defer mu.Unlock()
				if status == "" && ctx.Err() != nil {
					unclaimed = append(unclaimed, it)
					return
				}
				if err != nil {
					errs = append(errs, err)
				}
				switch status {
				case "":
					return
				case store.AttemptDelivered:
					res.Delivered++
				case store.AttemptFailed:
					res.Failed++
				case store.AttemptGaveUp:
					res.GaveUp++
				}
				res.Attempted++
			})
		}
		wg.Wait()
		if len(unclaimed) > 0 {
			if err := w.Store.Unclaim(context.WithoutCancel(ctx), unclaimed); err != nil {
				errs = append(errs, err)
			}
		}
		if err := errors.Join(errs...); err != nil {
			return res, err
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if len(items) < batch {
			return res, nil
		}
	}
}

// deliver attempts one item and records the attempt; status is ""
// when nothing was attempted (the subscription is gone).
func (w *Worker) deliver(ctx context.Context, it store.OutboxItem, subscription func(string) (*store.Subscription, error)) (string, error) {
	sub, err := subscription(it.Subscription)
	if err != nil || sub == nil {
		return "", err
	}
	a := store.DeliveryAttempt{Subscription: it.Subscription, MessageID: it.MessageID, Status: store.AttemptFailed}
	var next time.Time
	m, err := Decode(it.Payload)
	if err != nil {
		a.Status, a.Error = store.AttemptGaveUp, err.Error()
	} else if sender := w.Senders[sub.Channel]; sender == nil {
		err = fmt.Errorf("no %s sender is configured on this node", sub.Channel)
	} else {
		err = sender.Send(ctx, *sub, m, it.Payload)
	}
	a.At = w.now()
	switch {
	case a.Status == store.AttemptGaveUp:
	case err == nil:
		a.Status = store.AttemptDelivered
	case ctx.Err() != nil:
		// Stopped: due again at once, when a worker runs next.
		a.Error, next = "interrupted: "+err.Error(), a.At
	case w.MaxAttempts > 0 && it.Attempts+1 >= w.MaxAttempts:
		a.Status, a.Error = store.AttemptGaveUp, err.Error()
	default:
		a.Error, next = err.Error(), a.At.Add(w.Backoff.Delay(it.Attempts+1, nil))
	}
	// The outcome is recorded even when ctx ended: a delivered item left
	// pending would be sent again.
	if err := w.Store.RecordAttempt(context.WithoutCancel(ctx), a, next); err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	lg := w.log().With("subscription", it.Subscription, "message", it.MessageID, "channel", sub.Channel, "attempt", it.Attempts+1)
	switch a.Status {
	case store.AttemptDelivered:
		lg.Info("delivered")
	case store.AttemptGaveUp:
		lg.Error("delivery given up", "err", a.Error)
	default:
		lg.Warn("delivery failed", "err", a.Error, "next", next)
	}
	return a.Status, nil
}

// Run runs the worker until ctx ends: before (when set: turning new
// records into messages) and then RunOnce, every every. Errors are
// logged and the loop goes on.
func (w *Worker) Run(ctx context.Context, every time.Duration, before func(context.Context) error) {
	if every <= 0 {
		every = 5 * time.Second
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if before != nil {
			if err := before(ctx); err != nil && ctx.Err() == nil {
				w.log().Error("delivery: making messages", "err", err)
			}
		}
		if res, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.log().Error("delivery", "err", err)
		} else if res.Attempted > 0 {
			w.log().Info("delivery", "result", res.String())
		}
		t.Reset(every)
	}
}
