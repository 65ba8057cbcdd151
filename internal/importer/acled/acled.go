// Package acled reads and writes event data in the CSV format of the Armed
// Conflict Location & Event Data Project (ACLED), with the columns of its
// codebook.
package acled

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/incident"
)

// SourceName is the Source of every report this package reads.
const SourceName = "acled"

// Columns are ACLED's columns in the codebook's order; the writer writes
// them all.
func Columns() []string {
	return []string{
		"event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
		"actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
		"iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
		"source", "source_scale", "notes", "fatalities", "tags", "timestamp",
	}
}

// required are the columns without which a row cannot be read. The others
// are kept in the original record when present.
var required = []string{"event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1", "actor2", "location", "latitude", "longitude", "geo_precision", "fatalities"}

// Config is what reading needs beyond the file.
type Config = importer.Config

// Reader yields one report per ACLED event.
type Reader struct {
	importer.Source
	file   string
	cfg    Config
	format string
	notes  []string
	codes  map[[2]string]Coding
}

// Format is the OriginalFormat of reports read from a file with header.
func Format(header string) string { return "text/csv; source=acled; header=" + header }

// NewReader checks the header of an ACLED CSV file.
func NewReader(r io.Reader, file string, cfg Config) (*Reader, error) {
	c, err := importer.NewCSV(r, file)
	if err != nil {
		return nil, err
	}
	if err := c.Require(required...); err != nil {
		return nil, err
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	rd := &Reader{file: file, cfg: cfg, format: Format(c.HeaderLine()), codes: map[[2]string]Coding{}}
	rd.Source = importer.KeyedRows(c, checkedColumns, SourceName, "event_id_cnty", rd.format, cfg.Stored, rd.convert)
	for _, cd := range Codings() {
		rd.codes[[2]string{cd.EventType, cd.SubEventType}] = cd
	}
	known := map[string]bool{}
	for _, col := range Columns() {
		known[col] = true
	}
	var unknown []string
	for _, h := range c.Header {
		if h = strings.TrimSpace(h); !known[h] {
			unknown = append(unknown, h)
		}
	}
	if len(unknown) > 0 {
		rd.notes = append(rd.notes, fmt.Sprintf("%s: column(s) %s are not in ACLED's codebook: kept in each original record, not interpreted", file, strings.Join(unknown, ", ")))
	}
	return rd, nil
}

// checkedColumns are the columns behind the report fields importer.Check
// may refuse.
var checkedColumns = map[string]string{
	"source_id": "event_id_cnty", "occurred.start": "event_date", "occurred.end": "event_date",
	"reported_at": "timestamp", "place.lat": "latitude", "place.lon": "longitude", "description": "notes",
	"casualties.low": "fatalities", "casualties.best": "fatalities", "casualties.high": "fatalities", "casualties.civilians": "fatalities",
}

// Notes are remarks about the file as a whole, such as columns truce does
// not read.
func (r *Reader) Notes() []string { return r.notes }

func (r *Reader) convert(rec *importer.Record) (*incident.Report, *importer.RowError) {
	bad := func(col, format string, args ...any) (*incident.Report, *importer.RowError) {
		return nil, importer.Errorf(r.file, rec.Row, rec.Line, col, rec.Raw, format, args...)
	}
	id := rec.Get("event_id_cnty")
	if id == "" {
		return bad("event_id_cnty", "is empty; every ACLED event has an id")
	}
	d, err := ParseDate(rec.Get("event_date"))
	if err != nil {
		return bad("event_date", "%v", err)
	}
	var span incident.TimeSpan
	switch tp := rec.Get("time_precision"); tp {
	case "", "1":
		span = incident.Day(d.Year(), d.Month(), d.Day(), r.cfg.Location)
	case "2":
		// The source named a week or a weekend; ACLED codes a day within
		// it, so the event lies within three days either side.
		span = incident.Days(d.AddDate(0, 0, -3), d.AddDate(0, 0, 3), r.cfg.Location)
		span.Precision = "week"
	case "3":
		first := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, r.cfg.Location)
		span = incident.TimeSpan{Start: first, End: first.AddDate(0, 1, 0), Precision: "month"}
	default:
		return bad("time_precision", "%q is not an ACLED time precision (1 day, 2 week, 3 month)", tp)
	}
	if span.Outside(r.cfg.From, r.cfg.To) {
		return nil, nil
	}
	var flags []string
	if y := rec.Get("year"); y != "" && y != strconv.Itoa(d.Year()) {
		flags = append(flags, fmt.Sprintf("year %s does not match event_date %s", y, rec.Get("event_date")))
	}

	et, st := rec.Get("event_type"), rec.Get("sub_event_type")
	coding, ok := r.codes[[2]string{et, st}]
	if !ok {
		if coding, ok = fallback(et); !ok {
			return bad("event_type", "%q is not an ACLED event type (Battles, Explosions/Remote violence, Violence against civilians, Protests, Riots, Strategic developments)", et)
		}
		flags = append(flags, fmt.Sprintf("sub_event_type %q is not in ACLED's codebook; act taken from event_type %q", st, et))
	}

	place, ferr := r.place(rec)
	if ferr != nil {
		return bad(ferr.col, "%s", ferr.msg)
	}

	fat := rec.Get("fatalities")
	n, err := strconv.Atoi(fat)
	if fat == "" {
		n, err = 0, nil
	}
	if err != nil || n < 0 {
		return bad("fatalities", "%q is not a count of deaths (a whole number, 0 or more)", fat)
	}
	cas := incident.Casualties{Low: n, Best: n, High: n}
	if rec.Get("civilian_targeting") != "" {
		cas.Civilians = n
	}

	roleA, roleB := incident.Perpetrator, incident.Target
	if coding.Sided {
		roleA, roleB = incident.SideA, incident.SideB
	}
	var actors []incident.ActorRef
	for _, col := range []struct {
		name  string
		role  incident.Role
		assoc bool
	}{{"actor1", roleA, false}, {"assoc_actor_1", roleA, true}, {"actor2", roleB, false}, {"assoc_actor_2", roleB, true}} {
		for _, name := range splitSemi(rec.Get(col.name)) {
			ref := incident.ActorRef{Name: name, Role: col.role, Associate: col.assoc}
			if r.cfg.Actors != nil {
				ref.ID, _ = r.cfg.Actors.Resolve(name)
			}
			actors = append(actors, ref)
		}
	}
	if len(actors) == 0 {
		return bad("actor1", "is empty; ACLED names the actor of every event")
	}
	var init *incident.Initiator
	if d, ok := directional[st]; ok && coding.SubEventType == st && rec.Get("actor1") != "" {
		init = &incident.Initiator{Actor: actors[0].Name, ID: actors[0].ID,
			Field: fmt.Sprintf("ACLED sub_event_type %q", st), Means: d.means, Confidence: d.confidence}
	}

	rep := &incident.Report{
		Source:         SourceName,
		SourceID:       id,
		Kind:           incident.FromDataset,
		Occurred:       span,
		Place:          place,
		Actors:         actors,
		Act:            coding.Act,
		Casualties:     cas,
		Description:    rec.Get("notes"),
		Citations:      splitSemi(rec.Get("source")),
		Language:       "en",
		Flags:          flags,
		Original:       rec.Raw,
		OriginalFormat: r.format,
		SubEvent:       st,
		Initiator:      init,
	}
	if ts := rec.Get("timestamp"); ts != "" {
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil || sec < 0 {
			return bad("timestamp", "%q is not a Unix time in seconds", ts)
		}
		rep.ReportedAt = time.Unix(sec, 0).UTC()
	}
	return rep, nil
}

