package actor_test

import (
	"encoding/csv"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/actor"
)

func shipped(t *testing.T) *actor.Registry {
	t.Helper()
	f, err := os.Open("../bundled/data/actors.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	reg, err := actor.Load(f, "actors.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func TestResolve(t *testing.T) {
	reg := shipped(t)
	tests := []struct{ name, want string }{
		// UCDP's names.
		{"Government of Syria", "government-of-syria"},
		{"Syrian insurgents", "syrian-insurgents"},
		{"IS", "islamic-state"},
		{"Jabhat Fateh al-Sham", "jabhat-fateh-al-sham"},
		{"SDF", "syrian-democratic-forces"},
		{"Government of Turkey", "government-of-turkey"},
		{"Government of Russia (Soviet Union)", "government-of-russia"},
		{"Civilians", "civilians"},
		{"HTS", "hayat-tahrir-al-sham"},
		{"Tahrir al- Sham Army", "tahrir-al-sham-army"},
		{"Rahman Corps - “Abu al-Joud al-Arbini” faction", "rahman-corps-abu-al-joud-faction"},
		{"Jaysh al-Asha’er", "jaysh-al-ashaer"},
		{"Mare' Operations Room", "mare-operations-room"},
		// ACLED's and the news' names.
		{"Military Forces of Syria (2000-)", "government-of-syria"},
		{"regime forces", "government-of-syria"},
		{"SAA", "government-of-syria"},
		{"Syrian Arab Army", "government-of-syria"},
		{"Assad regime", "government-of-syria"},
		{"ISIS", "islamic-state"},
		{"ISIL", "islamic-state"},
		{"Daesh", "islamic-state"},
		{"Islamic State", "islamic-state"},
		{"al-Nusra Front", "jabhat-fateh-al-sham"},
		{"Jabhat al-Nusra", "jabhat-fateh-al-sham"},
		{"Hay'at Tahrir al-Sham", "hayat-tahrir-al-sham"},
		{"FSA", "free-syrian-army"},
		{"Free Syrian Army", "free-syrian-army"},
		{"YPG", "ypg"},
		{"PYD", "pyd"},
		{"Hezbollah", "hezbollah"},
		{"NDF", "national-defence-forces"},
		{"Faylaq al-Rahman", "rahman-corps"},
		{"Russian Air Force", "government-of-russia"},
		{"Turkish Armed Forces", "government-of-turkey"},
		{"IRGC", "government-of-iran"},
		{"Unidentified Armed Group (Syria)", "unidentified-armed-group"},
		{"unknown", "unidentified-armed-group"},
		// Arabic, Persian, Russian, Turkish.
		{"قوات النظام", "government-of-syria"},
		{"داعش", "islamic-state"},
		{"جبهة النصرة", "jabhat-fateh-al-sham"},
		{"هيئة تحرير الشام", "hayat-tahrir-al-sham"},
		{"الجيش السوري الحر", "free-syrian-army"},
		{"حزب الله", "hezbollah"},
		{"جيش الإسلام", "jaysh-al-islam"},
		{"جيش الاسلام", "jaysh-al-islam"}, // alef without hamza
		{"أحرار الشام", "ahrar-al-sham"},
		{"احرار الشام", "ahrar-al-sham"},
		{"جـيـش الإسلام", "jaysh-al-islam"}, // tatweel
		{"قوات سوريا الديمقراطية", "syrian-democratic-forces"},
		{"Сирийская арабская армия", "government-of-syria"},
		{"Suriye Demokratik Güçleri", "syrian-democratic-forces"},
		{"ارتش آزاد سوریه", "free-syrian-army"},
		// Case, diacritics, punctuation and spacing.
		{"government of syria", "government-of-syria"},
		{"  GOVERNMENT   OF SYRIA ", "government-of-syria"},
		{"Hayʾat Taḥrīr al-Shām", "hayat-tahrir-al-sham"},
		{"Hay’at Tahrir al Sham", "hayat-tahrir-al-sham"},
		{"Jabhat Fateh al Sham", "jabhat-fateh-al-sham"},
		{"the Islamic State", "islamic-state"},
		{"Ahrar-al-Sham", "ahrar-al-sham"},
	}
	for _, tt := range tests {
		got, ok := reg.Resolve(tt.name)
		if !ok || got != tt.want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", tt.name, got, ok, tt.want)
		}
	}
}

// A name that is not in the registry stays unresolved: no fuzzy guess.
func TestUnresolved(t *testing.T) {
	reg := shipped(t)
	for _, name := range []string{"Some Brigade", "Syrian", "Government", "Nusra Fronts", "Islamic", "al-Sham", "", "Tahrir"} {
		if id, ok := reg.Resolve(name); ok {
			t.Errorf("Resolve(%q) = %q; want unresolved", name, id)
		}
	}
}

// Every group UCDP names for Syria resolves.
func TestUCDPNamesResolve(t *testing.T) {
	const file = "../../../shared/data/ucdp-ged-syria/ucdp_ged_syria_2016_2019.csv"
	f, err := os.Open(file)
	if err != nil {
		t.Skip("shared data not present:", err)
	}
	defer f.Close()
	reg := shipped(t)
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	cols := map[string]int{}
	for i, h := range header {
		cols[h] = i
	}
	missing := map[string]bool{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, col := range []string{"side_a", "side_b"} {
			for _, name := range actor.SplitList(rec[cols[col]]) {
				if _, ok := reg.Resolve(name); !ok {
					missing[name] = true
				}
			}
		}
	}
	for name := range missing {
		t.Errorf("UCDP name %q does not resolve", name)
	}
}

func TestDisplayName(t *testing.T) {
	reg := shipped(t)
	tests := []struct{ id, lang, want string }{
		{"hayat-tahrir-al-sham", "ar", "هيئة تحرير الشام"},
		{"hayat-tahrir-al-sham", "en", "Hay'at Tahrir al-Sham"},
		{"government-of-syria", "ru", "Правительство Сирии"},
		{"nsa", "fa", "NSA"}, // no Persian name: English
	}
	for _, tt := range tests {
		if got := reg.DisplayName(tt.id, tt.lang); got != tt.want {
			t.Errorf("DisplayName(%s, %s) = %q, want %q", tt.id, tt.lang, got, tt.want)
		}
	}
}

func TestSplitList(t *testing.T) {
	got := actor.SplitList(" Ahrar al-Sham, Jabhat Fateh al-Sham;Southern Front ,, ")
	want := []string{"Ahrar al-Sham", "Jabhat Fateh al-Sham", "Southern Front"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("SplitList = %q", got)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"duplicate id", "actors:\n  - id: a\n    name: A\n    kind: armed_group\n  - id: a\n    name: B\n    kind: armed_group\n",
			[]string{`dup.yaml:5: actors[1].id: duplicate id "a" (first at line 2)`}},
		{"bad kind", "actors:\n  - id: a\n    name: A\n    kind: militia\n",
			[]string{`dup.yaml:2: actors[0].kind: unknown kind "militia"`}},
		{"unknown field", "actors:\n  - id: a\n    name: A\n    kind: armed_group\n    colour: red\n",
			[]string{`dup.yaml:2: actors[0]: unknown field "colour" (line 5)`}},
		{"missing name", "actors:\n  - id: a\n    kind: armed_group\n",
			[]string{`dup.yaml:2: actors[0].name: is required`}},
		{"colliding alias", "actors:\n  - id: fsa\n    name: Free Syrian Army\n    kind: armed_group\n  - id: other\n    name: Other\n    kind: armed_group\n    aliases: [free-syrian ARMY]\n",
			[]string{`dup.yaml:5: actors[1].aliases: name "free-syrian ARMY" of other also names fsa (line 2)`}},
		{"every problem at once", "actors:\n  - id: a\n    kind: bad\n  - id: a\n    name: A\n    kind: armed_group\n",
			[]string{`dup.yaml:2: actors[0].name: is required`, `dup.yaml:2: actors[0].kind: unknown kind "bad"`, `dup.yaml:4: actors[1].id: duplicate id "a"`}},
		{"empty", "", []string{"dup.yaml:1: actors: file is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := actor.Load(strings.NewReader(tt.src), "dup.yaml")
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}
