package app

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/importer/acled"
	"github.com/truce-monitor/truce/internal/importer/jsonl"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// Open data: the incidents a viewer may see, as files to take away (the
// server's /data routes). The same door as Incidents: the listing is
// limited to what the viewer may see (Visibility: the public sees the
// published incidents) and redacted as Incidents redacts it (RedactList),
// and nothing else of an incident is written than what the incident list
// of the API shows the same viewer, with its rulings' verdicts. It is
// read a page at a time and written as it is read, so that an export of
// any size takes the memory of one page.

// OpenFormats are the formats of the open data: truce's own CSV (with
// the rulings, and an HXL hashtag row on request), ACLED's columns (as
// "truce export acled -what incidents" writes them), GeoJSON and JSON
// lines (as "truce export -what incidents" writes them).
var OpenFormats = []string{"csv", "acled", "geojson", "jsonl"}

// OpenOptions tune an open-data export.
type OpenOptions struct {
	// HXL adds the HXL hashtag row under the CSV header.
	HXL bool
	// PageSize is how many incidents are read at a time (default 500).
	PageSize int
}

// OpenIncident is an incident as the open data carries it: its facts as
// the viewer may see them, its grade, and its rulings.
type OpenIncident struct {
	store.IncidentSummary
	// Rulings are its rulings: under the filter's agreement when it names
	// one, else under every stored agreement (by agreement id).
	Rulings []ruling.Ruling
}

const openPage = 500

// EachIncidentFor calls fn with every incident matching f that u (nil:
// the public) may see, redacted for u as Incidents redacts, oldest first.
// f.Limit, f.Offset and f.Newest are ignored: every match is read, a page
// at a time. An incident moved across a page boundary by a concurrent
// change is given once; one the change moved back is not given again.
func (a *App) EachIncidentFor(ctx context.Context, u *workflow.User, f store.Filter, pageSize int, fn func(*OpenIncident) error) error {
	if pageSize <= 0 {
		pageSize = openPage
	}
	f.Visible = Visibility(u)
	f.Newest = false
	var others []string // the agreements whose rulings come page by page
	if f.Agreement == "" {
		for _, ag := range a.Agreements() {
			others = append(others, ag.ID)
		}
	}
	prev := map[int64]bool{}
	for offset := 0; ; offset += pageSize {
		f.Limit, f.Offset, f.NoCount = pageSize, offset, true
		page, _, err := a.store.Incidents(ctx, f)
		if err != nil {
			return err
		}
		RedactList(u, page)
		rulings, err := a.pageRulings(ctx, f, others, page)
		if err != nil {
			return err
		}
		seen := make(map[int64]bool, len(page))
		for i := range page {
			id := page[i].ID
			seen[id] = true
			if prev[id] {
				continue
			}
			in := &OpenIncident{IncidentSummary: page[i]}
			switch {
			case f.Agreement != "" && page[i].Ruling != nil:
				in.Rulings = []ruling.Ruling{*page[i].Ruling}
			case f.Agreement == "":
				in.Rulings = rulings[id]
			}
			if err := fn(in); err != nil {
				return err
			}
		}
		if len(page) < pageSize {
			return nil
		}
		prev = seen
	}
}

// pageRulings gives the rulings of a page's incidents under each of the
// agreements (none when the filter names one: the page carries it). The
// filter, without an agreement, selects no ruling, so the same page under
// each agreement lists the same incidents; one a concurrent change moved
// is read alone.
func (a *App) pageRulings(ctx context.Context, f store.Filter, agreements []string, page []store.IncidentSummary) (map[int64][]ruling.Ruling, error) {
	if len(agreements) == 0 || len(page) == 0 {
		return nil, nil
	}
	out := make(map[int64][]ruling.Ruling, len(page))
	want := make(map[int64]int, len(page))
	for _, in := range page {
		want[in.ID] = 0
	}
	for _, ag := range agreements {
		g := f
		g.Agreement, g.NoCount = ag, true
		list, _, err := a.store.Incidents(ctx, g)
		if err != nil {
			return nil, err
		}
		for _, in := range list {
			if _, ok := want[in.ID]; !ok {
				continue
			}
			want[in.ID]++
			if in.Ruling != nil {
				out[in.ID] = append(out[in.ID], *in.Ruling)
			}
		}
	}
	for id, n := range want {
		if n == len(agreements) {
			continue
		}
		d, err := a.store.Incident(ctx, id)
		if err != nil {
			return nil, err
		}
		out[id] = d.Rulings
	}
	return out, nil
}

