package geojson

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/truce-monitor/truce/internal/incident"
)

// Writer streams a FeatureCollection, one feature per line.
type Writer struct {
	w       *bufio.Writer
	loc     *time.Location
	started bool
	n       int
}

// NewWriter returns a writer to w; loc is the zone whole-day dates are
// written in. Call Close to end the collection.
func NewWriter(w io.Writer, loc *time.Location) *Writer {
	if loc == nil {
		loc = time.UTC
	}
	return &Writer{w: bufio.NewWriter(w), loc: loc}
}

type outFeature struct {
	Type       string         `json:"type"`
	ID         string         `json:"id,omitempty"`
	Geometry   *outPoint      `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

type outPoint struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"`
}

// Write writes one report; it is WriteReport, named for callers that
// take any report writer.
func (w *Writer) Write(r *incident.Report) error { return w.WriteReport(r) }

// WriteReport writes one report. A report read from GeoJSON keeps the
// properties of its original feature that truce does not model.
func (w *Writer) WriteReport(r *incident.Report) error {
	props := map[string]any{}
	if r.OriginalFormat == MediaType {
		var f struct {
			Props map[string]json.RawMessage `json:"properties"`
		}
		if err := json.Unmarshal([]byte(r.Original), &f); err != nil {
			return fmt.Errorf("report %d (%s %s): original feature: %w", r.ID, r.Source, r.SourceID, err)
		}
		for k, v := range f.Props {
			props[k] = v
		}
	}
	set := func(k string, v any, present bool) {
		if present {
			props[k] = v
		}
	}
	set("source", r.Source, true)
	set("source_id", r.SourceID, true)
	set("kind", r.Kind, r.Kind != "")
	set("reported_at", r.ReportedAt.Format(time.RFC3339), !r.ReportedAt.IsZero())
	set("language", r.Language, r.Language != "")
	set("citations", r.Citations, len(r.Citations) > 0)
	set("flags", r.Flags, len(r.Flags) > 0)
	set("sub_event", r.SubEvent, r.SubEvent != "")
	set("source_grade", r.SourceGrade, r.SourceGrade != "")
	set("initiator", r.Initiator, r.Initiator != nil)
	w.facts(props, r.Occurred, r.Place, r.Actors, string(r.Act), r.Casualties, r.Description)
	return w.write(r.SourceID, r.Place, props)
}

// WriteIncident writes one incident.
func (w *Writer) WriteIncident(in *incident.Incident) error {
	props := map[string]any{"incident_id": in.ID, "state": in.State}
	if len(in.ReportIDs) > 0 {
		props["report_ids"] = in.ReportIDs
	}
	w.facts(props, in.Occurred, in.Place, in.Actors, string(in.Act), in.Casualties, in.Title)
	return w.write("truce:"+strconv.FormatInt(in.ID, 10), in.Place, props)
}

func (w *Writer) facts(props map[string]any, span incident.TimeSpan, p incident.Place, actors []incident.ActorRef, act string, cas incident.Casualties, description string) {
	start, end := w.dates(span)
	props["date_start"], props["date_end"] = start, end
	if span.Precision != "" {
		props["date_precision"] = span.Precision
	}
	for k, v := range map[string]string{"place": p.Name, "area": p.Area, "admin1": p.Admin1, "admin2": p.Admin2, "admin3": p.Admin3, "description": description} {
		if v != "" {
			props[k] = v
		}
	}
	if p.Precision != "" {
		props["place_precision"] = p.Precision
	}
	if act != "" {
		props["act"] = act
	}
	if len(actors) > 0 {
		props["actors"] = actors
	}
	props["deaths_low"], props["deaths_best"], props["deaths_high"], props["deaths_civilians"] = cas.Low, cas.Best, cas.High, cas.Civilians
}

// dates writes a span of whole local days as its first and last day, and
// any other span as RFC 3339 times.
func (w *Writer) dates(s incident.TimeSpan) (string, string) {
	start, end := s.Start.In(w.loc), s.End.In(w.loc)
	if incident.IsDayStart(start, w.loc) && incident.IsDayStart(end, w.loc) && end.After(start) {
		return start.Format("2006-01-02"), end.Add(-time.Nanosecond).Format("2006-01-02")
	}
	return s.Start.Format(time.RFC3339), s.End.Format(time.RFC3339)
}

func (w *Writer) write(id string, p incident.Place, props map[string]any) error {
	f := outFeature{Type: "Feature", ID: id, Properties: props}
	if p.HasPoint {
		f.Geometry = &outPoint{Type: "Point", Coordinates: [2]float64{p.Lon, p.Lat}}
	}
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	if !w.started {
		w.started = true
		if _, err := w.w.WriteString(`{"type":"FeatureCollection","features":[` + "\n"); err != nil {
			return err
		}
	} else if _, err := w.w.WriteString(",\n"); err != nil {
		return err
	}
	w.n++
	_, err = w.w.Write(b)
	return err
}

// Close ends the collection and flushes; it does not close the
// underlying writer.
func (w *Writer) Close() error {
	if !w.started {
		w.w.WriteString(`{"type":"FeatureCollection","features":[`)
	}
	w.w.WriteString("\n]}\n")
	return w.w.Flush()
}
