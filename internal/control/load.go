package control

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/truce-monitor/truce/internal/area"
	"github.com/truce-monitor/truce/internal/gazetteer"
	"github.com/truce-monitor/truce/internal/problem"
	"github.com/truce-monitor/truce/internal/yamldoc"
)

// Checker answers what a layer file cannot answer alone. KnownActor and
// KnownPCode may be nil to skip those checks; ResolvePlace is needed by
// rows that name a place (gazetteer.(*Gazetteer).Resolve fits it), and
// such rows are refused without it, as they could not be used.
type Checker struct {
	KnownActor   func(id string) bool
	KnownPCode   func(pcode string) bool
	ResolvePlace func(name, within string) (gazetteer.Place, error)
}

// Default radii of a place row, in kilometres: a gazetteer point is a
// town's or neighbourhood's centre, and the built-up area of the towns
// and villages layers name reaches about 1–2 km from it, that of a city
// neighbourhood a few hundred metres. A row may set its own (radius_km).
const (
	TownRadiusKM          = 2.0
	NeighbourhoodRadiusKM = 0.5
	// MaxRadiusKM bounds radius_km: a larger ground is a unit or a
	// polygon, not a place.
	MaxRadiusKM = 15.0
)

var (
	idPattern    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	pcodePattern = regexp.MustCompile(`^SY([0-9]{2}){1,3}$`)
)

// Load reads and validates a control layer in YAML. file names the source
// in messages and is kept with the layer, as are the bytes read. The
// returned error, when not nil, is a problem.List of everything wrong,
// each with file, line and field.
func Load(r io.Reader, file string, chk Checker) (*Layer, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read control layer %s: %w", file, err)
	}
	root, ps := yamldoc.Root(data, file, "a layer file holds one (a new version is a new file)")
	if ps != nil {
		return nil, ps
	}
	sum := sha256.Sum256(data)
	l := &Layer{File: file, Source: data, Digest: hex.EncodeToString(sum[:]), Location: time.UTC}
	d := &loader{file: file, chk: chk, layer: l}
	d.decodeLayer(root)
	if len(d.ps) > 0 {
		slices.SortStableFunc(d.ps, func(a, b problem.Problem) int { return a.Line - b.Line })
		return nil, d.ps
	}
	return l, nil
}

// loader decodes the node tree by hand rather than into tagged structs:
// every field's line is wanted for messages, every problem is collected,
// and actor takes one id or a list.
type loader struct {
	file  string
	chk   Checker
	layer *Layer
	ps    problem.List
}

func (d *loader) fail(n *yaml.Node, field, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	d.ps = append(d.ps, problem.Problem{File: d.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// fields returns a mapping's values by key, reporting keys not in known
// and keys given twice (the later would silently win).
func (d *loader) fields(n *yaml.Node, path string, known ...string) (map[string]*yaml.Node, map[string]*yaml.Node) {
	vals, keys := map[string]*yaml.Node{}, map[string]*yaml.Node{}
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "want a mapping of fields, got %s", describe(n))
		return vals, keys
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		for v.Kind == yaml.AliasNode {
			v = v.Alias
		}
		sub := join(path, k.Value)
		if !slices.Contains(known, k.Value) {
			d.fail(k, sub, "unknown field (known: %s)", strings.Join(known, ", "))
			continue
		}
		if first, ok := keys[k.Value]; ok {
			d.fail(k, sub, "is given twice (first at line %d); one would be silently lost", first.Line)
			continue
		}
		keys[k.Value], vals[k.Value] = k, v
	}
	return vals, keys
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// text returns a scalar's text; ok is false (and a problem recorded) for
// anything else. A missing or null node is "" and ok.
func (d *loader) text(n *yaml.Node, path string) (string, bool) {
	if n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return "", true
	}
	if n.Kind != yaml.ScalarNode {
		d.fail(n, path, "want text, got %s", describe(n))
		return "", false
	}
	return strings.TrimSpace(n.Value), true
}

func (d *loader) required(n, key *yaml.Node, parent *yaml.Node, path string) string {
	s, ok := d.text(n, path)
	if ok && s == "" {
		at := key
		if at == nil {
			at = parent
		}
		d.fail(at, path, "is required")
	}
	return s
}

func (d *loader) date(n *yaml.Node, path string, loc *time.Location) time.Time {
	s, ok := d.text(n, path)
	if !ok || s == "" {
		return time.Time{}
	}
	t, err := parseTime(s, loc)
	if err != nil {
		d.fail(n, path, "%v", err)
	}
	return t
}

// parseTime accepts RFC 3339 with an offset, or a local date or
// date-time read in the layer's time zone: sources date a change of
// control to a local day.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (want 2016-12-22, read in the layer's time zone, or 2016-12-22T00:00:00+02:00)", s)
}

