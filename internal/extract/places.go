package extract

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/truce-monitor/truce/internal/gazetteer"
	"github.com/truce-monitor/truce/internal/incident"
)

// hint is what the words around a name say it is.
type hint uint8

const (
	hintNone        hint = iota
	hintNear             // "near X", "north of X": near the place
	hintTown             // "the town of X", "X city"
	hintNbhd             // "the neighbourhood of X"
	hintProvince         // "X province", "محافظة X": a governorate
	hintCountryside      // "the countryside of X", "ريف X": the governorate (or district) around X
	hintDateline         // "Idlib - ...": a dateline
)

var hintNames = [...]string{"", "near", "town", "neighbourhood", "province", "countryside", "dateline"}

// candidate is a run of tokens that may name a place.
type candidate struct {
	a, b     int // the name's tokens, inclusive
	startB   int // byte where the name starts (after a joined و)
	cueA     int // first token of the cue the fact's quote includes, or -1
	cueB     int // last token of a cue after the name the quote includes, or -1
	hint     hint
	cue      string
	fixed    *gazetteer.Place // a unit of places.names
	fixedHow string
	// in: the name follows "in" right after another name ("Talbiseh in
	// Homs"), which it places: a governorate's name is the governorate.
	in bool
}

// placeRead is a candidate resolved.
type placeRead struct {
	c     candidate
	p     gazetteer.Place
	a, b  int // the tokens the name resolved on
	value string
	prec  string
	conf  float64
	rule  string
	amb   *gazetteer.AmbiguousError
	sent  int32
	// town is the town a governorate was read for, when the name is both
	// ("Homs"): after a neighbourhood of it ("الخالدية بحمص") it is the city.
	town *gazetteer.Place
}

// placesPass finds and resolves the place names of the text.
func (d *doc) placesPass() {
	cands := d.placeCandidates()
	if len(cands) == 0 {
		return
	}
	reads := make([]placeRead, 0, len(cands))
	for _, c := range cands {
		if r, ok := d.resolveCandidate(c, ""); ok {
			reads = append(reads, r)
		}
	}
	// Governorates named in each sentence and in the text, to tell apart
	// places of one name in several governorates.
	govs := map[int32]map[string]bool{}
	textGovs := map[string]bool{}
	cities := map[string]bool{}
	for _, r := range reads {
		if r.amb != nil || r.p.Admin1 == "" {
			continue
		}
		if govs[r.sent] == nil {
			govs[r.sent] = map[string]bool{}
		}
		govs[r.sent][r.p.Admin1] = true
		textGovs[r.p.Admin1] = true
		if r.p.Kind == gazetteer.PopulatedPlace && r.p.Admin3 != "" {
			cities[r.p.Admin3] = true
		}
	}
	var last placeRead
	for k, r := range reads {
		if r.amb != nil {
			// A name of several places: the one in the governorate the
			// sentence (or else the whole text) names, if there is one.
			resolved := false
			if g, ok := only(govs[r.sent]); ok {
				if rr, ok := d.resolveCandidate(r.c, g); ok && rr.amb == nil {
					rr.conf -= 0.15
					rr.rule += ", within " + g + " (the governorate the sentence names)"
					r, resolved = rr, true
				}
			} else if g, ok := only(textGovs); ok {
				if rr, ok := d.resolveCandidate(r.c, g); ok && rr.amb == nil {
					rr.conf -= 0.25
					rr.rule += ", within " + g + " (the one governorate the text names)"
					r, resolved = rr, true
				}
			}
			if !resolved {
				d.ambiguousFact(r)
				continue
			}
		}
		// "حي الخالدية بحمص", "al-Waer district in Homs": the city of the
		// neighbourhood named right before.
		if r.town != nil && r.c.in && k > 0 && last.p.Kind == gazetteer.Neighbourhood && last.p.Admin3 == r.town.Admin3 && last.sent == r.sent {
			if rr, ok := d.finishRead(r, *r.town, "gazetteer: "+r.town.Label()+", the city of the neighbourhood before", 0.8); ok {
				r = rr
			}
		}
		last = r
		d.placeFact(r, cities)
	}
}

