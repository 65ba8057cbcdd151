package agreement

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Change is one difference between two versions.
type Change struct {
	Op     string `json:"op"`   // "+", "-" or "~"
	What   string `json:"what"` // "party", "guarantor", "excluded", "zone", "clause", "version"
	ID     string `json:"id"`
	Detail string `json:"detail"`
}

func (c Change) String() string {
	return fmt.Sprintf("%s %s %s: %s", c.Op, c.What, c.ID, c.Detail)
}

// Diff lists what changed from version a to version b, in a stable order:
// the dates first, then parties, guarantors, excluded groups, zones and
// clauses, each by id.
func Diff(a, b *Version) []Change {
	var out []Change
	field := func(name, x, y string) {
		if x != y {
			out = append(out, Change{"~", "version", name, fmt.Sprintf("%q → %q", x, y)})
		}
	}
	field("label", a.Label, b.Label)
	field("document", a.Document, b.Document)
	field("effective_from", a.EffectiveFrom, b.EffectiveFrom)
	field("effective_to", a.EffectiveTo, b.EffectiveTo)
	out = append(out, diffSet("party", index(a.Parties, func(p *Party) string { return p.ID }), index(b.Parties, func(p *Party) string { return p.ID }), describeParty)...)
	out = append(out, diffSet("guarantor", index(a.Guarantors, func(g *Guarantor) string { return g.ID }), index(b.Guarantors, func(g *Guarantor) string { return g.ID }), describeGuarantor)...)
	out = append(out, diffSet("excluded", index(a.Excluded, func(x *Excluded) string { return x.ID }), index(b.Excluded, func(x *Excluded) string { return x.ID }), describeExcluded)...)
	out = append(out, diffSet("zone", index(a.Zones, func(z *Zone) string { return z.ID }), index(b.Zones, func(z *Zone) string { return z.ID }), describeZone)...)
	out = append(out, diffSet("clause", index(a.Clauses, func(c *Clause) string { return c.ID }), index(b.Clauses, func(c *Clause) string { return c.ID }), describeClause)...)
	return out
}

func index[T any](items []T, id func(T) string) map[string]T {
	m := make(map[string]T, len(items))
	for _, it := range items {
		m[id(it)] = it
	}
	return m
}

// diffSet compares two sets of items by id. A changed item is described
// field by field, through its JSON form, so that new fields need no new
// diff code.
func diffSet[T any](what string, a, b map[string]T, describe func(T) string) []Change {
	ids := map[string]bool{}
	for id := range a {
		ids[id] = true
	}
	for id := range b {
		ids[id] = true
	}
	sorted := make([]string, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	sort.Strings(sorted)
	var out []Change
	for _, id := range sorted {
		x, inA := a[id]
		y, inB := b[id]
		switch {
		case !inA:
			out = append(out, Change{"+", what, id, describe(y)})
		case !inB:
			out = append(out, Change{"-", what, id, describe(x)})
		default:
			if d := fieldChanges(x, y); d != "" {
				out = append(out, Change{"~", what, id, d})
			}
		}
	}
	return out
}

func fieldChanges(x, y any) string {
	var mx, my map[string]any
	bx, _ := json.Marshal(x)
	by, _ := json.Marshal(y)
	_ = json.Unmarshal(bx, &mx)
	_ = json.Unmarshal(by, &my)
	keys := map[string]bool{}
	for k := range mx {
		keys[k] = true
	}
	for k := range my {
		keys[k] = true
	}
	var names []string
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	var parts []string
	for _, k := range names {
		if reflect.DeepEqual(mx[k], my[k]) {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %s → %s", k, short(mx[k]), short(my[k])))
	}
	return strings.Join(parts, "; ")
}

func short(v any) string {
	if v == nil {
		return "(none)"
	}
	b, _ := json.Marshal(v)
	s := string(b)
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

func describeParty(p *Party) string {
	return fmt.Sprintf("%s (actors %s)", p.Name, strings.Join(p.Actors, ", "))
}

func describeGuarantor(g *Guarantor) string {
	s := fmt.Sprintf("%s answers for %s", g.Name, strings.Join(g.AnswersFor, ", "))
	if g.ForcesSide != "" {
		s += "; its forces fight on the side of " + g.ForcesSide
	}
	return s
}

func describeExcluded(x *Excluded) string {
	return fmt.Sprintf("%s (actors %s)", x.Name, strings.Join(x.Actors, ", "))
}

func describeZone(z *Zone) string {
	s := z.Name
	if len(z.PCodes) > 0 {
		s += fmt.Sprintf(" (%d administrative units)", len(z.PCodes))
	}
	if z.Geometry != nil {
		s += " (drawn polygon)"
	}
	return s
}

func describeClause(c *Clause) string {
	s := fmt.Sprintf("%s — prohibits %v", c.Title, c.Prohibits)
	if len(c.Zones) > 0 {
		s += " in " + strings.Join(c.Zones, ", ")
	}
	if len(c.Obligations) > 0 {
		s += "; obligations " + strings.Join(c.Obligations, ", ")
	}
	return s
}
