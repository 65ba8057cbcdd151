// Package humanitarian holds what a ceasefire's humanitarian side is made
// of, beside the shooting: sieges and hard-to-reach areas, requests for aid
// access and what became of each, detainees, abductees and the missing
// with the lists each side submits and the exchanges between them,
// evacuations and displacement. The guarantors' own agenda joins these to
// the violations record, so they are first-class records: versioned, each
// fact with its source, and where one breaches an agreement's humanitarian
// obligation (agreement.Obligation) it becomes an incident ruled like any
// other (see AccessStep.Act and EvacuationEvent.Act).
//
// The package holds no storage and no HTTP. Identities of detainees and
// the missing are in Identity, which the app seals before anything is
// stored or logged; a record here never decides who may read it.
package humanitarian

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/act"
)

// Kind is a kind of humanitarian record; with an id it names a record.
type Kind string

const (
	KindSiege        Kind = "siege"
	KindAccess       Kind = "access"
	KindCase         Kind = "case"
	KindList         Kind = "list"
	KindExchange     Kind = "exchange"
	KindEvacuation   Kind = "evacuation"
	KindDisplacement Kind = "displacement"
	// KindMatch is a reviewer's decision on a pair of cases the matcher
	// proposed: the only way two cases are ever joined.
	KindMatch Kind = "match"
)

// Kinds lists the kinds in the order pages and the API show them.
var Kinds = []Kind{KindSiege, KindAccess, KindCase, KindList, KindExchange, KindEvacuation, KindDisplacement, KindMatch}

// ParseKind returns the kind named s.
func ParseKind(s string) (Kind, error) {
	if slices.Contains(Kinds, Kind(s)) {
		return Kind(s), nil
	}
	return "", fmt.Errorf("unknown humanitarian record kind %q (known: %v)", s, Kinds)
}

// Source is where a fact comes from: a citation a reader can follow (a
// document and its section, a report, a dataset row), optionally a URL
// and evidence files by SHA-256.
type Source struct {
	Citation string   `json:"citation" yaml:"citation"`
	URL      string   `json:"url,omitempty" yaml:"url,omitempty"`
	Evidence []string `json:"evidence,omitempty" yaml:"evidence,omitempty"`
}

// Area is where a record lies: OCHA units by P-code, a drawn polygon
// (GeoJSON geometry), or both, with a name for people.
type Area struct {
	Name     string         `json:"name" yaml:"name"`
	PCodes   []string       `json:"pcodes,omitempty" yaml:"pcodes,omitempty"`
	Geometry map[string]any `json:"geometry,omitempty" yaml:"geometry,omitempty"`
}

// Siege statuses of a period.
const (
	Besieged    = "besieged"      // encircled, supplies and movement cut
	HardToReach = "hard_to_reach" // not encircled, but aid reaches it seldom
	Lifted      = "lifted"        // the encirclement ended (taken, broken, or by deal)
	Evacuated   = "evacuated"     // ended by an evacuation of its people or fighters
)

// Siege is an area besieged or hard to reach, with its history. Every
// change is a new revision of the record; Periods say what held when.
type Siege struct {
	ID        string   `json:"id" yaml:"id"`
	Area      Area     `json:"area" yaml:"area"`
	Besieging []string `json:"besieging" yaml:"besieging"` // actor registry ids
	// Population is the estimated number of people inside, with its source.
	Population       int      `json:"population,omitempty" yaml:"population,omitempty"`
	PopulationSource *Source  `json:"population_source,omitempty" yaml:"population_source,omitempty"`
	From             string   `json:"from" yaml:"from"`                 // date the siege began
	To               string   `json:"to,omitempty" yaml:"to,omitempty"` // date it ended; empty while it lasts
	Periods          []Period `json:"periods" yaml:"periods"`
	Sources          []Source `json:"sources" yaml:"sources"`
	Notes            string   `json:"notes,omitempty" yaml:"notes,omitempty"`
}

// Period is a status that held from one date to another (To empty: on).
type Period struct {
	From   string `json:"from" yaml:"from"`
	To     string `json:"to,omitempty" yaml:"to,omitempty"`
	Status string `json:"status" yaml:"status"`
	Note   string `json:"note,omitempty" yaml:"note,omitempty"`
	Source Source `json:"source" yaml:"source"`
}

