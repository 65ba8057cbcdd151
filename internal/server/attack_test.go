package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/workflow"
)

// TestReportOwnership performs the attacks of issue 12 item 1: a liaison
// re-posting a UCDP event with the perpetrator changed, and a researcher
// re-posting a monitor's report by the id the log used to show. Neither
// may touch the other's record: each post is the poster's own report.
func TestReportOwnership(t *testing.T) {
	demo(t)
	ctx := context.Background()
	token := func(name string, role workflow.Role, party string) string {
		tok, err := demoApp.AddUser(ctx, workflow.User{Name: name, Role: role, Party: party}, "")
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	liaison := token("own-liaison", workflow.Liaison, "GOV")
	researcher := token("own-researcher", workflow.Researcher, "")
	monitor := token("own-monitor", workflow.Monitor, "")

	// A UCDP event ruled a violation by a party.
	var target incident.Report
	err := demoApp.EachReport(ctx, app.Operator(), func(r incident.Report) error {
		if target.ID == 0 && r.Source == "ucdp-ged" && len(r.Actors) > 0 && r.Actors[0].Role == incident.Perpetrator {
			target = r
		}
		return nil
	})
	if err != nil || target.ID == 0 {
		t.Fatalf("no UCDP one-sided event in the demo data (%v)", err)
	}
	forged := target
	forged.Actors = []incident.ActorRef{{Name: "ISIS", Role: incident.Perpetrator}, {Name: "civilians", Role: incident.Target}}
	forged.ID, forged.IncidentID, forged.Original, forged.OriginalFormat, forged.Kind = 0, 0, "", "", ""
	body, _ := json.Marshal(forged)

	for _, tt := range []struct{ who, token string }{{"liaison", liaison}, {"researcher", researcher}, {"machine client", testToken}} {
		status, v := post(t, tt.token, string(body))
		if status == http.StatusOK || v["outcome"] == "updated" {
			t.Errorf("%s re-posting ucdp-ged/%s: %d %v: the dataset's record was revised", tt.who, target.SourceID, status, v)
		}
		if id, _ := v["source_id"].(string); id == target.SourceID {
			t.Errorf("%s's report took the dataset's id %q", tt.who, id)
		}
	}
	after, err := demoApp.Incident(ctx, app.Operator(), target.IncidentID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range after.Reports {
		if r.ID == target.ID && r.Actors[0].Name != target.Actors[0].Name {
			t.Errorf("the UCDP record's perpetrator is now %q", r.Actors[0].Name)
		}
	}

	// A monitor's report, then a researcher posting to its stored id.
	mine := `{"source":"field","source_id":"f-77","occurred":{"start":"2017-01-20T00:00:00+02:00","end":"2017-01-21T00:00:00+02:00"},
		"place":{"name":"Duma","lat":33.5717,"lon":36.4027,"has_point":true,"precision":"exact"},"act":"shelling","description":"seen by our team",
		"witnesses":[{"name":"Secret Witness"}]}`
	status, v := post(t, monitor, mine)
	if status != http.StatusCreated {
		t.Fatalf("monitor's report: %d %v", status, v)
	}
	storedID, reportID := v["source_id"].(string), v["report_id"]
	if storedID != "own-monitor:f-77" {
		t.Errorf("the monitor's report is stored as %q, want it in the monitor's namespace", storedID)
	}
	overwrite := strings.Replace(strings.Replace(mine, `"f-77"`, `"`+storedID+`"`, 1), "seen by our team", "nothing happened", 1)
	overwrite = strings.Replace(overwrite, `,
		"witnesses":[{"name":"Secret Witness"}]`, "", 1)
	if status, v := post(t, researcher, overwrite); status == http.StatusOK || v["outcome"] == "updated" {
		t.Errorf("researcher overwrote the monitor's report: %d %v", status, v)
	}
	// The monitor may still revise their own.
	if status, v := post(t, monitor, strings.Replace(mine, "seen by our team", "seen by our team at noon", 1)); status != http.StatusOK || v["outcome"] != "updated" {
		t.Errorf("monitor revising their own report: %d %v", status, v)
	}
	// Posting back the id one was answered with is the same report.
	if status, v := post(t, monitor, strings.Replace(mine, `"f-77"`, `"own-monitor:f-77"`, 1)); status != http.StatusOK || v["report_id"] != reportID {
		t.Errorf("monitor resubmitting with the stored id: %d %v, want report %v", status, v, reportID)
	}
}

// TestLogKeysRevealNothing: the public log named reports by source and
// id, which showed withheld ids (and whatever a client wrote into them)
// to anyone (issue 12 item 8). Keys are now opaque.
func TestLogKeysRevealNothing(t *testing.T) {
	demo(t)
	secret := "witness-nour-hamdan-0944"
	body := `{"source":"field","source_id":"` + secret + `","occurred":{"start":"2017-01-21T00:00:00+02:00","end":"2017-01-22T00:00:00+02:00"},
		"place":{"name":"Duma","lat":33.5717,"lon":36.4027,"has_point":true,"precision":"exact"},"act":"shelling","description":"x"}`
	if status, v := post(t, testToken, body); status != http.StatusCreated {
		t.Fatalf("submit: %d %v", status, v)
	}
	var all strings.Builder
	for start := 0; ; {
		var page struct {
			Entries []struct {
				Index int    `json:"index"`
				Data  string `json:"data"`
			} `json:"entries"`
		}
		res, err := http.Get(demo(t).URL + "/log/entries?start=" + strconv.Itoa(start))
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(res.Body).Decode(&page)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("GET /log/entries: %d %v", res.StatusCode, err)
		}
		if len(page.Entries) == 0 {
			break
		}
		for _, e := range page.Entries {
			all.WriteString(e.Data + "\n")
		}
		start = page.Entries[len(page.Entries)-1].Index + 1
	}
	if !strings.Contains(all.String(), `"kind":"report"`) {
		t.Fatal("no report in the public log")
	}
	buf := all
	for _, leak := range []string{secret, "ucdp-ged/", "field/"} {
		if strings.Contains(buf.String(), leak) {
			t.Errorf("the public log shows %q", leak)
		}
	}
}
