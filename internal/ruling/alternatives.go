package ruling

import (
	"fmt"
	"slices"
	"strings"

	"github.com/truce-monitor/truce/internal/agreement"
	"github.com/truce-monitor/truce/internal/incident"
)

// Suspected alternatives: a source that names "Russian Military, U.S.-led
// Coalition" for one strike means one or the other, not both together.
// Ruling them as joint action would accuse both of what one did; ruling
// neither would hide a breach that either would have committed. So each
// alternative is ruled on its own, and the ruling says what follows from
// which.

// maxAlternatives bounds the combinations ruled one by one: beyond it, who
// acted is too open for a ruling to say anything useful.
const maxAlternatives = 16

// altGroup is the actors of one role the source names as either-or.
type altGroup struct {
	role incident.Role
	id   int
	refs []incident.ActorRef
}

// alternativeGroups returns the groups of suspected alternatives, in the
// order the source names them. A group of one names no alternative.
func alternativeGroups(in incident.Incident) []altGroup {
	var groups []altGroup
	for _, ref := range in.Actors {
		if ref.Alternative == 0 {
			continue
		}
		i := slices.IndexFunc(groups, func(g altGroup) bool { return g.role == ref.Role && g.id == ref.Alternative })
		if i < 0 {
			groups = append(groups, altGroup{role: ref.Role, id: ref.Alternative})
			i = len(groups) - 1
		}
		groups[i].refs = append(groups[i].refs, ref)
	}
	return slices.DeleteFunc(groups, func(g altGroup) bool { return len(g.refs) < 2 })
}

func (g altGroup) String() string {
	var ns []string
	for _, r := range g.refs {
		ns = append(ns, fmt.Sprintf("%q", r.Name))
	}
	return fmt.Sprintf("the %s was %s", roleLabel(g.role), strings.Join(ns, " or "))
}

// ruleAlternatives rules each combination of alternatives and says what
// follows: the common verdict when they agree, the outcome under each
// when they do not.
func (e *Engine) ruleAlternatives(a *agreement.Agreement, v *agreement.Version, in incident.Incident, groups []altGroup) Ruling {
	base := Ruling{Agreement: a.ID, Version: v.Number}
	var named []string
	n := 1
	for _, g := range groups {
		named = append(named, g.String())
		n *= len(g.refs)
	}
	stated := fmt.Sprintf("alternatives: %s (suspected, not joint action)", strings.Join(named, "; "))
	if n > maxAlternatives {
		return undetermined(base, MissingAlternatives, []string{stated},
			"The sources name suspected alternatives, not joint action (%s): %d combinations, more than the %d truce rules one by one; which acted must be narrowed first.", strings.Join(named, "; "), n, maxAlternatives)
	}
	inGroup := func(ref incident.ActorRef) bool {
		return slices.ContainsFunc(groups, func(g altGroup) bool { return g.role == ref.Role && g.id == ref.Alternative })
	}
	var common []incident.ActorRef
	for _, ref := range in.Actors {
		if !inGroup(ref) {
			ref.Alternative = 0
			common = append(common, ref)
		}
	}
	var rs []Ruling
	var alts []Alternative
	pick := make([]int, len(groups))
	for {
		sub := in
		sub.Actors = slices.Clone(common)
		var who []string
		for i, g := range groups {
			ref := g.refs[pick[i]]
			ref.Alternative = 0
			sub.Actors = append(sub.Actors, ref)
			who = append(who, ref.Name)
		}
		r := e.ruleFacts(a, v, sub)
		rs = append(rs, r)
		alts = append(alts, Alternative{Actors: who, Outcome: r.Outcome(), Parties: r.Parties, Clauses: r.Clauses})
		// Next combination, the last group fastest.
		i := len(pick) - 1
		for ; i >= 0; i-- {
			if pick[i]++; pick[i] < len(groups[i].refs) {
				break
			}
			pick[i] = 0
		}
		if i < 0 {
			break
		}
	}
	return combineAlternatives(base, stated, named, rs, alts)
}

