package web_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/incident"
)

// TestFormDateIsTheAgreementsDay: the web form read a date as a UTC day,
// so that a report of 29 December 2016 (the ceasefire began at midnight,
// Damascus time) was undetermined by the web and a violation through the
// API (issue 13 item 9, issue 14 item 4). A date is now the day in the
// agreement's time zone at every door.
func TestFormDateIsTheAgreementsDay(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	c := s.client(t).login("mon")
	c.get("/submit")
	photo := append(append([]byte{}, png...), "a photo of the market"...)
	if status, _ := c.upload("/submit", map[string]string{"date": "2016-12-30", "place": "Douma", "lat": "33.5717", "lon": "36.4027",
		"act": "shelling", "perpetrator": "Syrian Arab Army", "target": "civilians", "description": "shells on the market"}, "market.png", photo); status != http.StatusSeeOther {
		t.Fatalf("submit: %d", status)
	}
	ctx := context.Background()
	var r incident.Report
	if err := s.app.EachReport(ctx, app.Operator(), func(x incident.Report) error {
		if x.Description == "shells on the market" {
			r = x
		}
		return nil
	}); err != nil || r.ID == 0 {
		t.Fatalf("the report is not stored (%v)", err)
	}
	d, err := s.app.Incident(ctx, app.Operator(), r.IncidentID)
	if err != nil {
		t.Fatal(err)
	}
	if want := "2016-12-29T22:00:00Z"; r.Occurred.Start.UTC().Format(time.RFC3339) != want || r.Occurred.End.Sub(r.Occurred.Start) != 24*time.Hour {
		t.Errorf("the day 2016-12-30 is stored as %v – %v, want it to start at %s (midnight in Damascus)", r.Occurred.Start.UTC(), r.Occurred.End.UTC(), want)
	}
	if len(d.Rulings) == 0 || d.Rulings[0].Verdict != "violation" {
		t.Errorf("ruling: %+v", d.Rulings)
	}
}
