package feed_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/feed"
	"github.com/truce-monitor/truce/internal/importer/importertest"
	"github.com/truce-monitor/truce/internal/importer/text"
	"github.com/truce-monitor/truce/internal/incident"
)

var damascus = time.FixedZone("EET", 2*3600)

func file(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseRSS(t *testing.T) {
	p, err := feed.Parse(file(t, "rss.xml"), "https://watch.example.org/feed.xml")
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "Syria Ceasefire Watch" || len(p.Items) != 3 {
		t.Fatalf("title %q, %d items", p.Title, len(p.Items))
	}
	a := p.Items[0]
	if a.Title != "قصف على دوما" || a.URL != "https://watch.example.org/2017/01/03/douma" || a.Language != "ar" ||
		a.Body != "قصفت قوات النظام سوق دوما صباح اليوم.\n\nقتل شخصان." || !a.Published.Equal(time.Date(2017, 1, 3, 7, 15, 0, 0, time.UTC)) {
		t.Errorf("first item %+v", a)
	}
	if !strings.HasPrefix(a.Original, "<item>") || !strings.HasSuffix(a.Original, "</item>") || !strings.Contains(a.Original, "<media:title>") || a.OriginalFormat != feed.FormatRSS {
		t.Errorf("original %q", a.Original)
	}
	b := p.Items[1]
	if b.Title != "Clashes in Wadi Barada & Ain al-Fijeh" || b.URL != "https://watch.example.org/2017/01/04/wadi-barada" || b.Language != "en" {
		t.Errorf("second item %+v", b)
	}
	if c := p.Items[2]; !c.Published.IsZero() || c.Language != "ar" {
		t.Errorf("third item %+v", c)
	}
}

func TestParseAtom(t *testing.T) {
	p, err := feed.Parse(file(t, "atom.xml"), "https://aleppo.example.com/atom")
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "Aleppo Monitor" || p.Language != "en" || len(p.Items) != 2 {
		t.Fatalf("%+v", p)
	}
	a := p.Items[0]
	if a.Title != "Airstrikes on western Aleppo countryside" || a.URL != "https://aleppo.example.com/posts/airstrikes-west" ||
		a.Body != "Warplanes struck villages west of Aleppo.\n\nNo casualties were reported." || a.Language != "en" ||
		!a.Published.Equal(time.Date(2017, 1, 7, 8, 0, 0, 0, time.UTC)) || a.OriginalFormat != feed.FormatAtom || !strings.HasPrefix(a.Original, "<entry>") {
		t.Errorf("first entry %+v", a)
	}
	b := p.Items[1]
	if b.URL != "https://aleppo.example.com/posts/ar-1" || b.Language != "ar" || b.Body != "غارات جوية على قرى ريف حلب الغربي." || !b.Published.Equal(time.Date(2017, 1, 7, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("second entry %+v", b)
	}
}

func TestParseCharset(t *testing.T) {
	p, err := feed.Parse(file(t, "rss-1256.xml"), "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Items[0].Title != "قصف" || p.Items[0].Body != "قصف على حلب" {
		t.Errorf("%+v", p.Items[0])
	}
}

func TestParseErrors(t *testing.T) {
	for doc, want := range map[string]string{
		string(file(t, "malformed.xml")):       "is not well-formed XML",
		"":                                     "is empty",
		"not xml at all":                       "is not XML",
		"<html><body>hello</body></html>":      "is an HTML page",
		"<?xml version=\"1.0\"?><opml></opml>": "root element is <opml>",
		"<rss version=\"2.0\"><channel></channel></rss>":                 "holds no items",
		"<rss version=\"2.0\"></rss>":                                    "without a <channel>",
		"<rss><channel><item><title>\xff</title></item></channel></rss>": "not UTF-8",
		"<?xml version=\"1.0\" encoding=\"x-klingon\"?><rss/>":           "does not know",
	} {
		_, err := feed.Parse([]byte(doc), "https://x.example/feed")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%.40q: %v, want %q", doc, err, want)
		}
	}
}

// server serves a feed document that the test changes, with an ETag or a
// Last-Modified, and answers conditional requests as a server would.
type server struct {
	mu       sync.Mutex
	body     []byte
	etag     string
	modified string
	status   int
	requests []*http.Request
}

func (s *server) set(body []byte, etag, modified string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body, s.etag, s.modified, s.status = body, etag, modified, 0
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
	if s.status != 0 {
		http.Error(w, "down", s.status)
		return
	}
	if s.etag != "" {
		w.Header().Set("ETag", s.etag)
		if r.Header.Get("If-None-Match") == s.etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if s.modified != "" {
		w.Header().Set("Last-Modified", s.modified)
		if s.etag == "" && r.Header.Get("If-Modified-Since") == s.modified {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.Header().Set("Content-Type", "application/rss+xml")
	w.Write(s.body)
}

func titles(items []feed.Article) []string {
	var out []string
	for _, a := range items {
		out = append(out, a.Title)
	}
	return out
}

// Polls of a feed that changes: the first gives every item; the next,
// with the ETag, nothing (304); once the feed changes, only the new item:
// one seen under its link is left out, and one seen under another link
// but with the same words too.
func TestPollETag(t *testing.T) {
	s := &server{}
	s.set(file(t, "rss.xml"), `"v1"`, "")
	srv := httptest.NewServer(s)
	defer srv.Close()
	ctx := context.Background()
	f := &feed.Feed{URL: srv.URL + "/feed.xml", Name: "watch"}

	items, err := feed.Poll(ctx, srv.Client(), f)
	if err != nil || len(items) != 3 || f.ETag != `"v1"` || f.LastError != "" || f.LastPolled.IsZero() || len(f.Seen) != 6 {
		t.Fatalf("first poll: %d items, %v, state %+v", len(items), err, f)
	}
	if items[2].DateFlag != text.FirstSeenDay || items[2].Published.IsZero() || items[0].DateFlag != "" {
		t.Errorf("an item without a date is dated when first seen, and flagged: %+v", items[2])
	}
	if items[1].URL != srv.URL+"/2017/01/04/wadi-barada" {
		t.Errorf("relative link resolved against the feed: %q", items[1].URL)
	}

	items, err = feed.Poll(ctx, srv.Client(), f)
	if err != nil || len(items) != 0 || s.requests[1].Header.Get("If-None-Match") != `"v1"` {
		t.Fatalf("second poll: %v %v, If-None-Match %q", titles(items), err, s.requests[1].Header.Get("If-None-Match"))
	}

	s.set(file(t, "rss-changed.xml"), `"v2"`, "")
	items, err = feed.Poll(ctx, srv.Client(), f)
	if err != nil || len(items) != 1 || items[0].Title != "Truce violation reported in Hama" || f.ETag != `"v2"` {
		t.Fatalf("after the change: %q %v", titles(items), err)
	}

	// The state keeps its validators and seen items through a failure,
	// and says what failed.
	s.mu.Lock()
	s.status = http.StatusServiceUnavailable
	s.mu.Unlock()
	seen := len(f.Seen)
	_, err = feed.Poll(ctx, srv.Client(), f)
	var fe *feed.Error
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "feed "+f.URL+" answered HTTP 503 Service Unavailable") || f.LastError != "answered HTTP 503 Service Unavailable" || f.ETag != `"v2"` || len(f.Seen) != seen {
		t.Errorf("failed poll: %v, state %+v", err, f)
	}
}

func TestPollLastModified(t *testing.T) {
	s := &server{}
	mod := "Wed, 04 Jan 2017 18:00:00 GMT"
	s.set(file(t, "atom.xml"), "", mod)
	srv := httptest.NewServer(s)
	defer srv.Close()
	f := &feed.Feed{URL: srv.URL + "/atom"}
	if items, err := feed.Poll(context.Background(), srv.Client(), f); err != nil || len(items) != 2 || f.LastModified != mod {
		t.Fatalf("first poll: %d, %v, %+v", len(items), err, f)
	}
	if items, err := feed.Poll(context.Background(), srv.Client(), f); err != nil || len(items) != 0 || s.requests[1].Header.Get("If-Modified-Since") != mod {
		t.Fatalf("second poll: %d, %v", len(items), err)
	}
	// Without validators, a feed already seen still gives nothing new.
	f.LastModified = ""
	if items, err := feed.Poll(context.Background(), srv.Client(), f); err != nil || len(items) != 0 {
		t.Fatalf("third poll: %d, %v", len(items), err)
	}
}

func TestPollErrors(t *testing.T) {
	s := &server{}
	srv := httptest.NewServer(s)
	defer srv.Close()
	for _, tt := range []struct {
		body []byte
		want string
	}{
		{file(t, "malformed.xml"), "is not well-formed XML"},
		{[]byte("<html><body>Not found</body></html>"), "is an HTML page"},
		{[]byte(strings.Repeat(" ", feed.MaxBody+1)), "larger than 10 MiB"},
	} {
		s.set(tt.body, "", "")
		f := &feed.Feed{URL: srv.URL + "/f"}
		items, err := feed.Poll(context.Background(), srv.Client(), f)
		if err == nil || len(items) != 0 || !strings.HasPrefix(err.Error(), "feed "+f.URL+" ") || !strings.Contains(err.Error(), tt.want) || f.LastError == "" || len(f.Seen) != 0 {
			t.Errorf("%.30q: %v, state %+v", tt.body, err, f)
		}
	}
	f := &feed.Feed{URL: "http://127.0.0.1:1/nothing"}
	if _, err := feed.Poll(context.Background(), http.DefaultClient, f); err == nil || !strings.Contains(err.Error(), "could not be fetched") {
		t.Errorf("no server: %v", err)
	}
}

// A feed's items become reports as articles do: news from the outlet of
// their link, dated by publication (or first sight), flagged so.
func TestItemsBecomeReports(t *testing.T) {
	p, err := feed.Parse(file(t, "rss.xml"), "https://watch.example.org/feed.xml")
	if err != nil {
		t.Fatal(err)
	}
	p.Items[2].Published, p.Items[2].DateFlag = time.Date(2017, 1, 5, 12, 0, 0, 0, time.UTC), text.FirstSeenDay
	cfg := text.Config{Location: damascus, Source: "watch"}
	sum := importertest.Run(t, "feed", text.Articles("feed", p.Items, cfg))
	if sum.Created != 3 || sum.Rejected != 0 {
		t.Fatalf("%s %v", sum, sum.Errors)
	}
	rep, fe := text.Report(p.Items[0], cfg)
	if fe != nil {
		t.Fatal(fe)
	}
	if rep.Source != "watch.example.org" || rep.SourceID != p.Items[0].URL || rep.Kind != incident.FromNews || rep.Flags[0] != text.PublicationDay ||
		rep.Description != "قصف على دوما\n\nقصفت قوات النظام سوق دوما صباح اليوم.\n\nقتل شخصان." || rep.Language != "ar" {
		t.Errorf("%+v", rep)
	}
	rep, _ = text.Report(p.Items[2], cfg)
	if rep.Flags[0] != text.FirstSeenDay {
		t.Errorf("flags %q", rep.Flags)
	}
}
