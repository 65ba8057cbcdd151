package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/importer/acled"
	"github.com/truce-monitor/truce/internal/importer/geojson"
	"github.com/truce-monitor/truce/internal/importer/jsonl"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/workflow"
)

// exportedRuling is what an exported incident says of each of its stored
// rulings: enough to tabulate violations without the engine.
type exportedRuling struct {
	Agreement  string   `json:"agreement"`
	Version    int      `json:"version,omitempty"`
	Verdict    string   `json:"verdict"`
	Outcome    string   `json:"outcome"`
	Parties    []string `json:"parties,omitempty"`
	Clauses    []string `json:"clauses,omitempty"`
	Guarantors []string `json:"guarantors,omitempty"`
}

func exportedRulings(rs []ruling.Ruling) []exportedRuling {
	out := make([]exportedRuling, 0, len(rs))
	for _, r := range rs {
		out = append(out, exportedRuling{Agreement: r.Agreement, Version: r.Version, Verdict: string(r.Verdict), Outcome: r.Outcome(),
			Parties: r.Parties, Clauses: r.Clauses, Guarantors: r.Guarantors})
	}
	return out
}

// overlaps reports whether s overlaps [from, to), zero bounds open.
func overlaps(s incident.TimeSpan, from, to time.Time) bool {
	end := s.End
	if end.IsZero() {
		end = s.Start.Add(time.Nanosecond)
	}
	return (from.IsZero() || end.After(from)) && (to.IsZero() || s.Start.Before(to))
}

// ExportFormats are the formats truce exports to.
var ExportFormats = []string{"acled", "geojson", "jsonl"}

// Export writes the reports (what "reports") or incidents (what
// "incidents") overlapping [from, to) (zero bounds are open) to w in
// format, for a viewer who sees everything. Reports read from a format
// are written back in it from their original records. Incidents carry
// their stored rulings in jsonl and geojson; ACLED's columns have no place
// for them.
func (a *App) Export(ctx context.Context, u *workflow.User, format, what string, from, to time.Time, w io.Writer) (int, error) {
	if !SeesAll(u) {
		return 0, fmt.Errorf("export: %w", workflow.ErrForbidden)
	}
	if what != "reports" && what != "incidents" {
		return 0, fmt.Errorf("export: %q is neither reports nor incidents", what)
	}
	loc := a.DefaultLocation()
	var writeReport func(*incident.Report) error
	var writeIncident func(*incident.Incident, []ruling.Ruling) error
	var finish func() error
	switch format {
	case "acled":
		aw := acled.NewWriter(w, acled.WriterConfig{Actors: a.Actors, Boundaries: a.Boundaries, Location: loc})
		writeReport = aw.WriteReport
		writeIncident = func(in *incident.Incident, _ []ruling.Ruling) error { return aw.WriteIncident(in, nil) }
		finish = aw.Flush
	case "geojson":
		gw := geojson.NewWriter(w, loc)
		writeReport = gw.WriteReport
		finish = gw.Close
		fc := &featureCollection{w: bufio.NewWriter(w)}
		writeIncident = func(in *incident.Incident, rs []ruling.Ruling) error {
			f, err := incidentFeature(in, rs, loc)
			if err != nil {
				return err
			}
			return fc.write(f)
		}
		if what == "incidents" {
			finish = fc.close
		}
	case "jsonl":
		jw := jsonl.NewWriter(w)
		writeReport = func(r *incident.Report) error { return jw.Write(r) }
		writeIncident = func(in *incident.Incident, rs []ruling.Ruling) error {
			return jw.Write(struct {
				*incident.Incident
				Rulings []exportedRuling `json:"rulings"`
			}{in, exportedRulings(rs)})
		}
		finish = jw.Flush
	default:
		return 0, fmt.Errorf("unknown export format %q (known: %v)", format, ExportFormats)
	}
	n := 0
	if what == "reports" {
		err := a.store.EachReport(ctx, func(r incident.Report) error {
			if !overlaps(r.Occurred, from, to) {
				return nil
			}
			n++
			return writeReport(&r)
		})
		if err != nil {
			return n, fmt.Errorf("export %s %s: %w", what, format, err)
		}
		return n, finish()
	}
	// The incidents first, then each one's rulings: a store may not be
	// read again while it lists.
	var ins []incident.Incident
	if err := a.store.EachIncident(ctx, from, to, func(in incident.Incident) error { ins = append(ins, in); return nil }); err != nil {
		return 0, fmt.Errorf("export %s %s: %w", what, format, err)
	}
	for i := range ins {
		var rs []ruling.Ruling
		if format != "acled" {
			d, err := a.store.Incident(ctx, ins[i].ID)
			if err != nil {
				return n, fmt.Errorf("export %s %s: incident %d: %w", what, format, ins[i].ID, err)
			}
			rs = d.Rulings
		}
		if err := writeIncident(&ins[i], rs); err != nil {
			return n, fmt.Errorf("export %s %s: %w", what, format, err)
		}
		n++
	}
	return n, finish()
}

// incidentFeature is the geojson writer's feature of an incident, with
// its rulings added to the properties.
func incidentFeature(in *incident.Incident, rs []ruling.Ruling, loc *time.Location) (json.RawMessage, error) {
	var buf bytes.Buffer
	gw := geojson.NewWriter(&buf, loc)
	if err := gw.WriteIncident(in); err != nil {
		return nil, err
	}
	if err := gw.Close(); err != nil {
		return nil, err
	}
	var fc struct {
		Features []map[string]json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(buf.Bytes(), &fc); err != nil || len(fc.Features) != 1 {
		return nil, fmt.Errorf("incident %d: geojson feature: %v", in.ID, err)
	}
	f := fc.Features[0]
	var props map[string]json.RawMessage
	if err := json.Unmarshal(f["properties"], &props); err != nil {
		return nil, fmt.Errorf("incident %d: geojson properties: %w", in.ID, err)
	}
	b, err := json.Marshal(exportedRulings(rs))
	if err != nil {
		return nil, err
	}
	props["rulings"] = b
	if f["properties"], err = json.Marshal(props); err != nil {
		return nil, err
	}
	return marshalOrdered(f, "type", "id", "geometry", "properties")
}

// featureCollection streams features as the geojson writer does: one a
// line.
type featureCollection struct {
	w       *bufio.Writer
	started bool
}

func (c *featureCollection) write(f json.RawMessage) error {
	sep := ",\n"
	if !c.started {
		c.started, sep = true, `{"type":"FeatureCollection","features":[`+"\n"
	}
	c.w.WriteString(sep)
	_, err := c.w.Write(f)
	return err
}

func (c *featureCollection) close() error {
	if !c.started {
		c.w.WriteString(`{"type":"FeatureCollection","features":[`)
	}
	c.w.WriteString("\n]}\n")
	return c.w.Flush()
}

// marshalOrdered writes an object's keys in the given order, any other
// after them: a feature reads type, id, geometry, properties.
func marshalOrdered(m map[string]json.RawMessage, first ...string) (json.RawMessage, error) {
	var b strings.Builder
	b.WriteByte('{')
	done := map[string]bool{}
	write := func(k string) {
		v, ok := m[k]
		if !ok || done[k] {
			return
		}
		done[k] = true
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(v)
	}
	for _, k := range first {
		write(k)
	}
	for k := range m {
		write(k)
	}
	b.WriteByte('}')
	return json.RawMessage(b.String()), nil
}
