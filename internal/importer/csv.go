package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/truce-monitor/truce/internal/incident"
)

// CSV reads a CSV file record by record and also hands back each record's
// raw text, so that the original row can be kept verbatim.
type CSV struct {
	file   string
	rec    *recorder
	r      *csv.Reader
	Header []string
	index  map[string]int
	row    int

	rawHeader string
	comma     rune
}

// recorder keeps the bytes the csv.Reader has pulled but not yet handed
// out as a record.
type recorder struct {
	src  io.Reader
	buf  bytes.Buffer
	base int64 // input offset of buf's first byte
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.src.Read(p)
	r.buf.Write(p[:n])
	return n, err
}

// NewCSV reads the header of a comma-separated file. file names it in
// messages.
func NewCSV(rd io.Reader, file string) (*CSV, error) { return NewCSVDelimited(rd, file, ',') }

// NewCSVDelimited reads the header of a file whose fields are separated by
// comma.
func NewCSVDelimited(rd io.Reader, file string, comma rune) (*CSV, error) {
	rec := &recorder{src: lineEnds(SkipBOM(rd, 64<<10))}
	r := csv.NewReader(rec)
	r.Comma = comma
	c := &CSV{file: file, rec: rec, r: r, row: 1, comma: comma}
	r.ReuseRecord = false
	// Rows with the wrong number of fields are reported per row, not as a
	// failure of the file.
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: file is empty (no header row)", file)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w%s", file, err, delimiterHint(rec.buf.String(), comma))
	}
	if !utf8.ValidString(strings.Join(header, "")) {
		return nil, fmt.Errorf("%s: header is not UTF-8 text; convert the file to UTF-8", file)
	}
	// The header is kept with every report (its original format), so a
	// NUL there would reject every row one by one.
	if strings.Contains(strings.Join(header, ""), "\x00") {
		return nil, fmt.Errorf("%s: header holds NUL bytes (0x00): is the file UTF-16? convert it to UTF-8", file)
	}
	c.Header = header
	c.index = make(map[string]int, len(header))
	for i, h := range header {
		c.index[strings.TrimSpace(h)] = i
	}
	c.rawHeader = strings.TrimRight(c.take(), "\r\n")
	return c, nil
}

// SkipBOM returns a reader of r, buffered by size bytes, that drops a
// leading UTF-8 byte order mark: spreadsheet and Windows tools write one,
// and a BOM before a quoted first field or a JSON value breaks its parser
// with a message that points nowhere near the cause.
func SkipBOM(r io.Reader, size int) *bufio.Reader {
	br := bufio.NewReaderSize(r, size)
	if b, err := br.Peek(3); err == nil && string(b) == "\uFEFF" {
		br.Discard(3)
	}
	return br
}

// lineEnds reads a file whose lines end in CR alone (classic Mac OS, and
// some spreadsheet exports on macOS today) as if they ended in LF, which
// is all encoding/csv knows; read as is, such a file is one long header
// and no rows. A file is taken for one when its first buffer holds a CR
// and no LF; any other file is read unchanged, byte for byte.
func lineEnds(br *bufio.Reader) io.Reader {
	head, _ := br.Peek(br.Size())
	if bytes.IndexByte(head, '\n') >= 0 || bytes.IndexByte(head, '\r') < 0 {
		return br
	}
	return crReader{br}
}

// crReader replaces every CR with LF, byte for byte, so that input offsets
// stay those of the file.
type crReader struct{ r io.Reader }

func (c crReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}

// take returns the raw bytes of the record just read.
func (c *CSV) take() string {
	off := c.r.InputOffset()
	n := int(off - c.rec.base)
	raw := string(c.rec.buf.Next(n))
	c.rec.base = off
	return raw
}

