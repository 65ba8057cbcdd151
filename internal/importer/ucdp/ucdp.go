// Package ucdp reads the UCDP Georeferenced Event Dataset (GED) in its CSV
// form. Codes follow the GED codebook (version 19.1 and later).
package ucdp

import (
	"fmt"
	"io"
	"maps"
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

// SourceName is the Source of every report this package makes.
const SourceName = "ucdp-ged"

// columns are the GED columns a row must have to be read.
var columns = []string{
	"id", "type_of_violence", "side_a", "side_b", "source_article", "source_headline",
	"where_prec", "where_coordinates", "latitude", "longitude", "date_prec", "date_start", "date_end",
	"deaths_civilians", "low", "best", "high",
}

// Config is what reading needs beyond the file.
type Config = importer.Config

// Reader yields one report per GED event.
type Reader struct {
	importer.Source
	file   string
	cfg    Config
	format string
}

// NewReader checks the header of a GED CSV file.
func NewReader(r io.Reader, file string, cfg Config) (*Reader, error) {
	c, err := importer.NewCSV(r, file)
	if err != nil {
		return nil, err
	}
	if err := c.Require(columns...); err != nil {
		return nil, err
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	rd := &Reader{file: file, cfg: cfg, format: "text/csv; source=ucdp-ged; header=" + c.HeaderLine()}
	rd.Source = importer.KeyedRows(c, checkedColumns, SourceName, "id", rd.format, cfg.Stored, rd.convert)
	return rd, nil
}

// checkedColumns are the columns behind the report fields importer.Check
// may refuse.
var checkedColumns = map[string]string{
	"source_id": "id", "occurred.start": "date_start", "occurred.end": "date_end", "reported_at": "source_date",
	"place.lat": "latitude", "place.lon": "longitude", "description": "source_headline",
	"casualties.low": "low", "casualties.best": "best", "casualties.high": "high", "casualties.civilians": "deaths_civilians",
}

// articleColumns are checkedColumns for PerSource's reports, whose
// headline and date come from the article.
var articleColumns = func() map[string]string {
	m := maps.Clone(checkedColumns)
	m["description"], m["reported_at"] = "source_article", "source_article"
	return m
}()

// convert maps one GED row onto a report; a nil report with a nil error
// means the row lies outside the requested period.
func (r *Reader) convert(rec *importer.Record) (*incident.Report, *importer.RowError) {
	bad := func(col, format string, args ...any) (*incident.Report, *importer.RowError) {
		return nil, importer.Errorf(r.file, rec.Row, rec.Line, col, rec.Raw, format, args...)
	}
	id := rec.Get("id")
	if id == "" {
		return bad("id", "is empty; every GED event has an id")
	}
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		return bad("id", "%q is not a GED event id (a whole number)", id)
	}
	start, err := parseDate(rec.Get("date_start"))
	if err != nil {
		return bad("date_start", "%v", err)
	}
	end, err := parseDate(rec.Get("date_end"))
	if err != nil {
		return bad("date_end", "%v", err)
	}
	if end.Before(start) {
		return bad("date_end", "%s is before date_start %s", rec.Get("date_end"), rec.Get("date_start"))
	}
	span := incident.Days(start, end, r.cfg.Location)
	if dp := rec.Get("date_prec"); dp != "" {
		p, ok := datePrecision[dp]
		if !ok {
			return bad("date_prec", "%q is not a GED date precision (1-5)", dp)
		}
		span.Precision = p
	}
	if span.Outside(r.cfg.From, r.cfg.To) {
		return nil, nil
	}

	var kind act.Type
	var roleA, roleB incident.Role
	switch tv := rec.Get("type_of_violence"); tv {
	case "1", "2":
		// State-based and non-state conflict: GED names the sides, not
		// who attacked whom.
		kind, roleA, roleB = act.ArmedClash, incident.SideA, incident.SideB
	case "3":
		// One-sided violence: side_a against civilians.
		kind, roleA, roleB = act.AttackOnCivilians, incident.Perpetrator, incident.Target
	default:
		return bad("type_of_violence", "%q is not 1 (state-based), 2 (non-state) or 3 (one-sided)", tv)
	}

	place, ferr := r.place(rec)
	if ferr != nil {
		return bad(ferr.col, "%s", ferr.msg)
	}

	var cas incident.Casualties
	for _, f := range []struct {
		col string
		dst *int
	}{{"low", &cas.Low}, {"best", &cas.Best}, {"high", &cas.High}, {"deaths_civilians", &cas.Civilians}} {
		n, err := strconv.Atoi(rec.Get(f.col))
		if err != nil || n < 0 {
			return bad(f.col, "%q is not a count of deaths (a whole number, 0 or more)", rec.Get(f.col))
		}
		*f.dst = n
	}
	var flags []string
	if cas.Low > cas.Best || cas.Best > cas.High {
		// GED itself has such rows; the event is real, so it is kept with
		// its figures as published and flagged rather than rejected.
		flags = append(flags, fmt.Sprintf("deaths low %d, best %d, high %d are not in order low ≤ best ≤ high", cas.Low, cas.Best, cas.High))
	}

	var actors []incident.ActorRef
	for _, side := range []struct {
		col  string
		role incident.Role
	}{{"side_a", roleA}, {"side_b", roleB}} {
		names := actor.SplitList(rec.Get(side.col))
		if len(names) == 0 {
			return bad(side.col, "is empty; GED names both sides of every event")
		}
		for _, n := range names {
			ref := incident.ActorRef{Name: n, Role: side.role}
			if r.cfg.Actors != nil {
				ref.ID, _ = r.cfg.Actors.Resolve(n)
			}
			actors = append(actors, ref)
		}
	}

	var init *incident.Initiator
	if roleA == incident.Perpetrator {
		// GED's codebook defines one-sided violence as the use of armed
		// force by side_a against civilians: the perpetrator is coded.
		init = &incident.Initiator{Actor: actors[0].Name, ID: actors[0].ID,
			Field: "UCDP type_of_violence 3 (one-sided violence)", Means: "side_a used armed force against civilians", Confidence: incident.ConfidenceHigh}
	}

	rep := &incident.Report{
		Source:         SourceName,
		SourceID:       id,
		Kind:           incident.FromDataset,
		Occurred:       span,
		Place:          place,
		Actors:         actors,
		Act:            kind,
		Casualties:     cas,
		Description:    rec.Get("source_headline"),
		Citations:      citations(rec.Get("source_article")),
		Language:       "en",
		Flags:          flags,
		Original:       rec.Raw,
		OriginalFormat: r.format,
		Initiator:      init,
	}
	if sd := rec.Get("source_date"); sd != "" {
		first, _, _ := strings.Cut(sd, ";")
		if t, err := parseDate(first); err == nil {
			t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, r.cfg.Location)
			// GED writes 1753-01-01 (SQL Server's earliest date) for an
			// article date it lacks, and has typos (2919-02-06): the event
			// is no less real, so the date is dropped and the row flagged
			// rather than rejected by importer.Check.
			if why := importer.ImplausibleReportTime(t, time.Now()); why != "" {
				rep.Flags = append(rep.Flags, "source_date "+why+"; not kept")
			} else {
				rep.ReportedAt = t
			}
		}
	}
	return rep, nil
}