func only(m map[string]bool) (string, bool) {
	if len(m) != 1 {
		return "", false
	}
	for k := range m {
		return k, true
	}
	return "", false
}

// placeFact records a resolved place. A neighbourhood is proposed only
// when a cue says it is one or the text names its city.
func (d *doc) placeFact(r placeRead, cities map[string]bool) {
	if r.p.Kind == gazetteer.Neighbourhood && r.c.hint != hintNbhd && !cities[r.p.Admin3] {
		return
	}
	a, b := r.a, r.b
	if r.c.cueA >= 0 && r.c.cueA < a {
		a = r.c.cueA
	}
	if r.c.cueB > b {
		b = r.c.cueB
	}
	s, e := d.toks[a].start, d.toks[b].end
	if a == r.a && r.c.startB > s {
		s = r.c.startB
	}
	d.addSpan(FieldPlace, r.value, "", r.prec, s, e, r.conf, r.rule)
	d.placeOf(len(d.facts)-1, r.p)
}

// ambiguousFact proposes, for a name that fits several places, the
// smallest unit containing them all, when there is one below the country:
// with low confidence and a rule that says so. Nothing is picked.
func (d *doc) ambiguousFact(r placeRead) {
	pc := commonUnit(r.amb.Candidates)
	if pc == "" {
		return
	}
	u, ok := d.x.units[pc]
	if !ok {
		return
	}
	labels := make([]string, 0, len(r.amb.Candidates))
	for _, c := range r.amb.Candidates {
		labels = append(labels, c.Label())
		if len(labels) == 4 {
			labels = append(labels, "…")
			break
		}
	}
	conf := 0.35
	rule := fmt.Sprintf("gazetteer: ambiguous (%s); all lie in %s", strings.Join(labels, "; "), pc)
	// A unit among the candidates that contains all the others is what the
	// name says in any case ("Rural Damascus": the governorate and its
	// district): no doubt about the area.
	for _, c := range r.amb.Candidates {
		if c.PCode == pc {
			conf = 0.8
			rule = fmt.Sprintf("gazetteer: %s (%s; the other places of the name lie in it)", u.Name, pc)
		}
	}
	a, b := r.a, r.b
	if r.c.cueA >= 0 && r.c.cueA < a {
		a = r.c.cueA
	}
	if r.c.cueB > b {
		b = r.c.cueB
	}
	s, e := d.toks[a].start, d.toks[b].end
	if a == r.a && r.c.startB > s {
		s = r.c.startB
	}
	d.addSpan(FieldPlace, pc, "", levelPrecision(pc), s, e, conf, rule)
	d.placeOf(len(d.facts)-1, u)
}

// commonUnit is the P-code of the smallest unit containing every place.
func commonUnit(ps []gazetteer.Place) string {
	var common string
	for i, p := range ps {
		pc := p.PCode
		if pc == "" || p.Kind == gazetteer.PopulatedPlace || p.Kind == gazetteer.Neighbourhood || p.Kind == gazetteer.Region {
			pc = deepest(p)
		}
		if pc == "" {
			return ""
		}
		if i == 0 {
			common = pc
			continue
		}
		n := 0
		for n < len(common) && n < len(pc) && common[n] == pc[n] {
			n++
		}
		common = common[:n]
	}
	for _, l := range []int{8, 6, 4} {
		if len(common) >= l {
			return common[:l]
		}
	}
	return ""
}

func deepest(p gazetteer.Place) string {
	switch {
	case p.Admin3 != "":
		return p.Admin3
	case p.Admin2 != "":
		return p.Admin2
	}
	return p.Admin1
}

func levelPrecision(pc string) string {
	switch len(pc) {
	case 4:
		return string(incident.PlaceAdmin1)
	case 6:
		return string(incident.PlaceAdmin2)
	case 8:
		return string(incident.PlaceAdmin3)
	}
	return string(incident.PlaceCountry)
}

