package extract

import (
	"fmt"
	"strings"

	"github.com/truce-monitor/truce/internal/actor"
)

// actMention is an act type read from the text.
type actMention struct {
	a, b    int
	typ     string
	conf    float64
	rule    string
	generic bool
	implied bool // implied by an actor's name, on its span
}

// readActs reads the act types of the lexicon's acts.
func (d *doc) readActs() {
	for i := 0; i < len(d.toks); i++ {
		h, ok := d.find(i, secAct)
		if !ok {
			continue
		}
		e := d.L.lex.Acts[h.val]
		b := i + h.n - 1
		conf := e.Confidence
		if conf == 0 {
			conf = 0.8
		}
		rule := fmt.Sprintf("%s.acts: %s", d.L.code, e.Phrase)
		if e.Rule != "" {
			rule += " (" + e.Rule + ")"
		}
		d.acts = append(d.acts, actMention{a: i, b: b, typ: e.Act, conf: conf, rule: rule, generic: e.Generic})
		i = b
	}
	// Acts a name implies ("Russian warplanes": airstrike), where the
	// sentence names none of that type.
	var implied []actMention
	for i := 0; i < len(d.toks); i++ {
		h, ok := d.find(i, secActor)
		if !ok {
			continue
		}
		e := d.x.actorVals[h.val]
		b := i + h.n - 1
		if e.Act != "" {
			named := false
			for _, o := range d.acts {
				if o.typ == e.Act && d.sent[o.a] == d.sent[i] {
					named = true
				}
			}
			if !named {
				implied = append(implied, actMention{a: i, b: b, typ: e.Act, conf: 0.7, rule: fmt.Sprintf("%s.actors: %s (implies %s)", d.L.code, e.Phrase, e.Act), implied: true})
			}
		}
		i = b
	}
	d.acts = append(d.acts, implied...)
	// A word for any bombardment yields to a specific act of its sentence.
	for k, am := range d.acts {
		if am.generic {
			specific := false
			for _, o := range d.acts {
				if !o.generic && d.sent[o.a] == d.sent[am.a] {
					specific = true
				}
			}
			if specific {
				d.acts[k].typ = ""
				continue
			}
		}
		d.add(FieldAct, am.typ, "", "", am.a, am.b, am.conf, am.rule)
	}
}

// mention is an actor named in the text.
type mention struct {
	a, b     int
	id       string
	kind     actor.Kind
	entry    ActorEntry
	conf     float64
	source   string // the lexicon or the registry
	role     string
	roleConf float64
	roleRule string
	// chain is the index of the first mention of a coordination ("X and
	// Y"), which shares its role.
	chain int
}

