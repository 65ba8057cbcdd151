package control_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/boundary"
	"github.com/truce-monitor/truce/internal/control"
	"github.com/truce-monitor/truce/internal/gazetteer"
	"github.com/truce-monitor/truce/internal/problem"
)

// fakeGeo is a few boxes standing for sub-districts: At's rules are
// tested on ground whose answer is obvious, apart from the real
// boundaries (the shipped layer's test uses those).
type fakeGeo struct{}

type box struct {
	pcode                          string
	latMin, latMax, lonMin, lonMax float64
}

var boxes = []box{
	{"SY070000", 35.85, 36.00, 36.55, 36.75}, // "Idleb"
	{"SY070001", 35.60, 35.85, 36.90, 37.20}, // "Abul Thohur"
	{"SY070002", 35.90, 36.05, 36.75, 36.90}, // "Bennsh"
	{"SY030200", 33.55, 33.60, 36.38, 36.45}, // "Duma", in another governorate
}

func (fakeGeo) Units(level int) []boundary.Unit {
	if level != 3 {
		return nil
	}
	var out []boundary.Unit
	for _, b := range boxes {
		out = append(out, boundary.Unit{PCode: b.pcode, Level: 3, Parent: b.pcode[:6]})
	}
	return out
}

func (fakeGeo) Locate(lat, lon float64) (boundary.Admin, bool) {
	for _, b := range boxes {
		if lat >= b.latMin && lat < b.latMax && lon >= b.lonMin && lon < b.lonMax {
			return boundary.Admin{Admin1: b.pcode[:4], Admin2: b.pcode[:6], Admin3: b.pcode}, true
		}
	}
	return boundary.Admin{}, false
}

var places = map[string]gazetteer.Place{
	"fua":   {Name: "Fua", Kind: gazetteer.PopulatedPlace, Lat: 35.93, Lon: 36.65, Admin1: "SY07", Admin2: "SY0700", Admin3: "SY070000"},
	"idlib": {Name: "Idlib", Kind: gazetteer.SubDistrict, PCode: "SY070000", Admin1: "SY07", Admin2: "SY0700", Admin3: "SY070000"},
	"quarter": {Name: "Quarter", Kind: gazetteer.Neighbourhood, Lat: 35.95, Lon: 36.70,
		Admin1: "SY07", Admin2: "SY0700", Admin3: "SY070000"},
}

var checker = control.Checker{
	KnownActor: func(id string) bool { return id == "gov" || id == "opp" || id == "jihadi" || id == "isis" },
	KnownPCode: func(pc string) bool {
		for _, b := range boxes {
			if strings.HasPrefix(b.pcode, pc) {
				return true
			}
		}
		return false
	},
	ResolvePlace: func(name, within string) (gazetteer.Place, error) {
		p, ok := places[strings.ToLower(name)]
		if !ok || (within != "" && p.Admin1 != within) {
			return gazetteer.Place{}, fmt.Errorf("%q: %w", name, gazetteer.ErrNotFound)
		}
		return p, nil
	},
}

func loadFile(t *testing.T, name string) (*control.Layer, error) {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return control.Load(f, name, checker)
}

func TestLoadMinimal(t *testing.T) {
	t.Parallel()
	l, err := loadFile(t, "testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if l.ID != "test-layer" || l.Claimant != "monitor" || l.Version != 1 || len(l.Rows) != 7 {
		t.Fatalf("layer = %s/%s v%d, %d rows", l.ID, l.Claimant, l.Version, len(l.Rows))
	}
	// Dates are local days in the layer's zone (UTC+2 in winter 2016).
	if want := time.Date(2015, 12, 31, 22, 0, 0, 0, time.UTC); !l.From.Equal(want) {
		t.Errorf("From = %v, want %v", l.From, want)
	}
	fua := l.Rows[1]
	if fua.Line != 15 || fua.Admin3 != "SY070000" || fua.RadiusKM != control.TownRadiusKM || fua.Lat != 35.93 {
		t.Errorf("place row = %+v", fua)
	}
	if got := l.Rows[0].Actors; len(got) != 2 || got[0] != "jihadi" {
		t.Errorf("actors = %v, want sorted [jihadi opp]", got)
	}
	if !l.Rows[4].Partial || l.Rows[6].Geometry == nil {
		t.Errorf("partial or geometry not read: %+v %+v", l.Rows[4], l.Rows[6])
	}
	src, _ := os.ReadFile("testdata/minimal.yaml")
	if string(l.Source) != string(src) || len(l.Digest) != 64 {
		t.Errorf("source not kept or digest %q", l.Digest)
	}
}