// Access step statuses. A request's fate is the sequence of its steps.
const (
	StepRequested    = "requested"
	StepApproved     = "approved"
	StepDenied       = "denied"
	StepDelayed      = "delayed"
	StepPartial      = "partially_delivered"
	StepItemsRemoved = "items_removed" // items taken off the convoy at a checkpoint
	StepAttacked     = "attacked"
	StepDelivered    = "delivered"
)

var stepStatuses = []string{StepRequested, StepApproved, StepDenied, StepDelayed, StepPartial, StepItemsRemoved, StepAttacked, StepDelivered}

// AccessRequest is a request for aid access, or a convoy: who asked, for
// where, for whom and what, and each step of its fate.
type AccessRequest struct {
	ID          string       `json:"id"`
	RequestedBy string       `json:"requested_by"` // an agency or organisation
	Destination Area         `json:"destination"`
	Date        string       `json:"date"`                // of the request
	People      int          `json:"people,omitempty"`    // people it asked to reach
	Items       []string     `json:"items,omitempty"`     // what it asked to bring
	Steps       []AccessStep `json:"steps"`               // in order
	Sources     []Source     `json:"sources,omitempty"`   // of the request itself
	Notes       string       `json:"notes,omitempty"`     // free text
	Siege       string       `json:"siege,omitempty"`     // the siege record of the destination, if any
	Agreement   string       `json:"agreement,omitempty"` // agreement to rule under (default: every stored one)
}

// AccessStep is one step of a request: a decision, a delay, a delivery,
// an attack. By names the actor responsible for a denial, a delay, a
// removal or an attack (an actor registry id or name as the source gives
// it). Each step carries its own source.
type AccessStep struct {
	Date     string   `json:"date"`
	Status   string   `json:"status"`
	By       string   `json:"by,omitempty"`
	Note     string   `json:"note,omitempty"`
	Removed  []string `json:"removed,omitempty"` // items removed at a checkpoint
	Source   Source   `json:"source"`
	Evidence []string `json:"evidence,omitempty"`
	// Incident is the incident the step became, when it breaches an
	// access obligation (set by the app once stored; not the client's).
	Incident int64 `json:"incident,omitempty"`
}

// Act is the act type a step is ruled as, and whether it is ruled at
// all: a denial, a delay, a removal of items and an attack obstruct the
// access an agreement's access clause (agreement.ObligeAccess) protects,
// so each becomes an incident of aid obstruction by whoever did it. An
// approval or a delivery is no act against anyone.
func (s AccessStep) Act() (act.Type, bool) {
	switch s.Status {
	case StepDenied, StepDelayed, StepItemsRemoved, StepAttacked:
		return act.AidObstruction, true
	}
	return "", false
}

// Fate is the request's last step's status ("requested" without steps).
func (r *AccessRequest) Fate() string {
	if len(r.Steps) == 0 {
		return StepRequested
	}
	return r.Steps[len(r.Steps)-1].Status
}

// Case kinds and statuses.
const (
	CaseDetainee = "detainee" // held by a party (arrested, taken prisoner)
	CaseAbductee = "abductee" // taken by a group outside any lawful detention
	CaseMissing  = "missing"  // fate unknown
	CaseBody     = "body"     // remains to be handed over

	CaseHeld      = "held"
	CaseSought    = "sought"
	CaseReleased  = "released"
	CaseExchanged = "exchanged"
	CaseFound     = "found"
	CaseDead      = "dead"
	CaseUnknown   = "unknown"
)

// Identity is who a case is about. It is sealed before storage (only the
// Joint Group's staff read it) and never logged: the log commits to a
// salted digest of the sealed record.
type Identity struct {
	Name   string `json:"name"`              // as written, in any script
	NameAr string `json:"name_ar,omitempty"` // in Arabic script, when also known
	Father string `json:"father,omitempty"`  // father's name (patronymic)
	Mother string `json:"mother,omitempty"`
	Born   string `json:"born,omitempty"`  // YYYY or YYYY-MM-DD
	Place  string `json:"place,omitempty"` // of birth or residence
}

// Case is one detained, abducted or missing person, or a body to hand
// over. What the public may read is only the non-identifying part.
type Case struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Status string `json:"status"`
	// HeldBy is the party (or actor) holding the person, when known;
	// SoughtBy the party asking for them.
	HeldBy   string `json:"held_by,omitempty"`
	SoughtBy string `json:"sought_by,omitempty"`
	Since    string `json:"since,omitempty"` // date detained, taken or last seen
	// Admin1 is the governorate (P-code) of the case, kept coarse so that
	// it identifies nobody.
	Admin1   string    `json:"admin1,omitempty"`
	Identity *Identity `json:"identity,omitempty"`
	// Sealed is Identity as stored (set by the app); never shown.
	Sealed  string   `json:"sealed,omitempty"`
	Sources []Source `json:"sources,omitempty"`
}

