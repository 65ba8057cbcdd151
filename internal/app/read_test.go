package app_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/workflow"
)

func readingApp(t *testing.T) *app.App {
	t.Helper()
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: filepath.Join(t.TempDir(), "read.db"), NoCluster: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	return a
}

// checkSpans: every fact read carries its span, and its quote is the text
// there (issue 15: nothing without a span).
func checkSpans(t *testing.T, r incident.Report) {
	t.Helper()
	if len(r.Read) == 0 {
		t.Fatalf("report %s: nothing read from %q", r.SourceID, r.Description)
	}
	for _, f := range r.Read {
		if f.End <= f.Start || f.End > len(r.Description) || r.Description[f.Start:f.End] != f.Quote || f.Text == "" {
			t.Errorf("fact %+v: its quote is not the text at its span", f)
		}
	}
}

func readFact(r incident.Report, field string) *incident.TextFact {
	for i := range r.Read {
		if r.Read[i].Field == field {
			return &r.Read[i]
		}
	}
	return nil
}

// TestReadingCompletesAReport: a report that gives its facts only in words
// (an API client relaying a wire) is completed from them, each completion
// marked as read from text with its quote, and ruled on them.
func TestReadingCompletesAReport(t *testing.T) {
	a := readingApp(t)
	ctx := context.Background()
	body := `{"source":"wire","source_id":"w1","kind":"news","reported_at":"2017-01-10T12:00:00+02:00",
		"occurred":{"start":"2017-01-09T00:00:00+02:00","end":"2017-01-10T00:00:00+02:00","precision":"day"},
		"act":"unknown","description":"Regime warplanes struck the market in Douma yesterday, killing 4 civilians including 2 children."}`
	res, _, err := a.Submit(ctx, []byte(body), incident.FromNews)
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.CaseFor(ctx, app.Operator(), res.IncidentID)
	if err != nil {
		t.Fatal(err)
	}
	r := c.Reports[0]
	checkSpans(t, r)
	if r.Act != act.Airstrike || r.Place.Admin3 != "SY030200" || r.Casualties.Best != 4 || r.Casualties.Civilians != 4 {
		t.Errorf("not completed from the words: act %s, place %+v, casualties %+v", r.Act, r.Place, r.Casualties)
	}
	if !slices.ContainsFunc(r.Actors, func(x incident.ActorRef) bool {
		return x.ID == "government-of-syria" && x.Role == incident.Perpetrator
	}) {
		t.Errorf("actors: %+v", r.Actors)
	}
	for _, field := range []string{"act", "place", "actor", "killed"} {
		if f := readFact(r, field); f == nil || !f.Used {
			t.Errorf("%s: not marked as completing the record: %+v", field, f)
		}
	}
	if len(c.Rulings) == 0 || c.Rulings[0].Verdict != ruling.Violation {
		t.Fatalf("rulings: %+v", c.Rulings)
	}

	// A reviewer rejects the act read: the report is revised, the incident
	// has no act any more and is undetermined; the verdict is in the
	// history and the log holds it all.
	if _, err := a.AddUser(ctx, workflow.User{Name: "rev", Role: workflow.Reviewer}, ""); err != nil {
		t.Fatal(err)
	}
	rev := workflow.User{Name: "rev", Role: workflow.Reviewer}
	actFact := readFact(r, "act")
	e := workflow.Event{Action: workflow.Fact, Reason: "the words say warplanes, not what they did",
		FactReview: &workflow.FactReview{Report: r.ID, Field: "act", Start: actFact.Start, Verdict: workflow.FactReject}}
	if _, err := a.Act(ctx, rev, res.IncidentID, e); err != nil {
		t.Fatal(err)
	}
	c, err = a.CaseFor(ctx, app.Operator(), res.IncidentID)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Reports[0]; got.Act != act.Unknown || readFact(got, "act").Review != workflow.FactReject || readFact(got, "act").Used {
		t.Errorf("after the rejection: act %s, fact %+v", got.Act, readFact(got, "act"))
	}
	if c.Act != act.Unknown || c.Rulings[0].Verdict != ruling.Undetermined {
		t.Errorf("the incident still rests on the rejected fact: act %s, %s", c.Act, c.Rulings[0].Verdict)
	}
	// Corrected: the right act is used.
	e.FactReview.Verdict, e.FactReview.Value = workflow.FactCorrect, string(act.Shelling)
	if _, err := a.Act(ctx, rev, res.IncidentID, e); err != nil {
		t.Fatal(err)
	}
	c, _ = a.CaseFor(ctx, app.Operator(), res.IncidentID)
	if f := readFact(c.Reports[0], "act"); c.Reports[0].Act != act.Shelling || f.Corrected != "shelling" || !f.Used {
		t.Errorf("after the correction: act %s, fact %+v", c.Reports[0].Act, f)
	}
	if n := len(c.History); n != 2 || c.History[1].FactReview == nil {
		t.Errorf("history: %+v", c.History)
	}
	// A value that is no act is refused, naming it.
	e.FactReview.Value = "bombing"
	if _, err := a.Act(ctx, rev, res.IncidentID, e); err == nil || !strings.Contains(err.Error(), `"bombing" is not an act type`) {
		t.Errorf("a correction to no act: %v", err)
	}
	d, err := a.VerifyDerived(ctx)
	if err != nil || len(d.Problems) > 0 {
		t.Errorf("verify -deep after reviews: %v %v", err, d.Problems)
	}
}

