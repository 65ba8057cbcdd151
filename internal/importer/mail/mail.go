// Package mail takes in e-mail: one message (an .eml file) or a mailbox
// of many (mbox, in its mboxrd form). Each message becomes one report,
// from the public by default (or a monitor, or a party, as the operator
// says), known by its Message-ID, dated by the day it was sent and flagged
// so, its sender as the reporter: the application seals the reporter and
// the message itself, which names them, before storing. Attachments are
// handed on as files, to be stored as evidence and referred to by the
// report.
package mail

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"net/textproto"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/transform"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/evidence"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/importer/text"
	"github.com/truce-monitor/truce/internal/incident"
)

// MaxMessage bounds one message, attachments included.
const MaxMessage = 50 << 20

// SentDay flags a message's report: its Occurred is the day the message
// was sent (its Date header: its publication), not the event's. It is
// every channel's publication-day flag, which the reading step replaces.
const SentDay = text.PublicationDay

// Format is the media type of a message's original record; a message
// that is not UTF-8 text is kept as base64, which "truce-encoding=base64"
// says, so that it is kept byte for byte.
const Format = "message/rfc822; truce-mail"

// Config is what reading needs beyond the file.
type Config struct {
	importer.Config
	// Kind is who the messages come from: incident.FromPublic (the
	// default), FromMonitor or FromParty.
	Kind incident.SourceKind
	// Party is the party whose messages they are, for FromParty.
	Party string
}

// Reader yields one report per message.
type Reader struct {
	file string
	cfg  Config
	br   *bufio.Reader
	mbox bool
	n    int // messages read
	// mbox
	line    int    // lines read
	from    []byte // the separator line of the message to read next
	fromAt  int    // its line
	started bool
	eof     bool
	done    bool // one message: read
}

// NewReader returns a reader of an e-mail file: a mailbox (mbox) when it
// starts with a "From " line, else one message.
func NewReader(r io.Reader, file string, cfg Config) (*Reader, error) {
	switch cfg.Kind {
	case "":
		cfg.Kind = incident.FromPublic
	case incident.FromPublic, incident.FromMonitor:
	case incident.FromParty:
		if cfg.Party == "" {
			return nil, fmt.Errorf("%s: messages of a party need the party's code", file)
		}
	default:
		return nil, fmt.Errorf("%s: %q is not a kind of e-mail sender (public, monitor or party)", file, cfg.Kind)
	}
	if cfg.Kind != incident.FromParty && cfg.Party != "" {
		return nil, fmt.Errorf("%s: a party is given only with the kind party", file)
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	br := bufio.NewReaderSize(r, 1<<16)
	head, _ := br.Peek(5)
	return &Reader{file: file, cfg: cfg, br: br, mbox: string(head) == "From "}, nil
}

// Next implements importer.Source.
func (r *Reader) Next() (importer.Row, bool, error) {
	var raw []byte
	var line int
	var tooBig bool
	if r.mbox {
		var ok bool
		var err error
		raw, line, tooBig, ok, err = r.nextMessage()
		if err != nil || !ok {
			return importer.Row{}, false, err
		}
	} else {
		if r.done {
			return importer.Row{}, false, nil
		}
		r.done = true
		var err error
		raw, err = io.ReadAll(io.LimitReader(r.br, MaxMessage+1))
		if err != nil {
			return importer.Row{}, false, fmt.Errorf("%s: %w", r.file, err)
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			return importer.Row{}, false, fmt.Errorf("%s: file is empty (no message)", r.file)
		}
		line, tooBig = 1, len(raw) > MaxMessage
	}
	r.n++
	// A rejected message is named by its number and line, not by its
	// text: it names a person, and the errors file is not sealed.
	at := importer.RowError{File: r.file, Row: r.n, Line: line}
	if tooBig {
		return importer.Row{Err: importer.Errorf(r.file, r.n, line, "", "", "the message is larger than %d MiB", MaxMessage>>20), At: at}, true, nil
	}
	rep, files, fe := Parse(raw, r.cfg)
	if fe != nil {
		return importer.Row{Err: importer.Errorf(r.file, r.n, line, fe.Field, "", "%s", fe.Reason), At: at}, true, nil
	}
	return importer.Row{Report: rep, Files: files, At: at}, true, nil
}

// nextMessage reads the next message of a mailbox: the lines up to the
// next "From " line, with one ">" taken from lines of ">From ", ">>From "
// (mboxrd quoting) and the blank line that ends a message in a mailbox
// dropped. line is where the message's headers start.
func (r *Reader) nextMessage() (raw []byte, line int, tooBig, ok bool, err error) {
	if !r.started {
		r.started = true
		r.from, err = r.readLine()
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, 0, false, false, fmt.Errorf("%s line %d: %w", r.file, r.line, err)
		}
		r.fromAt = r.line
	}
	if r.eof {
		return nil, 0, false, false, nil
	}
	line = r.fromAt + 1
	var buf bytes.Buffer
	for {
		l, err := r.readLine()
		if len(l) == 0 && errors.Is(err, io.EOF) {
			r.eof = true
			break
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, 0, false, false, fmt.Errorf("%s line %d: %w", r.file, r.line, err)
		}
		if bytes.HasPrefix(l, []byte("From ")) {
			r.from, r.fromAt = l, r.line
			break
		}
		if q := bytes.TrimLeft(l, ">"); len(q) < len(l) && bytes.HasPrefix(q, []byte("From ")) {
			l = l[1:]
		}
		if buf.Len()+len(l) > MaxMessage {
			tooBig = true
		} else {
			buf.Write(l)
		}
		if errors.Is(err, io.EOF) {
			r.eof = true
			break
		}
	}
	raw = buf.Bytes()
	switch {
	case bytes.HasSuffix(raw, []byte("\r\n\r\n")):
		raw = raw[:len(raw)-2]
	case bytes.HasSuffix(raw, []byte("\n\n")):
		raw = raw[:len(raw)-1]
	}
	if len(bytes.TrimSpace(raw)) == 0 && r.eof && r.n == 0 && !tooBig {
		return nil, 0, false, false, fmt.Errorf("%s: the mailbox holds no message", r.file)
	}
	return raw, line, tooBig, true, nil
}

