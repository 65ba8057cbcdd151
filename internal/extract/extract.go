// Package extract reads facts from the words of a report: a news article,
// a dataset's headline or notes, a monitor's description. From a text, its
// publication time and its language it proposes dates, places, actors with
// their roles, act types, numbers of dead and wounded, and who initiated,
// each with the byte span of the words it rests on and a confidence.
// Nothing is proposed without a span, and nothing is guessed: a place name
// the gazetteer cannot settle is not proposed as a pick, an actor name not
// in the registry or the lexicon is not read, and a date written in an
// ambiguous form (7/12/2016) is left alone.
//
// The words it reads are data: one lexicon file per language under
// lexicon/ (docs/extraction.md). English and Arabic are read first-class;
// Russian, Turkish and Persian through smaller lexicons of the same form.
// It reads no network and keeps no state between texts: one Extractor
// serves all goroutines.
package extract

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"
	"unicode"

	"github.com/truce-monitor/truce/internal/actor"
	"github.com/truce-monitor/truce/internal/gazetteer"
	"github.com/truce-monitor/truce/internal/incident"
)

// Text is a text to read.
type Text struct {
	Body string
	// Language is en, ar, ru, tr or fa; empty (or another language): guessed
	// from the script (see GuessLanguage).
	Language string
	// Published is when the text was published: "yesterday", "on Tuesday",
	// "أمس", "вчера", "dün", "دیروز" are read from it, and a date written
	// without its year takes its year (or the year before, when that would
	// put the date more than a week after it). Zero: the first full date
	// the text writes (a dateline) stands in for it, and the Rule of each
	// fact resolved so says so.
	Published time.Time
	// Location is the zone in which Published's day is taken (the
	// agreement's zone); nil: UTC.
	Location *time.Location
}

// Fields of the facts proposed, as incident.TextFact.Field.
const (
	FieldDate      = "date"
	FieldPlace     = "place"
	FieldActor     = "actor"
	FieldAct       = "act"
	FieldKilled    = "killed"
	FieldWounded   = "wounded"
	FieldCivilians = "civilians"
	FieldChildren  = "children"
	FieldInitiator = "initiator"
)

// Fields are the fields in the order facts are reported.
var Fields = []string{FieldDate, FieldPlace, FieldActor, FieldAct, FieldKilled, FieldWounded, FieldCivilians, FieldChildren, FieldInitiator}

// Roles of an actor.
const (
	RolePerpetrator = "perpetrator"
	RoleTarget      = "target"
	RoleSideA       = "side_a"
	RoleSideB       = "side_b"
)

// Extractor reads texts. It is built once (New) and is safe for
// concurrent use.
type Extractor struct {
	places    *gazetteer.Gazetteer
	actors    *actor.Registry
	langs     map[string]*language
	actorVals []ActorEntry
	// units are the administrative units by P-code.
	units map[string]gazetteer.Place
	// subDistricts counts the sub-districts of each governorate.
	subDistricts map[string]int
	pool         sync.Pool
	cache        cache
}

// language is one language's compiled lexicon.
type language struct {
	code string
	lex  *Lexicon
	trie *trie
	// placeVals are the places of places.names and places.aliases.
	placeVals []gazetteer.Place
}

// New builds an extractor on a gazetteer and an actor registry, with the
// embedded lexicons. Every act type, actor id and P-code a lexicon names
// must exist; otherwise New says which do not.
func New(places *gazetteer.Gazetteer, actors *actor.Registry) (*Extractor, error) {
	if places == nil || actors == nil {
		return nil, errors.New("extract: New needs a gazetteer and an actor registry")
	}
	lexs, err := loadLexicons()
	if err != nil {
		return nil, err
	}
	return NewWith(places, actors, lexs)
}

