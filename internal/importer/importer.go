// Package importer brings bulk data into truce. A format package turns its
// rows into reports; this package stores them in batches, keeps every
// rejected row with its reason, and never lets a bad row take good ones
// down with it.
package importer

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/actor"
	"github.com/truce-monitor/truce/internal/boundary"
	"github.com/truce-monitor/truce/internal/gazetteer"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
	"golang.org/x/text/language"
)

// RowError is a rejected row: where it is and what was wrong with it.
type RowError struct {
	File   string `json:"file"`
	Row    int    `json:"row"` // 1 is the header; the first data row is 2
	Line   int    `json:"line"`
	Column string `json:"column,omitempty"`
	Reason string `json:"reason"`
	// Original is the row as it stood in the file.
	Original string `json:"original,omitempty"`
}

func (e *RowError) Error() string {
	s := fmt.Sprintf("%s row %d", e.File, e.Row)
	if e.Line > 0 && e.Line != e.Row {
		s += fmt.Sprintf(" (line %d)", e.Line)
	}
	if e.Column != "" {
		s += " column " + e.Column
	}
	return s + ": " + e.Reason
}

// Row is one row read from a source: a report, or the reason it was
// rejected, or neither when the row was skipped on purpose (outside the
// requested period).
type Row struct {
	Report *incident.Report
	Err    *RowError
	// At is where a report's row stands: its File, Row, Line and
	// Original (Column and Reason unused), so that a report Check refuses
	// is rejected like any other bad row.
	At RowError
	// Columns names the file's column for a report field that Check
	// may name ("occurred.start": "event_date"), so that the message names
	// what the user can fix; a field not in it is named as truce names it.
	Columns map[string]string
	// Unchanged says that the row is a record stored unchanged, counted
	// as such and not read again (KeyedRows).
	Unchanged bool
	// Files are the files the record carries (an e-mail's attachments, a
	// channel post's photos), to be stored as evidence and referred to by
	// the report (by their SHA-256, in its Evidence). They travel beside
	// the report, never in it, so that a batch of reports holds no file.
	Files []File
}

// File is a file a record carries: its name as the record gives it (never
// trusted, kept for the chain of custody) and its bytes.
type File struct {
	Name string
	Data []byte
}

// reject turns a report Check refused into a rejected row.
func (row Row) reject(file string, n int, fe *FieldError) *RowError {
	e := row.At
	e.Reason, e.Column = fe.Reason, fe.Field
	if e.File == "" {
		e.File = file
	}
	if e.Row == 0 {
		e.Row = n
	}
	if e.Original == "" {
		e.Original = row.Report.Original
	}
	if len(row.Columns) > 0 {
		fields := strings.Split(fe.Field, ", ")
		for i, f := range fields {
			if c, ok := row.Columns[f]; ok {
				fields[i] = c
			}
		}
		e.Column = strings.Join(slices.Compact(fields), ", ")
	}
	return &e
}

// Source yields rows until it returns ok=false. A non-nil error is a fault
// of the whole file (unreadable, missing columns), not of one row.
type Source interface {
	Next() (row Row, ok bool, err error)
}

// Summary counts what an import did.
type Summary struct {
	File    string `json:"file"`
	Rows    int    `json:"rows"`
	Created int    `json:"created"`
	// Joined counts created reports that joined an existing incident.
	Joined    int `json:"joined"`
	Unchanged int `json:"unchanged"`
	// NotRead counts the unchanged rows known so by their original
	// alone, and not read again (their flags and unresolved names were
	// counted when they were taken in).
	NotRead  int `json:"not_read,omitempty"`
	Updated  int `json:"updated"`
	Skipped  int `json:"skipped"`
	Rejected int `json:"rejected"`
	// Flagged counts rows taken in with data-quality flags.
	Flagged int         `json:"flagged"`
	Errors  []*RowError `json:"errors,omitempty"`
	// Unresolved counts actor names not found in the registry; they are
	// kept as given and listed here, never guessed.
	Unresolved map[string]int `json:"unresolved,omitempty"`
	// Notes are remarks on the file as a whole, such as columns that were
	// kept but not read.
	Notes []string `json:"notes,omitempty"`
}