// Every problem of errors.yaml is reported in one run, with its line and
// field.
func TestLoadReportsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := loadFile(t, "testdata/errors.yaml")
	var ps problem.List
	if !errors.As(err, &ps) {
		t.Fatalf("want a problem.List, got %v", err)
	}
	got := ps.Error()
	for _, want := range []string{
		`testdata/errors.yaml:1: id: "bad layer" is not a valid id`,
		`testdata/errors.yaml:2: claimant: is required`,
		`testdata/errors.yaml:3: version: want a whole number from 1, got "zero"`,
		`testdata/errors.yaml:5: timezone: unknown time zone "Mars/Olympus"`,
		`testdata/errors.yaml:8: rows[0].pcode: unknown P-code "SY99"`,
		`testdata/errors.yaml:12: rows[1].place: "Nowhere": not in the gazetteer`,
		`testdata/errors.yaml:14: rows[1].actor: unknown actor "ghost"`,
		`testdata/errors.yaml:16: rows[2]: give exactly one of pcode`,
		`testdata/errors.yaml:21: rows[3].source: is required`,
		`testdata/errors.yaml:22: rows[3].from: "22/12/2016" is not a date`,
		`testdata/errors.yaml:23: rows[3].actor[1]: actor "opp" is listed twice`,
		`testdata/errors.yaml:26: rows[4].to: 2016-01-01 is not after from 2017-01-01`,
		`testdata/errors.yaml:29: rows[4].colour: unknown field`,
		`testdata/errors.yaml:30: rows[5].place: "Idlib" is an administrative unit (sub_district); give it as pcode: SY070000`,
		`testdata/errors.yaml:38: rows: overlaps the row at line 34 on SY070001`,
		`testdata/errors.yaml:42: rows[8].geometry.coordinates[0]: ring is not closed`,
		`testdata/errors.yaml:42: rows[8].geometry.coordinates[1]: a ring needs at least 4 positions, has 3`,
		`testdata/errors.yaml:45: rows[8].partial: want true or false, got "maybe"`,
		`testdata/errors.yaml:46: rows[8].radius_km: applies only to a place row`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing problem %q", want)
		}
	}
	for i := 1; i < len(ps); i++ {
		if ps[i].Line < ps[i-1].Line {
			t.Errorf("problems not in line order: %d after %d", ps[i].Line, ps[i-1].Line)
		}
	}
	if t.Failed() {
		t.Logf("got:\n%s", got)
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	const head = "id: x\nclaimant: c\nversion: 1\nlabel: l\ntimezone: UTC\nperiod: {from: 2016-01-01, to: 2017-01-01}\n"
	// row makes a layer of rows written one field a line, rows apart.
	row := func(rows ...string) string {
		s := head + "rows:\n"
		for _, r := range rows {
			s += "  - " + strings.ReplaceAll(r, "\n", "\n    ") + "\n"
		}
		return s
	}
	tests := []struct{ name, src, want string }{
		{"empty", "", "empty.yaml: file is empty"},
		{"not yaml", "id: [unclosed", "not yaml.yaml:1: did not find expected"},
		{"second document", head + "rows: []\n---\nid: y\n", "second document.yaml:8: a second YAML document starts here"},
		{"not a mapping", "- a\n- b\n", "not a mapping.yaml:1: want a mapping of fields, got a list"},
		{"no rows", head, "no rows.yaml:1: rows: at least one row is required"},
		{"empty rows", head + "rows: []\n", "empty rows.yaml:7: rows: at least one row is required"},
		{"rows not a list", head + "rows: 3\n", `rows not a list.yaml:7: rows: want a list, got "3"`},
		{"no period", "id: x\nclaimant: c\nversion: 1\nlabel: l\ntimezone: UTC\nrows: []\n", "no period.yaml:1: period: is required"},
		{"period backwards", strings.Replace(head, "to: 2017-01-01", "to: 2015-01-01", 1) + "rows: []\n", "period backwards.yaml:6: period.to: 2015-01-01 is not after period.from"},
		{"duplicate key", head + "label: m\nrows: []\n", "duplicate key.yaml:7: label: is given twice (first at line 4)"},
		{"duplicate row key", row("pcode: SY07\nfrom: 2016-01-01\nfrom: 2016-02-01\nactor: gov\nsource: s"), "duplicate row key.yaml:10: rows[0].from: is given twice (first at line 9)"},
		{"empty row", head + "rows:\n  -\n", "empty row.yaml:8: rows[0]: want a mapping of fields, got \"\""},
		{"no actor", row("pcode: SY07\nfrom: 2016-01-01\nsource: s"), "no actor.yaml:8: rows[0].actor: is required"},
		{"actor mapping", row("pcode: SY07\nfrom: 2016-01-01\nactor: {id: gov}\nsource: s"), "actor mapping.yaml:10: rows[0].actor: want an actor id or a list of them, got a mapping"},
		{"empty source", row("pcode: SY07\nfrom: 2016-01-01\nactor: gov\nsource: \"\""), "empty source.yaml:11: rows[0].source: is required"},
		{"not a pcode", row("pcode: SY7\nfrom: 2016-01-01\nactor: gov\nsource: s"), `not a pcode.yaml:8: rows[0].pcode: "SY7" is not an OCHA P-code`},
		{"unknown pcode", row("pcode: SY0799\nfrom: 2016-01-01\nactor: gov\nsource: s"), `unknown pcode.yaml:8: rows[0].pcode: unknown P-code "SY0799"`},
		{"after period", row("pcode: SY07\nfrom: 2017-06-01\nactor: gov\nsource: s"), "after period.yaml:9: rows[0].from: the row begins after the layer's period ends (2017-01-01)"},
		{"before period", row("pcode: SY07\nfrom: 2014-06-01\nto: 2015-01-01\nactor: gov\nsource: s"), "before period.yaml:10: rows[0].to: the row ends before the layer's period begins (2016-01-01)"},
		{"radius too big", row("place: Fua\nradius_km: 40\nfrom: 2016-01-01\nactor: gov\nsource: s"), `radius too big.yaml:9: rows[0].radius_km: want a number of kilometres above 0 and at most 15, got "40"`},
		{"place in other unit", row("place: Fua\nin: SY070001\nfrom: 2016-01-01\nactor: gov\nsource: s"), `place in other unit.yaml:8: rows[0].place: "Fua" is Fua (populated_place in SY070000), in SY070000, not in SY070001`},
		{"in without place", row("pcode: SY07\nin: SY07\nfrom: 2016-01-01\nactor: gov\nsource: s"), "in without place.yaml:9: rows[0].in: applies only to a place row"},
		{"point geometry", row("geometry: {type: Point, coordinates: [36.6, 35.9]}\nfrom: 2016-01-01\nactor: gov\nsource: s"), "point geometry.yaml:8: rows[0].geometry: want a Polygon or MultiPolygon, got Point"},
		// Two partial rows of the same actor say no more than one.
		{"partial same actor", row("pcode: SY07\nfrom: 2016-01-01\nactor: gov\npartial: true\nsource: s", "pcode: SY07\nfrom: 2016-03-01\nactor: gov\npartial: true\nsource: t"), "partial same actor.yaml:13: rows: overlaps the row at line 8 on SY07"},
		{"whole and partial", row("pcode: SY07\nfrom: 2016-01-01\nactor: gov\nsource: s", "pcode: SY07\nfrom: 2016-03-01\nactor: opp\npartial: true\nsource: t"), "whole and partial.yaml:12: rows: overlaps the row at line 8 on SY07"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := control.Load(strings.NewReader(tt.src), tt.name+".yaml", checker)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v\nwant %q", err, tt.want)
			}
		})
	}
}

