package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// TestCPUProfiles: the commands that take -cpuprofile write a profile
// (gzipped protobuf, what go tool pprof reads) of their run.
func TestCPUProfiles(t *testing.T) {
	if f := flag.Lookup("test.cpuprofile"); f != nil && f.Value.String() != "" {
		t.Skip("go test -cpuprofile holds the one CPU profiler a process has")
	}
	dir := t.TempDir()
	db, key := filepath.Join(dir, "t.db"), filepath.Join(dir, "node.key")
	mustTruce(t, "key", "generate", "-name", "truce.test/log", "-o", key)
	mustTruce(t, "agreement", "load", "-db", db, "../../internal/bundled/data/agreements/syria-coh-2016.yaml")
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"import", []string{"import", "acled", "-db", db, "../../internal/importer/acled/testdata/events.csv"}},
		{"rule", []string{"rule", "-db", db, "-from", "2017-01-01", "-to", "2017-12-31"}},
		{"verify", []string{"verify", "-db", db, "-pub", key + ".pub"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			prof := filepath.Join(dir, tt.name+".prof")
			mustTruce(t, append(tt.args, "-cpuprofile", prof)...)
			b, err := os.ReadFile(prof)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
				t.Errorf("%s: %d bytes, not a gzipped profile", prof, len(b))
			}
		})
	}
}