// Noter is a Source with remarks on the file as a whole.
type Noter interface {
	Notes() []string
}

// keptErrors is how many rejected rows a Summary holds in memory; the
// rest go only to OnReject (the errors file), so that memory stays flat
// however bad a file is.
const keptErrors = 100

// String is the summary line printed after an import.
func (s *Summary) String() string {
	return fmt.Sprintf("%s: %d rows: %d created, %d updated, %d unchanged, %d skipped, %d rejected; %d taken in with data-quality flags; %d joined an incident already reported",
		s.File, s.Rows, s.Created, s.Updated, s.Unchanged, s.Skipped, s.Rejected, s.Flagged, s.Joined)
}

// UnresolvedNames lists unresolved actor names, most frequent first.
func (s *Summary) UnresolvedNames() []string {
	names := make([]string, 0, len(s.Unresolved))
	for n := range s.Unresolved {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if s.Unresolved[names[i]] != s.Unresolved[names[j]] {
			return s.Unresolved[names[i]] > s.Unresolved[names[j]]
		}
		return names[i] < names[j]
	})
	return names
}

// Config is what a format reader needs beyond the file: the reference
// data it resolves names and places against, and the period and zone of
// its dates.
type Config struct {
	Actors     *actor.Registry
	Boundaries *boundary.Set
	// Places finds rows that name a place but give no coordinates.
	Places *gazetteer.Gazetteer
	// Location reads dates without a zone, which are local calendar
	// dates; default UTC.
	Location *time.Location
	// From and To, when set, skip events that do not overlap [From, To).
	From, To time.Time
	// Source names the reports of a format whose records do not (GeoJSON).
	Source string
	// Stored, when set, lets a dataset's reader skip the records stored
	// unchanged without reading them (KeyedRows).
	Stored Stored
}

// Stored says which of a source's records, each given by its id, its
// original as it stands in the file and its format, are stored with that
// very original and format.
type Stored func(source string, keys []StoredKey) ([]bool, error)

// StoredKey is a record as Stored looks it up.
type StoredKey struct{ ID, Original, Format string }

// Options tune an import.
type Options struct {
	// BatchSize is how many reports go into one transaction.
	BatchSize int
	// OnReject, when set, is called for every rejected row (to write an
	// errors file, for example).
	OnReject func(*RowError) error
	// Progress, when set, is called after every stored batch with the
	// rows read so far.
	Progress func(rows int)
	// Intake rules every incident the import creates or changes, in the
	// transaction that stores it, and joins reports to incidents.
	Intake store.Intake
}

// batch is a batch of reports read, with the count of rows read so far.
type batch struct {
	reports []incident.Report
	rows    int
}

// Run reads every row of src and stores the good ones in st. Every report
// passes Check first, whatever its format: one the store could not take
// is rejected with its row, never left to fail a batch of good ones.
// Reading and storing run in two goroutines, so that parsing and ruling
// the next batch overlap with committing this one; at most two batches are
// held at once, so memory stays flat however large the file.
func Run(ctx context.Context, st store.Store, file string, src Source, opt Options) (*Summary, error) {
	if opt.BatchSize <= 0 {
		opt.BatchSize = 2000
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sum := &Summary{File: file, Unresolved: map[string]int{}}
	batches := make(chan batch, 1)
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		readErr <- read(ctx, file, src, opt, sum, batches)
	}()
	// The reader owns sum's row counts until it is done; the writer's
	// counts are merged after.
	var created, updated, unchanged, joined int
	var storeErr error
	for b := range batches {
		if storeErr != nil {
			continue // drain, so the reader can finish
		}
		var res []store.Imported
		var err error
		if len(b.reports) > 0 {
			res, err = st.ImportReports(ctx, b.reports, opt.Intake)
		}
		if err != nil {
			storeErr = fmt.Errorf("import %s: %w", file, err)
			cancel()
			continue
		}
		for _, r := range res {
			switch r.Outcome {
			case store.Created:
				created++
				if r.Joined != "" {
					joined++
				}
			case store.Updated:
				updated++
			case store.Unchanged:
				unchanged++
			}
		}
		if opt.Progress != nil {
			opt.Progress(b.rows)
		}
	}
	err := <-readErr
	// The reader counted the rows it knew unchanged without reading them.
	sum.Created, sum.Updated, sum.Joined = created, updated, joined
	sum.Unchanged += unchanged
	if storeErr != nil {
		return sum, storeErr
	}
	if err != nil {
		return sum, err
	}
	sum.Notes = NotesOf(src)
	if sum.NotRead > 0 {
		sum.Notes = append(sum.Notes, fmt.Sprintf("%s: %d records stored with the same original were not read again: the flags and unresolved names above count only the rows read (import -reread reads every row)", file, sum.NotRead))
	}
	return sum, nil
}

