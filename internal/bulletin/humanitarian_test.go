package bulletin_test

import (
	"context"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/bulletin"
	"github.com/truce-monitor/truce/internal/humanitarian"
	"github.com/truce-monitor/truce/internal/workflow"
)

// TestHumanitarianSection: the week's bulletin lists the sieges in force
// and a convoy denied that week, linked to the incident it became; a
// later revision of the request changes nothing in the bulletin computed
// again from the same log size, which still verifies.
func TestHumanitarianSection(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mon := &workflow.User{Name: "mon", Role: workflow.Monitor}
	req := humanitarian.AccessRequest{ID: "ocha-2017-01-duma", RequestedBy: "UN OCHA", Date: "2017-01-05",
		Destination: humanitarian.Area{Name: "Douma", PCodes: []string{"SY030200"}},
		Steps:       []humanitarian.AccessStep{{Date: "2017-01-10", Status: humanitarian.StepDenied, By: "government-of-syria", Source: humanitarian.Source{Citation: "test: convoy report"}}}}
	r, err := f.a.PutAccess(ctx, mon, req)
	if err != nil {
		t.Fatal(err)
	}
	b := f.compute(t, nil)
	var sieges []string
	for _, s := range b.D.Sieges {
		sieges = append(sieges, s.ID)
	}
	if !strings.Contains(strings.Join(sieges, " "), "eastern-ghouta") || strings.Contains(strings.Join(sieges, " "), "east-aleppo-2016") {
		t.Errorf("sieges in force the week of 9 Jan 2017: %v", sieges)
	}
	if len(b.D.Aid) != 1 || b.D.Aid[0].What != humanitarian.StepDenied || b.D.Aid[0].Incident != r.Steps[0].Incident || b.D.Aid[0].Incident == 0 {
		t.Fatalf("aid events = %+v", b.D.Aid)
	}
	md, err := bulletin.Write(ctx, b, f.a, "md", bulletin.Options{Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "2017-01-10 · Douma · denied · Government of Syria") {
		t.Errorf("the Markdown lacks the denial:\n%s", md)
	}
	// A later revision: a delivery that same week, recorded after.
	req.Steps = append(req.Steps, humanitarian.AccessStep{Date: "2017-01-12", Status: humanitarian.StepDelivered, Source: humanitarian.Source{Citation: "test"}})
	if _, err := f.a.PutAccess(ctx, mon, req); err != nil {
		t.Fatal(err)
	}
	back, err := bulletin.Read(md)
	if err != nil {
		t.Fatal(err)
	}
	if err := bulletin.Verify(ctx, f.a, back, nil); err != nil {
		t.Errorf("the bulletin no longer verifies after a later revision: %v", err)
	}
	if now := f.compute(t, nil); len(now.D.Aid) != 2 {
		t.Errorf("a bulletin computed now: %d aid events, want 2", len(now.D.Aid))
	}
}
