// Package cluster decides which reports describe the same event. A report
// joins an incident when the two are close in time and space (each as
// precise as its source says), name compatible actors and act types, and
// score high enough overall. Texts are compared through a signature that
// holds across scripts and transliterations (numbers and the consonant
// skeletons of words, see Sign): among incidents that match equally well
// a report joins the one whose text is most like its own, and, when the
// thresholds ask for it (MinText, TextBoost), text similarity can rule a
// merge out or add to its score. Every decision comes with its reasons,
// in words.
//
// The same test serves intake (one new report against the incidents near
// it) and batch clustering (every report, in time order, against the
// incidents opened before it), so the two give the same answer.
package cluster

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/gazetteer"
	"github.com/truce-monitor/truce/internal/incident"
)

// Params are the thresholds, documented in docs/clustering.md.
type Params struct {
	// Slack widens each time span on both sides before testing overlap.
	// It is 0 by default: a span already says how uncertain its source is
	// (a day, a week), and events on consecutive days at one place are
	// separate events in the field's datasets.
	Slack time.Duration `yaml:"slack"`
	// MaxSpan: a report or incident known only to within a longer span
	// (a month, say) is too vague to merge automatically.
	MaxSpan time.Duration `yaml:"max_span"`
	// MaxKm is how far apart two exact points may be; each point known
	// only "near" a place widens it by NearKm.
	MaxKm  float64 `yaml:"max_km"`
	NearKm float64 `yaml:"near_km"`
	// MinScore is the score needed to merge, from 0 to 1.
	MinScore float64 `yaml:"min_score"`
	// TextBoost is the most text similarity (TextSimilarity) adds: the
	// score moves this fraction of the way to 1 at similarity 1. It is 0
	// by default (docs/clustering.md says why).
	TextBoost float64 `yaml:"text_boost"`
	// MinText is the text similarity needed to merge when both texts say
	// enough to be judged; 0, the default, requires none.
	MinText float64 `yaml:"min_text"`
}

// Defaults are the thresholds truce ships with.
func Defaults() Params {
	return Params{Slack: 0, MaxSpan: 8 * 24 * time.Hour, MaxKm: 5, NearKm: 25, MinScore: 0.75}
}

// Validate names the first threshold out of range.
func (p Params) Validate() error {
	switch {
	case p.Slack < 0 || p.MaxSpan <= 0:
		return fmt.Errorf("cluster: slack must be ≥ 0 and max_span > 0")
	case p.MaxKm <= 0 || p.NearKm < 0:
		return fmt.Errorf("cluster: max_km must be > 0 and near_km ≥ 0")
	case p.MinScore <= 0 || p.MinScore > 1:
		return fmt.Errorf("cluster: min_score must be in (0, 1]")
	case p.TextBoost < 0 || p.TextBoost > 1:
		return fmt.Errorf("cluster: text_boost must be in [0, 1]")
	case p.MinText < 0 || p.MinText > 1:
		return fmt.Errorf("cluster: min_text must be in [0, 1]")
	}
	return nil
}

// Weights of the parts of the score (text aside).
const (
	wTime   = 0.25
	wPlace  = 0.35
	wActors = 0.25
	wAct    = 0.15
)

// Facts are what clustering reads of a report or an incident.
type Facts struct {
	Start, End int64 // unix seconds, [Start, End)
	// Point is set when the point means something (exact or near).
	Point    bool
	Near     bool // the point is only near the place
	Lat, Lon float64
	// Areas are the administrative units known to contain the place,
	// coarsest first (admin1, admin2, admin3).
	Areas []string
	// Actors are registry ids, or folded names when unresolved.
	Actors []string
	Act    act.Type
	// Text is the signature of the report's description or the
	// incident's title (see Sign).
	Text Signature
	// Datasets are the curated datasets (ACLED, UCDP) the records come
	// from: a dataset never records one event twice, so two of its
	// records are two events by its own account.
	Datasets []string
}

// ReportFacts reads a report.
func ReportFacts(r incident.Report) Facts {
	f := facts(r.Occurred, r.Place, r.Actors, r.Act, r.Description)
	if r.Kind == incident.FromDataset {
		f.Datasets = []string{r.Source}
	}
	return f
}

// IncidentFacts reads an incident: its facts as merged from its reports,
// and its title.
func IncidentFacts(in incident.Incident) Facts {
	f := facts(in.Occurred, in.Place, in.Actors, in.Act, in.Title)
	f.Datasets = in.Datasets
	return f
}

func facts(span incident.TimeSpan, pl incident.Place, actors []incident.ActorRef, a act.Type, text string) Facts {
	f := Facts{Start: span.Start.Unix(), End: span.End.Unix(), Act: a, Text: Sign(text)}
	if pl.HasPoint && pl.Precision.PointMeaningful() {
		f.Point, f.Near, f.Lat, f.Lon = true, pl.Precision == incident.PlaceNear, pl.Lat, pl.Lon
	}
	f.Areas = areas(pl)
	for _, ar := range actors {
		k := ar.ID
		if k == "" {
			k = gazetteer.Fold(ar.Name)
		}
		if k != "" && !slices.Contains(f.Actors, k) {
			f.Actors = append(f.Actors, k)
		}
	}
	return f
}

