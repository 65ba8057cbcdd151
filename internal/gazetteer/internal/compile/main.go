// Command compile writes the compiled form of the gazetteer in a directory
// (gazetteer.CompiledName, next to its files), built on the boundaries in
// another, which gazetteer.Load reads instead of building the index. It is
// run by go generate in internal/bundled:
//
//	go generate ./internal/bundled
//
// and its output is committed; gazetteer's tests fail when it is stale.
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/truce-monitor/truce/internal/boundary"
	"github.com/truce-monitor/truce/internal/gazetteer"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: compile GAZETTEER-DIR BOUNDARIES-DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "compile:", err)
		os.Exit(1)
	}
}

func run(dir, boundaries string) error {
	// Load takes the boundaries' compiled form only when it matches their
	// GeoJSON, so either way they are the GeoJSON's.
	bounds, err := boundary.Load(os.DirFS(boundaries), ".")
	if err != nil {
		return err
	}
	b, err := gazetteer.Compile(os.DirFS(dir), ".", bounds)
	if err != nil {
		return err
	}
	return writeIfChanged(filepath.Join(dir, gazetteer.CompiledName), b)
}

// writeIfChanged leaves an up-to-date file alone, so that go generate
// does not touch its modification time.
func writeIfChanged(name string, b []byte) error {
	if old, err := os.ReadFile(name); err == nil && bytes.Equal(old, b) {
		return nil
	}
	return os.WriteFile(name, b, 0o644)
}