// readActors reads the actors the text names, gives each the role its
// words say, and who initiated.
func (d *doc) readActors() {
	d.mentions = d.mentions[:0]
	for i := 0; i < len(d.toks); i++ {
		h, ok := d.find(i, secActor)
		if !ok {
			continue
		}
		h0 := i
		e := d.x.actorVals[h.val]
		b := i + h.n - 1
		a, _ := d.x.actors.Get(e.Actor)
		// "rebel-held", "Iran-backed", "Britain-based": not the actor acting.
		if n := d.next(b); n < len(d.toks) && d.sent[n] == d.sent[b] {
			if _, ok := d.find(n, secNotActing); ok {
				i = b
				continue
			}
		}
		// "ISIS fighters": a generic head noun after a name is part of it.
		if e.Generic && len(d.mentions) > 0 {
			last := &d.mentions[len(d.mentions)-1]
			if d.next(last.b) == i {
				last.b = b
				i = b
				continue
			}
		}
		// "боевики ИГИЛ", "IS fighters": a generic head noun right before a
		// name is part of it too.
		if !e.Generic && len(d.mentions) > 0 {
			last := d.mentions[len(d.mentions)-1]
			if last.entry.Generic && d.next(last.b) == i {
				d.mentions = d.mentions[:len(d.mentions)-1]
				i = last.a
			}
		}
		conf := e.Confidence
		if conf == 0 {
			conf = 0.9
		}
		src := "registry"
		if isLexiconEntry(d.L.lex, e) {
			src = d.L.code + ".actors"
		}
		m := mention{a: i, b: b, id: e.Actor, kind: a.Kind, entry: e, conf: conf, source: src}
		if i != h0 {
			m.a = i // a generic noun before the name is part of the mention
		}
		m.chain = len(d.mentions)
		// Coordination: "X and Y", "X, Y", "X وY".
		if len(d.mentions) > 0 {
			prev := d.mentions[len(d.mentions)-1]
			if d.coordinated(prev.b, i) {
				m.chain = prev.chain
			}
		}
		d.mentions = append(d.mentions, m)
		i = b
	}
	if len(d.mentions) == 0 {
		return
	}
	d.sides()
	d.markedRoles()
	d.markersNeedAnAct()
	d.verbRoles()
	d.actRoles()
	d.initiators()
	// A chain shares the role of its first mention that has one.
	for k := range d.mentions {
		m := &d.mentions[k]
		if m.role != "" {
			continue
		}
		for j := range d.mentions {
			o := d.mentions[j]
			if o.chain == m.chain && o.role != "" && o.role != "-" && j != k {
				m.role, m.roleConf, m.roleRule = o.role, o.roleConf-0.05, o.roleRule+", coordinated"
				break
			}
		}
	}
	for _, m := range d.mentions {
		if m.kind == actor.Civilians && m.role != RoleTarget {
			continue // civilians are read as targets only; counts say the rest
		}
		if m.entry.Generic && !strongRole(m.roleRule) {
			continue // "fighters" alone names nobody, unless a marker says what befell them
		}
		if m.role == "-" {
			continue // "areas controlled by X": X is not acting here
		}
		if d.denied(m.a) && m.role != "" {
			m.role = "" // "X denied shelling": nothing asserted
			if m.entry.Generic {
				continue
			}
		}
		conf := m.conf * 0.55
		rule := fmt.Sprintf("%s: %s", m.source, m.entry.Phrase)
		if m.role != "" {
			conf = min(m.conf, m.roleConf)
			rule += "; " + m.role + ": " + m.roleRule
		} else {
			rule += "; no role cue"
		}
		d.add(FieldActor, m.id, m.role, "", m.a, m.b, conf, rule)
	}
}

// strongRole: a role read from a marker next to the name ("by", "on",
// "between"), not from a verb or an act further off.
func strongRole(rule string) bool {
	return strings.HasPrefix(rule, "agent marker") || strings.HasPrefix(rule, "target marker") || strings.HasPrefix(rule, "between")
}

func isLexiconEntry(lx *Lexicon, e ActorEntry) bool {
	for _, a := range lx.Actors {
		if a.Phrase == e.Phrase && a.Actor == e.Actor {
			return true
		}
	}
	return false
}

// coordinated reports whether the mention ending at token b and the one
// starting at token a are joined by "and", a comma or the Arabic و written
// on the second.
func (d *doc) coordinated(b, a int) bool {
	if d.sent[b] != d.sent[a] {
		return false
	}
	n := d.next(b)
	if n == a {
		// و joined to the second name: "قوات النظام وحزب الله"
		t := &d.toks[a]
		return t.is(fArabic) && t.alt[0] != "" && len(t.norm) > 2 && t.norm[:2] == "و"
	}
	if h, ok := d.find(n, secAnd); ok && d.next(n+h.n-1) == a {
		return true
	}
	if d.toks[n].norm == "," && d.next(n) == a {
		return true
	}
	return false
}

func (d *doc) setRole(k int, role string, conf float64, rule string) {
	m := &d.mentions[k]
	if m.role != "" {
		return
	}
	m.role, m.roleConf, m.roleRule = role, conf, rule
}

// mentionAt returns the index of the mention starting within maxGap
// tokens after token p (in its sentence), if no other cue intervenes.
func (d *doc) mentionAfter(p, maxGap int) (int, bool) {
	k := d.next(p)
	for step := 0; step <= maxGap && k < len(d.toks) && d.sent[k] == d.sent[p]; step++ {
		for mi := range d.mentions {
			if d.mentions[mi].a == k {
				return mi, true
			}
		}
		if d.toks[k].kind == punct && d.toks[k].norm != "," || d.isCue(k) {
			return 0, false
		}
		k = d.next(k)
	}
	return 0, false
}

