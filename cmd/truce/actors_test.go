package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/importer"
)

// truce actors resolve says which rule resolved a name, why a name did
// not resolve, and which registry names are close.
func TestActorsResolveRules(t *testing.T) {
	tests := []struct{ name, want string }{
		{"regime forces", "regime forces\tgovernment-of-syria\tGovernment of Syria (state_forces)\tby exact"},
		{"HTS: Hayat Tahrir al Sham", "HTS: Hayat Tahrir al Sham\thayat-tahrir-al-sham\tHay'at Tahrir al-Sham (armed_group)\tby prefix-abbreviation"},
		{"Military Forces of Syria (2000-) 4th Armored Division", "\tgovernment-of-syria\tGovernment of Syria (state_forces)\tby parent-unit (unit \"4th Armored Division\")"},
		{"government-of-united-states", "\tby id"},
		{"FSA: Hayat Tahrir al Sham", "FSA: Hayat Tahrir al Sham\t-\tunresolved: the abbreviation \"FSA\" names free-syrian-army but the name \"Hayat Tahrir al Sham\" names hayat-tahrir-al-sham"},
		{"Hayat Tahrir al-Shaam", "Hayat Tahrir al-Shaam\t-\tunresolved\tdid you mean: hayat-tahrir-al-sham"},
		{"Some Brigade", "Some Brigade\t-\tunresolved\n"},
	}
	for _, tt := range tests {
		out := mustTruce(t, "actors", "resolve", tt.name)
		if !strings.Contains(out, tt.want) {
			t.Errorf("actors resolve %q:\n%s\nwant it to contain %q", tt.name, out, tt.want)
		}
	}
}

// The import summary lists unresolved names with up to 3 suggestions,
// and none where nothing is close or no registry is given.
func TestPrintSummarySuggestions(t *testing.T) {
	reg, err := app.LoadActors()
	if err != nil {
		t.Fatal(err)
	}
	sum := &importer.Summary{File: "f.csv", Rows: 9, Unresolved: map[string]int{
		"Hayat Tahrir al-Shaam": 5,
		"Saraya Qasioun":        3,
		"Nour al Din al Zinky":  1,
	}}
	tests := []struct {
		name string
		reg  bool
		want []string
		not  []string
	}{
		{"with registry", true, []string{
			"unresolved actor names (kept as given, not guessed; suggestions are not applied): 3\n",
			"       5  Hayat Tahrir al-Shaam  — did you mean: Hay'at Tahrir al-Sham [hayat-tahrir-al-sham]; ",
			"       3  Saraya Qasioun\n",
			"       1  Nour al Din al Zinky  — did you mean: Nour al-Din al-Zinki [nour-al-din-al-zenki]?\n",
		}, nil},
		{"without registry", false, []string{"       5  Hayat Tahrir al-Shaam\n"}, []string{"did you mean"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if tt.reg {
				printSummary(&b, sum, reg)
			} else {
				printSummary(&b, sum, nil)
			}
			out := b.String()
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("summary lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(out, w) {
					t.Errorf("summary has %q:\n%s", w, out)
				}
			}
			if n := strings.Count(out, "["); n > 4 {
				t.Errorf("%d suggestions; want at most 3 for one name and 1 for another:\n%s", n, out)
			}
		})
	}
}
