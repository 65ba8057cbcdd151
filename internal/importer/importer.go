// Package importer brings bulk data into truce. A format package turns its
// rows into reports; this package stores them in batches, keeps every
// rejected row with its reason, and never lets a bad row take good ones
// down with it.
package importer

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
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
}

// Source yields rows until it returns ok=false. A non-nil error is a fault
// of the whole file (unreadable, missing columns), not of one row.
type Source interface {
	Next() (row Row, ok bool, err error)
}

// Summary counts what an import did.
type Summary struct {
	File      string `json:"file"`
	Rows      int    `json:"rows"`
	Created   int    `json:"created"`
	Unchanged int    `json:"unchanged"`
	Updated   int    `json:"updated"`
	Skipped   int    `json:"skipped"`
	Rejected  int    `json:"rejected"`
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
	return fmt.Sprintf("%s: %d rows: %d created, %d updated, %d unchanged, %d skipped, %d rejected; %d taken in with data-quality flags",
		s.File, s.Rows, s.Created, s.Updated, s.Unchanged, s.Skipped, s.Rejected, s.Flagged)
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

// Options tune an import.
type Options struct {
	// BatchSize is how many reports go into one transaction.
	BatchSize int
	// OnReject, when set, is called for every rejected row (to write an
	// errors file, for example).
	OnReject func(*RowError) error
	// Progress, when set, is called after every batch with the rows read.
	Progress func(rows int)
	// AfterBatch, when set, is called with every stored batch and what
	// storing did, in the same order (to rule the incidents, for example).
	AfterBatch func(ctx context.Context, reports []incident.Report, res []store.Imported) error
}

// Run reads every row of src and stores the good ones in st.
func Run(ctx context.Context, st store.Store, file string, src Source, opt Options) (*Summary, error) {
	if opt.BatchSize <= 0 {
		opt.BatchSize = 1000
	}
	sum := &Summary{File: file, Unresolved: map[string]int{}}
	var batch []incident.Report
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		res, err := st.ImportReports(ctx, batch)
		if err != nil {
			return fmt.Errorf("import %s: %w", file, err)
		}
		for _, r := range res {
			switch r.Outcome {
			case store.Created:
				sum.Created++
			case store.Updated:
				sum.Updated++
			case store.Unchanged:
				sum.Unchanged++
			}
		}
		if opt.AfterBatch != nil {
			if err := opt.AfterBatch(ctx, batch, res); err != nil {
				return fmt.Errorf("import %s: %w", file, err)
			}
		}
		batch = batch[:0]
		if opt.Progress != nil {
			opt.Progress(sum.Rows)
		}
		return nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		row, ok, err := src.Next()
		if err != nil {
			return sum, fmt.Errorf("import %s: %w", file, err)
		}
		if !ok {
			break
		}
		sum.Rows++
		switch {
		case row.Err != nil:
			sum.Rejected++
			if len(sum.Errors) < keptErrors {
				sum.Errors = append(sum.Errors, row.Err)
			}
			if opt.OnReject != nil {
				if err := opt.OnReject(row.Err); err != nil {
					return sum, fmt.Errorf("import %s: record rejected row %d: %w", file, row.Err.Row, err)
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
			batch = append(batch, *row.Report)
			if len(batch) >= opt.BatchSize {
				if err := flush(); err != nil {
					return sum, err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return sum, err
	}
	if n, ok := src.(Noter); ok {
		sum.Notes = n.Notes()
	}
	return sum, nil
}

// Errorf makes a RowError.
func Errorf(file string, row, line int, column, original, format string, args ...any) *RowError {
	return &RowError{File: file, Row: row, Line: line, Column: column, Original: strings.TrimRight(original, "\r\n"), Reason: fmt.Sprintf(format, args...)}
}
