package extract

import (
	"fmt"
	"strconv"
)

// casualty kinds a cue word says.
type cueKind uint8

const (
	cueNone cueKind = iota
	cueKilled
	cueWounded
	cueBoth // killed and wounded together ("casualties"): not read
)

// countAt reads a count at token i: digits, or a number word of the
// lexicon. It returns the value and the last token of the count.
func (d *doc) countAt(i int) (int, int, bool) {
	t := &d.toks[i]
	if d.used[i] {
		return 0, 0, false
	}
	if t.kind == number {
		if t.num <= 0 || t.num > 1000000 {
			return 0, 0, false
		}
		if isYear(t) {
			return 0, 0, false // 2016, not two thousand and sixteen people
		}
		// A time (17:53), a ratio or a part of a code.
		if n := i + 1; n < len(d.toks) && d.toks[n].is(fJoined) && (d.toks[n].norm == ":" || d.toks[n].norm == "%" || d.toks[n].norm == "٪" || d.toks[n].kind == word && !d.toks[n].is(fOrdinal)) {
			return 0, 0, false
		}
		if p := i - 1; p >= 0 && t.is(fJoined) && (d.toks[p].norm == ":" || d.toks[p].kind == word || d.toks[p].norm == "/" || d.toks[p].norm == "-" && p > 0 && d.toks[p-1].kind == number) {
			return 0, 0, false
		}
		return d.multiplied(t.num, i)
	}
	if h, ok := d.find(i, secNumber); ok {
		return d.multiplied(h.val, i+h.n-1)
	}
	return 0, 0, false
}

// multiplied reads a multiplier after a count ending at token last
// ("60 thousand").
func (d *doc) multiplied(v, last int) (int, int, bool) {
	if n := d.next(last); n < len(d.toks) {
		if h, ok := d.find(n, secMultiplier); ok && v*h.val <= 10000000 {
			return v * h.val, n + h.n - 1, true
		}
	}
	return v, last, true
}