// mentionBefore returns the mention ending within maxGap tokens before
// token p.
func (d *doc) mentionBefore(p, maxGap int) (int, bool) {
	k := d.prev(p)
	for step := 0; step <= maxGap && k >= 0 && d.sent[k] == d.sent[p]; step++ {
		for mi := range d.mentions {
			if d.mentions[mi].b == k {
				return mi, true
			}
		}
		if d.toks[k].kind == punct || d.isCue(k) {
			return 0, false
		}
		k = d.prev(k)
	}
	return 0, false
}

// isCue reports whether a role cue starts at token k.
func (d *doc) isCue(k int) bool {
	_, ok := d.findAny(k, secAttack, secClash, secAgentBefore, secTargetBefore, secBetween, secInitiative, secResponse, secRetaliation)
	return ok
}

// sides reads "clashes between X and Y", "اشتباكات بين X وY", "X ile Y
// arasında".
func (d *doc) sides() {
	for i := range d.toks {
		if h, ok := d.find(i, secBetween); ok {
			m1, ok := d.mentionAfter(i+h.n-1, 2)
			if !ok || m1+1 >= len(d.mentions) {
				continue
			}
			m2 := m1 + 1
			if !d.coordinated(d.mentions[m1].b, d.mentions[m2].a) {
				continue
			}
			rule := "between X and Y (" + h.phrase + ")"
			d.setRole(m1, RoleSideA, 0.8, rule)
			d.setRole(m2, RoleSideB, 0.8, rule)
			// The second side is not coordinated with the first.
			d.mentions[m2].chain = m2
		}
		if h, ok := d.find(i, secBetweenAfter); ok {
			m2, ok := d.mentionBefore(i, 1)
			if !ok || m2 == 0 {
				continue
			}
			m1 := m2 - 1
			if !d.coordinatedWith(d.mentions[m1].b, d.mentions[m2].a) {
				continue
			}
			rule := "X and Y between (" + h.phrase + ")"
			d.setRole(m1, RoleSideA, 0.8, rule)
			d.setRole(m2, RoleSideB, 0.8, rule)
			d.mentions[m2].chain = m2
		}
	}
	// "clashes with X", "اشتباكات مع X": X is the other side.
	for _, am := range d.acts {
		if am.typ != "armed_clash" || am.implied {
			continue
		}
		n := d.next(am.b)
		if n >= len(d.toks) || d.sent[n] != d.sent[am.a] {
			continue
		}
		if h, ok := d.find(n, secWith); ok {
			if k, ok := d.mentionAfter(n+h.n-1, 1); ok {
				d.setRole(k, RoleSideB, 0.6, "the other side of "+d.text[d.toks[am.a].start:d.toks[am.b].end])
			}
		}
	}
	// "X clashed with Y": sides.
	for i := range d.toks {
		h, ok := d.find(i, secClash)
		if !ok {
			continue
		}
		end := i + h.n - 1
		subj, okS := d.subjectOf(i, end)
		if !okS {
			continue
		}
		obj, okO := d.objectOf(end, subj)
		rule := "X " + h.phrase + " Y"
		if okO {
			d.setRole(subj, RoleSideA, 0.75, rule)
			d.setRole(obj, RoleSideB, 0.75, rule)
		}
	}
}

// coordinatedWith: coordinated, or joined by a word of roles.with (the
// Turkish "ile").
func (d *doc) coordinatedWith(b, a int) bool {
	if d.coordinated(b, a) {
		return true
	}
	n := d.next(b)
	if h, ok := d.find(n, secWith); ok && d.next(n+h.n-1) == a {
		return true
	}
	return false
}

