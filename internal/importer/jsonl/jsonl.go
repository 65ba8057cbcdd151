// Package jsonl reads and writes reports as JSON lines: one report per
// line, in truce's own field names, with the original source record. It is
// how one truce installation hands its data to another, or to a script.
package jsonl

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/incident"
)

// maxLine bounds one line, so that a file without newlines cannot take
// all memory.
const maxLine = 16 << 20

// Config is what reading needs beyond the file.
type Config = importer.Config

// Reader yields one report per line.
type Reader struct {
	file string
	r    *bufio.Reader
	cfg  Config
	line int
	seen bool
}

// NewReader returns a reader of JSON lines.
func NewReader(r io.Reader, file string, cfg Config) *Reader {
	return &Reader{file: file, r: importer.SkipBOM(r, 1<<16), cfg: cfg}
}

// Next implements importer.Source. Blank lines are skipped.
func (r *Reader) Next() (importer.Row, bool, error) {
	for {
		raw, err := r.readLine()
		if errors.Is(err, io.EOF) && len(raw) == 0 {
			if !r.seen {
				return importer.Row{}, false, fmt.Errorf("%s: file is empty (no reports)", r.file)
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
		rep, rowErr := r.convert(raw)
		return importer.Row{Report: rep, Err: rowErr,
			At: importer.RowError{File: r.file, Row: r.line, Line: r.line, Original: string(raw)}}, true, nil
	}
}

func (r *Reader) readLine() ([]byte, error) {
	r.line++
	return importer.ReadLine(r.r, maxLine)
}

func (r *Reader) convert(raw []byte) (*incident.Report, *importer.RowError) {
	rep, fe := Parse(raw, r.cfg)
	if fe != nil {
		return nil, importer.Errorf(r.file, r.line, r.line, fe.Field, string(raw), "%s", fe.Reason)
	}
	if rep != nil && rep.Kind == "" {
		rep.Kind = incident.FromDataset
	}
	return rep, nil
}

// FieldError is what is wrong with one report, and in which field.
type FieldError = importer.FieldError

// Parse reads and checks one report in truce's JSON, as a line of a file
// or the body of an API submission. A nil report with a nil error is a
// report outside cfg's period.
func Parse(raw []byte, cfg Config) (*incident.Report, *FieldError) {
	return parse(raw, cfg, false)
}

// ParseSubmission is Parse for a client's submission: the body is a
// Submission, so that a field the client may not set is refused by name.
func ParseSubmission(raw []byte, cfg Config) (*incident.Report, *FieldError) {
	return parse(raw, cfg, true)
}

func parse(raw []byte, cfg Config, submission bool) (*incident.Report, *FieldError) {
	bad := func(field, format string, args ...any) (*incident.Report, *FieldError) {
		return nil, &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	if i := importer.FirstInvalidUTF8(raw); i >= 0 {
		return bad(importer.JSONField(raw, i), "is not UTF-8 text (byte %d); convert the file to UTF-8", i+1)
	}
	var rep incident.Report
	var sub Submission
	into, what := any(&rep), "a report field (see docs/formats.md)"
	if submission {
		into, what = &sub, "a field a submission may set (see docs/formats.md, Submissions)"
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		field := ""
		var te *json.UnmarshalTypeError
		var pe *time.ParseError
		switch {
		case errors.As(err, &te):
			field = te.Field
		case errors.As(err, &pe):
			field = importer.JSONFieldOf(raw, pe.Value)
		}
		if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
			field = strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`)
			return bad(field, "is not %s", what)
		}
		return bad(field, "%v", err)
	}
	if dec.More() {
		return bad("", "holds more than one JSON value; put one report on each line")
	}
	if submission {
		rep = sub.Report()
	}
	switch {
	case rep.Source == "":
		return bad("source", "is empty; it names where the report comes from")
	case rep.SourceID == "":
		return bad("source_id", "is empty; it is the report's id at its source")
	case !rep.Occurred.Valid():
		return bad("occurred", "must have a start before its end")
	case !act.Valid(rep.Act):
		return bad("act", "%q is not an act type (see docs/act-types.md)", rep.Act)
	}
	// An empty kind is left to the caller: a file's reports are a
	// dataset's, a submission's kind follows who sent it.
	switch rep.Kind {
	case "", incident.FromMonitor, incident.FromParty, incident.FromPublic, incident.FromDataset, incident.FromNews:
	default:
		return bad("kind", "%q is not monitor, party, public, dataset or news", rep.Kind)
	}
	if rep.Occurred.Outside(cfg.From, cfg.To) {
		return nil, nil
	}
	p := &rep.Place
	if p.Precision == "" {
		p.Precision = incident.PlaceUnknown
	}
	// The checks every report passes, wherever it comes from: a file's
	// rows pass them again in importer.Run, but an API submission has
	// only this door.
	if fe := importer.Check(&rep, time.Now()); fe != nil {
		return nil, fe
	}
	if p.HasPoint && p.Admin3 == "" {
		importer.Locate(p, cfg.Boundaries)
	}
	if !p.HasPoint && p.Area == "" && p.Name != "" && cfg.Places != nil {
		// A place given by name only (the web form's, an API client's)
		// goes through the gazetteer, as every file's does: without it,
		// "Douma" had no point and no unit, and was missing from the map,
		// the zones and the filters. A name the gazetteer cannot settle
		// is kept as written and flagged, never guessed.
		if g, err := cfg.Places.Resolve(p.Name, ""); err == nil {
			*p = importer.PlaceFromGazetteer(p.Name, g, false)
		} else {
			rep.Flags = append(rep.Flags, fmt.Sprintf("place %q not placed: %v", p.Name, err))
		}
	}
	p.KeepKnownLevels()
	for i := range rep.Actors {
		a := &rep.Actors[i]
		switch a.Role {
		case incident.Perpetrator, incident.Target, incident.SideA, incident.SideB:
		default:
			return bad(fmt.Sprintf("actors[%d].role", i), "%q is not perpetrator, target, side_a or side_b", a.Role)
		}
		if cfg.Actors == nil {
			continue
		}
		if a.ID != "" {
			if _, ok := cfg.Actors.Get(a.ID); !ok {
				return bad(fmt.Sprintf("actors[%d].id", i), "%q is not an actor in the registry", a.ID)
			}
			continue
		}
		a.ID, _ = cfg.Actors.Resolve(a.Name)
	}
	// Ids are this installation's own; the source's identity is
	// (source, source_id).
	rep.ID, rep.IncidentID = 0, 0
	return &rep, nil
}

// Submission is a report as a client sends it (the API, the web form):
// the claim only. What truce itself derives or keeps about a report (its
// ids, its sealed identities, the doubts raised at intake, the original
// record) is not the client's to set, so
// that no field of the stored report can be written around the intake.
type Submission struct {
	Source      string              `json:"source"`
	SourceID    string              `json:"source_id"`
	Kind        incident.SourceKind `json:"kind"`
	ReportedAt  time.Time           `json:"reported_at"`
	Occurred    incident.TimeSpan   `json:"occurred"`
	Place       incident.Place      `json:"place"`
	Actors      []incident.ActorRef `json:"actors"`
	Act         act.Type            `json:"act"`
	Casualties  incident.Casualties `json:"casualties"`
	Description string              `json:"description,omitempty"`
	Citations   []string            `json:"citations,omitempty"`
	Evidence    []string            `json:"evidence,omitempty"`
	Reporter    *incident.Person    `json:"reporter,omitempty"`
	Witnesses   []incident.Person   `json:"witnesses,omitempty"`
	Outlet      string              `json:"outlet,omitempty"`
	// Party is the party whose claim the report is, for the trusted
	// machine client relaying one; a user's role decides it otherwise.
	Party       string              `json:"party,omitempty"`
	Language    string              `json:"language,omitempty"`
	SubEvent    string              `json:"sub_event,omitempty"`
	Initiator   *incident.Initiator `json:"initiator,omitempty"`
	SourceGrade string              `json:"source_grade,omitempty"`
}

// Report is the report a submission makes, before intake.
func (s Submission) Report() incident.Report {
	return incident.Report{
		Source: s.Source, SourceID: s.SourceID, Kind: s.Kind, ReportedAt: s.ReportedAt,
		Occurred: s.Occurred, Place: s.Place, Actors: s.Actors, Act: s.Act, Casualties: s.Casualties,
		Description: s.Description, Citations: s.Citations, Evidence: s.Evidence,
		Reporter: s.Reporter, Witnesses: s.Witnesses, Outlet: s.Outlet, Party: s.Party, Language: s.Language,
		SubEvent: s.SubEvent, Initiator: s.Initiator, SourceGrade: s.SourceGrade,
	}
}

// Writer writes reports as JSON lines.
type Writer struct {
	w   *bufio.Writer
	enc *json.Encoder
}

// NewWriter returns a writer to w. Call Flush when done.
func NewWriter(w io.Writer) *Writer {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &Writer{w: bw, enc: enc}
}

// Write writes one value (a report or an incident) on one line.
func (w *Writer) Write(v any) error { return w.enc.Encode(v) }

// Flush writes any buffered data.
func (w *Writer) Flush() error { return w.w.Flush() }