// TestReadingInitiatorAndConflicts: ACLED's notes say which side of a
// clash moved first: the initiator is read, and the ruling quotes the
// words; words that name another perpetrator than the coding are flagged.
func TestReadingInitiatorAndConflicts(t *testing.T) {
	a := readingApp(t)
	ctx := context.Background()
	header := "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp\n"
	rows := `SYR1,10 January 2017,2017,1,Political violence,Battles,Armed clash,Military Forces of Syria (2000-),,State forces,Opposition Rebels (Syria),,Rebel group,State forces-Rebel group,,760,Middle East,Syria,Idleb,Maarrat An Nu'man,Khan Shaykhun,Khan Shaykhun,35.4411,36.6508,1,SOHR,National,"Regime forces attempted to advance on Khan Shaykhun, and clashed with rebels.",0,,1484000000
SYR2,11 January 2017,2017,1,Political violence,Violence against civilians,Attack,Opposition Rebels (Syria),,Rebel group,Civilians (Syria),,Civilians,Rebel group-Civilians,Civilian targeting,760,Middle East,Syria,Idleb,Idleb,Kafr Nobol,Kafr Nobol,35.6136,36.5606,1,SOHR,National,"HTS executed two men in Kafr Nobol.",2,,1484000000
`
	sum, err := a.Import(ctx, "acled", strings.NewReader(header+rows), "notes.csv", app.ImportOptions{})
	if err != nil || sum.Created != 2 {
		t.Fatalf("import: %+v %v", sum, err)
	}
	var clash, execution incident.Report
	a.EachReport(ctx, app.Operator(), func(r incident.Report) error {
		switch r.SourceID {
		case "SYR1":
			clash = r
		case "SYR2":
			execution = r
		}
		return nil
	})
	checkSpans(t, clash)
	if in := clash.Initiator; in == nil || !in.Read || in.ID != "government-of-syria" || !strings.Contains(in.Field, `"Regime forces attempted to advance"`) {
		t.Fatalf("initiator from the notes: %+v", clash.Initiator)
	}
	c, err := a.CaseFor(ctx, app.Operator(), clash.IncidentID)
	if err != nil {
		t.Fatal(err)
	}
	r := c.Rulings[0]
	if r.Verdict != ruling.Violation || !slices.Contains(r.Parties, "GOV") || !strings.Contains(r.Explanation, "the source's words say which acted") ||
		!strings.Contains(r.Explanation, "Regime forces attempted to advance") {
		t.Errorf("ruling on the words: %s %v %s", r.Verdict, r.Parties, r.Explanation)
	}
	// The coding stands; the disagreement is flagged for a reviewer.
	checkSpans(t, execution)
	if !slices.ContainsFunc(execution.Flags, func(f string) bool {
		return strings.Contains(f, "the notes says actor") && strings.Contains(f, "the record codes")
	}) {
		t.Errorf("HTS named in the notes against the coding: flags %v, read %+v", execution.Flags, execution.Read)
	}
	if slices.ContainsFunc(execution.Actors, func(x incident.ActorRef) bool {
		return strings.Contains(x.ID, "hts") || strings.Contains(x.ID, "tahrir")
	}) {
		t.Errorf("the words overrode the coding: %+v", execution.Actors)
	}
}

// TestReadingWithheldWords: a monitor's words are withheld from the
// public, so what is read from them is not quoted where everyone reads
// (flags, rulings), and the facts are not shown to the public.
func TestReadingWithheldWords(t *testing.T) {
	a := readingApp(t)
	ctx := context.Background()
	if _, err := a.AddUser(ctx, workflow.User{Name: "mon", Role: workflow.Monitor}, ""); err != nil {
		t.Fatal(err)
	}
	body := `{"source":"field","source_id":"m1","occurred":{"start":"2017-01-09T00:00:00+02:00","end":"2017-01-10T00:00:00+02:00","precision":"day"},
		"place":{"name":"Douma"},"act":"shelling","actors":[{"name":"rebels","role":"side_a"},{"name":"regime forces","role":"side_b"}],
		"description":"Team 4 saw it: regime forces attempted to advance near the water plant."}`
	res, _, err := a.SubmitAs(ctx, []byte(body), &workflow.User{Name: "mon", Role: workflow.Monitor})
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.CaseFor(ctx, app.Operator(), res.IncidentID)
	if err != nil {
		t.Fatal(err)
	}
	in := c.Reports[0].Initiator
	if in == nil || strings.Contains(in.Field, "water plant") || strings.Contains(in.Field, "attempted") {
		t.Errorf("initiator from a monitor's words: %+v", in)
	}
	for _, r := range c.Rulings {
		if strings.Contains(r.Explanation, "attempted to advance") {
			t.Errorf("a ruling quotes a monitor's withheld words: %s", r.Explanation)
		}
	}
	pub, err := a.CaseFor(ctx, nil, res.IncidentID)
	if err == nil && len(pub.Reports[0].Read) > 0 {
		t.Errorf("the public sees what was read from withheld words: %+v", pub.Reports[0].Read)
	}
}
