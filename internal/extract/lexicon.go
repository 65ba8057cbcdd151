package extract

import (
	"bytes"
	"embed"
	"fmt"
	"io"
	"path"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/truce-monitor/truce/internal/act"
)

// lexiconFS holds the lexicons, one file per language (docs/extraction.md).
//
//go:embed lexicon/*.yaml
var lexiconFS embed.FS

// Languages are the languages the extractor reads, in the order their
// lexicons are loaded.
var Languages = []string{"en", "ar", "ru", "tr", "fa"}

// Lexicon is one language's file: the phrases and cue words the extractor
// reads that language with. Every phrase is matched on normalised words
// (case, diacritics, Arabic letter variants and harakat, digits); a final
// "*" on a word makes it a prefix ("airstrike*" also reads "airstrikes").
type Lexicon struct {
	Language string `yaml:"language"`
	// Order is the usual order of a clause: svo (English, Russian), vso
	// (Arabic, where the verb usually comes first) or sov (Turkish,
	// Persian). It decides on which side of a verb its subject is sought.
	Order string `yaml:"order"`
	// Possessor is where a noun's possessor stands: "after" (Arabic "قصف
	// قوات النظام", Persian ezafe, Russian genitive "удары авиации") or
	// "before" (English "regime airstrikes", Turkish "rejim saldırısı").
	// An actor there is who did the act.
	Possessor  string         `yaml:"possessor"`
	Dates      Dates          `yaml:"dates"`
	Numbers    map[string]int `yaml:"numbers"`
	Acts       []ActEntry     `yaml:"acts"`
	Actors     []ActorEntry   `yaml:"actors"`
	NotActors  []string       `yaml:"not_actors"`
	Roles      Roles          `yaml:"roles"`
	Casualties Casualties     `yaml:"casualties"`
	Places     Places         `yaml:"places"`
}

// Dates are the words of dates.
type Dates struct {
	Months        map[string]int `yaml:"months"`
	JalaliMonths  map[string]int `yaml:"jalali_months"`
	Weekdays      map[string]int `yaml:"weekdays"` // 0 Sunday … 6 Saturday
	WeekdayBefore []string       `yaml:"weekday_before"`
	WeekdayAfter  []string       `yaml:"weekday_after"`
	MonthBefore   []string       `yaml:"month_before"`
	MonthAfter    []string       `yaml:"month_after"`
	Relative      map[string]int `yaml:"relative"`
	YearWords     []string       `yaml:"year_words"`
	Of            []string       `yaml:"of"`
	Dotted        bool           `yaml:"dotted"`
}

// ActEntry maps a phrase to an act type.
type ActEntry struct {
	Phrase     string  `yaml:"phrase"`
	Act        string  `yaml:"act"`
	Rule       string  `yaml:"rule"`
	Confidence float64 `yaml:"confidence"`
	// Generic: a word for any bombardment ("قصف", "bombardment") that
	// yields to a more specific act read in the same sentence.
	Generic bool `yaml:"generic"`
}

// ActorEntry maps a phrase to an actor of the registry.
type ActorEntry struct {
	Phrase string `yaml:"phrase"`
	Actor  string `yaml:"actor"`
	// Agent: the phrase names the actor by what it strikes with
	// ("Russian warplanes", "الطيران الروسي"), so the actor acted.
	Agent bool `yaml:"agent"`
	// Generic: a head noun ("fighters") that, right after another actor's
	// name, belongs to that name ("ISIS fighters").
	Generic    bool    `yaml:"generic"`
	Confidence float64 `yaml:"confidence"`
	// Act is the act the name implies ("Russian warplanes": airstrike),
	// proposed when its sentence names no act of that type.
	Act string `yaml:"act"`
}