// readLine reads a line with its end; a line longer than a message is
// cut (the message is then too big anyway).
func (r *Reader) readLine() ([]byte, error) {
	var buf []byte
	for {
		chunk, err := r.br.ReadSlice('\n')
		if len(buf) <= MaxMessage {
			buf = append(buf, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if len(buf) > 0 || err == nil {
			r.line++
		}
		return buf, err
	}
}

// Parse reads one message: its report and its attachments. The report
// keeps the message as its Original; its sender is its Reporter.
func Parse(raw []byte, cfg Config) (*incident.Report, []importer.File, *importer.FieldError) {
	bad := func(field, format string, args ...any) (*incident.Report, []importer.File, *importer.FieldError) {
		return nil, nil, &importer.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	if len(raw) > MaxMessage {
		return bad("", "the message is larger than %d MiB", MaxMessage>>20)
	}
	loc := cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return bad("", "is not an e-mail message: %v", err)
	}
	h := m.Header
	if len(h) == 0 {
		return bad("", "is not an e-mail message: it has no headers")
	}
	var flags []string
	dec := &mime.WordDecoder{CharsetReader: charsetReader}
	header := func(name string) string {
		v := h.Get(name)
		if d, err := dec.DecodeHeader(v); err == nil {
			v = d
		}
		if !utf8.ValidString(v) {
			v = strings.ToValidUTF8(v, "\uFFFD")
			flags = append(flags, fmt.Sprintf("header %s is not UTF-8 nor encoded (RFC 2047): undecodable bytes replaced", name))
		}
		return strings.Map(dropControl, strings.TrimSpace(v))
	}
	ds := h.Get("Date")
	if strings.TrimSpace(ds) == "" {
		return bad("Date", "is missing: the day a message was sent is the only date it gives")
	}
	sent, err := netmail.ParseDate(ds)
	if err != nil {
		return bad("Date", "%q is not a date (RFC 5322, such as Mon, 02 Jan 2017 10:00:00 +0200)", strings.ToValidUTF8(ds, "\uFFFD"))
	}
	var reporter *incident.Person
	var address string
	if from := h.Get("From"); strings.TrimSpace(from) != "" {
		p := netmail.AddressParser{WordDecoder: dec}
		if a, err := p.Parse(from); err == nil {
			address = a.Address
			name := strings.Map(dropControl, strings.TrimSpace(a.Name))
			if !utf8.ValidString(name) {
				name = strings.ToValidUTF8(name, "\uFFFD")
			}
			if name == "" {
				name = a.Address
			}
			reporter = &incident.Person{Name: name, Contact: a.Address}
		} else {
			reporter = &incident.Person{Name: header("From")}
			flags = append(flags, "the sender (From) is not an address: kept as written")
		}
	}
	w := &walker{dec: dec}
	if err := w.part(textproto.MIMEHeader(h), m.Body, 0); err != nil {
		return bad("", "%v", err)
	}
	flags = append(flags, w.flags...)
	body := strings.TrimSpace(strings.Join(w.plain, "\n\n"))
	if body == "" && w.html != "" {
		body = text.HTMLToText(w.html)
	}
	body = tidy(body)
	subject := header("Subject")
	desc := subject
	switch {
	case desc == "":
		desc = body
	case body != "":
		desc += "\n\n" + body
	}
	if reporter != nil {
		desc = unname(desc, address, reporter.Name)
	}
	if desc == "" {
		flags = append(flags, "the message has no text")
	}
	id := strings.Map(dropControl, strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>"))
	if id == "" || !utf8.ValidString(id) {
		sum := sha256.Sum256(raw)
		id = "sha256:" + hex.EncodeToString(sum[:])
	}
	original, format := string(raw), Format
	if !utf8.Valid(raw) || bytes.IndexByte(raw, 0) >= 0 {
		original, format = base64.StdEncoding.EncodeToString(raw), Format+"; truce-encoding=base64"
	}
	s := sent.In(loc)
	rep := &incident.Report{
		Source:         "mail",
		SourceID:       id,
		Kind:           cfg.Kind,
		Party:          cfg.Party,
		ReportedAt:     sent,
		Occurred:       incident.Day(s.Year(), s.Month(), s.Day(), loc),
		Place:          incident.Place{Precision: incident.PlaceUnknown},
		Act:            act.Unknown,
		Description:    desc,
		Reporter:       reporter,
		Language:       importer.Language(h.Get("Content-Language")),
		Flags:          append([]string{SentDay}, flags...),
		Original:       original,
		OriginalFormat: format,
	}
	if rep.Occurred.Outside(cfg.From, cfg.To) {
		return nil, nil, nil
	}
	return rep, w.files, nil
}

// unname writes "[sender]" for the sender's address in a message's words,
// and for their name when it has two words or more (a single word, a
// given name, may as well be a victim's): the sender is sealed, and their
// words are kept in clear.
func unname(desc, address, name string) string {
	for _, s := range []string{address, name} {
		if s == "" || s != address && len(strings.Fields(s)) < 2 {
			continue
		}
		words := strings.Fields(s)
		for i, w := range words {
			words[i] = regexp.QuoteMeta(w)
		}
		desc = regexp.MustCompile(`(?i)`+strings.Join(words, `\s+`)).ReplaceAllString(desc, "[sender]")
	}
	return desc
}

// walker reads the parts of a message: its text, its HTML (used when it
// has no text) and its attachments.
type walker struct {
	dec   *mime.WordDecoder
	plain []string
	html  string
	files []importer.File
	flags []string
	parts int
}

const (
	maxDepth = 16
	maxParts = 1000
)

func (w *walker) part(h textproto.MIMEHeader, body io.Reader, depth int) error {
	w.parts++
	if depth > maxDepth || w.parts > maxParts {
		return fmt.Errorf("the message nests more than %d MIME parts deep or holds more than %d", maxDepth, maxParts)
	}
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if h.Get("Content-Type") == "" {
		mt, params, err = "text/plain", map[string]string{}, nil
	}
	if err != nil && mt == "" {
		w.flags = append(w.flags, fmt.Sprintf("a part's Content-Type %q is not read: the part is taken as a file", strings.ToValidUTF8(h.Get("Content-Type"), "\uFFFD")))
		mt = "application/octet-stream"
	}
	disp, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	if d, err := w.dec.DecodeHeader(name); err == nil {
		name = d
	}
	name = strings.Map(dropControl, strings.ToValidUTF8(strings.TrimSpace(name), "\uFFFD"))
	if strings.HasPrefix(mt, "multipart/") {
		boundary := params["boundary"]
		if boundary == "" {
			return fmt.Errorf("a %s part has no boundary", mt)
		}
		mr := multipart.NewReader(body, boundary)
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("MIME part %d of %s: %v", w.parts, mt, err)
			}
			if err := w.part(p.Header, p, depth+1); err != nil {
				return err
			}
		}
	}
	data := decode(body, strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))))
	isText := (mt == "text/plain" || mt == "text/html") && disp != "attachment"
	if !isText {
		if name == "" {
			name = fmt.Sprintf("attachment-%d", len(w.files)+1)
			if mt == "message/rfc822" {
				name += ".eml"
			}
		}
		b, err := io.ReadAll(io.LimitReader(data, evidence.MaxSize+1))
		switch {
		case err != nil:
			w.flags = append(w.flags, fmt.Sprintf("attachment %s not kept: %v", name, err))
		case len(b) > evidence.MaxSize:
			w.flags = append(w.flags, fmt.Sprintf("attachment %s not kept: larger than %d MiB", name, evidence.MaxSize>>20))
		case len(b) == 0:
			w.flags = append(w.flags, fmt.Sprintf("attachment %s not kept: it is empty", name))
		default:
			w.files = append(w.files, importer.File{Name: name, Data: b})
		}
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(data, MaxMessage))
	if err != nil {
		w.flags = append(w.flags, fmt.Sprintf("a %s part is not read: %v", mt, err))
		return nil
	}
	s, ok := decodeCharset(b, params["charset"])
	if !ok {
		w.flags = append(w.flags, fmt.Sprintf("a %s part in charset %q is not read: truce does not know it (the message is kept whole)", mt, params["charset"]))
		return nil
	}
	if !utf8.Valid(b) && strings.ToLower(params["charset"]) == "" {
		w.flags = append(w.flags, fmt.Sprintf("a %s part declares no charset and is not UTF-8: undecodable bytes replaced", mt))
	}
	if mt == "text/html" {
		if w.html == "" {
			w.html = s
		}
		return nil
	}
	w.plain = append(w.plain, s)
	return nil
}

