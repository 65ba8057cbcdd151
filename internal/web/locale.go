package web

import (
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/i18n"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/workflow"
)

// The pages' text in the reader's language, by the rule of digits and
// direction that internal/i18n states (i18n.go, "Digits and direction";
// docs/web.md):
//
//   - counts, sizes, version numbers, dates, times and percentages shown
//     as text go through num, date, clock, percent and the catalog (whose
//     printer writes numbers in the locale's digits): Arabic-Indic in
//     Arabic, Extended Arabic-Indic in Persian, Latin otherwise;
//   - what a reader copies stays Latin (incident numbers, log indexes,
//     hashes, ids, P-codes, coordinates, commands, the ISO dates in form
//     fields), isolated in right-to-left pages: <bdi> for ids and data,
//     <code dir="ltr"> for commands and hashes, ltr for the rest;
//   - data (names, titles, references, what a source wrote) is isolated
//     with <bdi> or dir="auto", also inside a translated sentence (th).

// localeFuncs are the template functions of this file, added to funcs.
func (u *UI) localeFuncs() template.FuncMap {
	return template.FuncMap{
		"th":      u.th,
		"bdi":     bdi,
		"ltr":     ltr,
		"data":    data,
		"cmd":     cmd,
		"ids":     u.ids,
		"clock":   i18n.Clock,
		"percent": i18n.Percent,
		// datetime is a time's machine-readable form, for <time datetime>.
		"datetime": func(t time.Time) string { return t.Format(time.RFC3339) },
		"version":  u.version,
		"rulingVersion": func(lang string, r ruling.Ruling) string {
			return u.rulingVersion(lang, r)
		},
		"why":        u.why,
		"confidence": func(lang, c string) string { return u.cat.T(lang, "confidence."+c) },
		"outcome":    u.outcome,
		"actors":     u.actorNames,
		"agreementTitle": func(id string) string {
			if ag, ok := u.app.Agreement(id); ok {
				return ag.Title
			}
			return id
		},
		"barLabel":  u.barLabel,
		"effective": u.effective,
		"window":    u.window,
		"protects":  u.protects,
		"marked":    u.marked,
		"factValue": u.factValue,
	}
}

// th translates key as t does, for a sentence with markup in it: every
// template.HTML argument (a bdi, a code) goes in as it is, and the rest of
// the sentence is escaped. Data inside a translated sentence is thus
// isolated from it like data anywhere else.
func (u *UI) th(lang, key string, args ...any) template.HTML {
	args = append([]any(nil), args...)
	var parts []template.HTML
	for i, a := range args {
		if h, ok := a.(template.HTML); ok {
			// A private-use character holds the place: no catalog
			// string has one, and escaping leaves it alone.
			args[i] = string(rune(0xE000 + len(parts)))
			parts = append(parts, h)
		}
	}
	s := template.HTMLEscapeString(u.cat.T(lang, key, args...))
	if len(parts) == 0 {
		return template.HTML(s)
	}
	var b strings.Builder
	for _, r := range s {
		if i := int(r) - 0xE000; i >= 0 && i < len(parts) {
			b.WriteString(string(parts[i]))
			continue
		}
		b.WriteRune(r)
	}
	return template.HTML(b.String())
}

// bdi isolates data (a name, a title, an id) from the text around it.
func bdi(s any) template.HTML {
	return template.HTML("<bdi>" + template.HTMLEscapeString(fmt.Sprint(s)) + "</bdi>")
}

// data isolates data inside a translated sentence of a right-to-left
// page, where a Latin name next to the sentence's punctuation would
// otherwise be reordered with it; a left-to-right page shows it as it is.
func data(lang string, s any) template.HTML {
	if i18n.RTL(lang) {
		return bdi(s)
	}
	return template.HTML(template.HTMLEscapeString(fmt.Sprint(s)))
}

// ltr keeps Latin text a reader may copy (coordinates) left to right in a
// right-to-left page, where a leading minus or a comma would otherwise
// move; in a left-to-right page it needs nothing.
func ltr(lang string, s any) template.HTML {
	e := template.HTMLEscapeString(fmt.Sprint(s))
	if i18n.RTL(lang) {
		return template.HTML(`<bdi dir="ltr">` + e + "</bdi>")
	}
	return template.HTML(e)
}

// cmd is a command to type, as it is typed.
func cmd(s string) template.HTML {
	return template.HTML(`<code dir="ltr">` + template.HTMLEscapeString(s) + "</code>")
}

// ids are ids (clauses, parties, guarantors), each isolated, joined with
// the language's comma (، in Arabic and Persian).
func (u *UI) ids(lang string, items []string) template.HTML {
	var out []template.HTML
	for _, it := range items {
		out = append(out, bdi(it))
	}
	return u.listHTML(lang, out)
}

// listHTML joins isolated items with the language's comma.
func (u *UI) listHTML(lang string, items []template.HTML) template.HTML {
	sep := template.HTMLEscapeString(u.cat.T(lang, "sym.comma"))
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(string(it))
	}
	return template.HTML(b.String())
}

// actorNames are actors by id, each in the reader's language where the
// registry has it, isolated, joined.
func (u *UI) actorNames(lang string, ids []string) template.HTML {
	var out []template.HTML
	for _, id := range ids {
		name := id
		if u.app.Actors != nil {
			name = u.app.Actors.DisplayName(id, lang)
		}
		out = append(out, bdi(name))
	}
	return u.listHTML(lang, out)
}

