package alert_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/alert"
)

// day0 is the first day tested in the synthetic cases.
var day0 = alert.Date(2017, time.January, 1)

// synth makes the events of one unit from a function of the day (0 is
// day0, negative days are the history), for days [-history, n).
func synth(unit string, a act.Type, history, n int, count func(d int) int) []alert.Event {
	var out []alert.Event
	id := int64(0)
	for d := -history; d < n; d++ {
		for range count(d) {
			id++
			out = append(out, alert.Event{ID: id, Day: day0 + alert.Day(d), Act: a, Units: []string{unit}})
		}
	}
	return out
}

// sparse is a quiet background: one incident every fifth day.
func sparse(d int) int {
	if (d%5+5)%5 == 0 {
		return 1
	}
	return 0
}

func detect(t *testing.T, in alert.Input, c alert.Config) []alert.Alert {
	t.Helper()
	as, err := alert.Detect(in, c)
	if err != nil {
		t.Fatal(err)
	}
	return as
}

// days are the alerts' days relative to day0.
func days(as []alert.Alert) []int {
	out := []int{}
	for _, a := range as {
		d, _ := alert.ParseDay(a.Day)
		out = append(out, int(d-day0))
	}
	return out
}

func TestDetectSynthetic(t *testing.T) {
	const n = 200
	cases := []struct {
		name  string
		count func(d int) int
		cfg   func(*alert.Config)
		want  []int // alert days
	}{
		{
			// A steady rate of about one a day, never more than two:
			// nothing to say.
			name:  "flat",
			count: func(d int) int { return []int{1, 0, 2, 1, 0, 1, 1, 2, 0, 1}[(d%10+10)%10] },
			want:  []int{},
		},
		{
			// A step from one every fifth day to five a day, kept for
			// sixty days: one alert, on the first day of the step; the
			// baseline then catches up while the cool-down holds.
			name: "step",
			count: func(d int) int {
				if d >= 50 && d < 110 {
					return 5
				}
				return sparse(d)
			},
			want: []int{50},
		},
		{
			// One day of nine: one alert, that day (the next day's
			// window still holds it, and is the same escalation).
			name: "spike",
			count: func(d int) int {
				if d == 80 {
					return 9
				}
				return sparse(d)
			},
			want: []int{80},
		},
		{
			// Bursts of twelve every tenth day: under a Poisson model
			// each is improbable; the negative binomial, fitted to a
			// baseline holding such bursts, takes them in its stride.
			// (Without a cool-down, so that each burst is tested on
			// its own.)
			name: "overdispersed",
			count: func(d int) int {
				if (d%10+10)%10 == 3 {
					return 12
				}
				return 0
			},
			cfg:  func(c *alert.Config) { c.WindowDays, c.CoolDownDays = 1, 0 },
			want: []int{},
		},
		{
			name: "overdispersed, Poisson",
			count: func(d int) int {
				if (d%10+10)%10 == 3 {
					return 12
				}
				return 0
			},
			cfg:  func(c *alert.Config) { c.WindowDays, c.CoolDownDays, c.Model = 1, 0, alert.ModelPoisson },
			want: []int{3, 13, 23, 33, 43, 53, 63, 73, 83, 93, 103, 113, 123, 133, 143, 153, 163, 173, 183, 193},
		},
		{
			// With the cool-down, bursts that never stop are one
			// escalation that began before the period: no alert.
			name: "overdispersed, Poisson, cool-down",
			count: func(d int) int {
				if (d%10+10)%10 == 3 {
					return 12
				}
				return 0
			},
			cfg:  func(c *alert.Config) { c.Model = alert.ModelPoisson },
			want: []int{},
		},
		{
			// Two spikes ten days apart: one escalation.
			name: "cool-down",
			count: func(d int) int {
				if d == 20 || d == 30 {
					return 9
				}
				return sparse(d)
			},
			cfg:  func(c *alert.Config) { c.WindowDays, c.Model = 1, alert.ModelPoisson },
			want: []int{20},
		},
		{
			// Without a cool-down, two alerts.
			name: "no cool-down",
			count: func(d int) int {
				if d == 20 || d == 30 {
					return 9
				}
				return sparse(d)
			},
			cfg:  func(c *alert.Config) { c.WindowDays, c.Model, c.CoolDownDays = 1, alert.ModelPoisson, 0 },
			want: []int{20, 30},
		},
		{
			// Spikes twenty days apart: two escalations.
			name: "after the cool-down",
			count: func(d int) int {
				if d == 20 || d == 40 {
					return 9
				}
				return sparse(d)
			},
			cfg:  func(c *alert.Config) { c.WindowDays, c.Model = 1, alert.ModelPoisson },
			want: []int{20, 40},
		},
		{
			// Three incidents where there were none are improbable, but
			// fewer than MinCount.
			name: "below the minimum count",
			count: func(d int) int {
				if d == 60 {
					return 3
				}
				return 0
			},
			want: []int{},
		},
		{
			name: "at the minimum count",
			count: func(d int) int {
				if d == 60 {
					return 3
				}
				return 0
			},
			cfg:  func(c *alert.Config) { c.MinCount = 3 },
			want: []int{60},
		},
		{
			// Three days of two each: no single day (nor two) reaches
			// the minimum; a three-day window does.
			name: "slow rise, one-day window",
			count: func(d int) int {
				if d >= 70 && d < 73 {
					return 2
				}
				return sparse(d)
			},
			cfg:  func(c *alert.Config) { c.WindowDays, c.MinCount = 1, 5 },
			want: []int{},
		},
		{
			name: "slow rise, three-day window",
			count: func(d int) int {
				if d >= 70 && d < 73 {
					return 2
				}
				return sparse(d)
			},
			cfg:  func(c *alert.Config) { c.WindowDays, c.MinCount = 3, 5 },
			want: []int{72},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := alert.Defaults()
			if c.cfg != nil {
				c.cfg(&cfg)
			}
			in := alert.Input{From: day0, To: day0 + n, Events: synth("SY0307", act.ArmedClash, cfg.History(), n, c.count)}
			as := detect(t, in, cfg)
			if got := days(as); !slices.Equal(got, c.want) {
				for _, a := range as {
					t.Log(a.Text)
				}
				t.Fatalf("alert days %v, want %v", got, c.want)
			}
			for _, a := range as {
				if a.P >= cfg.PValue || a.Count < cfg.MinCount || len(a.Incidents) != a.Count || a.Kind != alert.Clashes {
					t.Errorf("alert %+v", a)
				}
			}
		})
	}
}

