package alert_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/alert"
	"github.com/truce-monitor/truce/internal/alert/ged"
	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/incident"
)

// The shared data, where the checkout sits beside it (/work/main and
// /work/shared).
const sharedGED = "../../../shared/data/ucdp-ged-syria/ucdp_ged_syria_2016_2019.csv"

var ref struct {
	once sync.Once
	ged.Reference
	err error
}

func reference(t testing.TB) ged.Reference {
	t.Helper()
	ref.once.Do(func() {
		b, g, err := app.LoadGeography()
		if err != nil {
			ref.err = err
			return
		}
		reg, err := app.LoadActors()
		ref.Reference, ref.err = ged.Reference{Actors: reg, Boundaries: b, Places: g}, err
	})
	if ref.err != nil {
		t.Fatal(ref.err)
	}
	return ref.Reference
}

// The shipped list loads, and every row says where its dates come from.
func TestShippedOffensives(t *testing.T) {
	offs, err := alert.LoadOffensives(alert.ShippedOffensives, "offensives.yaml")
	if err != nil {
		t.Fatal(err)
	}
	scored := 0
	for _, o := range offs {
		if !strings.HasSuffix(o.Source.Article, ".md") {
			t.Errorf("%s: source %q is not an article of the shared data", o.ID, o.Source.Article)
		}
		if !o.Context {
			scored++
		}
	}
	if scored < 12 {
		t.Errorf("%d scored offensives", scored)
	}
	// Each article cited is one of the shared data's, where it is here.
	if _, err := os.Stat("../../../shared/data/wikipedia-syria-war"); err == nil {
		for _, o := range offs {
			if _, err := os.Stat("../../../shared/data/wikipedia-syria-war/" + o.Source.Article); err != nil {
				t.Errorf("%s: %v", o.ID, err)
			}
		}
	}
	for _, bad := range []string{
		"offensives:\n  - id: x\n    name: X\n    start: 2017-13-01\n    governorates: [SY01]\n    source: {article: a.md, section: s, dates: d}\n",
		"offensives:\n  - id: x\n    name: X\n    start: 2017-03-01\n    end: 2017-02\n    governorates: [SY01]\n    source: {article: a.md, section: s, dates: d}\n",
		"offensives:\n  - id: x\n    name: X\n    start: 2017-03-01\n    governorates: [SY01]\n    districts: [SY0200]\n    source: {article: a.md, section: s, dates: d}\n",
		"offensives:\n  - id: x\n    name: X\n    start: 2017-03-01\n    governorates: [SY01]\n",
		"offensives:\n  - id: x\n    nom: X\n",
	} {
		if _, err := alert.LoadOffensives([]byte(bad), "bad.yaml"); err == nil {
			t.Errorf("no error for\n%s", bad)
		}
	}
}

