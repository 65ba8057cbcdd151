// Package act holds truce's one vocabulary of act types. Clauses prohibit
// act types and importers map each source's own coding onto them, so a
// ruling reads the same whatever the source.
package act

import (
	"fmt"
	"sort"
)

// Type is an act type from the vocabulary below.
type Type string

const (
	Airstrike         Type = "airstrike"
	Shelling          Type = "shelling"
	ChemicalAttack    Type = "chemical_attack"
	OtherExplosive    Type = "other_explosive"
	GroundAssault     Type = "ground_assault"
	ArmedClash        Type = "armed_clash"
	Sniping           Type = "sniping"
	IED               Type = "ied"
	SuicideAttack     Type = "suicide_attack"
	AttackOnCivilians Type = "attack_on_civilians"
	Siege             Type = "siege"
	AidObstruction    Type = "aid_obstruction"
	ArrestAbduction   Type = "arrest_abduction"
	Displacement      Type = "displacement"
	// ExchangeBreach and EvacuationBreach are failures of humanitarian
	// obligations, not of the truce of arms: ruled against the clauses
	// that carry them (agreement.Obligation).
	ExchangeBreach   Type = "exchange_breach"
	EvacuationBreach Type = "evacuation_breach"
	TerritorialGain  Type = "territorial_gain"
	PropertyDamage   Type = "property_destruction"
	Protest          Type = "protest"
	Riot             Type = "riot"
	Other            Type = "other"
	Unknown          Type = "unknown"
)

// vocabulary gives each act type its one-line definition, used by
// documentation, validation messages and the UI.
var vocabulary = map[Type]string{
	Airstrike:         "attack from aircraft or drones: bombing, missiles, barrel bombs",
	Shelling:          "artillery, mortar, rocket or missile fire from the ground",
	ChemicalAttack:    "use of chemical weapons or toxic agents, by any means of delivery",
	OtherExplosive:    "other explosive violence: grenades and explosions whose means are not established",
	GroundAssault:     "an offensive by ground forces to attack or take positions",
	ArmedClash:        "armed fighting between forces where the initiating side is not established",
	Sniping:           "targeted small-arms fire at individuals",
	IED:               "improvised explosive device, car bomb or landmine",
	SuicideAttack:     "attack by a person or vehicle carrying explosives, detonated on purpose",
	AttackOnCivilians: "violence deliberately directed at civilians (killing, massacre, execution)",
	Siege:             "encircling an area and cutting off supplies or movement",
	AidObstruction:    "blocking, delaying or seizing humanitarian aid or aid workers",
	ArrestAbduction:   "arrest, detention, abduction or kidnapping",
	Displacement:      "forced movement or expulsion of civilians",
	ExchangeBreach:    "failing to release, exchange or hand over detainees, abductees or bodies as agreed on a list",
	EvacuationBreach:  "obstructing an agreed evacuation or breaking its terms (route, guarantee, numbers)",
	TerritorialGain:   "seizing or attempting to seize territory held by another party",
	PropertyDamage:    "looting, arson or destruction of property",
	Protest:           "a demonstration, peaceful or dispersed",
	Riot:              "violent demonstration or mob violence",
	Other:             "a recorded event outside this vocabulary (an agreement, a troop movement, and the like)",
	Unknown:           "the act is not established by the sources",
}

// Valid reports whether t is in the vocabulary.
func Valid(t Type) bool {
	_, ok := vocabulary[t]
	return ok
}

// Parse returns the act type named s, or an error naming the vocabulary.
func Parse(s string) (Type, error) {
	t := Type(s)
	if !Valid(t) {
		return "", fmt.Errorf("unknown act type %q (known: %v)", s, All())
	}
	return t, nil
}

// Describe returns the definition of t.
func Describe(t Type) string { return vocabulary[t] }

// All returns the vocabulary in a stable order.
func All() []Type {
	out := make([]Type, 0, len(vocabulary))
	for t := range vocabulary {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
