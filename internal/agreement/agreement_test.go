package agreement_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/agreement"
)

var knownActors = map[string]bool{"gov": true, "opp": true, "isis": true}

var checker = agreement.Checker{
	KnownActor: func(id string) bool { return knownActors[id] },
	KnownPCode: func(pc string) bool { return strings.HasPrefix(pc, "SY0") || strings.HasPrefix(pc, "SY1") },
}

func load(t *testing.T, file string) (*agreement.Agreement, error) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return agreement.Load(f, file, checker)
}

func TestLoadMinimal(t *testing.T) {
	a, err := load(t, "testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	v := a.Versions[0]
	want := time.Date(2016, 12, 29, 22, 0, 0, 0, time.UTC)
	if !v.From.Equal(want) {
		t.Errorf("From = %v, want %v", v.From, want)
	}
	if got := v.AnsweringFor("GOV"); len(got) != 1 || got[0] != "RU" {
		t.Errorf("AnsweringFor(GOV) = %v", got)
	}
	if got := v.Affiliation("opp"); got.Party != "OPP" {
		t.Errorf("Affiliation(opp) = %+v", got)
	}
}

// Every problem in errors.yaml must be reported, each with its line and
// field, in one run.
func TestValidationReportsEveryProblem(t *testing.T) {
	_, err := load(t, "testdata/errors.yaml")
	var ps agreement.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("want Problems, got %v", err)
	}
	// The decoder stops at unknown fields before validating, so check
	// that first, then validate the rest without the unknown field.
	want := []string{
		`testdata/errors.yaml:4: colour: unknown field`,
	}
	assertProblems(t, ps, want)

	src, _ := os.ReadFile("testdata/errors.yaml")
	fixed := strings.Replace(string(src), "colour: blue\n", "\n", 1)
	_, err = agreement.Load(strings.NewReader(fixed), "errors.yaml", checker)
	if !errors.As(err, &ps) {
		t.Fatalf("want Problems, got %v", err)
	}
	assertProblems(t, ps, []string{
		`errors.yaml:1: id: "bad ceasefire" is not a valid id`,
		`errors.yaml:2: title: is required`,
		`errors.yaml:3: timezone: unknown time zone "Mars/Olympus"`,
		`errors.yaml:8: versions[0].effective_from: "30/12/2016" is not a time`,
		`errors.yaml:12: versions[0].parties[0].actors[1]: actor "gov" is listed under both party GOV and party GOV`,
		`errors.yaml:13: versions[0].parties[1].id: party id "GOV" is already used by versions[0].parties[0].id`,
		`errors.yaml:15: versions[0].parties[1].actors[0]: unknown actor "ghost"`,
		`errors.yaml:19: versions[0].guarantors[0].answers_for[0]: guarantor IR answers for unknown party OPP-X`,
		`errors.yaml:23: versions[0].excluded[0].actors: excluded group ISIS lists no actors`,
		`errors.yaml:25: versions[0].zones[0]: zone Z1 needs pcodes, a geometry, or both`,
		`versions[0].zones[1].geometry.coordinates[0]: ring is not closed`,
		`errors.yaml:34: versions[0].zones[2].pcodes[0]: unknown P-code "SY99"`,
		`errors.yaml:39: versions[0].clauses[0].prohibits[1]: unknown act type "teleportation"`,
		`errors.yaml:40: versions[0].clauses[0].protects[0]: "martians" is neither`,
		`errors.yaml:41: versions[0].clauses[0].zones[0]: clause C1 names unknown zone Z9`,
		`versions[0].clauses[0].window.to: 2017-01-01 is not after from 2017-02-01`,
		`errors.yaml:43: versions[1].version: version 3 follows version 1`,
		`versions[1].clauses: at least one clause is required`,
	})
}

