package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/server"
)

// TestPeerCommands: one node grants another, which follows it, pulls
// it, lists and verifies its copy, and pulls it afresh after a reset.
func TestPeerCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	adb, bdb := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	key := filepath.Join(dir, "a.key")
	mustTruce(t, "key", "generate", "-name", "a.truce.test", "-o", key)
	a, err := app.Open(ctx, app.Config{DB: adb})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.LoadBundledAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ImportDemoEvents(ctx); err != nil {
		t.Fatal(err)
	}
	mustTruce(t, "checkpoint", "-key", key, "-db", adb)
	srv := httptest.NewServer(server.New(a, server.Options{}))
	defer srv.Close()

	out := mustTruce(t, "peer", "grant", "b.truce.test", "-db", adb)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	token := lines[len(lines)-1]
	if !strings.HasPrefix(token, "truce_peer_") {
		t.Fatalf("grant: %s", out)
	}
	if out := mustTruce(t, "peer", "grants", "-db", adb); !strings.Contains(out, "b.truce.test") {
		t.Errorf("grants: %s", out)
	}
	mustTruce(t, "peer", "add", srv.URL, "-pub", key+".pub", "-token", token, "-db", bdb)
	out = mustTruce(t, "peer", "pull", "-db", bdb)
	size, _ := a.LogSize(ctx)
	if !strings.Contains(out, fmt.Sprintf("a.truce.test: entries 0 to %d verified", size)) {
		t.Fatalf("pull: %s", out)
	}
	if out := mustTruce(t, "peer", "pull", "-db", bdb); !strings.Contains(out, "nothing new") {
		t.Errorf("second pull: %s", out)
	}
	if out := mustTruce(t, "peer", "list", "-db", bdb); !strings.Contains(out, "a.truce.test") || !strings.Contains(out, "trusted") {
		t.Errorf("list: %s", out)
	}
	if out := mustTruce(t, "peer", "verify", "-db", bdb); !strings.Contains(out, "verified") {
		t.Errorf("verify: %s", out)
	}
	mustTruce(t, "peer", "trust", "a.truce.test", "-reset", "-db", bdb)
	if out := mustTruce(t, "peer", "pull", "a.truce.test", "-db", bdb); !strings.Contains(out, "entries 0 to") || !strings.Contains(out, " 0 reports taken in") {
		t.Errorf("pull after reset (the reports are held already): %s", out)
	}
	if _, err := truce(t, "peer", "frob", "-db", bdb); err == nil {
		t.Error("an unknown subcommand passed")
	}
}

// TestDemoNodes: truce demo -nodes 3 converges, every node holding every
// node's reports.
func TestDemoNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("three nodes: not in -short")
	}
	// Port 0: each node on a port of the system's choice (a port after a
	// free one, the demo's default, may be another test's).
	out := mustTruce(t, "demo", "-nodes", "3", "-exit", "-addr", "127.0.0.1:0", "-db", filepath.Join(t.TempDir(), "d.db"))
	_, table, ok := strings.Cut(out, "Converged")
	if !ok {
		t.Fatalf("no convergence: %s", out)
	}
	var rows []string
	for _, line := range strings.Split(table, "\n") {
		f := strings.Fields(line)
		if len(f) == 6 && (f[0] == "RU" || f[0] == "TR" || f[0] == "IR") {
			rows = append(rows, strings.Join(f[1:], " "))
		}
	}
	if len(rows) != 3 || rows[0] != rows[1] || rows[1] != rows[2] {
		t.Fatalf("the nodes differ:\n%s", table)
	}
}