// The sentence and the fields of an alert, and what the next alert of the
// same unit says of it.
func TestAlertText(t *testing.T) {
	count := func(d int) int {
		switch d {
		case 2:
			return 14
		case 40:
			return 30
		}
		return sparse(d)
	}
	cfg := alert.Defaults()
	cfg.WindowDays = 1
	units := []alert.Unit{{Key: "SY0307", Level: alert.District, Name: "Az-Zabdani", Within: "Rural Damascus"}}
	as := detect(t, alert.Input{From: day0, To: day0 + 60, Units: units, Events: synth("SY0307", act.ArmedClash, cfg.History(), 60, count)}, cfg)
	if len(as) != 2 {
		t.Fatalf("%d alerts: %+v", len(as), as)
	}
	a := as[0]
	want := "Rural Damascus, Az-Zabdani district: 14 clashes on 3 Jan 2017 against a baseline of 0.2/day over the previous 28 days (p < 0.0001); first clashes alert in this district since 1 Jan 2017."
	if a.Text != want {
		t.Errorf("text\n got %s\nwant %s", a.Text, want)
	}
	if a.Day != "2017-01-03" || a.Unit != "SY0307" || a.PCode != "SY0307" || a.UnitName != "Az-Zabdani" || a.Within != "Rural Damascus" ||
		a.Count != 14 || fmt.Sprintf("%.3f", a.Baseline) != "0.214" || a.BaselineDays != 28 || a.WindowDays != 1 || a.Model != "poisson" || a.Since != "2017-01-01" ||
		a.Previous != "" || a.Level != alert.District || a.ID != alert.AlertID(alert.Clashes, "SY0307", day0+2) {
		t.Errorf("fields: %+v", a)
	}
	if !strings.Contains(as[1].Text, "30 clashes on 10 Feb 2017") || !strings.Contains(as[1].Text, "previous clashes alert in this district on 3 Jan 2017, 38 days before.") ||
		as[1].Previous != "2017-01-03" {
		t.Errorf("second alert: %s", as[1].Text)
	}
	// A window of days, a negative binomial baseline and an empty one.
	cfg = alert.Defaults()
	zone := []alert.Unit{{Key: "syria-coh-2016/DZ3", Level: alert.Zone, Name: "Eastern Ghouta", Within: "syria-coh-2016"}}
	as = detect(t, alert.Input{From: day0, To: day0 + 30, Units: zone,
		Events: synth("syria-coh-2016/DZ3", act.Airstrike, cfg.History(), 30, func(d int) int { return map[int]int{5: 6, 6: 5}[d] })}, cfg)
	if len(as) != 1 || as[0].Text != "Zone DZ3 (Eastern Ghouta) of syria-coh-2016: 6 air strikes and shellings in the 2 days to 6 Jan 2017 against none in the previous 28 days (p < 0.0001); first air/shelling alert in this zone since 1 Jan 2017." ||
		as[0].Zone != "syria-coh-2016/DZ3" || as[0].PCode != "" {
		t.Errorf("zone alert: %+v", as)
	}
	bursty := func(d int) int {
		if (d%7+7)%7 == 0 {
			return 3
		}
		if d == 20 {
			return 25
		}
		return 0
	}
	as = detect(t, alert.Input{From: day0, To: day0 + 30, Events: synth("SY0100", act.ArmedClash, cfg.History(), 30, bursty)}, cfg)
	if len(as) != 1 || as[0].Model != "negative_binomial" || !strings.Contains(as[0].Text, "negative binomial: the baseline's variance is 1.1)") {
		t.Errorf("negative binomial alert: %+v", as)
	}
}

