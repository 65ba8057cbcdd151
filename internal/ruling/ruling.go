// Package ruling judges an incident against the agreement in force at its
// time and place. A ruling is never a bare label: it names the version,
// the clause, the party, the guarantors that answer for it, and the facts
// it rests on, so that any party can see why and dispute the facts.
package ruling

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/actor"
	"github.com/truce-monitor/truce/internal/agreement"
	"github.com/truce-monitor/truce/internal/control"
	"github.com/truce-monitor/truce/internal/incident"
)

// Verdict is the outcome of a ruling.
type Verdict string

const (
	Violation    Verdict = "violation"
	NotViolation Verdict = "not_violation"
	Undetermined Verdict = "undetermined"
)

// Reason says why an incident is not a violation.
type Reason string

const (
	ExcludedGroup    Reason = "excluded_group"
	OutsideTime      Reason = "outside_time"
	OutsideZone      Reason = "outside_zone"
	ActNotProhibited Reason = "act_not_prohibited"
	NoPartyBound     Reason = "no_party_bound"
	NotProtected     Reason = "target_not_protected"
	// UnderEachAlternative: the source names suspected alternatives, and
	// none of them would have violated the agreement, for different
	// reasons (each is in Alternatives).
	UnderEachAlternative Reason = "alternatives"
)

// Missing names a fact whose absence leaves an incident undetermined.
type Missing string

const (
	MissingPerpetrator   Missing = "perpetrator"
	MissingTarget        Missing = "target"
	MissingActorIdentity Missing = "actor_identity"
	// MissingUnidentified is an actor the source itself does not identify
	// ("Unidentified Armed Group"): nobody knows who it was, which no
	// registry entry can settle, unlike a name truce could not resolve
	// (MissingActorIdentity), which an operator can add.
	MissingUnidentified   Missing = "unidentified"
	MissingInitiator      Missing = "initiator"
	MissingTimePrecision  Missing = "time_precision"
	MissingPlacePrecision Missing = "place_precision"
	MissingActType        Missing = "act_type"
	MissingGuarantorRule  Missing = "guarantor_forces"
	// MissingAlternatives: the source names suspected alternatives ("X or
	// Y", not "X and Y") that would be ruled differently; which of them
	// acted is the fact needed.
	MissingAlternatives Missing = "alternatives"
)

// Ruling is the judgement of one incident under one agreement.
type Ruling struct {
	Verdict     Verdict  `json:"verdict"`
	Agreement   string   `json:"agreement"`
	Version     int      `json:"version,omitempty"`
	Clauses     []string `json:"clauses,omitempty"`
	Parties     []string `json:"parties,omitempty"`
	Guarantors  []string `json:"guarantors,omitempty"`
	Reason      Reason   `json:"reason,omitempty"`
	Missing     Missing  `json:"missing,omitempty"`
	Explanation string   `json:"explanation"`
	// Facts are the facts the ruling rests on, one per line, so that a
	// party disputing the ruling can say which fact it disputes.
	Facts []string `json:"facts"`
	// ConflictOfInterest names the guarantors whose own forces are among
	// the incident's actors, in any role and whatever the verdict: they
	// are recused from the guarantors' findings on it (internal/workflow).
	ConflictOfInterest []string `json:"conflict_of_interest,omitempty"`
	// Confidence is how far the sources' own coding and grading support
	// the facts about who acted: high, medium, low or none (the source
	// discounts its claim), the explanation saying which field and grade
	// it rests on; empty when the sources state nothing about it.
	Confidence string `json:"confidence,omitempty"`
	// Alternatives is the outcome under each suspected alternative, when
	// the source names actors as either-or.
	Alternatives []Alternative `json:"alternatives,omitempty"`
	// Control is the outcome under each claimant's account of who held
	// the ground, for an attack whose sources name no target; Disputed is
	// set when the claimants' accounts lead to different outcomes.
	Control  []ControlOutcome `json:"control,omitempty"`
	Disputed bool             `json:"disputed,omitempty"`
}

