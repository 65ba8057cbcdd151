package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/truce-monitor/truce/internal/auth"
	"github.com/truce-monitor/truce/internal/delivery"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/sealed"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// Delivery of alerts and notifications (docs/delivery.md): users
// subscribe to messages by party, zone, area, verdict and severity, to be
// sent by e-mail, by webhook or on an Atom feed; the app turns its records
// into delivery.Messages and enqueues them, and a worker delivers the
// outbox. Who may receive what is decided twice: when subscribing (a
// party's user cannot ask for another party's protected messages) and for
// every message (a subscription is sent only what its owner may see).

// NewSubscription is a subscription as stored, with what is shown once.
type NewSubscription struct {
	store.Subscription
	// FeedToken is an Atom subscription's token; FeedPath, where its feed
	// is read (/feeds/TOKEN.atom). Only the token's hash is kept.
	FeedToken string `json:"feed_token,omitempty"`
	FeedPath  string `json:"feed_path,omitempty"`
	// Secret is a webhook's secret when truce made it (none was given).
	Secret string `json:"secret,omitempty"`
}

// FeedPath is where the feed of an Atom subscription's token is read.
func FeedPath(token string) string { return "/feeds/" + token + ".atom" }

func invalid(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), workflow.ErrInvalid)
}

// viewerOf is what a user may be sent.
func viewerOf(u *workflow.User) delivery.Viewer {
	if u == nil {
		return delivery.Viewer{}
	}
	return delivery.Viewer{SeesAll: SeesAll(u), Party: u.Party}
}

func isAdmin(u *workflow.User) bool { return u != nil && u.Role == workflow.Admin }

// Subscribe stores a subscription for s.User (u itself when empty; only
// an administrator subscribes someone else). The channel and its
// address, and every filter, are checked: a party, a zone of a stored
// agreement, a P-code of the shipped boundaries, a verdict, a severity.
// An Atom subscription is limited to public messages, and so is that of
// a user who sees no protected record; a party's user may subscribe to
// another party's messages only so limited. A webhook without a secret
// gets one, shown once, as an Atom feed's token is.
func (a *App) Subscribe(ctx context.Context, u *workflow.User, s store.Subscription) (NewSubscription, error) {
	if u == nil {
		return NewSubscription{}, fmt.Errorf("subscribe: a login is required: %w", workflow.ErrForbidden)
	}
	if s.User == "" {
		s.User = u.Name
	}
	if s.User != u.Name && !isAdmin(u) {
		return NewSubscription{}, fmt.Errorf("subscribe %s: only an administrator subscribes another user: %w", s.User, workflow.ErrForbidden)
	}
	owner, err := a.store.User(ctx, s.User)
	if errors.Is(err, store.ErrNotFound) {
		return NewSubscription{}, invalid("subscribe: no user %q", s.User)
	} else if err != nil {
		return NewSubscription{}, err
	}
	var out NewSubscription
	if s.Address, err = delivery.CheckAddress(s.Channel, s.Address); err != nil {
		return out, invalid("subscribe: %v", err)
	}
	switch s.Channel {
	case store.ChannelWebhook:
		if s.Secret == "" {
			s.Secret = auth.Token("whsec_")
			out.Secret = s.Secret
		}
		if len(s.Secret) < delivery.MinSecret {
			return out, invalid("subscribe: a webhook's secret needs at least %d characters", delivery.MinSecret)
		}
	case store.ChannelAtom:
		out.FeedToken = auth.Token("feed_")
		out.FeedPath = FeedPath(out.FeedToken)
		s.TokenHash = auth.Hash(out.FeedToken)
		s.PublicOnly = true
	}
	if s.Channel != store.ChannelWebhook && s.Secret != "" {
		return out, invalid("subscribe: only a webhook has a secret")
	}
	if err := a.checkFilters(s); err != nil {
		return out, err
	}
	v := viewerOf(&owner)
	if !v.SeesAll && v.Party == "" {
		s.PublicOnly = true // all they may be sent
	}
	if !v.SeesAll && s.Party != "" && s.Party != v.Party && !s.PublicOnly {
		return out, fmt.Errorf("subscribe %s to party %s: a party's user may subscribe to another party's messages only as public ones (public_only): %w",
			s.User, s.Party, workflow.ErrForbidden)
	}
	s.ID = auth.Token("sub_")[:20]
	s.Stats = nil
	if s.Secret != "" {
		// It signs what truce sends as truce: sealed under the data key,
		// kept apart from the database.
		box, err := a.box()
		if err != nil {
			return out, fmt.Errorf("subscribe: webhook secret: %w", err)
		}
		s.Secret = box.Seal(secretContext(s.ID), []byte(s.Secret))
	}
	if err := a.store.PutSubscription(ctx, s); err != nil {
		return out, err
	}
	stored, err := a.store.Subscription(ctx, s.ID)
	out.Subscription = stored
	return out, err
}