// Roles are the cue words of who did what to whom.
type Roles struct {
	Attack       []string `yaml:"attack"`
	Clash        []string `yaml:"clash"`
	Passive      []string `yaml:"passive"`
	AgentBefore  []string `yaml:"agent_before"`
	AgentAfter   []string `yaml:"agent_after"`
	TargetBefore []string `yaml:"target_before"`
	Between      []string `yaml:"between"`
	BetweenAfter []string `yaml:"between_after"`
	And          []string `yaml:"and"`
	With         []string `yaml:"with"`
	Initiative   []string `yaml:"initiative"`
	// Split are verbs and objects with the subject between them, as Arabic
	// writes them ("شنت قوات النظام هجوماً", "أعلنت الهيئة مسؤوليتها"): the
	// subject is the perpetrator, and with initiator the initiator too.
	Split []SplitEntry `yaml:"split"`
	// Defence: verbs after which "by X" names who defended ("repelled by
	// the rebels"): X is the target of the attack, not its perpetrator.
	Defence []string `yaml:"defence"`
	// Denial: in a sentence after one of these words ("denied", "نفى"),
	// acts are not read and actors have no role.
	Denial      []string `yaml:"denial"`
	Response    []string `yaml:"response"`
	Retaliation []string `yaml:"retaliation"`
	NotActing   []string `yaml:"not_acting"`
	// NotActingBefore: before an actor's name, the actor is not acting
	// ("areas controlled by X", "الخاضعة لسيطرة X").
	NotActingBefore []string `yaml:"not_acting_before"`
	// Counted: between a count and an actor's name, the name is of the
	// counted dead or wounded ("16 members of the regime forces", "5 عناصر
	// من قوات النظام"): the actor was the target.
	Counted []string `yaml:"counted"`
}

// SplitEntry is a verb and its object read with the subject between them.
type SplitEntry struct {
	Verbs     []string `yaml:"verbs"`
	Objects   []string `yaml:"objects"`
	Initiator bool     `yaml:"initiator"`
}

// Casualties are the words around numbers of dead and wounded.
type Casualties struct {
	// Killed and Wounded are words after a count ("4 killed", "٥ قتلى");
	// KilledBefore and WoundedBefore words before it ("killing 4", "مقتل ٥").
	Killed        []string `yaml:"killed"`
	KilledBefore  []string `yaml:"killed_before"`
	Wounded       []string `yaml:"wounded"`
	WoundedBefore []string `yaml:"wounded_before"`
	Both          []string `yaml:"both"`
	Civilians     []string `yaml:"civilians"`
	Children      []string `yaml:"children"`
	People        []string `yaml:"people"`
	Including     []string `yaml:"including"`
	Quantifiers   []string `yaml:"quantifiers"`
	Units         []string `yaml:"units"`
	// Multipliers after a count: "60 thousand", "٣ آلاف".
	Multipliers map[string]int `yaml:"multipliers"`
}

// Places are the cue words around place names.
type Places struct {
	Cues               []string `yaml:"cues"`
	Near               []string `yaml:"near"`
	Town               []string `yaml:"town"`
	TownAfter          []string `yaml:"town_after"`
	Neighbourhood      []string `yaml:"neighbourhood"`
	NeighbourhoodAfter []string `yaml:"neighbourhood_after"`
	Province           []string `yaml:"province"`
	ProvinceAfter      []string `yaml:"province_after"`
	Countryside        []string `yaml:"countryside"`
	CountrysideAfter   []string `yaml:"countryside_after"`
	// NearAfter: after the name, near it (Turkish "Halep'in doğusunda").
	NearAfter  []string          `yaml:"near_after"`
	Skip       []string          `yaml:"skip"`
	Connectors []string          `yaml:"connectors"`
	Names      map[string]string `yaml:"names"`
	Aliases    map[string]string `yaml:"aliases"`
	NotPlaces  []string          `yaml:"not_places"`
}

// section is which part of a lexicon a phrase comes from.
type section uint8