// ExportFor writes the incidents matching f that u (nil: the public) may
// see to w in one of OpenFormats, redacted for u (EachIncidentFor), and
// returns how many it wrote. It writes as it reads: nothing is held but a
// page.
func (a *App) ExportFor(ctx context.Context, u *workflow.User, format string, f store.Filter, w io.Writer, opt OpenOptions) (int, error) {
	loc := a.DefaultLocation()
	if ag, ok := a.Agreement(f.Agreement); ok {
		loc = ag.Location
	}
	var write func(*OpenIncident) error
	var finish func() error
	switch format {
	case "csv":
		cw := newOpenCSV(w, loc)
		if err := cw.header(opt.HXL); err != nil {
			return 0, err
		}
		write, finish = cw.write, cw.flush
	case "acled":
		aw := acled.NewWriter(w, acled.WriterConfig{Actors: a.Actors, Boundaries: a.Boundaries, Location: loc})
		write = func(in *OpenIncident) error { return aw.WriteIncident(&in.Incident, nil) }
		finish = aw.Flush
	case "geojson":
		fc := &featureCollection{w: bufio.NewWriter(w)}
		write = func(in *OpenIncident) error {
			feat, err := openFeature(in, loc)
			if err != nil {
				return err
			}
			return fc.write(feat)
		}
		finish = fc.close
	case "jsonl":
		jw := jsonl.NewWriter(w)
		write = func(in *OpenIncident) error {
			return jw.Write(struct {
				*incident.Incident
				Grade   string           `json:"grade,omitempty"`
				Rulings []exportedRuling `json:"rulings"`
			}{&in.Incident, in.Grade, exportedRulings(in.Rulings)})
		}
		finish = jw.Flush
	default:
		return 0, fmt.Errorf("unknown open data format %q (known: %v)", format, OpenFormats)
	}
	n := 0
	err := a.EachIncidentFor(ctx, u, f, opt.PageSize, func(in *OpenIncident) error {
		n++
		return write(in)
	})
	if err != nil {
		return n, fmt.Errorf("open data %s: %w", format, err)
	}
	return n, finish()
}