// version is "Version n", n in the locale's digits.
func (u *UI) version(lang string, n int) string {
	return u.cat.T(lang, "agreement.version", i18n.Number(lang, n))
}

// rulingVersion says under which version of its agreement an incident was
// ruled. A ruling has no version (0, which the page once showed as "v0")
// when no version was in force at the incident's date, or when its date
// is unknown or spans versions that rule differently.
func (u *UI) rulingVersion(lang string, r ruling.Ruling) string {
	switch {
	case r.Version > 0:
		return u.version(lang, r.Version)
	case r.Reason == ruling.OutsideTime:
		return u.cat.T(lang, "ruling.version_none")
	}
	return u.cat.T(lang, "ruling.version_open")
}

// why is one reason of an incident's grade in the reader's language: the
// counts among its arguments in the locale's digits, a role by its name,
// and what is data (sources, parties, a reviewer's words) isolated.
func (u *UI) why(lang string, r workflow.Reason) template.HTML {
	args := make([]any, len(r.Args))
	for i, a := range r.Args {
		args[i] = bdi(a)
	}
	switch {
	case len(r.Args) == 0:
	case r.Code == "sources" || r.Code == "monitors" || r.Code == "party_claims":
		if n, err := strconv.Atoi(r.Args[0]); err == nil {
			args[0] = i18n.Number(lang, n)
		}
	case r.Code == "override":
		args[0] = u.cat.T(lang, "role."+r.Args[0])
	}
	return u.th(lang, "reason."+r.Code, args...)
}

// outcome is a ruling's short outcome ("violation", "not_violation:
// outside_zone", "undetermined: target") in the reader's language: the
// verdict, or the sentence of its reason or of what is missing, without
// its full stop (it ends a sentence of its own).
func (u *UI) outcome(lang, o string) string {
	verdict, detail, ok := strings.Cut(o, ":")
	detail = strings.TrimSpace(detail)
	if !ok || detail == "" {
		return u.cat.T(lang, "verdict."+strings.TrimSpace(verdict))
	}
	key := "ruling.reason." + detail
	if ruling.Verdict(strings.TrimSpace(verdict)) == ruling.Undetermined {
		key = "ruling.missing." + detail
	}
	return strings.TrimRight(u.cat.T(lang, key), ".。")
}

// week is the ISO week that t falls in, Monday to Sunday, as two dates in
// the locale's digits.
func (u *UI) week(lang string, t time.Time) string {
	d := time.Date(t.Year(), t.Month(), t.Day(), 12, 0, 0, 0, time.UTC)
	monday := d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	return u.cat.T(lang, "dash.week", i18n.Date(lang, monday), i18n.Date(lang, monday.AddDate(0, 0, 6)))
}

// barLabel is the label of a dashboard bar: a week (the dashboard keys
// weeks as ISO weeks, "2017-W01", so that they sort) as its dates, and an
// id (party, guarantor, clause) isolated as data.
func (u *UI) barLabel(lang, label string) template.HTML {
	var y, w int
	if n, err := fmt.Sscanf(label, "%4d-W%2d", &y, &w); err == nil && n == 2 && len(label) == len("2006-W01") && w >= 1 && w <= 53 {
		// 4 January is always in week 1.
		jan4 := time.Date(y, time.January, 4, 12, 0, 0, 0, time.UTC)
		return template.HTML(template.HTMLEscapeString(u.week(lang, jan4.AddDate(0, 0, 7*(w-1)))))
	}
	return bdi(label)
}

// marked is a report's text with the facts read from it marked where they
// were read, for a reviewer to check them against the words: each mark
// names its field and links to the fact's row. Facts whose spans overlap
// an earlier one are listed but not marked again.
func (u *UI) marked(lang string, r incident.Report) template.HTML {
	text := r.Description
	facts := slices.Clone(r.Read)
	slices.SortStableFunc(facts, func(a, b incident.TextFact) int { return a.Start - b.Start })
	var b strings.Builder
	at := 0
	for _, f := range facts {
		if f.Start < at || f.End > len(text) || f.Start >= f.End || text[f.Start:f.End] != f.Quote {
			continue
		}
		b.WriteString(template.HTMLEscapeString(text[at:f.Start]))
		fmt.Fprintf(&b, `<mark class="fact %s" title="%s"><a href="#fact-%d-%s-%d">%s</a></mark>`,
			template.HTMLEscapeString(f.Field), template.HTMLEscapeString(u.cat.T(lang, "fact.field."+f.Field)),
			r.ID, template.HTMLEscapeString(f.Field), f.Start, template.HTMLEscapeString(f.Quote))
		at = f.End
	}
	b.WriteString(template.HTMLEscapeString(text[at:]))
	return template.HTML(b.String())
}

// factValue is a fact's value as a reader reads it: an act's name, an
// actor's, a place's, a date in the locale's digits.
func (u *UI) factValue(lang string, f incident.TextFact, v string) string {
	switch f.Field {
	case "act":
		return u.cat.T(lang, "act."+v)
	case "actor", "initiator":
		return u.app.Actors.DisplayName(v, lang)
	case "place":
		if unit, ok := u.app.Boundaries.Unit(v); ok {
			if i18n.RTL(lang) && unit.NameAR != "" {
				return unit.NameAR
			}
			return unit.Name
		}
	case "date":
		if t, err := time.Parse("2006-01-02", v); err == nil {
			return i18n.Date(lang, t)
		}
	default:
		if n, err := strconv.Atoi(v); err == nil {
			return i18n.Number(lang, n)
		}
	}
	return v
}
