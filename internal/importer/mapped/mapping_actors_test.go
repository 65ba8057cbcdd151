package mapped_test

import (
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/importer/mapped"
)

// A mapping may send a file's actor name to a registry id or to any name
// the registry resolves; anything else is refused with close names.
func TestMappingActorTargets(t *testing.T) {
	cfg := config(t)
	tests := []struct {
		name, to string
		want     string // "" when accepted; else a part of the error
	}{
		{"id", "government-of-united-states", ""},
		{"id of an added actor", "jaysh-khalid-ibn-al-walid", ""},
		{"id that is also a name", "government-of-syria", ""},
		{"name", "Government of United States of America", ""},
		{"alias in Arabic", "قوات النظام", ""},
		{"ACLED prefix form", "HTS: Hayat Tahrir al Sham", ""},
		{"ACLED unit form", "Military Forces of Syria (2000-) 4th Armored Division", ""},
		{"unknown", "no-such-group", `actors.X: "no-such-group" is not an actor in the registry (neither an id nor a name)`},
		{"typo, with suggestions", "Hayat Tahrir al-Shaam", `did you mean: hayat-tahrir-al-sham`},
		{"id with a typo", "government-of-untied-states", `did you mean: government-of-united-states`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "source: s\ncolumns: {date: d, place: p}\nactors:\n  X: \"" + tt.to + "\"\n"
			_, err := loadMapping(t, cfg, src)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}

// A value mapped to a registry id reaches the report as that id.
func TestMappedIDResolves(t *testing.T) {
	cfg := config(t)
	m, err := loadMapping(t, cfg, `source: s
columns: {date: date, lat: lat, lon: lon, perpetrator: [by], target: [on]}
actors:
  US jets: government-of-united-states
  people: civilians
`)
	if err != nil {
		t.Fatal(err)
	}
	csv := "date,lat,lon,by,on\n2017-01-10,35.93,36.63,US jets,people\n"
	rd, err := mapped.NewReader(strings.NewReader(csv), "f.csv", m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	reps, errs := readAll(t, rd)
	if len(errs) > 0 || len(reps) != 1 {
		t.Fatalf("reports %d, errors %v", len(reps), errs)
	}
	var got []string
	for _, a := range reps[0].Actors {
		got = append(got, a.Name+"="+a.ID)
	}
	if want := "US jets=government-of-united-states people=civilians"; strings.Join(got, " ") != want {
		t.Errorf("actors %q, want %q", strings.Join(got, " "), want)
	}
}