// valueOf is the P-code and precision a place stands for: a unit itself,
// a town or neighbourhood its point's sub-district (the point is the
// place), a region the smallest unit containing it.
func valueOf(p gazetteer.Place, h hint) (string, string) {
	switch p.Kind {
	case gazetteer.Governorate, gazetteer.District, gazetteer.SubDistrict:
		return p.PCode, levelPrecision(p.PCode)
	case gazetteer.Region:
		pc := deepest(p)
		return pc, levelPrecision(pc)
	}
	pc := deepest(p)
	if pc == "" {
		return "", ""
	}
	if len(pc) < 8 {
		return pc, levelPrecision(pc)
	}
	if h == hintNear {
		return pc, string(incident.PlaceNear)
	}
	return pc, string(incident.PlaceExact)
}

// resolveCandidate resolves a candidate's name: the longest run of its
// words the gazetteer knows, read as its hint says.
func (d *doc) resolveCandidate(c candidate, within string) (placeRead, bool) {
	r := placeRead{c: c, a: c.a, b: c.b, sent: d.sent[c.a]}
	if c.fixed != nil {
		return d.finishRead(r, *c.fixed, c.fixedHow, 0.85)
	}
	var firstAmb *placeRead
	arabic := d.toks[c.a].is(fArabic)
	// The whole run first, then shorter runs: in Arabic script, where a run
	// takes the words after the cue, its beginnings; in other scripts,
	// where a run is a name's capitalised words, only what is left once
	// words that are not names are dropped ("Syrias Aleppo").
	n := c.b - c.a + 1
	for length := n; length >= 1; length-- {
		for a := c.a; a+length-1 <= c.b; a++ {
			b := a + length - 1
			if arabic && a != c.a {
				break
			}
			if !arabic && length < n && !d.droppable(c.a, a-1) || !arabic && length < n && !d.droppable(b+1, c.b) {
				continue
			}
			if d.toks[a].kind != word || d.toks[b].kind != word && d.toks[b].kind != number {
				continue
			}
			if length == 1 && d.notPlace(a) {
				continue
			}
			// A run starting with a joined و or ب is tried with it first
			// (وادي بردى), then without it (وإدلب, بحمص).
			starts := []int{d.toks[a].start}
			if a == c.a && c.startB > d.toks[a].start {
				starts = append(starts, c.startB)
			}
			for _, s := range starts {
				name := d.text[s:d.toks[b].end]
				rr := r
				rr.a, rr.b = a, b
				rr.c.startB = s
				how := ""
				if h, ok := d.find(a, secPlaceAlias); ok && a+h.n-1 == b {
					name = d.L.placeVals[h.val].Name
					how = fmt.Sprintf(" (%s.places.aliases: %s)", d.L.code, h.phrase)
				}
				res, ok := d.resolveName(rr, name, within)
				if !ok {
					continue
				}
				res.rule += how
				if res.amb != nil {
					if firstAmb == nil {
						firstAmb = &res
					}
					continue
				}
				return res, true
			}
			name := d.text[d.toks[a].start:d.toks[b].end]
			rr := r
			rr.a, rr.b = a, b
			if d.L.code == "ru" && a == c.a {
				for _, v := range ruVariants(name) {
					if res, ok := d.resolveName(rr, v, within); ok && res.amb == nil {
						res.conf -= 0.1
						res.rule += " (read as " + v + ")"
						return res, true
					}
				}
			}
		}
	}
	if firstAmb != nil {
		return *firstAmb, true
	}
	return r, false
}

// droppable reports whether tokens a..b (inclusive; none when b < a) may
// be left out of a name: words that are not names (not_places, skip
// words, other lexicon words) and punctuation.
func (d *doc) droppable(a, b int) bool {
	for k := a; k <= b; k++ {
		t := &d.toks[k]
		if t.kind != word {
			continue
		}
		if d.notPlace(k) || d.lexiconWord(k) {
			continue
		}
		return false
	}
	return true
}

