package ruling_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/agreement"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/importer/acled"
	"github.com/truce-monitor/truce/internal/importer/ucdp"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
)

// readRows reads CSV rows through an importer, as an import does, so that
// what the importers fill (associates, initiators, sub-events) is ruled on
// as it arrives.
func readRows(t *testing.T, src importer.Source) []incident.Report {
	t.Helper()
	var out []incident.Report
	for {
		row, ok, err := src.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return out
		}
		if row.Err != nil {
			t.Fatal(row.Err)
		}
		if row.Report != nil {
			out = append(out, *row.Report)
		}
	}
}

func (f *fixture) config() importer.Config {
	return importer.Config{Actors: f.engine.Actors, Boundaries: f.bounds, Location: damascus}
}

// acledEvent is one ACLED row at Aleppo on 10 January 2017 (version 1).
func (f *fixture) acledEvent(t *testing.T, eventType, subEvent, actor1, assoc1, actor2, assoc2 string) incident.Report {
	t.Helper()
	const header = "event_id_cnty,event_date,event_type,sub_event_type,actor1,assoc_actor_1,actor2,assoc_actor_2,location,latitude,longitude,geo_precision,fatalities\n"
	row := strings.Join([]string{"SYR1", "10 January 2017", eventType, subEvent, actor1, assoc1, actor2, assoc2, "Aleppo", "36.20124", "37.16117", "1", "0"}, ",")
	rd, err := acled.NewReader(strings.NewReader(header+row+"\n"), "acled.csv", f.config())
	if err != nil {
		t.Fatal(err)
	}
	reps := readRows(t, rd)
	if len(reps) != 1 {
		t.Fatalf("read %d reports, want 1", len(reps))
	}
	return reps[0]
}

// ucdpEvent is one GED row at Aleppo on 10 January 2017.
func (f *fixture) ucdpEvent(t *testing.T, typeOfViolence, sideA, sideB string) incident.Report {
	t.Helper()
	const header = "id,type_of_violence,side_a,side_b,source_article,source_headline,where_prec,where_coordinates,latitude,longitude,date_prec,date_start,date_end,deaths_civilians,low,best,high\n"
	row := strings.Join([]string{"1", typeOfViolence, sideA, sideB, "x", "x", "1", "Aleppo", "36.20124", "37.16117", "1", "2017-01-10", "2017-01-10", "0", "0", "0", "0"}, ",")
	rd, err := ucdp.NewReader(strings.NewReader(header+row+"\n"), "ged.csv", f.config())
	if err != nil {
		t.Fatal(err)
	}
	reps := readRows(t, rd)
	if len(reps) != 1 {
		t.Fatalf("read %d reports, want 1", len(reps))
	}
	return reps[0]
}

const (
	battles = "Battles"
	remote  = "Explosions/Remote violence"
	militia = "Some Tribal Militia" // a name not in the registry
)

type sourceCase struct {
	name       string
	report     func(*testing.T, *fixture) incident.Report
	want       string // Outcome()
	parties    string
	clauses    string
	confidence string
	explains   []string // the explanation contains each
}

func runSourceCases(t *testing.T, tests []sourceCase) {
	f := newFixture(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := incident.FromReport(tt.report(t, f))
			r := f.engine.Rule(f.ag, in)
			if got := r.Outcome(); got != tt.want {
				t.Errorf("outcome = %q, want %q\n%s", got, tt.want, r.Explanation)
			}
			if got := strings.Join(r.Parties, ","); got != tt.parties {
				t.Errorf("parties = %q, want %q", got, tt.parties)
			}
			if got := strings.Join(r.Clauses, ","); got != tt.clauses {
				t.Errorf("clauses = %q, want %q", got, tt.clauses)
			}
			if r.Confidence != tt.confidence {
				t.Errorf("confidence = %q, want %q", r.Confidence, tt.confidence)
			}
			for _, w := range tt.explains {
				if !strings.Contains(r.Explanation, w) {
					t.Errorf("explanation lacks %q:\n%s", w, r.Explanation)
				}
			}
		})
	}
}