// datePrecision is GED's date_prec.
var datePrecision = map[string]string{
	"1": "day",
	"2": "2-6 days",
	"3": "week",
	"4": "month",
	"5": "more than a month",
}

type fieldErr struct{ col, msg string }

func (r *Reader) place(rec *importer.Record) (incident.Place, *fieldErr) {
	p := incident.Place{Name: rec.Get("where_coordinates")}
	lat, lon, field, msg := importer.ParsePoint(rec.Get("latitude"), rec.Get("longitude"))
	if field != "" {
		return p, &fieldErr{field, msg}
	}
	p.Lat, p.Lon, p.HasPoint = lat, lon, true
	importer.Locate(&p, r.cfg.Boundaries)
	// GED's where_prec: 1 exact, 2 within 25 km, 3 second-order unit,
	// 4 first-order unit, 5 a larger or linear region, 6 country,
	// 7 international waters or airspace. For 3 and 4 the point stands
	// for the unit that contains it.
	switch wp := rec.Get("where_prec"); wp {
	case "1":
		p.Precision = incident.PlaceExact
	case "2":
		p.Precision = incident.PlaceNear
	case "3":
		p.Precision, p.Area = incident.PlaceAdmin2, p.Admin2
	case "4":
		p.Precision, p.Area = incident.PlaceAdmin1, r.governorate(rec.Get("adm_1"), p.Admin1)
		p.Admin1 = p.Area
	case "5":
		// A region such as "Southern Idlib Governorate": larger than a
		// district, but within the province GED names in adm_1, when it
		// names one.
		if gov := r.governorate(rec.Get("adm_1"), p.Admin1); rec.Get("adm_1") != "" && gov != "" {
			p.Precision, p.Area, p.Admin1 = incident.PlaceAdmin1, gov, gov
		} else {
			p.Precision = incident.PlaceCountry
		}
	case "6":
		p.Precision = incident.PlaceCountry
	case "7":
		p.Precision = incident.PlaceUnknown
	default:
		return p, &fieldErr{"where_prec", fmt.Sprintf("%q is not a GED place precision (1-7)", wp)}
	}
	p.KeepKnownLevels()
	return p, nil
}