// Alternative is the ruling had one of the suspected alternatives acted.
type Alternative struct {
	// Actors are the names, as the source gives them, assumed to have
	// acted in this alternative.
	Actors  []string `json:"actors"`
	Outcome string   `json:"outcome"`
	Parties []string `json:"parties,omitempty"`
	Clauses []string `json:"clauses,omitempty"`
}

// Outcome is a short label for tables: the verdict with its reason or
// what is missing.
func (r Ruling) Outcome() string {
	switch {
	case r.Reason != "":
		return string(r.Verdict) + ": " + string(r.Reason)
	case r.Missing != "":
		return string(r.Verdict) + ": " + string(r.Missing)
	}
	return string(r.Verdict)
}

// Engine rules incidents. It holds only read-only data and is safe for
// concurrent use.
type Engine struct {
	Actors *actor.Registry
	// Control, when set, says who held the ground, per claimant: an
	// attack whose sources name no target is judged by it (byControl).
	Control *control.Set
}

// Rule judges in under agreement a.
func (e *Engine) Rule(a *agreement.Agreement, in incident.Incident) Ruling {
	base := Ruling{Agreement: a.ID}
	span := in.Occurred
	if !span.Valid() {
		return undetermined(base, MissingTimePrecision, nil, "The incident has no date, so the version of %s in force cannot be chosen.", a.ID)
	}
	when := spanIn(span, a)
	overlaps, covered := a.During(span.Start, span.End)
	if len(overlaps) == 0 {
		periods := a.Periods()
		first, last := periods[0], periods[len(periods)-1]
		if span.End.After(first.From) && !last.To.IsZero() && !span.Start.Before(last.To) {
			return notViolation(base, OutsideTime, []string{"time: " + when},
				"The incident (%s) is after %s ended at %s.", when, a.Title, stamp(last.To, a))
		}
		if !span.End.After(first.From) {
			return notViolation(base, OutsideTime, []string{"time: " + when},
				"The incident (%s) is before %s took effect at %s.", when, a.Title, stamp(first.From, a))
		}
		return notViolation(base, OutsideTime, []string{"time: " + when},
			"No version of %s was in force on %s.", a.Title, when)
	}
	if !covered {
		return undetermined(base, MissingTimePrecision, []string{"time: " + when},
			"The incident is dated %s, a span that begins or ends while %s was not in force; a more exact time is needed to rule.", when, a.Title)
	}
	var rulings []Ruling
	for _, o := range overlaps {
		rulings = append(rulings, e.ruleVersion(a, o.Version, in))
	}
	if len(rulings) == 1 {
		return rulings[0]
	}
	last := rulings[len(rulings)-1]
	answering := slices.Clone(last.Guarantors)
	sameGuarantors := true
	for _, r := range rulings[:len(rulings)-1] {
		if r.Verdict != last.Verdict || r.Reason != last.Reason || r.Missing != last.Missing ||
			strings.Join(r.Clauses, ",") != strings.Join(last.Clauses, ",") ||
			strings.Join(r.Parties, ",") != strings.Join(last.Parties, ",") {
			var parts []string
			for _, r := range rulings {
				parts = append(parts, fmt.Sprintf("under version %d: %s", r.Version, versionOutcome(r)))
			}
			return undetermined(base, MissingTimePrecision, []string{"time: " + when},
				"The incident is dated %s, which spans versions that rule differently (%s); a more exact time is needed.", when, strings.Join(parts, "; "))
		}
		if strings.Join(r.Guarantors, ",") != strings.Join(last.Guarantors, ",") {
			sameGuarantors = false
			answering = slices.DeleteFunc(answering, func(g string) bool { return !slices.Contains(r.Guarantors, g) })
		}
	}
	if sameGuarantors {
		last.Explanation += fmt.Sprintf(" The dates (%s) span %d versions; the ruling is the same under each.", when, len(rulings))
		return last
	}
	// The breach and who committed it are certain; only which guarantors
	// answer depends on the day (a guarantor joined meanwhile). Those
	// answering under every version answer; the others are named with the
	// versions under which they would.
	var parts []string
	for _, r := range rulings {
		parts = append(parts, fmt.Sprintf("under version %d: %s", r.Version, strings.Join(r.Guarantors, ", ")))
	}
	said := fmt.Sprintf(" Guarantor(s) answering: %s.", strings.Join(last.Guarantors, ", "))
	last.Guarantors = answering
	last.Explanation = strings.Replace(last.Explanation, said, fmt.Sprintf(" Guarantor(s) answering: %s.", strings.Join(answering, ", ")), 1)
	last.Explanation += fmt.Sprintf(" The dates (%s) span %d versions that agree on the ruling but not on the guarantors answering (%s): those answering under all of them are named; the others answer only if the incident fell in their version.",
		when, len(rulings), strings.Join(parts, "; "))
	return last
}