// checkFilters checks a subscription's filters against what truce knows.
func (a *App) checkFilters(s store.Subscription) error {
	if s.Kind != "" && !slices.Contains(delivery.Kinds, s.Kind) {
		return invalid("kind: %q is not one of %v", s.Kind, delivery.Kinds)
	}
	if s.Severity != "" && !slices.Contains(delivery.Severities, s.Severity) {
		return invalid("severity: %q is not one of %v", s.Severity, delivery.Severities)
	}
	if v := ruling.Verdict(s.Verdict); v != "" && v != ruling.Violation && v != ruling.NotViolation && v != ruling.Undetermined {
		return invalid("verdict: %q is not violation, not_violation or undetermined", s.Verdict)
	}
	if s.Area != "" {
		if _, ok := a.Boundaries.Unit(s.Area); !ok {
			return invalid("area: %q is not a P-code of the shipped boundaries (SY03, SY0302, ...)", s.Area)
		}
	}
	if s.Party == "" && s.Zone == "" {
		return nil
	}
	var parties, zones []string
	for _, ag := range a.Agreements() {
		for _, v := range ag.Versions {
			for _, p := range v.Parties {
				parties = append(parties, p.ID)
			}
			for _, z := range v.Zones {
				zones = append(zones, z.ID)
			}
		}
	}
	if s.Party != "" && !slices.Contains(parties, s.Party) {
		return invalid("party: no stored agreement defines a party %q", s.Party)
	}
	if s.Zone != "" && !slices.Contains(zones, s.Zone) {
		return invalid("zone: no stored agreement defines a zone %q", s.Zone)
	}
	return nil
}

// Subscriptions lists user's subscriptions (u's own when empty; an
// administrator's empty is everyone's), with where each one's deliveries
// stand. Only an administrator lists another user's.
func (a *App) Subscriptions(ctx context.Context, u *workflow.User, user string) ([]store.Subscription, error) {
	if u == nil {
		return nil, fmt.Errorf("subscriptions: a login is required: %w", workflow.ErrForbidden)
	}
	if user == "" && !isAdmin(u) {
		user = u.Name
	}
	if user != u.Name && !isAdmin(u) {
		return nil, fmt.Errorf("subscriptions of %s: %w", user, workflow.ErrForbidden)
	}
	return a.store.Subscriptions(ctx, user)
}

// ownSubscription is subscription id if u may manage it; another's is
// not found, as one that does not exist.
func (a *App) ownSubscription(ctx context.Context, u *workflow.User, id string) (store.Subscription, error) {
	if u == nil {
		return store.Subscription{}, fmt.Errorf("subscription %s: a login is required: %w", id, workflow.ErrForbidden)
	}
	s, err := a.store.Subscription(ctx, id)
	if err != nil {
		return s, err
	}
	if s.User != u.Name && !isAdmin(u) {
		return store.Subscription{}, fmt.Errorf("subscription %s: %w", id, store.ErrNotFound)
	}
	return s, nil
}

// Unsubscribe removes a subscription of u's own (any, for an
// administrator), with its outbox and its delivery log.
func (a *App) Unsubscribe(ctx context.Context, u *workflow.User, id string) error {
	if _, err := a.ownSubscription(ctx, u, id); err != nil {
		return err
	}
	return a.store.DeleteSubscription(ctx, id)
}

