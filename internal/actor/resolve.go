package actor

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Rule says how a name was resolved, so that an explanation can cite it.
type Rule string

const (
	// RuleExact: the whole name is a registry name or alias, after
	// Normalize.
	RuleExact Rule = "exact"
	// RuleID: the name is a registry id, as mapping files and truce's own
	// exports write it.
	RuleID Rule = "id"
	// RulePrefixAbbreviation: ACLED's "ABBR: Name" form ("HTS: Hayat Tahrir
	// al Sham"), where the abbreviation or the name is a registry name and
	// the two do not name different actors.
	RulePrefixAbbreviation Rule = "prefix-abbreviation"
	// RuleParentUnit: ACLED's "Parent (2000-) Unit" form ("Military Forces
	// of Syria (2000-) 4th Armored Division"), resolved to the parent. Only
	// state forces written with a year marker qualify: ACLED writes units
	// under a state's forces that way, and the marker ties the name to a
	// period of government, so nothing is guessed.
	RuleParentUnit Rule = "parent-unit"
)

// Resolution is what a name resolved to and how. ID is empty when the
// name did not resolve; Why then says why when the name's parts named
// different actors.
type Resolution struct {
	Name string `json:"name"`
	ID   string `json:"id,omitempty"`
	Rule Rule   `json:"rule,omitempty"`
	// Matched is the part of the name that is in the registry: the whole
	// name, the abbreviation or the name of an "ABBR: Name", or the parent
	// of a unit.
	Matched string `json:"matched,omitempty"`
	// Unit is the unit of a parent-unit name, as written.
	Unit string `json:"unit,omitempty"`
	Why  string `json:"why,omitempty"`
}

// OK reports whether the name resolved.
func (r Resolution) OK() bool { return r.ID != "" }

// String explains the resolution in one sentence, for a ruling's facts or
// an import summary.
func (r Resolution) String() string {
	switch r.Rule {
	case RuleExact:
		return fmt.Sprintf("%q is a registry name of %s", r.Name, r.ID)
	case RuleID:
		return fmt.Sprintf("%q is a registry id", r.Name)
	case RulePrefixAbbreviation:
		return fmt.Sprintf("%q is ACLED's \"abbreviation: name\" form; %q names %s", r.Name, r.Matched, r.ID)
	case RuleParentUnit:
		return fmt.Sprintf("%q is a unit (%q) under %q, which names %s", r.Name, r.Unit, r.Matched, r.ID)
	}
	if r.Why != "" {
		return fmt.Sprintf("%q is unresolved: %s", r.Name, r.Why)
	}
	return fmt.Sprintf("%q is not in the registry", r.Name)
}

// Lookup resolves a name and says by which rule. The rules, in order:
// the whole name (RuleExact), a registry id (RuleID), ACLED's "ABBR: Name"
// (RulePrefixAbbreviation) and ACLED's "Parent (years) Unit"
// (RuleParentUnit). Lookup never matches approximately: what none of
// them resolves is left for a person (see Suggest).
func (r *Registry) Lookup(name string) Resolution {
	res := Resolution{Name: name}
	if i, ok := r.byName[Normalize(name)]; ok {
		res.ID, res.Rule, res.Matched = r.actors[i].ID, RuleExact, name
		return res
	}
	if id := strings.ToLower(strings.TrimSpace(name)); id != "" {
		if _, ok := r.byID[id]; ok {
			res.ID, res.Rule, res.Matched = id, RuleID, id
			return res
		}
	}
	if abbr, full, ok := splitAbbreviation(name); ok {
		ia, okA := r.byName[Normalize(abbr)]
		in, okN := r.byName[Normalize(full)]
		switch {
		case okA && okN && ia != in:
			// Two names that contradict each other are a question for a
			// person, not a choice for the registry.
			res.Why = fmt.Sprintf("the abbreviation %q names %s but the name %q names %s", abbr, r.actors[ia].ID, full, r.actors[in].ID)
			return res
		case okN:
			res.ID, res.Rule, res.Matched = r.actors[in].ID, RulePrefixAbbreviation, full
			return res
		case okA:
			res.ID, res.Rule, res.Matched = r.actors[ia].ID, RulePrefixAbbreviation, abbr
			return res
		}
	}
	for _, loc := range yearMarker.FindAllStringIndex(name, -1) {
		parent, unit := strings.TrimSpace(name[:loc[1]]), strings.TrimSpace(name[loc[1]:])
		if unit == "" {
			continue
		}
		if i, ok := r.byName[Normalize(parent)]; ok && r.actors[i].Kind == StateForces {
			res.ID, res.Rule, res.Matched, res.Unit = r.actors[i].ID, RuleParentUnit, parent, unit
			return res
		}
	}
	return res
}

// yearMarker is ACLED's period of government after a state's forces:
// "(2000-)", "(2017-2021)".
var yearMarker = regexp.MustCompile(`\(\d{4} ?[-–] ?(\d{4})?\)`)

// maxAbbreviation is the longest abbreviation read before a colon; ACLED's
// are 2 to 5 letters ("IS", "HTS", "FaR", "QSD", "NDZM"), and a longer word
// before a colon is more likely part of a name.
const maxAbbreviation = 8

// splitAbbreviation splits ACLED's "ABBR: Name". The abbreviation is one
// word of letters and digits, at least one of them a capital letter or a
// letter of a script without case, so that an ordinary word followed by
// a colon is not taken for one.
func splitAbbreviation(name string) (abbr, full string, ok bool) {
	a, f, found := strings.Cut(name, ":")
	if !found {
		return "", "", false
	}
	a, f = strings.TrimSpace(a), strings.TrimSpace(f)
	if a == "" || f == "" || utf8.RuneCountInString(a) > maxAbbreviation {
		return "", "", false
	}
	marked := false
	for _, c := range a {
		switch {
		case unicode.IsLetter(c) && !unicode.IsLower(c):
			marked = true
		case unicode.IsLetter(c) || unicode.IsDigit(c) || c == '-':
		default:
			return "", "", false
		}
	}
	return a, f, marked
}
