// Package telegram takes in the history of a Telegram channel or chat as
// Telegram Desktop exports it ("Export chat history", format JSON: the
// file result.json beside its photos/ and files/ folders). Each message
// with text becomes one report: news from a channel, a public report from
// the member of a group (whose name the application seals). Its photo and
// file, when the export holds them, are handed on as files, to be stored
// as evidence and referred to by the report.
package telegram

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/evidence"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/importer/text"
	"github.com/truce-monitor/truce/internal/incident"
)

// PostedDay flags a message's report: its Occurred is the day the message
// was posted (its publication), not the event's. It is every channel's
// publication-day flag, which the reading step replaces.
const PostedDay = text.PublicationDay

// Format is the media type of a message's original record: the message's
// JSON object as the export holds it.
const Format = "application/json; truce-telegram"

// MaxMessage bounds one message of the export.
const MaxMessage = 64 << 20

// Config is what reading needs beyond the file.
type Config struct {
	importer.Config
	// Folder is the export's folder, which the messages' photos and
	// files are named relative to; "" reads no file.
	Folder string
}

// Reader yields one report per message with text.
type Reader struct {
	file  string
	cfg   Config
	in    *counter
	dec   *json.Decoder
	name  string
	kind  string // the chat's type
	n     int    // messages read
	done  bool
	notes map[string]int
}

// Channel types: a channel's posts are news; any other chat's messages
// are the words of its members.
func channel(kind string) bool {
	return kind == "public_channel" || kind == "private_channel" || kind == "channel"
}

// NewReader reads the export's header (the chat's name and type) up to
// its messages.
func NewReader(r io.Reader, file string, cfg Config) (*Reader, error) {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	in := &counter{r: r, limit: MaxMessage}
	dec := json.NewDecoder(in)
	dec.UseNumber()
	rd := &Reader{file: file, cfg: cfg, in: in, dec: dec, notes: map[string]int{}}
	fail := func(format string, args ...any) (*Reader, error) {
		return nil, fmt.Errorf("%s: %s", file, fmt.Sprintf(format, args...))
	}
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return fail("file is empty (no messages)")
	}
	if err != nil || tok != json.Delim('{') {
		return fail("is not a Telegram export (result.json): it does not start with a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fail("is not JSON: %v", err)
		}
		key, _ := tok.(string)
		switch key {
		case "name", "type":
			var s *string
			if err := dec.Decode(&s); err != nil {
				return fail("%s: must be a string", key)
			}
			if s != nil && key == "name" {
				rd.name = strings.TrimSpace(*s)
			} else if s != nil {
				rd.kind = *s
			}
		case "messages":
			if rd.kind == "" {
				return fail("holds messages before the chat's type: not an export of Telegram Desktop")
			}
			if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
				return fail("messages: must be a list")
			}
			if rd.name == "" {
				rd.name = "chat"
			}
			if !utf8.ValidString(rd.name) || strings.ContainsRune(rd.name, 0) {
				return fail("name: is not UTF-8 text")
			}
			in.reset()
			return rd, nil
		case "chats", "personal_information", "contacts", "about":
			return fail("is an export of a whole account: export the history of one channel or chat (Export chat history, format JSON)")
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fail("is not JSON: %v", err)
			}
		}
	}
	return fail("holds no messages: not the result.json of an exported chat history")
}

// message is what truce reads of an exported message.
type message struct {
	ID            json.Number     `json:"id"`
	Type          string          `json:"type"`
	Date          string          `json:"date"`
	DateUnix      string          `json:"date_unixtime"`
	From          *string         `json:"from"`
	FromID        string          `json:"from_id"`
	ForwardedFrom *string         `json:"forwarded_from"`
	Text          json.RawMessage `json:"text"`
	Photo         string          `json:"photo"`
	File          string          `json:"file"`
}

// entity is a piece of formatted text.
type entity struct {
	Type string `json:"type"`
	Text string `json:"text"`
	Href string `json:"href"`
}

