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
	return message.NewPrinter(language.MustParse(lang)).Sprintf(s, args...)
}

// RTL reports whether lang is written right to left.
func RTL(lang string) bool {
	i := slices.IndexFunc(Languages, func(l Lang) bool { return l.Code == lang })
	return i >= 0 && Languages[i].RTL
}

// Number writes n as the locale does.
func Number(lang string, n int) string {
	return message.NewPrinter(language.MustParse(lang)).Sprint(n)
}

// digits are the digits Arabic and Persian text uses.
var digits = map[string][]rune{
	"ar": []rune("٠١٢٣٤٥٦٧٨٩"),
	"fa": []rune("۰۱۲۳۴۵۶۷۸۹"),
}

// Date writes a date as year-month-day, which every locale here reads
// the same way, in the locale's digits.
func Date(lang string, t time.Time) string {
	s := t.Format("2006-01-02")
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
