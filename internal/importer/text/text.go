// Package text takes in news articles: one article per file (plain text,
// Markdown or HTML), or JSON lines of articles. Each article becomes one
// report of kind news, dated by its publication day and flagged so: the
// event's own date, place, actors and act are in the words, for the
// reading step (the extractor) to find, never guessed here.
//
// The feed package turns the items of RSS and Atom feeds into articles
// too, and makes their reports through Report.
package text

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/incident"
)

// Config is what reading needs beyond the file: the zone publication
// days are read in (Location), the period (From, To) and Source, the
// outlet of articles whose URL does not name one.
type Config = importer.Config

// Flags a channel puts on a report whose only date is when the words were
// published: the report's Occurred is that day, which is not the event's.
// The reading step replaces it with the date the text gives; DateStandIn
// recognises both.
const (
	// PublicationDay is every channel's: the day an article was
	// published, a mail sent (its Date), a channel's message posted.
	PublicationDay = "date: publication day, not the event's (read the text)"
	// FirstSeenDay is a feed item's that gives no date: the day the
	// poller first saw it.
	FirstSeenDay = "date: day first seen in the feed, not the event's (read the text)"
)

// DateStandIn reports whether a report flag says that its Occurred is a
// stand-in (the day words were published, sent or seen), not the event's
// date: every channel's such flag starts "date: " and ends "(read the
// text)".
func DateStandIn(flag string) bool {
	return strings.HasPrefix(flag, "date: ") && strings.HasSuffix(flag, "(read the text)")
}

// Article is one article as read.
type Article struct {
	// URL is where the article was published; empty when unknown.
	URL string
	// Published is when it was published.
	Published time.Time
	Language  string
	Title     string
	// Body is the visible text, paragraphs separated by blank lines.
	Body string
	// Original is the record exactly as received (the file, the JSON
	// line, the feed item) and OriginalFormat its media type.
	Original       string
	OriginalFormat string
	// DateFlag, when set, replaces PublicationDay (FirstSeenDay for a
	// feed item without a date).
	DateFlag string
	// Flags are doubts raised while reading the article.
	Flags []string
}

// Normalise is text as compared and hashed: Unicode NFC, every run of
// white space one space, no space at either end. Two copies of an article
// that differ only in line breaks or in how an accent is encoded are the
// same text.
func Normalise(s string) string {
	s = norm.NFC.String(s)
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// Hash is the SHA-256, in hex, of the normalised text.
func Hash(s string) string {
	sum := sha256.Sum256([]byte(Normalise(s)))
	return hex.EncodeToString(sum[:])
}

// Outlet is the host a URL names, in lower case and without "www.", or ""
// when it names none.
func Outlet(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

// checkURL says what is wrong with an article's URL, or "".
func checkURL(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Sprintf("%q is not a URL", raw)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Sprintf("%q is not an http or https URL", raw)
	case u.Host == "":
		return fmt.Sprintf("%q names no host", raw)
	}
	return ""
}

// Report makes the report of an article: kind news, from the outlet its
// URL names (else cfg.Source, else "text"), known by its URL (else by the
// hash of its normalised body, so that importing the same words again
// changes nothing), dated by its publication day in cfg.Location and
// flagged so, at an unknown place, act unknown. A nil report with a nil
// error is an article outside cfg's period.
func Report(a Article, cfg Config) (*incident.Report, *importer.FieldError) {
	bad := func(field, format string, args ...any) (*incident.Report, *importer.FieldError) {
		return nil, &importer.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	a.URL = strings.TrimSpace(a.URL)
	a.Title, a.Body = strings.TrimSpace(a.Title), strings.TrimSpace(a.Body)
	if a.URL != "" {
		if why := checkURL(a.URL); why != "" {
			return bad("url", "%s", why)
		}
	}
	if a.Title == "" && a.Body == "" {
		return bad("body", "is empty: the article has no words")
	}
	if a.Published.IsZero() {
		return bad("published", "is missing: an article is dated by its publication (see docs/formats.md, Articles)")
	}
	loc := cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	source := Outlet(a.URL)
	if source == "" {
		source = cfg.Source
	}
	if source == "" {
		source = "text"
	}
	id := a.URL
	if id == "" {
		words := a.Body
		if words == "" {
			words = a.Title
		}
		id = "sha256:" + Hash(words)
	}
	desc := a.Title
	switch {
	case desc == "":
		desc = a.Body
	case a.Body != "":
		desc += "\n\n" + a.Body
	}
	p := a.Published.In(loc)
	flag := a.DateFlag
	if flag == "" {
		flag = PublicationDay
	}
	rep := &incident.Report{
		Source:         source,
		SourceID:       id,
		Kind:           incident.FromNews,
		ReportedAt:     a.Published,
		Occurred:       incident.Day(p.Year(), p.Month(), p.Day(), loc),
		Place:          incident.Place{Precision: incident.PlaceUnknown},
		Act:            act.Unknown,
		Description:    desc,
		Outlet:         source,
		Language:       a.Language,
		Flags:          append([]string{flag}, a.Flags...),
		Original:       a.Original,
		OriginalFormat: a.OriginalFormat,
	}
	if a.URL != "" {
		rep.Citations = []string{a.URL}
	}
	if rep.Occurred.Outside(cfg.From, cfg.To) {
		return nil, nil
	}
	return rep, nil
}

// timeLayouts are the forms publication times take: RFC 3339 (Atom, HTML
// meta, JSON), RFC 1123 and RFC 822 with their variants (RSS, e-mail),
// and bare local dates and times.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 -0700",
	time.RFC1123Z, time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 02 Jan 2006 15:04 -0700", "Mon, 2 Jan 2006 15:04 -0700", "Mon, 02 Jan 2006 15:04 MST",
	"2 Jan 2006 15:04:05 -0700", "02 Jan 2006 15:04:05 -0700", "2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 06 15:04:05 -0700", time.RFC822Z, time.RFC822,
	"Monday, 02-Jan-06 15:04:05 MST",
}

// localLayouts are forms without a zone: local times in the reader's
// zone.
var localLayouts = []string{
	"2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02",
}

// ParseTime reads a publication time, in loc when it gives no zone.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if loc == nil {
		loc = time.UTC
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	for _, l := range localLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (want RFC 3339 such as 2017-01-02T10:30:00+02:00, RFC 1123, or YYYY-MM-DD)", s)
}

// Articles is a source of the reports of articles already read (a feed's
// new items): row n is the nth article, named in messages by file.
func Articles(file string, items []Article, cfg Config) importer.Source {
	return &articles{file: file, items: items, cfg: cfg}
}

type articles struct {
	file  string
	items []Article
	cfg   Config
	n     int
}

func (s *articles) Next() (importer.Row, bool, error) {
	if s.n >= len(s.items) {
		return importer.Row{}, false, nil
	}
	a := s.items[s.n]
	s.n++
	at := importer.RowError{File: s.file, Row: s.n, Line: s.n, Original: a.Original}
	rep, fe := Report(a, s.cfg)
	if fe != nil {
		return importer.Row{Err: importer.Errorf(s.file, s.n, s.n, fe.Field, a.Original, "%s", fe.Reason), At: at}, true, nil
	}
	return importer.Row{Report: rep, At: at}, true, nil
}
