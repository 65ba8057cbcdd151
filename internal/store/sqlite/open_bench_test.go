package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/truce-monitor/truce/internal/store/sqlite"
)

// BenchmarkOpenNew opens a new database file, which takes every
// migration, and closes it: what each test that opens a store pays, and a
// first start (docs/benchmarks.md, "Issue 17, twelfth round").
func BenchmarkOpenNew(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	i := 0
	for b.Loop() {
		i++
		s, err := sqlite.Open(ctx, filepath.Join(dir, fmt.Sprintf("%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
