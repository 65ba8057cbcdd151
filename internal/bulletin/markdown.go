package bulletin

import (
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"regexp"
	"strings"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/i18n"
)

// Markdown writes the bulletin as Markdown: the same sections and figures
// as the page, without charts (a table of days stands for them), its data
// embedded in a closing comment for Verify.
func Markdown(b *Bulletin, a *app.App, o Options) ([]byte, error) {
	c, err := catalog()
	if err != nil {
		return nil, err
	}
	if !c.Has(o.Lang) {
		return nil, fmt.Errorf("language %q: want one of en, ar, ru, tr, fa", o.Lang)
	}
	w := &writer{b: b, d: b.D, a: a, o: o, cat: c}
	var m strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&m, format, args...) }
	if i18n.RTL(o.Lang) {
		// Markdown has no direction of its own: the HTML it becomes does.
		p("<div dir=\"rtl\">\n\n")
	}
	p("# %s\n\n%s\n\n%s\n\n", md(w.heading()), plain(w.th("bulletin.under", bdi(b.ag.Title), bdi(b.TimeZone))), md(w.edition()))
	table := func(col string, rows []row, extra string) {
		p("| %s | %s |", md(col), md(w.t("bulletin.this_period")))
		if w.split() {
			p(" %s |", md(w.t("bulletin.review")))
		}
		p(" %s | %s |", md(w.t("bulletin.previous")), md(w.t("bulletin.change")))
		if extra != "" {
			p(" %s |", md(extra))
		}
		p("\n|---|---:|")
		if w.split() {
			p("---|")
		}
		p("---:|---|")
		if extra != "" {
			p("---:|")
		}
		p("\n")
		for _, r := range rows {
			p("| %s | [%s](%s) |", plain(r.Label), r.N, r.Href)
			if w.split() {
				p(" %s |", md(r.Review))
			}
			prev := "—"
			if r.Prev != "" {
				prev = fmt.Sprintf("[%s](%s)", r.Prev, r.PrevHref)
			}
			p(" %s | %s |", prev, plain(r.Change))
			if extra != "" {
				p(" [%s](%s) |", r.Extra, r.ExtraHref)
			}
			p("\n")
		}
		p("\n")
	}
	p("## %s\n\n%s\n\n", md(w.t("bulletin.summary")), md(w.prevNote()))
	var summary []row
	for _, id := range totals {
		if fg := b.D.Figure(id); fg != nil && !(id == "not_ruled" && fg.N == 0 && fg.Prev.N == 0) {
			summary = append(summary, w.row(fg))
		}
	}
	table(w.t("bulletin.figure"), summary, "")
	for _, g := range w.groups() {
		p("## %s\n\n", md(g.Title))
		if g.Note != "" {
			p("%s\n\n", md(g.Note))
		}
		if len(g.Rows) == 0 {
			if g.Note == "" {
				p("%s\n\n", md(w.t("dash.none")))
			}
			continue
		}
		table(g.Col, g.Rows, g.Extra)
	}
	_, _, days, several := w.overTime()
	p("## %s\n\n| %s | %s |\n|---|---:|\n", md(w.t("bulletin.over_time")), md(w.t("list.date")), md(w.t("bulletin.total.violations")))
	for _, d := range days {
		p("| %s | [%s](%s) |\n", d.Label, d.N, d.Href)
	}
	p("\n")
	if several != "" {
		p("%s\n\n", md(several))
	}
	p("## %s\n\n%s\n\n", md(w.t("bulletin.notable")), md(w.t("bulletin.notable_note")))
	notable := w.notable()
	if len(notable) == 0 {
		p("%s\n\n", md(w.t("dash.none")))
	}
	for _, n := range notable {
		p("### %s\n\n%s  \n%s\n", plain(n.Head), plain(n.Facts), plain(n.Ruling))
		for _, f := range n.Findings {
			p("- %s\n", plain(f))
		}
		for _, r := range n.Replies {
			p("- %s\n", plain(r))
		}
		p("\n")
	}
	list := func(title, note string, items []template.HTML) {
		p("## %s\n\n", md(title))
		if note != "" {
			p("%s\n\n", md(note))
		}
		if len(items) == 0 {
			p("%s\n\n", md(w.t("dash.none")))
			return
		}
		for _, it := range items {
			p("- %s\n", plain(it))
		}
		p("\n")
	}
	list(w.t("bulletin.disputed"), "", w.disputed())
	list(w.t("bulletin.open_replies"), w.t("bulletin.open_replies_note"), w.replies())
	if h := w.breakdown("humanitarian"); len(h) > 0 {
		p("## %s\n\n%s\n\n", md(w.t("bulletin.humanitarian")), md(w.t("bulletin.humanitarian_note")))
		var rows []row
		for _, fg := range h {
			rows = append(rows, w.row(fg))
		}
		table(w.t("list.act"), rows, "")
	}
	if len(w.d.Sieges) > 0 || len(w.d.Aid) > 0 {
		p("## %s\n\n%s\n\n", md(w.t("bulletin.humanitarian_records")), md(w.t("bulletin.humanitarian_records_note")))
		if s := w.sieges(); len(s) > 0 {
			list(w.t("bulletin.sieges"), "", s)
		}
		if a := w.aid(); len(a) > 0 {
			list(w.t("bulletin.aid"), "", a)
		}
	}
	incidents := func(rows []incRow) {
		p("| %s | %s | %s | %s | %s | %s | %s |\n|---|---|---|---|---:|---|---|\n", md(w.t("list.incident")), md(w.t("list.date")), md(w.t("incident.place")),
			md(w.t("list.act")), md(w.t("bulletin.killed_col")), md(w.t("list.ruling")), md(w.t("list.state")))
		for _, r := range rows {
			p("| %s | %s | %s | %s | %s | %s | %s |\n", plain(r.Link), r.Date, plain(r.Place), md(r.Act), r.Killed, plain(r.Ruling), md(r.State))
		}
		p("\n")
	}
	var cur, unplaced []incRow
	for _, f := range b.D.Incidents {
		switch f.Where {
		case "period":
			cur = append(cur, w.incRow(f))
		case "period-unplaced":
			unplaced = append(unplaced, w.incRow(f))
		}
	}
	p("## %s\n\n", md(w.t("bulletin.incidents")))
	incidents(cur)
	if len(unplaced) > 0 {
		p("### %s\n\n", md(w.t("bulletin.unplaced")))
		incidents(unplaced)
	}
	p("## %s\n\n%s", md(w.t("bulletin.figures")), md(w.t("bulletin.figures_note")))
	if o.linked() {
		p(" %s", md(w.t("bulletin.list_note")))
	}
	p("\n\n")
	for _, e := range w.appendix() {
		p("<a id=\"%s\"></a>**%s** (%s)", e.Anchor, plain(e.Label), e.N)
		if e.List != "" {
			p(" · [%s](%s)", md(w.t("bulletin.open_list")), e.List)
		}
		ids := plain(e.IDs)
		if ids == "" {
			ids = md(w.t("dash.none"))
		}
		p(": %s\n\n", ids)
	}
	logLine, hashLine, verifyLine := w.verification()
	p("## %s\n\n%s\n\n%s\n\n%s\n\n", md(w.t("bulletin.verification")), plain(logLine), plain(hashLine), plain(verifyLine))
	if i18n.RTL(o.Lang) {
		p("</div>\n\n")
	}
	j, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	// encoding/json writes "<" and ">" as \u003c and \u003e: the data
	// cannot close the comment.
	p("<!-- truce-bulletin\n%s\n-->\n", j)
	return []byte(m.String()), nil
}

