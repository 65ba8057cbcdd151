// Package alert detects escalation: a day on which a district or an
// agreement zone counts far more incidents of a kind than its recent
// baseline makes probable. It reads daily counts and knows nothing of
// storage or HTTP; internal/app feeds it the incidents a viewer may see,
// and the backtest (docs/alerts.md) feeds it UCDP GED events.
//
// The test, for each unit, kind and day: the count x of the WindowDays
// ending with that day against the daily counts of the BaselineDays
// before them (mean m, variance v, scaled to the window). Under a Poisson
// model with that mean — or, when v > m, a negative binomial with the same
// mean and variance, since conflict counts come in bursts — the
// probability p of x or more incidents is computed; the day crosses the
// threshold when x ≥ MinCount and p < PValue. A crossing is an alert when
// no day of the same unit and kind crossed in the CoolDownDays before it,
// so that a sustained offensive is one alert at its start. Each alert
// carries its numbers, the incidents behind its count, and an English
// sentence saying all of it.
package alert

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/truce-monitor/truce/internal/act"
)

// Kind is a series of incidents counted apart.
type Kind string

const (
	// Violent counts every act of armed violence.
	Violent Kind = "violent"
	// Clashes counts fighting on the ground: clashes, assaults, seizures
	// of ground.
	Clashes Kind = "clashes"
	// AirShelling counts air strikes and shelling.
	AirShelling Kind = "air_shelling"
)

// AllKinds are the kinds, narrowest first.
var AllKinds = []Kind{Clashes, AirShelling, Violent}

// nKinds is len(AllKinds).
const nKinds = 3

var kindActs = map[Kind][]act.Type{
	Violent: {act.Airstrike, act.Shelling, act.ChemicalAttack, act.OtherExplosive, act.GroundAssault, act.ArmedClash,
		act.Sniping, act.IED, act.SuicideAttack, act.AttackOnCivilians, act.TerritorialGain},
	Clashes:     {act.ArmedClash, act.GroundAssault, act.TerritorialGain},
	AirShelling: {act.Airstrike, act.Shelling},
}

// Acts are the act types a kind counts.
func (k Kind) Acts() []act.Type { return slices.Clone(kindActs[k]) }

// KindsOf are the kinds an act is counted in (none for acts that are not
// armed violence: protests, arrests, sieges, aid obstruction, ...).
func KindsOf(t act.Type) []Kind {
	var out []Kind
	for i, k := range AllKinds {
		if actBits[t]&(1<<i) != 0 {
			out = append(out, k)
		}
	}
	return out
}

// words names n incidents of a kind in a sentence.
func (k Kind) words(n int) string {
	switch k {
	case Clashes:
		if n == 1 {
			return "1 clash"
		}
		return fmt.Sprintf("%d clashes", n)
	case AirShelling:
		if n == 1 {
			return "1 air strike or shelling"
		}
		return fmt.Sprintf("%d air strikes and shellings", n)
	}
	if n == 1 {
		return "1 violent incident"
	}
	return fmt.Sprintf("%d violent incidents", n)
}

// label names the kind as an adjective ("a clashes alert").
func (k Kind) label() string {
	switch k {
	case Clashes:
		return "clashes"
	case AirShelling:
		return "air/shelling"
	}
	return "violence"
}

// Level is what a unit is.
type Level string

const (
	// District is an OCHA admin2 unit, keyed by its P-code.
	District Level = "admin2"
	// Zone is an agreement's zone, keyed "agreement/zone".
	Zone Level = "zone"
)

// Unit is a place whose counts are tested.
type Unit struct {
	// Key identifies the unit among the events: a district's P-code
	// ("SY0307"), a zone's "agreement/zone" ("syria-coh-2016/DZ3").
	Key   string `json:"key"`
	Level Level  `json:"level"`
	// Name is the unit's own name ("Az-Zabdani", "Eastern Ghouta"); Within
	// what it lies in (the governorate's name, the agreement's id).
	Name   string `json:"name"`
	Within string `json:"within,omitempty"`
	// PCodes are the administrative units a zone is made of (a district's
	// own P-code is its Key).
	PCodes []string `json:"pcodes,omitempty"`
	// From and To bound the days the unit is tested, [From, To), zero for
	// open: a zone only while a version of its agreement has it. Counts
	// before From still make the baseline of its first days.
	From, To Day `json:"-"`
}

