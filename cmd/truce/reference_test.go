package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/app"
)

// extraActors is an operator's actors file: a group the shipped registry
// lacks.
const extraActors = `# Groups the shipped registry lacks.
actors:
  - id: saraya-qasioun
    name: Saraya Qasioun
    kind: armed_group
    aliases: [Qasioun Brigades]
    note: "source: a test"
`

// monitorsLayer is an operator's control layer naming the stored actor.
const monitorsLayer = `id: monitors-2017
claimant: monitors
version: VERSION
label: The monitors' account, 2017
timezone: Asia/Damascus
period: {from: 2017-01-01, to: 2018-01-01}
rows:
  - pcode: SY070000
    from: 2017-01-01
    actor: saraya-qasioun
    source: "field report of 2017-01-02"
`

// columns are the spaces between a table's columns (tabwriter's padding
// of at least 2).
var columns = regexp.MustCompile(`  +`)

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// wantIn checks that out holds each of wants; in a table, columns are
// told apart by a tab.
func wantIn(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	out = columns.ReplaceAllString(out, "\t")
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, out)
		}
	}
}

// truce actors load, add and list: an operator extends the registry
// without rebuilding truce, and truce uses it when it next opens.
func TestActorsLoadAddList(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.db")
	extra := writeFile(t, dir, "extra.yaml", extraActors)

	wantIn(t, "load", mustTruce(t, "actors", "load", "-db", db, extra), "ok: 1 actors; stored as the latest version of extra.yaml")
	wantIn(t, "load again", mustTruce(t, "actors", "load", "-db", db, extra), "the same as stored: nothing to do")
	wantIn(t, "list", mustTruce(t, "actors", "list", "-db", db, "-q", "qasioun"), "saraya-qasioun\tarmed_group\tSaraya Qasioun\textra.yaml")
	wantIn(t, "resolve", mustTruce(t, "actors", "resolve", "-db", db, "Qasioun Brigades"), "Qasioun Brigades\tsaraya-qasioun\tSaraya Qasioun (armed_group)\tby exact")

	wantIn(t, "add", mustTruce(t, "actors", "add", "-db", db, "dara-popular-resistance", "-name", "Dar'a Popular Resistance", "-kind", "armed_group",
		"-alias", "Popular Resistance of Daraa", "-alias", "المقاومة الشعبية في درعا", "-note", "source: a test"), "added dara-popular-resistance")
	mustTruce(t, "actors", "add", "-db", db, "saraya-ansar-al-sunna", "-name", "Saraya Ansar al Sunna", "-kind", "armed_group")
	list := mustTruce(t, "actors", "list", "-db", db)
	wantIn(t, "list", list, "dara-popular-resistance\tarmed_group\tDar'a Popular Resistance\toperator.yaml", "saraya-ansar-al-sunna", "government-of-syria", "shipped")
	wantIn(t, "resolve", mustTruce(t, "actors", "resolve", "-db", db, "المقاومة الشعبية في درعا"), "\tdara-popular-resistance\t")

	// Collisions are refused, naming both files and lines; nothing is
	// stored.
	out, err := truce(t, "actors", "add", "-db", db, "copy", "-name", "Qasioun Brigades", "-kind", "armed_group")
	if err == nil {
		t.Fatal("a colliding name was added")
	}
	wantIn(t, "add colliding", out, `operator.yaml:`, `name "Qasioun Brigades" of copy also names saraya-qasioun (extra.yaml:3)`)
	clash := writeFile(t, dir, "clash.yaml", "actors:\n  - id: government-of-syria\n    name: Our Government\n    kind: state_forces\n  - id: x\n    name: X\n    kind: militia\n")
	out, err = truce(t, "actors", "load", "-db", db, clash)
	if err == nil {
		t.Fatal("a file colliding with the shipped registry was stored")
	}
	wantIn(t, "load colliding", out, `clash.yaml:2: actors[0].id: duplicate id "government-of-syria" (first at data/actors.yaml:`, `clash.yaml:5: actors[1].kind: unknown kind "militia"`)
	broken := writeFile(t, dir, "broken.yaml", "actors:\n  - id: [x\n")
	if out, err := truce(t, "actors", "load", "-db", db, broken); err == nil || !strings.Contains(out, "broken.yaml:") {
		t.Errorf("a file that is not YAML: %v\n%s", err, out)
	}
	if _, err := truce(t, "actors", "add", "-db", db, "y", "-name", "Y"); err == nil {
		t.Error("add without -kind")
	}
	if out := mustTruce(t, "actors", "list", "-db", db); strings.Contains(out, "clash.yaml") || strings.Contains(out, "\ncopy ") {
		t.Errorf("a refused file was stored:\n%s", out)
	}

	// The engine rules with the whole registry when truce opens.
	a, err := app.Open(context.Background(), app.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, name := range []string{"Saraya Qasioun", "Dar'a Popular Resistance", "Saraya Ansar al Sunna", "SAA"} {
		if _, ok := a.Engine.Actors.Resolve(name); !ok {
			t.Errorf("the engine does not resolve %q", name)
		}
	}
	if a.Engine.Actors != a.Actors {
		t.Error("the engine and the app use different registries")
	}
	if left := a.ReferenceLeftOut(); len(left) > 0 {
		t.Errorf("left out: %v", left)
	}
}

// truce control load and list: an operator's layer, naming an actor of
// an operator's actors file, is stored and consulted; a version is never
// replaced by other content, and an actors file may not drop an actor a
// stored layer names.
func TestControlLoadList(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.db")
	layer := writeFile(t, dir, "monitors.yaml", strings.Replace(monitorsLayer, "VERSION", "1", 1))
	// The layer names an actor the registry does not have yet.
	out, err := truce(t, "control", "load", "-db", db, layer)
	if err == nil {
		t.Fatal("a layer naming an unknown actor was stored")
	}
	wantIn(t, "load", out, `monitors.yaml:10: rows[0].actor: unknown actor "saraya-qasioun"`)
	mustTruce(t, "actors", "load", "-db", db, writeFile(t, dir, "extra.yaml", extraActors))
	wantIn(t, "load", mustTruce(t, "control", "load", "-db", db, layer), "ok: monitors-2017 v1 (claimant monitors), 1 rows; stored")
	wantIn(t, "load again", mustTruce(t, "control", "load", "-db", db, layer), "the same as stored: nothing to do")
	list := mustTruce(t, "control", "list", "-db", db)
	wantIn(t, "list", list, "wikipedia-2016-2018\tv1\twikipedia\t", "\tshipped\tdata/control/wikipedia-2016-2018.yaml", "monitors-2017\tv1\tmonitors\t2017-01-01 to 2018-01-01\t1\t", "\tstored\tmonitors.yaml")
	at := mustTruce(t, "control", "at", "-db", db, "-at", "35.9,36.6", "-date", "2017-03-01")
	wantIn(t, "at", at, "monitors (layer monitors-2017 v1)", "=> held by saraya-qasioun", "field report of 2017-01-02", "DISPUTED")

	// Version 1 with other content is refused; version 2 is stored.
	changed := writeFile(t, dir, "monitors-fixed.yaml", strings.Replace(strings.Replace(monitorsLayer, "VERSION", "1", 1), "field report", "field note", 1))
	if _, err := truce(t, "control", "load", "-db", db, changed); err == nil || !strings.Contains(err.Error(), "version 1 is stored with other content") {
		t.Errorf("a changed version 1: %v", err)
	}
	v2 := writeFile(t, dir, "monitors-2.yaml", strings.Replace(strings.Replace(monitorsLayer, "VERSION", "2", 1), "field report", "field note", 1))
	mustTruce(t, "control", "load", "-db", db, v2)
	if _, err := truce(t, "control", "load", "-db", db, layer); err == nil || !strings.Contains(err.Error(), "a correction is a higher version") {
		t.Errorf("back to version 1: %v", err)
	}
	wantIn(t, "at v2", mustTruce(t, "control", "at", "-db", db, "-at", "35.9,36.6", "-date", "2017-03-01"), "monitors (layer monitors-2017 v2)", "field note of 2017-01-02")

	// A shipped layer's version is not replaced; a higher version
	// supersedes it.
	shipped, err := os.ReadFile("../../internal/bundled/data/control/wikipedia-2016-2018.yaml")
	if err != nil {
		t.Fatal(err)
	}
	same := writeFile(t, dir, "wikipedia.yaml", strings.Replace(string(shipped), "\nversion: 1\n", "\nversion: 1\n# a comment\n", 1))
	if _, err := truce(t, "control", "load", "-db", db, same); err == nil || !strings.Contains(err.Error(), "version 1 ships with truce") {
		t.Errorf("a shipped version with other content: %v", err)
	}
	higher := writeFile(t, dir, "wikipedia-2.yaml", strings.Replace(string(shipped), "\nversion: 1\n", "\nversion: 2\n", 1))
	mustTruce(t, "control", "load", "-db", db, higher)
	wantIn(t, "list", mustTruce(t, "control", "list", "-db", db), "wikipedia-2016-2018\tv1\t", "\tshipped (superseded)\t", "wikipedia-2016-2018\tv2\t")

	// A new version of the actors file that drops the layer's actor is
	// refused.
	newer := filepath.Join(dir, "newer")
	os.Mkdir(newer, 0o755)
	out, err = truce(t, "actors", "load", "-db", db, writeFile(t, newer, "extra.yaml", "actors: []\n"))
	if err == nil {
		t.Fatal("an actors file dropping a stored layer's actor was stored")
	}
	wantIn(t, "load", err.Error()+out, "the stored control layer monitors-2017 would no longer validate", `unknown actor "saraya-qasioun"`)

	a, err := app.Open(context.Background(), app.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var ids []string
	for _, l := range a.Engine.Control.Layers() {
		ids = append(ids, fmt.Sprintf("%s v%d", l.ID, l.Version))
	}
	if got := strings.Join(ids, ", "); got != "monitors-2017 v2, wikipedia-2016-2018 v2" {
		t.Errorf("the engine consults %s", got)
	}
}

// An actors file edited in the database behind truce's back is named by
// truce verify, and truce leaves it out.
func TestVerifyNamesEditedActorsFile(t *testing.T) {
	dir := t.TempDir()
	db, key := filepath.Join(dir, "t.db"), filepath.Join(dir, "node.key")
	mustTruce(t, "key", "generate", "-name", "truce.test/log", "-o", key)
	mustTruce(t, "actors", "load", "-db", db, writeFile(t, dir, "extra.yaml", extraActors))
	mustTruce(t, "actors", "add", "-db", db, "x-brigade", "-name", "X Brigade", "-kind", "armed_group")
	mustTruce(t, "checkpoint", "-db", db, "-key", key)
	wantIn(t, "verify", mustTruce(t, "verify", "-db", db, "-pub", key+".pub"), "verified:")

	st, err := app.OpenStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	raw := st.(interface{ DB() *sql.DB }).DB()
	// An alias that makes another group's name resolve to this one.
	if _, err := raw.Exec(`UPDATE reference_files SET source = CAST(replace(CAST(source AS TEXT), '[Qasioun Brigades]', '[Qasioun Brigades, Jaysh al-Islam]') AS BLOB) WHERE name = 'extra.yaml'`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	out, err := truce(t, "verify", "-db", db, "-pub", key+".pub")
	if err == nil || !strings.Contains(err.Error(), "reference_file actors/extra.yaml/1: revision 1 differs from what was logged") {
		t.Errorf("verify after editing the actors file: %v\n%s", err, out)
	}
	// truce rules without it meanwhile, and says so.
	wantIn(t, "list", mustTruce(t, "actors", "list", "-db", db), "stored actors file extra.yaml left out: it is not what its log entry 0 holds", "x-brigade")
	wantIn(t, "resolve", mustTruce(t, "actors", "resolve", "-db", db, "Saraya Qasioun"), "Saraya Qasioun\t-\tunresolved")
}
