// Command compile writes the compiled form of the boundary GeoJSON files in
// a directory (boundary.CompiledName, next to them), which boundary.Load
// reads instead of decoding the GeoJSON. It is run by go generate in
// internal/bundled:
//
//	go generate ./internal/bundled
//
// and its output is committed; boundary's tests fail when it is stale.
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/truce-monitor/truce/internal/boundary"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: compile DIR (the folder of syr_admin1..3.geojson.gz)")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "compile:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	b, err := boundary.Compile(os.DirFS(dir), ".")
	if err != nil {
		return err
	}
	return writeIfChanged(filepath.Join(dir, boundary.CompiledName), b)
}

// writeIfChanged leaves an up-to-date file alone, so that go generate
// does not touch its modification time.
func writeIfChanged(name string, b []byte) error {
	if old, err := os.ReadFile(name); err == nil && bytes.Equal(old, b) {
		return nil
	}
	return os.WriteFile(name, b, 0o644)
}
