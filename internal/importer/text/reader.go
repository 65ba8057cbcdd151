package text

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/incident"
)

// MaxArticle bounds an article file, and a line of JSON lines.
const MaxArticle = 16 << 20

// Kinds of article files.
const (
	HTML     = "html"
	Markdown = "markdown"
	Plain    = "plain"
	JSONL    = "jsonl"
)

// Media types of the original records. A record that is not UTF-8 (an
// HTML page in the charset it declares) is kept as base64, which
// "truce-encoding=base64" says, so that it is kept byte for byte.
const (
	FormatHTML     = "text/html; truce-article"
	FormatMarkdown = "text/markdown; charset=utf-8; truce-article"
	FormatPlain    = "text/plain; charset=utf-8; truce-article"
	FormatJSONL    = "application/jsonl; truce-article"
)

// Kind tells an article file's kind by its name (.html, .htm, .xhtml; .md,
// .markdown; .jsonl, .ndjson, .json; .txt), else by its first bytes.
func Kind(file string, head []byte) string {
	switch strings.ToLower(filepath.Ext(file)) {
	case ".html", ".htm", ".xhtml", ".shtml":
		return HTML
	case ".md", ".markdown", ".mdown", ".mkd":
		return Markdown
	case ".jsonl", ".ndjson", ".json":
		return JSONL
	case ".txt", ".text":
		return Plain
	}
	h := bytes.ToLower(bytes.TrimLeft(head, " \t\r\n"))
	switch {
	case bytes.HasPrefix(h, []byte("{")):
		return JSONL
	case bytes.HasPrefix(h, []byte("<!doctype html")), bytes.HasPrefix(h, []byte("<html")), bytes.HasPrefix(h, []byte("<head")),
		bytes.HasPrefix(h, []byte("<body")), bytes.HasPrefix(h, []byte("<article")), bytes.HasPrefix(h, []byte("<!--")):
		return HTML
	case bytes.HasPrefix(h, []byte("#")), bytes.HasPrefix(h, []byte("---\n")), bytes.HasPrefix(h, []byte("---\r\n")):
		return Markdown
	}
	return Plain
}

// Reader yields the report of one article file, or one per line of JSON
// lines of articles.
type Reader struct {
	file string
	cfg  Config
	kind string
	br   *bufio.Reader
	// one article
	done bool
	// JSON lines
	line int
	seen bool
}

// NewReader returns a reader of an article file, of the kind its name
// or, failing that, its first bytes say.
func NewReader(r io.Reader, file string, cfg Config) (*Reader, error) {
	br := importer.SkipBOM(r, 1<<16)
	head, _ := br.Peek(512)
	return &Reader{file: file, cfg: cfg, kind: Kind(file, head), br: br}, nil
}

// NewReaderKind is NewReader of a file of the given kind, whatever its
// name.
func NewReaderKind(r io.Reader, file, kind string, cfg Config) (*Reader, error) {
	switch kind {
	case HTML, Markdown, Plain, JSONL:
	default:
		return nil, fmt.Errorf("%s: unknown kind of article file %q (html, markdown, plain or jsonl)", file, kind)
	}
	return &Reader{file: file, cfg: cfg, kind: kind, br: importer.SkipBOM(r, 1<<16)}, nil
}

// Next implements importer.Source.
func (r *Reader) Next() (importer.Row, bool, error) {
	if r.kind == JSONL {
		return r.nextLine()
	}
	if r.done {
		return importer.Row{}, false, nil
	}
	r.done = true
	data, err := io.ReadAll(io.LimitReader(r.br, MaxArticle+1))
	if err != nil {
		return importer.Row{}, false, fmt.Errorf("%s: %w", r.file, err)
	}
	if len(data) > MaxArticle {
		return importer.Row{}, false, fmt.Errorf("%s: larger than %d MiB: not one article", r.file, MaxArticle>>20)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return importer.Row{}, false, fmt.Errorf("%s: file is empty (no article)", r.file)
	}
	a, fe := ReadFile(data, r.kind, r.cfg)
	at := importer.RowError{File: r.file, Row: 1, Line: 1, Original: a.Original}
	if fe == nil {
		var rep *incident.Report
		if rep, fe = Report(a, r.cfg); fe == nil {
			return importer.Row{Report: rep, At: at}, true, nil
		}
	}
	return importer.Row{Err: importer.Errorf(r.file, 1, 1, fe.Field, a.Original, "%s", fe.Reason), At: at}, true, nil
}