// areas lists the P-codes known to contain the place, coarsest first.
// P-codes nest by prefix (SY07, SY0703, SY070300).
func areas(pl incident.Place) []string {
	finest := pl.Admin3
	if !pl.HasPoint || !pl.Precision.PointMeaningful() {
		if pl.Area != "" {
			finest = pl.Area
		}
	}
	if finest == "" {
		finest = pl.Admin2
	}
	if finest == "" {
		finest = pl.Admin1
	}
	var out []string
	for _, n := range []int{4, 6, 8} {
		if len(finest) >= n {
			out = append(out, finest[:n])
		}
	}
	return out
}

// Match is the test of one report against one incident.
type Match struct {
	OK    bool
	Score float64
	// Why says, in words, what the score rests on, or what ruled the
	// merge out.
	Why string
}

// family groups act types that sources describing one event confuse.
var family = map[act.Type][]string{
	act.Airstrike: {"bombardment"}, act.Shelling: {"bombardment"}, act.OtherExplosive: {"bombardment", "bombing"},
	act.ChemicalAttack: {"bombardment"}, act.IED: {"bombing"}, act.SuicideAttack: {"bombing"},
	act.GroundAssault: {"fighting"}, act.ArmedClash: {"fighting"}, act.Sniping: {"fighting"}, act.TerritorialGain: {"fighting"},
	act.AttackOnCivilians: {"bombardment", "bombing", "fighting", "abuse"}, act.ArrestAbduction: {"abuse"},
	act.PropertyDamage: {"abuse", "fighting"}, act.Displacement: {"abuse"},
	act.Siege: {"siege"}, act.AidObstruction: {"siege"},
	act.Protest: {"unrest"}, act.Riot: {"unrest"},
}

func sameFamily(a, b act.Type) bool {
	for _, f := range family[a] {
		if slices.Contains(family[b], f) {
			return true
		}
	}
	return false
}

// Test decides whether report r describes the event of incident in.
func (p Params) Test(r, in Facts) Match { return p.test(&r, &in, true) }