// Require checks that every named column is present.
func (c *CSV) Require(cols ...string) error {
	var missing []string
	for _, col := range cols {
		if _, ok := c.index[col]; !ok {
			missing = append(missing, col)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s: missing column(s) %s%s", c.file, strings.Join(missing, ", "), c.DelimiterHint())
	}
	return nil
}

// DelimiterHint explains a header read as a single column by the likely
// cause, a file delimited otherwise; "" if the header looks fine.
func (c *CSV) DelimiterHint() string {
	if len(c.Header) != 1 {
		return ""
	}
	return delimiterHint(c.Header[0], c.comma)
}

// delimiterHint suggests the likely cause when a header reads badly: a
// file delimited by semicolons or tabs, as spreadsheets often save.
func delimiterHint(header string, comma rune) string {
	first, _, _ := strings.Cut(header, "\n")
	names := map[rune]string{',': "','", ';': "';'", '\t': "tabs", '|': "'|'"}
	own := strings.Count(first, string(comma))
	for _, d := range []rune{',', ';', '\t', '|'} {
		if d != comma && strings.Count(first, string(d)) > own {
			return fmt.Sprintf(" (the file seems delimited by %s; truce reads %s)", names[d], names[comma])
		}
	}
	return ""
}

// Has reports whether the header names col.
func (c *CSV) Has(col string) bool {
	_, ok := c.index[col]
	return ok
}

// Record is one data row.
type Record struct {
	Row    int // 2 for the first data row
	Line   int
	Fields []string
	Raw    string
	index  map[string]int
}

// Get returns the field in column col, trimmed; "" if absent.
func (r *Record) Get(col string) string {
	i, ok := r.index[col]
	if !ok || i >= len(r.Fields) {
		return ""
	}
	return strings.TrimSpace(r.Fields[i])
}

// Next reads the next record. A record that cannot be parsed is returned
// as a RowError, and reading goes on with the next one.
func (c *CSV) Next() (*Record, *RowError, error) {
	fields, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, io.EOF
	}
	c.row++
	raw := c.take()
	line := 0
	if err == nil {
		line, _ = c.r.FieldPos(0)
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return nil, Errorf(c.file, c.row, pe.StartLine, "", raw, "malformed CSV: %v", pe.Err), nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s row %d: %w", c.file, c.row, err)
	}
	rec := &Record{Row: c.row, Line: line, Fields: fields, Raw: strings.TrimRight(raw, "\r\n"), index: c.index}
	if len(fields) != len(c.Header) {
		return nil, Errorf(c.file, c.row, line, "", raw, "has %d fields, the header has %d", len(fields), len(c.Header)), nil
	}
	// Checked here, where the column can be named, before Check sees the
	// report the row becomes.
	for i, f := range fields {
		if !utf8.ValidString(f) {
			return nil, Errorf(c.file, c.row, line, c.Header[i], raw, "is not UTF-8 text; convert the file to UTF-8"), nil
		}
		if j := strings.IndexByte(f, 0); j >= 0 {
			return nil, Errorf(c.file, c.row, line, c.Header[i], raw, "holds a NUL byte (0x00) at byte %d; no text field may", j), nil
		}
	}
	return rec, nil, nil
}

// HeaderLine is the header as it stood in the file.
func (c *CSV) HeaderLine() string { return c.rawHeader }

// Rows makes a Source of a CSV file whose records convert to reports one
// by one; convert returns a nil report and nil error for a record skipped
// on purpose. columns names the file's column for report fields (see
// Row.Columns).
func Rows(c *CSV, columns map[string]string, convert func(*Record) (*incident.Report, *RowError)) Source {
	return &csvRows{c: c, columns: columns, convert: convert}
}

type csvRows struct {
	c       *CSV
	columns map[string]string
	convert func(*Record) (*incident.Report, *RowError)
	skip    *skipStored
}

// skipStored is what KeyedRows adds: records read ahead, a run at a time,
// with which of them are stored unchanged.
type skipStored struct {
	source, idCol, format string
	stored                Stored
	ahead                 []readAhead
	err                   error // after ahead: the end of the file (io.EOF) or a failure
}

type readAhead struct {
	rec       *Record
	rowErr    *RowError
	unchanged bool
}

// readAheadRows is how many records one look-up covers.
const readAheadRows = 500

