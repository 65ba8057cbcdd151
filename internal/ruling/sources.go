package ruling

import (
	"fmt"
	"slices"
	"strings"

	"github.com/truce-monitor/truce/internal/actor"
	"github.com/truce-monitor/truce/internal/agreement"
	"github.com/truce-monitor/truce/internal/incident"
)

// What the sources themselves say about who acted, and how surely: an
// associate named beside a known principal, an initiator the source's
// coding establishes, a guarantor's forces among the actors, a source's
// grade of its own claim. Each is stated in the ruling's facts and
// explanation, so that it can be disputed like any other fact.

// ConfidenceNone is the confidence of a ruling on a claim its own source
// discounts.
const ConfidenceNone = "none"

// ruleFacts settles the roles the sources establish, then judges.
func (e *Engine) ruleFacts(a *agreement.Agreement, v *agreement.Version, in incident.Incident) Ruling {
	in, notes, facts := e.assumeAssociates(v, in)
	in, initNotes, initFacts, confidence := directed(in)
	r := e.judge(a, v, in)
	r.Facts = append(r.Facts, facts...)
	r.Facts = append(r.Facts, initFacts...)
	notes = append(initNotes, notes...)
	if len(notes) > 0 {
		r.Explanation += " " + strings.Join(notes, " ")
	}
	r.Confidence = confidence
	if conflict, roles := e.conflicts(v, in); len(conflict) > 0 {
		r.ConflictOfInterest = conflict
		g := strings.Join(conflict, ", ")
		r.Explanation += fmt.Sprintf(" Among the actors are the own forces of guarantor %s (%s): a conflict of interest, so %s is recused from the guarantors' findings on this incident.",
			g, strings.Join(roles, "; "), g)
	}
	return r
}

// identified reports whether a reference names a known actor of
// established identity.
func (e *Engine) identified(ref incident.ActorRef) bool {
	if ref.ID == "" {
		return false
	}
	if e.Actors != nil {
		if a, ok := e.Actors.Get(ref.ID); ok && a.Kind == actor.Unknown {
			return false
		}
	}
	return true
}

// assumeAssociates drops, from each role whose principals are all
// identified, the associates that are not: ACLED names an associate as
// fighting with its principal, so an unknown one does not make the
// principal unknown. The assumption is stated, never hidden: an associate
// that was in truth of another side would change the ruling, and a party
// may show it.
func (e *Engine) assumeAssociates(v *agreement.Version, in incident.Incident) (incident.Incident, []string, []string) {
	var notes, facts []string
	var keep []incident.ActorRef
	for _, ref := range in.Actors {
		if !ref.Associate || e.identified(ref) {
			keep = append(keep, ref)
			continue
		}
		var principals []string
		sure := true
		for _, p := range in.Actors {
			if p.Role == ref.Role && !p.Associate && p.Alternative == ref.Alternative {
				principals = append(principals, e.display(v, p))
				sure = sure && e.identified(p)
			}
		}
		if len(principals) == 0 || !sure {
			keep = append(keep, ref)
			continue
		}
		verb := "fought with"
		if ref.Role == incident.Target {
			verb = "was with"
		}
		who := joinAnd(principals)
		notes = append(notes, fmt.Sprintf("This assumes that the unidentified associate %q %s its principal %s.", ref.Name, verb, who))
		facts = append(facts, fmt.Sprintf("assumption: the unidentified associate %q (%s) %s its principal %s", ref.Name, roleLabel(ref.Role), verb, who))
	}
	if len(notes) == 0 {
		return in, nil, nil
	}
	in.Actors = keep
	return in, notes, facts
}

// display names an actor for an assumption: its registry name with its
// affiliation in the version.
func (e *Engine) display(v *agreement.Version, ref incident.ActorRef) string {
	return e.classify(v, []incident.ActorRef{ref})[0].describe(v)
}

func roleLabel(r incident.Role) string {
	switch r {
	case incident.SideA, incident.SideB:
		return "a side"
	}
	return string(r)
}