// Scoring on a made-up record: which alerts count for an offensive, and
// which months are quiet.
func TestBacktestScoring(t *testing.T) {
	offs, err := alert.LoadOffensives([]byte(`offensives:
  - id: a
    name: A
    start: 2017-02-10
    end: 2017-02-20
    governorates: [SY03]
    districts: [SY0307]
    source: {article: a.md, section: s, dates: d}
  - id: b
    name: B
    start: 2017-03
    governorates: [SY01]
    source: {article: b.md, section: s, dates: d}
  - id: c
    name: C
    start: 2017-02-01
    end: 2017-02-28
    context: true
    governorates: [SY04]
    source: {article: c.md, section: s, dates: d}
`), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	from := alert.Date(2017, 1, 1)
	to := alert.Date(2017, 5, 1)
	cfg := alert.Defaults()
	d := func(m time.Month, day int) int { return int(alert.Date(2017, m, day) - from) }
	var evs []alert.Event
	for _, u := range []struct {
		unit string
		days []int
	}{
		{"SY0307", []int{d(2, 13)}},           // A, 3 days in
		{"SY0301", []int{d(2, 11)}},           // A's governorate, another district
		{"SY0100", []int{d(3, 25)}},           // B: the month is all it gives
		{"SY0401", []int{d(2, 15)}},           // context: not quiet
		{"SY0401", []int{d(4, 15)}},           // quiet
		{"SY1200", []int{d(1, 20), d(4, 20)}}, // quiet twice
	} {
		for _, day := range u.days {
			evs = append(evs, synth(u.unit, act.ArmedClash, 0, 1, func(int) int { return 9 })...)
			for i := len(evs) - 9; i < len(evs); i++ {
				evs[i].Day = from + alert.Day(day)
				evs[i].ID = int64(i + 1)
			}
		}
	}
	units := []alert.Unit{{Key: "SY0307", Level: alert.District, Name: "Az-Zabdani"}, {Key: "SY0301", Level: alert.District, Name: "Rural Damascus"},
		{Key: "SY0100", Level: alert.District, Name: "Damascus"}, {Key: "SY0401", Level: alert.District, Name: "Homs"}, {Key: "SY1200", Level: alert.District, Name: "Dar'a"}}
	r, as, err := alert.Backtest(alert.Input{From: from, To: to, Units: units, Events: evs}, cfg, offs, alert.DefaultScoring(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 7 || r.Alerts != 7 || r.Scored != 2 || r.Fired != 2 {
		t.Fatalf("report %+v, alerts %+v", r, as)
	}
	a, b := r.Offensives[0], r.Offensives[1]
	if !a.Fired || a.FirstDay != "2017-02-13" || a.Offset != 3 || !slices.Equal(a.Units, []string{"Az-Zabdani"}) || !strings.HasPrefix(a.Elsewhere, "2017-02-11 Rural Damascus (+1)") {
		t.Errorf("A: %+v", a)
	}
	if !b.Fired || b.Offset != 24 || b.FirstDay != "2017-03-25" {
		t.Errorf("B: %+v", b)
	}
	// Quiet: Dar'a in January and April, Homs in April; Homs in
	// February is under way (context), Damascus in March too.
	if r.QuietAlerts != 3 || len(r.Months) != 4 || r.QuietMax != 2 || r.QuietMedian != 0.5 {
		t.Errorf("quiet %d, months %+v, median %g, max %d", r.QuietAlerts, r.Months, r.QuietMedian, r.QuietMax)
	}
	var md strings.Builder
	if err := r.Markdown(&md); err != nil || !strings.Contains(md.String(), "| A | 2017-02-10 | 2017-02-20 | fired | 2017-02-13 (+3) | 1 | Az-Zabdani |") {
		t.Errorf("markdown %v:\n%s", err, md.String())
	}
}

// Zones are units while their agreement has them, placed as the ruling
// engine places an incident; an incident counts on its day, in its
// district and zones, when it is an act of violence known to the day.
func TestZonesAndEvents(t *testing.T) {
	ags, err := ged.ShippedAgreements(reference(t))
	if err != nil {
		t.Fatal(err)
	}
	loc := ags[0].Location
	z := alert.NewZones(ags, loc)
	var dz3 alert.Unit
	for _, u := range z.Units() {
		if u.Key == "syria-coh-2016/DZ3" {
			dz3 = u
		}
	}
	if dz3.Name != "Eastern Ghouta" || dz3.From != alert.Date(2017, 5, 6) || dz3.To != alert.Date(2018, 4, 14) || !slices.Contains(dz3.PCodes, "SY030200") {
		t.Fatalf("DZ3: %+v", dz3)
	}
	douma := incident.Place{Name: "Douma", Lat: 33.57, Lon: 36.40, HasPoint: true, Precision: incident.PlaceExact, Admin1: "SY03", Admin2: "SY0302", Admin3: "SY030200"}
	day := incident.Day(2017, 6, 1, loc)
	ev, ok := alert.EventOf(7, day, douma, act.Airstrike, loc, z)
	if !ok || ev.Day != alert.Date(2017, 6, 1) || !slices.Equal(ev.Units, []string{"SY0302", "syria-coh-2016/DZ3"}) {
		t.Errorf("Douma: %+v %v", ev, ok)
	}
	if _, ok := alert.EventOf(7, incident.Days(day.Start, day.Start.AddDate(0, 0, 3), loc), douma, act.Airstrike, loc, z); ok {
		t.Error("an incident known to four days is counted on one")
	}
	if _, ok := alert.EventOf(7, day, douma, act.Protest, loc, z); ok {
		t.Error("a protest is counted")
	}
	if _, ok := alert.EventOf(7, day, incident.Place{Precision: incident.PlaceAdmin1, Admin1: "SY03", Area: "SY03"}, act.Airstrike, loc, z); ok {
		t.Error("an incident known to its governorate only is counted")
	}
}

// TestBacktestShared runs the backtest of docs/alerts.md on the shared
// UCDP GED file, where it is, and holds the detector to the floors its
// figures set; with -v it prints the report and the table of thresholds.
func TestBacktestShared(t *testing.T) {
	if _, err := os.Stat(sharedGED); err != nil {
		t.Skipf("the shared UCDP GED file is not here (%v): the backtest runs where /work/shared/data is beside the checkout", err)
	}
	offs, err := alert.LoadOffensives(alert.ShippedOffensives, "offensives.yaml")
	if err != nil {
		t.Fatal(err)
	}
	from, to := alert.Date(2016, 12, 30), alert.Date(2019, 12, 31)
	run := func(cfg alert.Config) *ged.Result {
		f, err := os.Open(sharedGED)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		res, err := ged.Backtest(f, sharedGED, reference(t), from, to, cfg, offs)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := run(alert.Defaults())
	r := res.Report
	var md strings.Builder
	r.Markdown(&md)
	t.Logf("%s\n%s (read %v, detect %v)", md.String(), res.Stats, res.Read, res.Detect)

	// The record: GED's rows of the period, placed as the importer
	// places them.
	if s := res.Stats; s.Rows != 16566 || s.Counted < 9500 || s.Rejected != 0 {
		t.Errorf("stats: %s", s)
	}
	// Floors (docs/alerts.md): 9 of 16 fired, 8 of them within a week of
	// the start; 62 alerts in 35 months; 26 in quiet district-months
	// (1.5 per 100), at most 4 in a month.
	within7 := 0
	for _, o := range r.Offensives {
		if o.Fired && o.Offset <= 7 {
			within7++
		}
		if o.Alerts > 3 {
			t.Errorf("%s: %d alerts in its window; one offensive should make about one alert", o.Name, o.Alerts)
		}
	}
	if r.Scored != 16 || r.Fired < 8 || within7 < 7 {
		t.Errorf("fired for %d of %d offensives, %d within a week of the start; the floor is 8, 7 within a week", r.Fired, r.Scored, within7)
	}
	if r.QuietRate > 2 || r.QuietMax > 5 || r.QuietMedian > 1 {
		t.Errorf("quiet district-months: %.1f alerts per 100, median %g, max %d a month; the ceiling is 2 per 100, median 1, max 5", r.QuietRate, r.QuietMedian, r.QuietMax)
	}
	if r.Alerts > 80 {
		t.Errorf("%d alerts over three years", r.Alerts)
	}
	for _, a := range res.Alerts {
		if a.ID != alert.AlertID(a.Kind, a.Unit, mustDay(t, a.Day)) || len(a.Incidents) != a.Count || a.Text == "" {
			t.Errorf("alert %+v", a)
		}
	}

	if !testing.Verbose() {
		return
	}
	// How the thresholds trade detection for quiet-month alerts: each
	// line changes one threshold from the defaults.
	type variant struct {
		name string
		set  func(*alert.Config)
	}
	vs := []variant{{"defaults", func(*alert.Config) {}}}
	for _, x := range []int{1, 3, 5} {
		vs = append(vs, variant{fmt.Sprintf("window_days %d", x), func(c *alert.Config) { c.WindowDays = x }})
	}
	for _, x := range []float64{0.0001, 0.005, 0.01, 0.05} {
		vs = append(vs, variant{fmt.Sprintf("p_value %g", x), func(c *alert.Config) { c.PValue = x }})
	}
	for _, x := range []int{3, 5, 6, 8} {
		vs = append(vs, variant{fmt.Sprintf("min_count %d", x), func(c *alert.Config) { c.MinCount = x }})
	}
	for _, x := range []int{0, 7, 28} {
		vs = append(vs, variant{fmt.Sprintf("cool_down_days %d", x), func(c *alert.Config) { c.CoolDownDays = x }})
	}
	for _, x := range []int{14, 56} {
		vs = append(vs, variant{fmt.Sprintf("baseline_days %d", x), func(c *alert.Config) { c.BaselineDays = x }})
	}
	vs = append(vs, variant{"model poisson", func(c *alert.Config) { c.Model = alert.ModelPoisson }})
	var b strings.Builder
	b.WriteString("| thresholds | offensives fired | within 7 days | alerts | district / zone | quiet-month alerts | per 100 quiet district-months | median / max a month |\n|---|---|---|---|---|---|---|---|\n")
	for _, v := range vs {
		cfg := alert.Defaults()
		v.set(&cfg)
		r := run(cfg).Report
		w := 0
		for _, o := range r.Offensives {
			if o.Fired && o.Offset <= 7 {
				w++
			}
		}
		fmt.Fprintf(&b, "| %s | %d of %d | %d | %d | %d / %d | %d | %.1f | %g / %d |\n", v.name, r.Fired, r.Scored, w, r.Alerts, r.DistrictAlerts, r.ZoneAlerts, r.QuietAlerts, r.QuietRate, r.QuietMedian, r.QuietMax)
	}
	t.Logf("thresholds:\n%s", b.String())
}

func mustDay(t *testing.T, s string) alert.Day {
	d, err := alert.ParseDay(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
