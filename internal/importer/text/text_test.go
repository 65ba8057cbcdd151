package text_test

import (
	"bytes"
	"encoding/base64"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/importer/importertest"
	"github.com/truce-monitor/truce/internal/importer/text"
	"github.com/truce-monitor/truce/internal/incident"
)

var damascus = time.FixedZone("EET", 2*3600)

func read(t *testing.T, file string, cfg text.Config) ([]*incident.Report, []*importer.RowError) {
	t.Helper()
	data, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := text.NewReader(bytes.NewReader(data), file, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var reps []*incident.Report
	var errs []*importer.RowError
	for {
		row, ok, err := rd.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return reps, errs
		}
		if row.Err != nil {
			errs = append(errs, row.Err)
		} else if row.Report != nil {
			importertest.CheckReport(t, row.Report)
			reps = append(reps, row.Report)
		}
	}
}

func one(t *testing.T, file string, cfg text.Config) *incident.Report {
	t.Helper()
	reps, errs := read(t, file, cfg)
	if len(reps) != 1 || len(errs) != 0 {
		t.Fatalf("%s: %d reports, errors %v", file, len(reps), errs)
	}
	return reps[0]
}

// The fields every article's report has, whatever its file.
func checkNews(t *testing.T, r *incident.Report) {
	t.Helper()
	if r.Kind != incident.FromNews || r.Act != act.Unknown || r.Place.Precision != incident.PlaceUnknown || r.Place.HasPoint {
		t.Errorf("kind %s act %s place %+v", r.Kind, r.Act, r.Place)
	}
	if len(r.Flags) == 0 || r.Flags[0] != text.PublicationDay || !text.DateStandIn(r.Flags[0]) {
		t.Errorf("flags %q: the publication-day flag is missing", r.Flags)
	}
	if r.Occurred.Precision != "day" || !r.Occurred.Valid() {
		t.Errorf("occurred %+v", r.Occurred)
	}
}

func TestHTMLArticle(t *testing.T) {
	r := one(t, "article.html", text.Config{Location: damascus})
	checkNews(t, r)
	if r.Source != "example-news.org" || r.Outlet != "example-news.org" || r.SourceID != "https://www.example-news.org/2017/01/03/douma-shelling" {
		t.Errorf("source %q outlet %q id %q", r.Source, r.Outlet, r.SourceID)
	}
	if len(r.Citations) != 1 || r.Citations[0] != r.SourceID {
		t.Errorf("citations %q", r.Citations)
	}
	if r.Language != "en" {
		t.Errorf("language %q", r.Language)
	}
	want := incident.Day(2017, 1, 3, damascus)
	if !r.Occurred.Start.Equal(want.Start) || !r.Occurred.End.Equal(want.End) {
		t.Errorf("occurred %v, want %v", r.Occurred, want)
	}
	if !r.ReportedAt.Equal(time.Date(2017, 1, 3, 7, 15, 0, 0, time.UTC)) {
		t.Errorf("reported at %v", r.ReportedAt)
	}
	title, body, _ := strings.Cut(r.Description, "\n\n")
	if title != "Shelling reported in Douma despite truce" || !strings.HasPrefix(body, "By a staff reporter\n\n") {
		t.Errorf("title %q, body %q: the heading repeating the title is said once", title, body)
	}
	for _, w := range []string{"Residents of Douma said artillery shells struck the market area on Monday morning, killing two people.",
		"blamed government forces.\nThe ceasefire", "Two killed\nFive wounded"} {
		if !strings.Contains(body, w) {
			t.Errorf("body lacks %q:\n%s", w, body)
		}
	}
	for _, w := range []string{"analytics", "Home", "independent since", "Hidden text", "Read more", "not text", "© Example"} {
		if strings.Contains(body, w) {
			t.Errorf("body holds invisible or page text %q:\n%s", w, body)
		}
	}
	data, _ := os.ReadFile("testdata/article.html")
	if r.Original != string(data) || r.OriginalFormat != text.FormatHTML {
		t.Errorf("original not verbatim (%d bytes, format %q)", len(r.Original), r.OriginalFormat)
	}
}

