package actor_test

import (
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/actor"
)

// ACLED's composite names resolve by their parts, and each resolution
// says how it was made. The names are ACLED's as found in its Syria data
// (see docs/actors.md for the sources).
func TestLookupRules(t *testing.T) {
	reg := shipped(t)
	tests := []struct {
		name    string
		id      string
		rule    actor.Rule
		matched string
		unit    string
	}{
		{"Military Forces of Syria (2000-)", "government-of-syria", actor.RuleExact, "Military Forces of Syria (2000-)", ""},
		{"government-of-united-states", "government-of-united-states", actor.RuleID, "government-of-united-states", ""},
		{" Government-Of-Syria ", "government-of-syria", actor.RuleExact, " Government-Of-Syria ", ""}, // a name too: "government of syria"
		// "ABBR: Name": the name resolves.
		{"HTS: Hayat Tahrir al Sham", "hayat-tahrir-al-sham", actor.RulePrefixAbbreviation, "Hayat Tahrir al Sham", ""},
		{"AAS: Ahrar al Sham", "ahrar-al-sham", actor.RulePrefixAbbreviation, "Ahrar al Sham", ""},
		{"FaR: Al Rahman Corps", "rahman-corps", actor.RulePrefixAbbreviation, "Al Rahman Corps", ""},
		{"QDW: National Defense Forces", "national-defence-forces", actor.RulePrefixAbbreviation, "National Defense Forces", ""},
		{"JaS: Levant Front", "levant-front", actor.RulePrefixAbbreviation, "Levant Front", ""},
		{"YPG: Peoples Protection Units", "ypg", actor.RulePrefixAbbreviation, "Peoples Protection Units", ""},
		{"TIP: Turkistan Islamic Party", "turkistan-islamic-party", actor.RulePrefixAbbreviation, "Turkistan Islamic Party", ""},
		{"QSD: Syrian Democratic Forces", "syrian-democratic-forces", actor.RulePrefixAbbreviation, "Syrian Democratic Forces", ""},
		{"NLF: National Liberation Front", "national-front-for-liberation", actor.RulePrefixAbbreviation, "National Liberation Front", ""},
		// Only the abbreviation resolves.
		{"QSD: Syrian Democratic Forces - Intelligence", "syrian-democratic-forces", actor.RulePrefixAbbreviation, "QSD", ""},
		{"PYD: Kurdish Democratic Union Party", "pyd", actor.RulePrefixAbbreviation, "PYD", ""},
		// "Parent (years-) Unit".
		{"Military Forces of Syria (2000-) 4th Armored Division", "government-of-syria", actor.RuleParentUnit, "Military Forces of Syria (2000-)", "4th Armored Division"},
		{"Military Forces of Syria (2000-) Tiger Paramilitary Forces (Qawat al Nimr)", "government-of-syria", actor.RuleParentUnit, "Military Forces of Syria (2000-)", "Tiger Paramilitary Forces (Qawat al Nimr)"},
		{"Military Forces of Syria (2000-) Air Force Intelligence Directorate", "government-of-syria", actor.RuleParentUnit, "Military Forces of Syria (2000-)", "Air Force Intelligence Directorate"},
		{"Police Forces of Syria (2000-) Prison Guards", "government-of-syria", actor.RuleParentUnit, "Police Forces of Syria (2000-)", "Prison Guards"},
		{"Military Forces of Syria (2000-2024) 5th Assault Corps", "government-of-syria", actor.RuleParentUnit, "Military Forces of Syria (2000-2024)", "5th Assault Corps"},
		{"Military Forces of Turkey (2016-) Gendarmerie", "government-of-turkey", actor.RuleParentUnit, "Military Forces of Turkey (2016-)", "Gendarmerie"},
		{"Military Forces of Iran (1989-) Islamic Revolutionary Guard Corps", "government-of-iran", actor.RuleParentUnit, "Military Forces of Iran (1989-)", "Islamic Revolutionary Guard Corps"},
		{"Military Forces of Russia (2000-)  Air Force", "government-of-russia", actor.RuleParentUnit, "Military Forces of Russia (2000-)", "Air Force"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := reg.Lookup(tt.name)
			if got.ID != tt.id || got.Rule != tt.rule || got.Matched != tt.matched || got.Unit != tt.unit {
				t.Errorf("Lookup(%q) = %+v; want id %s, rule %s, matched %q, unit %q", tt.name, got, tt.id, tt.rule, tt.matched, tt.unit)
			}
			if id, ok := reg.Resolve(tt.name); !ok || id != tt.id {
				t.Errorf("Resolve(%q) = %q, %v; want %q (the old API follows Lookup)", tt.name, id, ok, tt.id)
			}
			if s := got.String(); !strings.Contains(s, tt.id) && tt.rule != actor.RuleID {
				t.Errorf("String() = %q; does not cite %s", s, tt.id)
			}
		})
	}
}

