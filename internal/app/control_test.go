package app_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/control"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/workflow"
)

// controlLayer is a layer saying who held the sub-district of Duma
// (SY030200) in March 2017.
func controlLayer(id, claimant, holder string) string {
	return `id: ` + id + `
claimant: ` + claimant + `
version: 1
label: test
timezone: Asia/Damascus
period: {from: 2017-01-01, to: 2018-01-01}
rows:
  - pcode: SY030200
    from: 2017-01-01
    actor: ` + holder + `
    source: test.md#Duma
`
}

// TestRulingByControl: a shelling whose sources name no target is judged
// by who held the ground: held by an excluded group, not a violation; by
// a party, a violation by the attacker's side; where claimants disagree,
// undetermined with the outcome under each (issue 13 item 6).
func TestRulingByControl(t *testing.T) {
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: filepath.Join(t.TempDir(), "c.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	ag, _ := a.Agreement("syria-coh-2016")
	chk := app.ControlChecker(a.Actors, a.Boundaries, a.Places)
	layer := func(id, claimant, holder string) *control.Layer {
		l, err := control.Load(strings.NewReader(controlLayer(id, claimant, holder)), id+".yaml", chk)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	damascus, _ := time.LoadLocation("Asia/Damascus")
	shelling := incident.Incident{
		Occurred: incident.Day(2017, 3, 10, damascus),
		Place:    incident.Place{Name: "Duma", Lat: 33.5717, Lon: 36.4027, HasPoint: true, Precision: incident.PlaceExact, Admin1: "SY03", Admin2: "SY0302", Admin3: "SY030200"},
		Actors:   []incident.ActorRef{{Name: "Syrian Arab Army", ID: "government-of-syria", Role: incident.Perpetrator}},
		Act:      act.Shelling,
	}
	for _, tt := range []struct {
		name     string
		layers   []*control.Layer
		outcome  string
		parties  string
		disputed bool
	}{
		{"no layer", nil, "undetermined: target", "", false},
		{"held by a party", []*control.Layer{layer("a", "monitors", "jaysh-al-islam")}, "violation", "GOV", false},
		{"held by an excluded group", []*control.Layer{layer("a", "monitors", "islamic-state")}, "not_violation: excluded_group", "", false},
		{"claimants agree", []*control.Layer{layer("a", "monitors", "jaysh-al-islam"), layer("b", "opposition", "rahman-corps")}, "violation", "GOV", false},
		{"claimants disagree", []*control.Layer{layer("a", "opposition", "jaysh-al-islam"), layer("b", "government", "hayat-tahrir-al-sham")}, "undetermined: disputed_control", "", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			set, err := control.NewSet(a.Boundaries, tt.layers...)
			if err != nil {
				t.Fatal(err)
			}
			e := &ruling.Engine{Actors: a.Actors, Control: set}
			r := e.Rule(ag, shelling)
			if r.Outcome() != tt.outcome || strings.Join(r.Parties, ",") != tt.parties || r.Disputed != tt.disputed {
				t.Errorf("%s (parties %v, disputed %v): %s", r.Outcome(), r.Parties, r.Disputed, r.Explanation)
			}
			if len(tt.layers) > 0 && (len(r.Control) != len(tt.layers) || !strings.Contains(r.Explanation, "test.md#Duma")) {
				t.Errorf("the ruling does not show each claim and its source: %+v\n%s", r.Control, r.Explanation)
			}
		})
	}
}

// TestGuarantorForcesRecused: an air strike by Russia's forces on the
// opposition is a violation attributed to GOV's side, naming Russia's
// conflict of interest; Russia's members then take no part in the
// finding, while Turkey's do (issue 13 item 5).
func TestGuarantorForcesRecused(t *testing.T) {
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: filepath.Join(t.TempDir(), "g.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	body := `{"source":"field","source_id":"ru-1","occurred":{"start":"2017-03-10T00:00:00+02:00","end":"2017-03-11T00:00:00+02:00"},
		"place":{"name":"Duma","lat":33.5717,"lon":36.4027,"has_point":true,"precision":"exact"},"act":"airstrike",
		"actors":[{"name":"Russian Military","role":"perpetrator"},{"name":"Jaysh al-Islam","role":"target"}]}`
	mon := workflow.User{Name: "mon", Role: workflow.Monitor}
	res, _, err := a.SubmitAs(ctx, []byte(body), &mon)
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.CaseFor(ctx, app.Operator(), res.IncidentID)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Rulings) != 1 || c.Rulings[0].Verdict != ruling.Violation || strings.Join(c.Rulings[0].Parties, ",") != "GOV" ||
		strings.Join(c.Rulings[0].ConflictOfInterest, ",") != "RU" {
		t.Fatalf("ruling: %+v", c.Rulings)
	}
	users := map[string]workflow.User{}
	for _, u := range []workflow.User{{Name: "rev", Role: workflow.Reviewer}, {Name: "ru", Role: workflow.GuarantorMember, Guarantor: "RU"},
		{Name: "tr", Role: workflow.GuarantorMember, Guarantor: "TR"}} {
		if _, err := a.AddUser(ctx, u, ""); err != nil {
			t.Fatal(err)
		}
		users[u.Name] = u
	}
	for _, e := range []workflow.Event{{Action: workflow.Review}, {Action: workflow.Verify, Reason: "two monitors"}} {
		if _, err := a.Act(ctx, users["rev"], res.IncidentID, e); err != nil {
			t.Fatal(err)
		}
	}
	finding := workflow.Event{Action: workflow.Propose, Finding: &workflow.Finding{Agreement: "syria-coh-2016", Conclusion: workflow.IsViolation,
		Clauses: c.Rulings[0].Clauses, Parties: []string{"GOV"}, Text: "established"}}
	if _, err := a.Act(ctx, users["ru"], res.IncidentID, finding); err == nil || !strings.Contains(err.Error(), "own forces") {
		t.Errorf("Russia's member proposed a finding on its own forces' strike: %v", err)
	}
	if _, err := a.Act(ctx, users["tr"], res.IncidentID, finding); err != nil {
		t.Errorf("Turkey's member: %v", err)
	}
}
