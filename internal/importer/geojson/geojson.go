// Package geojson reads and writes GeoJSON FeatureCollections of point
// events. Reading streams one feature at a time, so a file of any size is
// read in constant memory.
package geojson

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/importer/acled"
	"github.com/truce-monitor/truce/internal/incident"
)

// MediaType is the OriginalFormat of reports read from GeoJSON.
const MediaType = "application/geo+json"

// Config is what reading needs beyond the file.
type Config = importer.Config

// maxFeature bounds one feature (and one member before "features"), so
// that a file that is not what it claims cannot take all memory.
const maxFeature = 16 << 20

// Reader yields one report per feature.
type Reader struct {
	file  string
	lines *lineReader
	dec   *json.Decoder
	cfg   Config
	n     int // features read
	done  bool
}

// NewReader reads up to the first feature of a FeatureCollection.
func NewReader(r io.Reader, file string, cfg Config) (*Reader, error) {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Source == "" {
		cfg.Source = "geojson"
	}
	lr := &lineReader{r: importer.SkipBOM(r, 4096), line: 1}
	rd := &Reader{file: file, lines: lr, dec: json.NewDecoder(lr), cfg: cfg}
	if err := rd.start(); err != nil {
		return nil, err
	}
	return rd, nil
}

// start walks the top-level object to the features array. Members before
// it are checked ("type") or skipped.
func (r *Reader) start() error {
	tok, err := r.dec.Token()
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: file is empty (want a GeoJSON FeatureCollection)", r.file)
	}
	if err != nil {
		return r.syntax(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("%s: not a GeoJSON FeatureCollection (the file does not start with an object)", r.file)
	}
	for r.dec.More() {
		r.lines.release(r.dec.InputOffset())
		tok, err := r.dec.Token()
		if err != nil {
			return r.syntax(err)
		}
		key, _ := tok.(string)
		switch key {
		case "features":
			tok, err := r.dec.Token()
			if err != nil {
				return r.syntax(err)
			}
			if d, ok := tok.(json.Delim); !ok || d != '[' {
				return fmt.Errorf("%s: \"features\" is not an array", r.file)
			}
			return nil
		case "type":
			var t string
			if err := r.dec.Decode(&t); err != nil {
				return r.syntax(err)
			}
			if t != "FeatureCollection" {
				return fmt.Errorf("%s: GeoJSON type is %q; truce imports a FeatureCollection", r.file, t)
			}
		default:
			// Other members (name, crs, bbox) are not truce's business;
			// decoding into RawMessage skips them without building them.
			var skip json.RawMessage
			if err := r.dec.Decode(&skip); err != nil {
				return r.syntax(err)
			}
		}
	}
	return fmt.Errorf("%s: not a GeoJSON FeatureCollection (no \"features\" member)", r.file)
}

// syntax describes a fault of the file's JSON with where it is.
func (r *Reader) syntax(err error) error {
	off := r.dec.InputOffset()
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		// Where the file stops is the place to look.
		off = r.lines.end()
	}
	// The decoder reports syntax errors inside a value at the value's
	// start, which is also the more useful place to look.
	var se *json.SyntaxError
	if errors.As(err, &se) && se.Offset > off {
		off = se.Offset
	}
	where := fmt.Sprintf("byte %d", off)
	if line := r.lines.at(off); line > 0 {
		where = fmt.Sprintf("line %d, byte %d", line, off)
	}
	var big *tooLarge
	switch {
	case errors.As(err, &big):
		return fmt.Errorf("%s: %w (near %s); is this a FeatureCollection of points?", r.file, err, where)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return fmt.Errorf("%s: the file ends in the middle of a JSON value (%s): truncated?", r.file, where)
	}
	return fmt.Errorf("%s: invalid JSON near %s: %w", r.file, where, err)
}

