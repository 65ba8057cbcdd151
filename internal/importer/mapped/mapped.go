package mapped

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/actor"
	"github.com/truce-monitor/truce/internal/gazetteer"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/incident"
)

// Config is what reading needs beyond the file.
type Config = importer.Config

// Reader yields one report per row of a mapped CSV file.
type Reader struct {
	importer.Source
	file   string
	m      *Mapping
	cfg    Config
	layout string
	format string
	notes  []string
}

// NewReader reads the header of a CSV file and checks that every column
// the mapping names is in it.
func NewReader(r io.Reader, file string, m *Mapping, cfg Config) (*Reader, error) {
	comma, err := m.delimiter()
	if err != nil {
		return nil, err
	}
	c, err := importer.NewCSVDelimited(r, file, comma)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, u := range m.used() {
		if !c.Has(u[1]) {
			missing = append(missing, fmt.Sprintf("%s: %s names column %q", m.at(u[0]), u[0], u[1]))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: the mapping names columns the file does not have (its columns: %s)%s\n%s",
			file, strings.Join(c.Header, ", "), c.DelimiterHint(), strings.Join(missing, "\n"))
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	l, _ := layout(m.DateFormat)
	rd := &Reader{file: file, m: m, cfg: cfg, layout: l,
		format: fmt.Sprintf("text/csv; source=%s; delimiter=%q; header=%s", m.Source, string(comma), c.HeaderLine())}
	rd.Source = importer.Rows(c, m.checkedColumns(), rd.convert)
	if m.Columns.ID == "" {
		rd.notes = append(rd.notes, fmt.Sprintf("%s: the mapping names no id column: each row is known by a hash of its text, so a corrected row is imported as a new report rather than an update", file))
	}
	return rd, nil
}

// checkedColumns are the columns behind the report fields importer.Check
// may refuse.
func (m *Mapping) checkedColumns() map[string]string {
	c := m.Columns
	out := map[string]string{}
	for field, col := range map[string]string{
		"source_id": c.ID, "occurred.start": c.Date, "occurred.end": cmp.Or(c.DateEnd, c.Date),
		"place.lat": c.Lat, "place.lon": c.Lon, "place.name": c.Place, "description": c.Description,
		"casualties.best": c.Deaths, "casualties.low": cmp.Or(c.DeathsLow, c.Deaths),
		"casualties.high": cmp.Or(c.DeathsHigh, c.Deaths), "casualties.civilians": c.Civilians,
	} {
		if col != "" {
			out[field] = col
		}
	}
	return out
}

// Notes are remarks about the file as a whole.
func (r *Reader) Notes() []string { return r.notes }

func (r *Reader) convert(rec *importer.Record) (*incident.Report, *importer.RowError) {
	c := r.m.Columns
	bad := func(col, format string, args ...any) (*incident.Report, *importer.RowError) {
		return nil, importer.Errorf(r.file, rec.Row, rec.Line, col, rec.Raw, format, args...)
	}
	id := ""
	if c.ID != "" {
		if id = rec.Get(c.ID); id == "" {
			return bad(c.ID, "is empty; the mapping names it as the id column")
		}
	} else {
		sum := sha256.Sum256([]byte(rec.Raw))
		id = "sha256:" + hex.EncodeToString(sum[:16])
	}
	start, startPrec, err := r.date(rec.Get(c.Date))
	if err != nil {
		return bad(c.Date, "%v", err)
	}
	end, endPrec := start, startPrec
	if c.DateEnd != "" && rec.Get(c.DateEnd) != "" {
		if end, endPrec, err = r.date(rec.Get(c.DateEnd)); err != nil {
			return bad(c.DateEnd, "%v", err)
		}
		if end.Before(start) {
			return bad(c.DateEnd, "%s is before the start date %s", rec.Get(c.DateEnd), rec.Get(c.Date))
		}
	}
	span := incident.Days(start, lastDay(end, endPrec), r.cfg.Location)
	if startPrec != "day" && end.Equal(start) {
		span.Precision = startPrec // "2017-03": the month, not 31 days
	}
	if span.Outside(r.cfg.From, r.cfg.To) {
		return nil, nil
	}

	kind := act.Unknown
	if c.Act != "" {
		v := rec.Get(c.Act)
		t, ok := r.m.Acts[v]
		if !ok && act.Valid(act.Type(v)) {
			t, ok = act.Type(v), true
		}
		if !ok && v != "" {
			return bad(c.Act, "%q is not in the mapping's acts (add it to %s, or use a truce act type)", v, r.m.file)
		}
		if ok {
			kind = t
		}
	}

	place, ferr := r.place(rec)
	if ferr != nil {
		return bad(ferr.col, "%s", ferr.msg)
	}

	var cas incident.Casualties
	for _, f := range []struct {
		col string
		dst *int
	}{{c.Deaths, &cas.Best}, {c.DeathsLow, &cas.Low}, {c.DeathsHigh, &cas.High}, {c.Civilians, &cas.Civilians}} {
		if f.col == "" || rec.Get(f.col) == "" {
			continue
		}
		n, err := strconv.Atoi(strings.ReplaceAll(rec.Get(f.col), ",", ""))
		if err != nil || n < 0 {
			return bad(f.col, "%q is not a count of deaths (a whole number, 0 or more)", rec.Get(f.col))
		}
		*f.dst = n
	}
	given := func(col string) bool { return col != "" && rec.Get(col) != "" }
	if !given(c.Deaths) && (given(c.DeathsLow) || given(c.DeathsHigh)) {
		// A range without a best figure: the best is unknown, not 0.
		cas.NoBest = true
	}
	if !given(c.DeathsLow) && !cas.NoBest {
		cas.Low = cas.Best
	}
	if !given(c.DeathsHigh) && !cas.NoBest {
		cas.High = cas.Best
	}

	var actors []incident.ActorRef
	group := 0 // numbers the cells of suspected alternatives in the row
	for _, g := range []struct {
		cols []string
		role incident.Role
	}{{c.Perpetrator, incident.Perpetrator}, {c.Target, incident.Target}, {c.SideA, incident.SideA}, {c.SideB, incident.SideB}} {
		for _, col := range g.cols {
			names := actor.SplitList(rec.Get(col))
			alt := 0
			if len(names) > 1 && slices.Contains(r.m.Alternatives, col) {
				group++
				alt = group
			}
			for _, name := range names {
				ref := incident.ActorRef{Name: name, Role: g.role, Alternative: alt}
				lookup := name
				if to, ok := r.m.Actors[name]; ok {
					lookup = to
				}
				if r.cfg.Actors != nil {
					ref.ID, _ = r.cfg.Actors.Resolve(lookup)
				}
				actors = append(actors, ref)
			}
		}
	}

	var cites []string
	if c.Citations != "" {
		for _, s := range strings.Split(rec.Get(c.Citations), ";") {
			if s = strings.TrimSpace(s); s != "" {
				cites = append(cites, s)
			}
		}
	}
	return &incident.Report{
		Source:         r.m.Source,
		SourceID:       id,
		Kind:           r.m.Kind,
		Occurred:       span,
		Place:          place,
		Actors:         actors,
		Act:            kind,
		Casualties:     cas,
		Description:    rec.Get(c.Description),
		Citations:      cites,
		Language:       r.m.Language,
		SourceGrade:    rec.Get(c.Grade),
		Original:       rec.Raw,
		OriginalFormat: r.format,
	}, nil
}

// date reads a date and what it stands for: the mapping's date precision,
// or the year or month a value of only a year ("2017") or a year and
// month ("2017-03") names.
func (r *Reader) date(s string) (time.Time, string, error) {
	if s == "" {
		return time.Time{}, "", fmt.Errorf("is empty")
	}
	if t, err := time.Parse("2006", s); err == nil {
		return t, "year", nil
	}
	if t, err := time.Parse("2006-01", s); err == nil {
		return t, "month", nil
	}
	t, err := time.Parse(r.layout, s)
	if err != nil {
		return time.Time{}, "", fmt.Errorf("%q is not a date in the mapping's format %s", s, r.m.DateFormat)
	}
	return t, r.m.DatePrecision, nil
}

// lastDay is the last day a date of that precision stands for.
func lastDay(t time.Time, precision string) time.Time {
	switch precision {
	case "year":
		return time.Date(t.Year(), 12, 31, 0, 0, 0, 0, t.Location())
	case "month":
		return time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, t.Location())
	}
	return t
}

