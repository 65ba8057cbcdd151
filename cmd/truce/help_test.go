package main

import (
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"strings"
	"testing"
)

// Issue 14: every command answers -h and --help with its usage, not with
// an error about its first argument ("unknown export format "-h"").
func TestEveryCommandHelp(t *testing.T) {
	for _, cmd := range commands() {
		c := cmd.name
		if !strings.Contains(usage(), "truce "+c+" ") {
			t.Errorf("the usage does not list %s", c)
		}
		for _, h := range []string{"-h", "--help"} {
			out, err := truce(t, c, h)
			if ue, ok := err.(usageError); err != nil && !(ok && ue == "") {
				t.Errorf("truce %s %s: %v", c, h, err)
			}
			if strings.Contains(out, "unknown") {
				t.Errorf("truce %s %s: %s", c, h, out)
			}
		}
	}
	// The first argument of a command with subcommands or formats.
	for _, args := range [][]string{{"export", "-h"}, {"import", "--help"}, {"incident", "-h"}, {"user", "-h"}, {"actors", "-h"}, {"control", "-h"}, {"key", "-h"}, {"agreement", "-h"}, {"evidence", "-h"}} {
		out, err := truce(t, args...)
		if err != nil || !strings.Contains(out, "usage") {
			t.Errorf("truce %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	// After a subcommand or format: the flag set's help (printed to
	// standard error), which is no error either.
	for _, args := range [][]string{{"export", "acled", "-h"}, {"import", "ucdp", "-h"}, {"incident", "show", "-h"}, {"user", "add", "-h"}, {"user", "list", "-h"}, {"control", "at", "-h"}} {
		if _, err := truce(t, args...); err != nil && err != usageError("") {
			t.Errorf("truce %s: %v", strings.Join(args, " "), err)
		}
	}
}

func TestVersion(t *testing.T) {
	out := mustTruce(t, "version")
	if !strings.HasPrefix(out, "truce ") || !strings.Contains(out, "revision ") {
		t.Errorf("version: %q", out)
	}
	bi := &debug.BuildInfo{GoVersion: "go1.26", Main: debug.Module{Path: "github.com/truce-monitor/truce", Version: "v1.2.3"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-01-02T03:04:05Z"}, {Key: "vcs.modified", Value: "true"}}}
	if got := versionOf(bi); !strings.Contains(got, "truce v1.2.3") || !strings.Contains(got, "revision abc123 2026-01-02T03:04:05Z (modified)") {
		t.Errorf("versionOf: %q", got)
	}
	bi = &debug.BuildInfo{Main: debug.Module{Path: "github.com/truce-monitor/truce", Version: "(devel)"}}
	if got := versionOf(bi); !strings.Contains(got, "truce devel") || !strings.Contains(got, "revision devel") {
		t.Errorf("versionOf without VCS: %q", got)
	}
}

// Issue 14: truce load exited 0 when every request failed.
func TestLoadFailsWhenNothingSucceeds(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"wrong token"}`, http.StatusUnauthorized)
	}))
	defer srv.Close()
	t.Setenv("TRUCE_SUBMIT_TOKEN", "wrong")
	out, err := truce(t, "load", "-url", srv.URL, "-clients", "1", "-duration", "50ms")
	if err == nil || !strings.Contains(err.Error(), "no submission succeeded") || !strings.Contains(err.Error(), "401") {
		t.Errorf("load with every request refused: %v\n%s", err, out)
	}
}