// List roles: a side's list of whom it holds, or of whom it seeks.
const (
	ListHolds = "holds"
	ListSeeks = "seeks"
)

// List is a list of cases one side submitted.
type List struct {
	ID        string   `json:"id"`
	Side      string   `json:"side"` // party id
	Role      string   `json:"role"` // holds or seeks
	Submitted string   `json:"submitted"`
	Cases     []string `json:"cases"` // case ids
	Source    Source   `json:"source"`
}

// Release is one person handed from one side to another in an exchange.
type Release struct {
	Case string `json:"case"`
	From string `json:"from"` // party releasing
	To   string `json:"to"`   // party receiving
}

// Confirmation is a side's word that an exchange happened as recorded.
type Confirmation struct {
	Party  string `json:"party"`
	Date   string `json:"date"`
	Note   string `json:"note,omitempty"`
	Source Source `json:"source"`
}

// Exchange is a release or exchange of detainees, abductees or bodies.
// Breached names the party that failed its side of it, when one did: the
// exchange is then ruled against the agreement's exchange clause.
type Exchange struct {
	ID            string         `json:"id"`
	Date          string         `json:"date"`
	Place         Area           `json:"place"`
	Releases      []Release      `json:"releases"`
	Confirmations []Confirmation `json:"confirmations,omitempty"`
	Breached      string         `json:"breached,omitempty"`
	Source        Source         `json:"source"`
	Incident      int64          `json:"incident,omitempty"`
}

// Confirmed reports whether every side that released or received someone
// has confirmed the exchange.
func (e *Exchange) Confirmed() bool {
	need := map[string]bool{}
	for _, r := range e.Releases {
		need[r.From], need[r.To] = true, true
	}
	for _, c := range e.Confirmations {
		delete(need, c.Party)
	}
	return len(need) == 0 && len(e.Releases) > 0
}

// Evacuation event kinds.
const (
	EvacDeparted  = "departed"
	EvacArrived   = "arrived"
	EvacSuspended = "suspended"
	EvacAttacked  = "attacked" // evacuees attacked on the way
	EvacBreached  = "breached" // the terms broken (route, numbers, guarantee)
)

// Evacuation is an agreement to move people out of an area, and its
// execution as events.
type Evacuation struct {
	ID        string            `json:"id" yaml:"id"`
	From      Area              `json:"from" yaml:"from"`
	To        Area              `json:"to" yaml:"to"`
	People    int               `json:"people,omitempty" yaml:"people,omitempty"` // agreed or announced
	Guarantee []string          `json:"guarantee,omitempty" yaml:"guarantee,omitempty"`
	Agreed    string            `json:"agreed" yaml:"agreed"`
	Terms     string            `json:"terms,omitempty" yaml:"terms,omitempty"`
	Source    Source            `json:"source" yaml:"source"`
	Events    []EvacuationEvent `json:"events,omitempty" yaml:"events,omitempty"`
}

// EvacuationEvent is one step of an evacuation.
type EvacuationEvent struct {
	Date     string `json:"date" yaml:"date"`
	Kind     string `json:"kind" yaml:"kind"`
	People   int    `json:"people,omitempty" yaml:"people,omitempty"`
	By       string `json:"by,omitempty" yaml:"by,omitempty"` // who attacked or broke the terms
	Killed   int    `json:"killed,omitempty" yaml:"killed,omitempty"`
	Note     string `json:"note,omitempty" yaml:"note,omitempty"`
	Source   Source `json:"source" yaml:"source"`
	Incident int64  `json:"incident,omitempty" yaml:"incident,omitempty"`
}

// Act is the act type an evacuation event is ruled as: an attack on
// evacuees is an attack on civilians, a breach of the terms breaks the
// evacuation obligation; departures and arrivals are no acts.
func (e EvacuationEvent) Act() (act.Type, bool) {
	switch e.Kind {
	case EvacAttacked:
		return act.AttackOnCivilians, true
	case EvacBreached:
		return act.EvacuationBreach, true
	}
	return "", false
}

// Displacement is a figure of people displaced from (or into) an area in
// a period, with its source.
type Displacement struct {
	ID        string `json:"id" yaml:"id"`
	Area      Area   `json:"area" yaml:"area"`
	From      string `json:"from" yaml:"from"`
	To        string `json:"to,omitempty" yaml:"to,omitempty"`
	People    int    `json:"people" yaml:"people"`
	Direction string `json:"direction" yaml:"direction"` // "out" of the area or "in" to it
	Source    Source `json:"source" yaml:"source"`
}