// Next implements importer.Source. A feature that is not valid JSON ends
// the file, since nothing after it can be trusted to be framed right;
// the features before it are kept.
func (r *Reader) Next() (importer.Row, bool, error) {
	if r.done {
		return importer.Row{}, false, nil
	}
	r.lines.release(r.dec.InputOffset())
	if !r.dec.More() {
		r.done = true
		// Checks the collection is closed, so that a truncated file is
		// not taken for a whole one.
		if _, err := r.dec.Token(); err != nil {
			return importer.Row{}, false, r.syntax(err)
		}
		return importer.Row{}, false, nil
	}
	var raw json.RawMessage
	if err := r.dec.Decode(&raw); err != nil {
		r.done = true
		return importer.Row{}, false, fmt.Errorf("feature %d: %w", r.n+1, r.syntax(err))
	}
	r.n++
	// RawMessage holds the feature's bytes as they stood, so its start is
	// its length back from where the decoder stopped.
	line := r.lines.at(r.dec.InputOffset() - int64(len(raw)))
	rep, rowErr := r.convert(raw, line)
	return importer.Row{Report: rep, Err: rowErr, Columns: checkedColumns,
		At: importer.RowError{File: r.file, Row: r.n, Line: line, Original: string(raw)}}, true, nil
}

// checkedColumns are the properties behind the report fields
// importer.Check may refuse.
var checkedColumns = map[string]string{
	"occurred.start": "date_start", "occurred.end": "date_end", "place.lat": "geometry", "place.lon": "geometry",
	"place.name": "place", "casualties.low": "deaths_low", "casualties.best": "deaths_best",
	"casualties.high": "deaths_high", "casualties.civilians": "deaths_civilians",
}

// lineReader counts lines under the decoder, so that messages can say
// where in the file a feature is. It keeps only the bytes the decoder has
// read but not yet finished with, which the decoder holds anyway.
type lineReader struct {
	r    io.Reader
	buf  []byte // bytes from offset base on
	base int64
	line int // line of offset base
}

type tooLarge struct{ n int }

func (e *tooLarge) Error() string {
	return fmt.Sprintf("one JSON value is larger than %d MiB", e.n>>20)
}

func (l *lineReader) Read(p []byte) (int, error) {
	if len(l.buf) > maxFeature {
		return 0, &tooLarge{maxFeature}
	}
	// A short read keeps the decoder from pulling a huge value in whole
	// before the check above sees it.
	if room := maxFeature + 1 - len(l.buf); len(p) > room {
		p = p[:room]
	}
	n, err := l.r.Read(p)
	l.buf = append(l.buf, p[:n]...)
	return n, err
}

// release moves the base to off, counting the lines before it; offsets
// must not go back.
func (l *lineReader) release(off int64) {
	k := int(min(max(off-l.base, 0), int64(len(l.buf))))
	l.line += bytes.Count(l.buf[:k], []byte{'\n'})
	l.buf = l.buf[k:]
	l.base += int64(k)
	if cap(l.buf) > 4*len(l.buf)+4096 {
		// Slicing forward never frees the front of the array; copying the
		// short tail out does.
		l.buf = append([]byte(nil), l.buf...)
	}
}

// end is the offset of the last byte read.
func (l *lineReader) end() int64 { return l.base + int64(len(l.buf)) }

// at returns the line of offset off, 0 if it has been released.
func (l *lineReader) at(off int64) int {
	if off < l.base {
		return 0
	}
	l.release(off)
	return l.line
}

type feature struct {
	Type     string                     `json:"type"`
	ID       json.RawMessage            `json:"id"`
	Geometry *geometry                  `json:"geometry"`
	Props    map[string]json.RawMessage `json:"properties"`
}

type geometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// props reads properties by name, trying aliases in order.
type props map[string]json.RawMessage

// str returns the first of names present as a string (numbers are
// accepted as written) and the name found.
func (p props) str(names ...string) (string, string, error) {
	for _, n := range names {
		v, ok := p[n]
		if !ok || string(v) == "null" {
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			return strings.TrimSpace(s), n, nil
		}
		var num json.Number
		if err := json.Unmarshal(v, &num); err == nil {
			return num.String(), n, nil
		}
		return "", n, fmt.Errorf("is %s; want a string", v)
	}
	return "", "", nil
}