// markedRoles reads roles marked by a word next to the name: "by X",
// "من قبل X", "X tarafından" (perpetrator), "on X", "against X", "ضد X"
// (target), and names that say the actor struck ("Russian warplanes",
// "الطيران الروسي"), or stand right before the act in English ("regime
// airstrikes") or right after it in Arabic ("قصف قوات النظام").
func (d *doc) markedRoles() {
	for k := range d.mentions {
		m := d.mentions[k]
		if m.role != "" {
			continue
		}
		if p := d.prev(m.a); p >= 0 {
			if _, h, ok := d.endingAtHitGap(p, m.a, secNotActingBefore); ok {
				d.mentions[k].role, d.mentions[k].roleRule = "-", h.phrase
				continue
			}
			if d.counted(m.a) && m.kind != actor.Civilians && !m.entry.Generic {
				d.setRole(k, RoleTarget, 0.7, "counted among the dead or wounded")
				continue
			}
			if a, h, ok := d.endingAtHitGap(p, m.a, secAgentBefore); ok {
				// "repelled by X": X defended.
				if v := d.prev(a); v >= 0 {
					if _, isDef := d.endingAt(v, d.sent[a], secDefence); isDef {
						d.setRole(k, RoleTarget, 0.65, "defended ("+d.text[d.toks[v].start:d.toks[a].end]+")")
						continue
					}
				}
				d.setRole(k, RolePerpetrator, 0.85, "agent marker ("+h.phrase+")")
				continue
			}
			if _, h, ok := d.endingAtHitGap(p, m.a, secTargetBefore); ok {
				d.setRole(k, RoleTarget, 0.7, "target marker ("+h.phrase+")")
				continue
			}
		}
		if n := d.next(m.b); n < len(d.toks) && d.sent[n] == d.sent[m.b] {
			if h, ok := d.find(n, secAgentAfter); ok {
				d.setRole(k, RolePerpetrator, 0.85, "agent marker ("+h.phrase+")")
				continue
			}
		}
		if m.entry.Agent {
			d.setRole(k, RolePerpetrator, 0.8, "the name says it struck")
			continue
		}
	}
}

// markersNeedAnAct clears the roles read from "by X" and "on X" in a
// sentence that names no act, attack verb or count of dead: "the truce
// brokered by Turkey and Russia", "undermined by Iran" say nothing of who
// struck whom.
func (d *doc) markersNeedAnAct() {
	for k := range d.mentions {
		m := &d.mentions[k]
		if !strings.HasPrefix(m.roleRule, "agent marker") && !strings.HasPrefix(m.roleRule, "target marker") {
			continue
		}
		s := d.sent[m.a]
		acted := false
		for _, am := range d.acts {
			if d.sent[am.a] == s {
				acted = true
			}
		}
		for i := range d.toks {
			if acted || d.sent[i] > s {
				break
			}
			if d.sent[i] != s {
				continue
			}
			if _, ok := d.findAny(i, secAttack, secInitiative, secClash, secKilled, secKilledBefore, secWounded, secWoundedBefore); ok {
				acted = true
			}
		}
		if !acted {
			m.role, m.roleConf, m.roleRule = "", 0, ""
		}
	}
}

// actRoles: a name right before the act in English ("regime airstrikes",
// "IS suicide bombing") or right after it in Arabic ("قصف قوات النظام",
// "غارات الطيران الروسي") is who acted.
func (d *doc) actRoles() {
	for k := range d.mentions {
		m := d.mentions[k]
		if m.role != "" {
			continue
		}
		for _, am := range d.acts {
			if am.implied {
				continue
			}
			if d.L.lex.Possessor == "after" && d.next(am.b) == m.a || d.L.lex.Possessor == "before" && d.next(m.b) == am.a {
				d.setRole(k, RolePerpetrator, 0.7, "named with the act ("+am.typ+")")
				break
			}
		}
	}
}

// counted reports whether a count stands right before the name at token
// a, directly or through words of roles.counted ("16 YPG fighters", "11
// members of the regime forces", "5 عناصر من قوات النظام").
func (d *doc) counted(a int) bool {
	p := d.prev(a)
	if p < 0 || d.sent[p] != d.sent[a] {
		return false
	}
	if s, ok := d.endingAt(p, d.sent[a], secCounted); ok {
		p = d.prev(s)
		// "11 members of the": a word for who they were may come between,
		// unless it is the count itself (عنصران من).
		if p >= 0 && d.toks[p].kind == word {
			if _, isCount := d.find(p, secNumber); !isCount {
				if _, ok := d.findAny(p, secPeople, secCivilians); ok {
					p = d.prev(p)
				}
			}
		}
	}
	if p < 0 || d.sent[p] != d.sent[a] {
		return false
	}
	if d.toks[p].kind == number {
		return true
	}
	_, ok := d.find(p, secNumber)
	return ok
}

