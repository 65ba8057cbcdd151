package ruling

import (
	"fmt"
	"strings"

	"github.com/truce-monitor/truce/internal/agreement"
	"github.com/truce-monitor/truce/internal/control"
	"github.com/truce-monitor/truce/internal/incident"
)

// MissingControl marks an attack with no named target on ground whose
// holder the control layers' claimants dispute: the outcome under each
// claim is given, and the Joint Group must weigh the claims.
const MissingControl Missing = "disputed_control"

// ControlOutcome is the ruling under one claimant's account of who held
// the ground an attack with no named target struck.
type ControlOutcome struct {
	Layer    string   `json:"layer"`
	Claimant string   `json:"claimant"`
	Held     []string `json:"held_by"`
	Sources  []string `json:"sources,omitempty"`
	Outcome  string   `json:"outcome"`
	Parties  []string `json:"parties,omitempty"`
	Clauses  []string `json:"clauses,omitempty"`
}

// byControl rules an attack whose sources name no target from who held
// the place, according to each control layer: held by an excluded group,
// it is not a violation; held by a party, it is judged as an attack on
// that party. Claims that say nothing decisive (no row, part of the place,
// a change of hands within the span) are set aside. It returns false when
// no claim decides, leaving the incident undetermined for want of a
// target.
func (e *Engine) byControl(a *agreement.Agreement, v *agreement.Version, in incident.Incident) (Ruling, bool) {
	if e.Control == nil {
		return Ruling{}, false
	}
	type judged struct {
		claim control.Claim
		held  []string
		r     Ruling
	}
	var all []judged
	for _, c := range e.Control.At(in.Place, in.Occurred) {
		held, ok := c.Holder()
		if !ok {
			continue
		}
		with := in
		with.Actors = append([]incident.ActorRef(nil), in.Actors...)
		for _, id := range held {
			name := id
			if e.Actors != nil {
				if x, ok := e.Actors.Get(id); ok {
					name = x.Name
				}
			}
			with.Actors = append(with.Actors, incident.ActorRef{Name: name, ID: id, Role: incident.Target})
		}
		all = append(all, judged{c, held, e.judge(a, v, with)})
	}
	if len(all) == 0 {
		return Ruling{}, false
	}
	var outcomes []ControlOutcome
	var lines []string
	same := true
	for _, j := range all {
		o := ControlOutcome{Layer: j.claim.Layer, Claimant: j.claim.Claimant, Held: j.held, Sources: j.claim.Sources(),
			Outcome: j.r.Outcome(), Parties: j.r.Parties, Clauses: j.r.Clauses}
		outcomes = append(outcomes, o)
		lines = append(lines, fmt.Sprintf("according to %s (%s; %s), the ground was held by %s: %s", o.Claimant, o.Layer,
			strings.Join(o.Sources, "; "), strings.Join(j.held, " and "), o.Outcome))
		same = same && o.Outcome == outcomes[0].Outcome && strings.Join(o.Parties, ",") == strings.Join(outcomes[0].Parties, ",")
	}
	if same {
		r := all[0].r
		r.Control = outcomes
		r.Facts = append(r.Facts, "target: none named; "+strings.Join(lines, "; "))
		r.Explanation = fmt.Sprintf("The sources name no target; who held the ground is taken from the control layers: %s. %s",
			strings.Join(lines, "; "), r.Explanation)
		return r, true
	}
	base := all[0].r
	r := Ruling{Agreement: base.Agreement, Version: base.Version, Verdict: Undetermined, Missing: MissingControl, Control: outcomes, Disputed: true,
		Facts: append(base.Facts, "target: none named; "+strings.Join(lines, "; "))}
	r.Explanation = fmt.Sprintf("The sources name no target, and the control layers' claimants disagree on who held the ground: %s. The outcome depends on whose account holds; the Joint Group must weigh them.",
		strings.Join(lines, "; "))
	return r, true
}
