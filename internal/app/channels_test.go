package app_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store/sqldb"
)

// channelApp is an installation on a temporary SQLite database with the
// bundled agreement (whose zone dates the channels' words), and the
// database opened raw, to look at what is stored.
func channelApp(t *testing.T) (*app.App, *sql.DB) {
	t.Helper()
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "channels.db")
	a, err := app.Open(ctx, app.Config{DB: file})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return a, raw
}

// importFile imports a file of a channel twice: the second time must
// change nothing.
func importFile(t *testing.T, a *app.App, format, path string, opt app.ImportOptions) *importer.Summary {
	t.Helper()
	ctx := context.Background()
	var sums [2]*importer.Summary
	for i := range sums {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sums[i], err = a.Import(ctx, format, f, path, opt)
		f.Close()
		if err != nil {
			t.Fatalf("import %s %s: %v", format, path, err)
		}
	}
	first, again := sums[0], sums[1]
	if again.Created != 0 || again.Updated != 0 || again.Unchanged != first.Created || again.Rejected != first.Rejected {
		t.Errorf("import %s again is not idempotent: %s, then %s", path, first, again)
	}
	return first
}

// reports are the stored reports of a source, as the operator sees them.
func reports(t *testing.T, a *app.App, source string) []incident.Report {
	t.Helper()
	var out []incident.Report
	err := a.EachReport(context.Background(), app.Operator(), func(r incident.Report) error {
		if r.Source == source {
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// inClear reports whether s stands anywhere in the database as text.
func inClear(t *testing.T, db *sql.DB, s string) []string {
	t.Helper()
	var where []string
	for _, table := range sqldb.Tables() {
		rows, err := db.Query(fmt.Sprintf(`SELECT * FROM %q`, table))
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				var text []byte
				switch x := v.(type) {
				case string:
					text = []byte(x)
				case []byte:
					text = x
				}
				if bytes.Contains(bytes.ToLower(text), []byte(strings.ToLower(s))) {
					where = append(where, table+"."+cols[i])
				}
			}
		}
		rows.Close()
	}
	return where
}

func hasFlag(r incident.Report, prefix string) bool {
	return slices.ContainsFunc(r.Flags, func(f string) bool { return strings.HasPrefix(f, prefix) })
}

// E-mail: a message with an attachment, an Arabic one in windows-1256
// and a mailbox of three (one malformed) are taken in; the senders are
// sealed, with the messages that name them; the photo is stored as
// evidence and referred to, the text file that evidence does not take is
// named in a flag; importing again changes nothing.
func TestMailChannel(t *testing.T) {
	ctx := context.Background()
	a, db := channelApp(t)
	if sum := importFile(t, a, "mail", "../importer/mail/testdata/attachment.eml", app.ImportOptions{}); sum.Created != 1 || sum.Rejected != 0 {
		t.Fatalf("attachment.eml: %s %v", sum, sum.Errors)
	}
	if sum := importFile(t, a, "mail", "../importer/mail/testdata/arabic-1256.eml", app.ImportOptions{}); sum.Created != 1 {
		t.Fatalf("arabic-1256.eml: %s %v", sum, sum.Errors)
	}
	sum := importFile(t, a, "mail", "../importer/mail/testdata/three.mbox", app.ImportOptions{Kind: incident.FromMonitor})
	if sum.Created != 2 || sum.Rejected != 1 || sum.Errors[0].Row != 2 || sum.Errors[0].Line != 12 {
		t.Fatalf("three.mbox: %s %v", sum, sum.Errors)
	}
	reps := reports(t, a, "mail")
	if len(reps) != 4 {
		t.Fatalf("%d mail reports", len(reps))
	}
	for _, who := range []string{"witness.duma@example.org", "ahmad@example.net", "monitor1@example.org", "Abu Khaled", "أحمد"} {
		if where := inClear(t, db, who); len(where) > 0 {
			t.Errorf("the sender %q stands in clear in %v", who, where)
		}
	}
	var withPhoto incident.Report
	for _, r := range reps {
		if r.Sealed == "" || r.Reporter != nil || !strings.HasSuffix(r.OriginalFormat, "; sealed") || r.Kind == "" {
			t.Errorf("report %s: sealed %d bytes, reporter %+v, format %q", r.SourceID, len(r.Sealed), r.Reporter, r.OriginalFormat)
		}
		if r.SourceID == "20170103101500.4242@mail.example.org" {
			withPhoto = r
		}
	}
	png, _ := os.ReadFile("../importer/mail/testdata/photo.png")
	if len(withPhoto.Evidence) != 1 {
		t.Fatalf("the photo is not referred to: %+v", withPhoto)
	}
	data, mt, err := a.Download(ctx, app.Operator(), withPhoto.Evidence[0], "test")
	if err != nil || !bytes.Equal(data, png) || mt != "image/png" {
		t.Errorf("the photo as stored: %d bytes %s %v", len(data), mt, err)
	}
	if !hasFlag(withPhoto, "attachment names.txt not kept: names.txt is text/plain") {
		t.Errorf("flags %q", withPhoto.Flags)
	}
	// Staff see who sent it.
	for _, r := range reps {
		if r.SourceID != withPhoto.SourceID {
			continue
		}
		d, err := a.CaseFor(ctx, app.Operator(), r.IncidentID)
		if err != nil {
			t.Fatal(err)
		}
		for _, cr := range d.Reports {
			if cr.ID == r.ID && (cr.Reporter == nil || cr.Reporter.Contact != "witness.duma@example.org") {
				t.Errorf("staff do not see the reporter: %+v", cr.Reporter)
			}
		}
	}
}

// Telegram: a channel's export with a photo: the posts with text are
// news reports, the service messages and the post without text are
// skipped and noted, the photo is evidence the report refers to.
func TestTelegramChannel(t *testing.T) {
	a, _ := channelApp(t)
	sum := importFile(t, a, "telegram", "../importer/telegram/testdata/export/result.json", app.ImportOptions{})
	if sum.Created != 2 || sum.Rejected != 1 || !strings.Contains(strings.Join(sum.Notes, "; "), "2 service messages") ||
		!strings.Contains(strings.Join(sum.Notes, "; "), "1 messages without text") {
		t.Fatalf("%s %v notes %q", sum, sum.Errors, sum.Notes)
	}
	reps := reports(t, a, "telegram:Douma Media Centre")
	if len(reps) != 2 {
		t.Fatalf("%d reports", len(reps))
	}
	photo, _ := os.ReadFile("../importer/telegram/testdata/export/photos/photo_1@03-01-2017_10-15-00.jpg")
	for _, r := range reps {
		if r.Kind != incident.FromNews || r.Sealed != "" {
			t.Errorf("report %s: kind %s sealed %q", r.SourceID, r.Kind, r.Sealed)
		}
		if r.SourceID != "2" {
			continue
		}
		if len(r.Evidence) != 1 {
			t.Fatalf("the photo is not referred to: %+v", r)
		}
		data, _, err := a.Download(context.Background(), app.Operator(), r.Evidence[0], "test")
		if err != nil || !bytes.Equal(data, photo) {
			t.Errorf("the photo as stored: %d bytes, %v", len(data), err)
		}
	}
}

// Articles: an HTML and a Markdown article and JSON lines of articles
// (one line bad) are news reports, dated by publication and flagged so.
func TestTextChannel(t *testing.T) {
	a, _ := channelApp(t)
	for _, f := range []string{"article.html", "article.md"} {
		if sum := importFile(t, a, "text", "../importer/text/testdata/"+f, app.ImportOptions{}); sum.Created != 1 {
			t.Fatalf("%s: %s %v", f, sum, sum.Errors)
		}
	}
	sum := importFile(t, a, "text", "../importer/text/testdata/articles.jsonl", app.ImportOptions{Source: "desk"})
	if sum.Created != 3 || sum.Rejected != 1 || sum.Errors[0].Column != "author" {
		t.Fatalf("articles.jsonl: %s %v", sum, sum.Errors)
	}
	html := reports(t, a, "example-news.org")
	if len(html) != 2 {
		t.Fatalf("%d reports of example-news.org", len(html))
	}
	for _, r := range html {
		if r.Kind != incident.FromNews || len(r.Citations) != 1 || r.Outlet != "example-news.org" {
			t.Errorf("%+v", r)
		}
	}
	if desk := reports(t, a, "desk"); len(desk) != 1 || !strings.HasPrefix(desk[0].SourceID, "sha256:") {
		t.Errorf("the article without a URL, under -source: %+v", desk)
	}
}

// feedServer serves a feed the test changes, with an ETag.
type feedServer struct {
	mu          sync.Mutex
	body        []byte
	etag        string
	conditional int // requests that carried If-None-Match
}

func (s *feedServer) set(file, etag string) error {
	b, err := os.ReadFile("../feed/testdata/" + file)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body, s.etag = b, etag
	return err
}

func (s *feedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w.Header().Set("ETag", s.etag)
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		s.conditional++
		if inm == s.etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.Write(s.body)
}

// Feeds: a feed polled in turn gives its items (news reports), nothing
// while unchanged (304), then only its new item (one seen under a new
// link with the same words is left out); a malformed document stores
// nothing and is kept as the feed's last error; another feed's failure
// does not stop it.
func TestFeedChannel(t *testing.T) {
	ctx := context.Background()
	a, _ := channelApp(t)
	s := &feedServer{}
	if err := s.set("rss.xml", `"v1"`); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusBadGateway) }))
	defer down.Close()
	if err := a.AddFeed(ctx, srv.URL+"/feed.xml", "watch"); err != nil {
		t.Fatal(err)
	}
	if err := a.AddFeed(ctx, down.URL+"/rss", "broken"); err != nil {
		t.Fatal(err)
	}
	if err := a.AddFeed(ctx, "ftp://x.example/feed", ""); err == nil {
		t.Error("an ftp feed was added")
	}
	count := func() int {
		n := 0
		a.EachReport(ctx, app.Operator(), func(r incident.Report) error {
			if r.Kind == incident.FromNews {
				n++
			}
			return nil
		})
		return n
	}
	poll := func() map[string]app.FeedPoll {
		t.Helper()
		polls, err := a.PollEachFeed(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]app.FeedPoll{}
		for _, p := range polls {
			out[p.Feed.Name] = p
		}
		return out
	}

	p := poll()
	if w := p["watch"]; w.Err != nil || w.New != 3 || w.Summary == nil || w.Summary.Created != 3 || w.Feed.ETag != `"v1"` {
		t.Fatalf("first poll: %+v %v", w, w.Err)
	}
	if b := p["broken"]; b.Err == nil || !strings.Contains(b.Err.Error(), "answered HTTP 502") || b.Feed.LastError == "" {
		t.Errorf("the broken feed: %+v", b)
	}
	if n := count(); n != 3 {
		t.Fatalf("%d news reports after the first poll", n)
	}
	watch := reports(t, a, "watch.example.org")
	if len(watch) != 2 || watch[0].Language != "ar" || watch[0].SourceID != "https://watch.example.org/2017/01/03/douma" || !strings.HasPrefix(watch[0].OriginalFormat, "application/rss+xml") {
		t.Errorf("the Douma item: %+v", watch)
	}
	if len(watch) == 2 && !hasFlag(watch[1], "date: day first seen in the feed") {
		t.Errorf("the item without a date: %q", watch[1].Flags)
	}

	if w := poll()["watch"]; w.Err != nil || w.New != 0 || s.conditional != 1 {
		t.Errorf("unchanged feed: %+v, %d conditional requests", w, s.conditional)
	}

	s.set("rss-changed.xml", `"v2"`)
	if w := poll()["watch"]; w.Err != nil || w.New != 1 || w.Summary.Created != 1 {
		t.Errorf("changed feed: %+v %v", w, w.Err)
	}
	if n := count(); n != 4 {
		t.Errorf("%d news reports after the change, want 4 (the copy under a new link left out)", n)
	}

	s.set("malformed.xml", `"v3"`)
	if w := poll()["watch"]; w.Err == nil || !strings.Contains(w.Err.Error(), "is not well-formed XML") || w.New != 0 {
		t.Errorf("malformed feed: %+v", w)
	}
	if n := count(); n != 4 {
		t.Errorf("%d news reports after the malformed poll", n)
	}
	feeds, err := a.Feeds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range feeds {
		if f.Name == "watch" && (!strings.Contains(f.LastError, "is not well-formed XML") || f.ETag != `"v2"` || f.LastPolled.IsZero() || len(f.Seen) == 0) {
			t.Errorf("the malformed feed's state: %+v", f)
		}
	}
	if err := a.PollFeeds(ctx); err == nil || !strings.Contains(err.Error(), srv.URL) || !strings.Contains(err.Error(), down.URL) {
		t.Errorf("PollFeeds: %v", err)
	}
}
