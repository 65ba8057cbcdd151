package cluster_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/cluster"
	"github.com/truce-monitor/truce/internal/incident"
)

var day = incident.Day(2017, 3, 4, time.UTC)

func report(mod func(*incident.Report)) incident.Report {
	r := incident.Report{
		Occurred: day,
		Place:    incident.Place{Name: "Douma", Lat: 33.5711, Lon: 36.4036, HasPoint: true, Precision: incident.PlaceExact, Admin1: "SY03", Admin2: "SY0302", Admin3: "SY030200"},
		Actors: []incident.ActorRef{
			{Name: "Syrian Arab Army", ID: "government-of-syria", Role: incident.Perpetrator},
			{Name: "Jaysh al-Islam", ID: "jaysh-al-islam", Role: incident.Target},
		},
		Act:         act.Shelling,
		Description: "Regime shelling kills four in Douma market",
	}
	if mod != nil {
		mod(&r)
	}
	return r
}

func TestTest(t *testing.T) {
	base := cluster.ReportFacts(report(nil))
	// withText reads the words: text similarity adds to the score.
	withText := func(p *cluster.Params) { p.TextBoost = 0.5 }
	tests := []struct {
		name   string
		mod    func(*incident.Report)
		params func(*cluster.Params)
		ok     bool
		why    string // a part of Match.Why
	}{
		{"the same report", nil, nil, true, "same day, 0.0 km apart, same actors (government-of-syria, jaysh-al-islam), same act (shelling); score 1.00"},
		{"the same report, reading the words", nil, withText, true, "same act (shelling), text similarity 1.00; score 1.00"},
		{"another outlet's words", func(r *incident.Report) { r.Description = "Four civilians dead as shells hit Duma" }, nil, true, "same day"},
		{"2 km away, dated within two days", func(r *incident.Report) {
			r.Place.Lat += 0.018
			r.Occurred = incident.Days(day.Start, day.Start.AddDate(0, 0, 1), time.UTC)
		}, nil, true, "2.0 km apart"},
		{"the next day", func(r *incident.Report) { r.Occurred = incident.Day(2017, 3, 5, time.UTC) }, nil, false, "0 h apart in time"},
		{"12 km away", func(r *incident.Report) { r.Place.Lat += 0.11 }, nil, false, "12.2 km apart"},
		{"12 km away, but the point is only near", func(r *incident.Report) {
			r.Place.Lat += 0.11
			r.Place.Precision = incident.PlaceNear
		}, nil, false, "12.2 km apart, same actors (government-of-syria, jaysh-al-islam), same act (shelling); score 0.72 below 0.75"},
		{"12 km away, but the point is only near, same headline, reading the words", func(r *incident.Report) {
			r.Place.Lat += 0.11
			r.Place.Precision = incident.PlaceNear
		}, withText, true, "12.2 km apart"},
		{"three days later", func(r *incident.Report) { r.Occurred = incident.Day(2017, 3, 7, time.UTC) }, nil, false, "2 days apart in time"},
		{"other actors", func(r *incident.Report) {
			r.Actors = []incident.ActorRef{{Name: "ISIS", ID: "isis", Role: incident.Perpetrator}}
		}, nil, false, "no actor in common"},
		{"actors not named", func(r *incident.Report) { r.Actors = nil }, nil, true, "actors not named by both"},
		{"an airstrike, not shelling", func(r *incident.Report) { r.Act = act.Airstrike }, nil, true, "related acts (airstrike, shelling)"},
		{"a protest", func(r *incident.Report) { r.Act = act.Protest }, nil, false, "different acts (protest, shelling)"},
		{"a month-long span", func(r *incident.Report) {
			r.Occurred = incident.Days(day.Start, day.Start.AddDate(0, 1, 0), time.UTC)
		}, nil, false, "too long"},
		{"known only by sub-district", func(r *incident.Report) {
			r.Place = incident.Place{Precision: incident.PlaceAdmin3, Area: "SY030200"}
		}, nil, true, "both in SY030200"},
		{"known only by governorate, other words", func(r *incident.Report) {
			r.Place = incident.Place{Precision: incident.PlaceAdmin1, Area: "SY03"}
			r.Description = "Rural Damascus: artillery fire"
		}, withText, false, "below 0.75"},
		{"known only by governorate, same headline", func(r *incident.Report) {
			r.Place = incident.Place{Precision: incident.PlaceAdmin1, Area: "SY03"}
		}, nil, false, "score 0.65 below 0.75"},
		{"known only by governorate, same headline, reading the words", func(r *incident.Report) {
			r.Place = incident.Place{Precision: incident.PlaceAdmin1, Area: "SY03"}
		}, withText, true, "text similarity 1.00"},
		{"another governorate", func(r *incident.Report) {
			r.Place = incident.Place{Precision: incident.PlaceAdmin1, Area: "SY02"}
		}, nil, false, "different areas"},
		{"no place", func(r *incident.Report) { r.Place = incident.Place{Precision: incident.PlaceUnknown} }, nil, false, "unknown"},
		// A text threshold: texts that say enough must share enough,
		// in any script; no text, or too little, is no evidence.
		{"the same event in Arabic, with a text threshold", func(r *incident.Report) {
			r.Description = "قصف لقوات النظام يقتل ٤ مدنيين في سوق دوما"
		}, func(p *cluster.Params) { p.MinText = 0.2 }, true, "same act (shelling), text similarity 0.50; score 1.00"},
		{"another event's words, with a text threshold", func(r *incident.Report) {
			r.Description = "Clashes between rebels and the army in Harasta, 12 fighters dead"
		}, func(p *cluster.Params) { p.MinText = 0.2 }, false, "texts too different (similarity 0.00 below 0.20)"},
		{"no text, with a text threshold", func(r *incident.Report) { r.Description = "" },
			func(p *cluster.Params) { p.MinText = 0.2 }, true, "same act (shelling); score 1.00"},
		{"too few words to judge, with a text threshold", func(r *incident.Report) { r.Description = "Airwars assessment" },
			func(p *cluster.Params) { p.MinText = 0.2 }, true, "same act (shelling); score 1.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := cluster.Defaults()
			if tt.params != nil {
				tt.params(&p)
			}
			m := p.Test(cluster.ReportFacts(report(tt.mod)), base)
			if m.OK != tt.ok || !strings.Contains(m.Why, tt.why) {
				t.Errorf("Test = %v (%q), want %v with %q", m.OK, m.Why, tt.ok, tt.why)
			}
		})
	}
}