// An unidentified associate beside an identified principal is an
// assumption stated in the ruling, not a reason to leave it undetermined.
func TestAssociates(t *testing.T) {
	acledRow := func(eventType, sub, a1, as1, a2, as2 string) func(*testing.T, *fixture) incident.Report {
		return func(t *testing.T, f *fixture) incident.Report {
			return f.acledEvent(t, eventType, sub, a1, as1, a2, as2)
		}
	}
	assumes := `the unidentified associate "` + militia + `" fought with its principal Government of Syria`
	runSourceCases(t, []sourceCase{
		{"clash: unknown associate of a party, initiator still unknown", acledRow(battles, "Armed clash", "Government of Syria", militia, "Ahrar al-Sham", ""),
			"undetermined: initiator", "GOV,OPP", "C1", "", []string{assumes}},
		{"clash: unknown associate on both sides", acledRow(battles, "Armed clash", "Government of Syria", militia, "Ahrar al-Sham", "Other Unknown Brigade"),
			"undetermined: initiator", "GOV,OPP", "C1", "", []string{assumes, `"Other Unknown Brigade" fought with its principal Ahrar al-Sham`}},
		{"ground taken with an unknown associate", acledRow(battles, "Government regains territory", "Government of Syria", militia, "Ahrar al-Sham", ""),
			"violation", "GOV", "C3", "high", []string{assumes}},
		{"strike with an unknown associate", acledRow(remote, "Air/drone strike", "Government of Syria", militia, "Civilians (Syria)", ""),
			"violation", "GOV", "C1", "high", []string{assumes}},
		{"unknown associate of the target", acledRow(remote, "Shelling/artillery/missile attack", "Government of Syria", "", "Ahrar al-Sham", militia),
			"violation", "GOV", "C1", "high", []string{`"` + militia + `" was with its principal Ahrar al-Sham`}},
		{"unknown principal, known associate: still unidentified", acledRow(remote, "Shelling/artillery/missile attack", militia, "Government of Syria", "Civilians (Syria)", ""),
			"undetermined: actor_identity", "", "", "high", nil},
		{"unidentified armed group as principal", acledRow(battles, "Armed clash", "Unidentified Armed Group (Syria)", "", "Government of Syria", militia),
			"undetermined: unidentified", "", "", "", nil},
	})
}

// Where the source's coding is directional, the initiator is known: the
// ruling names the field that established it and its confidence.
func TestDirectional(t *testing.T) {
	acledRow := func(eventType, sub, a1, a2 string) func(*testing.T, *fixture) incident.Report {
		return func(t *testing.T, f *fixture) incident.Report { return f.acledEvent(t, eventType, sub, a1, "", a2, "") }
	}
	ged := func(tv, a, b string) func(*testing.T, *fixture) incident.Report {
		return func(t *testing.T, f *fixture) incident.Report { return f.ucdpEvent(t, tv, a, b) }
	}
	runSourceCases(t, []sourceCase{
		{"ACLED Government regains territory", acledRow(battles, "Government regains territory", "Government of Syria", "Ahrar al-Sham"),
			"violation", "GOV", "C3", "high", []string{`ACLED sub_event_type "Government regains territory"`, "actor1 took the ground", "confidence high"}},
		{"ACLED Non-state actor overtakes territory", acledRow(battles, "Non-state actor overtakes territory", "Ahrar al-Sham", "Government of Syria"),
			"violation", "OPP", "C3", "high", []string{`ACLED sub_event_type "Non-state actor overtakes territory"`}},
		{"ACLED territory taken by an excluded group", acledRow(battles, "Non-state actor overtakes territory", "Islamic State (Syria)", "Government of Syria"),
			"not_violation: excluded_group", "", "", "high", nil},
		{"ACLED Air/drone strike", acledRow(remote, "Air/drone strike", "Government of Syria", "Civilians (Syria)"),
			"violation", "GOV", "C1", "high", []string{`ACLED sub_event_type "Air/drone strike"`, "actor1 carried out the strike"}},
		{"ACLED Shelling/artillery/missile attack", acledRow(remote, "Shelling/artillery/missile attack", "Ahrar al-Sham", "Government of Syria"),
			"violation", "OPP", "C1", "high", []string{`ACLED sub_event_type "Shelling/artillery/missile attack"`, "actor1 fired"}},
		{"ACLED Remote explosive/landmine/IED", acledRow(remote, "Remote explosive/landmine/IED", "Ahrar al-Sham", "Civilians (Syria)"),
			"violation", "OPP", "C1", "medium", []string{`ACLED sub_event_type "Remote explosive/landmine/IED"`, "confidence medium"}},
		{"ACLED Armed clash names no initiator", acledRow(battles, "Armed clash", "Government of Syria", "Ahrar al-Sham"),
			"undetermined: initiator", "GOV,OPP", "C1", "", nil},
		{"UCDP one-sided violence", ged("3", "Government of Syria", "Civilians"),
			"violation", "GOV", "C2", "high", []string{"UCDP type_of_violence 3 (one-sided violence)", "side_a used armed force against civilians"}},
		{"UCDP state-based conflict names no initiator", ged("1", "Government of Syria", "Syrian insurgents"),
			"undetermined: initiator", "GOV,OPP", "C1", "", nil},
		{"UCDP non-state conflict names no initiator", ged("2", "Ahrar al-Sham", "Jaysh al-Islam"),
			"not_violation: target_not_protected", "", "", "", nil},
	})
}