// openFeature is an incident's GeoJSON feature (incidentFeature) with its
// grade.
func openFeature(in *OpenIncident, loc *time.Location) (json.RawMessage, error) {
	f, err := incidentFeature(&in.Incident, in.Rulings, loc)
	if err != nil || in.Grade == "" {
		return f, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(f, &m); err != nil {
		return nil, err
	}
	var props map[string]json.RawMessage
	if err := json.Unmarshal(m["properties"], &props); err != nil {
		return nil, err
	}
	props["grade"], _ = json.Marshal(in.Grade)
	if m["properties"], err = json.Marshal(props); err != nil {
		return nil, err
	}
	return marshalOrdered(m, "type", "id", "geometry", "properties")
}

// OpenColumn is a column of the open data's CSV: its name, its HXL
// hashtag, and what it holds.
type OpenColumn struct {
	Name, HXL, What string
}

// OpenColumns are the columns of the open data's CSV, one row per incident
// and ruling (an incident without a ruling has one row, the ruling's
// columns empty). Lists are separated by "; ". The HXL hashtags are the
// HXL 1.1 core hashtags and attributes, with attributes of truce's own
// (+perpetrator, +accused, ...) where the core has none.
var OpenColumns = []OpenColumn{
	{"id", "#event+code", "the incident's id (/api/incidents/{id})"},
	{"date_start", "#date+occurred+start", "first day (the agreement's time zone)"},
	{"date_end", "#date+occurred+end", "last day, included"},
	{"date_precision", "#meta+date_precision", "the sources' own precision (day, week, ...)"},
	{"title", "#event+name", `the title; "[withheld]" when it is the words of a report the viewer may not read`},
	{"act", "#event+type", "the act (docs/act-types.md)"},
	{"sub_event", "#event+type+sub", "the source's sub-event type"},
	{"place", "#loc+name", "the place's name"},
	{"admin1", "#adm1+code", "governorate P-code"},
	{"admin2", "#adm2+code", "district P-code"},
	{"admin3", "#adm3+code", "sub-district P-code"},
	{"latitude", "#geo+lat", "decimal degrees (WGS 84), when known"},
	{"longitude", "#geo+lon", "decimal degrees (WGS 84), when known"},
	{"geo_precision", "#meta+geo_precision", "exact, near, admin3, admin2, admin1, country or unknown"},
	{"perpetrators", "#group+name+perpetrator", "actors that carried out the act"},
	{"targets", "#group+name+target", "actors that suffered it"},
	{"side_a", "#group+name+side_a", "one side of a clash whose sources do not say who acted"},
	{"side_b", "#group+name+side_b", "the other side"},
	{"killed", "#affected+killed", "deaths, best estimate (empty when the source gives none)"},
	{"killed_low", "#affected+killed+min", "deaths, low estimate"},
	{"killed_high", "#affected+killed+max", "deaths, high estimate"},
	{"civilians_killed", "#affected+killed+civilians", "civilian deaths"},
	{"state", "#status+code", "review state: reported, under_review, verified, disputed, dismissed"},
	{"grade", "#meta+grade", "confidence grade, once set"},
	{"datasets", "#meta+source", "curated datasets among its reports' sources"},
	{"reports", "#meta+reports+num", "number of reports"},
	{"agreement", "#meta+agreement+code", "the agreement of the ruling"},
	{"agreement_version", "#meta+agreement+version", "the version in force"},
	{"verdict", "#status+verdict", "violation, not_violation or undetermined"},
	{"outcome", "#status+outcome", "the verdict with its reason or what is missing"},
	{"parties", "#group+code+accused", "parties the ruling names"},
	{"clauses", "#meta+clause+code", "clauses violated"},
	{"guarantors", "#org+code+guarantor", "guarantors who answer for the parties"},
}

// openCSV writes the open data's CSV.
type openCSV struct {
	w   *csv.Writer
	loc *time.Location
	row []string
}

func newOpenCSV(w io.Writer, loc *time.Location) *openCSV {
	return &openCSV{w: csv.NewWriter(w), loc: loc, row: make([]string, len(OpenColumns))}
}

func (c *openCSV) header(hxl bool) error {
	names := make([]string, len(OpenColumns))
	tags := make([]string, len(OpenColumns))
	for i, col := range OpenColumns {
		names[i], tags[i] = col.Name, col.HXL
	}
	if err := c.w.Write(names); err != nil {
		return err
	}
	if hxl {
		return c.w.Write(tags)
	}
	return nil
}

func (c *openCSV) write(in *OpenIncident) error {
	rs := in.Rulings
	if len(rs) == 0 {
		rs = []ruling.Ruling{{}}
	}
	for _, r := range rs {
		c.fill(in, r)
		for i, v := range c.row {
			// A cell a spreadsheet would take for a formula is written
			// as text, as every CSV writer of truce does.
			c.row[i] = importer.SafeCell(v)
		}
		if err := c.w.Write(c.row); err != nil {
			return err
		}
	}
	return c.w.Error()
}

func (c *openCSV) fill(in *OpenIncident, r ruling.Ruling) {
	start, end := days(in.Occurred, c.loc)
	actors := map[incident.Role][]string{}
	for _, a := range in.Actors {
		actors[a.Role] = append(actors[a.Role], a.Name)
	}
	var lat, lon string
	if in.Place.HasPoint {
		lat, lon = strconv.FormatFloat(in.Place.Lat, 'f', -1, 64), strconv.FormatFloat(in.Place.Lon, 'f', -1, 64)
	}
	best := strconv.Itoa(in.Casualties.Best)
	if in.Casualties.NoBest {
		best = ""
	}
	version, outcome := "", ""
	if r.Agreement != "" {
		version, outcome = strconv.Itoa(r.Version), r.Outcome()
	}
	list := func(xs []string) string { return strings.Join(xs, "; ") }
	c.row = append(c.row[:0],
		strconv.FormatInt(in.ID, 10), start, end, in.Occurred.Precision, in.Title, string(in.Act), in.SubEvent,
		in.Place.Name, in.Place.Admin1, in.Place.Admin2, in.Place.Admin3, lat, lon, string(in.Place.Precision),
		list(actors[incident.Perpetrator]), list(actors[incident.Target]), list(actors[incident.SideA]), list(actors[incident.SideB]),
		best, strconv.Itoa(in.Casualties.Low), strconv.Itoa(in.Casualties.High), strconv.Itoa(in.Casualties.Civilians),
		string(in.State), in.Grade, list(in.Datasets), strconv.Itoa(len(in.ReportIDs)),
		r.Agreement, version, string(r.Verdict), outcome, list(r.Parties), list(r.Clauses), list(r.Guarantors),
	)
}

func (c *openCSV) flush() error {
	c.w.Flush()
	return c.w.Error()
}

// days is a span as the local days its ends fall on, the end excluded.
func days(s incident.TimeSpan, loc *time.Location) (first, last string) {
	if s.Start.IsZero() {
		return "", ""
	}
	start, end := s.Start.In(loc), s.End.In(loc)
	if end.After(start) {
		end = end.Add(-time.Nanosecond)
	} else {
		end = start
	}
	return start.Format("2006-01-02"), end.Format("2006-01-02")
}