// decode undoes a part's transfer encoding.
func decode(r io.Reader, cte string) io.Reader {
	switch cte {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &noSpace{r: r})
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}

// noSpace drops the white space some mailers leave in base64 lines
// (base64.NewDecoder drops only CR and LF).
type noSpace struct{ r io.Reader }

func (n *noSpace) Read(p []byte) (int, error) {
	for {
		k, err := n.r.Read(p)
		j := 0
		for _, c := range p[:k] {
			if c != ' ' && c != '\t' {
				p[j] = c
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}

// decodeCharset reads text in its charset, as UTF-8; ok is false for a
// charset truce does not know. A part that declares none, or US-ASCII or
// UTF-8, and is not UTF-8 has its bad bytes replaced.
func decodeCharset(b []byte, cs string) (string, bool) {
	cs = strings.ToLower(strings.TrimSpace(cs))
	switch cs {
	case "", "us-ascii", "ascii", "utf-8", "utf8":
		return strings.ToValidUTF8(string(b), "\uFFFD"), true
	}
	e, err := htmlindex.Get(cs)
	if err != nil {
		return "", false
	}
	out, _, err := transform.Bytes(e.NewDecoder(), b)
	if err != nil {
		return "", false
	}
	return strings.ToValidUTF8(string(out), "\uFFFD"), true
}

// charsetReader reads encoded words (RFC 2047) in the charsets truce
// knows: every charset of the WHATWG encoding standard (UTF-8,
// ISO-8859-1..16, windows-1250..1258, KOI8, GB18030, Shift_JIS...).
func charsetReader(cs string, r io.Reader) (io.Reader, error) {
	e, err := htmlindex.Get(strings.ToLower(strings.TrimSpace(cs)))
	if err != nil {
		return nil, fmt.Errorf("unknown charset %q", cs)
	}
	return transform.NewReader(r, e.NewDecoder()), nil
}

// dropControl drops control characters (a NUL, an escape) but line
// breaks and tabs.
func dropControl(r rune) rune {
	if unicode.IsControl(r) && r != '\n' && r != '\t' {
		return -1
	}
	return r
}

// tidy writes a message's text with LF line ends, no space at line ends,
// no control characters and at most one blank line in a row.
func tidy(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		if r == '\r' {
			return '\n'
		}
		return dropControl(r)
	}, s)
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := false
	for _, l := range lines {
		l = strings.TrimRightFunc(l, unicode.IsSpace)
		if l == "" {
			blank = len(out) > 0
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}