// The sub-event type and the initiator's basis are kept on the report.
func TestDirectionalReport(t *testing.T) {
	f := newFixture(t)
	r := f.acledEvent(t, battles, "Government regains territory", "Government of Syria", militia, "Ahrar al-Sham", "")
	if r.SubEvent != "Government regains territory" {
		t.Errorf("sub-event = %q", r.SubEvent)
	}
	if r.Initiator == nil || r.Initiator.ID != gov || r.Initiator.Confidence != incident.ConfidenceHigh || !strings.Contains(r.Initiator.Field, "sub_event_type") {
		t.Errorf("initiator = %+v", r.Initiator)
	}
	var assoc []string
	for _, a := range r.Actors {
		if a.Associate {
			assoc = append(assoc, a.Name)
		}
	}
	if !slices.Equal(assoc, []string{militia}) {
		t.Errorf("associates = %v, want [%s]", assoc, militia)
	}
	if c := f.acledEvent(t, battles, "Armed clash", "Government of Syria", "", "Ahrar al-Sham", ""); c.Initiator != nil {
		t.Errorf("armed clash has initiator %+v", c.Initiator)
	}
}

// noSide is an agreement whose version binds Russia's forces to no side
// and Turkey's to the opposition.
const noSide = `id: no-side
title: Test agreement binding one guarantor's forces to no side
timezone: Asia/Damascus
versions:
  - version: 1
    label: only
    effective_from: 2016-12-30
    parties:
      - {id: GOV, name: Government, actors: [government-of-syria]}
      - {id: OPP, name: Opposition, actors: [syrian-insurgents, ahrar-al-sham]}
    guarantors:
      - {id: RU, name: Russia, answers_for: [GOV], forces: [government-of-russia]}
      - {id: TR, name: Turkey, answers_for: [OPP], forces: [government-of-turkey], forces_side: OPP}
    clauses:
      - {id: C1, title: No attacks, reference: art. 1, prohibits: [airstrike, shelling, armed_clash]}
`

