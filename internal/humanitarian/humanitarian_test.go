package humanitarian

import (
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/act"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	src := Source{Citation: "a test"}
	for _, tt := range []struct {
		name string
		rec  interface{ Validate() error }
		want string // a part of the error; "" for none
	}{
		{"siege", &Siege{ID: "s", Area: Area{PCodes: []string{"SY030200"}}, From: "2013", Sources: []Source{src},
			Periods: []Period{{From: "2013", To: "2018-04-13", Status: Besieged, Source: src}}}, ""},
		{"siege without source", &Siege{ID: "s", Area: Area{Name: "x"}, From: "2013"}, "sources: at least one"},
		{"siege population unsourced", &Siege{ID: "s", Area: Area{Name: "x"}, From: "2013", Sources: []Source{src}, Population: 5}, "population_source"},
		{"siege ends before it starts", &Siege{ID: "s", Area: Area{Name: "x"}, From: "2017-02-01", To: "2017-01-01", Sources: []Source{src}}, "to: 2017-01-01 is before"},
		{"period status", &Siege{ID: "s", Area: Area{Name: "x"}, From: "2017", Sources: []Source{src}, Periods: []Period{{From: "2017", Status: "starving", Source: src}}}, "periods[0].status"},
		{"bad id", &Displacement{ID: "a name with spaces", Area: Area{Name: "x"}, From: "2017", People: 1, Direction: "out", Source: src}, "id:"},
		{"denial without actor", &AccessRequest{ID: "r", RequestedBy: "WFP", Destination: Area{Name: "x"}, Date: "2017-06-01",
			Steps: []AccessStep{{Date: "2017-06-02", Status: StepDenied, Source: src}}}, "steps[0].by"},
		{"step without source", &AccessRequest{ID: "r", RequestedBy: "WFP", Destination: Area{Name: "x"}, Date: "2017-06-01",
			Steps: []AccessStep{{Date: "2017-06-02", Status: StepApproved}}}, "steps[0].source.citation"},
		{"case", &Case{ID: "c", Kind: CaseMissing, Status: CaseSought, Identity: &Identity{NameAr: "محمد"}}, ""},
		{"case without a name", &Case{ID: "c", Kind: CaseMissing, Status: CaseSought, Identity: &Identity{Born: "1990"}}, "identity.name"},
		{"exchange without releases", &Exchange{ID: "e", Date: "2017-03-01", Source: src}, "releases"},
		{"evacuation attack without attacker", &Evacuation{ID: "v", From: Area{Name: "a"}, To: Area{Name: "b"}, Agreed: "2017-04", Source: src,
			Events: []EvacuationEvent{{Date: "2017-04-15", Kind: EvacAttacked, Source: src}}}, "events[0].by"},
		{"match of one case", &Match{A: "c", B: "c", Decision: MatchConfirmed}, "two different cases"},
	} {
		err := tt.rec.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: err = %v, want one naming %q", tt.name, err, tt.want)
		}
	}
}

func TestCovers(t *testing.T) {
	t.Parallel()
	s := Siege{Periods: []Period{
		{From: "2013", To: "2018-02-20", Status: Besieged},
		{From: "2018-04-14", Status: Lifted},
	}}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for _, tt := range []struct {
		from, to time.Time
		want     bool
	}{
		{day(2017, 3, 1), day(2017, 3, 2), true},
		{day(2018, 2, 20), day(2018, 2, 21), true}, // the last day is in the period
		{day(2018, 3, 1), day(2018, 3, 2), false},  // between the periods
		{day(2018, 6, 1), day(2018, 6, 2), false},  // lifted is no siege
		{day(2012, 1, 1), day(2012, 1, 2), false},
	} {
		if _, got := s.Covers(tt.from, tt.to); got != tt.want {
			t.Errorf("Covers(%s) = %v, want %v", tt.from.Format("2006-01-02"), got, tt.want)
		}
	}
}

func TestRuledActs(t *testing.T) {
	t.Parallel()
	for status, want := range map[string]act.Type{StepDenied: act.AidObstruction, StepItemsRemoved: act.AidObstruction, StepAttacked: act.AidObstruction, StepDelayed: act.AidObstruction, StepApproved: "", StepDelivered: ""} {
		if got, _ := (AccessStep{Status: status}).Act(); got != want {
			t.Errorf("step %s: %q, want %q", status, got, want)
		}
	}
	for kind, want := range map[string]act.Type{EvacAttacked: act.AttackOnCivilians, EvacBreached: act.EvacuationBreach, EvacDeparted: ""} {
		if got, _ := (EvacuationEvent{Kind: kind}).Act(); got != want {
			t.Errorf("evacuation %s: %q, want %q", kind, got, want)
		}
	}
}

func TestExchangeConfirmed(t *testing.T) {
	t.Parallel()
	e := Exchange{Releases: []Release{{Case: "a", From: "GOV", To: "OPP"}, {Case: "b", From: "OPP", To: "GOV"}}}
	if e.Confirmed() {
		t.Error("confirmed without confirmations")
	}
	e.Confirmations = []Confirmation{{Party: "GOV"}}
	if e.Confirmed() {
		t.Error("confirmed by one side")
	}
	e.Confirmations = append(e.Confirmations, Confirmation{Party: "OPP"})
	if !e.Confirmed() {
		t.Error("not confirmed by both sides")
	}
	if MatchID("b", "a") != MatchID("a", "b") {
		t.Error("a pair's id depends on its order")
	}
}