// Rows that abut, overlap only as partial rows of different sides, or
// belong to different ground are accepted.
func TestLoadAcceptsAdjacentAndPartialRows(t *testing.T) {
	t.Parallel()
	src := `id: x
claimant: c
version: 2
label: l
timezone: UTC
period: {from: 2016-01-01}
rows:
  - {pcode: SY07, from: 2016-01-01, to: 2016-06-01, actor: gov, source: s}
  - {pcode: SY07, from: 2016-06-01, actor: opp, source: s}
  - {pcode: SY0700, from: 2016-01-01, actor: gov, partial: true, source: s}
  - {pcode: SY0700, from: 2016-01-01, actor: opp, partial: true, source: s}
  - {place: Fua, from: 2016-01-01, actor: gov, source: s}
  - {place: Quarter, from: 2016-01-01, actor: opp, source: s}
`
	l, err := control.Load(strings.NewReader(src), "ok.yaml", checker)
	if err != nil {
		t.Fatal(err)
	}
	if r := l.Rows[5]; r.RadiusKM != control.NeighbourhoodRadiusKM {
		t.Errorf("neighbourhood radius = %g", r.RadiusKM)
	}
}

// FuzzLoad: no input may panic the loader, and a layer it accepts has
// rows that each name a ground, actors and a source.
func FuzzLoad(f *testing.F) {
	for _, name := range []string{"testdata/minimal.yaml", "testdata/errors.yaml"} {
		src, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(src))
	}
	f.Add("id: x\nclaimant: c\nversion: 1\nlabel: l\ntimezone: UTC\nperiod: 3\nrows: [3, [a], {actor: [[a]]}]\n")
	f.Add("a: &x {b: *x}\n")
	f.Fuzz(func(t *testing.T, src string) {
		l, err := control.Load(strings.NewReader(src), "fuzz.yaml", checker)
		if err != nil {
			return
		}
		for _, r := range l.Rows {
			if (r.PCode == "" && r.Place == "" && r.Geometry == nil) || len(r.Actors) == 0 || r.Source == "" {
				t.Errorf("accepted row %+v", r)
			}
		}
	})
}
