package delivery

import (
	"encoding/xml"
	"io"
	"net/url"
	"time"
)

// Feed describes an Atom feed of a subscription's messages.
type Feed struct {
	// ID is the feed's permanent id (an IRI); Self its URL.
	ID, Title, Self string
	// BaseURL makes the messages' relative links absolute.
	BaseURL string
	// Updated is used when there is no entry.
	Updated time.Time
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomCategory struct {
	Scheme string `xml:"scheme,attr"`
	Term   string `xml:"term,attr"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published"`
	Links      []atomLink     `xml:"link,omitempty"`
	Categories []atomCategory `xml:"category"`
	Content    atomText       `xml:"content"`
}

// EntryID is the Atom id of a message: the same on every feed, so that a
// reader following several sees one entry.
func EntryID(messageID string) string { return "urn:truce:message:" + url.PathEscape(messageID) }

// WriteAtom writes an Atom feed (RFC 4287) of msgs, the latest first, as
// given. Only public messages are written: a feed is the public edition,
// and a message not marked public is left out whatever the caller passed.
func WriteAtom(w io.Writer, f Feed, msgs []Message) error {
	updated := f.Updated
	var entries []atomEntry
	for _, m := range msgs {
		if !m.Public {
			continue
		}
		if m.At.After(updated) {
			updated = m.At
		}
		e := atomEntry{
			ID:        EntryID(m.ID),
			Title:     atomText{Type: "text", Body: oneLine(m.Title)},
			Updated:   m.At.UTC().Format(time.RFC3339),
			Published: m.At.UTC().Format(time.RFC3339),
			Content:   atomText{Type: "text", Body: m.Text},
		}
		if e.Title.Body == "" {
			e.Title.Body = oneLine(m.Text)
		}
		if link := absolute(f.BaseURL, m.Link); link != "" {
			e.Links = []atomLink{{Rel: "alternate", Type: "text/html", Href: link}}
		}
		for _, c := range [][2]string{{"kind", m.Kind}, {"party", m.Party}, {"zone", m.Zone}, {"area", m.Area}, {"ruling", m.Ruling}, {"severity", m.Severity}} {
			if c[1] != "" {
				e.Categories = append(e.Categories, atomCategory{Scheme: "urn:truce:" + c[0], Term: c[1]})
			}
		}
		entries = append(entries, e)
	}
	if updated.IsZero() {
		updated = time.Now()
	}
	feed := atomFeed{ID: f.ID, Title: f.Title, Updated: updated.UTC().Format(time.RFC3339), Author: atomPerson{Name: "truce"}, Entries: entries}
	if f.Self != "" {
		feed.Links = []atomLink{{Rel: "self", Type: "application/atom+xml", Href: f.Self}}
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	if err := enc.Encode(feed); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
