// Package actor holds the registry of actors: armed groups, forces,
// authorities and civilians, with their names in several languages and
// scripts. Sources name the same force in many ways ("Government of
// Syria", "regime forces", "SAA", "قوات النظام"); the registry resolves a
// name only when it matches exactly after normalisation, or by one of
// ACLED's two composite forms whose parts match exactly ("HTS: Hayat
// Tahrir al Sham", "Military Forces of Syria (2000-) 4th Armored
// Division"), and says which rule it used. It never guesses: Suggest
// offers close names to a person, and nothing applies them.
// Which party an actor belongs to is not the registry's business: that is
// per agreement and per version.
package actor

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/truce-monitor/truce/internal/marks"
	"github.com/truce-monitor/truce/internal/problem"
	"github.com/truce-monitor/truce/internal/yamldoc"
)

// Kind is what sort of actor it is.
type Kind string

const (
	StateForces Kind = "state_forces"
	ArmedGroup  Kind = "armed_group"
	Civilians   Kind = "civilians"
	// Coalition is an aggregate label covering several groups, such as
	// UCDP's "Syrian insurgents".
	Coalition Kind = "coalition"
	// Unknown is an actor whose identity is not established ("unidentified
	// armed group"): a name that resolves, to the fact that nobody knows.
	Unknown Kind = "unknown"
)

var kinds = []Kind{StateForces, ArmedGroup, Civilians, Coalition, Unknown}

// Actor is one entry of the registry.
type Actor struct {
	ID   string `yaml:"id" json:"id"`
	Name string `yaml:"name" json:"name"`
	Kind Kind   `yaml:"kind" json:"kind"`
	// Names maps a language (en, ar, ru, tr, fa) to names in it; the first
	// is the display name in that language.
	Names   map[string][]string `yaml:"names,omitempty" json:"names,omitempty"`
	Aliases []string            `yaml:"aliases,omitempty" json:"aliases,omitempty"`
	Note    string              `yaml:"note,omitempty" json:"note,omitempty"`
	// File and Line are where the actor stands: the registry file's name
	// (as given to Load or LoadFiles) and its line there.
	File string `yaml:"-" json:"-"`
	Line int    `yaml:"-" json:"-"`
}

// Registry is a loaded set of actors, from one file or several (the
// shipped registry and an operator's files). It is not changed after
// Load.
type Registry struct {
	actors []Actor
	byID   map[string]int
	byName map[string]int // normalised name → index
	names  []entry        // every name, for Suggest
}

// entry is one name of an actor as written in the registry.
type entry struct {
	name, key string
	idx       int
}

// Problem is one thing wrong with a registry file.
type Problem = problem.Problem

// Problems is every problem found in a registry file.
type Problems = problem.List

type file struct {
	Actors []yaml.Node `yaml:"actors"`
}

// File is one registry file: its name, as messages and Actor.File give
// it, and its bytes.
type File struct {
	Name   string
	Source []byte
}

// Load reads a registry in YAML. Every problem is reported, with file,
// line and field; the error is then a Problems.
func Load(r io.Reader, name string) (*Registry, error) {
	src, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return LoadFiles(File{Name: name, Source: src})
}

// LoadFiles reads several registry files, in order, into one registry.
// Ids and names must not collide, within a file or across files: a
// collision is a problem of the later file naming the earlier actor's
// file and line. Every problem of every file is reported; the error is
// then a Problems.
func LoadFiles(files ...File) (*Registry, error) {
	reg := &Registry{byID: map[string]int{}, byName: map[string]int{}}
	var ps Problems
	for _, f := range files {
		reg.add(f, &ps)
	}
	// Lookup tries names before ids, so an id that is another actor's
	// name would never resolve to its own actor.
	for _, a := range reg.actors {
		if other, taken := reg.byName[Normalize(a.ID)]; taken && reg.actors[other].ID != a.ID {
			ps = append(ps, Problem{File: a.File, Line: a.Line, Field: "id",
				Msg: fmt.Sprintf("id %q is a name of %s (%s)", a.ID, reg.actors[other].ID, reg.where(other, a.File))})
		}
	}
	if len(ps) > 0 {
		return nil, ps
	}
	return reg, nil
}

// where says where actor i stands, seen from a problem in file: its line
// in the same file, or its file and line in another.
func (r *Registry) where(i int, file string) string {
	o := r.actors[i]
	if o.File == file {
		return fmt.Sprintf("line %d", o.Line)
	}
	return fmt.Sprintf("%s:%d", o.File, o.Line)
}