// read reads src into batches.
func read(ctx context.Context, file string, src Source, opt Options, sum *Summary, out chan<- batch) error {
	cur := make([]incident.Report, 0, opt.BatchSize)
	send := func() error {
		select {
		case out <- batch{reports: cur, rows: sum.Rows}:
		case <-ctx.Done():
			return ctx.Err()
		}
		cur = make([]incident.Report, 0, opt.BatchSize)
		return nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		row, ok, err := src.Next()
		if err != nil {
			return fmt.Errorf("import %s: %w", file, err)
		}
		if !ok {
			break
		}
		sum.Rows++
		if row.Err == nil && row.Report != nil {
			if fe := Check(row.Report, time.Now()); fe != nil {
				row.Err, row.Report = row.reject(file, sum.Rows, fe), nil
			}
		}
		switch {
		case row.Unchanged:
			sum.Unchanged++
			sum.NotRead++
		case row.Err != nil:
			sum.Rejected++
			if len(sum.Errors) < keptErrors {
				sum.Errors = append(sum.Errors, row.Err)
			}
			if opt.OnReject != nil {
				if err := opt.OnReject(row.Err); err != nil {
					return fmt.Errorf("import %s: record rejected row %d: %w", file, row.Err.Row, err)
				}
			}
		case row.Report == nil:
			sum.Skipped++
		default:
			if len(row.Report.Flags) > 0 {
				sum.Flagged++
			}
			for _, a := range row.Report.Actors {
				if a.ID == "" {
					sum.Unresolved[a.Name]++
				}
			}
			cur = append(cur, *row.Report)
			if len(cur) >= opt.BatchSize {
				if err := send(); err != nil {
					return err
				}
			}
		}
	}
	// The last batch, even empty, carries the final row count.
	return send()
}

// Errorf makes a RowError.
func Errorf(file string, row, line int, column, original, format string, args ...any) *RowError {
	return &RowError{File: file, Row: row, Line: line, Column: column, Original: strings.TrimRight(original, "\r\n"), Reason: fmt.Sprintf(format, args...)}
}

// Language is the primary language subtag of a language tag or a
// Content-Language header ("ar" of "ar-SY", "en" of "en, fr"), or "" when
// it names none.
func Language(tag string) string {
	if i := strings.IndexAny(tag, ",;"); i >= 0 {
		tag = tag[:i]
	}
	t, err := language.Parse(strings.TrimSpace(strings.ReplaceAll(tag, "_", "-")))
	if err != nil {
		return ""
	}
	b, conf := t.Base()
	if conf == language.No {
		return ""
	}
	return b.String()
}

// ReadLine reads one line of a JSON-lines file, without its line ending,
// refusing a line longer than max bytes so that a file without newlines
// cannot take all memory.
func ReadLine(br *bufio.Reader, max int) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		buf = append(buf, chunk...)
		if len(buf) > max {
			return nil, fmt.Errorf("line longer than %d bytes", max)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimRight(buf, "\r\n"), err
	}
}

// NotesOf is what a source noted about its file, if it notes anything: a
// source that wraps another passes its Notes on through this, since
// embedding the Source interface hides the wrapped one's methods.
func NotesOf(src Source) []string {
	if n, ok := src.(Noter); ok {
		return n.Notes()
	}
	return nil
}