func (r *Reader) convert(raw json.RawMessage, line int) (*incident.Report, *importer.RowError) {
	bad := func(field, format string, args ...any) (*incident.Report, *importer.RowError) {
		return nil, importer.Errorf(r.file, r.n, line, field, string(raw), format, args...)
	}
	// encoding/json replaces invalid UTF-8 silently; check first. Like
	// every format's rows, a feature that is not UTF-8 is rejected on its
	// own and reading goes on (docs/formats.md).
	if i := importer.FirstInvalidUTF8(raw); i >= 0 {
		field := strings.TrimPrefix(importer.JSONField(raw, i), "properties.")
		return bad(field, "is not UTF-8 text; convert the file to UTF-8")
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err == nil {
		raw = compact.Bytes()
	}
	var f feature
	if err := json.Unmarshal(raw, &f); err != nil {
		return bad("", "is not a GeoJSON feature: %v", err)
	}
	if f.Type != "Feature" {
		return bad("type", "is %q; want \"Feature\"", f.Type)
	}
	p := props(f.Props)
	rep := &incident.Report{Kind: incident.FromDataset, Act: act.Unknown, Original: string(raw), OriginalFormat: MediaType}

	var err error
	var field string
	if rep.Source, _, err = p.str("source"); err != nil {
		return bad("source", "%v", err)
	}
	if rep.Source == "" {
		rep.Source = r.cfg.Source
	}
	if rep.SourceID, _, err = p.str("source_id", "id", "event_id", "event_id_cnty"); err != nil {
		return bad("source_id", "%v", err)
	}
	if rep.SourceID == "" {
		if rep.SourceID, err = featureID(f.ID); err != nil {
			return bad("id", "%v", err)
		}
	}
	if rep.SourceID == "" {
		// Without an id, a feature is known by its content, so that a
		// re-import of the same file changes nothing. The content is
		// hashed compacted, so re-indenting the file does not change it.
		sum := sha256.Sum256(raw)
		rep.SourceID = "sha256:" + hex.EncodeToString(sum[:16])
	}
	if k, _, _ := p.str("kind"); k != "" {
		switch kk := incident.SourceKind(k); kk {
		case incident.FromMonitor, incident.FromParty, incident.FromPublic, incident.FromDataset, incident.FromNews:
			rep.Kind = kk
		default:
			return bad("kind", "%q is not monitor, party, public, dataset or news", k)
		}
	}

	start, field, err := p.str("date_start", "date", "event_date")
	if err != nil {
		return bad(field, "%v", err)
	}
	if start == "" {
		return bad("date_start", "is missing (date_start or date)")
	}
	end, endField, err := p.str("date_end")
	if err != nil {
		return bad(endField, "%v", err)
	}
	if rep.Occurred, err = r.span(start, end); err != nil {
		if strings.HasPrefix(err.Error(), "date_end") {
			field = "date_end"
		}
		return bad(field, "%v", strings.TrimPrefix(err.Error(), "date_end "))
	}
	if dp, _, _ := p.str("date_precision"); dp != "" {
		rep.Occurred.Precision = dp
	}
	if rep.Occurred.Outside(r.cfg.From, r.cfg.To) {
		return nil, nil
	}
	if ra, _, _ := p.str("reported_at"); ra != "" {
		if rep.ReportedAt, err = time.Parse(time.RFC3339, ra); err != nil {
			return bad("reported_at", "%q is not an RFC 3339 time", ra)
		}
	}

	if rep.Place, field, err = r.place(f.Geometry, p); err != nil {
		return bad(field, "%v", err)
	}

	if a, field, _ := p.str("act", "event_type", "type"); a != "" {
		if !act.Valid(act.Type(a)) {
			return bad(field, "%q is not an act type (see docs/act-types.md)", a)
		}
		rep.Act = act.Type(a)
	}
	if rep.Actors, field, err = r.actors(p); err != nil {
		return bad(field, "%v", err)
	}
	for _, c := range []struct {
		names []string
		dst   *int
	}{
		{[]string{"deaths_best", "fatalities"}, &rep.Casualties.Best},
		{[]string{"deaths_low"}, &rep.Casualties.Low},
		{[]string{"deaths_high"}, &rep.Casualties.High},
		{[]string{"deaths_civilians"}, &rep.Casualties.Civilians},
	} {
		s, field, _ := p.str(c.names...)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return bad(field, "%q is not a count of deaths (a whole number, 0 or more)", s)
		}
		*c.dst = n
	}
	if _, ok := p["deaths_low"]; !ok {
		rep.Casualties.Low = rep.Casualties.Best
	}
	if _, ok := p["deaths_high"]; !ok {
		rep.Casualties.High = rep.Casualties.Best
	}
	rep.Description, _, _ = p.str("description", "notes")
	rep.Language, _, _ = p.str("language")
	rep.SubEvent, _, _ = p.str("sub_event")
	rep.SourceGrade, _, _ = p.str("source_grade")
	if v, ok := p["initiator"]; ok && string(v) != "null" {
		// What a source's coding established about who acted travels with
		// the facts (incident.Initiator), so that a ruling can cite it.
		var init incident.Initiator
		if err := json.Unmarshal(v, &init); err != nil || init.Actor == "" {
			return bad("initiator", "is %s; want {\"actor\", \"field\", \"means\", \"confidence\"}", v)
		}
		rep.Initiator = &init
	}
	for _, l := range []struct {
		name string
		dst  *[]string
	}{{"citations", &rep.Citations}, {"flags", &rep.Flags}} {
		if v, ok := p[l.name]; ok && string(v) != "null" {
			if err := json.Unmarshal(v, l.dst); err != nil {
				return bad(l.name, "is %s; want an array of strings", v)
			}
		}
	}
	return rep, nil
}