// lookupUnit finds the administrative unit of a kind a name means: a unit
// whose own name (English or Arabic) is the name, up to case, diacritics,
// the article and the writing of vowels; or, where the name is only like
// the unit's, the unit in which the town of that name lies ("Hasakah"
// province: the governorate Al-Hasakeh, seat of Al Hasakah). Nothing is
// taken on a likeness alone.
func (x *Extractor) lookupUnitUncached(name string, kind gazetteer.Kind) (gazetteer.Place, bool) {
	ps := x.places.LookupKind(name, kind)
	key := gazetteer.Fold(name)
	vk := gazetteer.Vowels(key)
	var strict []gazetteer.Place
	for _, p := range ps {
		for _, n := range []string{p.Name, p.NameAR} {
			f := gazetteer.Fold(n)
			f = strings.TrimPrefix(strings.TrimPrefix(f, "markaz "), "مركز ")
			if f != "" && (f == key || gazetteer.Vowels(f) == vk && utf8.RuneCountInString(key) >= 5) {
				strict = append(strict, p)
				break
			}
		}
	}
	if len(strict) == 1 {
		return strict[0], true
	}
	if len(strict) > 1 {
		return gazetteer.Place{}, false
	}
	t, err := x.resolve(name, "")
	if err != nil || t.Kind != gazetteer.PopulatedPlace {
		return gazetteer.Place{}, false
	}
	var anc string
	switch kind {
	case gazetteer.Governorate:
		anc = t.Admin1
	case gazetteer.District:
		anc = t.Admin2
	case gazetteer.SubDistrict:
		anc = t.Admin3
	}
	u, ok := x.units[anc]
	if !ok {
		return gazetteer.Place{}, false
	}
	// The unit the name is only like is the one the town lies in.
	if len(ps) == 1 && ps[0].PCode == anc {
		return u, true
	}
	// The town is the seat the unit is named after: the unit's own name
	// means the same town ("Хама", "Halep", "دیرالزور" name the seats of
	// Hama, Aleppo and Deir-ez-Zor).
	if x.seatOf(u, t) {
		return u, true
	}
	return gazetteer.Place{}, false
}

// notPlace reports whether a single word is not to be read as a place.
func (d *doc) notPlace(i int) bool {
	for _, h := range d.hitsAt(i) {
		if h.sec == secNotPlace || h.sec == secSkip || h.sec == secConnector || h.sec == secPlaceCue {
			return true
		}
	}
	return utf8.RuneCountInString(d.toks[i].norm) < 3
}

// resolveName reads one name with the candidate's hint.
func (d *doc) resolveName(r placeRead, name, within string) (placeRead, bool) {
	cue := ""
	if r.c.cue != "" {
		cue = fmt.Sprintf(" (%s %q)", hintNames[r.c.hint], r.c.cue)
	}
	switch r.c.hint {
	case hintProvince:
		if p, ok := d.x.lookupUnit(name, gazetteer.Governorate); ok {
			return d.finishRead(r, p, "gazetteer: governorate "+p.Name+cue, 0.85)
		}
	case hintCountryside:
		// "ريف دمشق" is itself the name of a governorate.
		if r.c.cueA >= 0 && r.c.cueA < r.a && d.toks[r.c.cueA].is(fArabic) {
			whole := d.text[d.toks[r.c.cueA].start:d.toks[r.b].end]
			if p, ok := d.x.lookupUnit(whole, gazetteer.Governorate); ok {
				return d.finishRead(r, p, "gazetteer: governorate "+p.Name+cue, 0.85)
			}
		}
		if p, ok := d.x.lookupUnit(name, gazetteer.Governorate); ok {
			how := "gazetteer: the governorate of " + p.Name + cue
			// Damascus governorate is the city; its countryside is Rural
			// Damascus.
			if p.PCode == "SY01" {
				if u, ok := d.x.units["SY03"]; ok {
					p, how = u, "gazetteer: the countryside of Damascus is the governorate "+u.Name+cue
				}
			}
			return d.finishRead(r, p, how, 0.85)
		}
		if p, ok := d.x.lookupUnit(name, gazetteer.District); ok {
			return d.finishRead(r, p, "gazetteer: district "+p.Name+cue, 0.75)
		}
		p, err := d.x.resolve(name, within)
		if err != nil {
			return r, false
		}
		if p.Kind != gazetteer.PopulatedPlace && p.Kind != gazetteer.Neighbourhood {
			return d.finishRead(r, p, "gazetteer: "+p.Label()+cue, 0.75)
		}
		if u, ok := d.x.units[p.Admin2]; ok {
			return d.finishRead(r, u, "gazetteer: the district of "+p.Name+cue, 0.6)
		}
		return r, false
	}
	p, err := d.x.resolve(name, within)
	var amb *gazetteer.AmbiguousError
	switch {
	case err == nil:
		conf := 0.85
		if d.x.tier(name) != gazetteer.Folded {
			conf = 0.75
		}
		how := "gazetteer: " + p.Label() + cue
		if r.c.hint == hintDateline {
			conf -= 0.1
		}
		// A bare name that is both a town and the governorate around it
		// ("Idlib", "حلب") may mean either: what is sure is the governorate.
		// "Idlib city", "مدينة حلب" and "near Idlib" mean the town. Damascus
		// is both too, but its governorate is the city.
		if p.Kind == gazetteer.PopulatedPlace && r.c.hint != hintTown && r.c.hint != hintNear && r.c.hint != hintNbhd {
			if gov, ok := d.x.lookupUnit(name, gazetteer.Governorate); ok && gov.PCode == p.Admin1 && d.x.subDistricts[gov.PCode] > 1 {
				c := 0.7
				if r.c.in {
					c = 0.85 // "Talbiseh in Homs": the governorate
				}
				town := p
				r.town = &town
				return d.finishRead(r, gov, fmt.Sprintf("gazetteer: %s names the town %s and the governorate %s around it: the governorate%s", name, p.Admin3, gov.PCode, cue), c)
			}
		}
		return d.finishRead(r, p, how, conf)
	case errors.As(err, &amb):
		if d.x.tier(name) >= gazetteer.SpellingTier {
			return r, false // a weak match: never proposed
		}
		r.amb = amb
		return r, true
	}
	return r, false
}