// NewWith builds an extractor with the given lexicons (by language)
// instead of the embedded ones.
func NewWith(places *gazetteer.Gazetteer, actors *actor.Registry, lexicons map[string]*Lexicon) (*Extractor, error) {
	x := &Extractor{places: places, actors: actors, langs: map[string]*language{}, units: map[string]gazetteer.Place{}, subDistricts: map[string]int{}}
	for _, p := range places.Places() {
		switch p.Kind {
		case gazetteer.Governorate, gazetteer.District, gazetteer.SubDistrict:
			x.units[p.PCode] = p
			if p.Kind == gazetteer.SubDistrict {
				x.subDistricts[p.Admin1]++
			}
		}
	}
	var errs []error
	for _, code := range sortedKeys(lexicons) {
		L, err := x.compile(lexicons[code])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		x.langs[code] = L
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(x.langs) == 0 {
		return nil, errors.New("extract: no lexicon")
	}
	x.pool.New = func() any { return &doc{} }
	return x, nil
}

// GuessLanguage names the language of a text from its script: Arabic
// script is Persian when it has a letter Arabic does not use (پ چ ژ گ ک ی),
// Arabic otherwise; Cyrillic is Russian; Latin with ğ, ş, ı or İ is
// Turkish; anything else English. The script with the most letters counts.
func GuessLanguage(s string) string {
	var arabic, persian, cyrillic, latin, turkish int
	for _, r := range s {
		switch {
		case r == 'پ' || r == 'چ' || r == 'ژ' || r == 'گ' || r == 'ک' || r == 'ی':
			persian++
			arabic++
		case r >= 0x600 && r <= 0x6FF:
			if unicode.IsLetter(r) {
				arabic++
			}
		case r >= 0x400 && r <= 0x4FF:
			cyrillic++
		case r == 'ğ' || r == 'Ğ' || r == 'ş' || r == 'Ş' || r == 'ı' || r == 'İ':
			turkish++
			latin++
		case r < 0x250 && unicode.IsLetter(r):
			latin++
		}
	}
	switch {
	case arabic > 0 && arabic >= latin && arabic >= cyrillic:
		if persian > 0 {
			return "fa"
		}
		return "ar"
	case cyrillic > 0 && cyrillic >= latin:
		return "ru"
	case turkish > 0:
		return "tr"
	}
	return "en"
}

// Language is the language Extract reads t in.
func (x *Extractor) Language(t Text) string {
	if _, ok := x.langs[t.Language]; ok {
		return t.Language
	}
	if g := GuessLanguage(t.Body); x.langs[g] != nil {
		return g
	}
	return "en"
}

// doc is the state of reading one text.
type doc struct {
	x    *Extractor
	L    *language
	text string
	loc  *time.Location
	toks []token
	hits []hit
	// hitAt[i]:hitAt[i+1] are the hits starting at token i.
	hitAt []int32
	// mask[i] has bit s set when a phrase of section s starts at token i.
	mask []uint64
	// sent is each token's sentence number.
	sent []int32
	// used marks tokens a date or another pattern has read, so that a
	// number of a date is not read as a count of dead.
	used []bool
	// anchor is the day relative dates are read from.
	anchor         time.Time
	anchorOK       bool
	anchorFromText bool
	mentions       []mention
	acts           []actMention
	facts          []incident.TextFact
	// placeNotes are the places behind place facts, by fact index.
	placeNotes []placeNote
	// denials are the first denial cue of each sentence that has one.
	denials map[int32]int
	// inMention and taken are the place reader's scratch marks.
	inMention, taken []bool
}

type placeNote struct {
	fact int
	p    gazetteer.Place
}

func (d *doc) placeOf(fact int, p gazetteer.Place) {
	d.placeNotes = append(d.placeNotes, placeNote{fact, p})
}

func (d *doc) reset(x *Extractor, L *language, t Text) {
	d.x, d.L, d.text = x, L, t.Body
	d.loc = t.Location
	if d.loc == nil {
		d.loc = time.UTC
	}
	d.toks = tokenize(t.Body, L.code, d.toks)
	n := len(d.toks)
	d.hits = d.hits[:0]
	d.hitAt = resize(d.hitAt, n+1)
	d.mask = resize(d.mask, n)
	d.sent = resize(d.sent, n)
	d.used = resize(d.used, n)
	d.inMention = resize(d.inMention, n)
	d.taken = resize(d.taken, n)
	var s int32
	for i := range d.toks {
		d.sent[i] = s
		if d.toks[i].is(fBound) {
			s++
		}
		d.hitAt[i] = int32(len(d.hits))
		d.hits = L.trie.matchAt(d.toks, i, d.hits)
		for _, h := range d.hits[d.hitAt[i]:] {
			d.mask[i] |= 1 << h.sec
		}
	}
	d.hitAt[n] = int32(len(d.hits))
	d.anchor, d.anchorOK, d.anchorFromText = time.Time{}, false, false
	if !t.Published.IsZero() {
		p := t.Published.In(d.loc)
		d.anchor = time.Date(p.Year(), p.Month(), p.Day(), 0, 0, 0, 0, time.UTC)
		d.anchorOK = true
	}
	d.mentions = d.mentions[:0]
	d.acts = d.acts[:0]
	d.facts = d.facts[:0]
	d.placeNotes = d.placeNotes[:0]
	d.denials = nil
	d.placeNotes = d.placeNotes[:0]
}

// resize returns s with length n and zero values, reusing its array.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/2)
	}
	s = s[:n]
	clear(s)
	return s
}

