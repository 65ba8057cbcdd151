package actor_test

import (
	"os"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/actor"
)

// An operator's file extends the shipped registry: its actors resolve,
// and each actor says which file it came from.
func TestLoadFiles(t *testing.T) {
	shippedSrc, err := os.ReadFile("../bundled/data/actors.yaml")
	if err != nil {
		t.Fatal(err)
	}
	extra := "actors:\n  - id: saraya-qasioun\n    name: Saraya Qasioun\n    kind: armed_group\n    aliases: [Qasioun Brigades]\n"
	reg, err := actor.LoadFiles(actor.File{Name: "actors.yaml", Source: shippedSrc}, actor.File{Name: "extra.yaml", Source: []byte(extra)})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"Saraya Qasioun": "saraya-qasioun", "qasioun brigades": "saraya-qasioun", "SAA": "government-of-syria"} {
		if id, ok := reg.Resolve(name); !ok || id != want {
			t.Errorf("Resolve(%q) = %q, %v; want %s", name, id, ok, want)
		}
	}
	a, _ := reg.Get("saraya-qasioun")
	g, _ := reg.Get("government-of-syria")
	if a.File != "extra.yaml" || a.Line != 2 || g.File != "actors.yaml" {
		t.Errorf("files: %s:%d, %s", a.File, a.Line, g.File)
	}
}

// Ids and names must not collide across files: the problem is the later
// file's, and names the earlier file and line.
func TestLoadFilesCollisions(t *testing.T) {
	base := "actors:\n  - id: alpha\n    name: Alpha Brigade\n    kind: armed_group\n    aliases: [AB]\n"
	tests := []struct {
		name, src string
		want      []string
	}{
		{"id", "# mine\nactors:\n  - id: alpha\n    name: Another Alpha\n    kind: armed_group\n",
			[]string{`op.yaml:3: actors[0].id: duplicate id "alpha" (first at base.yaml:2)`}},
		{"alias", "actors:\n  - id: beta\n    name: Beta\n    kind: armed_group\n    aliases: [ab]\n",
			[]string{`op.yaml:2: actors[0].aliases: name "ab" of beta also names alpha (base.yaml:2)`}},
		{"id naming another", "actors:\n  - id: gamma\n    name: Gamma\n    kind: armed_group\n  - id: alpha-brigade\n    name: Delta\n    kind: armed_group\n",
			[]string{`op.yaml:5: id: id "alpha-brigade" is a name of alpha (base.yaml:2)`}},
		{"every problem of every file", "actors:\n  - id: alpha\n    name: A2\n    kind: armed_group\n  - id: e\n    name: AB\n    kind: nope\n",
			[]string{`op.yaml:2: actors[0].id: duplicate id "alpha" (first at base.yaml:2)`, `op.yaml:5: actors[1].kind: unknown kind "nope"`, `op.yaml:5: actors[1].aliases: name "AB" of e also names alpha (base.yaml:2)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := actor.LoadFiles(actor.File{Name: "base.yaml", Source: []byte(base)}, actor.File{Name: "op.yaml", Source: []byte(tt.src)})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
	// Within one file the message keeps to lines.
	_, err := actor.LoadFiles(actor.File{Name: "base.yaml", Source: []byte(base + "  - id: alpha\n    name: X\n    kind: armed_group\n")})
	if err == nil || !strings.Contains(err.Error(), `base.yaml:6: actors[1].id: duplicate id "alpha" (first at line 2)`) {
		t.Errorf("err = %v", err)
	}
}

// Append adds an actor at the end of a file, or makes the file; the
// result loads, keeps what was there, and the comments.
func TestAppend(t *testing.T) {
	first, err := actor.Append(nil, actor.Actor{ID: "a", Name: "Alpha", Kind: actor.ArmedGroup, Aliases: []string{"AA"}, Note: "source: x"})
	if err != nil {
		t.Fatal(err)
	}
	second, err := actor.Append(first, actor.Actor{ID: "b", Name: "Beta", Kind: actor.Unknown})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(second), "# Actors added with") {
		t.Errorf("header comment lost:\n%s", second)
	}
	reg, err := actor.LoadFiles(actor.File{Name: "operator.yaml", Source: second})
	if err != nil {
		t.Fatalf("%v\n%s", err, second)
	}
	all := reg.All()
	if len(all) != 2 || all[0].ID != "a" || all[0].Note != "source: x" || all[1].Kind != actor.Unknown || all[0].Line >= all[1].Line {
		t.Errorf("actors = %+v\n%s", all, second)
	}
	if id, _ := reg.Resolve("aa"); id != "a" {
		t.Errorf("alias lost:\n%s", second)
	}
	// A hand-written file with its own layout and comments.
	hand := "# our list\nactors:\n- id: x   # the first\n  name: X\n  kind: armed_group\n"
	out, err := actor.Append([]byte(hand), actor.Actor{ID: "y", Name: "Y", Kind: actor.ArmedGroup})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "# our list") || !strings.Contains(string(out), "# the first") {
		t.Errorf("comments lost:\n%s", out)
	}
	if reg, err := actor.LoadFiles(actor.File{Name: "h.yaml", Source: out}); err != nil || len(reg.All()) != 2 {
		t.Errorf("appended file: %v\n%s", err, out)
	}
	if _, err := actor.Append([]byte("actors: 3\n"), actor.Actor{ID: "z"}); err == nil {
		t.Error("appended to a file whose actors is not a list")
	}
}

// TestSecondDocumentRefused: actors pasted after "---" were silently
// ignored; like an agreement, mapping or control layer, an actors file
// holds one document.
func TestSecondDocumentRefused(t *testing.T) {
	src := "actors:\n  - id: a-one\n    name: A One\n    kind: armed_group\n---\nactors:\n  - id: a-two\n    name: A Two\n    kind: armed_group\n"
	_, err := actor.Load(strings.NewReader(src), "two.yaml")
	if err == nil || !strings.Contains(err.Error(), "two.yaml:5") || !strings.Contains(err.Error(), "second YAML document") {
		t.Errorf("got %v, want the second document refused at two.yaml:5", err)
	}
}