// TestTextSimilarity: the signature meets across scripts and
// transliterations through numbers and names, and keeps other events'
// words apart.
func TestTextSimilarity(t *testing.T) {
	tests := []struct {
		name     string
		a, b     string
		min, max float64
	}{
		{"one headline", "Regime shelling kills four in Douma market", "Regime shelling kills four in Douma market", 1, 1},
		{"English and Arabic: a number and a name",
			"Regime shelling kills 4 in Douma market", "قصف لقوات النظام يقتل ٤ مدنيين في سوق دوما", 0.45, 0.55},
		{"English and Arabic, the number as a word", "Four killed in Douma", "مقتل أربعة في دوما", 0.8, 0.8},
		{"transliterations of one place", "Clashes in Deir ez-Zor countryside", "Clashes in Dayr az Zawr countryside", 1, 1},
		{"Arabic script and a transliteration", "Airstrikes on Deir ez-Zor, 7 dead", "غارات على دير الزور ومقتل 7", 0.75, 1},
		{"inflections", "Shells hit Hama, killing 3", "Shelling on Hamah kills 3", 1, 1},
		{"codes are as strong as numbers", "(S1061) Al Nahda neighbourhood, Raqqa", "S1061: Raqqa, Nahda", 1, 1},
		{"years say nothing", "Bombing in Idlib city in 2017", "Clashes in Afrin countryside in 2017", 0, 0},
		{"other events", "Airstrike on Douma market kills 27", "Clashes between rebels and the army in Harasta", 0, 0},
		{"other numbers", "Shelling kills 27 in Douma", "Shelling kills 5 in Douma", 0.5, 0.5},
		{"too little to judge", "Airwars assessment", "Airwars assessment", -1, -1},
		{"no text", "", "Regime shelling kills four in Douma market", -1, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sa, sb := cluster.Sign(tt.a), cluster.Sign(tt.b)
			s := cluster.TextSimilarity(sa, sb)
			if s < tt.min-1e-9 || s > tt.max+1e-9 {
				t.Errorf("TextSimilarity(%q, %q) = %.3f, want %.2f–%.2f", tt.a, tt.b, s, tt.min, tt.max)
			}
			if r := cluster.TextSimilarity(sb, sa); r != s {
				t.Errorf("not symmetric: %.3f, %.3f", s, r)
			}
		})
	}
}