// A guarantor's own forces are judged as the side they fight on, and the
// guarantor has a conflict of interest in the ruling.
func TestGuarantorForces(t *testing.T) {
	f := newFixture(t)
	ns, err := agreement.Load(strings.NewReader(noSide), "no-side.yaml", agreement.Checker{})
	if err != nil {
		t.Fatal(err)
	}
	const iran = "government-of-iran"
	tests := []struct {
		name     string
		ag       *agreement.Agreement
		when     incident.TimeSpan
		act      act.Type
		actors   []incident.ActorRef
		want     string
		parties  string
		guar     string
		conflict string
	}{
		{"Russian strike on a party", f.ag, on("2017-01-10"), act.Airstrike, actors(perp(russia), target(opp)), "violation", "GOV", "RU", "RU"},
		{"Russian strike on civilians, Iran answering too", f.ag, on("2017-02-10"), act.Airstrike, actors(perp(russia), target(civilians)), "violation", "GOV", "IR,RU", "RU"},
		{"Turkish shelling of the government", f.ag, on("2017-02-10"), act.Shelling, actors(perp(turkey), target(gov)), "violation", "OPP", "TR", "TR"},
		{"Iranian forces once Iran is a guarantor", f.ag, on("2017-02-10"), act.GroundAssault, actors(perp(iran), target(opp)), "violation", "GOV", "IR,RU", "IR"},
		{"Iranian forces before Iran is a guarantor", f.ag, on("2017-01-10"), act.GroundAssault, actors(perp(iran), target(opp)), "not_violation: no_party_bound", "", "", ""},
		{"a party shelling a guarantor's forces", f.ag, on("2017-02-10"), act.Shelling, actors(perp(opp), target(russia)), "violation", "OPP", "TR", "RU"},
		{"Russian strike on an excluded group", f.ag, on("2017-02-10"), act.Airstrike, actors(perp(russia), target(hts)), "not_violation: excluded_group", "", "", "RU"},
		{"Russian forces in a clash with a party", f.ag, on("2017-02-10"), act.ArmedClash, actors(sideA(russia), sideB(ahrar)), "undetermined: initiator", "GOV,OPP", "", "RU"},
		{"Turkish forces in a clash with a non-party", f.ag, on("2017-01-10"), act.ArmedClash, actors(sideA(turkey), sideB(sdf)), "not_violation: target_not_protected", "", "", "TR"},
		{"no side bound: strike", ns, on("2017-01-10"), act.Airstrike, actors(perp(russia), target(opp)), "undetermined: guarantor_forces", "", "", "RU"},
		{"no side bound: clash", ns, on("2017-01-10"), act.ArmedClash, actors(sideA(russia), sideB(ahrar)), "undetermined: guarantor_forces", "", "", "RU"},
		{"side bound in the same version", ns, on("2017-01-10"), act.Shelling, actors(perp(turkey), target(gov)), "violation", "OPP", "TR", "TR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.engine.Rule(tt.ag, incident.Incident{Occurred: tt.when, Place: f.exact(idlibCity), Act: tt.act, Actors: tt.actors})
			if got := r.Outcome(); got != tt.want {
				t.Errorf("outcome = %q, want %q\n%s", got, tt.want, r.Explanation)
			}
			if got := strings.Join(r.Parties, ","); got != tt.parties {
				t.Errorf("parties = %q, want %q", got, tt.parties)
			}
			if got := strings.Join(r.Guarantors, ","); got != tt.guar {
				t.Errorf("guarantors = %q, want %q", got, tt.guar)
			}
			if got := strings.Join(r.ConflictOfInterest, ","); got != tt.conflict {
				t.Errorf("conflict of interest = %q, want %q", got, tt.conflict)
			}
			if tt.conflict != "" && !strings.Contains(r.Explanation, "recused") {
				t.Errorf("explanation does not say the guarantor is recused:\n%s", r.Explanation)
			}
			if tt.want == "violation" && tt.conflict != "" && tt.act != act.Shelling && !strings.Contains(r.Explanation, "forces of guarantor "+tt.conflict) {
				t.Errorf("explanation does not name the guarantor's forces as perpetrator:\n%s", r.Explanation)
			}
		})
	}
}

// alt marks refs as suspected alternatives of group g.
func alt(g int, refs []incident.ActorRef) []incident.ActorRef {
	for i := range refs {
		refs[i].Alternative = g
	}
	return refs
}