func (d *loader) decodeLayer(n *yaml.Node) {
	l := d.layer
	v, k := d.fields(n, "", "id", "claimant", "version", "label", "timezone", "period", "notes", "rows")
	if n.Kind != yaml.MappingNode {
		return
	}
	l.ID = d.required(v["id"], k["id"], n, "id")
	if l.ID != "" && !idPattern.MatchString(l.ID) {
		d.fail(v["id"], "id", "%q is not a valid id (letters, digits, '-', '_', '.')", l.ID)
	}
	l.Claimant = d.required(v["claimant"], k["claimant"], n, "claimant")
	if l.Claimant != "" && !idPattern.MatchString(l.Claimant) {
		d.fail(v["claimant"], "claimant", "%q is not a valid id (letters, digits, '-', '_', '.'): name who says so, such as wikipedia, GOV or RU", l.Claimant)
	}
	if s := d.required(v["version"], k["version"], n, "version"); s != "" {
		ver, err := strconv.Atoi(s)
		if err != nil || ver < 1 {
			d.fail(v["version"], "version", "want a whole number from 1, got %q", s)
		}
		l.Version = ver
	}
	l.Label = d.required(v["label"], k["label"], n, "label")
	l.Notes, _ = d.text(v["notes"], "notes")
	if tz := d.required(v["timezone"], k["timezone"], n, "timezone"); tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			d.fail(v["timezone"], "timezone", "unknown time zone %q (want an IANA name such as Asia/Damascus)", tz)
		} else {
			l.TimeZone, l.Location = tz, loc
		}
	}
	if p := v["period"]; p == nil {
		d.fail(n, "period", "is required: the dates the layer speaks for (from, and to unless open)")
	} else {
		pv, pk := d.fields(p, "period", "from", "to")
		if p.Kind == yaml.MappingNode {
			if d.required(pv["from"], pk["from"], p, "period.from") != "" {
				l.From = d.date(pv["from"], "period.from", l.Location)
			}
			l.To = d.date(pv["to"], "period.to", l.Location)
			if !l.From.IsZero() && !l.To.IsZero() && !l.To.After(l.From) {
				d.fail(pv["to"], "period.to", "%s is not after period.from", pv["to"].Value)
			}
		}
	}
	rows := v["rows"]
	switch {
	case rows == nil || (rows.Kind == yaml.ScalarNode && rows.Tag == "!!null"):
		d.fail(n, "rows", "at least one row is required")
		return
	case rows.Kind != yaml.SequenceNode:
		d.fail(rows, "rows", "want a list, got %s", describe(rows))
		return
	}
	for i, rn := range rows.Content {
		if r := d.row(rn, fmt.Sprintf("rows[%d]", i)); r != nil {
			l.Rows = append(l.Rows, r)
		}
	}
	if len(rows.Content) == 0 {
		d.fail(rows, "rows", "at least one row is required")
	}
	d.overlaps()
}

