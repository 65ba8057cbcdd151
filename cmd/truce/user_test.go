package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 14: user add says which database it wrote to; an affiliation no
// stored agreement defines is refused (and any, before an agreement is
// loaded); user list shows users without their tokens.
func TestUserAddCheckedAndListed(t *testing.T) {
	db := filepath.Join(t.TempDir(), "u.db")
	// No agreement yet: a party cannot be checked, and is refused.
	if _, err := truce(t, "user", "add", "gov", "-db", db, "-role", "liaison", "-party", "GOV"); err == nil || !strings.Contains(err.Error(), "load the agreement first") {
		t.Errorf("liaison before any agreement: %v", err)
	}
	// A user of no affiliation needs no agreement.
	out := mustTruce(t, "user", "add", "rev", "-db", db, "-role", "reviewer")
	if !strings.Contains(out, "added to "+db) {
		t.Errorf("user add does not name the database: %s", out)
	}
	revToken := strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n"):])
	mustTruce(t, "agreement", "load", "-db", db, "../../internal/bundled/data/agreements/syria-coh-2016.yaml")
	_, err := truce(t, "user", "add", "gvo", "-db", db, "-role", "liaison", "-party", "GVO")
	if err == nil || !strings.Contains(err.Error(), `unknown party "GVO"`) || !strings.Contains(err.Error(), "GOV") || !strings.Contains(err.Error(), "OPP") {
		t.Errorf("unknown party: %v", err)
	}
	_, err = truce(t, "user", "add", "xx", "-db", db, "-role", "guarantor", "-guarantor", "XX")
	if err == nil || !strings.Contains(err.Error(), `unknown guarantor "XX"`) || !strings.Contains(err.Error(), "RU") {
		t.Errorf("unknown guarantor: %v", err)
	}
	mustTruce(t, "user", "add", "gov", "-db", db, "-role", "liaison", "-party", "GOV")
	mustTruce(t, "user", "add", "ru", "-db", db, "-role", "guarantor", "-guarantor", "RU")
	out = mustTruce(t, "user", "list", "-db", db)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "NAME") {
		t.Fatalf("user list:\n%s", out)
	}
	for i, want := range [][]string{{"gov", "liaison", "GOV", "-"}, {"rev", "reviewer", "-", "-"}, {"ru", "guarantor", "-", "RU"}} {
		if got := strings.Fields(lines[i+1]); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("user list line %d: %q, want %q", i+1, got, want)
		}
	}
	if strings.Contains(out, "truce_") || strings.Contains(out, revToken) {
		t.Errorf("user list shows a token:\n%s", out)
	}
	// Help, not an error.
	if out := mustTruce(t, "user", "-h"); !strings.Contains(out, "truce user list") {
		t.Errorf("user -h: %s", out)
	}
}

// Issue 14: the data key made beside the demo database is a secret: git
// ignores it, and the demo says where it is and to back it up apart.
func TestDataKeyIgnoredAndNamed(t *testing.T) {
	b, err := os.ReadFile("../../.gitignore")
	if err != nil {
		t.Fatal(err)
	}
	ignored := func(name string) bool {
		for _, pat := range strings.Split(string(b), "\n") {
			if ok, _ := filepath.Match(strings.TrimPrefix(pat, "/"), name); ok && pat != "" {
				return true
			}
		}
		return false
	}
	for _, name := range []string{"truce-demo.db.key", "truce.db.key", "truce-demo.db"} {
		if !ignored(name) {
			t.Errorf(".gitignore does not ignore %s", name)
		}
	}
	t.Setenv("TRUCE_DATA_KEY", "")
	db := filepath.Join(t.TempDir(), "truce-demo.db")
	note := dataKeyNote(db)
	if !strings.Contains(note, db+".key") || !strings.Contains(note, "back it up separately") {
		t.Errorf("data key note: %s", note)
	}
	t.Setenv("TRUCE_DATA_KEY", "/srv/keys/truce.key")
	if note := dataKeyNote(db); !strings.Contains(note, "/srv/keys/truce.key") {
		t.Errorf("data key note with TRUCE_DATA_KEY: %s", note)
	}
}