// combineAlternatives makes one ruling of the rulings under each
// alternative. The same verdict under each is that verdict, except that
// a violation by different parties accuses no one: who is the fact
// still needed.
func combineAlternatives(base Ruling, stated string, named []string, rs []Ruling, alts []Alternative) Ruling {
	verdict, sameVerdict := rs[0].Verdict, true
	sameReason, sameMissing, sameParties := true, true, true
	var clauses, parties, guarantors, conflict []string
	confidence := rs[0].Confidence
	for _, r := range rs {
		sameVerdict = sameVerdict && r.Verdict == verdict
		sameReason = sameReason && r.Reason == rs[0].Reason
		sameMissing = sameMissing && r.Missing == rs[0].Missing
		sameParties = sameParties && slices.Equal(r.Parties, rs[0].Parties)
		clauses = mergeSorted(clauses, r.Clauses)
		parties = mergeSorted(parties, r.Parties)
		guarantors = mergeSorted(guarantors, r.Guarantors)
		conflict = mergeSorted(conflict, r.ConflictOfInterest)
		confidence = lower(confidence, r.Confidence)
	}

	var each []string
	for i, r := range rs {
		each = append(each, fmt.Sprintf("If %s: %s. %s", joinAnd(quoteAll(alts[i].Actors)), outcomeWords(r), r.Explanation))
	}
	intro := fmt.Sprintf("The sources name suspected alternatives, not joint action (%s), so each is ruled on its own.", strings.Join(named, "; "))
	r := base
	switch {
	case sameVerdict && verdict == Violation && sameParties:
		r.Verdict, r.Clauses, r.Parties, r.Guarantors = Violation, clauses, parties, guarantors
		r.Explanation = fmt.Sprintf("Violation of %s by party %s whichever of the alternatives acted. %s %s",
			strings.Join(clauses, ", "), strings.Join(parties, ", "), intro, strings.Join(each, " "))
	case sameVerdict && verdict == NotViolation:
		r.Verdict, r.Reason = NotViolation, rs[0].Reason
		if !sameReason {
			r.Reason = UnderEachAlternative
		}
		r.Explanation = fmt.Sprintf("Not a violation whichever of the alternatives acted. %s %s", intro, strings.Join(each, " "))
	case sameVerdict && verdict == Undetermined && sameMissing && sameParties:
		r.Verdict, r.Missing, r.Clauses, r.Parties = Undetermined, rs[0].Missing, clauses, parties
		r.Explanation = fmt.Sprintf("Undetermined whichever of the alternatives acted (%s is missing under each). %s %s", rs[0].Missing, intro, strings.Join(each, " "))
	default:
		// Which alternative acted decides the ruling; the clauses and
		// parties are those it would name under some alternative, so that
		// the Joint Group sees what is at stake.
		var cases []string
		for i, x := range rs {
			cases = append(cases, fmt.Sprintf("%s if %s", outcomeWords(x), joinAnd(quoteAll(alts[i].Actors))))
		}
		r.Verdict, r.Missing, r.Clauses, r.Parties = Undetermined, MissingAlternatives, clauses, parties
		r.Explanation = fmt.Sprintf("%s: which of the suspected alternatives acted decides the ruling. %s %s",
			upperFirst(strings.Join(cases, "; ")), intro, strings.Join(each, " "))
	}
	if len(conflict) > 0 {
		g := strings.Join(conflict, ", ")
		r.Explanation += fmt.Sprintf(" The own forces of guarantor %s are among the suspected actors: %s is recused from the guarantors' findings on this incident.", g, g)
	}
	r.ConflictOfInterest, r.Confidence, r.Alternatives = conflict, confidence, alts
	r.Facts = alternativeFacts(stated, rs, alts)
	return r
}

// alternativeFacts are the facts every alternative's ruling rests on, then
// those of each alternative alone, marked with it.
func alternativeFacts(stated string, rs []Ruling, alts []Alternative) []string {
	var out []string
	for _, f := range rs[0].Facts {
		if !slices.ContainsFunc(rs, func(r Ruling) bool { return !slices.Contains(r.Facts, f) }) {
			out = append(out, f)
		}
	}
	out = append(out, stated)
	for i, r := range rs {
		for _, f := range r.Facts {
			if !slices.Contains(out, f) {
				out = append(out, fmt.Sprintf("if %s: %s", joinAnd(quoteAll(alts[i].Actors)), f))
			}
		}
	}
	return out
}

// outcomeWords says an outcome in words for an explanation.
func outcomeWords(r Ruling) string {
	switch r.Verdict {
	case Violation:
		return fmt.Sprintf("violation of %s by party %s", strings.Join(r.Clauses, ", "), strings.Join(r.Parties, ", "))
	case NotViolation:
		return fmt.Sprintf("not a violation (%s)", r.Reason)
	}
	return fmt.Sprintf("undetermined (%s)", r.Missing)
}

func quoteAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprintf("%q", x)
	}
	return out
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
