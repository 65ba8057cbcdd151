package mapped_test

import (
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/importer/mapped"
	"github.com/truce-monitor/truce/internal/incident"
)

// TestDateAndPlacePrecision: a mapped file may say a date stands for a
// month or a year, and that its place column names governorates or
// districts (issue 13 item 9: a year became 1 January at day precision,
// and a governorate's name became its capital's exact point).
func TestDateAndPlacePrecision(t *testing.T) {
	cfg := config(t)
	for _, tt := range []struct {
		name, options, date, place string
		wantStart, wantEnd         string // dates in Damascus time, end exclusive
		wantPrecision              string
		wantArea                   string
		wantPlace                  incident.PlacePrecision
	}{
		{"a year", "", "2017", "Douma", "2017-01-01", "2018-01-01", "year", "", incident.PlaceExact},
		{"a month", "", "2017-03", "Douma", "2017-03-01", "2017-04-01", "month", "", incident.PlaceExact},
		{"a day", "", "2017-03-05", "Douma", "2017-03-05", "2017-03-06", "day", "", incident.PlaceExact},
		{"dates that stand for years", "date_precision: year\n", "2017-01-01", "Douma", "2017-01-01", "2018-01-01", "year", "", incident.PlaceExact},
		{"a governorate", "place_level: admin1\n", "2017-03-05", "Idlib", "2017-03-05", "2017-03-06", "day", "SY07", incident.PlaceAdmin1},
		{"a governorate by its other name", "place_level: admin1\n", "2017-03-05", "Deir-ez-Zor", "2017-03-05", "2017-03-06", "day", "SY09", incident.PlaceAdmin1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, err := loadMapping(t, cfg, "source: t\n"+tt.options+"columns:\n  id: id\n  date: date\n  place: place\n")
			if err != nil {
				t.Fatal(err)
			}
			rd, err := mapped.NewReader(strings.NewReader("id,date,place\n1,"+tt.date+","+tt.place+"\n"), "t.csv", m, cfg)
			if err != nil {
				t.Fatal(err)
			}
			reps, errs := readAll(t, rd)
			if len(errs) > 0 || len(reps) != 1 {
				t.Fatalf("rows: %v %v", reps, errs)
			}
			r := reps[0]
			if got := r.Occurred.Start.In(damascus).Format("2006-01-02"); got != tt.wantStart {
				t.Errorf("start %s, want %s", got, tt.wantStart)
			}
			if got := r.Occurred.End.In(damascus).Format("2006-01-02"); got != tt.wantEnd {
				t.Errorf("end %s, want %s", got, tt.wantEnd)
			}
			if r.Occurred.Precision != tt.wantPrecision {
				t.Errorf("precision %q, want %q", r.Occurred.Precision, tt.wantPrecision)
			}
			if r.Place.Precision != tt.wantPlace || r.Place.Area != tt.wantArea || (tt.wantArea != "" && r.Place.HasPoint) {
				t.Errorf("place %+v, want %s %q without a point", r.Place, tt.wantPlace, tt.wantArea)
			}
		})
	}
	if _, err := loadMapping(t, cfg, "source: t\ndate_precision: week\nplace_level: town-ish\ncolumns:\n  date: date\n"); err == nil ||
		!strings.Contains(err.Error(), "date_precision") || !strings.Contains(err.Error(), "place_level") {
		t.Errorf("bad options: %v", err)
	}
}

// TestRangeWithoutBest: a file giving only low and high death figures
// leaves the best figure unknown, not 0 (issue 13 item 9).
func TestRangeWithoutBest(t *testing.T) {
	cfg := config(t)
	m, err := loadMapping(t, cfg, "source: t\ncolumns:\n  id: id\n  date: date\n  place: place\n  deaths: best\n  deaths_low: low\n  deaths_high: high\n")
	if err != nil {
		t.Fatal(err)
	}
	rd, err := mapped.NewReader(strings.NewReader("id,date,place,best,low,high\n1,2017-03-05,Douma,,3,9\n2,2017-03-05,Douma,4,,\n"), "t.csv", m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	reps, errs := readAll(t, rd)
	if len(errs) > 0 || len(reps) != 2 {
		t.Fatalf("rows: %v %v", reps, errs)
	}
	if c := reps[0].Casualties; !c.NoBest || c.Best != 0 || c.Low != 3 || c.High != 9 {
		t.Errorf("a range without a best figure: %+v", c)
	}
	if c := reps[1].Casualties; c.NoBest || c.Best != 4 || c.Low != 4 || c.High != 4 {
		t.Errorf("a best figure alone: %+v", c)
	}
}
