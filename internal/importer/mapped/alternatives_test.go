package mapped_test

import (
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/importer/mapped"
)

// A column listed under alternatives names suspected alternatives (an
// Airwars belligerent cell), not joint actors; other columns stay joint,
// and the source's grade is kept.
func TestAlternativesAndGrade(t *testing.T) {
	cfg := config(t)
	m, err := loadMapping(t, cfg, `source: airwars
columns: {id: Code, date: Date, lat: lat, lon: lon, perpetrator: [Belligerents, Ground], target: [Victims], grade: Grading}
alternatives: [Belligerents]
`)
	if err != nil {
		t.Fatal(err)
	}
	csv := "Code,Date,lat,lon,Belligerents,Ground,Victims,Grading\n" +
		"R1,2017-02-10,35.93,36.63,\"Russian Military, U.S.-led Coalition\",,Civilians,Fair\n" +
		"R2,2017-02-10,35.93,36.63,Russian Military,,Civilians,Confirmed\n" +
		"R3,2017-02-10,35.93,36.63,\"Russian Military, Israeli Military\",\"Syrian army, Hezbollah\",Civilians,Weak\n"
	rd, err := mapped.NewReader(strings.NewReader(csv), "airwars.csv", m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	reps, errs := readAll(t, rd)
	if len(errs) > 0 || len(reps) != 3 {
		t.Fatalf("got %d reports, errors %v", len(reps), errs)
	}
	tests := []struct {
		grade string
		alts  string // name:alternative, in order
	}{
		{"Fair", "Russian Military:1 U.S.-led Coalition:1 Civilians:0"},
		{"Confirmed", "Russian Military:0 Civilians:0"},
		{"Weak", "Russian Military:1 Israeli Military:1 Syrian army:0 Hezbollah:0 Civilians:0"},
	}
	for i, tt := range tests {
		var got []string
		for _, a := range reps[i].Actors {
			got = append(got, a.Name+":"+string(rune('0'+a.Alternative)))
		}
		if g := strings.Join(got, " "); g != tt.alts || reps[i].SourceGrade != tt.grade {
			t.Errorf("row %d: actors %s grade %q, want %s grade %q", i+1, g, reps[i].SourceGrade, tt.alts, tt.grade)
		}
	}
	if _, err := loadMapping(t, cfg, "source: s\ncolumns: {date: d, place: p, target: [V]}\nalternatives: [Belligerents]\n"); err == nil ||
		!strings.Contains(err.Error(), `map.yaml:3: alternatives: "Belligerents" is not a perpetrator, target, side_a or side_b column`) {
		t.Errorf("alternatives naming no actor column: err = %v", err)
	}
}
