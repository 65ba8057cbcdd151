package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/store"
)

// The delivery layer's tables (migration 0012): subscriptions, the
// outbox, the delivery log and the notifications handed over. Not in the
// log: see docs/delivery.md.

const subscriptionCols = `id, user_name, channel, address, secret, token_hash, kind, party, zone, area, verdict, severity, public_only, created_at`

type scanner interface{ Scan(dest ...any) error }

func scanSubscription(sc scanner) (store.Subscription, error) {
	var s store.Subscription
	var public int
	var created string
	if err := sc.Scan(&s.ID, &s.User, &s.Channel, &s.Address, &s.Secret, &s.TokenHash, &s.Kind, &s.Party, &s.Zone, &s.Area,
		&s.Verdict, &s.Severity, &public, &created); err != nil {
		return s, err
	}
	s.PublicOnly = public != 0
	var err error
	if s.CreatedAt, err = parseTS(created); err != nil {
		return s, fmt.Errorf("subscription %s: created: %w", s.ID, err)
	}
	return s, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// PutSubscription implements store.Delivery.
func (s *Store) PutSubscription(ctx context.Context, sub store.Subscription) error {
	if sub.CreatedAt.IsZero() {
		sub.CreatedAt = time.Now()
	}
	err := s.tx(ctx, func(w *txw) error {
		var n int
		if err := w.scan(ctx, `SELECT count(*) FROM delivery_subscriptions WHERE id = ? OR (token_hash <> '' AND token_hash = ?)`,
			[]any{sub.ID, sub.TokenHash}, &n); err != nil {
			return err
		}
		if n > 0 {
			return store.ErrConflict
		}
		_, err := w.exec(ctx, `INSERT INTO delivery_subscriptions (`+subscriptionCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			sub.ID, sub.User, sub.Channel, sub.Address, sub.Secret, sub.TokenHash, sub.Kind, sub.Party, sub.Zone, sub.Area,
			sub.Verdict, sub.Severity, boolInt(sub.PublicOnly), ts(sub.CreatedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("store subscription %s: %w", sub.ID, err)
	}
	return nil
}

// Subscription implements store.Delivery.
func (s *Store) Subscription(ctx context.Context, id string) (store.Subscription, error) {
	sub, err := scanSubscription(s.queryRow(ctx, `SELECT `+subscriptionCols+` FROM delivery_subscriptions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return sub, fmt.Errorf("subscription %s: %w", id, store.ErrNotFound)
	}
	return sub, err
}

// SubscriptionByToken implements store.Delivery.
func (s *Store) SubscriptionByToken(ctx context.Context, tokenHash string) (store.Subscription, error) {
	if tokenHash == "" {
		return store.Subscription{}, fmt.Errorf("feed: %w", store.ErrNotFound)
	}
	sub, err := scanSubscription(s.queryRow(ctx, `SELECT `+subscriptionCols+` FROM delivery_subscriptions WHERE token_hash = ?`, tokenHash))
	if errors.Is(err, sql.ErrNoRows) {
		return sub, fmt.Errorf("feed: %w", store.ErrNotFound)
	}
	return sub, err
}

// Subscriptions implements store.Delivery.
func (s *Store) Subscriptions(ctx context.Context, user string) ([]store.Subscription, error) {
	where, args := "", []any{}
	if user != "" {
		where, args = ` WHERE user_name = ?`, []any{user}
	}
	rows, err := s.query(ctx, `SELECT `+subscriptionCols+` FROM delivery_subscriptions`+where+` ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list subscriptions: %w", err)
	}
	var out []store.Subscription
	index := map[string]int{}
	for rows.Next() {
		sub, err := scanSubscription(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		sub.Stats = &store.DeliveryStats{}
		index[sub.ID] = len(out)
		out = append(out, sub)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	in := ``
	if user != "" {
		in = ` WHERE subscription_id IN (SELECT id FROM delivery_subscriptions WHERE user_name = ?)`
	}
	rows, err = s.query(ctx, `SELECT subscription_id, state, count(*) FROM delivery_outbox`+in+` GROUP BY subscription_id, state`, args...)
	if err != nil {
		return nil, fmt.Errorf("subscriptions' outbox: %w", err)
	}
	for rows.Next() {
		var id, state string
		var n int
		if err := rows.Scan(&id, &state, &n); err != nil {
			rows.Close()
			return nil, err
		}
		i, ok := index[id]
		if !ok {
			continue
		}
		st := out[i].Stats
		switch state {
		case store.OutboxPending:
			st.Pending = n
		case store.OutboxDelivered:
			st.Delivered = n
		case store.OutboxFailed:
			st.Failed = n
		case store.OutboxFeed:
			st.Feed = n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The error of the item of each subscription tried last among those
	// not delivered.
	cond := `o.state IN ('pending', 'failed') AND o.last_error <> ''`
	q := `SELECT o.subscription_id, o.last_error FROM delivery_outbox o WHERE ` + cond +
		` AND o.next_at = (SELECT max(p.next_at) FROM delivery_outbox p WHERE p.subscription_id = o.subscription_id AND ` +
		strings.ReplaceAll(cond, "o.", "p.") + `)`
	if user != "" {
		q += ` AND o.subscription_id IN (SELECT id FROM delivery_subscriptions WHERE user_name = ?)`
	}
	rows, err = s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("subscriptions' errors: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, msg string
		if err := rows.Scan(&id, &msg); err != nil {
			return nil, err
		}
		if i, ok := index[id]; ok {
			out[i].Stats.LastError = msg
		}
	}
	return out, rows.Err()
}

// DeleteSubscription implements store.Delivery.
func (s *Store) DeleteSubscription(ctx context.Context, id string) error {
	err := s.tx(ctx, func(w *txw) error {
		err := w.execOne(ctx, `DELETE FROM delivery_subscriptions WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if _, err := w.exec(ctx, `DELETE FROM delivery_outbox WHERE subscription_id = ?`, id); err != nil {
			return err
		}
		_, err = w.exec(ctx, `DELETE FROM delivery_attempts WHERE subscription_id = ?`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("remove subscription %s: %w", id, err)
	}
	return nil
}

// PendingNotifications implements store.Delivery.
//
// The delivery worker asks every few seconds. Every notification not yet
// handed over is one with no row in delivery_notified, which SQL finds
// only by reading every notification: 132,000 of them after a million
// events imported, a tenth of a busy server's CPU (docs/benchmarks.md,
// "Issue 17, fourth round"). With one writer (SQLite) a notification
// committed later has a larger id than any before it (rows are numbered
// from the largest, and notifications are never deleted), and a
// notification handed over stays so; the store then remembers below
// which id every notification has been handed over (notifiedBelow) and
// reads from there. PostgreSQL's ids come from a sequence, in the order
// transactions asked, not the order they committed: it reads them all.
func (s *Store) PendingNotifications(ctx context.Context, limit int) ([]store.Notification, error) {
	from, last := int64(0), int64(0)
	if s.d.OneWriter {
		from = s.notifiedBelow.Load()
		// Read before the notifications: every id up to last existed
		// by then, or never will.
		if err := s.queryRow(ctx, `SELECT coalesce(max(id), 0) FROM notifications`).Scan(&last); err != nil {
			return nil, fmt.Errorf("notifications to deliver: %w", err)
		}
	}
	rows, err := s.query(ctx, `SELECT n.id, n.party, n.incident_id, n.agreement_id, n.message, n.created_at FROM notifications n
		WHERE n.id >= ? AND NOT EXISTS (SELECT 1 FROM delivery_notified d WHERE d.notification_id = n.id) ORDER BY n.id LIMIT ?`, from, limit)
	if err != nil {
		return nil, fmt.Errorf("notifications to deliver: %w", err)
	}
	ns, err := scanNotifications(rows)
	if err != nil || !s.d.OneWriter {
		return ns, err
	}
	// Those before the first pending one were handed over; with none
	// pending, all up to last were.
	below := last + 1
	if len(ns) > 0 {
		below = ns[0].ID
	}
	for {
		cur := s.notifiedBelow.Load()
		if below <= cur || s.notifiedBelow.CompareAndSwap(cur, below) {
			return ns, nil
		}
	}
}

// Enqueue implements store.Delivery.
func (s *Store) Enqueue(ctx context.Context, items []store.OutboxItem, notified []int64) (int, error) {
	added := 0
	err := s.tx(ctx, func(w *txw) error {
		added = 0
		now := ts(time.Now())
		channels := map[string]string{} // "" for a subscription gone
		for _, it := range items {
			ch, ok := channels[it.Subscription]
			if !ok {
				err := w.scan(ctx, `SELECT channel FROM delivery_subscriptions WHERE id = ?`, []any{it.Subscription}, &ch)
				if errors.Is(err, sql.ErrNoRows) {
					ch = ""
				} else if err != nil {
					return err
				}
				channels[it.Subscription] = ch
			}
			if ch == "" {
				continue
			}
			state, next := store.OutboxPending, now
			if !it.NextAt.IsZero() {
				next = ts(it.NextAt)
			}
			if ch == store.ChannelAtom {
				if !it.Public {
					return fmt.Errorf("message %s to subscription %s: %w", it.MessageID, it.Subscription, store.ErrNotPublic)
				}
				state, next = store.OutboxFeed, ""
			}
			res, err := w.exec(ctx, `INSERT INTO delivery_outbox (subscription_id, message_id, payload, public, message_at, state, next_at, enqueued_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (subscription_id, message_id) DO NOTHING`,
				it.Subscription, it.MessageID, string(it.Payload), boolInt(it.Public), ts(it.At), state, next, now)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			added += int(n)
		}
		for _, id := range notified {
			if _, err := w.exec(ctx, `INSERT INTO delivery_notified (notification_id, enqueued_at) VALUES (?, ?) ON CONFLICT (notification_id) DO NOTHING`, id, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("enqueue: %w", err)
	}
	return added, nil
}

const outboxCols = `subscription_id, message_id, payload, public, message_at, state, attempts, next_at, last_error, enqueued_at, delivered_at`

func scanOutbox(sc scanner) (store.OutboxItem, error) {
	var it store.OutboxItem
	var payload, at, next, enq, done string
	var public int
	if err := sc.Scan(&it.Subscription, &it.MessageID, &payload, &public, &at, &it.State, &it.Attempts, &next, &it.LastError, &enq, &done); err != nil {
		return it, err
	}
	it.Payload, it.Public = []byte(payload), public != 0
	var errs [4]error
	it.At, errs[0] = parseTS(at)
	it.NextAt, errs[1] = parseTS(next)
	it.EnqueuedAt, errs[2] = parseTS(enq)
	it.DeliveredAt, errs[3] = parseTS(done)
	if err := errors.Join(errs[:]...); err != nil {
		return it, fmt.Errorf("outbox %s/%s: %w", it.Subscription, it.MessageID, err)
	}
	return it, nil
}

// ClaimDue implements store.Delivery. The lease is taken row by row, each
// only if still free, so that two workers (two nodes on one PostgreSQL
// database, or truce subscribe deliver beside truce serve) never hold
// the same item.
func (s *Store) ClaimDue(ctx context.Context, now, until time.Time, limit int) ([]store.OutboxItem, error) {
	var out []store.OutboxItem
	err := s.tx(ctx, func(w *txw) error {
		out = nil
		rows, err := w.query(ctx, `SELECT `+outboxCols+` FROM delivery_outbox
			WHERE state = 'pending' AND next_at <= ? AND lease_until <= ? ORDER BY next_at, enqueued_at, message_id LIMIT ?`, ts(now), ts(now), limit)
		if err != nil {
			return err
		}
		var due []store.OutboxItem
		for rows.Next() {
			it, err := scanOutbox(rows)
			if err != nil {
				rows.Close()
				return err
			}
			due = append(due, it)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, it := range due {
			res, err := w.exec(ctx, `UPDATE delivery_outbox SET lease_until = ? WHERE subscription_id = ? AND message_id = ? AND state = 'pending' AND lease_until <= ?`,
				ts(until), it.Subscription, it.MessageID, ts(now))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				out = append(out, it)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	return out, nil
}

// Unclaim implements store.Delivery.
func (s *Store) Unclaim(ctx context.Context, items []store.OutboxItem) error {
	err := s.tx(ctx, func(w *txw) error {
		for _, it := range items {
			if _, err := w.exec(ctx, `UPDATE delivery_outbox SET lease_until = '' WHERE subscription_id = ? AND message_id = ? AND state = 'pending'`,
				it.Subscription, it.MessageID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("unclaim outbox: %w", err)
	}
	return nil
}

// RecordAttempt implements store.Delivery.
func (s *Store) RecordAttempt(ctx context.Context, a store.DeliveryAttempt, next time.Time) error {
	switch a.Status {
	case store.AttemptDelivered, store.AttemptFailed, store.AttemptGaveUp:
	default:
		return fmt.Errorf("delivery attempt: unknown status %q", a.Status)
	}
	if a.At.IsZero() {
		a.At = time.Now()
	}
	err := s.tx(ctx, func(w *txw) error {
		var attempts int
		var state string
		err := w.scan(ctx, `SELECT attempts, state FROM delivery_outbox WHERE subscription_id = ? AND message_id = ?`,
			[]any{a.Subscription, a.MessageID}, &attempts, &state)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		n := attempts + 1
		if _, err := w.exec(ctx, `INSERT INTO delivery_attempts (subscription_id, message_id, attempt, status, error, at) VALUES (?, ?, ?, ?, ?, ?)`,
			a.Subscription, a.MessageID, n, a.Status, a.Error, ts(a.At)); err != nil {
			return err
		}
		if state != store.OutboxPending {
			// A late attempt at an item settled meanwhile: logged only.
			_, err := w.exec(ctx, `UPDATE delivery_outbox SET attempts = ? WHERE subscription_id = ? AND message_id = ?`, n, a.Subscription, a.MessageID)
			return err
		}
		switch a.Status {
		case store.AttemptDelivered:
			_, err = w.exec(ctx, `UPDATE delivery_outbox SET state = 'delivered', attempts = ?, delivered_at = ?, last_error = '', lease_until = '' WHERE subscription_id = ? AND message_id = ?`,
				n, ts(a.At), a.Subscription, a.MessageID)
		case store.AttemptFailed:
			_, err = w.exec(ctx, `UPDATE delivery_outbox SET attempts = ?, next_at = ?, last_error = ?, lease_until = '' WHERE subscription_id = ? AND message_id = ?`,
				n, ts(next), a.Error, a.Subscription, a.MessageID)
		case store.AttemptGaveUp:
			_, err = w.exec(ctx, `UPDATE delivery_outbox SET state = 'failed', attempts = ?, last_error = ?, lease_until = '' WHERE subscription_id = ? AND message_id = ?`,
				n, a.Error, a.Subscription, a.MessageID)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("record delivery of %s to %s: %w", a.MessageID, a.Subscription, err)
	}
	return nil
}

// Outbox implements store.Delivery.
func (s *Store) Outbox(ctx context.Context, subscription string, publicOnly bool, limit int) ([]store.OutboxItem, error) {
	q := `SELECT ` + outboxCols + ` FROM delivery_outbox WHERE subscription_id = ?`
	if publicOnly {
		q += ` AND public = 1`
	}
	rows, err := s.query(ctx, q+` ORDER BY message_at DESC, message_id DESC LIMIT ?`, subscription, limit)
	if err != nil {
		return nil, fmt.Errorf("outbox of %s: %w", subscription, err)
	}
	defer rows.Close()
	var out []store.OutboxItem
	for rows.Next() {
		it, err := scanOutbox(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// DeliveryLog implements store.Delivery.
func (s *Store) DeliveryLog(ctx context.Context, subscription, messageID string) ([]store.DeliveryAttempt, error) {
	var conds []string
	var args []any
	if subscription != "" {
		conds, args = append(conds, "subscription_id = ?"), append(args, subscription)
	}
	if messageID != "" {
		conds, args = append(conds, "message_id = ?"), append(args, messageID)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	rows, err := s.query(ctx, `SELECT subscription_id, message_id, attempt, status, error, at FROM delivery_attempts`+where+` ORDER BY at, subscription_id, message_id, attempt`, args...)
	if err != nil {
		return nil, fmt.Errorf("delivery log: %w", err)
	}
	defer rows.Close()
	var out []store.DeliveryAttempt
	for rows.Next() {
		var a store.DeliveryAttempt
		var at string
		if err := rows.Scan(&a.Subscription, &a.MessageID, &a.Attempt, &a.Status, &a.Error, &at); err != nil {
			return nil, err
		}
		if a.At, err = parseTS(at); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