func assertProblems(t *testing.T, ps agreement.Problems, want []string) {
	t.Helper()
	got := ps.Error()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("missing problem %q", w)
		}
	}
	if t.Failed() {
		t.Logf("got:\n%s", got)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"empty", "", "empty.yaml: file is empty"},
		{"not yaml", "id: [unclosed", "not yaml.yaml:1: did not find expected"},
		{"wrong type", "id: x\ntitle: t\ntimezone: UTC\nversions: 3\n", "wrong type.yaml:4: versions: want a list, got \"3\""},
		{"bad version number", "id: x\ntitle: t\ntimezone: UTC\nversions:\n  - version: one\n", "bad version number.yaml:5: versions[0].version: want a whole number, got \"one\""},
		{"no versions", "id: x\ntitle: t\ntimezone: UTC\n", "no versions.yaml: versions: at least one version is required"},
		// A key given twice, or a second document, was silently dropped.
		{"duplicate key", "id: x\ntitle: t\ntimezone: UTC\ntitle: u\n", "duplicate key.yaml:4: title: is given twice (first at line 2)"},
		{"duplicate nested key", "id: x\ntitle: t\ntimezone: UTC\nversions:\n  - version: 1\n    label: a\n    label: b\n", "duplicate nested key.yaml:7: versions[0].label: is given twice (first at line 6)"},
		{"second document", "id: x\ntitle: t\ntimezone: UTC\n---\nid: y\n", "second document.yaml:4: a second YAML document starts here"},
		{"duplicate key in a map", "id: x\ntitle: t\ntimezone: UTC\nversions:\n  - version: 1\n    zones:\n      - id: z\n        geometry:\n          type: Polygon\n          type: Point\n",
			`duplicate key in a map.yaml:10: versions[0].zones[0].geometry: mapping key "type" already defined at line 9`},
		// Found by FuzzLoad: an empty list item was a nil version.
		{"empty version", "id: x\ntitle: t\ntimezone: UTC\nversions:\n  -\n", "empty version.yaml:5: versions[0]: is empty; want a mapping of fields"},
		{"empty clause", "id: x\ntitle: t\ntimezone: UTC\nversions:\n  - version: 1\n    clauses: [~]\n", "empty clause.yaml:6: versions[0].clauses[0]: is empty"},
		{"bad second document", "id: x\n---\nid: [\n", "bad second document.yaml:3: did not find expected node content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := agreement.Load(strings.NewReader(tt.src), tt.name+".yaml", checker)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestLoadDocumentMarkers: "---" before the document, or alone after it,
// is no second document.
func TestLoadDocumentMarkers(t *testing.T) {
	src, err := os.ReadFile("testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"---\n" + string(src), string(src) + "---\n", string(src) + "...\n"} {
		if _, err := agreement.Load(strings.NewReader(s), "m.yaml", checker); err != nil {
			t.Errorf("%v", err)
		}
	}
}

func TestDuring(t *testing.T) {
	src := `id: x
title: t
timezone: UTC
versions:
  - version: 1
    label: one
    effective_from: 2017-01-01
    parties: [{id: A, name: A, actors: [gov]}]
    guarantors: []
    clauses: [{id: C, title: c, reference: r, prohibits: [shelling]}]
  - version: 2
    label: two
    effective_from: 2017-02-01
    effective_to: 2017-03-01
    parties: [{id: A, name: A, actors: [gov]}]
    guarantors: []
    clauses: [{id: C, title: c, reference: r, prohibits: [shelling]}]
`
	a, err := agreement.Load(strings.NewReader(src), "x.yaml", checker)
	if err != nil {
		t.Fatal(err)
	}
	d := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	tests := []struct {
		from, to string
		versions []int
		covered  bool
	}{
		{"2016-12-01", "2016-12-02", nil, false},
		{"2016-12-31", "2017-01-02", []int{1}, false},
		{"2017-01-10", "2017-01-11", []int{1}, true},
		{"2017-01-31", "2017-02-02", []int{1, 2}, true},
		{"2017-02-28", "2017-03-01", []int{2}, true},
		{"2017-02-28", "2017-03-02", []int{2}, false},
		{"2017-03-01", "2017-03-02", nil, false},
	}
	for _, tt := range tests {
		got, covered := a.During(d(tt.from), d(tt.to))
		var nums []int
		for _, o := range got {
			nums = append(nums, o.Version.Number)
		}
		if len(nums) != len(tt.versions) || covered != tt.covered {
			t.Errorf("During(%s, %s) = %v covered=%v, want %v covered=%v", tt.from, tt.to, nums, covered, tt.versions, tt.covered)
			continue
		}
		for i := range nums {
			if nums[i] != tt.versions[i] {
				t.Errorf("During(%s, %s) = %v, want %v", tt.from, tt.to, nums, tt.versions)
			}
		}
	}
}

func TestDigestChangesWithContent(t *testing.T) {
	a, err := load(t, "testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	v := a.Versions[0]
	d1 := v.Digest()
	v.Clauses[0].Prohibits = append(v.Clauses[0].Prohibits, "airstrike")
	if v.Digest() == d1 {
		t.Error("digest did not change when a clause changed")
	}
}

// forces_side names the party a guarantor's forces fight beside: it must
// be a party of the version, and needs forces to apply to.
func TestForcesSide(t *testing.T) {
	const src = `id: x
title: t
timezone: UTC
versions:
  - version: 1
    label: one
    effective_from: 2017-01-01
    parties: [{id: GOV, name: G, actors: [gov]}, {id: OPP, name: O, actors: [opp]}]
    guarantors:
      - {id: RU, name: R, answers_for: [GOV], forces: [isis]%s}
    clauses: [{id: C, title: c, reference: r, prohibits: [shelling]}]
`
	tests := []struct {
		name, guarantor string
		side            string // Affiliation("isis").Side when valid
		problem         string
	}{
		{"no side", "", "", ""},
		{"a party of the version", ", forces_side: GOV", "GOV", ""},
		{"the other party", ", forces_side: OPP", "OPP", ""},
		{"unknown party", ", forces_side: REBELS", "", "x.yaml:10: versions[0].guarantors[0].forces_side: guarantor RU's forces fight for unknown party REBELS"},
		{"a guarantor is no party", ", forces_side: RU", "", "unknown party RU"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := agreement.Load(strings.NewReader(fmt.Sprintf(src, tt.guarantor)), "x.yaml", checker)
			if tt.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tt.problem) {
					t.Errorf("err = %v, want %q", err, tt.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			aff := a.Versions[0].Affiliation("isis")
			if aff.Guarantor != "RU" || aff.Side != tt.side || aff.Party != "" {
				t.Errorf("Affiliation(isis) = %+v, want guarantor RU on side %q", aff, tt.side)
			}
		})
	}
	// A side without forces would judge nothing: refused.
	noForces := strings.Replace(fmt.Sprintf(src, ", forces_side: GOV"), "forces: [isis], ", "", 1)
	if _, err := agreement.Load(strings.NewReader(noForces), "x.yaml", checker); err == nil || !strings.Contains(err.Error(), "has forces_side GOV but lists no forces") {
		t.Errorf("forces_side without forces: err = %v", err)
	}
}

// A change of side is a change between versions.
func TestDiffForcesSide(t *testing.T) {
	a, err := load(t, "testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	v1 := a.Versions[0]
	v2 := *v1
	g := *v1.Guarantors[0]
	g.Forces, g.ForcesSide = []string{"isis"}, "GOV"
	v2.Guarantors = []*agreement.Guarantor{&g}
	var got []string
	for _, c := range agreement.Diff(v1, &v2) {
		got = append(got, c.String())
	}
	if s := strings.Join(got, "\n"); !strings.Contains(s, "guarantor RU") || !strings.Contains(s, "forces_side") {
		t.Errorf("diff does not show the side:\n%s", s)
	}
}