// Either-or is not joint: each alternative is ruled, and the ruling says
// what follows from which.
func TestAlternatives(t *testing.T) {
	f := newFixture(t)
	const usa = "government-of-united-states"
	tests := []struct {
		name       string
		actors     []incident.ActorRef
		grade      string
		want       string
		parties    string
		clauses    string
		guar       string
		conflict   string
		confidence string
		outcomes   []string // under each alternative, in order
		explains   []string
	}{
		{"mixed: violation if Russian, not if the coalition", actors(alt(1, perp(russia, usa)), target(civilians)), "Fair",
			"undetermined: alternatives", "GOV", "C1", "", "RU", "medium", []string{"violation", "not_violation: no_party_bound"},
			[]string{"Violation of C1 by party GOV if \"" + russia + "\"", "not a violation (no_party_bound) if \"" + usa + "\"", "not joint action", "grades the claim Fair"}},
		{"unanimous violation by one party", actors(alt(1, perp(gov, russia)), target(civilians)), "",
			"violation", "GOV", "C1", "IR,RU", "RU", "", []string{"violation", "violation"}, []string{"whichever of the alternatives acted"}},
		{"unanimous: no party bound", actors(alt(1, perp(usa, israel)), target(civilians)), "Confirmed",
			"not_violation: no_party_bound", "", "", "", "", "high", []string{"not_violation: no_party_bound", "not_violation: no_party_bound"}, nil},
		{"unanimous: not a violation, for different reasons", actors(alt(1, perp(isis, usa)), target(civilians)), "",
			"not_violation: alternatives", "", "", "", "", "", []string{"not_violation: excluded_group", "not_violation: no_party_bound"}, nil},
		{"a violation either way, by different parties", actors(alt(1, perp(gov, turkey)), target(civilians)), "",
			"undetermined: alternatives", "GOV,OPP", "C1", "", "TR", "", []string{"violation", "violation"}, nil},
		{"joint action stays joint", actors(perp(russia, usa), target(civilians)), "",
			"violation", "GOV", "C1", "IR,RU", "RU", "", nil, nil},
		{"a discounted claim", actors(alt(1, perp(russia, usa)), target(civilians)), "Discounted",
			"undetermined: alternatives", "GOV", "C1", "", "RU", "none", []string{"violation", "not_violation: no_party_bound"}, []string{"Discounted"}},
		{"a grade truce does not know", actors(perp(gov), target(civilians)), "Likely",
			"violation", "GOV", "C1", "IR,RU", "", "", nil, []string{`grades the claim "Likely"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := incident.Incident{Occurred: on("2017-02-10"), Place: f.exact(idlibCity), Act: act.Airstrike, Actors: tt.actors, SourceGrade: tt.grade}
			r := f.engine.Rule(f.ag, in)
			if got := r.Outcome(); got != tt.want {
				t.Errorf("outcome = %q, want %q\n%s", got, tt.want, r.Explanation)
			}
			for _, c := range []struct{ what, got, want string }{
				{"parties", strings.Join(r.Parties, ","), tt.parties},
				{"clauses", strings.Join(r.Clauses, ","), tt.clauses},
				{"guarantors", strings.Join(r.Guarantors, ","), tt.guar},
				{"conflict of interest", strings.Join(r.ConflictOfInterest, ","), tt.conflict},
				{"confidence", r.Confidence, tt.confidence},
			} {
				if c.got != c.want {
					t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
				}
			}
			var outcomes []string
			for _, a := range r.Alternatives {
				outcomes = append(outcomes, a.Outcome)
			}
			if !slices.Equal(outcomes, tt.outcomes) {
				t.Errorf("alternatives = %v, want %v", outcomes, tt.outcomes)
			}
			for _, w := range tt.explains {
				if !strings.Contains(r.Explanation, w) {
					t.Errorf("explanation lacks %q:\n%s", w, r.Explanation)
				}
			}
		})
	}
}

// Alternatives are ruled one by one only up to a bound.
func TestTooManyAlternatives(t *testing.T) {
	f := newFixture(t)
	var perps, targets []incident.ActorRef
	for _, id := range []string{gov, russia, turkey, opp, hezbollah} {
		perps = append(perps, incident.ActorRef{Name: id, ID: id, Role: incident.Perpetrator, Alternative: 1})
	}
	for _, id := range []string{opp, ahrar, jaysh, civilians} {
		targets = append(targets, incident.ActorRef{Name: id, ID: id, Role: incident.Target, Alternative: 2})
	}
	r := f.engine.Rule(f.ag, incident.Incident{Occurred: on("2017-02-10"), Place: f.exact(idlibCity), Act: act.Airstrike, Actors: append(perps, targets...)})
	if r.Missing != ruling.MissingAlternatives || len(r.Alternatives) != 0 {
		t.Errorf("outcome = %q with %d alternatives ruled\n%s", r.Outcome(), len(r.Alternatives), r.Explanation)
	}
}