// casualties reads counts of dead and wounded, and how many of them were
// civilians and children. A count is read with the cue word that says
// what it counts, after it ("135 civilians were killed", "٥ قتلى") or
// before it ("killing 4", "مقتل ٥", "قتل 12 مدنياً"); a count after
// "including" ("بينهم 3 أطفال") is part of the dead counted before it.
// "Casualties", "killed and wounded", "قتلى وجرحى" count both and are not
// read. Civilians and children are the killed ones.
func (d *doc) casualties() {
	lastKilledSent, inclSent := int32(-1), int32(-1)
	for i := 0; i < len(d.toks); i++ {
		v, last, ok := d.countAt(i)
		if !ok {
			continue
		}
		sent := d.sent[i]
		// Words that make the number a measure, not a count of people.
		nx := d.next(last)
		if _, ok := d.find(nx, secUnit); ok {
			i = last
			continue
		}
		// The quantifier before ("at least", "أكثر من").
		first := i
		if q, ok := d.endingAt(d.prev(i), sent, secQuantifier); ok {
			first = q
		}
		// What is counted: civilians, children, people.
		catEnd := last
		category := ""
		start := nx
		if d.toks[last].kind == word {
			start = last // a dual: the count is the counted word (عنصران)
		}
		for k, step := start, 0; k < len(d.toks) && step < 3 && d.sent[k] == sent; k, step = d.next(k), step+1 {
			if h, ok := d.findAny(k, secCivilians, secChildren, secPeople); ok {
				switch h.sec {
				case secCivilians:
					category = FieldCivilians
				case secChildren:
					category = FieldChildren
				}
				catEnd = k + h.n - 1
				break
			}
			// One adjective may come between ("4 Syrian civilians", "5 other
			// people"); a count never spans a cue word.
			if k == last {
				continue // a dual that is not itself a category word: go on
			}
			if d.toks[k].kind != word || step > 0 && len(d.hitsAt(k)) > 0 {
				break
			}
		}
		// The cue before the count; in Arabic the subject may stand
		// between a verb and its count ("أعدم تنظيم داعش ثلاثة أشخاص").
		back, backStart := cueNone, -1
		subset := false
		p := d.prev(first)
		if d.L.lex.Order == "vso" && p >= 0 {
			for _, m := range d.mentions {
				if m.b == p {
					p = d.prev(m.a)
				}
			}
		}
		if p >= 0 && d.sent[p] == sent {
			if a, h, ok := d.endingAtHit(p, sent, secKilledBefore, secWoundedBefore, secIncluding); ok {
				switch h.sec {
				case secKilledBefore:
					back = cueKilled
				case secWoundedBefore:
					back = cueWounded
				case secIncluding:
					subset = true
				}
				backStart = a
			}
		}
		// The cue after the count: the first within a few words, in the same
		// sentence, before another count. A cue word followed by a count is
		// that count's ("killed 4 and wounded 10").
		fwd, fwdStart, fwdEnd := cueNone, -1, -1
		for k, step := d.next(catEnd), 0; k < len(d.toks) && step < 6 && d.sent[k] == sent; k, step = d.next(k), step+1 {
			// "40 people, among them 11 children, died": over the clause.
			if inc, ok := d.find(k, secIncluding); ok {
				j := d.next(k + inc.n - 1)
				if _, q := d.find(j, secQuantifier); q {
					j = d.next(j)
				}
				if j < len(d.toks) && (d.toks[j].kind == number || hasNumberWord(d, j)) {
					j = d.next(j)
					if c, ok := d.findAny(j, secCivilians, secChildren, secPeople); ok {
						k = j + c.n - 1
						continue
					}
				}
			}
			if d.toks[k].kind == number && !d.used[k] {
				break
			}
			h, ok := d.findAny(k, secKilled, secWounded, secBoth)
			if !ok {
				if _, ok := d.find(k, secNumber); ok {
					if n := d.next(k); n < len(d.toks) {
						if _, ok := d.findAny(n, secCivilians, secChildren, secPeople); ok {
							break
						}
					}
				}
				continue
			}
			end := k + h.n - 1
			if n := d.next(end); n < len(d.toks) && d.sent[n] == sent {
				if _, _, ok := d.countAt(n); ok {
					break
				}
				if _, ok := d.find(n, secQuantifier); ok {
					break
				}
			}
			switch h.sec {
			case secKilled:
				fwd = cueKilled
			case secWounded:
				fwd = cueWounded
			case secBoth:
				fwd = cueBoth
			}
			fwdStart, fwdEnd = k, end
			break
		}
		// A cue after the count that is the second of two verbs ("killed 4
		// civilians and wounded others") is not this count's when one
		// stands before it.
		if fwd != cueNone && back != cueNone && fwd != back {
			if p := d.prev(fwdStart); p >= 0 {
				if _, ok := d.find(p, secAnd); ok {
					fwd = cueNone
				}
			}
		}
		// "٥ قتلى من المدنيين": what is counted, after the cue.
		if category == "" && fwd != cueNone {
			if k := d.next(fwdEnd); k < len(d.toks) && d.sent[k] == sent {
				if c, ok := d.find(k, secCounted); ok {
					if h, ok := d.findAny(d.next(k+c.n-1), secCivilians, secChildren); ok {
						if h.sec == secCivilians {
							category = FieldCivilians
						} else {
							category = FieldChildren
						}
						fwdEnd = d.next(k+c.n-1) + h.n - 1
					}
				}
			}
		}
		kind := cueNone
		from, end := first, catEnd
		how := ""
		switch {
		case subset:
			// "including 3 children": part of the dead counted before.
			if category != "" && lastKilledSent == sent {
				d.add(category, strconv.Itoa(v), "", "", backStart, catEnd, 0.75, fmt.Sprintf("%s.casualties: %s among the dead counted before", d.L.code, category))
			}
			if lastKilledSent == sent {
				inclSent = sent
			}
			i = catEnd
			continue
		case fwd != cueNone && fwdEnd-catEnd <= 3:
			kind, end = fwd, fwdEnd
			how = "after the count"
		case back != cueNone:
			kind, from = back, backStart
			how = "before the count"
		case fwd != cueNone:
			kind, end = fwd, fwdEnd
			how = "after the count"
		}
		// "a child and two women were killed": the count is part of a list
		// of the dead, not their number.
		if kind == cueKilled && d.inVictimList(first, catEnd) {
			kind = cueNone
			category = ""
		}
		switch kind {
		case cueKilled:
			conf := 0.85
			if how == "after the count" && fwdEnd-catEnd > 3 {
				conf = 0.7
			}
			d.add(FieldKilled, strconv.Itoa(v), "", "", from, max(end, catEnd), conf, fmt.Sprintf("%s.casualties: killed (cue %s)", d.L.code, how))
			if category != "" {
				d.add(category, strconv.Itoa(v), "", "", from, max(end, catEnd), conf-0.05, fmt.Sprintf("%s.casualties: %s killed (cue %s)", d.L.code, category, how))
			}
			lastKilledSent = sent
		case cueWounded:
			d.add(FieldWounded, strconv.Itoa(v), "", "", from, max(end, catEnd), 0.85, fmt.Sprintf("%s.casualties: wounded (cue %s)", d.L.code, how))
		case cueNone:
			// "including 11 fighters and 4 civilians": a list after
			// "including" goes on counting the dead.
			if category != "" && inclSent == sent {
				d.add(category, strconv.Itoa(v), "", "", first, catEnd, 0.6, fmt.Sprintf("%s.casualties: %s among the dead counted before (a list after \"including\")", d.L.code, category))
			}
		}
		i = max(catEnd, last)
	}
}