const (
	secAct section = iota
	secActor
	secMonth
	secJalali
	secWeekday
	secWeekdayBefore
	secWeekdayAfter
	secMonthBefore
	secMonthAfter
	secRelative
	secYearWord
	secOf
	secNumber
	secAttack
	secClash
	secPassive
	secAgentBefore
	secAgentAfter
	secTargetBefore
	secBetween
	secBetweenAfter
	secAnd
	secWith
	secInitiative
	secSplitVerb
	secSplitObject
	secDenial
	secDefence
	secResponse
	secRetaliation
	secNotActing
	secNotActingBefore
	secCounted
	secKilled
	secKilledBefore
	secWounded
	secWoundedBefore
	secBoth
	secCivilians
	secChildren
	secPeople
	secIncluding
	secQuantifier
	secUnit
	secMultiplier
	secPlaceCue
	secNear
	secTown
	secTownAfter
	secNbhd
	secNbhdAfter
	secProvince
	secProvinceAfter
	secCountryside
	secCountrysideAfter
	secNearAfter
	secSkip
	secConnector
	secPlaceName
	secPlaceAlias
	secNotPlace
	numSections
)

// A token's sections are kept as bits of a uint64.
var _ = [64 - numSections]struct{}{}

var sectionNames = [numSections]string{
	"acts", "actors", "dates.months", "dates.jalali_months", "dates.weekdays", "dates.weekday_before",
	"dates.weekday_after", "dates.month_before", "dates.month_after", "dates.relative", "dates.year_words",
	"dates.of", "numbers", "roles.attack", "roles.clash", "roles.passive", "roles.agent_before",
	"roles.agent_after", "roles.target_before", "roles.between", "roles.between_after", "roles.and",
	"roles.with", "roles.initiative", "roles.split.verbs", "roles.split.objects", "roles.denial", "roles.defence", "roles.response", "roles.retaliation", "roles.not_acting", "roles.not_acting_before", "roles.counted",
	"casualties.killed", "casualties.killed_before", "casualties.wounded", "casualties.wounded_before", "casualties.both", "casualties.civilians",
	"casualties.children", "casualties.people", "casualties.including", "casualties.quantifiers",
	"casualties.units", "casualties.multipliers", "places.cues", "places.near", "places.town", "places.town_after",
	"places.neighbourhood", "places.neighbourhood_after", "places.province", "places.province_after",
	"places.countryside", "places.countryside_after", "places.near_after", "places.skip", "places.connectors", "places.names",
	"places.aliases", "places.not_places",
}

func (s section) String() string { return sectionNames[s] }

// hit is a phrase found at a token: its section, its entry there, its
// length in tokens (counting the tokens matching looks through) and its
// phrase as written in the lexicon.
type hit struct {
	sec    section
	n      int // tokens covered, from the hit's token
	val    int // the entry's value: an index, a month, an offset
	phrase string
}

// entry is what a phrase stands for in the trie.
type entry struct {
	sec    section
	val    int
	phrase string
	// upper: the phrase is an abbreviation written in capitals (IS, SDF,
	// HTS) and matches only capitals, so that "is" is not the Islamic State.
	upper bool
}

// node is a node of the phrase trie: one word per edge.
type node struct {
	next map[string]*node
	// pre are edges on a prefix ("airstrike*").
	pre     []prefixEdge
	entries []entry
}

type prefixEdge struct {
	prefix string
	to     *node
}

// trie finds every lexicon phrase starting at a token in one walk.
type trie struct {
	root node
	// rootPre indexes the root's prefix edges by their first two runes.
	rootPre map[string][]prefixEdge
}

func newTrie() *trie {
	return &trie{root: node{next: map[string]*node{}}, rootPre: map[string][]prefixEdge{}}
}

func firstRunes(s string, n int) string {
	i := 0
	for k := 0; k < n && i < len(s); k++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}

// add puts a phrase (its normalised words) in the trie.
func (t *trie) add(words []string, e entry) error {
	if len(words) == 0 {
		return fmt.Errorf("%s: %q has no words", e.sec, e.phrase)
	}
	n := &t.root
	for i, w := range words {
		if p, ok := strings.CutSuffix(w, "*"); ok {
			if utf8.RuneCountInString(p) < 3 {
				return fmt.Errorf("%s: %q: a prefix needs three letters at least", e.sec, e.phrase)
			}
			if i == 0 {
				key := firstRunes(p, 2)
				n = findOrAddPrefix(t.rootPre, key, p)
			} else {
				var to *node
				for _, pe := range n.pre {
					if pe.prefix == p {
						to = pe.to
					}
				}
				if to == nil {
					to = &node{}
					n.pre = append(n.pre, prefixEdge{p, to})
				}
				n = to
			}
			continue
		}
		if n.next == nil {
			n.next = map[string]*node{}
		}
		c, ok := n.next[w]
		if !ok {
			c = &node{}
			n.next[w] = c
		}
		n = c
	}
	for _, old := range n.entries {
		if old.sec == e.sec && old.val == e.val {
			return nil // the same phrase twice (an actor's name in two languages)
		}
	}
	n.entries = append(n.entries, e)
	return nil
}