// An alert is the same whatever period is asked for, as long as it holds
// the alert's day: same ID, numbers and incidents; and the same events
// in another order make the same alerts.
func TestDetectStable(t *testing.T) {
	cfg := alert.Defaults()
	rng := rand.New(rand.NewPCG(1, 2))
	var evs []alert.Event
	units := []string{"SY0100", "SY0200", "SY0307"}
	for d := -200; d < 400; d++ {
		for i, u := range units {
			n := rng.IntN(3)
			if (d/60+i)%4 == 0 && d%60 < 10 {
				n += 4 + rng.IntN(5) // an offensive
			}
			for range n {
				a := []act.Type{act.ArmedClash, act.Airstrike, act.Shelling, act.AttackOnCivilians}[rng.IntN(4)]
				evs = append(evs, alert.Event{ID: int64(len(evs) + 1), Day: day0 + alert.Day(d), Act: a, Units: []string{u}})
			}
		}
	}
	all := detect(t, alert.Input{From: day0, To: day0 + 400, Events: evs}, cfg)
	if len(all) < 5 {
		t.Fatalf("only %d alerts", len(all))
	}
	late := detect(t, alert.Input{From: day0 + 150, To: day0 + 300, Events: evs}, cfg)
	var want []alert.Alert
	for _, a := range all {
		if a.Day >= (day0+150).String() && a.Day < (day0+300).String() {
			a.Previous, a.Since, a.Text = "", "", ""
			want = append(want, a)
		}
	}
	for i := range late {
		late[i].Previous, late[i].Since, late[i].Text = "", "", ""
	}
	if !reflect.DeepEqual(late, want) {
		t.Errorf("alerts of days 150-300 differ when the period starts there:\n got %+v\nwant %+v", late, want)
	}
	shuffled := slices.Clone(evs)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	if again := detect(t, alert.Input{From: day0, To: day0 + 400, Events: shuffled}, cfg); !reflect.DeepEqual(again, all) {
		t.Error("the same events in another order make other alerts")
	}
	ids := map[string]bool{}
	for _, a := range all {
		if ids[a.ID] || len(a.ID) != 32 {
			t.Errorf("id %q repeated or malformed", a.ID)
		}
		ids[a.ID] = true
	}
}

// A violence alert is dropped where a narrower kind alerts in the same
// unit on the same day; it stands where violence rose without any one
// kind doing so.
func TestKinds(t *testing.T) {
	if got := alert.KindsOf(act.Airstrike); !slices.Equal(got, []alert.Kind{alert.AirShelling, alert.Violent}) {
		t.Errorf("airstrike: %v", got)
	}
	if got := alert.KindsOf(act.Protest); len(got) != 0 {
		t.Errorf("protest: %v", got)
	}
	cfg := alert.Defaults()
	clashes := synth("SY0100", act.ArmedClash, cfg.History(), 30, func(d int) int { return map[int]int{10: 8}[d] })
	as := detect(t, alert.Input{From: day0, To: day0 + 30, Events: clashes}, cfg)
	if len(as) != 1 || as[0].Kind != alert.Clashes {
		t.Errorf("clashes alone: %+v", as)
	}
	// Three clashes and three strikes: neither kind reaches four, both
	// together do.
	mixed := append(synth("SY0100", act.ArmedClash, cfg.History(), 30, func(d int) int { return map[int]int{10: 3}[d] }),
		synth("SY0100", act.Shelling, cfg.History(), 30, func(d int) int { return map[int]int{10: 3}[d] })...)
	for i := range mixed {
		mixed[i].ID = int64(i + 1)
	}
	as = detect(t, alert.Input{From: day0, To: day0 + 30, Events: mixed}, cfg)
	if len(as) != 1 || as[0].Kind != alert.Violent || as[0].Count != 6 || len(as[0].Incidents) != 6 {
		t.Errorf("mixed: %+v", as)
	}
	cfg.Kinds = []alert.Kind{alert.Clashes}
	if as = detect(t, alert.Input{From: day0, To: day0 + 30, Events: mixed}, cfg); len(as) != 0 {
		t.Errorf("clashes only: %+v", as)
	}
}