// hitsAt are the phrases starting at token i.
func (d *doc) hitsAt(i int) []hit {
	if i < 0 || i >= len(d.toks) {
		return nil
	}
	return d.hits[d.hitAt[i]:d.hitAt[i+1]]
}

// find returns the longest phrase of section sec starting at token i.
func (d *doc) find(i int, sec section) (hit, bool) {
	if i < 0 || i >= len(d.toks) || d.mask[i]&(1<<sec) == 0 {
		return hit{}, false
	}
	var best hit
	ok := false
	for _, h := range d.hitsAt(i) {
		if h.sec == sec && (!ok || h.n > best.n) {
			best, ok = h, true
		}
	}
	return best, ok
}

// findAny returns the longest phrase of any of the sections at token i;
// of phrases of one length, the one of the section named first.
func (d *doc) findAny(i int, secs ...section) (hit, bool) {
	if i < 0 || i >= len(d.toks) {
		return hit{}, false
	}
	var want uint64
	for _, s := range secs {
		want |= 1 << s
	}
	if d.mask[i]&want == 0 {
		return hit{}, false
	}
	var best hit
	bestRank := 0
	ok := false
	for _, h := range d.hitsAt(i) {
		for rank, s := range secs {
			if h.sec == s && (!ok || h.n > best.n || h.n == best.n && rank < bestRank) {
				best, bestRank, ok = h, rank, true
			}
		}
	}
	return best, ok
}

// next is the index of the first token after i that matching does not
// look through, or len(toks).
func (d *doc) next(i int) int {
	j := i + 1
	for j < len(d.toks) && d.toks[j].skip() {
		j++
	}
	return j
}

// prev is the index of the first token before i that matching does not
// look through, or -1.
func (d *doc) prev(i int) int {
	j := i - 1
	for j >= 0 && d.toks[j].skip() {
		j--
	}
	return j
}

// span returns the byte span from the start of token a to the end of
// token b (inclusive).
func (d *doc) span(a, b int) (int, int) {
	return d.toks[a].start, d.toks[b].end
}

// denied reports whether token i follows a denial ("denied", "نفى") in its
// sentence: what is said there is not asserted.
func (d *doc) denied(i int) bool {
	if d.denials == nil {
		d.denials = map[int32]int{}
		for k := range d.toks {
			if _, ok := d.find(k, secDenial); ok {
				if _, seen := d.denials[d.sent[k]]; !seen {
					d.denials[d.sent[k]] = k
				}
			}
		}
	}
	k, ok := d.denials[d.sent[i]]
	return ok && i > k
}

