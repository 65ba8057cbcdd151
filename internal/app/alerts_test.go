package app_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/alert"
	"github.com/truce-monitor/truce/internal/alert/ged"
	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/bundled"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// demoGED is the UCDP file the demo imports, uncompressed.
func demoGED(t *testing.T) []byte {
	t.Helper()
	f, err := bundled.FS.Open(bundled.DemoEvents)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(gz)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// The alerts of stored incidents are those the detector finds in the
// same events read straight from the file (one incident per event here),
// each naming the incidents behind it; a viewer sees the alerts of what
// it may see, and the public, before any review, sees none.
func TestAlerts(t *testing.T) {
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: filepath.Join(t.TempDir(), "alerts.db"), NoCluster: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	data := demoGED(t)
	if _, err := a.Import(ctx, "ucdp", bytes.NewReader(data), "demo.csv", app.ImportOptions{NoRead: true}); err != nil {
		t.Fatal(err)
	}
	loc := a.DefaultLocation()
	from := time.Date(2017, 1, 1, 0, 0, 0, 0, loc)
	to := time.Date(2017, 3, 1, 0, 0, 0, 0, loc)
	cfg := alert.Defaults()
	got, err := a.Alerts(ctx, app.Operator(), from, to, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 {
		t.Fatal("no alert in the demo's two months")
	}

	// The same file through the backtest's reader.
	b, g, err := app.LoadGeography()
	if err != nil {
		t.Fatal(err)
	}
	reg, err := app.LoadActors()
	if err != nil {
		t.Fatal(err)
	}
	res, err := ged.Backtest(bytes.NewReader(data), "demo.csv", ged.Reference{Actors: reg, Boundaries: b, Places: g},
		alert.Date(2017, 1, 1), alert.Date(2017, 2, 28), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := res.Alerts
	if len(got) != len(want) {
		t.Fatalf("%d alerts from the store, %d from the file", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.ID != w.ID || g.Day != w.Day || g.Kind != w.Kind || g.Unit != w.Unit || g.Count != w.Count || g.P != w.P || g.Text != w.Text {
			t.Errorf("alert %d:\nstore %+v\n file %+v", i, g, w)
		}
		// The incidents behind the count are stored incidents of that
		// day and unit.
		for _, id := range g.Incidents {
			d, err := a.Incident(ctx, app.Operator(), id)
			if err != nil {
				t.Fatalf("alert %s: incident %d: %v", g.ID, id, err)
			}
			day := alert.DayOf(d.Occurred.Start, loc)
			if last, _ := alert.ParseDay(g.Day); day > last || day <= last-alert.Day(g.WindowDays) || (g.Level == alert.District && d.Place.Admin2 != g.Unit) {
				t.Errorf("alert %s (%s %s): incident %d of %s in %s", g.ID, g.Day, g.Unit, id, day, d.Place.Admin2)
			}
		}
	}

	// Nothing is reviewed: the public sees no incident, hence no alert.
	pub, err := a.Alerts(ctx, nil, from, to, cfg)
	if err != nil || len(pub) != 0 {
		t.Errorf("the public's alerts: %d, %v", len(pub), err)
	}
	researcher := &workflow.User{Name: "r", Role: workflow.Researcher}
	if rs, err := a.Alerts(ctx, researcher, from, to, cfg); err != nil || len(rs) != 0 {
		t.Errorf("a researcher's alerts: %d, %v", len(rs), err)
	}

	// Bad thresholds and periods are refused.
	bad := cfg
	bad.PValue = 0
	if _, err := a.Alerts(ctx, app.Operator(), from, to, bad); err == nil {
		t.Error("p_value 0 accepted")
	}
	if _, err := a.Alerts(ctx, app.Operator(), to, from, cfg); err == nil {
		t.Error("a period ending before it starts accepted")
	}
}

// TestEnqueueAlerts: the alerts of the weeks up to a day reach the
// subscriptions that ask for them: the staff's edition a staff member's
// webhook, the public edition (published incidents only: none before
// review) an Atom feed; enqueueing again sends nothing twice.
func TestEnqueueAlerts(t *testing.T) {
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: filepath.Join(t.TempDir(), "enqueue.db"), NoCluster: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Import(ctx, "ucdp", bytes.NewReader(demoGED(t)), "demo.csv", app.ImportOptions{NoRead: true}); err != nil {
		t.Fatal(err)
	}
	rev := &workflow.User{Name: "rev", Role: workflow.Reviewer}
	if _, err := a.AddUser(ctx, *rev, ""); err != nil {
		t.Fatal(err)
	}
	hook, err := a.Subscribe(ctx, rev, store.Subscription{User: "rev", Channel: store.ChannelWebhook, Address: "http://127.0.0.1:9/hook", Kind: "alert"})
	if err != nil {
		t.Fatal(err)
	}
	feed, err := a.Subscribe(ctx, rev, store.Subscription{User: "rev", Channel: store.ChannelAtom, Kind: "alert"})
	if err != nil {
		t.Fatal(err)
	}
	to := time.Date(2017, 2, 28, 0, 0, 0, 0, a.DefaultLocation())
	n, err := a.EnqueueAlerts(ctx, to, alert.Defaults())
	if err != nil || n == 0 {
		t.Fatalf("enqueue: %d, %v", n, err)
	}
	if again, err := a.EnqueueAlerts(ctx, to, alert.Defaults()); err != nil || again != 0 {
		t.Errorf("enqueued again: %d, %v", again, err)
	}
	subs, err := a.Subscriptions(ctx, rev, "rev")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		switch {
		case s.ID == hook.ID && (s.Stats == nil || s.Stats.Pending == 0):
			t.Errorf("the staff's webhook got no alert: %+v", s.Stats)
		case s.ID == feed.ID && s.Stats != nil && s.Stats.Pending+s.Stats.Delivered > 0:
			t.Errorf("the public feed got alerts of unreviewed incidents: %+v", s.Stats)
		}
	}
}
