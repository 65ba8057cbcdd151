// Package feed reads news feeds, RSS 2.0 (and RSS 1.0) and Atom 1.0, into
// articles, and polls them: a conditional GET (ETag, Last-Modified), a
// bounded body, and the items already seen left out, by link and by the
// hash of their words, across polls. Articles become reports as any
// article does (text.Report).
package feed

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"

	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/transform"

	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/importer/text"
)

// Article is an item of a feed.
type Article = text.Article

// Media types of the items' original records: the item's XML element as
// the feed held it (in UTF-8: a feed in another charset is read in it).
const (
	FormatRSS  = "application/rss+xml; truce-item"
	FormatAtom = "application/atom+xml; truce-entry"
)

// Parsed is a feed as read.
type Parsed struct {
	Title    string
	Language string
	Items    []Article
}

// Parse reads a feed's document. feedURL resolves the items' relative
// links. The error says what is wrong with the document as a whole; an
// item's dates that cannot be read are left out and flagged, and the
// poller dates such items by when it first saw them.
func Parse(data []byte, feedURL string) (*Parsed, error) {
	base, _ := url.Parse(feedURL)
	data, err := toUTF8(data)
	if err != nil {
		return nil, err
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	// The document is UTF-8 now, whatever its declaration says.
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	var root xml.StartElement
	words := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) && !words {
			return nil, errors.New("is empty: no XML element")
		}
		if errors.Is(err, io.EOF) {
			return nil, errors.New("is not XML: text without an element")
		}
		if err != nil {
			return nil, fmt.Errorf("is not XML: %v", err)
		}
		if cd, ok := tok.(xml.CharData); ok && len(bytes.TrimSpace(cd)) > 0 {
			words = true
		}
		if se, ok := tok.(xml.StartElement); ok {
			root = se
			break
		}
	}
	var p *Parsed
	switch {
	case root.Name.Local == "rss":
		p, err = parseRSS(d, data, base, false)
	case root.Name.Local == "RDF":
		p, err = parseRSS(d, data, base, true)
	case root.Name.Local == "feed" && root.Name.Space == atomNS:
		p, err = parseAtom(d, data, base, lang(root.Attr))
	case strings.EqualFold(root.Name.Local, "html"):
		return nil, errors.New("is an HTML page, not a feed (RSS or Atom): find the page's feed link")
	default:
		return nil, fmt.Errorf("is not a feed: its root element is <%s>, not <rss> (RSS) or <feed> (Atom)", root.Name.Local)
	}
	if err != nil {
		return nil, err
	}
	if len(p.Items) == 0 {
		return nil, errors.New("holds no items (<item> or <entry> elements): an empty feed, or not the feed meant")
	}
	return p, nil
}

const atomNS = "http://www.w3.org/2005/Atom"

// encodingDecl finds the encoding an XML declaration names.
var encodingDecl = regexp.MustCompile(`^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']`)

// toUTF8 reads a document in the charset its XML declaration names (UTF-8
// when none), and refuses one that is not text in it.
func toUTF8(data []byte) ([]byte, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	m := encodingDecl.FindSubmatch(data[:min(len(data), 256)])
	cs := "utf-8"
	if m != nil {
		cs = strings.ToLower(string(m[1]))
	}
	switch cs {
	case "utf-8", "utf8", "us-ascii", "ascii":
		if i := importer.FirstInvalidUTF8(data); i >= 0 {
			return nil, fmt.Errorf("is not UTF-8 text (byte %d), as its XML declaration says", i+1)
		}
		return data, nil
	}
	e, err := htmlindex.Get(cs)
	if err != nil {
		return nil, fmt.Errorf("is in charset %q, which truce does not know", cs)
	}
	out, _, err := transform.Bytes(e.NewDecoder(), data)
	if err != nil {
		return nil, fmt.Errorf("is not %s text, as its XML declaration says: %v", cs, err)
	}
	return out, nil
}

// lang is an element's xml:lang.
func lang(attrs []xml.Attr) string {
	for _, a := range attrs {
		if a.Name.Local == "lang" && (a.Name.Space == "xml" || a.Name.Space == "http://www.w3.org/XML/1998/namespace") {
			return a.Value
		}
	}
	return ""
}

