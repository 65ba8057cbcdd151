package acled

import (
	"github.com/truce-monitor/truce/internal/act"
)

// Coding is one ACLED event type and sub-event type, and the act type it
// means in truce. The table follows ACLED's codebook (2023 edition); the
// order is the codebook's.
type Coding struct {
	Disorder     string
	EventType    string
	SubEventType string
	Act          act.Type
	// Sided is true when ACLED's actor order does not say who attacked
	// (battles): actor1 and actor2 are then sides, not perpetrator and
	// target.
	Sided bool
}

const (
	political     = "Political violence"
	demonstration = "Demonstrations"
	strategic     = "Strategic developments"
	pvDemo        = "Political violence; Demonstrations"
)

// Codings returns the ACLED coding table. It is a function so that the
// table cannot be changed by a caller.
func Codings() []Coding {
	return []Coding{
		{political, "Battles", "Armed clash", act.ArmedClash, true},
		{political, "Battles", "Government regains territory", act.TerritorialGain, true},
		{political, "Battles", "Non-state actor overtakes territory", act.TerritorialGain, true},
		{political, "Explosions/Remote violence", "Chemical weapon", act.ChemicalAttack, false},
		{political, "Explosions/Remote violence", "Air/drone strike", act.Airstrike, false},
		{political, "Explosions/Remote violence", "Suicide bomb", act.SuicideAttack, false},
		{political, "Explosions/Remote violence", "Shelling/artillery/missile attack", act.Shelling, false},
		{political, "Explosions/Remote violence", "Remote explosive/landmine/IED", act.IED, false},
		{political, "Explosions/Remote violence", "Grenade", act.OtherExplosive, false},
		{political, "Violence against civilians", "Sexual violence", act.AttackOnCivilians, false},
		{political, "Violence against civilians", "Attack", act.AttackOnCivilians, false},
		{political, "Violence against civilians", "Abduction/forced disappearance", act.ArrestAbduction, false},
		{demonstration, "Protests", "Peaceful protest", act.Protest, false},
		{demonstration, "Protests", "Protest with intervention", act.Protest, false},
		{pvDemo, "Protests", "Excessive force against protesters", act.AttackOnCivilians, false},
		{demonstration, "Riots", "Violent demonstration", act.Riot, false},
		{political, "Riots", "Mob violence", act.Riot, false},
		{strategic, "Strategic developments", "Agreement", act.Other, false},
		{strategic, "Strategic developments", "Arrests", act.ArrestAbduction, false},
		{strategic, "Strategic developments", "Change to group/activity", act.Other, false},
		{strategic, "Strategic developments", "Disrupted weapons use", act.Other, false},
		{strategic, "Strategic developments", "Headquarters or base established", act.Other, false},
		{strategic, "Strategic developments", "Looting/property destruction", act.PropertyDamage, false},
		{strategic, "Strategic developments", "Non-violent transfer of territory", act.Other, false},
		{strategic, "Strategic developments", "Other", act.Other, false},
	}
}

// fallback is the act of an event type whose sub-event type is not in the
// table (ACLED adds sub-event types from time to time).
func fallback(eventType string) (Coding, bool) {
	switch eventType {
	case "Battles":
		return Coding{political, eventType, "", act.ArmedClash, true}, true
	case "Explosions/Remote violence":
		return Coding{political, eventType, "", act.OtherExplosive, false}, true
	case "Violence against civilians":
		return Coding{political, eventType, "", act.AttackOnCivilians, false}, true
	case "Protests":
		return Coding{demonstration, eventType, "", act.Protest, false}, true
	case "Riots":
		return Coding{demonstration, eventType, "", act.Riot, false}, true
	case "Strategic developments":
		return Coding{strategic, eventType, "", act.Other, false}, true
	}
	return Coding{}, false
}

// codingFor is the ACLED coding an act is written as when a report from
// another source is exported in ACLED's format.
func codingFor(t act.Type) Coding {
	switch t {
	case act.GroundAssault:
		return Coding{political, "Battles", "Armed clash", t, true}
	case act.Sniping:
		return Coding{political, "Violence against civilians", "Attack", t, false}
	case act.Siege, act.AidObstruction, act.Displacement, act.Unknown:
		return Coding{strategic, "Strategic developments", "Other", t, false}
	}
	for _, c := range Codings() {
		if c.Act == t {
			return c
		}
	}
	return Coding{strategic, "Strategic developments", "Other", t, false}
}
