package web_test

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// localeDigits are the digits each right-to-left language writes.
var localeDigits = map[string]string{"ar": "٠١٢٣٤٥٦٧٨٩", "fa": "۰۱۲۳۴۵۶۷۸۹"}

// otherLangs are the interface's languages other than lang.
func otherLangs(lang string) []string {
	var out []string
	for _, l := range []string{"en", "ar", "ru", "tr", "fa"} {
		if l != lang {
			out = append(out, l)
		}
	}
	return out
}

// shownText is the text of a page that is the interface's own, which the
// rule of digits and direction (internal/i18n, docs/web.md) applies to:
// the page without its markup (attributes hold URLs, ISO dates of form
// fields, machine-readable datetimes), and without what the rule keeps as
// it is: data and identifiers isolated as such (<bdi>, dir="auto"), code
// and hashes (<code>), text marked as another language (the language
// links, the engine's English explanation), and the product's name.
func shownText(lang, body string) string {
	cut := func(expr string) {
		body = regexp.MustCompile(expr).ReplaceAllString(body, " ")
	}
	cut(`(?s)<head>.*?</head>`)
	for _, other := range otherLangs(lang) {
		for _, tag := range []string{"a", "details", "p", "span", "div"} {
			cut(`(?s)<` + tag + `\b[^>]*\slang="` + other + `"[^>]*>.*?</` + tag + `>`)
		}
	}
	cut(`(?s)<bdi\b[^>]*>.*?</bdi>`)
	cut(`(?s)<code\b[^>]*>.*?</code>`)
	for _, tag := range []string{"p", "span", "div", "li", "td", "q"} {
		cut(`(?s)<` + tag + `\b[^>]*\sdir="auto"[^>]*>.*?</` + tag + `>`)
	}
	cut(`<[^>]*>`)
	text := html.UnescapeString(body)
	text = strings.ReplaceAll(text, "truce", " ")
	return strings.Join(strings.Fields(text), " ")
}

// around is s around the i-th byte, for messages.
func around(s string, i int) string {
	return s[max(0, i-60):min(len(s), i+60)]
}

// checkLocalePage checks a page in a right-to-left language against the
// rule: the page runs right to left; its own text has no Latin digit and
// no Latin letter (so no English word left untranslated: "Protects",
// "Week", "v0"…), and no digit of the other right-to-left language; it
// writes numbers in its own digits.
func checkLocalePage(t *testing.T, lang, path, body string) {
	t.Helper()
	if !regexp.MustCompile(`<html lang="` + lang + `" dir="rtl">`).MatchString(body) {
		t.Errorf("%s: the page is not dir=\"rtl\"", path)
	}
	text := shownText(lang, body)
	if loc := regexp.MustCompile(`[0-9]`).FindStringIndex(text); loc != nil {
		t.Errorf("%s: a Latin digit in the page's text: …%s…", path, around(text, loc[0]))
	}
	if loc := regexp.MustCompile(`[A-Za-z]+`).FindStringIndex(text); loc != nil {
		t.Errorf("%s: %q is not translated: …%s…", path, text[loc[0]:loc[1]], around(text, loc[0]))
	}
	for other, ds := range localeDigits {
		if other == lang {
			continue
		}
		if i := strings.IndexAny(text, ds); i >= 0 {
			t.Errorf("%s: digits of %s in a %s page: …%s…", path, other, lang, around(text, i))
		}
	}
	if !strings.ContainsAny(text, localeDigits[lang]) {
		t.Errorf("%s: no number in %s digits: %.300s", path, lang, text)
	}
	// What the new user saw, named.
	for _, english := range []string{"Protects", "protects", "Week", "version", "Version", "v0", "v1"} {
		if strings.Contains(text, english) {
			t.Errorf("%s: %q is left in English", path, english)
		}
	}
	if m := regexp.MustCompile(`\d{4}-W\d\d`).FindString(body); m != "" {
		t.Errorf("%s: a week is shown as %q", path, m)
	}
}

