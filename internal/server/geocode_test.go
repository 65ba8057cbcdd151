package server_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/truce-monitor/truce/internal/app"
)

// TestSubmitGeocodes: a report naming its place without coordinates goes
// through the gazetteer like a file's row ("Douma" was stored with no
// point and no unit, and missed the map, the zones and the filters: issue
// 14 item 3); a name the gazetteer cannot settle is kept and flagged.
func TestSubmitGeocodes(t *testing.T) {
	demo(t)
	for _, tt := range []struct {
		place, admin3 string
		flagged       bool
	}{
		{"Douma", "SY030200", false},
		{"Nowhere-al-Imaginary", "", true},
	} {
		body := `{"source":"field","source_id":"geo-` + tt.place + `","occurred":{"start":"2017-01-12T00:00:00+02:00","end":"2017-01-13T00:00:00+02:00"},
			"place":{"name":"` + tt.place + `"},"act":"shelling","actors":[{"name":"Syrian Arab Army","role":"perpetrator"},{"name":"civilians","role":"target"}]}`
		status, v := post(t, testToken, body)
		if status != http.StatusCreated {
			t.Fatalf("%s: %d %v", tt.place, status, v)
		}
		d, err := demoApp.Incident(context.Background(), app.Operator(), int64(v["incident_id"].(float64)))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range d.Reports {
			if r.SourceID != "api:geo-"+tt.place {
				continue
			}
			if r.Place.Admin3 != tt.admin3 || r.Place.HasPoint != (tt.admin3 != "") || (len(r.Flags) > 0) != tt.flagged {
				t.Errorf("%s: place %+v, flags %v", tt.place, r.Place, r.Flags)
			}
		}
	}
}