// identityMissing says why unknown actors leave a ruling open: a name no
// registry entry matches, or, when every one of them resolved to an actor
// of unknown identity, the source's own silence.
func identityMissing(unknown []class) Missing {
	for _, c := range unknown {
		if c.ref.ID == "" {
			return MissingActorIdentity
		}
	}
	return MissingUnidentified
}

// prohibitedAnywhere reports whether any clause of the version prohibits
// the act, wherever and whenever.
func prohibitedAnywhere(v *agreement.Version, t act.Type) bool {
	for _, c := range v.Clauses {
		if slices.Contains(c.Prohibits, t) {
			return true
		}
	}
	return false
}

// versionOutcome is a ruling's outcome with the parties and guarantors
// it names, to tell versions apart in an explanation.
func versionOutcome(r Ruling) string {
	out := r.Outcome()
	if len(r.Parties) > 0 {
		out += " by " + strings.Join(r.Parties, ", ")
	}
	return out
}

// class is what an actor in an incident is under one version.
type class struct {
	ref      incident.ActorRef
	name     string
	aff      agreement.Affiliation
	civilian bool
	unknown  bool // unresolved name, or an actor of unknown identity
}

func (c class) describe(v *agreement.Version) string {
	switch {
	case c.ref.ID == "":
		return fmt.Sprintf("%q (a name not in the actor registry)", c.ref.Name)
	case c.unknown:
		return c.name + " (identity unknown)"
	case c.civilian:
		return c.name
	case c.aff.Party != "":
		return fmt.Sprintf("%s (party %s, %s)", c.name, c.aff.Party, v.Party(c.aff.Party).Name)
	case c.aff.Excluded != "":
		return fmt.Sprintf("%s (excluded group %s)", c.name, c.aff.Excluded)
	case c.aff.Guarantor != "" && c.aff.Side != "":
		return fmt.Sprintf("%s (forces of guarantor %s, fighting on the side of party %s)", c.name, c.aff.Guarantor, c.aff.Side)
	case c.aff.Guarantor != "":
		return fmt.Sprintf("%s (forces of guarantor %s)", c.name, c.aff.Guarantor)
	}
	return c.name + " (not a party to the agreement)"
}

func (e *Engine) classify(v *agreement.Version, refs []incident.ActorRef) []class {
	out := make([]class, 0, len(refs))
	for _, ref := range refs {
		c := class{ref: ref, name: ref.Name}
		if ref.ID == "" {
			c.unknown = true
			out = append(out, c)
			continue
		}
		if e.Actors != nil {
			if a, ok := e.Actors.Get(ref.ID); ok {
				c.name = a.Name
				c.civilian = a.Kind == actor.Civilians
				c.unknown = a.Kind == actor.Unknown
			}
		}
		c.aff = v.Affiliation(ref.ID)
		out = append(out, c)
	}
	return out
}

func all(cs []class, f func(class) bool) bool {
	for _, c := range cs {
		if !f(c) {
			return false
		}
	}
	return len(cs) > 0
}

func anyOf(cs []class, f func(class) bool) bool {
	for _, c := range cs {
		if f(c) {
			return true
		}
	}
	return false
}

// party is the party the actor acts for: its own, or for a guarantor's
// forces the side the version binds them to (agreement.Guarantor's
// ForcesSide).
func (c class) party() string {
	if c.aff.Party == "" && c.aff.Guarantor != "" {
		return c.aff.Side
	}
	return c.aff.Party
}