func (d *doc) finishRead(r placeRead, p gazetteer.Place, how string, conf float64) (placeRead, bool) {
	v, prec := valueOf(p, r.c.hint)
	if v == "" {
		return r, false
	}
	r.p, r.value, r.prec, r.conf, r.rule = p, v, prec, conf, how
	return r, true
}

// seatOf reports whether town t is the seat unit u is named after: the
// unit's English or Arabic name resolves to that very town.
func (x *Extractor) seatOf(u, t gazetteer.Place) bool {
	for _, n := range []string{u.Name, u.NameAR} {
		if n == "" {
			continue
		}
		if s, err := x.resolve(n, ""); err == nil && s.Kind == gazetteer.PopulatedPlace && s.GeoNameID == t.GeoNameID {
			return true
		}
	}
	return false
}

// ruVariants are nominative forms a Russian place name in another case
// may have: Дамаске → Дамаск, Хаме → Хама, Ракки → Ракка.
func ruVariants(s string) []string {
	var out []string
	cut := func(suffix string, repl ...string) {
		if base, ok := strings.CutSuffix(s, suffix); ok && utf8.RuneCountInString(base) >= 3 {
			for _, r := range repl {
				out = append(out, base+r)
			}
		}
	}
	cut("е", "", "а", "я")
	cut("и", "а", "", "ь", "я")
	cut("у", "а", "")
	cut("ы", "а", "")
	cut("ой", "а")
	cut("ом", "")
	cut("а", "")
	return out
}

