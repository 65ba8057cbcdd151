package agreement

import (
	"cmp"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/truce-monitor/truce/internal/problem"
	"github.com/truce-monitor/truce/internal/yamldoc"
)

// Problem is one thing wrong with an agreement file.
type Problem = problem.Problem

// Problems is every problem found in a file.
type Problems = problem.List

// Checker answers the questions validation cannot answer from the file
// alone: whether an actor id is in the registry and whether a P-code is a
// known administrative unit. Either may be nil to skip that check.
type Checker struct {
	KnownActor func(id string) bool
	KnownPCode func(pcode string) bool
}

// Load reads and validates an agreement in YAML (or JSON, which is YAML).
// file names the source in messages. The returned error, when not nil, is
// a Problems listing everything wrong.
func Load(r io.Reader, file string, chk Checker) (*Agreement, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read agreement %s: %w", file, err)
	}
	root, ps := yamldoc.Root(data, file, "an agreement file holds one (its versions go under versions:)")
	if ps != nil {
		return nil, ps
	}
	a := &Agreement{File: file, lines: map[string]int{}}
	d := decoder{file: file, lines: a.lines}
	d.decode(root, reflect.ValueOf(a).Elem(), "")
	if len(d.problems) > 0 {
		return nil, d.problems
	}
	if ps := a.validate(chk); len(ps) > 0 {
		return nil, ps
	}
	return a, nil
}

// decoder maps a YAML node tree onto the agreement structs by their yaml
// tags. yaml.v3 can do the mapping itself, but it cannot say on which line
// each field stood nor collect every unknown field; both matter here.
type decoder struct {
	file     string
	lines    map[string]int
	problems Problems
}

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	d.problems = append(d.problems, Problem{File: d.file, Line: n.Line, Field: path, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if path != "" {
		if _, seen := d.lines[path]; !seen {
			d.lines[path] = n.Line
		}
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), path)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.fail(n, path, "want a list, got %s", describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			// An empty item ("-" alone) would leave a nil entry that
			// validation and rulings would trip on.
			it := item
			for it.Kind == yaml.AliasNode {
				it = it.Alias
			}
			if it.Kind == yaml.ScalarNode && it.Tag == "!!null" && v.Type().Elem().Kind() == reflect.Pointer {
				d.fail(item, p, "is empty; want a mapping of fields")
				continue
			}
			d.decode(item, s.Index(i), p)
		}
		v.Set(s)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.fail(n, path, "want text, got %s", describe(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Int:
		if n.Kind != yaml.ScalarNode {
			d.fail(n, path, "want a whole number, got %s", describe(n))
			return
		}
		i, err := strconv.Atoi(n.Value)
		if err != nil {
			d.fail(n, path, "want a whole number, got %q", n.Value)
			return
		}
		v.SetInt(int64(i))
	case reflect.Map:
		m := reflect.New(v.Type())
		if err := n.Decode(m.Interface()); err != nil {
			// yaml.v3 finds keys given twice here; its messages carry
			// their own lines.
			for _, p := range yamldoc.Problems(d.file, err) {
				p.Line, p.Field = cmp.Or(p.Line, n.Line), path
				d.problems = append(d.problems, p)
			}
			return
		}
		v.Set(m.Elem())
	default:
		panic(fmt.Sprintf("agreement: no decoding for %s", v.Type()))
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "want a mapping of fields, got %s", describe(n))
		return
	}
	fields := map[string]int{}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			fields[name] = i
		}
	}
	// A key given twice would have the later value win silently; merged
	// keys ("<<: *anchor") are meant to be overridden and are not counted.
	first := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Value == "<<" && k.Tag == "!!merge" {
			continue
		}
		if l, seen := first[k.Value]; seen {
			sub := k.Value
			if path != "" {
				sub = path + "." + k.Value
			}
			d.fail(k, sub, "is given twice (first at line %d); one would be silently lost", l)
			continue
		}
		first[k.Value] = k.Line
	}
	for _, kv := range mappingPairs(n) {
		key, val := kv[0], kv[1]
		sub := key.Value
		if path != "" {
			sub = path + "." + key.Value
		}
		i, ok := fields[key.Value]
		if !ok {
			d.fail(key, sub, "unknown field (known: %s)", strings.Join(sortedKeys(fields), ", "))
			continue
		}
		d.lines[sub] = key.Line
		d.decode(val, v.Field(i), sub)
	}
}

// mappingPairs returns the key/value pairs of a mapping, with YAML merge
// keys ("<<: *anchor") expanded so that anchors can share parts between
// versions; explicit keys override merged ones.
func mappingPairs(n *yaml.Node) [][2]*yaml.Node {
	var merged, own [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value != "<<" || k.Tag != "!!merge" {
			own = append(own, [2]*yaml.Node{k, v})
			continue
		}
		for v.Kind == yaml.AliasNode {
			v = v.Alias
		}
		sources := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			sources = v.Content
		}
		for _, s := range sources {
			for s.Kind == yaml.AliasNode {
				s = s.Alias
			}
			if s.Kind == yaml.MappingNode {
				merged = append(merged, mappingPairs(s)...)
			}
		}
	}
	seen := map[string]bool{}
	for _, kv := range own {
		seen[kv[0].Value] = true
	}
	out := own
	for _, kv := range merged {
		if !seen[kv[0].Value] {
			seen[kv[0].Value] = true
			out = append(out, kv)
		}
	}
	return out
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

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// lineOf finds the line of a field path, falling back to the closest
// enclosing path that was present in the file.
func (a *Agreement) lineOf(path string) int {
	for path != "" {
		if l, ok := a.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}