// What the rules must not resolve: they add no guess to exact matching.
func TestLookupRefuses(t *testing.T) {
	reg := shipped(t)
	tests := []struct {
		name, why string
	}{
		// Both parts resolve, to different actors: a person must decide.
		{"FSA: Hayat Tahrir al Sham", `the abbreviation "FSA" names free-syrian-army but the name "Hayat Tahrir al Sham" names hayat-tahrir-al-sham`},
		{"HTS: Ahrar al-Sham", `the abbreviation "HTS" names hayat-tahrir-al-sham but the name "Ahrar al-Sham" names ahrar-al-sham`},
		// Neither part resolves.
		{"JaI: Jaysh al Izzat", ""},
		// An ordinary word before a colon is not an abbreviation.
		{"note: Hezbollah", ""},
		{"Some very long prefix: Hezbollah", ""},
		// No year marker: a unit is not resolved by its parent's bare name.
		{"Military Forces of Syria 4th Armored Division", ""},
		// The parent's period is not one the registry names: ACLED's
		// "(2024-)" is the government that followed Assad's.
		{"Military Forces of Syria (2024-)", ""},
		{"Military Forces of Syria (2024-) General Security", ""},
		// A year marker after a name that is not state forces.
		{"Syrian insurgents (2000-) Idlib cell", ""},
		{"Hezbollah (1982-) Radwan Force", ""},
		// A marker with nothing after it is no unit.
		{"Military Forces of Lebanon (2000-)", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := reg.Lookup(tt.name)
			if got.OK() {
				t.Fatalf("Lookup(%q) = %+v; want unresolved", tt.name, got)
			}
			if got.Why != tt.why {
				t.Errorf("Lookup(%q).Why = %q; want %q", tt.name, got.Why, tt.why)
			}
			if tt.why != "" && !strings.Contains(got.String(), tt.why) {
				t.Errorf("String() = %q; lacks the reason", got.String())
			}
		})
	}
}

// The parent-unit rule needs the parent to be state forces; the test
// registry shows it on an armed group whose name has a year marker.
func TestParentUnitNeedsStateForces(t *testing.T) {
	src := `actors:
  - id: army
    name: Military Forces of X (2000-)
    kind: state_forces
  - id: group
    name: Group of Y (2000-)
    kind: armed_group
`
	reg, err := actor.Load(strings.NewReader(src), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, want string }{
		{"Military Forces of X (2000-) Unit 1", "army"},
		{"Group of Y (2000-) Unit 1", ""},
	}
	for _, tt := range tests {
		if got := reg.Lookup(tt.name); got.ID != tt.want {
			t.Errorf("Lookup(%q) = %+v; want %q", tt.name, got, tt.want)
		}
	}
}

