// Package mapped reads any CSV file through a small mapping file that says
// which column holds what, and how the file's own values for act types and
// actors translate into truce's.
package mapped

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/truce-monitor/truce/internal/act"
	"github.com/truce-monitor/truce/internal/actor"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/yamldoc"
)

// Mapping is a mapping file. See docs/formats.md for an example.
type Mapping struct {
	// Source names where the rows come from; with the id column it makes
	// each row's identity, so a re-import updates rather than duplicates.
	Source   string              `yaml:"source"`
	Kind     incident.SourceKind `yaml:"kind"`
	Language string              `yaml:"language"`
	// Delimiter is "," (default), ";", "tab" or "|".
	Delimiter string `yaml:"delimiter"`
	// DateFormat is how dates are written: YYYY-MM-DD (default),
	// DD/MM/YYYY, MM/DD/YYYY, DD.MM.YYYY, "D Month YYYY", or a Go layout.
	DateFormat string  `yaml:"date_format"`
	Columns    Columns `yaml:"columns"`
	// Acts maps the act column's values onto the act vocabulary.
	Acts map[string]act.Type `yaml:"acts"`
	// Actors maps the file's actor names onto registry ids or names, for
	// names the registry does not know as they are written.
	Actors map[string]string `yaml:"actors"`
	// Precision is the place precision of coordinates in the file:
	// exact (default) or near.
	Precision incident.PlacePrecision `yaml:"precision"`
	// Alternatives are actor columns whose cells name suspected
	// alternatives, not actors acting together ("Russian Military, U.S.-led
	// Coalition" in an Airwars belligerent cell): the ruling engine rules
	// each (incident.ActorRef's Alternative).
	Alternatives []string `yaml:"alternatives"`
	// DatePrecision says what a date stands for: day (default), month or
	// year. A file that writes "2017-01-01" for "sometime in 2017" says
	// year; a value of only a year ("2017") or a year and month
	// ("2017-03") is read as such whatever this says.
	DatePrecision string `yaml:"date_precision"`
	// PlaceLevel says what the place column names: town (default: the
	// gazetteer's best reading, a town before a unit of the same name),
	// or admin1, admin2, admin3 (a governorate, district or sub-district:
	// the place is that area, never a town's point).
	PlaceLevel string `yaml:"place_level"`

	file string
	line map[string]int
}

// Columns names the column holding each field. Only date is required; a
// place needs lat and lon, or a place name the gazetteer knows.
type Columns struct {
	ID          string   `yaml:"id"`
	Date        string   `yaml:"date"`
	DateEnd     string   `yaml:"date_end"`
	Place       string   `yaml:"place"`
	Admin1      string   `yaml:"admin1"`
	Lat         string   `yaml:"lat"`
	Lon         string   `yaml:"lon"`
	Perpetrator []string `yaml:"perpetrator"`
	Target      []string `yaml:"target"`
	SideA       []string `yaml:"side_a"`
	SideB       []string `yaml:"side_b"`
	Act         string   `yaml:"act"`
	Deaths      string   `yaml:"deaths"`
	DeathsLow   string   `yaml:"deaths_low"`
	DeathsHigh  string   `yaml:"deaths_high"`
	Civilians   string   `yaml:"deaths_civilians"`
	Citations   string   `yaml:"citations"`
	Description string   `yaml:"description"`
	// Grade is the source's own grade of each claim (Airwars: Confirmed,
	// Fair, Weak, Contested, Discounted), kept as written.
	Grade string `yaml:"grade"`
}

