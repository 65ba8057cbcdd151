package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/store"
)

// TestDemoSample: the demo's public pages and the README's curl showed
// nothing, since the public sees only reviewed incidents (issue 14 item
// 10). The demo reviews a sample, every violation among it, saying so.
func TestDemoSample(t *testing.T) {
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: filepath.Join(t.TempDir(), "d.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ImportDemoEvents(ctx); err != nil {
		t.Fatal(err)
	}
	ag, _ := a.Agreement("syria-coh-2016")
	_, ruled, err := a.Rule(ctx, ag.ID, ag.Versions[0].From, time.Date(2017, 3, 1, 0, 0, 0, 0, ag.Location))
	if err != nil {
		t.Fatal(err)
	}
	n, err := reviewDemoSample(ctx, a, ruled)
	if err != nil || n == 0 {
		t.Fatalf("sample: %d, %v", n, err)
	}
	public, total, err := a.Incidents(ctx, nil, store.Filter{Agreement: ag.ID})
	if err != nil || total != n {
		t.Fatalf("the public sees %d incidents (%v), want the %d reviewed", total, err, n)
	}
	violations := 0
	for _, in := range public {
		if in.Ruling != nil && in.Ruling.Verdict == "violation" {
			violations++
		}
	}
	if violations == 0 {
		t.Error("no violation among what the public sees")
	}
	c, err := a.CaseFor(ctx, app.Operator(), public[0].ID)
	if err != nil || !strings.Contains(c.History[len(c.History)-1].Reason, "demo only") {
		t.Errorf("the sample's review does not say it is the demo's: %v", err)
	}
}
