package agreement

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/area"
)

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

type validator struct {
	a   *Agreement
	chk Checker
	ps  Problems
}

func (v *validator) fail(path, format string, args ...any) {
	v.ps = append(v.ps, Problem{File: v.a.File, Line: v.a.lineOf(path), Field: path, Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) required(path, value string) bool {
	if strings.TrimSpace(value) == "" {
		v.fail(path, "is required")
		return false
	}
	return true
}

func (v *validator) id(path, value string) bool {
	if !v.required(path, value) {
		return false
	}
	if !idPattern.MatchString(value) {
		v.fail(path, "%q is not a valid id (letters, digits, '-', '_', '.')", value)
		return false
	}
	return true
}

// parseTime accepts RFC 3339 with an offset, or a local date or date-time
// read in the agreement's time zone: agreements are announced in local
// time ("from 00:00 on 30 December, Damascus time").
func parseTime(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (want 2016-12-30T00:00:00+02:00, or 2016-12-30 read in the agreement's time zone)", s)
}

func (a *Agreement) validate(chk Checker) Problems {
	v := &validator{a: a, chk: chk}
	v.id("id", a.ID)
	v.required("title", a.Title)
	a.Location = time.UTC
	if v.required("timezone", a.TimeZone) {
		loc, err := time.LoadLocation(a.TimeZone)
		if err != nil {
			v.fail("timezone", "unknown time zone %q (want an IANA name such as Asia/Damascus)", a.TimeZone)
		} else {
			a.Location = loc
		}
	}
	if len(a.Versions) == 0 {
		v.fail("versions", "at least one version is required")
	}
	for i, ver := range a.Versions {
		v.version(fmt.Sprintf("versions[%d]", i), ver)
	}
	for i := 1; i < len(a.Versions); i++ {
		prev, cur := a.Versions[i-1], a.Versions[i]
		path := fmt.Sprintf("versions[%d]", i)
		if cur.Number != prev.Number+1 {
			v.fail(path+".version", "version %d follows version %d; versions are numbered 1, 2, 3, … in order", cur.Number, prev.Number)
		}
		if !prev.From.IsZero() && !cur.From.IsZero() && !cur.From.After(prev.From) {
			v.fail(path+".effective_from", "version %d takes effect %s, not after version %d (%s)", cur.Number, cur.EffectiveFrom, prev.Number, prev.EffectiveFrom)
		}
	}
	if len(a.Versions) > 0 && a.Versions[0].Number != 1 {
		v.fail("versions[0].version", "the first version must be 1, not %d", a.Versions[0].Number)
	}
	sort.SliceStable(v.ps, func(i, j int) bool { return v.ps[i].Line < v.ps[j].Line })
	return v.ps
}

func (v *validator) version(path string, ver *Version) {
	loc := v.a.Location
	v.required(path+".label", ver.Label)
	if v.required(path+".effective_from", ver.EffectiveFrom) {
		t, err := parseTime(ver.EffectiveFrom, loc)
		if err != nil {
			v.fail(path+".effective_from", "%v", err)
		}
		ver.From = t
	}
	if ver.EffectiveTo != "" {
		t, err := parseTime(ver.EffectiveTo, loc)
		switch {
		case err != nil:
			v.fail(path+".effective_to", "%v", err)
		case !ver.From.IsZero() && !t.After(ver.From):
			v.fail(path+".effective_to", "%s is not after effective_from %s", ver.EffectiveTo, ver.EffectiveFrom)
		}
		ver.To = t
	}

	// Every id a version declares, with where it was declared: an actor
	// or id in two roles would make rulings depend on lookup order.
	ids := map[string]string{}
	declare := func(p, id, kind string) {
		if !v.id(p, id) {
			return
		}
		if prev, dup := ids[id]; dup {
			v.fail(p, "%s id %q is already used by %s", kind, id, prev)
			return
		}
		ids[id] = p
	}
	actors := map[string]string{}
	claim := func(p, actorID, owner string) {
		if !v.required(p, actorID) {
			return
		}
		if v.chk.KnownActor != nil && !v.chk.KnownActor(actorID) {
			v.fail(p, "unknown actor %q (not in the actor registry)", actorID)
		}
		if prev, dup := actors[actorID]; dup {
			v.fail(p, "actor %q is listed under both %s and %s", actorID, prev, owner)
			return
		}
		actors[actorID] = owner
	}

	if len(ver.Parties) == 0 {
		v.fail(path+".parties", "at least one party is required")
	}
	for i, p := range ver.Parties {
		pp := fmt.Sprintf("%s.parties[%d]", path, i)
		declare(pp+".id", p.ID, "party")
		v.required(pp+".name", p.Name)
		if len(p.Actors) == 0 {
			v.fail(pp+".actors", "party %s lists no actors, so no incident could ever be attributed to it", p.ID)
		}
		for j, id := range p.Actors {
			claim(fmt.Sprintf("%s.actors[%d]", pp, j), id, "party "+p.ID)
		}
	}
	for i, x := range ver.Excluded {
		xp := fmt.Sprintf("%s.excluded[%d]", path, i)
		declare(xp+".id", x.ID, "excluded group")
		v.required(xp+".name", x.Name)
		if len(x.Actors) == 0 {
			v.fail(xp+".actors", "excluded group %s lists no actors", x.ID)
		}
		for j, id := range x.Actors {
			claim(fmt.Sprintf("%s.actors[%d]", xp, j), id, "excluded group "+x.ID)
		}
	}
	for i, g := range ver.Guarantors {
		gp := fmt.Sprintf("%s.guarantors[%d]", path, i)
		declare(gp+".id", g.ID, "guarantor")
		v.required(gp+".name", g.Name)
		for j, pid := range g.AnswersFor {
			if ver.Party(pid) == nil {
				v.fail(fmt.Sprintf("%s.answers_for[%d]", gp, j), "guarantor %s answers for unknown party %s", g.ID, pid)
			}
		}
		for j, id := range g.Forces {
			claim(fmt.Sprintf("%s.forces[%d]", gp, j), id, "guarantor "+g.ID+"'s forces")
		}
		switch {
		case g.ForcesSide == "":
		case ver.Party(g.ForcesSide) == nil:
			v.fail(gp+".forces_side", "guarantor %s's forces fight for unknown party %s (want a party id of this version)", g.ID, g.ForcesSide)
		case len(g.Forces) == 0:
			// A side for no forces would silently judge nothing.
			v.fail(gp+".forces_side", "guarantor %s has forces_side %s but lists no forces", g.ID, g.ForcesSide)
		}
	}
	for i, z := range ver.Zones {
		v.zone(fmt.Sprintf("%s.zones[%d]", path, i), z, declare)
	}
	if len(ver.Clauses) == 0 {
		v.fail(path+".clauses", "at least one clause is required")
	}
	for i, c := range ver.Clauses {
		v.clause(fmt.Sprintf("%s.clauses[%d]", path, i), ver, c, declare)
	}
}

func (v *validator) zone(path string, z *Zone, declare func(p, id, kind string)) {
	declare(path+".id", z.ID, "zone")
	v.required(path+".name", z.Name)
	if len(z.PCodes) == 0 && z.Geometry == nil {
		v.fail(path, "zone %s needs pcodes, a geometry, or both", z.ID)
	}
	for i, pc := range z.PCodes {
		if v.chk.KnownPCode != nil && !v.chk.KnownPCode(pc) {
			v.fail(fmt.Sprintf("%s.pcodes[%d]", path, i), "unknown P-code %q", pc)
		}
	}
	if z.Geometry == nil {
		return
	}
	mp, faults := area.Parse(z.Geometry)
	for _, f := range faults {
		at := path + ".geometry"
		if f.Path != "" {
			at += "." + f.Path
		}
		v.fail(at, "%s", f.Msg)
	}
	z.Polygon = mp
}

func (v *validator) clause(path string, ver *Version, c *Clause, declare func(p, id, kind string)) {
	declare(path+".id", c.ID, "clause")
	v.required(path+".title", c.Title)
	v.required(path+".reference", c.Reference)
	if len(c.Prohibits) == 0 {
		v.fail(path+".prohibits", "clause %s prohibits no act type", c.ID)
	}
	for i, t := range c.Prohibits {
		if !act.Valid(t) {
			v.fail(fmt.Sprintf("%s.prohibits[%d]", path, i), "unknown act type %q (known: %v)", t, act.All())
		}
	}
	for i, o := range c.Obligations {
		t, ok := ObligationActs[o]
		switch {
		case !ok:
			v.fail(fmt.Sprintf("%s.obligations[%d]", path, i), "unknown obligation %q (known: %s, %s, %s, %s)", o, ObligeAccess, ObligeNoSiege, ObligeExchange, ObligeEvacuation)
		case !slices.Contains(c.Prohibits, t):
			v.fail(fmt.Sprintf("%s.obligations[%d]", path, i), "clause %s carries the obligation %s but does not prohibit %s, the act that breaches it", c.ID, o, t)
		}
	}
	for i, p := range c.Protects {
		if p != ProtectsParties && p != ProtectsCivilians && ver.Party(p) == nil {
			v.fail(fmt.Sprintf("%s.protects[%d]", path, i), "%q is neither %q, %q nor a party id", p, ProtectsParties, ProtectsCivilians)
		}
	}
	for i, z := range c.Zones {
		if ver.Zone(z) == nil {
			v.fail(fmt.Sprintf("%s.zones[%d]", path, i), "clause %s names unknown zone %s", c.ID, z)
		}
	}
	if w := c.Window; w != nil {
		wp := path + ".window"
		if w.From == "" && w.To == "" {
			v.fail(wp, "a window needs from, to, or both")
		}
		var err error
		if w.From != "" {
			if w.from, err = parseTime(w.From, v.a.Location); err != nil {
				v.fail(wp+".from", "%v", err)
			}
		}
		if w.To != "" {
			if w.to, err = parseTime(w.To, v.a.Location); err != nil {
				v.fail(wp+".to", "%v", err)
			}
		}
		if !w.from.IsZero() && !w.to.IsZero() && !w.to.After(w.from) {
			v.fail(wp+".to", "%s is not after from %s", w.To, w.From)
		}
	}
}
