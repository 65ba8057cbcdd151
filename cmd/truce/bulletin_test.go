package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func bulletinCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := cmdBulletin(context.Background(), args, &out, slog.New(slog.DiscardHandler))
	return out.String(), err
}

// TestBulletinCommand: a week's bulletin from the demo data, in each
// format, verifies against the database; an incident behind a figure
// altered in the database makes -verify fail, naming the figure.
func TestBulletinCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.db")
	mustTruce(t, "agreement", "load", "-db", db, "../../internal/bundled/data/agreements/syria-coh-2016.yaml")
	csv := filepath.Join(dir, "ged.csv")
	gunzip(t, "../../internal/bundled/data/ucdp/ged-syria-2016-12-30_2017-02-28.csv.gz", csv)
	mustTruce(t, "import", "ucdp", "-db", db, csv)
	mustTruce(t, "key", "generate", "-name", "truce.test/log", "-o", filepath.Join(dir, "node.key"))
	mustTruce(t, "checkpoint", "-db", db, "-key", filepath.Join(dir, "node.key"))

	for _, f := range []string{"week.html", "week.md", "week.json"} {
		file := filepath.Join(dir, f)
		out, err := bulletinCmd(t, "-db", db, "-period", "week", "-date", "2017-01-11", "-lang", "ar", "-o", file)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !strings.Contains(out, "week 2017-01-09 to 2017-01-15, full edition") {
			t.Errorf("%s: %s", f, out)
		}
		out, err = bulletinCmd(t, "-db", db, "-verify", file, "-pub", filepath.Join(dir, "node.key.pub"))
		if err != nil || !strings.Contains(out, "holds") || !strings.Contains(out, "signed by truce.test/log") {
			t.Errorf("-verify %s: %v\n%s", f, err, out)
		}
	}
	public := filepath.Join(dir, "public.html")
	if _, err := bulletinCmd(t, "-db", db, "-period", "month", "-date", "2017-01-11", "-public", "-o", public); err != nil {
		t.Fatal(err)
	}
	if page, _ := os.ReadFile(public); !bytes.Contains(page, []byte("Public edition")) {
		t.Error("-public did not make the public edition")
	}

	if out, err := bulletinCmd(t, "-h"); err != nil || !strings.Contains(out, "usage: truce bulletin") {
		t.Errorf("-h: %v %s", err, out)
	}
	// Usage errors say what is wrong.
	for _, bad := range [][]string{
		{"-period", "fortnight", "-date", "2017-01-11", "-o", "x.html"},
		{"-period", "week", "-o", "x.html"},
		{"-period", "week", "-date", "2017-01-11", "-o", "x.txt"},
	} {
		if _, err := bulletinCmd(t, append([]string{"-db", db}, bad...)...); err == nil {
			t.Errorf("%v: no error", bad)
		} else if _, ok := err.(usageError); !ok {
			t.Errorf("%v: %v is not a usage error", bad, err)
		}
	}

	// The governorate of the week's first violation, changed behind
	// truce's back.
	sqlEditDoc(t, db, "incidents", "id = 193", func(doc string) string {
		var m map[string]any
		json.Unmarshal([]byte(doc), &m)
		m["place"].(map[string]any)["admin1"] = "SY01"
		b, _ := json.Marshal(m)
		return string(b)
	})
	sqlExec(t, db, `UPDATE incidents SET admin1 = 'SY01' WHERE id = 193`)
	out, err := bulletinCmd(t, "-db", db, "-verify", filepath.Join(dir, "week.html"))
	if err == nil {
		t.Fatalf("the altered database verifies: %s", out)
	}
	for _, want := range []string{"does not hold", "admin1/SY02: the bulletin counts 1 (incidents 193), the database now 0", "incident 193: digest"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("-verify does not say %q:\n%v", want, err)
		}
	}
}

// TestBulletinPDFWithoutChromium: without a browser, a PDF is refused at
// once, saying what to install.
func TestBulletinPDFWithoutChromium(t *testing.T) {
	t.Setenv("TRUCE_CHROMIUM", filepath.Join(t.TempDir(), "no-such-browser"))
	_, err := bulletinCmd(t, "-db", filepath.Join(t.TempDir(), "t.db"), "-period", "week", "-date", "2017-01-11", "-o", filepath.Join(t.TempDir(), "w.pdf"))
	if err == nil || !strings.Contains(err.Error(), "install Debian's chromium package, or set TRUCE_CHROMIUM") {
		t.Errorf("a PDF without Chromium: %v", err)
	}
}