// tested reports whether d is a day the unit is tested.
func (u Unit) tested(d Day) bool {
	return (u.From == 0 || d >= u.From) && (u.To == 0 || d < u.To)
}

// label names the unit in a sentence.
func (u Unit) label() string {
	switch {
	case u.Level == Zone && u.Within != "":
		return fmt.Sprintf("Zone %s (%s) of %s", zoneID(u.Key), u.Name, u.Within)
	case u.Level == Zone:
		return fmt.Sprintf("Zone %s (%s)", zoneID(u.Key), u.Name)
	case u.Within != "" && u.Name != "":
		return fmt.Sprintf("%s, %s district", u.Within, u.Name)
	case u.Name != "":
		return u.Name + " district"
	}
	return u.Key
}

func zoneID(key string) string {
	if i := strings.LastIndexByte(key, '/'); i >= 0 {
		return key[i+1:]
	}
	return key
}

// Event is one incident as the detector counts it.
type Event struct {
	// ID is the incident's id (in the backtest, the GED event's).
	ID  int64
	Day Day
	Act act.Type
	// Units are the keys of the units it counts in: its district, and
	// the zones it lies in.
	Units []string
}

// Input is what the detector reads: the events, the units they name (a
// unit an event names that is not here is taken to be a district named
// by its key), and the days to test, [From, To). Events must cover the
// Config.History days before From as well, or the first baselines are
// too low.
type Input struct {
	From, To Day
	Units    []Unit
	Events   []Event
}

// Alert is one escalation. Its ID depends only on its kind, unit and day,
// so that a later run (over more incidents, in a longer period) finds the
// same escalation under the same ID and a delivery keyed by it is
// idempotent (docs/alerts.md).
type Alert struct {
	// ID is the first 16 bytes, in hex, of SHA-256("alert/v1|" kind "|"
	// unit key "|" day).
	ID    string `json:"id"`
	Day   string `json:"day"` // YYYY-MM-DD, local to the agreement's zone
	Kind  Kind   `json:"kind"`
	Level Level  `json:"level"`
	// Unit is the unit's key; PCode a district's P-code, Zone a zone's
	// "agreement/zone"; Zones the zones the counted incidents of a
	// district alert lie in.
	Unit     string   `json:"unit"`
	UnitName string   `json:"unit_name"`
	Within   string   `json:"within,omitempty"`
	PCode    string   `json:"pcode,omitempty"`
	Zone     string   `json:"zone,omitempty"`
	Zones    []string `json:"zones,omitempty"`
	// Count is the incidents of the WindowDays ending with Day.
	Count      int `json:"count"`
	WindowDays int `json:"window_days"`
	// Baseline is the mean count a day over the BaselineDays before the
	// window;
	// Variance its sample variance; Model the test ("poisson",
	// "negative_binomial"); P the probability of Count or more under it.
	Baseline     float64 `json:"baseline"`
	Variance     float64 `json:"variance"`
	BaselineDays int     `json:"baseline_days"`
	Model        string  `json:"model"`
	P            float64 `json:"p"`
	// Previous is the day of the previous alert of this unit and kind in
	// the period examined, "" for the first; Since is where that period
	// starts.
	Previous string `json:"previous,omitempty"`
	Since    string `json:"since"`
	// Incidents are the ids of the incidents counted (GED event ids in
	// the backtest).
	Incidents []int64 `json:"incidents"`
	// Text says all of the above in English; a UI translating it builds
	// its own sentence from the fields.
	Text string `json:"text"`
}

// AlertID is an alert's ID.
func AlertID(k Kind, unit string, d Day) string {
	h := sha256.Sum256([]byte("alert/v1|" + string(k) + "|" + unit + "|" + d.String()))
	return hex.EncodeToString(h[:16])
}