type fieldErr struct{ col, msg string }

func (r *Reader) place(rec *importer.Record) (incident.Place, *fieldErr) {
	c := r.m.Columns
	p := incident.Place{Name: rec.Get(c.Place), Precision: incident.PlaceUnknown}
	if c.Lat != "" && (rec.Get(c.Lat) != "" || rec.Get(c.Lon) != "") {
		lat, lon, field, msg := importer.ParsePoint(rec.Get(c.Lat), rec.Get(c.Lon))
		if field != "" {
			return p, &fieldErr{strings.NewReplacer("latitude", c.Lat, "longitude", c.Lon).Replace(field), msg}
		}
		p.Lat, p.Lon, p.HasPoint, p.Precision = lat, lon, true, r.m.Precision
		importer.Locate(&p, r.cfg.Boundaries)
		return p, nil
	}
	if p.Name == "" {
		col := c.Place
		if col == "" {
			col = c.Lat
		}
		return p, &fieldErr{col, "is empty: the row has neither coordinates nor a place name"}
	}
	if r.cfg.Places == nil {
		return p, &fieldErr{c.Place, fmt.Sprintf("%q has no coordinates and no gazetteer is loaded", p.Name)}
	}
	if r.m.PlaceLevel != "town" {
		g, msg := r.unit(p.Name, rec.Get(c.Admin1))
		if msg != "" {
			return p, &fieldErr{c.Place, msg}
		}
		return importer.PlaceFromGazetteer(p.Name, g, false), nil
	}
	g, err := r.cfg.Places.Resolve(p.Name, rec.Get(c.Admin1))
	if err != nil {
		return p, &fieldErr{c.Place, err.Error()}
	}
	return importer.PlaceFromGazetteer(p.Name, g, r.m.Precision == incident.PlaceExact), nil
}