// Match decisions.
const (
	MatchConfirmed = "confirmed"
	MatchRejected  = "rejected"
)

// Match is a reviewer's decision on a pair of cases the matcher proposed.
// Until one is recorded the pair is only a candidate; a confirmed pair is
// the same person, which the app shows on both cases (never merging them).
type Match struct {
	ID       string   `json:"id"` // MatchID(A, B)
	A        string   `json:"a"`
	B        string   `json:"b"`
	Score    float64  `json:"score"`
	Reasons  []string `json:"reasons,omitempty"`
	Decision string   `json:"decision"`
	By       string   `json:"by"`
	Note     string   `json:"note,omitempty"`
}

// MatchID is the id of the decision on a pair, the same either way round.
func MatchID(a, b string) string {
	if b < a {
		a, b = b, a
	}
	return a + "~" + b
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:~-]{0,127}$`)

// CheckID reports whether id may name a record.
func CheckID(id string) error {
	if !idPattern.MatchString(id) {
		return fmt.Errorf("id %q: letters, digits and . _ - : ~ only, at most 128, not starting with punctuation", id)
	}
	return nil
}

// Date reads a record's date: YYYY-MM-DD, or YYYY-MM (the month's first
// day) or YYYY, as sources often give no more. Empty is the zero time.
func Date(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (YYYY-MM-DD, YYYY-MM or YYYY)", s)
}

// Problems collects what is wrong with a record, each naming its field.
type Problems []string

func (p *Problems) add(field, format string, args ...any) {
	*p = append(*p, field+": "+fmt.Sprintf(format, args...))
}

// Err is nil without problems, else one error naming all of them.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(p, "; "))
}

func (p *Problems) date(field, s string, required bool) time.Time {
	if s == "" {
		if required {
			p.add(field, "is required")
		}
		return time.Time{}
	}
	t, err := Date(s)
	if err != nil {
		p.add(field, "%v", err)
	}
	return t
}

func (p *Problems) source(field string, s Source) {
	if strings.TrimSpace(s.Citation) == "" {
		p.add(field+".citation", "is required: every fact cites its source")
	}
}

func (p *Problems) area(field string, a Area) {
	if a.Name == "" && len(a.PCodes) == 0 && a.Geometry == nil {
		p.add(field, "needs a name, P-codes or a geometry")
	}
}

func (p *Problems) oneOf(field, s string, allowed ...string) {
	if !slices.Contains(allowed, s) {
		p.add(field, "%q is not one of %v", s, allowed)
	}
}

func (p *Problems) id(id string) {
	if err := CheckID(id); err != nil {
		p.add("id", "%v", err)
	}
}

// Validate checks a siege.
func (s *Siege) Validate() error {
	var p Problems
	p.id(s.ID)
	p.area("area", s.Area)
	from := p.date("from", s.From, true)
	to := p.date("to", s.To, false)
	if !to.IsZero() && to.Before(from) {
		p.add("to", "%s is before from %s", s.To, s.From)
	}
	if len(s.Sources) == 0 {
		p.add("sources", "at least one source is required")
	}
	for i, src := range s.Sources {
		p.source(fmt.Sprintf("sources[%d]", i), src)
	}
	if s.PopulationSource != nil {
		p.source("population_source", *s.PopulationSource)
	} else if s.Population > 0 {
		p.add("population_source", "a population estimate needs its source")
	}
	for i, per := range s.Periods {
		f := fmt.Sprintf("periods[%d]", i)
		pf := p.date(f+".from", per.From, true)
		pt := p.date(f+".to", per.To, false)
		if !pt.IsZero() && pt.Before(pf) {
			p.add(f+".to", "%s is before from %s", per.To, per.From)
		}
		p.oneOf(f+".status", per.Status, Besieged, HardToReach, Lifted, Evacuated)
		p.source(f+".source", per.Source)
	}
	return p.Err()
}

// Covers reports whether the siege was in force (besieged or hard to
// reach) at some moment of [from, to], and the period that was.
func (s *Siege) Covers(from, to time.Time) (Period, bool) {
	for _, per := range s.Periods {
		if per.Status != Besieged && per.Status != HardToReach {
			continue
		}
		pf, err1 := Date(per.From)
		pt, err2 := Date(per.To)
		if err1 != nil || err2 != nil {
			continue
		}
		if !pt.IsZero() {
			pt = pt.AddDate(0, 0, 1) // the end day is in the period
		}
		if to.Before(pf) || (!pt.IsZero() && !from.Before(pt)) {
			continue
		}
		return per, true
	}
	return Period{}, false
}

// Validate checks an access request.
func (r *AccessRequest) Validate() error {
	var p Problems
	p.id(r.ID)
	if r.RequestedBy == "" {
		p.add("requested_by", "is required")
	}
	p.area("destination", r.Destination)
	p.date("date", r.Date, true)
	if r.People < 0 {
		p.add("people", "cannot be negative")
	}
	for i, s := range r.Steps {
		f := fmt.Sprintf("steps[%d]", i)
		p.date(f+".date", s.Date, true)
		p.oneOf(f+".status", s.Status, stepStatuses...)
		p.source(f+".source", s.Source)
		if _, ruled := s.Act(); ruled && s.By == "" {
			p.add(f+".by", "a %s step names who did it (an actor), so that it can be ruled", s.Status)
		}
	}
	return p.Err()
}

// Validate checks a case.
func (c *Case) Validate() error {
	var p Problems
	p.id(c.ID)
	p.oneOf("kind", c.Kind, CaseDetainee, CaseAbductee, CaseMissing, CaseBody)
	p.oneOf("status", c.Status, CaseHeld, CaseSought, CaseReleased, CaseExchanged, CaseFound, CaseDead, CaseUnknown)
	p.date("since", c.Since, false)
	if c.Identity != nil {
		if strings.TrimSpace(c.Identity.Name) == "" && strings.TrimSpace(c.Identity.NameAr) == "" {
			p.add("identity.name", "is required")
		}
		p.date("identity.born", c.Identity.Born, false)
	}
	return p.Err()
}

// Validate checks a list.
func (l *List) Validate() error {
	var p Problems
	p.id(l.ID)
	if l.Side == "" {
		p.add("side", "is required (a party id)")
	}
	p.oneOf("role", l.Role, ListHolds, ListSeeks)
	p.date("submitted", l.Submitted, true)
	p.source("source", l.Source)
	return p.Err()
}

// Validate checks an exchange.
func (e *Exchange) Validate() error {
	var p Problems
	p.id(e.ID)
	p.date("date", e.Date, true)
	if len(e.Releases) == 0 {
		p.add("releases", "an exchange releases someone")
	}
	for i, r := range e.Releases {
		if r.Case == "" || r.From == "" || r.To == "" {
			p.add(fmt.Sprintf("releases[%d]", i), "needs case, from and to")
		}
	}
	for i, c := range e.Confirmations {
		f := fmt.Sprintf("confirmations[%d]", i)
		if c.Party == "" {
			p.add(f+".party", "is required")
		}
		p.date(f+".date", c.Date, true)
		p.source(f+".source", c.Source)
	}
	p.source("source", e.Source)
	return p.Err()
}

// Validate checks an evacuation.
func (e *Evacuation) Validate() error {
	var p Problems
	p.id(e.ID)
	p.area("from", e.From)
	p.area("to", e.To)
	p.date("agreed", e.Agreed, true)
	p.source("source", e.Source)
	for i, ev := range e.Events {
		f := fmt.Sprintf("events[%d]", i)
		p.date(f+".date", ev.Date, true)
		p.oneOf(f+".kind", ev.Kind, EvacDeparted, EvacArrived, EvacSuspended, EvacAttacked, EvacBreached)
		p.source(f+".source", ev.Source)
		if _, ruled := ev.Act(); ruled && ev.By == "" {
			p.add(f+".by", "an %s event names who did it, so that it can be ruled", ev.Kind)
		}
	}
	return p.Err()
}

// Validate checks a displacement figure.
func (d *Displacement) Validate() error {
	var p Problems
	p.id(d.ID)
	p.area("area", d.Area)
	p.date("from", d.From, true)
	p.date("to", d.To, false)
	if d.People <= 0 {
		p.add("people", "must be positive")
	}
	p.oneOf("direction", d.Direction, "out", "in")
	p.source("source", d.Source)
	return p.Err()
}

// Validate checks a match decision.
func (m *Match) Validate() error {
	var p Problems
	if m.A == "" || m.B == "" || m.A == m.B {
		p.add("a, b", "two different cases are needed")
	}
	p.oneOf("decision", m.Decision, MatchConfirmed, MatchRejected)
	return p.Err()
}