// Next implements importer.Source.
func (r *Reader) Next() (importer.Row, bool, error) {
	for {
		if r.done || !r.dec.More() {
			r.done = true
			return importer.Row{}, false, nil
		}
		r.in.reset()
		var raw json.RawMessage
		if err := r.dec.Decode(&raw); err != nil {
			return importer.Row{}, false, fmt.Errorf("%s: message %d (line %d): %v", r.file, r.n+1, r.in.lineAt(r.dec.InputOffset()), err)
		}
		r.n++
		line := r.in.lineAt(r.dec.InputOffset() - int64(len(raw)))
		at := importer.RowError{File: r.file, Row: r.n, Line: line, Original: string(raw)}
		rep, files, skip, fe := r.parse(raw)
		switch {
		case fe != nil:
			return importer.Row{Err: importer.Errorf(r.file, r.n, line, fe.Field, string(raw), "%s", fe.Reason), At: at}, true, nil
		case skip != "":
			r.notes[skip]++
			continue
		}
		return importer.Row{Report: rep, Files: files, At: at}, true, nil
	}
}

// Notes implements importer.Noter: the messages skipped.
func (r *Reader) Notes() []string {
	var out []string
	for _, k := range []string{"service messages (joins, pins, title changes)", "messages without text", "messages of other types"} {
		if n := r.notes[k]; n > 0 {
			out = append(out, fmt.Sprintf("%d %s skipped", n, k))
		}
	}
	return out
}

func (r *Reader) parse(raw []byte) (*incident.Report, []importer.File, string, *importer.FieldError) {
	bad := func(field, format string, args ...any) (*incident.Report, []importer.File, string, *importer.FieldError) {
		return nil, nil, "", &importer.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	if i := importer.FirstInvalidUTF8(raw); i >= 0 {
		return bad(importer.JSONField(raw, i), "is not UTF-8 text (byte %d)", i+1)
	}
	var m message
	if err := json.Unmarshal(raw, &m); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return bad(te.Field, "is not a %s", te.Type)
		}
		return bad("", "is not a message: %v", err)
	}
	switch m.Type {
	case "service":
		return nil, nil, "service messages (joins, pins, title changes)", nil
	case "message":
	default:
		return nil, nil, "messages of other types", nil
	}
	words, links, err := flatten(m.Text)
	if err != nil {
		return bad("text", "%v", err)
	}
	if strings.TrimSpace(words) == "" {
		return nil, nil, "messages without text", nil
	}
	if _, err := strconv.ParseInt(m.ID.String(), 10, 64); err != nil {
		return bad("id", "%q is not a message number", m.ID.String())
	}
	loc := r.cfg.Location
	var posted time.Time
	switch {
	case m.DateUnix != "":
		sec, err := strconv.ParseInt(m.DateUnix, 10, 64)
		if err != nil {
			return bad("date_unixtime", "%q is not a Unix time", m.DateUnix)
		}
		posted = time.Unix(sec, 0).UTC()
	case m.Date != "":
		// Older exports give the local time of the exporting computer
		// only: read in the zone of the import.
		t, err := time.ParseInLocation("2006-01-02T15:04:05", m.Date, loc)
		if err != nil {
			return bad("date", "%q is not a time (want 2017-01-02T10:00:00)", m.Date)
		}
		posted = t
	default:
		return bad("date_unixtime", "is missing: the day a message was posted is the only date it gives")
	}
	if posted.Year() < 1900 || posted.Year() > 9999 {
		return bad("date_unixtime", "%s is not a plausible time of a post", m.DateUnix)
	}
	p := posted.In(loc)
	rep := &incident.Report{
		Source:         "telegram:" + r.name,
		SourceID:       m.ID.String(),
		Kind:           incident.FromNews,
		ReportedAt:     posted,
		Occurred:       incident.Day(p.Year(), p.Month(), p.Day(), loc),
		Place:          incident.Place{Precision: incident.PlaceUnknown},
		Act:            act.Unknown,
		Description:    words,
		Citations:      links,
		Flags:          []string{PostedDay},
		Original:       string(raw),
		OriginalFormat: Format,
	}
	if channel(r.kind) {
		rep.Outlet = r.name
	} else {
		// A member of a group or a person: their words are a public
		// report, and who they are is theirs to keep (sealed).
		rep.Kind = incident.FromPublic
		name := ""
		if m.From != nil {
			name = strings.TrimSpace(*m.From)
		}
		if name == "" {
			name = "(deleted account)"
		}
		rep.Reporter = &incident.Person{Name: name}
		if m.FromID != "" {
			rep.Reporter.Contact = "telegram:" + m.FromID
		}
	}
	if m.ForwardedFrom != nil {
		rep.Flags = append(rep.Flags, fmt.Sprintf("forwarded from %q: the words are not the sender's own", strings.TrimSpace(*m.ForwardedFrom)))
	}
	if rep.Occurred.Outside(r.cfg.From, r.cfg.To) {
		return nil, nil, "", nil
	}
	var files []importer.File
	for _, f := range []struct{ what, name string }{{"photo", m.Photo}, {"file", m.File}} {
		if f.name == "" {
			continue
		}
		file, why := r.readFile(f.name)
		if why != "" {
			rep.Flags = append(rep.Flags, fmt.Sprintf("%s %s not kept: %s", f.what, clean(f.name), why))
			continue
		}
		files = append(files, file)
	}
	return rep, files, "", nil
}