// directional are the sub-event types whose coding says that actor1
// acted, with what the coding means and how far it settles it. Battles
// that took ground are "sided" for the act (the fighting itself has no
// coded initiator) but their sub-event names who took the ground; remote
// violence names who fired. A landmine may have been laid long before the
// event and by someone other than the coded actor, so that coding is of
// medium confidence only. Every other sub-event type leaves the initiator
// to the roles (or unknown).
var directional = map[string]struct{ means, confidence string }{
	"Government regains territory":        {"actor1 took the ground from actor2", incident.ConfidenceHigh},
	"Non-state actor overtakes territory": {"actor1 took the ground from actor2", incident.ConfidenceHigh},
	"Air/drone strike":                    {"actor1 carried out the strike", incident.ConfidenceHigh},
	"Shelling/artillery/missile attack":   {"actor1 fired", incident.ConfidenceHigh},
	"Remote explosive/landmine/IED":       {"actor1 laid or set off the device, which may have been laid earlier", incident.ConfidenceMedium},
}

type fieldErr struct{ col, msg string }

// place reads the coordinates, or finds the named location in the
// gazetteer when a row has none.
func (r *Reader) place(rec *importer.Record) (incident.Place, *fieldErr) {
	p := incident.Place{Name: rec.Get("location")}
	slat, slon := rec.Get("latitude"), rec.Get("longitude")
	gp := rec.Get("geo_precision")
	if slat == "" && slon == "" {
		return r.geocode(rec, p, gp)
	}
	lat, lon, field, msg := importer.ParsePoint(slat, slon)
	if field != "" {
		return p, &fieldErr{field, msg}
	}
	p.Lat, p.Lon, p.HasPoint = lat, lon, true
	importer.Locate(&p, r.cfg.Boundaries)
	// ACLED's geo_precision: 1 the town itself, 2 a part of a region or
	// near a town, 3 only a larger region is named and its capital or a
	// natural location stands in for it.
	switch gp {
	case "1":
		p.Precision = incident.PlaceExact
	case "2":
		p.Precision = incident.PlaceNear
	case "3":
		p.Precision, p.Area = incident.PlaceAdmin1, p.Admin1
	default:
		return p, &fieldErr{"geo_precision", fmt.Sprintf("%q is not an ACLED geo precision (1, 2 or 3)", gp)}
	}
	p.KeepKnownLevels()
	return p, nil
}