type rssLink struct {
	XMLName xml.Name
	Text    string `xml:",chardata"`
	Href    string `xml:"href,attr"`
}

// nsText is an element's text with its name, to tell an RSS element from
// one of the same local name in another namespace (media:title).
type nsText struct {
	XMLName xml.Name
	Text    string `xml:",chardata"`
}

// rssText is the text of the first element of no namespace.
func rssText(els []nsText) string {
	for _, e := range els {
		if e.XMLName.Space == "" {
			return e.Text
		}
	}
	return ""
}

type rssItem struct {
	Titles     []nsText  `xml:"title"`
	Links      []rssLink `xml:"link"`
	GUID       string    `xml:"guid"`
	PubDate    string    `xml:"pubDate"`
	DCDate     string    `xml:"http://purl.org/dc/elements/1.1/ date"`
	Descs      []nsText  `xml:"description"`
	Content    string    `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
	DCLanguage string    `xml:"http://purl.org/dc/elements/1.1/ language"`
	About      string    `xml:"http://www.w3.org/1999/02/22-rdf-syntax-ns# about,attr"`
}

// parseRSS reads an RSS 2.0 document after its root (or RSS 1.0, whose
// items stand beside its channel).
func parseRSS(d *xml.Decoder, data []byte, base *url.URL, rdf bool) (*Parsed, error) {
	p := &Parsed{}
	var chanLang string
	sawChannel := false
	depth := 0 // inside the root: 1 is the channel's level
	for {
		off := d.InputOffset()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("is not well-formed XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case t.Name.Local == "channel":
				sawChannel = true
				depth++
				continue
			case t.Name.Local == "item" && (depth == 1 || rdf && depth <= 1):
				var it rssItem
				if err := d.DecodeElement(&it, &t); err != nil {
					return nil, fmt.Errorf("is not well-formed XML: %v", err)
				}
				raw := strings.TrimSpace(string(data[off:d.InputOffset()]))
				p.Items = append(p.Items, it.article(base, raw))
				continue
			case depth == 1 && t.Name.Local == "title" && t.Name.Space == "":
				var s string
				if err := d.DecodeElement(&s, &t); err == nil && p.Title == "" {
					p.Title = strings.TrimSpace(s)
				}
				continue
			case depth == 1 && t.Name.Local == "language":
				var s string
				if err := d.DecodeElement(&s, &t); err == nil {
					chanLang = s
				}
				continue
			}
			if err := d.Skip(); err != nil {
				return nil, fmt.Errorf("is not well-formed XML: %v", err)
			}
		case xml.EndElement:
			if t.Name.Local == "channel" {
				depth--
			}
		}
	}
	if !sawChannel {
		return nil, errors.New("is RSS without a <channel> element")
	}
	for i := range p.Items {
		if p.Items[i].Language == "" {
			p.Items[i].Language = importer.Language(chanLang)
		}
	}
	return p, nil
}

func (it rssItem) article(base *url.URL, raw string) Article {
	a := Article{Title: text.HTMLToText(rssText(it.Titles)), Original: raw, OriginalFormat: FormatRSS, Language: importer.Language(it.DCLanguage)}
	for _, l := range it.Links {
		if l.XMLName.Space == "" && strings.TrimSpace(l.Text) != "" {
			a.URL = resolve(base, l.Text)
			break
		}
	}
	if a.URL == "" && it.About != "" {
		a.URL = resolve(base, it.About)
	}
	if g := strings.TrimSpace(it.GUID); a.URL == "" && (strings.HasPrefix(g, "http://") || strings.HasPrefix(g, "https://")) {
		a.URL = g
	}
	body := it.Content
	if strings.TrimSpace(body) == "" {
		body = rssText(it.Descs)
	}
	a.Body = text.HTMLToText(body)
	for _, ds := range []string{it.PubDate, it.DCDate} {
		if strings.TrimSpace(ds) == "" {
			continue
		}
		if t, err := text.ParseTime(ds, time.UTC); err == nil {
			a.Published = t
			break
		} else {
			a.Flags = append(a.Flags, fmt.Sprintf("date %q not read", strings.TrimSpace(ds)))
		}
	}
	return a
}

type atomText struct {
	Type  string `xml:"type,attr"`
	Text  string `xml:",chardata"`
	Inner string `xml:",innerxml"`
}

// plain is an Atom text construct's words.
func (t atomText) plain() string {
	switch strings.ToLower(t.Type) {
	case "html":
		return text.HTMLToText(t.Text)
	case "xhtml":
		return text.HTMLToText(t.Inner)
	}
	return strings.TrimSpace(text.Normalise(t.Text))
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type atomEntry struct {
	Title     atomText   `xml:"http://www.w3.org/2005/Atom title"`
	Links     []atomLink `xml:"http://www.w3.org/2005/Atom link"`
	ID        string     `xml:"http://www.w3.org/2005/Atom id"`
	Published string     `xml:"http://www.w3.org/2005/Atom published"`
	Updated   string     `xml:"http://www.w3.org/2005/Atom updated"`
	Summary   atomText   `xml:"http://www.w3.org/2005/Atom summary"`
	Content   atomText   `xml:"http://www.w3.org/2005/Atom content"`
	Lang      string     `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
}