// placeCandidates finds the runs of words that may name places: after a
// place cue ("in", "near", "في", "قرب", "в"), a type word ("the town of",
// "محافظة", "ريف"), before one ("province", "countryside", "kırsalı"), at
// a dateline, and names of places.names and places.aliases.
func (d *doc) placeCandidates() []candidate {
	var out []candidate
	inMention := d.inMention
	for _, m := range d.mentions {
		for k := m.a; k <= m.b; k++ {
			inMention[k] = true
		}
	}
	taken := d.taken
	addCand := func(c candidate) {
		for k := c.a; k <= c.b; k++ {
			taken[k] = true
		}
		out = append(out, c)
	}
	for i := 0; i < len(d.toks); i++ {
		if taken[i] {
			continue
		}
		// Fixed names.
		if h, ok := d.find(i, secPlaceName); ok {
			p := d.L.placeVals[h.val]
			c := candidate{a: i, b: i + h.n - 1, cueA: -1, cueB: -1, fixed: &p, fixedHow: fmt.Sprintf("%s.places.names: %s", d.L.code, h.phrase)}
			addCand(c)
			i = c.b
			continue
		}
		// A cue before the name.
		h, ok := d.findAny(i, secNear, secCountryside, secProvince, secNbhd, secTown, secPlaceCue)
		if ok {
			j := d.next(i + h.n - 1)
			c := candidate{cueA: -1, cueB: -1, cue: h.phrase}
			switch h.sec {
			case secNear:
				c.hint, c.cueA = hintNear, i
			case secTown:
				c.hint = hintTown
			case secNbhd:
				c.hint = hintNbhd
			case secProvince:
				c.hint, c.cueA = hintProvince, i
			case secCountryside:
				c.hint, c.cueA = hintCountryside, i
			}
			// Words between the cue and the name: "the", "northern"; a
			// further cue ("in the countryside of") takes over.
			for j < len(d.toks) {
				if sk, ok := d.find(j, secSkip); ok && !d.capitalisedName(j) {
					j = d.next(j + sk.n - 1)
					continue
				}
				break
			}
			if j < len(d.toks) {
				if h2, ok := d.findAny(j, secNear, secTown, secNbhd, secProvince, secCountryside); ok {
					// "near the town of X", "محيط مدينة X": still near.
					if c.hint == hintNear && (h2.sec == secTown || h2.sec == secNbhd) {
						j = d.next(j + h2.n - 1)
						c.cue += " " + h2.phrase
					} else {
						i = j - 1
						continue
					}
				}
			}
			if j >= len(d.toks) || inMention[j] || taken[j] {
				continue
			}
			b, startB, ok := d.nameRun(j, inMention)
			if !ok {
				continue
			}
			c.a, c.b, c.startB = j, b, startB
			d.afterCue(&c)
			// "Talbiseh in Homs": the second name places the first.
			if h.sec == secPlaceCue && len(out) > 0 && max(out[len(out)-1].b, out[len(out)-1].cueB) == d.prev(i) {
				c.in = true
			}
			first := len(out)
			addCand(c)
			i = max(c.b, c.cueB)
			// Coordinated names share the cue: "in Aleppo and Homs",
			// "ريف حلب وإدلب".
			for {
				k := d.next(i)
				if k >= len(d.toks) || d.sent[k] != d.sent[c.a] {
					break
				}
				start := k
				if hh, ok := d.find(k, secAnd); ok {
					start = d.next(k + hh.n - 1)
				} else if d.toks[k].norm == "," {
					start = d.next(k)
				} else if !(d.toks[k].is(fArabic) && strings.HasPrefix(d.toks[k].norm, "و") && d.toks[k].alt[0] != "") {
					break
				}
				if start >= len(d.toks) || inMention[start] || taken[start] {
					break
				}
				b2, sb2, ok := d.nameRun(start, inMention)
				if !ok {
					break
				}
				c2 := candidate{a: start, b: b2, startB: sb2, cueA: -1, cueB: -1, hint: c.hint, cue: c.cue}
				d.afterCue(&c2)
				// "in Hama and Aleppo countrysides": the cue after the last
				// name is the first's too.
				if (c2.hint == hintCountryside || c2.hint == hintProvince) && c2.cueB >= 0 {
					for k := first; k < len(out); k++ {
						if out[k].hint == hintNone || out[k].hint == hintTown && c2.hint == hintTown {
							out[k].hint = c2.hint
						}
					}
				}
				addCand(c2)
				i = max(c2.b, c2.cueB)
			}
			continue
		}
		// A name after a joined preposition: "بالغوطة الشرقية", "بحمص".
		if t := &d.toks[i]; t.is(fArabic) && !inMention[i] && strings.HasPrefix(t.norm, "ب") && t.alt[0] != "" && !d.lexiconWord(i) && (strings.HasPrefix(t.norm, "بال") || d.startsCoordinated(i) && d.resolvesAlt(t)) {
			if b, startB, ok := d.nameRun(i, inMention); ok {
				if startB == t.start {
					startB = skipFirstLetter(d.text, t.start)
				}
				c := candidate{a: i, b: b, startB: startB, cueA: -1, cueB: -1, cue: "ب"}
				if len(out) > 0 && max(out[len(out)-1].b, out[len(out)-1].cueB) == d.prev(i) {
					c.in = true
				}
				d.afterCue(&c)
				addCand(c)
				i = max(c.b, c.cueB)
				continue
			}
		}
		// A name before a cue ("Idlib province", "Aleppo countryside"), or
		// a dateline ("Idlib - "), or Arabic script in a Latin text.
		if inMention[i] || !d.nameStart(i) {
			continue
		}
		arabicScript := d.L.code == "ar" || d.L.code == "fa"
		p := d.prev(i)
		atLineStart := p < 0 || d.toks[p].norm == "\n"
		if arabicScript && !atLineStart {
			continue // Arabic and Persian put the type word before the name
		}
		if p >= 0 && d.sent[p] == d.sent[i] && d.nameStart(p) && !inMention[p] && d.toks[p].kind == word && !arabicScript {
			continue // not the start of a run
		}
		b, startB, ok := d.nameRun(i, inMention)
		if !ok {
			continue
		}
		c := candidate{a: i, b: b, startB: startB, cueA: -1, cueB: -1}
		d.afterCue(&c)
		if c.hint == hintNone {
			n := d.next(b)
			switch {
			case atLineStart && n < len(d.toks) && (d.toks[n].norm == "-" || d.toks[n].norm == ":"):
				c.hint = hintDateline
			case d.toks[i].is(fArabic) && !arabicScript:
				c.hint = hintDateline // a name written in Arabic in another script's text
			case d.L.code == "tr" && b+1 < len(d.toks) && d.toks[b+1].kind == suffix:
				c.cue = "'" + d.toks[b+1].norm // Halep'te: the suffix is the cue
			default:
				continue
			}
		}
		addCand(c)
		i = max(c.b, c.cueB)
	}
	return out
}