var (
	tagRE  = regexp.MustCompile(`<[^>]*>`)
	linkRE = regexp.MustCompile(`<a href="([^"]*)">(.*?)</a>`)
	codeRE = regexp.MustCompile(`<code[^>]*>(.*?)</code>`)
)

func stripTags(s string) string { return tagRE.ReplaceAllString(s, "") }

// plain is HTML written by the page's code as Markdown: links kept as
// links, code as code, other markup dropped (the <bdi> of ids goes: a
// Markdown reader has no such isolation, and the ids are Latin).
func plain(h template.HTML) string {
	s := string(h)
	s = linkRE.ReplaceAllStringFunc(s, func(a string) string {
		m := linkRE.FindStringSubmatch(a)
		return "[" + md(html.UnescapeString(stripTags(m[2]))) + "](" + html.UnescapeString(m[1]) + ")"
	})
	s = codeRE.ReplaceAllStringFunc(s, func(c string) string {
		return "`" + html.UnescapeString(codeRE.FindStringSubmatch(c)[1]) + "`"
	})
	parts := strings.Split(s, "`")
	for i := range parts {
		if i%2 == 0 {
			parts[i] = keepLinks(parts[i])
		}
	}
	return strings.Join(parts, "`")
}

// keepLinks unescapes and strips the text around Markdown links made
// from HTML, escaping what Markdown would read as markup.
func keepLinks(s string) string {
	return html.UnescapeString(stripTags(s))
}

// md escapes text for a Markdown table or paragraph.
func md(s string) string {
	return strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`, "<", "&lt;", "[", `\[`, "]", `\]`).Replace(s)
}