// directed reads the initiator the source's coding establishes: the side
// of a clash that includes it becomes the perpetrator, the other side the
// target. An initiator the incident's actors do not include on exactly
// one side (reports merged from sources that number sides differently)
// is stated and not used.
func directed(in incident.Incident) (incident.Incident, []string, []string, string) {
	init := in.Initiator
	if init == nil {
		return in, nil, nil, ""
	}
	basis := fmt.Sprintf("%s: %s (confidence %s)", init.Field, init.Means, init.Confidence)
	var roles []incident.Role
	for _, ref := range in.Actors {
		if (init.ID != "" && ref.ID == init.ID) || (init.ID == "" && ref.Name == init.Actor) {
			if !slices.Contains(roles, ref.Role) {
				roles = append(roles, ref.Role)
			}
		}
	}
	if len(roles) != 1 || roles[0] == incident.Target {
		return in, nil, []string{fmt.Sprintf("initiator: the source codes %q as having acted (%s), but the incident's actors do not place it on one acting side; not used", init.Actor, basis)}, ""
	}
	fact := fmt.Sprintf("initiator: %q, established by %s", init.Actor, basis)
	note := fmt.Sprintf("Who acted is established by the source's coding: %s means that %s, here %q (confidence %s).", init.Field, init.Means, init.Actor, init.Confidence)
	how := fmt.Sprintf("the source's coding establishes which acted: %s means that %s", init.Field, init.Means)
	if init.Read {
		// Read from the words, not coded: the quote is the ground.
		fact = fmt.Sprintf("initiator: %q, read from %s (confidence %s)", init.Actor, init.Field, init.Confidence)
		note = fmt.Sprintf("Who acted is read from the source's words, not from its coding: %s, so %s (confidence %s).", init.Field, init.Means, init.Confidence)
		how = fmt.Sprintf("the source's words say which acted: %s", init.Field)
	}
	switch roles[0] {
	case incident.SideA, incident.SideB:
		first := roles[0]
		out := in
		out.Actors = make([]incident.ActorRef, len(in.Actors))
		for i, ref := range in.Actors {
			switch ref.Role {
			case first:
				ref.Role = incident.Perpetrator
			case incident.SideA, incident.SideB:
				ref.Role = incident.Target
			}
			out.Actors[i] = ref
		}
		note = fmt.Sprintf("The sources name the sides, and %s, so the side of %q is judged as having acted against the other (confidence %s).",
			how, init.Actor, init.Confidence)
		return out, []string{note}, []string{fact}, init.Confidence
	}
	return in, []string{note}, []string{fact}, init.Confidence
}

// conflicts lists the guarantors whose own forces are among the actors,
// and in which roles.
func (e *Engine) conflicts(v *agreement.Version, in incident.Incident) ([]string, []string) {
	var ids, roles []string
	for _, c := range e.classify(v, in.Actors) {
		g := c.aff.Guarantor
		if g == "" {
			continue
		}
		if !slices.Contains(ids, g) {
			ids = append(ids, g)
		}
		if r := fmt.Sprintf("%s as %s", c.name, roleLabel(c.ref.Role)); !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	slices.Sort(ids)
	return ids, roles
}

// sourceGrades are the grades sources give their own claims, by the
// confidence they support; the meanings paraphrase Airwars' published
// grading. Keys are lower case.
var sourceGrades = map[string]struct{ level, means string }{
	"confirmed":  {incident.ConfidenceHigh, "a belligerent accepted responsibility"},
	"fair":       {incident.ConfidenceMedium, "two or more credible sources report it, with the belligerent's action nearby likely or confirmed"},
	"weak":       {incident.ConfidenceLow, "it rests on a single source"},
	"contested":  {incident.ConfidenceLow, "responsibility is claimed for more than one belligerent"},
	"discounted": {ConfidenceNone, "the source judges that the claim did not involve the belligerent or the harm did not happen"},
}

var confidenceRank = map[string]int{ConfidenceNone: 0, incident.ConfidenceLow: 1, incident.ConfidenceMedium: 2, incident.ConfidenceHigh: 3}

// lower returns the lower of two confidences; empty is no statement.
func lower(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	case confidenceRank[b] < confidenceRank[a]:
		return b
	}
	return a
}

// graded states the source's grade of its claim, and lowers the ruling's
// confidence to it. The verdict stays a reading of the facts as claimed:
// the grade says how far to trust them, and verification weighs it.
func graded(r Ruling, grade string) Ruling {
	if grade == "" {
		return r
	}
	r.Facts = append(r.Facts, "source grade: "+grade)
	g, ok := sourceGrades[strings.ToLower(strings.TrimSpace(grade))]
	if !ok {
		r.Explanation += fmt.Sprintf(" The source grades the claim %q, a grade truce does not know; the stated confidence does not use it.", grade)
		return r
	}
	r.Confidence = lower(r.Confidence, g.level)
	r.Explanation += fmt.Sprintf(" The source grades the claim %s (%s): confidence %s.", grade, g.means, r.Confidence)
	return r
}