// test scores r against in; the reasons are put in words only when
// explain is set, as batch clustering tests many candidates for each one
// it keeps.
func (p Params) test(r, in *Facts, explain bool) Match {
	var why []string
	say := func(format string, args ...any) {
		if explain {
			why = append(why, fmt.Sprintf(format, args...))
		}
	}
	no := func(format string, args ...any) Match {
		if !explain {
			return Match{}
		}
		return Match{Why: fmt.Sprintf(format, args...)}
	}
	for _, d := range r.Datasets {
		if slices.Contains(in.Datasets, d) {
			return no("two records of the dataset %s", d)
		}
	}
	// Time.
	lo, hi := max(r.Start, in.Start), min(r.End, in.End)
	slack := int64(p.Slack / time.Second)
	maxSpan := int64(p.MaxSpan / time.Second)
	switch {
	case r.End-r.Start > maxSpan || in.End-in.Start > maxSpan:
		return no("a time span too long to merge automatically")
	case hi <= lo-2*slack:
		return no("%s apart in time", hours(lo-hi))
	}
	tScore := 1.0
	switch {
	case r.Start == in.Start && r.End == in.End && r.End-r.Start <= 86400:
		say("same day")
	case hi > lo:
		say("overlapping times")
	case hi == lo:
		tScore = 0.9
		say("consecutive times")
	default:
		tScore = 0.9 - 0.4*float64(lo-hi)/float64(2*slack)
		say("%s apart in time", hours(lo-hi))
	}
	if max(r.End-r.Start, in.End-in.Start) > 2*86400 {
		tScore *= 0.6
	}

	// Place.
	var pScore float64
	switch {
	case r.Point && in.Point:
		d := Km(r.Lat, r.Lon, in.Lat, in.Lon)
		tol := p.MaxKm
		if r.Near {
			tol += p.NearKm
		}
		if in.Near {
			tol += p.NearKm
		}
		if d > tol {
			return no("%.1f km apart", d)
		}
		switch {
		case d <= p.MaxKm:
			pScore = 1 - 0.5*d/p.MaxKm
			if r.Near || in.Near {
				pScore *= 0.8
			}
		default:
			// Within reach only because a point is approximate: as weak
			// as sharing a district.
			pScore = 0.2
		}
		say("%.1f km apart", d)
	default:
		// One place is known only as an area: the two must nest.
		n := 0
		for n < len(r.Areas) && n < len(in.Areas) && r.Areas[n] == in.Areas[n] {
			n++
		}
		if n == 0 || (n < len(r.Areas) && n < len(in.Areas)) {
			return no("places in different areas, or unknown")
		}
		pScore = []float64{0, 0, 0.2, 0.5}[min(len(r.Areas), len(in.Areas))]
		say("both in %s", in.Areas[n-1])
	}

	// Actors: when both name some, they must share one.
	aScore := 0.5
	if len(r.Actors) > 0 && len(in.Actors) > 0 {
		shared := 0
		for _, a := range r.Actors {
			if slices.Contains(in.Actors, a) {
				shared++
			}
		}
		if shared == 0 {
			return no("no actor in common")
		}
		// Two accounts that each name both sides must name the same
		// sides: "government against IS" is not "government against
		// the opposition" on the same day in the same place.
		if len(r.Actors) >= 2 && len(in.Actors) >= 2 && shared < min(len(r.Actors), len(in.Actors)) {
			return no("different actors (%s; %s)", strings.Join(r.Actors, ", "), strings.Join(in.Actors, ", "))
		}
		aScore = float64(shared) / float64(min(len(r.Actors), len(in.Actors)))
		if explain {
			var names []string
			for _, a := range r.Actors {
				if slices.Contains(in.Actors, a) {
					names = append(names, a)
				}
			}
			say("same actors (%s)", strings.Join(names, ", "))
		}
	} else {
		say("actors not named by both")
	}

	// Act types.
	cScore := 1.0
	switch {
	case r.Act == in.Act:
		say("same act (%s)", r.Act)
	case r.Act == act.Unknown || in.Act == act.Unknown || r.Act == act.Other || in.Act == act.Other || r.Act == "" || in.Act == "":
		cScore = 0.5
	case sameFamily(r.Act, in.Act):
		cScore = 0.6
		say("related acts (%s, %s)", r.Act, in.Act)
	default:
		return no("different acts (%s, %s)", r.Act, in.Act)
	}

	// Text, when read at all: two texts that say enough to be judged
	// must share at least MinText, and what they share adds to the score.
	score := (wTime*tScore + wPlace*pScore + wActors*aScore + wAct*cScore)
	if p.MinText > 0 || p.TextBoost > 0 {
		sim := TextSimilarity(r.Text, in.Text)
		if sim >= 0 && sim < p.MinText {
			return no("texts too different (similarity %.2f below %.2f)", sim, p.MinText)
		}
		if sim >= 0 {
			score += (1 - score) * p.TextBoost * sim
			say("text similarity %.2f", sim)
		}
	}
	m := Match{Score: score, OK: score >= p.MinScore}
	if !explain {
		return m
	}
	m.Why = strings.Join(why, ", ") + fmt.Sprintf("; score %.2f", score)
	if !m.OK {
		m.Why += fmt.Sprintf(" below %.2f", p.MinScore)
	}
	return m
}

func hours(sec int64) string {
	h := float64(sec) / 3600
	if h >= 48 {
		return fmt.Sprintf("%.0f days", h/24)
	}
	return fmt.Sprintf("%.0f h", h)
}

// Km is the great-circle distance between two points.
func Km(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0
	φ1, φ2 := lat1*math.Pi/180, lat2*math.Pi/180
	dφ, dλ := φ2-φ1, (lon2-lon1)*math.Pi/180
	a := math.Sin(dφ/2)*math.Sin(dφ/2) + math.Cos(φ1)*math.Cos(φ2)*math.Sin(dλ/2)*math.Sin(dλ/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}

// Best returns the index of the candidate that r matches best, and the
// match; -1 when none matches.
func (p Params) Best(r Facts, candidates []Facts) (int, Match) {
	var c chooser
	for i := range candidates {
		c.offer(&r, int32(i), &candidates[i], p.test(&r, &candidates[i], false))
	}
	if !c.found {
		return -1, Match{}
	}
	return int(c.best), p.test(&r, &candidates[c.best], true)
}

// chooser keeps the best of the candidates a report matches: the highest
// score and, among candidates that score alike (several incidents with the
// same facts), the one whose text is most like the report's.
type chooser struct {
	best  int32
	score float64
	sim   float64 // the best's text similarity, once needed
	facts *Facts
	found bool
}

// tie is how close two scores are to count as alike; notYet marks a
// text similarity not computed yet.
const (
	tie    = 1e-9
	notYet = -2
)

func (c *chooser) offer(r *Facts, g int32, f *Facts, m Match) {
	if !m.OK {
		return
	}
	if !c.found || m.Score > c.score+tie {
		*c = chooser{best: g, score: m.Score, sim: notYet, facts: f, found: true}
		return
	}
	if m.Score < c.score-tie || len(r.Text) == 0 {
		return
	}
	// A text too short to judge (-1) ranks as one sharing nothing.
	if c.sim == notYet {
		c.sim = max(TextSimilarity(r.Text, c.facts.Text), 0)
	}
	if s := max(TextSimilarity(r.Text, f.Text), 0); s > c.sim {
		*c = chooser{best: g, score: m.Score, sim: s, facts: f, found: true}
	}
}