// parseAtom reads an Atom document after its root.
func parseAtom(d *xml.Decoder, data []byte, base *url.URL, feedLang string) (*Parsed, error) {
	p := &Parsed{}
	for {
		off := d.InputOffset()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("is not well-formed XML: %v", err)
		}
		t, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch {
		case t.Name.Local == "entry" && t.Name.Space == atomNS:
			var e atomEntry
			if err := d.DecodeElement(&e, &t); err != nil {
				return nil, fmt.Errorf("is not well-formed XML: %v", err)
			}
			raw := strings.TrimSpace(string(data[off:d.InputOffset()]))
			a := e.article(base, raw)
			if a.Language == "" {
				a.Language = importer.Language(feedLang)
			}
			p.Items = append(p.Items, a)
		case t.Name.Local == "title" && t.Name.Space == atomNS:
			var at atomText
			if err := d.DecodeElement(&at, &t); err == nil {
				p.Title = at.plain()
			}
		default:
			if err := d.Skip(); err != nil {
				return nil, fmt.Errorf("is not well-formed XML: %v", err)
			}
		}
	}
	p.Language = importer.Language(feedLang)
	return p, nil
}

func (e atomEntry) article(base *url.URL, raw string) Article {
	a := Article{Title: e.Title.plain(), Original: raw, OriginalFormat: FormatAtom, Language: importer.Language(e.Lang)}
	for _, l := range e.Links {
		if (l.Rel == "" || l.Rel == "alternate") && strings.TrimSpace(l.Href) != "" {
			a.URL = resolve(base, l.Href)
			break
		}
	}
	if id := strings.TrimSpace(e.ID); a.URL == "" && (strings.HasPrefix(id, "http://") || strings.HasPrefix(id, "https://")) {
		a.URL = id
	}
	a.Body = e.Content.plain()
	if a.Body == "" {
		a.Body = e.Summary.plain()
	}
	for _, ds := range []string{e.Published, e.Updated} {
		if strings.TrimSpace(ds) == "" {
			continue
		}
		if t, err := text.ParseTime(ds, time.UTC); err == nil {
			a.Published = t
			break
		} else {
			a.Flags = append(a.Flags, fmt.Sprintf("date %q not read", strings.TrimSpace(ds)))
		}
	}
	return a
}

// resolve makes a link absolute against the feed's URL; a link that is
// not a URL is dropped.
func resolve(base *url.URL, link string) string {
	link = strings.TrimSpace(link)
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	if base != nil && !u.IsAbs() {
		u = base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return ""
	}
	return u.String()
}

// Keys are how a feed's state knows an item seen: by its link and by its
// words (title and text, normalised), so that an item seen before is left
// out even under a new link.
func Keys(a Article) []string {
	var keys []string
	if a.URL != "" {
		keys = append(keys, "link:"+short(a.URL))
	}
	return append(keys, "text:"+short(text.Normalise(a.Title+"\n\n"+a.Body)))
}

func short(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}