// readFile reads a file the export names, relative to its folder, or
// says why not.
func (r *Reader) readFile(name string) (importer.File, string) {
	if strings.HasPrefix(name, "(") {
		// "(File not included. Change data exporting settings to download.)"
		return importer.File{}, "not in the export (" + strings.Trim(clean(name), "()") + ")"
	}
	rel := path.Clean(filepath.ToSlash(name))
	if !filepath.IsLocal(filepath.FromSlash(rel)) {
		return importer.File{}, "it lies outside the export's folder"
	}
	if r.cfg.Folder == "" {
		return importer.File{}, "the export's folder is not known"
	}
	full := filepath.Join(r.cfg.Folder, filepath.FromSlash(rel))
	st, err := os.Lstat(full)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return importer.File{}, "not in the export's folder"
	case err != nil:
		return importer.File{}, err.Error()
	case !st.Mode().IsRegular():
		return importer.File{}, "not a regular file"
	case st.Size() > evidence.MaxSize:
		return importer.File{}, fmt.Sprintf("larger than %d MiB", evidence.MaxSize>>20)
	case st.Size() == 0:
		return importer.File{}, "it is empty"
	}
	data, err := os.ReadFile(full)
	if err != nil {
		return importer.File{}, err.Error()
	}
	return importer.File{Name: clean(rel), Data: data}, ""
}

// clean is a name as text a report may hold.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// flatten reads a message's text: a string, or a list of strings and
// formatted pieces ({type, text}), as Telegram writes text with links or
// bold words. It returns the words and the links they hold.
func flatten(raw json.RawMessage) (string, []string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil, nil
	}
	var s string
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", nil, err
		}
		return tidy(s), nil, nil
	}
	var parts []json.RawMessage
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", nil, fmt.Errorf("is neither text nor a list of pieces of text")
	}
	var b strings.Builder
	var links []string
	for i, p := range parts {
		p = bytes.TrimSpace(p)
		if len(p) > 0 && p[0] == '"' {
			if err := json.Unmarshal(p, &s); err != nil {
				return "", nil, err
			}
			b.WriteString(s)
			continue
		}
		var e entity
		if err := json.Unmarshal(p, &e); err != nil {
			return "", nil, fmt.Errorf("piece %d is neither text nor {type, text}", i)
		}
		b.WriteString(e.Text)
		switch {
		case e.Type == "text_link" && e.Href != "":
			links = append(links, e.Href)
		case e.Type == "link":
			links = append(links, e.Text)
		}
	}
	return tidy(b.String()), links, nil
}

// tidy drops control characters but line breaks and tabs, and space at
// either end.
func tidy(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return -1
		}
		return r
	}, s))
}

// counter counts the lines of what the decoder reads, so that a message
// can be named by its line, and bounds the bytes read for one message.
type counter struct {
	r        io.Reader
	off      int64   // bytes read
	newlines []int64 // offsets of the newlines read and not yet counted
	line     int     // lines before newlines[0]
	limit    int64
	since    int64 // bytes read since reset
}

func (c *counter) Read(p []byte) (int, error) {
	if c.since > c.limit {
		return 0, fmt.Errorf("a message larger than %d MiB", c.limit>>20)
	}
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\n' {
			c.newlines = append(c.newlines, c.off+int64(i))
		}
	}
	c.off += int64(n)
	c.since += int64(n)
	return n, err
}

func (c *counter) reset() { c.since = 0 }

// lineAt is the line of byte off; calls must not go back.
func (c *counter) lineAt(off int64) int {
	i := 0
	for i < len(c.newlines) && c.newlines[i] < off {
		i++
	}
	c.line += i
	c.newlines = c.newlines[i:]
	return c.line + 1
}