// KeyedRows is Rows for a format whose records are each one report of
// source, with its id in column idCol and its original the record as it
// stands in the file, in format. When stored is set, each run of records
// is looked up before it is converted, and a record stored with the same
// original and format comes back as an unchanged row, not read again:
// the daily sync of a dataset reads only what changed.
func KeyedRows(c *CSV, columns map[string]string, source, idCol, format string, stored Stored, convert func(*Record) (*incident.Report, *RowError)) Source {
	s := &csvRows{c: c, columns: columns, convert: convert}
	if stored != nil {
		s.skip = &skipStored{source: source, idCol: idCol, format: format, stored: stored}
	}
	return s
}

func (s *csvRows) Next() (Row, bool, error) {
	if s.skip != nil {
		return s.nextAhead()
	}
	rec, rowErr, err := s.c.Next()
	if err == io.EOF {
		return Row{}, false, nil
	}
	if err != nil {
		return Row{}, false, err
	}
	return s.row(readAhead{rec: rec, rowErr: rowErr}), true, nil
}

func (s *csvRows) row(r readAhead) Row {
	if r.rowErr != nil {
		return Row{Err: r.rowErr}
	}
	at := RowError{File: s.c.file, Row: r.rec.Row, Line: r.rec.Line, Original: r.rec.Raw}
	if r.unchanged {
		return Row{Unchanged: true, At: at}
	}
	rep, rowErr := s.convert(r.rec)
	return Row{Report: rep, Err: rowErr, Columns: s.columns, At: at}
}

func (s *csvRows) nextAhead() (Row, bool, error) {
	k := s.skip
	if len(k.ahead) == 0 && k.err == nil {
		k.err = s.readAhead()
	}
	if len(k.ahead) == 0 {
		if k.err == io.EOF {
			return Row{}, false, nil
		}
		return Row{}, false, k.err
	}
	r := k.ahead[0]
	k.ahead = k.ahead[1:]
	return s.row(r), true, nil
}

// readAhead reads the next run of records and looks up which are stored
// unchanged; it returns what ended the run early (io.EOF at the end).
func (s *csvRows) readAhead() error {
	k := s.skip
	k.ahead = k.ahead[:0]
	var keys []StoredKey
	var at []int
	seen := map[string]int{} // id -> records of the run with it
	var end error
	for len(k.ahead) < readAheadRows {
		rec, rowErr, err := s.c.Next()
		if err != nil {
			end = err
			break
		}
		if rowErr == nil {
			if id := rec.Get(k.idCol); id != "" {
				keys = append(keys, StoredKey{ID: id, Original: rec.Raw, Format: k.format})
				at = append(at, len(k.ahead))
				seen[id]++
			}
		}
		k.ahead = append(k.ahead, readAhead{rec: rec, rowErr: rowErr})
	}
	if len(keys) > 0 {
		same, err := k.stored(k.source, keys)
		if err != nil {
			k.ahead = k.ahead[:0]
			return fmt.Errorf("%s: stored records: %w", s.c.file, err)
		}
		for i, ok := range same {
			// A record given twice in a run is read, as the store
			// takes the last of them.
			k.ahead[at[i]].unchanged = ok && seen[keys[i].ID] == 1
		}
	}
	return end
}

// SafeCell is a cell as a CSV writer should write it for people who open
// the file in a spreadsheet: text starting with =, +, -, @, a tab or a CR
// is taken there for a formula (which can run commands or send data away:
// "CSV injection"), so it gets a leading ' and is shown as text. A number,
// negative ones included, is left as it is, so that numeric columns stay
// numbers.
func SafeCell(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) || isDecimal(s) {
		return s
	}
	return "'" + s
}

// isDecimal reports whether s is a plain decimal number such as -12.5 or
// 1e-3: not Inf, NaN or hex, which ParseFloat would accept and a
// spreadsheet would not read as numbers.
func isDecimal(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	mant, exp, hasExp := strings.Cut(strings.ToLower(s), "e")
	whole, frac, _ := strings.Cut(mant, ".")
	if whole == "" && frac == "" || !digits(whole) || !digits(frac) {
		return false
	}
	if hasExp {
		if exp != "" && (exp[0] == '-' || exp[0] == '+') {
			exp = exp[1:]
		}
		return exp != "" && digits(exp)
	}
	return true
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