// unit finds the administrative unit of the mapping's place level a name
// names (within a governorate, when given): a governorate's name stays a
// governorate, never the point of its capital.
func (r *Reader) unit(name, within string) (gazetteer.Place, string) {
	kind := map[string]gazetteer.Kind{"admin1": gazetteer.Governorate, "admin2": gazetteer.District, "admin3": gazetteer.SubDistrict}[r.m.PlaceLevel]
	var found []gazetteer.Place
	for _, g := range r.cfg.Places.LookupKind(name, kind) {
		if within == "" || strings.HasPrefix(g.PCode, r.withinCode(within)) {
			found = append(found, g)
		}
	}
	switch len(found) {
	case 1:
		return found[0], ""
	case 0:
		return gazetteer.Place{}, fmt.Sprintf("%q is not the name of a %s (the mapping's place_level is %s)", name, kind, r.m.PlaceLevel)
	}
	var codes []string
	for _, g := range found {
		codes = append(codes, g.PCode)
	}
	return gazetteer.Place{}, fmt.Sprintf("%q names several %ss (%s): give the governorate column", name, kind, strings.Join(codes, ", "))
}

// withinCode is the P-code of the governorate a row names, or the name
// itself when it is not one (nothing then matches, which is said).
func (r *Reader) withinCode(name string) string {
	if gs := r.cfg.Places.LookupKind(name, gazetteer.Governorate); len(gs) == 1 {
		return gs[0].PCode
	}
	return name
}