// afterCue reads a cue after the name: "province", "countryside", "city".
func (d *doc) afterCue(c *candidate) {
	n := d.next(c.b)
	if n >= len(d.toks) || d.sent[n] != d.sent[c.b] {
		return
	}
	h, ok := d.findAny(n, secProvinceAfter, secCountrysideAfter, secNearAfter, secTownAfter, secNbhdAfter)
	if !ok {
		return
	}
	switch h.sec {
	case secProvinceAfter:
		c.hint = hintProvince
	case secCountrysideAfter:
		c.hint = hintCountryside
	case secTownAfter:
		if c.hint == hintNone || c.hint == hintDateline {
			c.hint = hintTown
		}
	case secNbhdAfter:
		c.hint = hintNbhd
	case secNearAfter:
		c.hint = hintNear
	}
	c.cueB = n + h.n - 1
	if c.cue == "" {
		c.cue = h.phrase
	} else {
		c.cue += " … " + h.phrase
	}
}

// capitalisedName reports whether a skip word is written as part of a
// name ("Eastern Ghouta"), which is tried whole first.
func (d *doc) capitalisedName(j int) bool {
	t := &d.toks[j]
	if !t.is(fCap) || t.is(fArabic) {
		return false
	}
	n := d.next(j)
	return n < len(d.toks) && d.toks[n].is(fCap) && d.toks[n].kind == word
}

// nameStart reports whether token i may start a place name: a
// capitalised word (Latin or Cyrillic), an Arabic-script word, or a
// connector ("al-") before a capitalised word.
func (d *doc) nameStart(i int) bool {
	t := &d.toks[i]
	if t.kind != word {
		return false
	}
	if t.is(fArabic) {
		return d.arabicNameWord(i)
	}
	if t.is(fCap) {
		return !d.lexiconWord(i)
	}
	if _, ok := d.find(i, secConnector); ok {
		n := d.next(i)
		return n < len(d.toks) && d.toks[n].is(fCap) && d.toks[n].kind == word && d.toks[n].start-t.end <= 1
	}
	return false
}

// lexiconWord reports whether a lexicon phrase other than a place's
// starts at token i: such a word ends a name.
func (d *doc) lexiconWord(i int) bool {
	for _, h := range d.hitsAt(i) {
		switch h.sec {
		case secSkip, secConnector, secPlaceName, secPlaceAlias, secNumber, secNotPlace:
		default:
			return true
		}
	}
	return false
}

