package delivery_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/delivery"
)

// atomDoc is what a reader takes from a feed.
type atomDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Author  string   `xml:"author>name"`
	Links   []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Content string `xml:"content"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Categories []struct {
			Scheme string `xml:"scheme,attr"`
			Term   string `xml:"term,attr"`
		} `xml:"category"`
	} `xml:"entry"`
}

// parseAtom parses a feed strictly: well-formed XML in the Atom namespace,
// with the elements RFC 4287 requires of a feed and its entries.
func parseAtom(t *testing.T, data []byte) atomDoc {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, data)
		}
	}
	var doc atomDoc
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("not an Atom feed: %v\n%s", err, data)
	}
	if doc.ID == "" || doc.Title == "" || doc.Author == "" {
		t.Errorf("feed without id, title or author: %+v", doc)
	}
	if _, err := time.Parse(time.RFC3339, doc.Updated); err != nil {
		t.Errorf("feed updated %q: %v", doc.Updated, err)
	}
	for _, e := range doc.Entries {
		if e.ID == "" || e.Title == "" {
			t.Errorf("entry without id or title: %+v", e)
		}
		if _, err := time.Parse(time.RFC3339, e.Updated); err != nil {
			t.Errorf("entry updated %q: %v", e.Updated, err)
		}
	}
	return doc
}

// TestAtomPublicOnly: the feed is valid Atom and holds the public
// messages only, whatever it is passed.
func TestAtomPublicOnly(t *testing.T) {
	protected := arabic
	protected.ID, protected.Public, protected.Title = "violation:7:syria-coh-2016:GOV", false, "protected words"
	later := arabic
	later.ID, later.At, later.Title, later.Text, later.Link = "alert:DZ2:2017-03-11", arabic.At.Add(24*time.Hour), "Ceasefire <holds> & \x01 more", "", "https://elsewhere.example/x"
	var b bytes.Buffer
	feed := delivery.Feed{ID: "urn:truce:feed:s1", Title: "truce: public messages", Self: "https://truce.example.org/feeds/feed_x.atom", BaseURL: "https://truce.example.org"}
	if err := delivery.WriteAtom(&b, feed, []delivery.Message{later, protected, arabic}); err != nil {
		t.Fatal(err)
	}
	doc := parseAtom(t, b.Bytes())
	if strings.Contains(b.String(), "protected") || strings.Contains(b.String(), "violation:7") {
		t.Errorf("a protected message is on the feed:\n%s", b.String())
	}
	if len(doc.Entries) != 2 || doc.Entries[0].ID != "urn:truce:message:alert:DZ2:2017-03-11" || doc.Entries[1].Title != arabic.Title {
		t.Fatalf("entries %+v", doc.Entries)
	}
	if doc.Updated != "2017-03-11T09:00:00Z" || len(doc.Links) != 1 || doc.Links[0].Rel != "self" {
		t.Errorf("feed %+v", doc)
	}
	e := doc.Entries[1]
	if e.Link.Href != "https://truce.example.org/incidents/42" || e.Content != arabic.Text || len(e.Categories) != 5 || e.Categories[1].Term != "GOV" {
		t.Errorf("entry %+v", e)
	}
	if doc.Entries[0].Link.Href != "https://elsewhere.example/x" || doc.Entries[0].Title != "Ceasefire <holds> & \uFFFD more" {
		t.Errorf("entry %+v", doc.Entries[0])
	}
	// An empty feed is a feed.
	b.Reset()
	feed.Updated = time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := delivery.WriteAtom(&b, feed, []delivery.Message{protected}); err != nil {
		t.Fatal(err)
	}
	if doc := parseAtom(t, b.Bytes()); len(doc.Entries) != 0 || doc.Updated != "2017-01-01T00:00:00Z" {
		t.Errorf("empty feed %+v", doc)
	}
}
