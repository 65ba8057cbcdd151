package sqldb

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// TestEachStoredHash: SQLite reads the stored hashes a chunk to a row;
// whatever the rows (gaps, a hash of the wrong length, indexes at the
// ends of int64), the hashes given are every row's, in index order, as
// one row a hash gives them.
func TestEachStoredHash(t *testing.T) {
	const n = 2*hashChunk + 7
	tests := []struct {
		name   string
		change []string
	}{
		{"whole chunks", nil},
		{"a gap", []string{`DELETE FROM log_hashes WHERE idx = 5000`}},
		{"a chunk missing", []string{`DELETE FROM log_hashes WHERE idx BETWEEN 4096 AND 8191`}},
		{"a short hash", []string{`UPDATE log_hashes SET hash = x'0102' WHERE idx = 100`}},
		{"a long hash", []string{`UPDATE log_hashes SET hash = hash || x'00' WHERE idx = 4096`}},
		{"stray indexes", []string{
			`INSERT INTO log_hashes (idx, hash) VALUES (-3, zeroblob(32))`,
			fmt.Sprintf(`INSERT INTO log_hashes (idx, hash) VALUES (%d, zeroblob(32))`, int64(math.MaxInt64)),
			fmt.Sprintf(`INSERT INTO log_hashes (idx, hash) VALUES (%d, zeroblob(32))`, int64(math.MaxInt64-hashChunk-1)),
		}},
		{"none", []string{`DELETE FROM log_hashes`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openSQLite(t)
			ctx := context.Background()
			err := s.tx(ctx, func(w *txw) error {
				for i := range int64(n) {
					h := tlog.RecordHash(fmt.Appendf(nil, "%d", i))
					if _, err := w.exec(ctx, `INSERT INTO log_hashes (idx, hash) VALUES (?, ?)`, i, h[:]); err != nil {
						return err
					}
				}
				for _, q := range tt.change {
					if _, err := w.exec(ctx, q); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			type stored struct {
				i int64
				h tlog.Hash
			}
			var want, got []stored
			err = eachStoredHashRow(ctx, s.r, s.rebind, math.MinInt64, math.MaxInt64, func(i int64, h tlog.Hash) error {
				want = append(want, stored{i, h})
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			err = s.EachStoredHash(ctx, func(i int64, h tlog.Hash) error {
				got = append(got, stored{i, h})
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%d hashes given, %d stored; first difference at %d", len(got), len(want), firstDiff(got, want))
			}
		})
	}
}

func firstDiff[T comparable](a, b []T) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestFrontierHoldsWhatAppendsRead: the hashes an append to a log of size
// n reads, besides those it writes (neededHashes), are roots of the
// complete subtrees the log of size n is made of, which is all that
// frontier.keep keeps; so a store that keeps them after each commit
// never needs to read a hash before appending.
func TestFrontierHoldsWhatAppendsRead(t *testing.T) {
	for n := int64(0); n < 1100; n++ {
		all := map[int64]tlog.Hash{}
		for x := range tlog.StoredHashCount(n) {
			all[x] = tlog.Hash{}
		}
		var f frontier
		f.keep(n, all)
		if got, want := len(f.hashes), bits.OnesCount64(uint64(n)); got != want {
			t.Fatalf("size %d: kept %d hashes, want one for each of its %d complete subtrees", n, got, want)
		}
		for _, count := range []int{1, 2, 3, 17, 64, 300} {
			for _, x := range neededHashes(n, count) {
				if _, ok := f.hashes[x]; !ok {
					t.Fatalf("appending %d to a log of %d reads hash %d, not kept", count, n, x)
				}
			}
		}
	}
}