// Every generic label of ACLED, UCDP and Airwars that docs/actors.md gives
// a policy for resolves to the actor of that policy, of the kind it says.
func TestGenericLabels(t *testing.T) {
	reg := shipped(t)
	tests := []struct {
		name string
		id   string
		kind actor.Kind
	}{
		{"Militia (Pro-Government)", "pro-government-militia", actor.ArmedGroup},
		{"Militia (Pro-Iran)", "pro-iran-militia", actor.ArmedGroup},
		{"Islamist Militia (Syria)", "unidentified-islamist-group", actor.Unknown},
		{"Islamist Rebels (Syria)", "unidentified-islamist-group", actor.Unknown},
		{"Unidentified Armed Group (Syria)", "unidentified-armed-group", actor.Unknown},
		{"Unidentified Military Forces", "unidentified-military-forces", actor.Unknown},
		{"Allied Syrian and/or Russian Forces", "syrian-or-russian-forces", actor.Coalition},
		{"Global Coalition Against Daesh", "global-coalition-against-daesh", actor.Coalition},
		{"Rioters (Syria)", "rioters", actor.Civilians},
		{"Protesters (Syria)", "protesters", actor.Civilians},
		{"Civilians (Syria)", "civilians", actor.Civilians},
		{"Civilians", "civilians", actor.Civilians},
		{"Opposition Rebels (Syria)", "syrian-insurgents", actor.Coalition},
		{"Syrian insurgents", "syrian-insurgents", actor.Coalition},
		{"Former Opposition Rebels (Syria)", "former-opposition-rebels", actor.Unknown},
		{"Unidentified Clan Militia (Syria)", "communal-militia", actor.Unknown},
		{"Unidentified Communal Militia (Syria)", "communal-militia", actor.Unknown},
		{"Kurdish Ethnic Militia (Syria)", "kurdish-ethnic-militia", actor.ArmedGroup},
	}
	for _, tt := range tests {
		res := reg.Lookup(tt.name)
		a, _ := reg.Get(res.ID)
		if res.ID != tt.id || a.Kind != tt.kind {
			t.Errorf("Lookup(%q) = %s (%s); want %s (%s)", tt.name, res.ID, a.Kind, tt.id, tt.kind)
		}
		if a.Note == "" {
			t.Errorf("%s has no note saying what the label means and where it comes from", tt.id)
		}
	}
}