func (d *loader) row(n *yaml.Node, path string) *Row {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	l := d.layer
	r := &Row{Line: n.Line}
	v, k := d.fields(n, path, "pcode", "place", "in", "radius_km", "geometry", "from", "to", "actor", "partial", "source", "note")
	if n.Kind != yaml.MappingNode {
		return nil
	}
	before := len(d.ps)
	r.PCode, _ = d.text(v["pcode"], path+".pcode")
	r.Place, _ = d.text(v["place"], path+".place")
	r.In, _ = d.text(v["in"], path+".in")
	grounds := 0
	for _, g := range []string{"pcode", "place", "geometry"} {
		if v[g] != nil {
			grounds++
		}
	}
	if grounds != 1 {
		d.fail(n, path, "give exactly one of pcode (an administrative unit), place (a town or neighbourhood in the gazetteer) and geometry (a polygon); %d given", grounds)
	}
	if r.PCode != "" {
		d.pcode(v["pcode"], path+".pcode", r.PCode)
	}
	if r.In != "" && r.Place == "" {
		d.fail(k["in"], path+".in", "applies only to a place row (the governorate or unit to find the place in)")
	}
	if s, _ := d.text(v["radius_km"], path+".radius_km"); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		switch {
		case r.Place == "":
			d.fail(k["radius_km"], path+".radius_km", "applies only to a place row")
		case err != nil || f <= 0 || f > MaxRadiusKM:
			d.fail(v["radius_km"], path+".radius_km", "want a number of kilometres above 0 and at most %g, got %q", MaxRadiusKM, s)
		default:
			r.RadiusKM = f
		}
	}
	if r.Place != "" {
		d.place(v["place"], path, r)
	}
	if g := v["geometry"]; g != nil {
		d.geometry(g, path+".geometry", r)
	}
	if d.required(v["from"], k["from"], n, path+".from") != "" {
		r.From = d.date(v["from"], path+".from", l.Location)
	}
	r.To = d.date(v["to"], path+".to", l.Location)
	switch {
	case !r.From.IsZero() && !r.To.IsZero() && !r.To.After(r.From):
		d.fail(v["to"], path+".to", "%s is not after from %s", v["to"].Value, v["from"].Value)
	case !r.From.IsZero() && !l.To.IsZero() && !r.From.Before(l.To):
		d.fail(v["from"], path+".from", "the row begins after the layer's period ends (%s)", l.To.Format("2006-01-02"))
	case !r.To.IsZero() && !l.From.IsZero() && !r.To.After(l.From):
		d.fail(v["to"], path+".to", "the row ends before the layer's period begins (%s)", l.From.Format("2006-01-02"))
	}
	r.Actors = d.actors(v["actor"], k["actor"], n, path+".actor")
	if s, _ := d.text(v["partial"], path+".partial"); s != "" {
		switch s {
		case "true":
			r.Partial = true
		case "false":
		default:
			d.fail(v["partial"], path+".partial", "want true or false, got %q", s)
		}
	}
	r.Source = d.required(v["source"], k["source"], n, path+".source")
	r.Note, _ = d.text(v["note"], path+".note")
	if len(d.ps) > before {
		return nil
	}
	return r
}

func (d *loader) pcode(n *yaml.Node, path, pc string) {
	switch {
	case !pcodePattern.MatchString(pc):
		d.fail(n, path, "%q is not an OCHA P-code (SY and 2, 4 or 6 digits, such as SY07, SY0703 or SY070300)", pc)
	case d.chk.KnownPCode != nil && !d.chk.KnownPCode(pc):
		d.fail(n, path, "unknown P-code %q", pc)
	}
}

// place resolves a place row through the gazetteer. The place must be a
// town or a neighbourhood: a unit is given by its P-code, which says the
// same without a detour through a name.
func (d *loader) place(n *yaml.Node, path string, r *Row) {
	if d.chk.ResolvePlace == nil {
		d.fail(n, path+".place", "a place row needs the gazetteer to be loaded")
		return
	}
	within := r.In
	if pcodePattern.MatchString(r.In) {
		if d.chk.KnownPCode != nil && !d.chk.KnownPCode(r.In) {
			d.fail(n, path+".in", "unknown P-code %q", r.In)
			return
		}
		within = r.In[:4]
	}
	p, err := d.chk.ResolvePlace(r.Place, within)
	if err != nil {
		d.fail(n, path+".place", "%v", err)
		return
	}
	switch p.Kind {
	case gazetteer.PopulatedPlace:
		r.RadiusKM = cmpOr(r.RadiusKM, TownRadiusKM)
	case gazetteer.Neighbourhood:
		r.RadiusKM = cmpOr(r.RadiusKM, NeighbourhoodRadiusKM)
	case gazetteer.Region:
		d.fail(n, path+".place", "%q is a region of several sub-districts; give each as a pcode row", r.Place)
		return
	default:
		d.fail(n, path+".place", "%q is an administrative unit (%s); give it as pcode: %s", r.Place, p.Kind, p.PCode)
		return
	}
	if p.Admin3 == "" {
		d.fail(n, path+".place", "%q (%s) lies in no sub-district of the shipped boundaries", r.Place, p.Label())
		return
	}
	if pcodePattern.MatchString(r.In) && !strings.HasPrefix(p.Admin3, r.In) {
		d.fail(n, path+".place", "%q is %s, in %s, not in %s", r.Place, p.Label(), p.Admin3, r.In)
		return
	}
	r.Lat, r.Lon, r.Admin3 = p.Lat, p.Lon, p.Admin3
}

func cmpOr(a, b float64) float64 {
	if a != 0 {
		return a
	}
	return b
}