// endingAtHitGap finds a cue of sec ending at p or up to two words before
// (articles, "positions of"), with no name or number between it and token
// a. A cue inside a longer phrase of another kind ("at" of "at least") is
// not one.
func (d *doc) endingAtHitGap(p, a int, sec section) (int, hit, bool) {
	q := p
	for gap := 0; gap <= 2 && q >= 0 && d.sent[q] == d.sent[a]; gap++ {
		if s, h, ok := d.endingAtHit(q, d.sent[a], sec); ok && !d.insideLonger(s, h) {
			return s, h, true
		}
		if d.toks[q].kind != word || d.isCue(q) {
			break
		}
		for _, m := range d.mentions {
			if m.b == q {
				return 0, hit{}, false
			}
		}
		q = d.prev(q)
	}
	return 0, hit{}, false
}

// insideLonger reports whether a longer phrase of another section starts
// where h does.
func (d *doc) insideLonger(s int, h hit) bool {
	for _, o := range d.hitsAt(s) {
		if o.sec != h.sec && o.n > h.n && o.sec != secActor && o.sec != secAct {
			return true
		}
	}
	return false
}

// subjectOf finds the subject of a verb at tokens v..end: in English and
// Russian the name before it; in Arabic the name right after it, or before
// it; in Turkish and Persian the first name of the clause before it.
func (d *doc) subjectOf(v, end int) (int, bool) {
	switch d.L.lex.Order {
	case "vso":
		if k, ok := d.mentionAfter(end, 2); ok {
			return k, true
		}
		return d.chainBefore(v, 4)
	case "sov":
		for k, m := range d.mentions {
			if m.b < v && d.sent[m.a] == d.sent[v] && (m.role == "" || m.role == RolePerpetrator) {
				return k, true
			}
		}
		return 0, false
	}
	return d.chainBefore(v, 5)
}

// chainBefore finds the mention (the first of its coordination) ending
// within maxGap tokens before token v.
func (d *doc) chainBefore(v, maxGap int) (int, bool) {
	k, ok := d.mentionBefore(v, maxGap)
	if !ok {
		return 0, false
	}
	return d.mentions[k].chain, true
}

// objectOf finds the name after a verb that is not its subject; in
// Turkish and Persian, the name between the subject and the verb.
func (d *doc) objectOf(end, subj int) (int, bool) {
	if d.L.lex.Order == "sov" {
		for k := subj + 1; k < len(d.mentions); k++ {
			m := d.mentions[k]
			if m.b >= end || d.sent[m.a] != d.sent[end] {
				break
			}
			if m.chain != d.mentions[subj].chain {
				return k, true
			}
		}
		return 0, false
	}
	k := end
	for step := 0; step < 3; step++ {
		o, ok := d.mentionAfter(k, 3)
		if !ok {
			return 0, false
		}
		if d.mentions[o].chain != d.mentions[subj].chain {
			return o, true
		}
		k = d.mentions[o].b
	}
	return 0, false
}

