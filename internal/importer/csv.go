package importer

import (
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
	rec := &recorder{src: rd}
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
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	if !utf8.ValidString(strings.Join(header, "")) {
		return nil, fmt.Errorf("%s: header is not UTF-8 text; convert the file to UTF-8", file)
	}
	c.Header = header
	c.index = make(map[string]int, len(header))
	for i, h := range header {
		c.index[strings.TrimSpace(h)] = i
	}
	c.rawHeader = strings.TrimRight(c.take(), "\r\n")
	return c, nil
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
	if !utf8.ValidString(raw) {
		return nil, Errorf(c.file, c.row, line, "", raw, "is not UTF-8 text"), nil
	}
	return rec, nil, nil
}

// HeaderLine is the header as it stood in the file.
func (c *CSV) HeaderLine() string { return c.rawHeader }

// Rows makes a Source of a CSV file whose records convert to reports one
// by one; convert returns a nil report and nil error for a record skipped
// on purpose.
func Rows(c *CSV, convert func(*Record) (*incident.Report, *RowError)) Source {
	return &csvRows{c: c, convert: convert}
}

type csvRows struct {
	c       *CSV
	convert func(*Record) (*incident.Report, *RowError)
}

func (s *csvRows) Next() (Row, bool, error) {
	rec, rowErr, err := s.c.Next()
	if err == io.EOF {
		return Row{}, false, nil
	}
	if err != nil {
		return Row{}, false, err
	}
	if rowErr != nil {
		return Row{Err: rowErr}, true, nil
	}
	rep, rowErr := s.convert(rec)
	return Row{Report: rep, Err: rowErr}, true, nil
}