// governorate is the P-code of the governorate GED names in adm_1
// ("Tartus Governorate"), found by name: GED's point for a province can lie
// outside it (Tartus's was placed in Hama). Without a name the gazetteer
// knows, the point's governorate (fallback) stands.
func (r *Reader) governorate(adm1, fallback string) string {
	name := strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(adm1, " Governorate"), " governorate"))
	if name == "" || r.cfg.Places == nil {
		return fallback
	}
	if gs := r.cfg.Places.LookupKind(name, gazetteer.Governorate); len(gs) == 1 {
		return gs[0].PCode
	}
	return fallback
}

// parseDate reads GED dates, written "2017-01-07" or, in some releases,
// "2017-01-07 00:00:00.000".
func parseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("is empty")
	}
	return importer.DatePart(s)
}

// citations splits GED's source_article, a ';'-separated list of quoted
// "Outlet,date,headline" entries.
func citations(s string) []string {
	var out []string
	for _, part := range strings.Split(s, "\";\"") {
		part = strings.Trim(strings.TrimSpace(part), "\"")
		if part != "" {
			out = append(out, part)
		}
	}
	return out
}

// ArticleSource names the reports PerSource makes, one per article.
const ArticleSource = "ucdp-ged-article"

// PerSource splits every GED event into one report per source article
// its source_article field cites ("Outlet,date,headline" each), as if
// each article had been reported on its own: the event's coded facts,
// the article's outlet, date and headline. Their ids are the event's id,
// "#" and the article's place in the list, so that clustering can be
// scored against GED's own grouping (docs/clustering.md).
func PerSource(src importer.Source) importer.Source { return &perSource{src: src} }

type perSource struct {
	src     importer.Source
	pending []importer.Row
}

func (p *perSource) Next() (importer.Row, bool, error) {
	if len(p.pending) > 0 {
		row := p.pending[0]
		p.pending = p.pending[1:]
		return row, true, nil
	}
	row, ok, err := p.src.Next()
	if !ok || err != nil || row.Report == nil {
		return row, ok, err
	}
	ev := row.Report
	for k, art := range ev.Citations {
		r := *ev
		r.Source, r.SourceID, r.Kind = ArticleSource, fmt.Sprintf("%s#%d", ev.SourceID, k+1), incident.FromNews
		r.Citations = []string{art}
		parts := strings.SplitN(art, ",", 3)
		r.Outlet = strings.TrimSpace(parts[0])
		if len(parts) == 3 {
			r.Description = strings.TrimSpace(parts[2])
			if t, err := parseDate(strings.TrimSpace(parts[1])); err == nil && importer.ImplausibleReportTime(t, time.Now()) == "" {
				r.ReportedAt = t
			}
		}
		r.Actors = slices.Clone(ev.Actors)
		p.pending = append(p.pending, importer.Row{Report: &r, At: row.At, Columns: articleColumns})
	}
	if len(p.pending) == 0 {
		return row, true, nil
	}
	return p.Next()
}