// series is one unit's counts of one kind, day by day from the first day
// read.
type series struct {
	unit   int
	kind   Kind
	counts []int32
}

// kindBits are kinds as bits, by their place in AllKinds.
type kindBits uint8

// actBits are the kinds of each act, made once.
var actBits = func() map[act.Type]kindBits {
	m := map[act.Type]kindBits{}
	for i, k := range AllKinds {
		for _, a := range kindActs[k] {
			m[a] |= 1 << i
		}
	}
	return m
}()

// ref is an event counted in a unit, for finding the incidents behind
// an alert without looking its units up again.
type ref struct {
	event int32
	unit  int32
	kinds kindBits
}

// Detect finds the alerts of the days [in.From, in.To), in order of day,
// level, unit and kind. It is deterministic: the same input and
// thresholds give the same alerts, byte for byte.
func Detect(in Input, c Config) ([]Alert, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if in.To <= in.From {
		return nil, nil
	}
	first := in.From - Day(c.History())
	n := int(in.To - first)

	units := slices.Clone(in.Units)
	index := make(map[string]int, len(units))
	for i, u := range units {
		index[u.Key] = i
	}
	var wanted kindBits
	for i, k := range AllKinds {
		if slices.Contains(c.Kinds, k) {
			wanted |= 1 << i
		}
	}

	// Count.
	var all [][nKinds]*series // by unit, then kind
	refs := make([]ref, 0, len(in.Events))
	lastAct, lastBits := act.Type(""), kindBits(0)
	for ei, e := range in.Events {
		if e.Day < first || e.Day >= in.To {
			continue
		}
		if e.Act != lastAct {
			lastAct, lastBits = e.Act, actBits[e.Act]
		}
		bits := lastBits & wanted
		if bits == 0 {
			continue
		}
		for _, key := range e.Units {
			u, ok := index[key]
			if !ok {
				u = len(units)
				index[key] = u
				units = append(units, Unit{Key: key, Level: District, Name: key})
			}
			if !slices.Contains(c.Levels, units[u].Level) {
				continue
			}
			for len(all) <= u {
				all = append(all, [nKinds]*series{})
			}
			for k := range AllKinds {
				if bits&(1<<k) == 0 {
					continue
				}
				s := all[u][k]
				if s == nil {
					s = &series{unit: u, kind: AllKinds[k], counts: make([]int32, n)}
					all[u][k] = s
				}
				s.counts[e.Day-first]++
			}
			refs = append(refs, ref{int32(ei), int32(u), bits})
		}
	}

	// Test.
	type hit struct {
		s   *series
		day Day
		alert
	}
	var hits []hit
	sum, sq := make([]float64, n+1), make([]float64, n+1)
	for _, byKind := range all {
		for _, s := range byKind {
			if s == nil {
				continue
			}
			u := units[s.unit]
			prefix(s.counts, sum, sq)
			crossed, lastCross := false, Day(0)
			for i := c.History() - c.CoolDownDays; i < n; i++ {
				d := first + Day(i)
				x := int(sum[i+1] - sum[i+1-c.WindowDays])
				if x < c.MinCount || !u.tested(d) {
					continue
				}
				a := test(x, sum, sq, i, c)
				if a.p >= c.PValue {
					continue
				}
				if d >= in.From && (!crossed || d-lastCross > Day(c.CoolDownDays)) {
					hits = append(hits, hit{s, d, a})
				}
				crossed, lastCross = true, d
			}
		}
	}

	// A violence alert says nothing a narrower one of the same unit and
	// day does not: it is kept only where no narrower kind alerted.
	type unitDay struct {
		unit int
		day  Day
	}
	narrow := map[unitDay]bool{}
	for _, h := range hits {
		if h.s.kind != Violent {
			narrow[unitDay{h.s.unit, h.day}] = true
		}
	}
	hits = slices.DeleteFunc(hits, func(h hit) bool { return h.s.kind == Violent && narrow[unitDay{h.s.unit, h.day}] })

	sort.Slice(hits, func(i, j int) bool {
		a, b := hits[i], hits[j]
		if a.day != b.day {
			return a.day < b.day
		}
		ua, ub := units[a.s.unit], units[b.s.unit]
		if ua.Level != ub.Level {
			return ua.Level < ub.Level
		}
		if ua.Key != ub.Key {
			return ua.Key < ub.Key
		}
		return slices.Index(AllKinds, a.s.kind) < slices.Index(AllKinds, b.s.kind)
	})

	// The incidents behind each count: those of its window, in its unit,
	// of its kind.
	byUnit := map[int32][]int{}
	for i, h := range hits {
		byUnit[int32(h.s.unit)] = append(byUnit[int32(h.s.unit)], i)
	}
	ids := make([][]int64, len(hits))
	zones := make([][]string, len(hits))
	for _, r := range refs {
		his, ok := byUnit[r.unit]
		if !ok {
			continue
		}
		e := in.Events[r.event]
		for _, i := range his {
			h := hits[i]
			if r.kinds&(1<<slices.Index(AllKinds, h.s.kind)) == 0 || e.Day > h.day || e.Day <= h.day-Day(c.WindowDays) {
				continue
			}
			ids[i] = append(ids[i], e.ID)
			if units[h.s.unit].Level != District {
				continue
			}
			for _, z := range e.Units {
				if j, ok := index[z]; ok && units[j].Level == Zone && !slices.Contains(zones[i], z) {
					zones[i] = append(zones[i], z)
				}
			}
		}
	}

	type sk struct {
		unit int
		kind Kind
	}
	out := make([]Alert, 0, len(hits))
	last := map[sk]Day{}
	for i, h := range hits {
		u := units[h.s.unit]
		slices.Sort(ids[i])
		slices.Sort(zones[i])
		al := Alert{
			ID:           AlertID(h.s.kind, u.Key, h.day),
			Day:          h.day.String(),
			Kind:         h.s.kind,
			Level:        u.Level,
			Unit:         u.Key,
			UnitName:     u.Name,
			Within:       u.Within,
			Zones:        zones[i],
			Count:        h.x,
			Baseline:     h.mean,
			Variance:     h.variance,
			BaselineDays: c.BaselineDays,
			Model:        h.model,
			P:            h.p,
			Since:        in.From.String(),
			Incidents:    ids[i],
		}
		if u.Level == Zone {
			al.Zone = u.Key
		} else {
			al.PCode = u.Key
		}
		if prev, ok := last[sk{h.s.unit, h.s.kind}]; ok {
			al.Previous = prev.String()
		}
		last[sk{h.s.unit, h.s.kind}] = h.day
		al.WindowDays = c.WindowDays
		al.Text = explain(al, u, h.day, in.From)
		out = append(out, al)
	}
	return out, nil
}