func isExcluded(c class) bool { return c.aff.Excluded != "" }
func isUnknown(c class) bool  { return c.unknown }
func isParty(c class) bool    { return c.party() != "" }

// unsidedGuarantor is a guarantor's force that the version binds to no
// side: how its acts are judged is left to the Joint Group.
func unsidedGuarantor(c class) bool { return c.aff.Guarantor != "" && c.aff.Side == "" }

func names(v *agreement.Version, cs []class) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.describe(v)
	}
	return joinAnd(parts)
}

func partiesOf(cs []class) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range cs {
		if p := c.party(); p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// ruleVersion judges the incident under one version that was in force for
// the whole of its span: each suspected alternative, if the source names
// some, and then what the source's grade says of the facts.
func (e *Engine) ruleVersion(a *agreement.Agreement, v *agreement.Version, in incident.Incident) Ruling {
	var r Ruling
	if groups := alternativeGroups(in); len(groups) > 0 {
		r = e.ruleAlternatives(a, v, in, groups)
	} else {
		r = e.ruleFacts(a, v, in)
	}
	return graded(r, in.SourceGrade)
}

// judge rules on the facts as they stand, every actor's role settled.
func (e *Engine) judge(a *agreement.Agreement, v *agreement.Version, in incident.Incident) Ruling {
	base := Ruling{Agreement: a.ID, Version: v.Number}
	facts := []string{
		fmt.Sprintf("agreement: %s, version %d (%s), in force from %s", a.ID, v.Number, v.Label, stamp(v.From, a)),
		"time: " + spanIn(in.Occurred, a),
		"place: " + placeFact(in.Place),
		"act: " + string(in.Act),
	}
	perps := e.classify(v, in.ActorsIn(incident.Perpetrator))
	targets := e.classify(v, in.ActorsIn(incident.Target))
	sideA := e.classify(v, in.ActorsIn(incident.SideA))
	sideB := e.classify(v, in.ActorsIn(incident.SideB))
	for _, c := range perps {
		facts = append(facts, "perpetrator: "+c.describe(v))
	}
	for _, c := range targets {
		facts = append(facts, "target: "+c.describe(v))
	}
	for _, c := range sideA {
		facts = append(facts, "side: "+c.describe(v))
	}
	for _, c := range sideB {
		facts = append(facts, "opposing side: "+c.describe(v))
	}
	base.Facts = facts
	what := fmt.Sprintf("%s at %s on %s", actLabel(in.Act), in.Place.Label(), spanIn(in.Occurred, a))

	if len(sideA) > 0 || len(sideB) > 0 {
		return e.ruleClash(a, v, in, base, what, sideA, sideB)
	}

	// Excluded groups first: whatever else is unknown, an act by or
	// against only excluded groups is outside the ceasefire.
	if all(perps, isExcluded) {
		return notViolation(base, ExcludedGroup, nil,
			"The %s was carried out by %s; the agreement excludes it, so it is not bound and its acts are not violations.", what, names(v, perps))
	}
	if len(perps) > 0 && all(targets, isExcluded) {
		return notViolation(base, ExcludedGroup, nil,
			"The %s was directed at %s, excluded from the ceasefire; fighting an excluded group is not a violation.", what, names(v, targets))
	}
	// An act no clause prohibits is no violation whoever carried it out:
	// who did it need not be known (a protest, looting by an unidentified
	// group).
	if in.Act != "" && in.Act != act.Unknown && !prohibitedAnywhere(v, in.Act) {
		return notViolation(base, ActNotProhibited, nil,
			"No clause of version %d prohibits %s, so the %s is not a violation, whoever carried it out.", v.Number, actLabel(in.Act), what)
	}
	if len(perps) == 0 {
		return undetermined(base, MissingPerpetrator, nil, "The %s has no known perpetrator; a ruling needs to know who carried it out.", what)
	}
	if u := filter(perps, isUnknown); len(u) > 0 {
		return undetermined(base, identityMissing(u), nil, "The perpetrator of the %s is not identified: %s.", what, names(v, u))
	}
	bound := filter(perps, isParty)
	if len(bound) == 0 {
		if g := filter(perps, unsidedGuarantor); len(g) > 0 {
			return undetermined(base, MissingGuarantorRule, nil,
				"The %s was carried out by %s. Version %d binds its parties and does not say on whose side a guarantor's own forces fight, so it does not say how their acts are judged; the Joint Group must decide.", what, names(v, g), v.Number)
		}
		return notViolation(base, NoPartyBound, nil,
			"The %s was carried out by %s, not bound by the agreement.", what, names(v, perps))
	}
	if in.Act == "" || in.Act == act.Unknown {
		return undetermined(base, MissingActType, nil, "What %s did is not established, so no clause can be applied.", names(v, bound))
	}
	if len(targets) == 0 {
		if r, ok := e.byControl(a, v, in); ok {
			return r
		}
		return undetermined(base, MissingTarget, nil, "The %s by %s has no stated target; whether it was directed at a protected party or civilians is not established.", what, names(v, bound))
	}
	if u := filter(targets, isUnknown); len(u) > 0 {
		return undetermined(base, identityMissing(u), nil, "The target of the %s is not identified: %s.", what, names(v, u))
	}
	if x := filter(targets, isExcluded); len(x) > 0 {
		return undetermined(base, MissingTarget, nil,
			"The %s by %s was directed at %s together; whether it was aimed at the excluded group or at those the agreement protects is not established.", what, names(v, bound), names(v, targets))
	}

	ev := e.evaluate(a, v, in, bound, targets)
	if len(ev.violated) > 0 {
		r := base
		r.Verdict = Violation
		r.Clauses = ev.violated
		r.Parties = ev.parties
		guar := map[string]bool{}
		for _, p := range ev.parties {
			for _, g := range v.AnsweringFor(p) {
				guar[g] = true
			}
		}
		r.Guarantors = sortedSet(guar)
		var answer string
		if len(r.Guarantors) > 0 {
			answer = fmt.Sprintf(" Guarantor(s) answering: %s.", strings.Join(r.Guarantors, ", "))
		} else {
			answer = " No guarantor answers for this party."
		}
		r.Explanation = fmt.Sprintf("Violation of %s by party %s: the %s was carried out by %s against %s. Version %d prohibits %s%s.%s",
			clauseList(v, ev.violated), strings.Join(r.Parties, ", "), what, names(v, bound), names(v, targets), v.Number, actLabel(in.Act), ev.where, answer)
		return r
	}
	return ev.otherwise(base, what)
}

// ruleClash judges fighting where the sources name two sides but not who
// started it: a clash between different parties breaches the ceasefire,
// but no single party can be held to account on those facts.
func (e *Engine) ruleClash(a *agreement.Agreement, v *agreement.Version, in incident.Incident, base Ruling, what string, sideA, sideB []class) Ruling {
	if all(sideA, isExcluded) || all(sideB, isExcluded) {
		ex := sideA
		if !all(sideA, isExcluded) {
			ex = sideB
		}
		return notViolation(base, ExcludedGroup, nil,
			"The %s was fighting involving %s, excluded from the ceasefire; fighting an excluded group is not a violation.", what, names(v, ex))
	}
	if u := append(filter(sideA, isUnknown), filter(sideB, isUnknown)...); len(u) > 0 {
		return undetermined(base, identityMissing(u), nil, "A side in the %s is not identified: %s.", what, names(v, u))
	}
	pa, pb := partiesOf(sideA), partiesOf(sideB)
	if len(pa) == 0 && len(pb) == 0 {
		if g := filter(append(append([]class{}, sideA...), sideB...), unsidedGuarantor); len(g) > 0 && (anyOf(sideA, isParty) || anyOf(sideB, isParty)) {
			return undetermined(base, MissingGuarantorRule, nil, "The %s involved %s; the agreement does not say how a guarantor's own forces are judged.", what, names(v, g))
		}
		return notViolation(base, NoPartyBound, nil, "The %s was between %s and %s, none of them a party to the agreement.", what, names(v, sideA), names(v, sideB))
	}
	if len(pa) == 0 || len(pb) == 0 {
		party, other := sideA, sideB
		if len(pa) == 0 {
			party, other = sideB, sideA
		}
		if g := filter(other, unsidedGuarantor); len(g) > 0 {
			return undetermined(base, MissingGuarantorRule, nil,
				"The %s was between %s and %s; the agreement does not say how a guarantor's own forces are judged, and the Joint Group must decide.", what, names(v, party), names(v, g))
		}
		if anyOf(other, func(c class) bool { return c.civilian }) {
			// Fighting with civilians on the other side is an attack on
			// them, whoever is named first.
			return e.judge(a, v, asAttack(in, party, other))
		}
		return notViolation(base, NotProtected, nil,
			"The %s was between %s and %s, which is not a party; the agreement governs hostilities between its parties and against civilians.", what, names(v, party), names(v, other))
	}
	if len(pa) == 1 && len(pb) == 1 && pa[0] == pb[0] {
		return notViolation(base, NotProtected, nil,
			"The %s was between groups of the same party %s; the agreement governs hostilities between parties.", what, pa[0])
	}
	if in.Act == "" || in.Act == act.Unknown {
		return undetermined(base, MissingActType, nil, "What happened in the %s is not established, so no clause can be applied.", what)
	}
	// Judge as if either side had attacked the other: if that would be a
	// violation, the ceasefire was breached, but by whom is not known.
	evA := e.evaluate(a, v, in, filter(sideA, isParty), filter(sideB, isParty))
	evB := e.evaluate(a, v, in, filter(sideB, isParty), filter(sideA, isParty))
	if len(evA.violated) > 0 || len(evB.violated) > 0 {
		clauses := mergeSorted(evA.violated, evB.violated)
		r := undetermined(base, MissingInitiator, nil,
			"The %s was fighting between %s and %s. Version %d prohibits %s%s under %s, so the ceasefire was breached, but the sources do not say which side initiated it; attribution needs further facts.",
			what, names(v, sideA), names(v, sideB), v.Number, actLabel(in.Act), evA.where+evB.whereIfDifferent(evA), clauseList(v, clauses))
		r.Clauses = clauses
		r.Parties = mergeSorted(pa, pb)
		if anyOf(sideA, isExcluded) || anyOf(sideB, isExcluded) {
			r.Explanation += " Excluded groups fought alongside a party; that does not by itself release the party from the agreement."
		}
		return r
	}
	return evA.otherwise(base, what)
}

// clauseList names clauses with their titles and references.
func clauseList(v *agreement.Version, ids []string) string {
	var out []string
	for _, id := range ids {
		c := v.Clause(id)
		out = append(out, fmt.Sprintf("clause %s (%s; %s)", c.ID, c.Title, strings.TrimRight(strings.TrimSpace(c.Reference), ".")))
	}
	return joinAnd(out)
}

// asAttack turns a clash with civilians into an attack on them.
func asAttack(in incident.Incident, party, civ []class) incident.Incident {
	out := in
	out.Actors = nil
	for _, c := range party {
		ref := c.ref
		ref.Role = incident.Perpetrator
		out.Actors = append(out.Actors, ref)
	}
	for _, c := range civ {
		ref := c.ref
		ref.Role = incident.Target
		out.Actors = append(out.Actors, ref)
	}
	if out.Act == act.ArmedClash {
		out.Act = act.AttackOnCivilians
	}
	return out
}

func filter(cs []class, f func(class) bool) []class {
	var out []class
	for _, c := range cs {
		if f(c) {
			out = append(out, c)
		}
	}
	return out
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func mergeSorted(a, b []string) []string {
	m := map[string]bool{}
	for _, s := range a {
		m[s] = true
	}
	for _, s := range b {
		m[s] = true
	}
	return sortedSet(m)
}

// evaluation is the result of testing each clause of a version.
type evaluation struct {
	violated []string // clause ids violated by some bound perpetrator
	parties  []string // parties that violated them
	where    string   // ", in zone X" for the explanation
	// Why the remaining clauses did not apply, for the not-a-violation or
	// undetermined explanation.
	prohibiting  []string // clauses that prohibit the act at all
	unprotected  []string
	outsideZone  []string
	outsideTime  []string
	unsureZone   []string
	unsureTime   []string
	zoneDetail   string
	windowDetail string
}

func (ev evaluation) whereIfDifferent(other evaluation) string {
	if ev.where == other.where {
		return ""
	}
	return ev.where
}

func (e *Engine) evaluate(a *agreement.Agreement, v *agreement.Version, in incident.Incident, bound, targets []class) evaluation {
	var ev evaluation
	civilians := anyOf(targets, func(c class) bool { return c.civilian })
	violated := map[string]bool{}
	parties := map[string]bool{}
	var zonesHit []string
	for _, c := range v.Clauses {
		if !c.ProhibitsAct(in.Act) {
			continue
		}
		ev.prohibiting = append(ev.prohibiting, c.ID)
		for _, p := range bound {
			protected := civilians && c.ProtectsTarget(true, "", p.party())
			for _, t := range targets {
				if t.party() != "" && c.ProtectsTarget(false, t.party(), p.party()) {
					protected = true
				}
			}
			if !protected {
				ev.unprotected = append(ev.unprotected, c.ID)
				continue
			}
			switch c.InWindow(in.Occurred.Start, in.Occurred.End) {
			case -1:
				ev.outsideTime = append(ev.outsideTime, c.ID)
				ev.windowDetail = windowText(c)
				continue
			case 0:
				ev.unsureTime = append(ev.unsureTime, c.ID)
				ev.windowDetail = windowText(c)
				continue
			}
			zs, hit, detail := zoneStatus(v, c, in.Place)
			switch zs {
			case -1:
				ev.outsideZone = append(ev.outsideZone, c.ID)
				ev.zoneDetail = detail
				continue
			case 0:
				ev.unsureZone = append(ev.unsureZone, c.ID)
				ev.zoneDetail = detail
				continue
			}
			if hit != "" {
				zonesHit = append(zonesHit, hit)
			}
			violated[c.ID] = true
			parties[p.party()] = true
		}
	}
	for _, c := range v.Clauses {
		if violated[c.ID] {
			ev.violated = append(ev.violated, c.ID)
		}
	}
	ev.parties = sortedSet(parties)
	if len(zonesHit) > 0 {
		ev.where = " in " + joinAnd(dedupe(zonesHit))
	}
	return ev
}

// otherwise explains why no clause was violated.
func (ev evaluation) otherwise(base Ruling, what string) Ruling {
	switch {
	case len(ev.unsureZone) > 0:
		return undetermined(base, MissingPlacePrecision, nil,
			"Clause %s applies only in some zones, and %s; a more exact place is needed.", strings.Join(dedupe(ev.unsureZone), ", "), ev.zoneDetail)
	case len(ev.unsureTime) > 0:
		return undetermined(base, MissingTimePrecision, nil,
			"Clause %s applies only %s, and the dates of the %s straddle that window.", strings.Join(dedupe(ev.unsureTime), ", "), ev.windowDetail, what)
	case len(ev.prohibiting) == 0:
		return notViolation(base, ActNotProhibited, nil, "No clause of version %d prohibits the act (%s).", base.Version, what)
	case len(ev.outsideZone) > 0:
		return notViolation(base, OutsideZone, nil,
			"Clause %s prohibits this act only in its zones, and %s.", strings.Join(dedupe(ev.outsideZone), ", "), ev.zoneDetail)
	case len(ev.outsideTime) > 0:
		return notViolation(base, OutsideTime, nil,
			"Clause %s applies only %s; the %s falls outside.", strings.Join(dedupe(ev.outsideTime), ", "), ev.windowDetail, what)
	}
	return notViolation(base, NotProtected, nil,
		"Clause %s prohibits the act only against those it protects, and the target of the %s is not among them.", strings.Join(dedupe(ev.unprotected), ", "), what)
}

// zoneStatus says whether a place is inside a clause's zones: 1 inside
// (hit names the zone), -1 outside, 0 cannot tell from the place's
// precision. A clause without zones applies everywhere.
func zoneStatus(v *agreement.Version, c *agreement.Clause, p incident.Place) (status int, hit, detail string) {
	if len(c.Zones) == 0 {
		return 1, "", ""
	}
	status = -1
	var zoneNames []string
	for _, id := range c.Zones {
		z := v.Zone(id)
		zoneNames = append(zoneNames, fmt.Sprintf("%s (%s)", z.ID, z.Name))
		switch s := inZone(z, p); s {
		case 1:
			return 1, fmt.Sprintf("zone %s (%s)", z.ID, z.Name), ""
		case 0:
			status = 0
		}
	}
	if status == 0 {
		return 0, "", fmt.Sprintf("%s, known only as %s, may or may not lie in %s", p.Label(), placePrecision(p), joinAnd(zoneNames))
	}
	return -1, "", fmt.Sprintf("%s lies outside %s", p.Label(), joinAnd(zoneNames))
}

func inZone(z *agreement.Zone, p incident.Place) int {
	status := -1
	if len(z.PCodes) > 0 {
		status = max(status, inPCodes(z.PCodes, p))
	}
	if z.Polygon != nil {
		s := 0
		if p.HasPoint && p.Precision.PointMeaningful() {
			s = -1
			if planar.MultiPolygonContains(z.Polygon, orb.Point{p.Lon, p.Lat}) {
				s = 1
			}
		}
		status = max(status, s)
	}
	return status
}

// inPCodes decides membership in a union of administrative units from
// P-codes alone: they nest by prefix, so an area wholly inside a zone unit
// is inside, an area that merely contains a zone unit is undecided, and any
// other area is outside.
func inPCodes(pcodes []string, p incident.Place) int {
	area := p.Area
	if p.Precision.PointMeaningful() && p.Admin3 != "" {
		area = p.Admin3
	}
	if area == "" {
		return 0
	}
	status := -1
	for _, pc := range pcodes {
		if strings.HasPrefix(area, pc) {
			return 1
		}
		if strings.HasPrefix(pc, area) {
			status = 0
		}
	}
	return status
}

func placePrecision(p incident.Place) string {
	switch p.Precision {
	case incident.PlaceAdmin1, incident.PlaceAdmin2, incident.PlaceAdmin3:
		if p.Area != "" {
			return "somewhere in " + p.Area
		}
	case incident.PlaceCountry:
		return "somewhere in the country"
	}
	return "a place of precision " + string(p.Precision)
}

func placeFact(p incident.Place) string {
	s := p.Label()
	if p.HasPoint {
		s += fmt.Sprintf(" at %.5f,%.5f", p.Lat, p.Lon)
	}
	s += ", precision " + string(p.Precision)
	if p.Area != "" {
		s += ", area " + p.Area
	}
	if p.Admin1 != "" {
		s += fmt.Sprintf(", admin %s/%s/%s", p.Admin1, p.Admin2, p.Admin3)
	}
	return s
}

func windowText(c *agreement.Clause) string {
	w := c.Window
	switch {
	case w.From != "" && w.To != "":
		return fmt.Sprintf("from %s until %s", w.From, w.To)
	case w.From != "":
		return "from " + w.From
	}
	return "until " + w.To
}

func actLabel(t act.Type) string {
	if t == "" {
		return "event"
	}
	return strings.ReplaceAll(string(t), "_", " ")
}

func spanIn(s incident.TimeSpan, a *agreement.Agreement) string {
	if a.Location != nil {
		s.Start, s.End = s.Start.In(a.Location), s.End.In(a.Location)
	}
	return s.String()
}

func stamp(t time.Time, a *agreement.Agreement) string {
	if a.Location != nil {
		t = t.In(a.Location)
	}
	return t.Format("2006-01-02 15:04 -07:00")
}

func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func notViolation(r Ruling, why Reason, facts []string, format string, args ...any) Ruling {
	r.Verdict = NotViolation
	r.Reason = why
	if r.Facts == nil {
		r.Facts = facts
	}
	r.Explanation = fmt.Sprintf(format, args...)
	return r
}

func undetermined(r Ruling, missing Missing, facts []string, format string, args ...any) Ruling {
	r.Verdict = Undetermined
	r.Missing = missing
	if r.Facts == nil {
		r.Facts = facts
	}
	r.Explanation = fmt.Sprintf(format, args...)
	return r
}