// An HTML page in the charset it declares is read in it, and kept
// byte for byte as base64.
func TestHTMLDeclaredCharset(t *testing.T) {
	r := one(t, "article-1256.html", text.Config{Location: damascus, Source: "aleppo-today"})
	checkNews(t, r)
	if !strings.HasPrefix(r.Description, "قصف على حلب\n\nقصفت الطائرات أحياء حلب الشرقية.") || r.Language != "ar" {
		t.Errorf("description %q language %q", r.Description, r.Language)
	}
	if r.Source != "aleppo-today" || !strings.HasPrefix(r.SourceID, "sha256:") {
		t.Errorf("a page without a URL: source %q id %q", r.Source, r.SourceID)
	}
	data, _ := os.ReadFile("testdata/article-1256.html")
	got, err := base64.StdEncoding.DecodeString(r.Original)
	if err != nil || !bytes.Equal(got, data) || !strings.Contains(r.OriginalFormat, "charset=windows-1256") || !strings.Contains(r.OriginalFormat, "truce-encoding=base64") {
		t.Errorf("original not kept byte for byte: %v, format %q", err, r.OriginalFormat)
	}
	// Without its declaration the same bytes are refused, not guessed.
	bad := bytes.Replace(data, []byte("charset=windows-1256"), []byte("x"), 1)
	rd, _ := text.NewReader(bytes.NewReader(bad), "p.html", text.Config{})
	row, _, err := rd.Next()
	if err != nil || row.Err == nil || !strings.Contains(row.Err.Reason, "declares no charset") {
		t.Errorf("undeclared charset: %v %+v", err, row.Err)
	}
}

func TestMarkdownArticle(t *testing.T) {
	r := one(t, "article.md", text.Config{Location: damascus})
	checkNews(t, r)
	if r.Source != "monitor-blog.example.net" || r.SourceID != "https://monitor-blog.example.net/posts/wadi-barada" || r.Language != "ar" {
		t.Errorf("source %q id %q language %q", r.Source, r.SourceID, r.Language)
	}
	want := "Fighting continues in Wadi Barada\n\n" +
		"Clashes were reported near Ain al-Fijeh on Wednesday, and the water supply to Damascus remained cut.\n\n" +
		"What residents said\n\n" +
		"- Airstrikes hit the village of Basimah.\n- A statement from the local council called for the truce to be respected.\n\n" +
		"\"We have had no water for ten days,\" one resident said."
	if r.Description != want {
		t.Errorf("description:\n%s\nwant:\n%s", r.Description, want)
	}
	if !r.Occurred.Start.Equal(incident.Day(2017, 1, 5, damascus).Start) {
		t.Errorf("occurred %v", r.Occurred)
	}
	data, _ := os.ReadFile("testdata/article.md")
	if r.Original != string(data) || r.OriginalFormat != text.FormatMarkdown {
		t.Errorf("original not verbatim, format %q", r.OriginalFormat)
	}
}

func TestPlainArticle(t *testing.T) {
	r := one(t, "article.txt", text.Config{Location: damascus})
	checkNews(t, r)
	if r.Source != "text" || !strings.HasPrefix(r.SourceID, "sha256:") {
		t.Errorf("source %q id %q", r.Source, r.SourceID)
	}
	if !strings.HasPrefix(r.Description, "Truce holds in Hama countryside\n\nNo violations") || !strings.HasSuffix(r.Description, "\n\nMonitors will visit on Friday.") {
		t.Errorf("description %q", r.Description)
	}
	// The same words with other line breaks are the same article.
	data, _ := os.ReadFile("testdata/article.txt")
	again := strings.ReplaceAll(string(data), "today,\n", "today, ")
	rd, _ := text.NewReader(strings.NewReader(again), "again.txt", text.Config{Location: damascus})
	row, _, err := rd.Next()
	if err != nil || row.Report == nil || row.Report.SourceID != r.SourceID {
		t.Errorf("same words, other breaks: %v %+v", err, row)
	}
	// Without a date, the article is refused and told how to give one.
	rd, _ = text.NewReader(strings.NewReader("A title\n\nwords"), "undated.txt", text.Config{})
	row, _, err = rd.Next()
	if err != nil || row.Err == nil || row.Err.Column != "date" || !strings.Contains(row.Err.Reason, "front matter") {
		t.Errorf("undated: %v %+v", err, row.Err)
	}
}

