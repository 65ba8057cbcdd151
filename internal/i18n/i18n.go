// Package i18n holds truce's interface strings in its five languages and
// the rules for showing them: which language a request gets, which way
// the page runs, and how numbers and dates are written.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

//go:embed messages/*.json
var files embed.FS

// Lang is a language of the interface.
type Lang struct {
	Code string // BCP 47
	Name string // in itself
	RTL  bool
}

// Languages are the interface's languages; the first is the fallback.
var Languages = []Lang{
	{"en", "English", false},
	{"ar", "العربية", true},
	{"ru", "Русский", false},
	{"tr", "Türkçe", false},
	{"fa", "فارسی", true},
}

// Catalog holds every string in every language.
type Catalog struct {
	msgs    map[string]map[string]string
	matcher language.Matcher
}

// Load reads the catalogs and checks that every language has every
// string English has, and no other: a missing translation is an error
// here, not an English word in an Arabic page.
func Load() (*Catalog, error) {
	c := &Catalog{msgs: map[string]map[string]string{}}
	var tags []language.Tag
	for _, l := range Languages {
		b, err := files.ReadFile(path.Join("messages", l.Code+".json"))
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("i18n: messages/%s.json: %w", l.Code, err)
		}
		c.msgs[l.Code] = m
		tags = append(tags, language.MustParse(l.Code))
	}
	var problems []string
	en := c.msgs["en"]
	for _, l := range Languages[1:] {
		for k := range en {
			if strings.TrimSpace(c.msgs[l.Code][k]) == "" {
				problems = append(problems, fmt.Sprintf("%s lacks %q", l.Code, k))
			}
		}
		for k := range c.msgs[l.Code] {
			if _, ok := en[k]; !ok {
				problems = append(problems, fmt.Sprintf("%s has %q, which English does not", l.Code, k))
			}
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, fmt.Errorf("i18n: %s", strings.Join(problems, "; "))
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

// Match picks the language for a request: the one the user chose (a
// cookie), else the best of the browser's Accept-Language, else English.
func (c *Catalog) Match(chosen, accept string) string {
	if c.Has(chosen) {
		return chosen
	}
	tags, _, _ := language.ParseAcceptLanguage(accept)
	_, i, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return "en"
	}
	return Languages[i].Code
}

// Has reports whether code is an interface language.
func (c *Catalog) Has(code string) bool {
	return slices.ContainsFunc(Languages, func(l Lang) bool { return l.Code == code })
}

// T translates key into lang, formatting args into it; an unknown key
// shows as itself, so that it is noticed.
func (c *Catalog) T(lang, key string, args ...any) string {
	s, ok := c.msgs[lang][key]
	if !ok {
		if s, ok = c.msgs["en"][key]; !ok {
			return key
		}
	}
	if len(args) == 0 {
		return s
	}
	// The printer writes numbers among args in lang's digits.
	return printer(lang).Sprintf(s, args...)
}

// RTL reports whether lang is written right to left.
func RTL(lang string) bool {
	i := slices.IndexFunc(Languages, func(l Lang) bool { return l.Code == lang })
	return i >= 0 && Languages[i].RTL
}

// Digits and direction. One rule for every page, in every language:
//
//   - What a reader reads as a quantity is written in the page's own
//     digits: counts, sizes, version numbers, dates, times and
//     percentages shown as text. Which digits those are comes from CLDR
//     through golang.org/x/text (the language's default numbering system):
//     Arabic-Indic (٠١٢٣…) for ar, Extended Arabic-Indic (۰۱۲۳…) for fa,
//     Latin for en, ru and tr. Number and Percent group and mark as the
//     locale does (x/text's number package); Date and Clock write a fixed
//     pattern and then Digits.
//   - What a reader copies somewhere else stays Latin, exactly as the rest
//     of truce (the API, the command line, the URLs) writes it:
//     identifiers (incident numbers, log indexes, agreement, clause,
//     party, zone and actor ids), hashes, P-codes, coordinates, commands,
//     and the ISO dates inside form fields (<input type="date"> is read
//     and shown by the browser). In a right-to-left page these are
//     isolated (<bdi>, <code>, dir="ltr") so that they keep their order.
//
// internal/web applies it (internal/web/locale.go); docs/web.md, "Digits
// and direction", says the same for readers of the docs.

// Number writes n as the locale does: its digits, its grouping.
func Number(lang string, n int) string {
	return printer(lang).Sprint(n)
}

// Percent writes the fraction f (0.25) as a percentage the way the locale
// does (25%, ٪٢٥, %25, 25 %).
func Percent(lang string, f float64) string {
	return printer(lang).Sprint(number.Percent(f))
}

func printer(lang string) *message.Printer {
	tag, err := language.Parse(lang)
	if err != nil {
		tag = language.English
	}
	return message.NewPrinter(tag)
}

// digits are the ten digits of each interface language that does not
// write Latin ones, as x/text's CLDR data gives them: ar ٠…٩, fa ۰…۹.
var digits = func() map[string][]rune {
	out := map[string][]rune{}
	for _, l := range Languages {
		p := printer(l.Code)
		var ds []rune
		for d := range 10 {
			r := []rune(p.Sprint(number.Decimal(d)))
			if len(r) != 1 {
				panic(fmt.Sprintf("i18n: %s writes the digit %d as %q", l.Code, d, string(r)))
			}
			ds = append(ds, r[0])
		}
		if ds[0] != '0' {
			out[l.Code] = ds
		}
	}
	return out
}()

// Digits writes the Latin digits of s in lang's digits, leaving every
// other character as it is: for text made of numbers that must not be
// grouped (years, times).
func Digits(lang, s string) string {
	d, ok := digits[lang]
	if !ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			r = d[r-'0']
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Date writes a date as year-month-day, which every locale here reads
// the same way, in the locale's digits.
func Date(lang string, t time.Time) string {
	return Digits(lang, t.Format("2006-01-02"))
}

// Clock writes the time of day, 24-hour, in the locale's digits.
func Clock(lang string, t time.Time) string {
	return Digits(lang, t.Format("15:04"))
}