// TestSignSpellings: spellings of one name or word, in either script,
// sign alike; other names do not.
func TestSignSpellings(t *testing.T) {
	for _, same := range [][]string{
		{"Douma", "Duma", "دوما"},
		{"Deir ez-Zor", "Dayr az Zawr", "Deir Ezzor", "دير الزور"},
		{"Hama", "Hamah", "حماة"},
		{"Idlib", "Idleb", "إدلب"},
		{"shelling", "shells", "shelled"},
		{"4", "٤", "۴", "four", "أربعة"},
	} {
		for _, w := range same[1:] {
			if a, b := cluster.Sign(same[0]), cluster.Sign(w); fmt.Sprint(a) != fmt.Sprint(b) || len(a) == 0 {
				t.Errorf("Sign(%q) = %v, Sign(%q) = %v", same[0], a, w, b)
			}
		}
	}
	for _, pair := range [][2]string{{"Douma", "Damascus"}, {"Hama", "Homs"}, {"Raqqa", "Deraa"}} {
		if a, b := cluster.Sign(pair[0]), cluster.Sign(pair[1]); fmt.Sprint(a) == fmt.Sprint(b) {
			t.Errorf("Sign(%q) = Sign(%q)", pair[0], pair[1])
		}
	}
}

// TestTextBreaksTies: of two incidents with the same facts, a report joins
// the one whose text is like its own, at intake (Best) and in a batch run
// (Run), whatever their order, even with text thresholds off.
func TestTextBreaksTies(t *testing.T) {
	p := cluster.Defaults()
	market := cluster.ReportFacts(report(nil))
	clash := cluster.ReportFacts(report(func(r *incident.Report) { r.Description = "Clashes in Harasta, 12 fighters dead" }))
	arabic := cluster.ReportFacts(report(func(r *incident.Report) { r.Description = "قصف يقتل ٤ في سوق دوما" }))
	for _, cands := range [][]cluster.Facts{{clash, market}, {market, clash}} {
		best, m := p.Best(arabic, cands)
		if best < 0 || cands[best].Text[0] != market.Text[0] || !m.OK {
			t.Errorf("Best(%d candidates) = %d (%q), want the market", len(cands), best, m.Why)
		}
	}
	// Run: two incidents held apart by reviewers, then the report.
	links := p.Run([]cluster.Facts{clash, market, arabic}, cluster.Fixed{0: 1, 1: 2})
	if links[2].Group != 1 {
		t.Errorf("Run put the report in group %d, want 1 (the market)", links[2].Group)
	}
}

// Two records of one dataset are two events by the dataset's account,
// however alike.
func TestDatasetRecordsApart(t *testing.T) {
	rec := cluster.ReportFacts(report(func(r *incident.Report) { r.Kind, r.Source = incident.FromDataset, "acled" }))
	if m := cluster.Defaults().Test(rec, rec); m.OK || !strings.Contains(m.Why, "two records of the dataset acled") {
		t.Errorf("Test = %v (%q)", m.OK, m.Why)
	}
	if m := cluster.Defaults().Test(cluster.ReportFacts(report(nil)), rec); !m.OK {
		t.Errorf("a news report must join a dataset's record: %q", m.Why)
	}
}

func TestParamsValidate(t *testing.T) {
	if err := cluster.Defaults().Validate(); err != nil {
		t.Fatal(err)
	}
	p := cluster.Defaults()
	p.MinScore = 0
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "min_score") {
		t.Errorf("Validate = %v", err)
	}
}