// TestLocaleDigitsAndDirection (issue: untranslated strings, "v0", week
// labels, digits mixed on one page): the agreement page, the dashboard and
// the incident list in Arabic and Persian, for the public and for staff,
// are right to left, translated, and write numbers in their own digits;
// identifiers and data are isolated and left as they are.
func TestLocaleDigitsAndDirection(t *testing.T) {
	s := newSite(t)
	viewers := map[string]*client{"public": s.client(t), "rev": s.client(t).login("rev")}
	pages := []string{
		"/agreements/syria-coh-2016",       // the latest version: zones, a change of zones
		"/agreements/syria-coh-2016?v=2",   // a guarantor added
		"/agreements/syria-coh-2016?v=3",   // zones and clauses added
		"/agreements/syria-coh-2016?v=1",   // no version before
		"/agreements",                      // the list
		"/",                                // the dashboard, weeks included
		"/incidents",                       // the list
		"/incidents?sort=oldest&page=2",    // its second page
		"/incidents?verdict=not_violation", // other rulings
	}
	// An incident's page (each viewer's first in the list): its heading,
	// its reports and the facts read from their words.
	own := map[string]string{}
	for who, c := range viewers {
		_, list := c.get("/incidents?lang=en")
		if m := regexp.MustCompile(`<a href="/incidents/(\d+)">`).FindStringSubmatch(list); m != nil {
			own[who] = "/incidents/" + m[1]
		} else {
			t.Errorf("no incident in the list as %s", who)
		}
	}
	for _, lang := range []string{"ar", "fa"} {
		for who, c := range viewers {
			for _, p := range append(slices.Clip(pages), own[who]) {
				sep := "?"
				if strings.Contains(p, "?") {
					sep = "&"
				}
				path := p + sep + "lang=" + lang
				status, body := c.get(path)
				if status != http.StatusOK {
					t.Fatalf("%s as %s: %d", path, who, status)
				}
				checkLocalePage(t, lang, who+" "+path, body)
			}
		}
	}

	// The dashboard's weeks are their dates, Monday to Sunday, in the
	// locale's digits.
	for lang, want := range map[string]string{
		"en": `<th scope="row">2017-01-02 – 2017-01-08</th>`,
		"ar": `<th scope="row">٢٠١٧-٠١-٠٢ – ٢٠١٧-٠١-٠٨</th>`,
		"fa": `<th scope="row">۲۰۱۷-۰۱-۰۲ تا ۲۰۱۷-۰۱-۰۸</th>`,
	} {
		if _, body := viewers["rev"].get("/?lang=" + lang); !strings.Contains(body, want) {
			t.Errorf("the %s dashboard lacks the week %s", lang, want)
		}
	}

	// The clauses' "protects" column and the changes from the version
	// before, translated.
	_, body := viewers["public"].get("/agreements/syria-coh-2016?v=2&lang=ar")
	for _, want := range []string{
		"<td>الأطراف الأخرى<br>المدنيون<br></td>", // C1 protects parties and civilians
		"ضامن جديد <bdi>IR</bdi>: <bdi>Islamic Republic of Iran</bdi>؛ مسؤول عن: <bdi>GOV</bdi>",
		"سارية من: ٢٠١٦-١٢-٣٠ ← ٢٠١٧-٠١-٢٤",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the Arabic agreement page lacks %s", want)
		}
	}
}

// TestRulingWithoutVersion: an incident before the agreement took effect
// is ruled under no version of it; the page says so in the reader's
// language (it showed "v0"), with its dates and times in the locale's
// digits.
func TestRulingWithoutVersion(t *testing.T) {
	s := newSite(t)
	c := s.client(t).login("rev")
	c.get("/submit")
	if status, body := c.upload("/submit", map[string]string{"date": "2015-06-01", "place": "Douma", "act": "shelling",
		"perpetrator": "Syrian Arab Army", "target": "civilians", "description": "a shell on the bakery, long before the truce"}, "", nil); status != http.StatusSeeOther {
		t.Fatalf("submit: %d %.300s", status, body)
	}
	// The oldest incident is the one just reported.
	_, list := c.get("/incidents?sort=oldest&lang=en")
	m := regexp.MustCompile(`<a href="/incidents/(\d+)">`).FindStringSubmatch(list)
	if m == nil {
		t.Fatal("no incident in the list")
	}
	page := "/incidents/" + m[1]
	for lang, want := range map[string]string{
		"en": "no version in force at that date",
		"ar": "لا نسخة سارية في ذلك التاريخ",
		"fa": "در آن تاریخ هیچ نسخه‌ای لازم‌الاجرا نبود",
	} {
		_, body := c.get(page + "?lang=" + lang)
		if !strings.Contains(body, "2015-06-01") && lang == "en" {
			t.Fatalf("%s is not the incident of 2015-06-01: %.300s", page, body)
		}
		if !strings.Contains(body, fmt.Sprintf(`<span class="version">%s</span>`, want)) {
			t.Errorf("%s?lang=%s: the ruling does not say %q", page, lang, want)
		}
		if regexp.MustCompile(`\bv0\b`).MatchString(body) {
			t.Errorf("%s?lang=%s shows v0", page, lang)
		}
		if lang == "en" {
			continue
		}
		if !strings.Contains(body, `dir="rtl"`) {
			t.Errorf("%s?lang=%s is not right to left", page, lang)
		}
		// Dates and times shown as text, sizes and counts: the
		// locale's digits; the machine-readable datetime stays Latin.
		for _, expr := range []string{`<time datetime="[^"]+">([^<]*)</time>`, `<dd>([^<]*)</dd>`, `<h2 id="reports">([^<]*)</h2>`} {
			for _, m := range regexp.MustCompile(expr).FindAllStringSubmatch(body, -1) {
				if strings.ContainsAny(m[1], "0123456789") {
					t.Errorf("%s?lang=%s: Latin digits in %q", page, lang, m[0])
				}
			}
		}
	}
}