// add reads one file into the registry, adding its problems to ps.
func (reg *Registry) add(src File, ps *Problems) {
	name := src.Name
	dec := yaml.NewDecoder(bytes.NewReader(src.Source))
	dec.KnownFields(true)
	var f file
	if err := dec.Decode(&f); err != nil {
		if err == io.EOF {
			*ps = append(*ps, Problem{File: name, Line: 1, Field: "actors", Msg: "file is empty"})
			return
		}
		*ps = append(*ps, yamldoc.Problems(name, err)...)
		return
	}
	if line, err := yamldoc.Another(dec); err != nil {
		*ps = append(*ps, yamldoc.Problems(name, err)...)
		return
	} else if line > 0 {
		*ps = append(*ps, Problem{File: name, Line: line, Msg: "a second YAML document starts here; an actors file holds one (its actors go under actors:)"})
		return
	}
	fail := func(line int, field, format string, args ...any) {
		*ps = append(*ps, Problem{File: name, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	for i, n := range f.Actors {
		path := fmt.Sprintf("actors[%d]", i)
		var a Actor
		if err := decodeStrict(&n, &a); err != nil {
			fail(n.Line, path, "%v", err)
			continue
		}
		a.Line, a.File = n.Line, name
		if a.ID == "" {
			fail(n.Line, path+".id", "is required")
			continue
		}
		if prev, dup := reg.byID[a.ID]; dup {
			fail(n.Line, path+".id", "duplicate id %q (first at %s)", a.ID, reg.where(prev, name))
			continue
		}
		if a.Name == "" {
			fail(n.Line, path+".name", "is required")
		}
		if !validKind(a.Kind) {
			fail(n.Line, path+".kind", "unknown kind %q (want one of %v)", a.Kind, kinds)
		}
		idx := len(reg.actors)
		reg.byID[a.ID] = idx
		reg.actors = append(reg.actors, a)
		names := []string{a.Name}
		for _, lang := range sortedLangs(a.Names) {
			names = append(names, a.Names[lang]...)
		}
		names = append(names, a.Aliases...)
		for _, nm := range names {
			key := Normalize(nm)
			if key == "" {
				fail(n.Line, path, "name %q is empty after normalisation", nm)
				continue
			}
			if other, taken := reg.byName[key]; taken && other != idx {
				fail(n.Line, path+".aliases", "name %q of %s also names %s (%s)", nm, a.ID, reg.actors[other].ID, reg.where(other, name))
				continue
			}
			reg.byName[key] = idx
			reg.names = append(reg.names, entry{name: nm, key: key, idx: idx})
		}
	}
}

// decodeStrict decodes one actor and rejects unknown fields, which
// yaml.v3 checks only at the top of a document.
func decodeStrict(n *yaml.Node, a *Actor) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("want a mapping of fields")
	}
	known := map[string]bool{"id": true, "name": true, "kind": true, "names": true, "aliases": true, "note": true}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i].Value; !known[k] {
			return fmt.Errorf("unknown field %q (line %d)", k, n.Content[i].Line)
		}
	}
	return n.Decode(a)
}

func validKind(k Kind) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

func sortedLangs(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Resolve returns the id of the actor a name denotes, by the rules of
// Lookup, which also says which rule applied. It never matches
// approximately: an unresolved name is left for a person.
func (r *Registry) Resolve(name string) (string, bool) {
	res := r.Lookup(name)
	return res.ID, res.OK()
}

// Get returns the actor with the given id.
func (r *Registry) Get(id string) (Actor, bool) {
	i, ok := r.byID[id]
	if !ok {
		return Actor{}, false
	}
	return r.actors[i], true
}

// All returns every actor, by id.
func (r *Registry) All() []Actor {
	out := append([]Actor(nil), r.actors...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// DisplayName is the actor's name in lang, or in English when the
// registry has none in lang.
func (r *Registry) DisplayName(id, lang string) string {
	a, ok := r.Get(id)
	if !ok {
		return id
	}
	if ns := a.Names[lang]; len(ns) > 0 {
		return ns[0]
	}
	return a.Name
}

// SplitList splits a field naming several groups, such as UCDP's
// "Ahrar al-Sham, Jabhat Fateh al-Sham, Southern Front".
func SplitList(field string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(field, func(r rune) bool { return r == ',' || r == ';' }) {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// arabic folds the letter variants that writers use interchangeably.
var arabic = strings.NewReplacer(
	"أ", "ا", "إ", "ا", "آ", "ا", "ٱ", "ا",
	"ى", "ي", "ی", "ي", "ئ", "ي",
	"ة", "ه", "ؤ", "و", "ک", "ك",
	"ـ", "", // tatweel
)

// Normalize reduces a name to the key it is matched on: without
// diacritics, case, quotes and apostrophes, with hyphens and dots as
// spaces, Arabic letter variants folded, and no leading English article.
func Normalize(s string) string {
	out := arabic.Replace(strings.ToLower(marks.Strip(s)))
	var b strings.Builder
	space := true // drop leading spaces
	for _, r := range out {
		switch {
		case strings.ContainsRune("'’‘`ʿʾ\"“”«»", r):
			continue
		case r == '-' || r == '_' || r == '.' || r == '/' || unicode.IsSpace(r):
			if !space {
				b.WriteByte(' ')
				space = true
			}
		default:
			b.WriteRune(r)
			space = false
		}
	}
	key := strings.TrimSpace(b.String())
	return strings.TrimPrefix(key, "the ")
}