// TestRun: reports of one event join one group whatever their order of
// arrival; a chain of reports each close to the last does not drag a
// group across the map; fixed reports stay apart.
func TestRun(t *testing.T) {
	p := cluster.Defaults()
	var rs []cluster.Facts
	add := func(mod func(*incident.Report)) { rs = append(rs, cluster.ReportFacts(report(mod))) }
	add(nil)                                                                          // 0
	add(func(r *incident.Report) { r.Description = "Shells on Douma" })               // 1: joins 0
	add(func(r *incident.Report) { r.Place.Lat += 0.04 })                             // 2: 4.4 km from 0: joins
	add(func(r *incident.Report) { r.Place.Lat += 0.08 })                             // 3: 8.9 km from 0: apart
	add(func(r *incident.Report) { r.Place.Lat += 0.12 })                             // 4: 4.4 km from 3: joins 3
	add(func(r *incident.Report) { r.Occurred = incident.Day(2017, 3, 5, time.UTC) }) // 5: the next day: apart
	add(nil)                                                                          // 6: fixed in incident 77, though it matches 0
	links := p.Run(rs, cluster.Fixed{6: 77})
	groups := make([]int32, len(links))
	for i, l := range links {
		groups[i] = l.Group
	}
	want := []int32{0, 0, 0, 3, 3, 5, 6}
	if fmt.Sprint(groups) != fmt.Sprint(want) {
		t.Errorf("groups %v, want %v", groups, want)
	}
	if !strings.Contains(links[1].Match.Why, "same day") {
		t.Errorf("why: %q", links[1].Match.Why)
	}
}

func TestEvaluate(t *testing.T) {
	got := cluster.Evaluate([]int{1, 1, 1, 2, 2, 3}, []string{"a", "a", "b", "b", "b", "c"})
	// predicted pairs: 3 + 1; true: 1 + 3; correct: (0,1) and (3,4).
	if got != (cluster.Pairs{Predicted: 4, True: 4, Correct: 2}) || got.Precision() != 0.5 || got.Recall() != 0.5 {
		t.Errorf("Evaluate = %+v", got)
	}
}

// TestOracle: the oracle merges identical facts; the bound adds the
// reports of one text the oracle holds together; Separate counts how
// text similarity parts the oracle's pairs.
func TestOracle(t *testing.T) {
	market := report(nil)
	other := report(func(r *incident.Report) { r.Description = "Clashes in Harasta, 12 fighters dead" })
	moved := report(func(r *incident.Report) { r.Place.Lat += 0.01 })
	var rs []cluster.Facts
	var texts []string
	for _, r := range []incident.Report{market, market, other, market, moved} {
		rs = append(rs, cluster.ReportFacts(r))
		texts = append(texts, r.Description)
	}
	// Events: 0 and 2 are one; 1 and 3 are another, 4 a third: 1 cites
	// the article 0 cites.
	truth := []string{"a", "b", "a", "b", "c"}
	if got := fmt.Sprint(cluster.Oracle(rs)); got != "[0 0 0 0 4]" {
		t.Errorf("Oracle = %s", got)
	}
	if got := cluster.Evaluate(cluster.SharedText(rs, texts, truth), truth); got != (cluster.Pairs{Predicted: 6, True: 2, Correct: 2}) {
		t.Errorf("SharedText: %+v", got)
	}
	sep := cluster.Separate(rs, texts, truth, []float64{0.1})
	// Pairs of the oracle's group with different texts: (0,2) true, (1,2)
	// and (2,3) false; none shares a word.
	if want := (cluster.Separation{Threshold: 0.1, True: 1, False: 2}); sep[0] != want {
		t.Errorf("Separate = %+v, want %+v", sep[0], want)
	}
}