// DeliveryLog lists the attempts to deliver a subscription's messages, for
// its owner or an administrator.
func (a *App) DeliveryLog(ctx context.Context, u *workflow.User, id string) ([]store.DeliveryAttempt, error) {
	if _, err := a.ownSubscription(ctx, u, id); err != nil {
		return nil, err
	}
	return a.store.DeliveryLog(ctx, id, "")
}

// Enqueue puts every message into the outbox of each subscription it
// matches, in one transaction: a message already enqueued for a
// subscription (the same ID) is not enqueued again. Alerts come in here,
// converted by their maker; so do the notifications of violations
// (NotifyViolations). It returns how many deliveries were added.
func (a *App) Enqueue(ctx context.Context, msgs []delivery.Message) (int, error) {
	for _, m := range msgs {
		if err := m.Validate(); err != nil {
			return 0, invalid("%v", err)
		}
	}
	return a.enqueue(ctx, msgs, nil)
}

func (a *App) enqueue(ctx context.Context, msgs []delivery.Message, notified []int64) (int, error) {
	if len(msgs) == 0 && len(notified) == 0 {
		return 0, nil
	}
	subs, err := a.store.Subscriptions(ctx, "")
	if err != nil {
		return 0, err
	}
	users, err := a.store.Users(ctx)
	if err != nil {
		return 0, err
	}
	viewers := map[string]delivery.Viewer{}
	for _, u := range users {
		viewers[u.Name] = viewerOf(&u)
	}
	var items []store.OutboxItem
	for _, m := range msgs {
		var payload []byte
		for _, s := range subs {
			// The owner's rights as they are now: a user removed, or
			// moved to another party, is sent only what that allows.
			if !delivery.Match(s, viewers[s.User], m) {
				continue
			}
			if payload == nil {
				if payload, err = m.Payload(); err != nil {
					return 0, err
				}
			}
			items = append(items, store.OutboxItem{Subscription: s.ID, MessageID: m.ID, Payload: payload, Public: m.Public, At: m.At})
		}
	}
	return a.store.Enqueue(ctx, items, notified)
}

// NotifyViolations turns the party notifications not yet handed to the
// outbox into messages (kind violation, protected: for the party's users
// and the staff) and enqueues them, each marked as handed over in the
// same transaction. The store makes a notification where it rules, in the
// transaction of the ruling, whatever the door (a submission, an import,
// a feed, truce rule); the delivery worker calls this before each round,
// so that every notification is delivered without each door calling
// anything. It returns how many deliveries were added.
func (a *App) NotifyViolations(ctx context.Context) (int, error) {
	total := 0
	for {
		ns, err := a.store.PendingNotifications(ctx, 100)
		if err != nil || len(ns) == 0 {
			return total, err
		}
		// With no subscription nobody is sent anything: the notifications
		// are handed over without their messages, each of which reads its
		// incident (after a bulk import, a server's first minutes went to
		// 132,000 of them).
		subs, err := a.store.Subscriptions(ctx, "")
		if err != nil {
			return total, err
		}
		msgs := make([]delivery.Message, 0, len(ns))
		ids := make([]int64, 0, len(ns))
		for _, n := range ns {
			if len(subs) == 0 {
				ids = append(ids, n.ID)
				continue
			}
			m, err := a.violationMessage(ctx, n)
			if err != nil {
				return total, err
			}
			msgs = append(msgs, m)
			ids = append(ids, n.ID)
		}
		added, err := a.enqueue(ctx, msgs, ids)
		total += added
		if err != nil {
			return total, err
		}
	}
}