func findOrAddPrefix(m map[string][]prefixEdge, key, p string) *node {
	for _, pe := range m[key] {
		if pe.prefix == p {
			return pe.to
		}
	}
	to := &node{}
	m[key] = append(m[key], prefixEdge{p, to})
	return to
}

// matchAt appends to hits every phrase starting at token i.
func (t *trie) matchAt(toks []token, i int, hits []hit) []hit {
	tk := &toks[i]
	if tk.kind == punct || tk.kind == suffix {
		return hits
	}
	forms := [4]string{tk.norm, tk.alt[0], tk.alt[1], tk.alt[2]}
	for fi, f := range forms {
		if f == "" {
			continue
		}
		if c := t.root.next[f]; c != nil {
			hits = t.walk(toks, i, i+1, c, hits)
		}
		if fi == 0 {
			for _, pe := range t.rootPre[firstRunes(f, 2)] {
				if strings.HasPrefix(f, pe.prefix) {
					hits = t.walk(toks, i, i+1, pe.to, hits)
				}
			}
		}
	}
	return hits
}

// walk records the entries of n (reached after token j-1) and goes on.
func (t *trie) walk(toks []token, i, j int, n *node, hits []hit) []hit {
	for _, e := range n.entries {
		if e.upper && !allUpper(toks[i:j]) {
			continue
		}
		hits = append(hits, hit{sec: e.sec, n: j - i, val: e.val, phrase: e.phrase})
	}
	if n.next == nil && len(n.pre) == 0 {
		return hits
	}
	// Look through hyphens and suffixes.
	k := j
	for k < len(toks) && toks[k].skip() {
		k++
	}
	if k >= len(toks) || toks[k].is(fBound) {
		return hits
	}
	tk := &toks[k]
	if n.next != nil {
		if c := n.next[tk.norm]; c != nil {
			hits = t.walk(toks, i, k+1, c, hits)
		}
		for _, a := range tk.alt {
			if a != "" {
				if c := n.next[a]; c != nil {
					hits = t.walk(toks, i, k+1, c, hits)
				}
			}
		}
	}
	for _, pe := range n.pre {
		if strings.HasPrefix(tk.norm, pe.prefix) {
			hits = t.walk(toks, i, k+1, pe.to, hits)
		}
	}
	return hits
}

func allUpper(toks []token) bool {
	for _, t := range toks {
		if t.kind == word && !t.is(fUpper) && !(t.is(fCap) && len(t.norm) == 1) {
			return false
		}
	}
	return true
}

// LoadLexicon reads one lexicon file. Unknown fields are errors.
func LoadLexicon(r io.Reader, name string) (*Lexicon, error) {
	src, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	var lx Lexicon
	if err := dec.Decode(&lx); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	switch lx.Order {
	case "svo", "vso", "sov":
	default:
		return nil, fmt.Errorf("%s: order %q: want svo, vso or sov", name, lx.Order)
	}
	switch lx.Possessor {
	case "before", "after":
	default:
		return nil, fmt.Errorf("%s: possessor %q: want before or after", name, lx.Possessor)
	}
	return &lx, nil
}

// loadLexicons reads the embedded lexicons.
func loadLexicons() (map[string]*Lexicon, error) {
	out := map[string]*Lexicon{}
	for _, lang := range Languages {
		name := path.Join("lexicon", lang+".yaml")
		f, err := lexiconFS.Open(name)
		if err != nil {
			return nil, fmt.Errorf("extract: %w", err)
		}
		lx, err := LoadLexicon(f, name)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("extract: %w", err)
		}
		if lx.Language != lang {
			return nil, fmt.Errorf("extract: %s says language %q", name, lx.Language)
		}
		out[lang] = lx
	}
	return out, nil
}