// alert is the numbers of one day's test.
type alert struct {
	x              int
	mean, variance float64
	p              float64
	model          string
}

// prefix fills sum and sq (one longer than counts) with the running sums
// of counts and of their squares, so that any window's mean and variance
// cost two subtractions.
func prefix(counts []int32, sum, sq []float64) {
	for i, c := range counts {
		sum[i+1] = sum[i] + float64(c)
		sq[i+1] = sq[i] + float64(c)*float64(c)
	}
}

// test is the test of the window ending on day i, whose count is x,
// against the BaselineDays before the window: the days taken to be
// independent, the window's count has WindowDays times a day's mean and
// variance.
func test(x int, sum, sq []float64, i int, c Config) alert {
	b := float64(c.BaselineDays)
	hi := i + 1 - c.WindowDays
	lo := hi - c.BaselineDays
	s, s2 := sum[hi]-sum[lo], sq[hi]-sq[lo]
	mean := s / b
	variance := math.Max(0, (s2-b*mean*mean)/(b-1))
	a := alert{x: x, mean: mean, variance: variance}
	w := float64(c.WindowDays)
	if float64(x) <= w*math.Max(mean, c.MinRate) {
		a.p, a.model = 1, ModelPoisson
		return a
	}
	a.p, a.model = tail(x, w*mean, w*variance, c)
	return a
}