func (d *loader) geometry(n *yaml.Node, path string, r *Row) {
	var m map[string]any
	if err := n.Decode(&m); err != nil {
		d.fail(n, path, "not a GeoJSON geometry: %v", err)
		return
	}
	mp, faults := area.Parse(m)
	for _, f := range faults {
		at := path
		if f.Path != "" {
			at += "." + f.Path
		}
		d.fail(n, at, "%s", f.Msg)
	}
	if mp == nil {
		return
	}
	r.Geometry = mp
	r.bound = r.Geometry.Bound()
}

// actors reads actor: one registry id, or a list of ids that held the
// ground jointly.
func (d *loader) actors(n, key, parent *yaml.Node, path string) []string {
	if n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		d.fail(parent, path, "is required: the actor registry id of who held the ground (or a list, if held jointly)")
		return nil
	}
	var items []*yaml.Node
	switch n.Kind {
	case yaml.ScalarNode:
		items = []*yaml.Node{n}
	case yaml.SequenceNode:
		items = n.Content
		if len(items) == 0 {
			d.fail(n, path, "is empty; name who held the ground")
		}
	default:
		d.fail(n, path, "want an actor id or a list of them, got %s", describe(n))
		return nil
	}
	var out []string
	for i, it := range items {
		p := path
		if n.Kind == yaml.SequenceNode {
			p = fmt.Sprintf("%s[%d]", path, i)
		}
		id, ok := d.text(it, p)
		switch {
		case !ok:
		case id == "":
			d.fail(it, p, "is empty")
		case d.chk.KnownActor != nil && !d.chk.KnownActor(id):
			d.fail(it, p, "unknown actor %q (not in the actor registry)", id)
		case slices.Contains(out, id):
			d.fail(it, p, "actor %q is listed twice", id)
		default:
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// overlaps reports rows of the same ground whose periods overlap. A layer
// gives one holder of a unit at a time; where a front ran through it,
// each side's row is partial. An uncertain handover is a gap between the
// rows (the layer then says nothing of those days), never an overlap.
func (d *loader) overlaps() {
	rows := d.layer.Rows
	for i, a := range rows {
		for _, b := range rows[:i] {
			if a.ground() != b.ground() || !overlap(a, b) {
				continue
			}
			if a.Partial && b.Partial && !slices.Equal(a.Actors, b.Actors) {
				continue
			}
			d.ps = append(d.ps, problem.Problem{File: d.file, Line: a.Line, Field: "rows",
				Msg: fmt.Sprintf("overlaps the row at line %d on %s (%s–%s): a ground has one holder at a time; mark both rows partial if each side held part of it, and leave a gap where the date of a handover is uncertain",
					b.Line, a.Where(), dateText(a.From), dateText(a.To))})
		}
	}
}

// ground identifies a row's ground for the overlap check; polygons are
// compared by their rings.
func (r *Row) ground() string {
	switch {
	case r.PCode != "":
		return "pcode " + r.PCode
	case r.Place != "":
		return fmt.Sprintf("place %.5f,%.5f", r.Lat, r.Lon)
	}
	return fmt.Sprint("geometry ", r.Geometry)
}

func overlap(a, b *Row) bool {
	aEndsBefore := !a.To.IsZero() && !a.To.After(b.From)
	bEndsBefore := !b.To.IsZero() && !b.To.After(a.From)
	return !aEndsBefore && !bEndsBefore
}

func dateText(t time.Time) string {
	if t.IsZero() {
		return "open"
	}
	return t.Format("2006-01-02")
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "nothing"
}

// LoadDir loads every *.yaml layer in dir of fsys, such as the shipped
// layers (bundled.FS, bundled.Control), in name order. Problems of all
// files are reported together.
func LoadDir(fsys fs.FS, dir string, chk Checker) ([]*Layer, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("control layers in %s: %w", dir, err)
	}
	var layers []*Layer
	var ps problem.List
	for _, name := range names {
		f, err := fsys.Open(name)
		if err != nil {
			return nil, fmt.Errorf("control layer: %w", err)
		}
		l, err := Load(f, name, chk)
		f.Close()
		var lp problem.List
		switch {
		case errors.As(err, &lp):
			ps = append(ps, lp...)
		case err != nil:
			return nil, err
		default:
			layers = append(layers, l)
		}
	}
	if len(ps) > 0 {
		return nil, ps
	}
	return layers, nil
}