// JSON lines of articles: each line one report; a line with a field that
// is not an article's is rejected by name, with its line; the others
// are kept.
func TestJSONLines(t *testing.T) {
	reps, errs := read(t, "articles.jsonl", text.Config{Location: damascus})
	if len(reps) != 3 || len(errs) != 1 {
		t.Fatalf("%d reports, %d errors %v", len(reps), len(errs), errs)
	}
	for _, r := range reps {
		checkNews(t, r)
	}
	if e := errs[0]; e.Row != 3 || e.Column != "author" || !strings.Contains(e.Reason, "not an article field") || !strings.Contains(e.Original, "A. Reporter") {
		t.Errorf("rejection %+v", e)
	}
	ar := reps[1]
	if ar.Source != "arabic.example.org" || ar.Language != "ar" || ar.Description != "قصف على دوما\n\nقصفت قوات النظام مدينة دوما صباح اليوم." {
		t.Errorf("arabic line: %+v", ar)
	}
	if !ar.Occurred.Start.Equal(incident.Day(2017, 1, 7, damascus).Start) {
		t.Errorf("RFC 1123 date: %v", ar.Occurred)
	}
	if r := reps[2]; r.Source != "text" || r.SourceID != "sha256:"+text.Hash("The council of Madaya reports that aid convoys were blocked. No convoy has entered since October.") || len(r.Citations) != 0 {
		t.Errorf("line without a URL: source %q id %q", r.Source, r.SourceID)
	}
	if r := reps[0]; r.Original != `{"url":"https://www.example-news.org/2017/01/06/idlib","published":"2017-01-06T11:00:00Z","language":"en","title":"Airstrike on Idlib market","body":"An airstrike hit a market in Idlib city on Thursday, witnesses said."}` || r.OriginalFormat != text.FormatJSONL {
		t.Errorf("original %q", r.Original)
	}
}

func TestJSONLineErrors(t *testing.T) {
	for _, tt := range []struct{ line, field, reason string }{
		{`{"title":"t","body":"b"}`, "published", "missing"},
		{`{"published":"yesterday","body":"b"}`, "published", "not a time"},
		{`{"published":"2017-01-01","body":7}`, "body", "must be a string"},
		{`{"published":"2017-01-01","url":"ftp://x/y","body":"b"}`, "url", "not an http"},
		{`{"published":"2017-01-01","title":" ","body":""}`, "body", "empty"},
		{`{"published":"2999-01-01","body":"b"}`, "occurred.start", "future"},
		{`[1]`, "", "not a JSON object"},
	} {
		t.Run(tt.line, func(t *testing.T) {
			sum := importertest.Run(t, "a.jsonl", must(text.NewReaderKind(strings.NewReader(tt.line+"\n"), "a.jsonl", text.JSONL, text.Config{})))
			if sum.Rejected != 1 || sum.Errors[0].Column != tt.field || !strings.Contains(sum.Errors[0].Reason, tt.reason) {
				t.Errorf("%+v", sum.Errors)
			}
		})
	}
}

func must(r *text.Reader, err error) *text.Reader {
	if err != nil {
		panic(err)
	}
	return r
}

// The period skips articles published outside it.
func TestPeriod(t *testing.T) {
	cfg := text.Config{Location: damascus, From: time.Date(2017, 1, 7, 0, 0, 0, 0, damascus)}
	sum := importertest.Run(t, "articles.jsonl", must(text.NewReader(must2(os.ReadFile("testdata/articles.jsonl")), "articles.jsonl", cfg)))
	if sum.Created != 2 || sum.Skipped != 1 || sum.Rejected != 1 {
		t.Errorf("%s", sum)
	}
}

func must2(b []byte, err error) *bytes.Reader {
	if err != nil {
		panic(err)
	}
	return bytes.NewReader(b)
}

func TestHTMLToText(t *testing.T) {
	for in, want := range map[string]string{
		`<p>One <b>two</b></p><p>three&amp;four</p>`: "One two\n\nthree&four",
		`plain words`: "plain words",
		`<div>a<br/>b</div><script>x()</script><img src=x>`: "a\nb",
		`<p>قصف   على<br>دوما</p>`:                          "قصف على\nدوما",
	} {
		if got := text.HTMLToText(in); got != want {
			t.Errorf("HTMLToText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestKind(t *testing.T) {
	for _, tt := range []struct{ file, head, want string }{
		{"a.HTML", "", text.HTML}, {"a.md", "", text.Markdown}, {"a.ndjson", "", text.JSONL}, {"a.txt", "<html>", text.Plain},
		{"a", "  <!DOCTYPE html>", text.HTML}, {"a", `{"url":1}`, text.JSONL}, {"a", "# Title", text.Markdown}, {"a", "Title\nbody", text.Plain},
	} {
		if got := text.Kind(tt.file, []byte(tt.head)); got != tt.want {
			t.Errorf("Kind(%q, %q) = %s, want %s", tt.file, tt.head, got, tt.want)
		}
	}
}