// verbRoles reads "X struck Y": X perpetrator, Y target; in the passive
// ("Y was shelled") the name before the verb is the target.
func (d *doc) verbRoles() {
	for i := range d.toks {
		h, ok := d.findAny(i, secAttack, secInitiative)
		if !ok {
			continue
		}
		end := i + h.n - 1
		passive := false
		if p := d.prev(i); p >= 0 {
			if _, ok := d.endingAt(p, d.sent[i], secPassive); ok {
				passive = true
			}
		}
		// A headline's participle: "Seven fighters killed in Homs", "YPG
		// targeted near Manbij": a verb in -ed with no object after it.
		if !passive && d.L.code == "en" && h.n == 1 && strings.HasSuffix(d.toks[i].norm, "ed") {
			n := d.next(end)
			if n >= len(d.toks) || d.sent[n] != d.sent[i] || d.toks[n].kind == punct {
				passive = true
			} else if _, ok := d.findAny(n, secPlaceCue, secNear, secAgentBefore, secRelative); ok {
				_, isObj := d.mentionAfter(end, 0)
				_, isCount := d.find(n, secQuantifier)
				if !isObj && !isCount {
					passive = true
				}
			}
		}
		// Verbs of killing make no target of civilians: their counts say it.
		killing := false
		if _, ok := d.findAny(i, secKilled, secKilledBefore); ok {
			killing = true
		}
		if passive && d.L.lex.Order == "svo" {
			if k, ok := d.chainBefore(i, 5); ok && !(killing && d.mentions[k].kind == actor.Civilians) {
				d.setRole(k, RoleTarget, 0.65, "subject of a passive ("+h.phrase+")")
			}
			continue
		}
		subj, ok := d.subjectOf(i, end)
		if ok {
			d.setRole(subj, RolePerpetrator, 0.7, "subject of "+h.phrase)
			if o, ok := d.objectOf(end, subj); ok && !(killing && d.mentions[o].kind == actor.Civilians) {
				d.setRole(o, RoleTarget, 0.6, "object of "+h.phrase)
			}
			continue
		}
		if d.L.lex.Order == "svo" {
			if o, ok := d.mentionAfter(end, 3); ok {
				d.setRole(o, RoleTarget, 0.55, "object of "+h.phrase)
			}
		}
	}
}

// split reads a verb and its object with the subject between them:
// "شنت قوات النظام والميليشيات هجوماً" (the names are the perpetrators and,
// for an entry marked initiator, initiated), "أعلنت هيئة تحرير الشام
// مسؤوليتها".
func (d *doc) split(i int, obj hit) {
	k, ok := d.mentionBefore(i, 1)
	if !ok {
		return
	}
	first := k
	for first > 0 && d.mentions[first-1].chain == d.mentions[k].chain {
		first--
	}
	v := d.prev(d.mentions[first].a)
	if v < 0 {
		return
	}
	a, h, ok := d.endingAtHit(v, d.sent[i], secSplitVerb)
	if !ok || h.val != obj.val {
		return
	}
	entry := d.L.lex.Roles.Split[obj.val]
	for j := first; j <= k; j++ {
		m := d.mentions[j]
		if m.kind == actor.Civilians || m.role != "" && m.role != RolePerpetrator && m.role != "-" {
			continue
		}
		d.mentions[j].role = ""
		d.setRole(j, RolePerpetrator, 0.75, h.phrase+" … "+obj.phrase)
		if entry.Initiator {
			d.add(FieldInitiator, m.id, RolePerpetrator, "", a, i+obj.n-1, 0.7, fmt.Sprintf("%s.roles.split: %s … %s", d.L.code, h.phrase, obj.phrase))
		}
	}
}

// initiators reads who initiated: the subject of "launched an attack",
// "attempted to advance", "captured", "شنت هجوماً", "حاولت التقدم"; the name
// after "in response to", "رداً على"; the name after "retaliated against".
func (d *doc) initiators() {
	for i := range d.toks {
		if h, ok := d.find(i, secInitiative); ok {
			end := i + h.n - 1
			subj, ok := d.subjectOf(i, end)
			if !ok {
				continue
			}
			for k := range d.mentions {
				m := d.mentions[k]
				if m.chain != d.mentions[subj].chain || m.kind == actor.Civilians {
					continue
				}
				if m.role != "" && m.role != RolePerpetrator {
					continue
				}
				a, b := min(m.a, i), max(m.b, end)
				d.add(FieldInitiator, m.id, RolePerpetrator, "", a, b, 0.7, fmt.Sprintf("%s.roles.initiative: %s", d.L.code, h.phrase))
			}
			continue
		}
		if h, ok := d.find(i, secSplitObject); ok {
			d.split(i, h)
			continue
		}
		h, ok := d.findAny(i, secResponse, secRetaliation)
		if !ok {
			continue
		}
		end := i + h.n - 1
		o, ok := d.mentionAfter(end, 3)
		if !ok || d.mentions[o].kind == actor.Civilians {
			continue
		}
		m := d.mentions[o]
		conf := 0.6
		if h.sec == secRetaliation {
			conf = 0.5
		}
		d.add(FieldInitiator, m.id, RolePerpetrator, "", i, m.b, conf, fmt.Sprintf("%s.%s: %s", d.L.code, h.sec, h.phrase))
	}
}