// LoadMapping reads a mapping file, naming the file and line of every
// problem. reg, when set, checks that mapped actors exist.
func LoadMapping(r io.Reader, file string, reg *actor.Registry) (*Mapping, error) {
	src, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("mapping %s: %w", file, err)
	}
	doc, second, err := yamldoc.One(src)
	if err != nil {
		return nil, errors.New("mapping " + yamlMessage(file, err))
	}
	if doc.Kind == 0 {
		return nil, fmt.Errorf("mapping %s: file is empty", file)
	}
	if second > 0 {
		return nil, fmt.Errorf("%s:%d: a second YAML document starts here; a mapping file holds one", file, second)
	}
	m := &Mapping{file: file, line: map[string]int{}}
	// Duplicate keys are found on the node tree, whatever the version of
	// yaml.v3 does about them on Decode: the later one would win silently.
	if dups := recordLines(&doc, "", m.line, file); len(dups) > 0 {
		return nil, errors.New(strings.Join(dups, "\n"))
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(m); err != nil {
		return nil, errors.New("mapping " + yamlMessage(file, err))
	}
	var problems []string
	bad := func(field, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s: %s: %s", m.at(field), field, fmt.Sprintf(format, args...)))
	}
	if m.Source == "" {
		bad("source", "is required: it names where the rows come from")
	}
	if m.Columns.Date == "" {
		bad("columns.date", "is required: every event needs a date")
	}
	if (m.Columns.Lat == "") != (m.Columns.Lon == "") {
		bad("columns.lat", "lat and lon must be mapped together")
	}
	if m.Columns.Lat == "" && m.Columns.Place == "" {
		bad("columns", "map lat and lon, or place (found through the gazetteer)")
	}
	if m.Kind == "" {
		m.Kind = incident.FromDataset
	}
	switch m.Kind {
	case incident.FromMonitor, incident.FromParty, incident.FromPublic, incident.FromDataset, incident.FromNews:
	default:
		bad("kind", "%q is not monitor, party, public, dataset or news", m.Kind)
	}
	if _, err := m.delimiter(); err != nil {
		bad("delimiter", "%v", err)
	}
	if _, err := layout(m.DateFormat); err != nil {
		bad("date_format", "%v", err)
	}
	switch m.Precision {
	case "":
		m.Precision = incident.PlaceExact
	case incident.PlaceExact, incident.PlaceNear:
	default:
		bad("precision", "%q is not exact or near", m.Precision)
	}
	switch m.DatePrecision {
	case "":
		m.DatePrecision = "day"
	case "day", "month", "year":
	default:
		bad("date_precision", "%q is not day, month or year", m.DatePrecision)
	}
	switch m.PlaceLevel {
	case "":
		m.PlaceLevel = "town"
	case "town", "admin1", "admin2", "admin3":
	default:
		bad("place_level", "%q is not town, admin1, admin2 or admin3", m.PlaceLevel)
	}
	actorCols := map[string]bool{}
	for _, cols := range [][]string{m.Columns.Perpetrator, m.Columns.Target, m.Columns.SideA, m.Columns.SideB} {
		for _, c := range cols {
			actorCols[c] = true
		}
	}
	for _, c := range m.Alternatives {
		if !actorCols[c] {
			bad("alternatives", "%q is not a perpetrator, target, side_a or side_b column of the mapping", c)
		}
	}
	for _, v := range sortedKeys(m.Acts) {
		if !act.Valid(m.Acts[v]) {
			bad("acts."+v, "%q is not an act type (see docs/act-types.md)", m.Acts[v])
		}
	}
	if reg != nil {
		// A mapping may name the registry actor by its id
		// ("government-of-united-states") or by any of its names; the
		// reader resolves both (actor.RuleID).
		for _, v := range sortedKeys(m.Actors) {
			to := m.Actors[v]
			if _, ok := reg.Get(strings.TrimSpace(to)); ok {
				continue
			}
			if _, ok := reg.Resolve(to); ok {
				continue
			}
			msg := fmt.Sprintf("%q is not an actor in the registry (neither an id nor a name)", to)
			if sug := reg.Suggest(to, 3); len(sug) > 0 {
				ids := make([]string, len(sug))
				for i, s := range sug {
					ids[i] = s.ID
				}
				msg += "; did you mean: " + strings.Join(ids, ", ")
			}
			bad("actors."+v, "%s", msg)
		}
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	return m, nil
}

// recordLines notes the line of every mapping key, as "columns.date", and
// returns a problem for every key given twice.
func recordLines(n *yaml.Node, prefix string, out map[string]int, file string) []string {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		return recordLines(n.Content[0], prefix, out, file)
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	var dups []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := n.Content[i].Value
		if prefix != "" {
			key = prefix + "." + key
		}
		if first, seen := out[key]; seen {
			dups = append(dups, fmt.Sprintf("%s:%d: %s: is given twice (first at line %d); one would be silently lost", file, n.Content[i].Line, key, first))
			continue
		}
		out[key] = n.Content[i].Line
		dups = append(dups, recordLines(n.Content[i+1], key, out, file)...)
	}
	return dups
}