// Names added for issue 13: actors the registry lacked, spelling variants,
// and Airwars' names.
func TestAddedNames(t *testing.T) {
	reg := shipped(t)
	tests := []struct{ name, want string }{
		{"Khalid ibn al-Walid Army", "jaysh-khalid-ibn-al-walid"},
		{"Jaysh Khalid ibn al-Walid", "jaysh-khalid-ibn-al-walid"},
		{"جيش خالد بن الوليد", "jaysh-khalid-ibn-al-walid"},
		{"Jund al-Aqsa", "jund-al-aqsa"},
		{"جند الأقصى", "jund-al-aqsa"},
		{"Nour al Din al Zinki Movement", "nour-al-din-al-zenki"},
		{"Nour al-Din al-Zenki Movement", "nour-al-din-al-zenki"},
		{"Zenki", "nour-al-din-al-zenki"},
		{"Zinki", "nour-al-din-al-zenki"},
		{"Al Rahman Corps", "rahman-corps"},
		{"Faylaq al-Rahman", "rahman-corps"},
		{"National Liberation Front", "national-front-for-liberation"},
		{"National Front for Liberation", "national-front-for-liberation"},
		{"Al Sham Corps", "sham-legion"},
		{"Jaysh al Izza", "jaysh-al-izza"},
		{"Sultan Suleiman Shah Brigade (Syria)", "sultan-suleiman-shah-brigade"},
		{"Ansar al Tawhid", "ansar-al-tawhid"},
		{"Wa Harredh al Moa'mineen", "wa-harid-al-muminin"},
		{"Liwa Fatemiyoun", "liwa-fatemiyoun"},
		{"Military Forces of Israel (2009-)", "government-of-israel"},
		{"Military Forces of Syria (2000-2024)", "government-of-syria"},
		// Airwars.
		{"Russian Military", "government-of-russia"},
		{"Syrian Regime", "government-of-syria"},
		{"U.S.-led Coalition", "global-coalition-against-daesh"},
		{"US-led coalition", "global-coalition-against-daesh"},
		{"Coalition", "global-coalition-against-daesh"},
		{"Turkish Military", "government-of-turkey"},
		{"Israeli Military", "government-of-israel"},
		// UCDP's names stay as they were.
		{"Government of United States of America", "government-of-united-states"},
		{"Government of Russia (Soviet Union)", "government-of-russia"},
	}
	for _, tt := range tests {
		if got, ok := reg.Resolve(tt.name); !ok || got != tt.want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", tt.name, got, ok, tt.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	reg := shipped(t)
	tests := []struct {
		name string
		want []string // ids, best first; the first len(want) suggestions
		none bool
	}{
		{name: "Nour al-Din al-Zenkki Movment", want: []string{"nour-al-din-al-zenki"}},
		{name: "Hayat Tahrir al-Shaam", want: []string{"hayat-tahrir-al-sham"}},
		{name: "Russian Militry", want: []string{"government-of-russia"}},
		{name: "Ahrar al-Shaam", want: []string{"ahrar-al-sham"}},
		{name: "Jabhat Fatah al Shaam", want: []string{"jabhat-fateh-al-sham"}},
		{name: "XYZ: Suqour al Shaam", want: []string{"suqour-al-sham-brigades"}},
		// A new period of a state's forces is close to the old one, and is
		// shown to a person as such, never applied.
		{name: "Military Forces of Syria (2024-)", want: []string{"government-of-syria"}},
		// Sharing only generic words ("Military Forces of", "Jaysh al") is
		// not closeness.
		{name: "Military Forces of Lebanon (2000-)", none: true},
		{name: "Saraya Qasioun", none: true},
		{name: "", none: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := reg.Suggest(tt.name, 3)
			if tt.none {
				if len(got) != 0 {
					t.Errorf("Suggest(%q) = %+v; want none", tt.name, got)
				}
				return
			}
			if len(got) < len(tt.want) {
				t.Fatalf("Suggest(%q) = %+v; want %v first", tt.name, got, tt.want)
			}
			for i, id := range tt.want {
				if got[i].ID != id {
					t.Errorf("Suggest(%q)[%d] = %+v; want %s", tt.name, i, got[i], id)
				}
			}
			seen := map[string]bool{}
			for i, s := range got {
				if seen[s.ID] {
					t.Errorf("Suggest(%q) names %s twice", tt.name, s.ID)
				}
				seen[s.ID] = true
				if s.Score < actor.MinSuggestScore || s.Score > 1 || (i > 0 && s.Score > got[i-1].Score) {
					t.Errorf("Suggest(%q): scores out of order or range: %+v", tt.name, got)
				}
			}
			if len(got) > 3 {
				t.Errorf("Suggest(%q, 3) returned %d", tt.name, len(got))
			}
			// Suggesting changes nothing: the name stays unresolved.
			if _, ok := reg.Resolve(tt.name); ok {
				t.Errorf("%q resolves; the test wants an unresolved name", tt.name)
			}
		})
	}
	if got := reg.Suggest("Hayat Tahrir al-Shaam", 0); got != nil {
		t.Errorf("Suggest(n=0) = %v", got)
	}
}

// An id that is another actor's name would never resolve to its own
// actor (Lookup tries names first); Load refuses it.
func TestLoadRefusesIDNamingAnother(t *testing.T) {
	src := "actors:\n  - id: beta-group\n    name: Alpha\n    kind: armed_group\n  - id: b\n    name: Beta Group\n    kind: armed_group\n"
	_, err := actor.Load(strings.NewReader(src), "t.yaml")
	if err == nil || !strings.Contains(err.Error(), `t.yaml:2: id: id "beta-group" is a name of b (line 5)`) {
		t.Errorf("err = %v", err)
	}
}
