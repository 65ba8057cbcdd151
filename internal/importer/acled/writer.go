package acled

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/actor"
	"github.com/truce-monitor/truce/internal/boundary"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/incident"
)

// Writer writes reports and incidents as ACLED CSV rows. A report read
// from ACLED is written back from its original record, so an import
// followed by an export keeps every column; anything else is written from
// truce's facts.
type Writer struct {
	w          *csv.Writer
	cfg        WriterConfig
	headerDone bool
	// headers caches the column index of each original header seen.
	headers map[string]map[string]int
	row     []string
}

// WriterConfig names what the writer looks up: admin names for P-codes,
// actor kinds for ACLED's inter codes, and the zone of local dates.
type WriterConfig struct {
	Actors     *actor.Registry
	Boundaries *boundary.Set
	Location   *time.Location
}

// NewWriter returns a writer to w. Call Flush when done.
func NewWriter(w io.Writer, cfg WriterConfig) *Writer {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	return &Writer{w: csv.NewWriter(w), cfg: cfg, headers: map[string]map[string]int{}}
}

func (w *Writer) header() error {
	if w.headerDone {
		return nil
	}
	w.headerDone = true
	return w.w.Write(Columns())
}

// WriteReport writes one report.
func (w *Writer) WriteReport(r *incident.Report) error {
	if err := w.header(); err != nil {
		return err
	}
	if h, ok := strings.CutPrefix(r.OriginalFormat, Format("")); ok && r.Source == SourceName {
		row, err := w.original(h, r.Original)
		if err != nil {
			return fmt.Errorf("report %d (%s %s): original record: %w", r.ID, r.Source, r.SourceID, err)
		}
		return w.write(row)
	}
	id := r.Source + ":" + r.SourceID
	var ts string
	if !r.ReportedAt.IsZero() {
		ts = strconv.FormatInt(r.ReportedAt.Unix(), 10)
	}
	return w.write(w.facts(id, r.Occurred, r.Place, r.Actors, r.Act, r.Casualties, r.Description, r.Citations, r.Flags, ts))
}

// WriteIncident writes one incident from its facts; sources lists the
// citations of its reports.
func (w *Writer) WriteIncident(in *incident.Incident, sources []string) error {
	if err := w.header(); err != nil {
		return err
	}
	return w.write(w.facts("truce:"+strconv.FormatInt(in.ID, 10), in.Occurred, in.Place, in.Actors, in.Act, in.Casualties, in.Title, sources, nil, ""))
}

// write writes one row with its cells made safe to open in a spreadsheet
// (importer.SafeCell): a cell that reads as a formula, such as a note
// "=HYPERLINK(...)", is written with a leading '. So a report whose
// original record holds such a cell no longer round-trips byte for byte;
// every other does, numbers (-12.5) included.
func (w *Writer) write(row []string) error {
	for i, c := range row {
		row[i] = importer.SafeCell(c)
	}
	return w.w.Write(row)
}

// Flush writes any buffered rows and reports a write error.
func (w *Writer) Flush() error {
	if err := w.header(); err != nil {
		return err
	}
	w.w.Flush()
	return w.w.Error()
}

// original lays the original record out in ACLED's column order, whatever
// order the file it came from had.
func (w *Writer) original(header, raw string) ([]string, error) {
	idx, ok := w.headers[header]
	if !ok {
		cols, err := csv.NewReader(strings.NewReader(header)).Read()
		if err != nil {
			return nil, fmt.Errorf("header: %w", err)
		}
		idx = make(map[string]int, len(cols))
		for i, c := range cols {
			idx[strings.TrimSpace(strings.TrimPrefix(c, "\ufeff"))] = i
		}
		w.headers[header] = idx
	}
	rd := csv.NewReader(strings.NewReader(raw))
	rd.FieldsPerRecord = -1
	fields, err := rd.Read()
	if err != nil {
		return nil, err
	}
	row := w.row[:0]
	for _, c := range Columns() {
		v := ""
		if i, ok := idx[c]; ok && i < len(fields) {
			v = fields[i]
		}
		row = append(row, v)
	}
	w.row = row
	return row, nil
}

// facts lays truce's facts out as an ACLED row.
func (w *Writer) facts(id string, span incident.TimeSpan, p incident.Place, actors []incident.ActorRef, t act.Type, cas incident.Casualties, notes string, sources, tags []string, timestamp string) []string {
	c := codingFor(t)
	var side [2][]incident.ActorRef
	for _, a := range actors {
		switch a.Role {
		case incident.Perpetrator, incident.SideA:
			side[0] = append(side[0], a)
		default:
			side[1] = append(side[1], a)
		}
	}
	first := func(as []incident.ActorRef) string {
		if len(as) == 0 {
			return ""
		}
		return as[0].Name
	}
	rest := func(as []incident.ActorRef) string {
		var names []string
		for i, a := range as {
			if i > 0 {
				names = append(names, a.Name)
			}
		}
		return strings.Join(names, "; ")
	}
	inter1, inter2 := w.inter(side[0]), w.inter(side[1])
	interaction := inter1
	if inter2 != "" {
		interaction += "-" + inter2
	} else if inter1 != "" {
		interaction += " only"
	}
	var civ string
	if cas.Civilians > 0 || t == act.AttackOnCivilians {
		civ = "Civilian targeting"
	}
	// ACLED gives one date and a precision: a span of up to a week is
	// written as its middle day ± 3 days, a longer one as its month.
	start := span.Start.In(w.cfg.Location)
	day := start
	tp := "3"
	switch days := int(span.End.Sub(span.Start).Hours()/24 + 0.5); {
	case days <= 1:
		tp = "1"
	case days <= 7:
		tp = "2"
		day = start.AddDate(0, 0, (days-1)/2)
	}
	var lat, lon string
	if p.HasPoint {
		lat, lon = strconv.FormatFloat(p.Lat, 'f', -1, 64), strconv.FormatFloat(p.Lon, 'f', -1, 64)
	}
	gp := ""
	switch p.Precision {
	case incident.PlaceExact:
		gp = "1"
	case incident.PlaceNear:
		gp = "2"
	case incident.PlaceAdmin3, incident.PlaceAdmin2, incident.PlaceAdmin1, incident.PlaceCountry:
		gp = "3"
	}
	return []string{
		id, day.Format("02 January 2006"), strconv.Itoa(day.Year()), tp, c.Disorder, c.EventType, c.SubEventType,
		first(side[0]), rest(side[0]), inter1, first(side[1]), rest(side[1]), inter2, interaction, civ,
		"760", "Middle East", "Syria", w.adminName(p.Admin1), w.adminName(p.Admin2), w.adminName(p.Admin3), p.Name, lat, lon, gp,
		strings.Join(sources, "; "), "", notes, strconv.Itoa(cas.Best), strings.Join(tags, "; "), timestamp,
	}
}

// inter is ACLED's actor category for the first actor of a side.
func (w *Writer) inter(as []incident.ActorRef) string {
	if len(as) == 0 || w.cfg.Actors == nil {
		return ""
	}
	a, ok := w.cfg.Actors.Get(as[0].ID)
	if !ok {
		return ""
	}
	switch a.Kind {
	case actor.StateForces:
		return "State forces"
	case actor.ArmedGroup, actor.Coalition:
		return "Rebel group"
	case actor.Civilians:
		return "Civilians"
	}
	return ""
}

func (w *Writer) adminName(pcode string) string {
	if pcode == "" || w.cfg.Boundaries == nil {
		return ""
	}
	if u, ok := w.cfg.Boundaries.Unit(pcode); ok {
		return u.Name
	}
	return pcode
}