// add records a fact on tokens a..b (inclusive).
func (d *doc) add(field, value, role, precision string, a, b int, conf float64, rule string) {
	if (field == FieldAct || field == FieldInitiator) && d.denied(a) {
		return
	}
	s, e := d.span(a, b)
	d.addSpan(field, value, role, precision, s, e, conf, rule)
}

func (d *doc) addSpan(field, value, role, precision string, s, e int, conf float64, rule string) {
	if s < 0 || e > len(d.text) || s >= e || value == "" {
		return // never a fact without a span
	}
	d.facts = append(d.facts, incident.TextFact{
		Field: field, Value: value, Role: role, Precision: precision,
		Quote: d.text[s:e], Start: s, End: e, Confidence: round2(conf), Rule: rule,
	})
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

// Extract proposes the facts of a text, each with the span of Body it
// rests on (Quote is Body[Start:End]), a confidence and the rule that read
// it. Text, Used and Conflict are left to the caller. Facts come in the
// order of their spans.
func (x *Extractor) Extract(t Text) []incident.TextFact {
	facts, _ := x.extract(t, false)
	return facts
}

// extract reads a text; with places, it also returns, for each place
// fact, the gazetteer's place it stands for (nil for other facts).
func (x *Extractor) extract(t Text, places bool) ([]incident.TextFact, []*gazetteer.Place) {
	if t.Body == "" {
		return nil, nil
	}
	L := x.langs[x.Language(t)]
	if L == nil {
		return nil, nil
	}
	d := x.pool.Get().(*doc)
	d.reset(x, L, t)
	d.dates()
	d.readActs()
	d.readActors()
	d.casualties()
	d.placesPass()
	facts := make([]incident.TextFact, len(d.facts))
	copy(facts, d.facts)
	if !places {
		d.text = ""
		x.pool.Put(d)
		slices.SortStableFunc(facts, func(a, b incident.TextFact) int {
			if a.Start != b.Start {
				return a.Start - b.Start
			}
			return fieldRank(a.Field) - fieldRank(b.Field)
		})
		return facts, nil
	}
	var pts []*gazetteer.Place
	if places {
		pts = make([]*gazetteer.Place, len(facts))
		for _, n := range d.placeNotes {
			p := n.p
			pts[n.fact] = &p
		}
	}
	d.text = ""
	x.pool.Put(d)
	order := make([]int, len(facts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := &facts[order[i]], &facts[order[j]]
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		return fieldRank(a.Field) < fieldRank(b.Field)
	})
	sorted := make([]incident.TextFact, len(facts))
	var sortedPts []*gazetteer.Place
	if places {
		sortedPts = make([]*gazetteer.Place, len(facts))
	}
	for i, k := range order {
		sorted[i] = facts[k]
		if places {
			sortedPts[i] = pts[k]
		}
	}
	return sorted, sortedPts
}

func fieldRank(f string) int {
	for i, x := range Fields {
		if x == f {
			return i
		}
	}
	return len(Fields)
}

// Best returns the fact of a field a caller should take first: the most
// confident, and of those the first in the text.
func Best(facts []incident.TextFact, field string) (incident.TextFact, bool) {
	var best incident.TextFact
	ok := false
	for _, f := range facts {
		if f.Field != field {
			continue
		}
		if !ok || f.Confidence > best.Confidence {
			best, ok = f, true
		}
	}
	return best, ok
}

// CheckSpans returns an error for the first fact whose span is not a
// non-empty part of body or whose Quote is not body[Start:End].
func CheckSpans(body string, facts []incident.TextFact) error {
	for _, f := range facts {
		if f.Start < 0 || f.End > len(body) || f.Start >= f.End {
			return fmt.Errorf("%s %q: span [%d,%d) is not in the text (%d bytes)", f.Field, f.Value, f.Start, f.End, len(body))
		}
		if body[f.Start:f.End] != f.Quote {
			return fmt.Errorf("%s %q: quote %q is not the text's [%d,%d) %q", f.Field, f.Value, f.Quote, f.Start, f.End, body[f.Start:f.End])
		}
	}
	return nil
}