// A unit is tested only on its days (a zone while its agreement has it),
// though earlier counts make its first baselines.
func TestUnitDays(t *testing.T) {
	cfg := alert.Defaults()
	zone := alert.Unit{Key: "ag/Z1", Level: alert.Zone, Name: "Z", From: day0 + 20, To: day0 + 50}
	evs := synth("ag/Z1", act.ArmedClash, cfg.History(), 80, func(d int) int { return map[int]int{5: 8, 40: 8, 75: 8}[d] })
	as := detect(t, alert.Input{From: day0, To: day0 + 80, Units: []alert.Unit{zone}, Events: evs}, cfg)
	if got := days(as); !slices.Equal(got, []int{40}) {
		t.Errorf("zone alerts on %v, want [40]", got)
	}
	cfg.Levels = []alert.Level{alert.District}
	if as = detect(t, alert.Input{From: day0, To: day0 + 80, Units: []alert.Unit{zone}, Events: evs}, cfg); len(as) != 0 {
		t.Errorf("districts only: %+v", as)
	}
}

func TestConfig(t *testing.T) {
	c, err := alert.LoadConfig([]byte("window_days: 3\np_value: 0.01\nkinds: [clashes]\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d := alert.Defaults()
	if c.WindowDays != 3 || c.PValue != 0.01 || !slices.Equal(c.Kinds, []alert.Kind{alert.Clashes}) || c.BaselineDays != d.BaselineDays || c.MinCount != d.MinCount {
		t.Errorf("loaded %+v", c)
	}
	if c, err := alert.LoadConfig(nil, "empty.yaml"); err != nil || !reflect.DeepEqual(c, d) {
		t.Errorf("empty file: %+v %v", c, err)
	}
	for _, bad := range []string{"p_valu: 0.01\n", "p_value: 2\n", "baseline_days: 3\nmin_count: 0\n", "kinds: [riots]\n", "model: gaussian\n", "levels: [admin3]\n"} {
		if _, err := alert.LoadConfig([]byte(bad), "bad.yaml"); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if err := (alert.Config{}).Validate(); err == nil || strings.Count(err.Error(), "\n") < 5 {
		t.Errorf("zero config: every problem should be named: %v", err)
	}
	// Flags override a file, and only the flags given.
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	apply := alert.BindFlags(fs)
	if err := fs.Parse([]string{"-min-count", "7", "-kinds", "clashes,air_shelling"}); err != nil {
		t.Fatal(err)
	}
	if err := apply(&c); err != nil {
		t.Fatal(err)
	}
	if c.MinCount != 7 || c.WindowDays != 3 || c.PValue != 0.01 || !slices.Equal(c.Kinds, []alert.Kind{alert.Clashes, alert.AirShelling}) {
		t.Errorf("after flags: %+v", c)
	}
}

// bigInput is a year of daily counts for 300 units and every kind.
func bigInput() (alert.Input, alert.Config) {
	cfg := alert.Defaults()
	rng := rand.New(rand.NewPCG(3, 4))
	var evs []alert.Event
	acts := []act.Type{act.ArmedClash, act.Airstrike, act.Shelling, act.AttackOnCivilians}
	for u := range 300 {
		unit := fmt.Sprintf("SY%06d", u)
		for d := -cfg.History(); d < 365; d++ {
			n := rng.IntN(3)
			if rng.IntN(200) == 0 {
				n += 10
			}
			for range n {
				evs = append(evs, alert.Event{ID: int64(len(evs) + 1), Day: day0 + alert.Day(d), Act: acts[rng.IntN(len(acts))], Units: []string{unit}})
			}
		}
	}
	return alert.Input{From: day0, To: day0 + 365, Events: evs}, cfg
}

// A year of daily counts for 300 units takes milliseconds (the bound
// here is loose, for slow machines and the race detector).
func TestDetectFast(t *testing.T) {
	in, cfg := bigInput()
	start := time.Now()
	as := detect(t, in, cfg)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("%d events, %d alerts in %v", len(in.Events), len(as), took)
	}
}

func BenchmarkDetect(b *testing.B) {
	in, cfg := bigInput()
	for b.Loop() {
		if _, err := alert.Detect(in, cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(in.Events)), "events")
}