// yamlMessage writes yaml.v3's errors, "yaml: line 3: ..." or a list of
// "line 3: ...", as "file:3: ...", the form of every other problem.
func yamlMessage(file string, err error) string {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	for i, m := range msgs {
		if rest, ok := strings.CutPrefix(m, "line "); ok {
			if n, msg, ok := strings.Cut(rest, ": "); ok {
				msgs[i] = file + ":" + n + ": " + msg
				continue
			}
		}
		msgs[i] = file + ": " + m
	}
	return strings.Join(msgs, "\n")
}

// at is where field stands in the mapping file: "file:line", or the file
// alone for a field that is missing.
func (m *Mapping) at(field string) string {
	if n := m.line[field]; n > 0 {
		return fmt.Sprintf("%s:%d", m.file, n)
	}
	return m.file
}

func (m *Mapping) delimiter() (rune, error) {
	switch m.Delimiter {
	case "", ",":
		return ',', nil
	case ";":
		return ';', nil
	case "tab", "\t":
		return '\t', nil
	case "|":
		return '|', nil
	}
	return 0, fmt.Errorf("%q is not one of \",\", \";\", \"tab\", \"|\"", m.Delimiter)
}

// used lists every column the mapping reads, with the field that reads it.
func (m *Mapping) used() [][2]string {
	c := m.Columns
	var out [][2]string
	add := func(field string, cols ...string) {
		for _, col := range cols {
			if col != "" {
				out = append(out, [2]string{field, col})
			}
		}
	}
	add("columns.id", c.ID)
	add("columns.date", c.Date)
	add("columns.date_end", c.DateEnd)
	add("columns.place", c.Place)
	add("columns.admin1", c.Admin1)
	add("columns.lat", c.Lat)
	add("columns.lon", c.Lon)
	add("columns.perpetrator", c.Perpetrator...)
	add("columns.target", c.Target...)
	add("columns.side_a", c.SideA...)
	add("columns.side_b", c.SideB...)
	add("columns.act", c.Act)
	add("columns.deaths", c.Deaths)
	add("columns.deaths_low", c.DeathsLow)
	add("columns.deaths_high", c.DeathsHigh)
	add("columns.deaths_civilians", c.Civilians)
	add("columns.citations", c.Citations)
	add("columns.description", c.Description)
	add("columns.grade", c.Grade)
	return out
}

// layout turns a date format as people write it into a Go time layout.
func layout(f string) (string, error) {
	switch f {
	case "", "YYYY-MM-DD":
		return "2006-01-02", nil
	case "DD/MM/YYYY":
		return "02/01/2006", nil
	case "MM/DD/YYYY":
		return "01/02/2006", nil
	case "D/M/YYYY":
		return "2/1/2006", nil
	case "M/D/YYYY":
		return "1/2/2006", nil
	case "DD.MM.YYYY":
		return "02.01.2006", nil
	case "D Month YYYY":
		return "2 January 2006", nil
	}
	if strings.Contains(f, "2006") {
		return f, nil
	}
	return "", fmt.Errorf("%q is not a known date format (YYYY-MM-DD, DD/MM/YYYY, MM/DD/YYYY, D/M/YYYY, M/D/YYYY, DD.MM.YYYY, \"D Month YYYY\", or a Go layout such as 02 Jan 2006)", f)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