// ReadFile reads one article file of a kind (HTML, Markdown or Plain).
// The article's Original is the file; a refusal names what is wrong.
func ReadFile(data []byte, kind string, cfg Config) (Article, *importer.FieldError) {
	a := Article{Original: string(data)}
	bad := func(field, format string, args ...any) (Article, *importer.FieldError) {
		return a, &importer.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	var date, dateField string
	switch kind {
	case HTML:
		a.OriginalFormat = FormatHTML
		doc, cs, err := decodeHTML(data)
		if err != nil {
			a.Original = ""
			return bad("", "%v", err)
		}
		if cs != "utf-8" {
			a.Original = base64.StdEncoding.EncodeToString(data)
			a.OriginalFormat = "text/html; charset=" + cs + "; truce-article; truce-encoding=base64"
		}
		p, err := readHTML(doc)
		if err != nil {
			return bad("", "%v", err)
		}
		a.Title = p.title
		if a.Title == "" {
			a.Title = p.ogTitle
		}
		if a.Title == "" {
			a.Title = p.h1
		}
		a.Body = p.body
		// The page's heading repeats its title: the description says it
		// once.
		if t, rest, ok := strings.Cut(a.Body, "\n"); ok && a.Title != "" && Normalise(t) == a.Title {
			a.Body = strings.TrimSpace(rest)
		}
		for _, u := range []string{p.canonical, p.ogURL} {
			if u = strings.TrimSpace(u); u != "" && checkURL(u) == "" {
				a.URL = u
				break
			}
		}
		a.Language = language(p.lang)
		date, dateField = p.published, "published"
		if date == "" {
			return bad("published", "the page states no publication time (<meta property=\"article:published_time\">, JSON-LD datePublished or <time datetime>)")
		}
	case Markdown, Plain:
		a.OriginalFormat = FormatMarkdown
		if kind == Plain {
			a.OriginalFormat = FormatPlain
		}
		if i := importer.FirstInvalidUTF8(data); i >= 0 {
			a.Original = ""
			return bad("", "is not UTF-8 text (byte %d); convert the file to UTF-8", i+1)
		}
		fields, rest, _ := frontMatter(string(data))
		if kind == Markdown {
			a.Title, a.Body = markdown(rest)
		} else {
			a.Title, a.Body = plain(rest)
		}
		if t := first(fields, "title"); t != "" {
			if a.Title != "" && a.Title != t {
				a.Body = strings.TrimSpace(a.Title + "\n\n" + a.Body)
			}
			a.Title = t
		}
		if u := first(fields, "url", "link", "canonical"); u != "" {
			a.URL = u
		}
		if l := first(fields, "lang", "language"); l != "" {
			a.Language = language(l)
			if a.Language == "" {
				a.Language = l
			}
		}
		date, dateField = first(fields, "date", "published", "publishdate", "pubdate"), "date"
		if date == "" {
			return bad("date", "is missing: start the file with a front matter giving its publication date (---, date: 2017-01-02, ---; see docs/formats.md, Articles)")
		}
	default:
		return bad("", "unknown kind of article file %q", kind)
	}
	t, err := ParseTime(date, cfg.Location)
	if err != nil {
		return bad(dateField, "%v", err)
	}
	a.Published = t
	return a, nil
}

// jsonArticle is an article as a line of JSON lines.
type jsonArticle struct {
	URL       string `json:"url"`
	Published string `json:"published"`
	Language  string `json:"language"`
	Title     string `json:"title"`
	Body      string `json:"body"`
}

func (r *Reader) nextLine() (importer.Row, bool, error) {
	for {
		raw, err := r.readLine()
		if errors.Is(err, io.EOF) && len(raw) == 0 {
			if !r.seen {
				return importer.Row{}, false, fmt.Errorf("%s: file is empty (no articles)", r.file)
			}
			return importer.Row{}, false, nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return importer.Row{}, false, fmt.Errorf("%s line %d: %w", r.file, r.line, err)
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		r.seen = true
		at := importer.RowError{File: r.file, Row: r.line, Line: r.line, Original: string(raw)}
		a, fe := ParseLine(raw, r.cfg)
		var rep *incident.Report
		if fe == nil {
			rep, fe = Report(a, r.cfg)
		}
		if fe != nil {
			return importer.Row{Err: importer.Errorf(r.file, r.line, r.line, fe.Field, string(raw), "%s", fe.Reason), At: at}, true, nil
		}
		return importer.Row{Report: rep, At: at}, true, nil
	}
}

func (r *Reader) readLine() ([]byte, error) {
	r.line++
	return importer.ReadLine(r.br, MaxArticle)
}

// ParseLine reads one article of JSON lines: {url, published, language,
// title, body}, no other field.
func ParseLine(raw []byte, cfg Config) (Article, *importer.FieldError) {
	bad := func(field, format string, args ...any) (Article, *importer.FieldError) {
		return Article{}, &importer.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	if i := importer.FirstInvalidUTF8(raw); i >= 0 {
		return bad(importer.JSONField(raw, i), "is not UTF-8 text (byte %d); convert the file to UTF-8", i+1)
	}
	var j jsonArticle
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return bad(te.Field, "must be a string")
		}
		if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
			return bad(strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`), "is not an article field (url, published, language, title, body)")
		}
		return bad("", "is not a JSON object: %v", err)
	}
	if dec.More() {
		return bad("", "holds more than one JSON value; put one article on each line")
	}
	if strings.TrimSpace(j.Published) == "" {
		return bad("published", "is missing: an article is dated by its publication")
	}
	t, err := ParseTime(j.Published, cfg.Location)
	if err != nil {
		return bad("published", "%v", err)
	}
	lang := language(j.Language)
	if lang == "" {
		lang = strings.TrimSpace(j.Language)
	}
	if !utf8.ValidString(j.Body) {
		return bad("body", "is not UTF-8 text")
	}
	return Article{URL: j.URL, Published: t, Language: lang, Title: j.Title, Body: j.Body, Original: string(raw), OriginalFormat: FormatJSONL}, nil
}
