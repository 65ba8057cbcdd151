package sqldb

import "testing"

// A total is kept under the data version it was counted at, for its very
// query and arguments only.
func TestTotalsKept(t *testing.T) {
	tt := newTotals()
	k := totalKey("SELECT count(*) FROM t WHERE a = ? AND b = ?", []any{"x,y", 1})
	for _, other := range []string{
		totalKey("SELECT count(*) FROM t WHERE a = ? AND b = ?", []any{"x", "y,1"}),
		totalKey("SELECT count(*) FROM t WHERE a = ? AND b = ?", []any{"x,y", "1"}),
		totalKey("SELECT count(*) FROM t WHERE a = ?", []any{"x,y"}),
	} {
		if other == k {
			t.Fatalf("two counts share the key %q", k)
		}
	}
	if _, ok := tt.get("1.1", k); ok {
		t.Fatal("a total before any was counted")
	}
	tt.put("1.1", k, 7)
	if n, ok := tt.get("1.1", k); !ok || n != 7 {
		t.Fatalf("kept total: %d, %v", n, ok)
	}
	if _, ok := tt.get("1.2", k); ok {
		t.Fatal("a total kept past a change of the data")
	}
	tt.put("1.2", "other", 1)
	if _, ok := tt.get("1.1", k); ok {
		t.Fatal("a total of an older version kept beside a newer one")
	}
	for i := range maxTotals + 1 {
		tt.put("1.2", totalKey("q", []any{i}), i)
	}
	if len(tt.m) > maxTotals {
		t.Fatalf("%d totals kept, at most %d", len(tt.m), maxTotals)
	}
}
