package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/alert"
	"github.com/truce-monitor/truce/internal/delivery"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// alertPage is how many incidents a viewer who does not see everything
// reads at a time.
const alertPage = 2000

// Alerts are the escalation alerts of the days [from, to) (docs/alerts.md)
// over the incidents u may see: its district (Place.Admin2) and the zones
// of the stored agreements it lies in, as the ruling engine places it. The
// incidents of the cfg.History() days before from are read too, as the
// first days' baselines, so that an alert does not depend on where the
// period starts. Days are those of the agreements' time zone.
//
// An alert's ID depends only on its kind, unit and day: whoever keeps or
// delivers alerts may key them by it (a later run, over more incidents or
// with other thresholds, finds the same escalation under the same ID).
func (a *App) Alerts(ctx context.Context, u *workflow.User, from, to time.Time, cfg alert.Config) ([]alert.Alert, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("alerts: %w", err)
	}
	if from.IsZero() || to.IsZero() || !to.After(from) {
		return nil, fmt.Errorf("alerts: a period [from, to) is needed, got %s to %s", from, to)
	}
	loc := a.DefaultLocation()
	first := alert.DayOf(from, loc)
	if !incident.IsDayStart(from, loc) {
		first++ // the first whole day
	}
	last := alert.DayOf(to.Add(-time.Nanosecond), loc) + 1
	since := (first - alert.Day(cfg.History())).Start(loc)

	zones := alert.NewZones(a.Agreements(), loc)
	var events []alert.Event
	add := func(in incident.Incident) {
		if ev, ok := alert.EventOf(in.ID, in.Occurred, in.Place, in.Act, loc, zones); ok {
			events = append(events, ev)
		}
	}
	if SeesAll(u) {
		err := a.EachIncident(ctx, u, since, to, func(in incident.Incident) error {
			add(in)
			return ctx.Err()
		})
		if err != nil {
			return nil, fmt.Errorf("alerts: %w", err)
		}
	} else {
		for off := 0; ; off += alertPage {
			list, _, err := a.Incidents(ctx, u, store.Filter{From: since, To: to, Limit: alertPage, Offset: off, NoCount: true})
			if err != nil {
				return nil, fmt.Errorf("alerts: %w", err)
			}
			for _, s := range list {
				add(s.Incident)
			}
			if len(list) < alertPage {
				break
			}
		}
	}
	units := append(alert.Districts(a.Boundaries), zones.Units()...)
	return alert.Detect(alert.Input{From: first, To: last, Units: units, Events: events}, cfg)
}

// alertWindow is how far back each round of EnqueueAlerts looks: an
// alert is enqueued once (its id keys the outbox), so the window need
// only cover what a stopped node missed and the detector's baseline.
const alertWindow = 35 * 24 * time.Hour

// EnqueueAlerts detects escalations over the weeks up to to and enqueues
// them for delivery: over every incident for the staff's subscriptions,
// and over the published incidents alone as the public edition (an Atom
// feed, a subscription limited to public messages). Enqueueing is
// idempotent by the alert's id, so a round may run as often as wanted.
func (a *App) EnqueueAlerts(ctx context.Context, to time.Time, cfg alert.Config) (int, error) {
	from := to.Add(-alertWindow)
	var msgs []delivery.Message
	for _, edition := range []struct {
		viewer *workflow.User
		public bool
	}{{Operator(), false}, {nil, true}} {
		alerts, err := a.Alerts(ctx, edition.viewer, from, to, cfg)
		if err != nil {
			return 0, err
		}
		for _, al := range alerts {
			msgs = append(msgs, alertMessage(al, edition.public))
		}
	}
	if len(msgs) == 0 {
		return 0, nil
	}
	return a.Enqueue(ctx, msgs)
}

// alertMessage is an alert as delivery carries it. The public edition's
// id differs from the staff's: the two count different incidents.
func alertMessage(al alert.Alert, public bool) delivery.Message {
	id := "alert-" + al.ID
	if public {
		id = "alert-public-" + al.ID
	}
	_, zone, _ := strings.Cut(al.Zone, "/")
	severity := "medium" // of delivery.Severities, by how far the count stands out
	switch {
	case al.P < 1e-6:
		severity = "critical"
	case al.P < 1e-4:
		severity = "high"
	}
	at, _ := time.Parse("2006-01-02", al.Day)
	link := "/incidents?from=" + al.Day + "&to=" + al.Day
	if al.PCode != "" {
		link += "&admin=" + al.PCode
	}
	return delivery.Message{ID: id, Kind: "alert", Zone: zone, Area: al.PCode, Severity: severity,
		Title: fmt.Sprintf("Escalation: %s, %s", al.UnitName, al.Day), Text: al.Text, At: at, Public: public, Link: link}
}

// WatchAlerts enqueues the alerts of the weeks up to now every interval,
// until ctx ends (truce serve).
func (a *App) WatchAlerts(ctx context.Context, every time.Duration, cfg alert.Config) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := a.EnqueueAlerts(ctx, time.Now(), cfg); err != nil {
			a.Log.Error("alerts", "err", err)
		} else if n > 0 {
			a.Log.Info("alerts enqueued", "deliveries", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