func hasNumberWord(d *doc, j int) bool {
	_, ok := d.find(j, secNumber)
	return ok
}

// inVictimList reports whether the count at tokens first..catEnd is one of
// a list of victims joined by "and" ("a child and two women", "two women
// and a child"), whose total it is not.
func (d *doc) inVictimList(first, catEnd int) bool {
	isVictim := func(k int) bool {
		_, ok := d.findAny(k, secPeople, secCivilians, secChildren)
		return ok
	}
	if p := d.prev(first); p >= 0 && d.sent[p] == d.sent[first] {
		if _, ok := d.endingAt(p, d.sent[p], secAnd); ok {
			if q := d.prev(p); q >= 0 && isVictim(q) {
				return true
			}
		}
	}
	if n := d.next(catEnd); n < len(d.toks) && d.sent[n] == d.sent[catEnd] {
		if h, ok := d.find(n, secAnd); ok {
			for k, step := d.next(n+h.n-1), 0; k < len(d.toks) && step < 3; k, step = d.next(k), step+1 {
				if isVictim(k) {
					return true
				}
			}
		}
	}
	return false
}

// endingAt finds a phrase of the sections whose last token is p, in
// sentence sent, and returns its first token.
func (d *doc) endingAt(p int, sent int32, secs ...section) (int, bool) {
	a, _, ok := d.endingAtHit(p, sent, secs...)
	return a, ok
}

func (d *doc) endingAtHit(p int, sent int32, secs ...section) (int, hit, bool) {
	if p < 0 {
		return 0, hit{}, false
	}
	// The longest phrase ending at p: the one starting first.
	bestA, found := 0, false
	var best hit
	for a := p; a >= 0 && a >= p-5; a-- {
		if d.sent[a] != sent {
			break
		}
		for _, h := range d.hitsAt(a) {
			if a+h.n-1 != p {
				continue
			}
			for _, s := range secs {
				if h.sec == s {
					bestA, best, found = a, h, true
				}
			}
		}
	}
	return bestA, best, found
}