// synthetic makes n reports of about n/2 events at real towns over a
// year for every 250,000 reports (so that the density of events, and the
// number of candidates per report, is the same at every size), each event told by one to four sources with their own
// headlines, a point within 2 km and, now and then, the next day.
func synthetic(n int) ([]cluster.Facts, []int) {
	towns := [][2]float64{{36.2021, 37.1343}, {33.5138, 36.2765}, {34.7324, 36.7137}, {35.1318, 36.7578}, {35.9306, 36.6339},
		{33.5711, 36.4036}, {35.3359, 40.1408}, {36.5847, 36.8653}, {32.6189, 36.1021}, {35.5167, 35.7833}, {36.6, 38.0},
		{34.5, 38.3}, {33.4, 36.3}, {35.95, 39.01}, {36.5, 40.75}, {33.6, 36.6}, {35.7, 36.3}, {32.7, 36.57}}
	actors := []string{"government-of-syria", "russia", "isis", "hts", "sdf", "turkey", "fsa", "jaysh-al-islam"}
	acts := []act.Type{act.Shelling, act.Airstrike, act.ArmedClash, act.IED, act.GroundAssault}
	words := strings.Fields("killed wounded civilians shelling airstrike clashes village town market hospital school mortar rocket barrel bombs regime rebels fighters army front")
	rng := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	var out []cluster.Facts
	var truth []int
	for ev := 0; len(out) < n; ev++ {
		town := towns[rng.IntN(len(towns))]
		lat, lon := town[0]+rng.NormFloat64()*0.1, town[1]+rng.NormFloat64()*0.1
		d := t0.AddDate(0, 0, rng.IntN(max(1, n*365/250_000)))
		a, b := actors[rng.IntN(len(actors))], actors[rng.IntN(len(actors))]
		kind := acts[rng.IntN(len(acts))]
		for k := 1 + rng.IntN(4); k > 0 && len(out) < n; k-- {
			span := incident.Day(d.Year(), d.Month(), d.Day(), time.UTC)
			if rng.IntN(5) == 0 {
				// A source unsure of the day says so.
				span = incident.Days(d, d.AddDate(0, 0, 1), time.UTC)
			}
			var text []string
			for range 6 {
				text = append(text, words[rng.IntN(len(words))])
			}
			r := incident.Report{
				Occurred: span,
				Place: incident.Place{Lat: lat + rng.NormFloat64()*0.01, Lon: lon + rng.NormFloat64()*0.01, HasPoint: true,
					Precision: incident.PlaceExact, Admin1: fmt.Sprintf("SY%02d", int(lat*3)%14)},
				Actors:      []incident.ActorRef{{ID: a, Role: incident.Perpetrator}, {ID: b, Role: incident.Target}},
				Act:         kind,
				Description: strings.Join(text, " "),
			}
			out = append(out, cluster.ReportFacts(r))
			truth = append(truth, ev)
		}
	}
	return out, truth
}

func TestSynthetic(t *testing.T) {
	rs, truth := synthetic(20000)
	links := cluster.Defaults().Run(rs, nil)
	groups := make([]int32, len(links))
	for i, l := range links {
		groups[i] = l.Group
	}
	pairs := cluster.Evaluate(groups, truth)
	t.Logf("20,000 synthetic reports: precision %.3f, recall %.3f (%+v)", pairs.Precision(), pairs.Recall(), pairs)
	if pairs.Recall() < 0.9 || pairs.Precision() < 0.5 {
		t.Errorf("precision %.3f, recall %.3f", pairs.Precision(), pairs.Recall())
	}
}

// BenchmarkRun clusters synthetic reports at three sizes, to show the
// cost per report growing no faster than log n, and at the largest with
// the text read too (a text threshold and boost).
func BenchmarkRun(b *testing.B) {
	for _, n := range []int{250_000, 500_000, 1_000_000} {
		rs, _ := synthetic(n)
		for _, text := range []bool{false, true} {
			if text && n != 1_000_000 {
				continue
			}
			name := fmt.Sprintf("n=%d", n)
			p := cluster.Defaults()
			if text {
				name += ",text"
				p.MinText, p.TextBoost = 0.1, 0.5
			}
			b.Run(name, func(b *testing.B) {
				for b.Loop() {
					p.Run(rs, nil)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/report")
			})
		}
	}
}