func (d *doc) arabicNameWord(i int) bool {
	if d.lexiconWord(i) {
		// Words of other lexicon sections end an Arabic name, except the
		// direction words that end names too (الغوطة الشرقية).
		_, skip := d.find(i, secSkip)
		return skip
	}
	return true
}

// nameRun returns the last token of the name starting at token j, and
// the byte the name starts at (after a joined و at its start).
func (d *doc) nameRun(j int, inMention []bool) (int, int, bool) {
	t := &d.toks[j]
	startB := t.start
	if t.kind != word {
		return 0, 0, false
	}
	arabic := t.is(fArabic)
	if arabic {
		if !d.arabicNameWord(j) && !clitic(t) {
			return 0, 0, false
		}
		// A coordinated name: "وإدلب" is read as "إدلب"; a name after the
		// joined preposition: "بالغوطة" as "الغوطة".
		if clitic(t) && d.startsCoordinated(j) {
			startB = skipFirstLetter(d.text, t.start)
		}
	} else if !t.is(fCap) {
		if _, ok := d.find(j, secConnector); !ok {
			return 0, 0, false
		}
	} else if d.lexiconWord(j) {
		return 0, 0, false
	}
	b := j
	for k, n := j, 1; ; n++ {
		nx := k + 1
		// Hyphens inside a name (Deir ez-Zor, al-Bab).
		if nx < len(d.toks) && d.toks[nx].kind == punct && d.toks[nx].norm == "-" && d.toks[nx].is(fJoined) {
			nx++
		}
		if nx >= len(d.toks) || n >= 5 || inMention[nx] || d.toks[nx].kind != word || d.sent[nx] != d.sent[j] {
			break
		}
		nt := &d.toks[nx]
		if arabic {
			if !nt.is(fArabic) || !d.arabicNameWord(nx) {
				break
			}
			// A second name joined by و (حلب وإدلب), or after ب (الخالدية
			// بحمص), ends this one; a name's own word starting with those
			// letters (وادي بردى) does not.
			if clitic(nt) && d.startsCoordinated(nx) && (strings.HasPrefix(nt.norm, "و") || d.resolvesAlt(nt)) {
				break
			}
		} else {
			if nt.is(fArabic) {
				break
			}
			if !nt.is(fCap) {
				if _, ok := d.find(nx, secConnector); !ok {
					break
				}
			} else if d.lexiconWord(nx) {
				if _, ok := d.find(nx, secSkip); !ok {
					break
				}
			}
		}
		k, b = nx, nx
	}
	// A name does not end on a connector.
	for b > j {
		if _, ok := d.find(b, secConnector); ok {
			b = d.prev(b)
			continue
		}
		break
	}
	return b, startB, true
}

// resolvesAlt reports whether an Arabic word without its joined
// preposition is a place name.
func (d *doc) resolvesAlt(t *token) bool {
	s := skipFirstLetter(d.text, t.start)
	if s >= t.end {
		return false
	}
	_, err := d.x.resolve(d.text[s:t.end], "")
	var amb *gazetteer.AmbiguousError
	return err == nil || errors.As(err, &amb)
}

// clitic reports whether an Arabic word starts with a joined و, or with ب,
// ل or ك before the article (بالغوطة, للنظام).
func clitic(t *token) bool {
	if t.alt[0] == "" {
		return false
	}
	return strings.HasPrefix(t.norm, "و") || strings.HasPrefix(t.norm, "ب") || strings.HasPrefix(t.norm, "لل") || strings.HasPrefix(t.norm, "كال")
}

// startsCoordinated: an Arabic word with a joined و that is a name of its
// own once the و is off (حلب وإدلب), not a name beginning with و (وادي).
func (d *doc) startsCoordinated(i int) bool {
	t := &d.toks[i]
	_, err := d.x.resolve(d.text[t.start:t.end], "")
	return err != nil
}

// skipFirstLetter returns the byte after the first letter at s (and its
// marks).
func skipFirstLetter(text string, s int) int {
	_, size := utf8.DecodeRuneInString(text[s:])
	s += size
	for s < len(text) {
		r, size := utf8.DecodeRuneInString(text[s:])
		if !isMark(r) {
			break
		}
		s += size
	}
	return s
}