// featureID reads the feature's own "id" member, which GeoJSON allows to
// be a string or a number.
func featureID(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return strings.TrimSpace(s), nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), nil
	}
	return "", fmt.Errorf("is %s; want a string or a number", raw)
}

// span reads dates: whole local days, or RFC 3339 times.
func (r *Reader) span(start, end string) (incident.TimeSpan, error) {
	if ts, err := time.Parse(time.RFC3339, start); err == nil {
		te := ts
		if end != "" {
			if te, err = time.Parse(time.RFC3339, end); err != nil {
				return incident.TimeSpan{}, fmt.Errorf("date_end %q is not an RFC 3339 time like date_start", end)
			}
		}
		if te.Before(ts) {
			return incident.TimeSpan{}, fmt.Errorf("date_end %s is before date_start %s", end, start)
		}
		if te.Equal(ts) {
			te = ts.Add(time.Minute)
		}
		return incident.TimeSpan{Start: ts, End: te}, nil
	}
	ds, err := acled.ParseDate(start)
	if err != nil {
		return incident.TimeSpan{}, err
	}
	de := ds
	if end != "" {
		if de, err = acled.ParseDate(end); err != nil {
			return incident.TimeSpan{}, fmt.Errorf("date_end %v", err)
		}
	}
	if de.Before(ds) {
		return incident.TimeSpan{}, fmt.Errorf("date_end %s is before date_start %s", end, start)
	}
	return incident.Days(ds, de, r.cfg.Location), nil
}