// dateLayouts are the forms event_date takes: ACLED's own "02 June 2023"
// in its exports and ISO dates from its API and spreadsheets.
var dateLayouts = [...]string{"02 January 2006", "2 January 2006", "2006-01-02", "02-January-2006", "2 Jan 2006", "02 Jan 2006"}

// ParseDate reads an ACLED event date.
func ParseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("is empty")
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	// ISO timestamps: the date part is the event date, but a time that
	// is no time of day (hour 25) makes the whole date doubtful.
	if len(s) > 10 && (s[10] == 'T' || s[10] == ' ') {
		if _, err := time.Parse("2006-01-02", s[:10]); err == nil {
			return importer.DatePart(s)
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (want \"02 June 2023\" or 2023-06-02)", s)
}

// splitSemi splits ACLED's lists (associated actors, sources), which are
// separated by semicolons; names themselves may hold commas.
func splitSemi(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// geocode places a row that names a location but gives no coordinates. A
// name the gazetteer does not know, or knows as several places, rejects
// the row: a guessed place would decide a ruling on a zone.
func (r *Reader) geocode(rec *importer.Record, p incident.Place, gp string) (incident.Place, *fieldErr) {
	if p.Name == "" {
		return p, &fieldErr{"latitude", "is empty, and so are longitude and location: the event has no place"}
	}
	if r.cfg.Places == nil {
		return p, &fieldErr{"latitude", "is empty; give coordinates (no gazetteer is loaded to find " + strconv.Quote(p.Name) + ")"}
	}
	within := rec.Get("admin1")
	g, err := r.cfg.Places.Resolve(p.Name, within)
	if err != nil {
		return p, &fieldErr{"location", err.Error()}
	}
	return importer.PlaceFromGazetteer(p.Name, g, gp == "1"), nil
}