// violationMessage is the message of a party's notification: its words,
// and the incident's zone, area and severity for the filters.
func (a *App) violationMessage(ctx context.Context, n store.Notification) (delivery.Message, error) {
	m := delivery.Message{
		ID:     fmt.Sprintf("violation:%d:%s:%s", n.IncidentID, n.Agreement, n.Party),
		Kind:   delivery.KindViolation,
		Party:  n.Party,
		Ruling: string(ruling.Violation),
		Title:  fmt.Sprintf("Incident %d: ruled a violation of %s by %s", n.IncidentID, n.Agreement, n.Party),
		Text:   n.Message,
		Link:   fmt.Sprintf("/incidents/%d", n.IncidentID),
		At:     n.At,
	}
	d, err := a.store.Incident(ctx, n.IncidentID)
	if errors.Is(err, store.ErrNotFound) {
		return m, nil // merged away: the words say it all
	} else if err != nil {
		return m, err
	}
	p := d.Place
	m.Area = firstOf(p.Admin3, p.Area, p.Admin2, p.Admin1)
	m.Severity = severityOf(d.Casualties)
	for _, r := range d.Rulings {
		if r.Agreement != n.Agreement {
			continue
		}
		if len(r.Clauses) > 0 {
			m.Title += " (" + strings.Join(r.Clauses, ", ") + ")"
		}
		if ag, ok := a.Agreement(n.Agreement); ok {
			if v := ag.Version(r.Version); v != nil {
				for _, z := range v.Zones {
					if ruling.InZone(z, p) == 1 {
						m.Zone = z.ID
						break
					}
				}
			}
		}
	}
	return m, nil
}

func firstOf(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}

// severityOf grades an incident by its dead: none known low, some medium,
// ten or more high (critical is left to the escalation detector).
func severityOf(c incident.Casualties) string {
	dead := c.Best
	if c.NoBest {
		dead = c.Low
	}
	switch {
	case dead >= 10:
		return "high"
	case dead >= 1:
		return "medium"
	}
	return "low"
}

// Feed returns the Atom subscription of a feed token and its public
// messages, the latest first (at most 100). An unknown token is not
// found, as is any subscription that is not a feed.
func (a *App) Feed(ctx context.Context, token string) (store.Subscription, []delivery.Message, error) {
	s, err := a.store.SubscriptionByToken(ctx, auth.Hash(token))
	if err != nil {
		return s, nil, err
	}
	if s.Channel != store.ChannelAtom {
		return store.Subscription{}, nil, fmt.Errorf("feed: %w", store.ErrNotFound)
	}
	items, err := a.store.Outbox(ctx, s.ID, true, 100)
	if err != nil {
		return s, nil, err
	}
	msgs := make([]delivery.Message, 0, len(items))
	for _, it := range items {
		m, err := delivery.Decode(it.Payload)
		if err != nil {
			return s, nil, err
		}
		if m.Public && it.Public {
			msgs = append(msgs, m)
		}
	}
	return s, msgs, nil
}

// DeliverOnce takes the new notifications and attempts every delivery
// due, once (truce subscribe deliver).
func (a *App) DeliverOnce(ctx context.Context, cfg delivery.Config) (delivery.Result, error) {
	if err := cfg.Check(); err != nil {
		return delivery.Result{}, err
	}
	if _, err := a.NotifyViolations(ctx); err != nil {
		return delivery.Result{}, err
	}
	return a.worker(cfg).RunOnce(ctx)
}

// RunDelivery delivers until ctx ends (truce serve): every cfg.Every it
// takes the new notifications and attempts the deliveries due, retrying
// failures with backoff. After a stop it resumes from the outbox. It
// returns at once with a configuration error, and nil when ctx ends.
func (a *App) RunDelivery(ctx context.Context, cfg delivery.Config) error {
	if err := cfg.Check(); err != nil {
		return err
	}
	a.worker(cfg).Run(ctx, cfg.Every, func(ctx context.Context) error {
		_, err := a.NotifyViolations(ctx)
		return err
	})
	return nil
}

// worker is cfg's delivery worker on this store, opening the webhooks'
// sealed secrets.
func (a *App) worker(cfg delivery.Config) *delivery.Worker {
	w := cfg.Worker(a.store, a.Log)
	w.Open = a.openSubscription
	return w
}

func secretContext(subscription string) string { return "webhook secret " + subscription }

// openSubscription gives s its secret in clear; a secret stored before
// secrets were sealed is taken as it is.
func (a *App) openSubscription(s store.Subscription) (store.Subscription, error) {
	if s.Secret == "" || !sealed.IsSealed(s.Secret) {
		return s, nil
	}
	box, err := a.box()
	if err != nil {
		return s, fmt.Errorf("subscription %s secret: %w", s.ID, err)
	}
	b, err := box.Open(secretContext(s.ID), s.Secret)
	if err != nil {
		return s, fmt.Errorf("subscription %s secret: %w", s.ID, err)
	}
	s.Secret = string(b)
	return s, nil
}