func (r *Reader) place(g *geometry, p props) (incident.Place, string, error) {
	var pl incident.Place
	pl.Name, _, _ = p.str("place", "location", "name")
	pl.Precision = incident.PlaceUnknown
	if g != nil {
		if g.Type != "Point" {
			return pl, "geometry", fmt.Errorf("is a %s; truce imports points", g.Type)
		}
		var c []float64
		if err := json.Unmarshal(g.Coordinates, &c); err != nil || len(c) < 2 {
			return pl, "geometry", fmt.Errorf("coordinates %s are not [longitude, latitude]", g.Coordinates)
		}
		lon, lat := c[0], c[1]
		if field, msg := importer.CheckPoint(lat, lon); field != "" {
			return pl, "geometry", fmt.Errorf("%s; GeoJSON coordinates are [longitude, latitude]", msg)
		}
		pl.Lat, pl.Lon, pl.HasPoint, pl.Precision = lat, lon, true, incident.PlaceExact
		importer.Locate(&pl, r.cfg.Boundaries)
	}
	if s, _, _ := p.str("place_precision"); s != "" {
		switch pp := incident.PlacePrecision(s); pp {
		case incident.PlaceExact, incident.PlaceNear, incident.PlaceAdmin3, incident.PlaceAdmin2, incident.PlaceAdmin1, incident.PlaceCountry, incident.PlaceUnknown:
			pl.Precision = pp
		default:
			return pl, "place_precision", fmt.Errorf("%q is not exact, near, admin3, admin2, admin1, country or unknown", s)
		}
	}
	for _, a := range []struct {
		name string
		dst  *string
	}{{"area", &pl.Area}, {"admin1", &pl.Admin1}, {"admin2", &pl.Admin2}, {"admin3", &pl.Admin3}} {
		if s, _, _ := p.str(a.name); s != "" {
			if r.cfg.Boundaries != nil {
				if _, ok := r.cfg.Boundaries.Unit(s); !ok {
					return pl, a.name, fmt.Errorf("%q is not an OCHA P-code", s)
				}
			}
			*a.dst = s
		}
	}
	if s, _, _ := p.str("place_precision"); s == "" && !pl.HasPoint {
		// Without a point or a stated precision, the smallest area the
		// feature names is all that is known of where it happened.
		for _, c := range []struct {
			code string
			prec incident.PlacePrecision
		}{{pl.Area, areaPrecision(pl.Area)}, {pl.Admin3, incident.PlaceAdmin3}, {pl.Admin2, incident.PlaceAdmin2}, {pl.Admin1, incident.PlaceAdmin1}} {
			if c.code != "" && c.prec != incident.PlaceUnknown {
				pl.Area, pl.Precision = c.code, c.prec
				break
			}
		}
	}
	pl.KeepKnownLevels()
	return pl, "", nil
}

// areaPrecision is the level of an OCHA P-code, told by its length
// (SY03, SY0302, SY030200).
func areaPrecision(pcode string) incident.PlacePrecision {
	switch len(pcode) {
	case 4:
		return incident.PlaceAdmin1
	case 6:
		return incident.PlaceAdmin2
	case 8:
		return incident.PlaceAdmin3
	}
	return incident.PlaceUnknown
}

func (r *Reader) actors(p props) ([]incident.ActorRef, string, error) {
	var out []incident.ActorRef
	if v, ok := p["actors"]; ok && string(v) != "null" {
		if err := json.Unmarshal(v, &out); err != nil {
			return nil, "actors", fmt.Errorf("is %s; want an array of {\"name\", \"id\", \"role\"}", v)
		}
		for i, a := range out {
			switch a.Role {
			case incident.Perpetrator, incident.Target, incident.SideA, incident.SideB:
			default:
				return nil, "actors", fmt.Errorf("actor %d: role %q is not perpetrator, target, side_a or side_b", i+1, a.Role)
			}
		}
	}
	// A plain pair of actors does not say who attacked whom. Like every
	// alias, it is read only when truce's own property is absent.
	for _, alias := range []struct {
		name string
		role incident.Role
	}{{"actor1", incident.SideA}, {"actor2", incident.SideB}} {
		if _, own := p["actors"]; own {
			break
		}
		if s, _, _ := p.str(alias.name); s != "" {
			out = append(out, incident.ActorRef{Name: s, Role: alias.role})
		}
	}
	if r.cfg.Actors != nil {
		for i := range out {
			if out[i].ID == "" {
				out[i].ID, _ = r.cfg.Actors.Resolve(out[i].Name)
			} else if _, ok := r.cfg.Actors.Get(out[i].ID); !ok {
				return nil, "actors", fmt.Errorf("actor %d: id %q is not in the registry", i+1, out[i].ID)
			}
		}
	}
	return out, "", nil
}