// compile builds the trie of one language's lexicon. actorNames are the
// registry's names (every language), added as actor phrases with their
// index in actorIDs.
func (x *Extractor) compile(lx *Lexicon) (*language, error) {
	L := &language{code: lx.Language, lex: lx, trie: newTrie()}
	lang := lx.Language
	var errs []string
	add := func(sec section, phrase string, val int) {
		words := phraseTokens(phrase, lang)
		upper := false
		if sec == secActor && isAbbreviation(phrase) {
			upper = true
		}
		if err := L.trie.add(words, entry{sec: sec, val: val, phrase: phrase, upper: upper}); err != nil {
			errs = append(errs, err.Error())
		}
	}
	addList := func(sec section, list []string) {
		for _, p := range list {
			add(sec, p, 0)
		}
	}
	addMap := func(sec section, m map[string]int) {
		for _, k := range sortedKeys(m) {
			add(sec, k, m[k])
		}
	}
	d := lx.Dates
	for k, v := range d.Months {
		if v < 1 || v > 12 {
			errs = append(errs, fmt.Sprintf("dates.months: %q: %d is not a month", k, v))
		}
	}
	for k, v := range d.JalaliMonths {
		if v < 1 || v > 12 {
			errs = append(errs, fmt.Sprintf("dates.jalali_months: %q: %d is not a month", k, v))
		}
	}
	for k, v := range d.Weekdays {
		if v < 0 || v > 6 {
			errs = append(errs, fmt.Sprintf("dates.weekdays: %q: %d is not a weekday (0 Sunday … 6 Saturday)", k, v))
		}
	}
	addMap(secMonth, d.Months)
	addMap(secJalali, d.JalaliMonths)
	addMap(secWeekday, d.Weekdays)
	addList(secWeekdayBefore, d.WeekdayBefore)
	addList(secWeekdayAfter, d.WeekdayAfter)
	addList(secMonthBefore, d.MonthBefore)
	addList(secMonthAfter, d.MonthAfter)
	addMap(secRelative, d.Relative)
	addList(secYearWord, d.YearWords)
	addList(secOf, d.Of)
	addMap(secNumber, lx.Numbers)
	for i, a := range lx.Acts {
		if !act.Valid(act.Type(a.Act)) {
			errs = append(errs, fmt.Sprintf("acts: %q: %q is not an act type (internal/act)", a.Phrase, a.Act))
			continue
		}
		if a.Confidence < 0 || a.Confidence > 1 {
			errs = append(errs, fmt.Sprintf("acts: %q: confidence %v is not between 0 and 1", a.Phrase, a.Confidence))
		}
		add(secAct, a.Phrase, i)
	}
	for _, a := range lx.Actors {
		if _, ok := x.actors.Get(a.Actor); !ok {
			errs = append(errs, fmt.Sprintf("actors: %q: %q is not an actor id of the registry", a.Phrase, a.Actor))
			continue
		}
		if a.Act != "" && !act.Valid(act.Type(a.Act)) {
			errs = append(errs, fmt.Sprintf("actors: %q: act %q is not an act type (internal/act)", a.Phrase, a.Act))
			continue
		}
		add(secActor, a.Phrase, x.actorEntry(a))
	}
	// The registry's names, unless this language's texts use them as
	// ordinary words.
	not := map[string]bool{}
	for _, n := range lx.NotActors {
		not[strings.Join(phraseTokens(n, lang), " ")] = true
	}
	for _, a := range x.actors.All() {
		names := []string{a.Name}
		for _, l := range sortedKeys(a.Names) {
			names = append(names, a.Names[l]...)
		}
		names = append(names, a.Aliases...)
		for _, n := range names {
			if strings.ContainsAny(n, "():") {
				continue // dataset labels ("Military Forces of Syria (2000-)"), not words of texts
			}
			words := phraseTokens(n, lang)
			if not[strings.Join(words, " ")] {
				continue
			}
			add(secActor, n, x.actorEntry(ActorEntry{Phrase: n, Actor: a.ID}))
		}
	}
	r := lx.Roles
	addList(secAttack, r.Attack)
	addList(secClash, r.Clash)
	addList(secPassive, r.Passive)
	addList(secAgentBefore, r.AgentBefore)
	addList(secAgentAfter, r.AgentAfter)
	addList(secTargetBefore, r.TargetBefore)
	addList(secBetween, r.Between)
	addList(secBetweenAfter, r.BetweenAfter)
	addList(secAnd, r.And)
	addList(secWith, r.With)
	addList(secInitiative, r.Initiative)
	for k, s := range r.Split {
		if len(s.Verbs) == 0 || len(s.Objects) == 0 {
			errs = append(errs, fmt.Sprintf("roles.split[%d]: needs verbs and objects", k))
		}
		for _, v := range s.Verbs {
			add(secSplitVerb, v, k)
		}
		for _, o := range s.Objects {
			add(secSplitObject, o, k)
		}
	}
	addList(secDenial, r.Denial)
	addList(secDefence, r.Defence)
	addList(secResponse, r.Response)
	addList(secRetaliation, r.Retaliation)
	addList(secNotActing, r.NotActing)
	addList(secNotActingBefore, r.NotActingBefore)
	addList(secCounted, r.Counted)
	c := lx.Casualties
	addList(secKilled, c.Killed)
	addList(secKilledBefore, c.KilledBefore)
	addList(secWounded, c.Wounded)
	addList(secWoundedBefore, c.WoundedBefore)
	addList(secBoth, c.Both)
	addList(secCivilians, c.Civilians)
	addList(secChildren, c.Children)
	addList(secPeople, c.People)
	addList(secIncluding, c.Including)
	addList(secQuantifier, c.Quantifiers)
	addList(secUnit, c.Units)
	addMap(secMultiplier, c.Multipliers)
	p := lx.Places
	addList(secPlaceCue, p.Cues)
	addList(secNear, p.Near)
	addList(secTown, p.Town)
	addList(secTownAfter, p.TownAfter)
	addList(secNbhd, p.Neighbourhood)
	addList(secNbhdAfter, p.NeighbourhoodAfter)
	addList(secProvince, p.Province)
	addList(secProvinceAfter, p.ProvinceAfter)
	addList(secCountryside, p.Countryside)
	addList(secCountrysideAfter, p.CountrysideAfter)
	addList(secNearAfter, p.NearAfter)
	addList(secSkip, p.Skip)
	addList(secConnector, p.Connectors)
	addList(secNotPlace, p.NotPlaces)
	for _, name := range sortedKeys(p.Names) {
		pc := p.Names[name]
		u, ok := x.units[pc]
		if !ok {
			errs = append(errs, fmt.Sprintf("places.names: %q: %q is not a P-code of the boundaries", name, pc))
			continue
		}
		L.placeVals = append(L.placeVals, u)
		add(secPlaceName, name, len(L.placeVals)-1)
	}
	for _, name := range sortedKeys(p.Aliases) {
		target := p.Aliases[name]
		pl, err := x.places.Resolve(target, "")
		if err != nil {
			errs = append(errs, fmt.Sprintf("places.aliases: %q: %q does not name one place: %v", name, target, err))
			continue
		}
		pl.Name = target // resolved again with the words' cue
		L.placeVals = append(L.placeVals, pl)
		add(secPlaceAlias, name, len(L.placeVals)-1)
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return nil, fmt.Errorf("extract: lexicon %s: %s", lang, strings.Join(errs, "; "))
	}
	return L, nil
}

// actorEntry records an actor phrase's meaning and returns its index.
func (x *Extractor) actorEntry(a ActorEntry) int {
	x.actorVals = append(x.actorVals, a)
	return len(x.actorVals) - 1
}

// isAbbreviation: a name written in capitals, of two to five letters
// (IS, SDF, HTS, ISIS), which text must write in capitals too.
func isAbbreviation(s string) bool {
	letters := 0
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			letters++
		case r == '/' || r == '-' || r == '.':
		default:
			return false
		}
	}
	return letters >= 2 && letters <= 5
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
