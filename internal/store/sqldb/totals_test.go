package sqldb

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

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

// Readers missing the same count at once wait for one count; when the
// reader that counts gives up, the others count on their own.
func TestCountedOnce(t *testing.T) {
	tt := newTotals()
	var calls atomic.Int32
	release := make(chan struct{})
	count := func(ctx context.Context) (int, error) {
		calls.Add(1)
		select {
		case <-release:
			return 42, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	// The first reader's count is under way before the others ask.
	first, cancel := context.WithCancel(context.Background())
	defer cancel()
	results := make(chan error, 9)
	go func() {
		_, err := tt.load(first, "v1", "q", count)
		results <- err
	}()
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	got := make(chan int, 8)
	for range 8 {
		go func() {
			n, err := tt.load(context.Background(), "v1", "q", count)
			got <- n
			results <- err
		}()
	}
	time.Sleep(20 * time.Millisecond)
	// The first gives up: one of the waiters counts again, and the
	// others wait for that count.
	cancel()
	if err := <-results; !errors.Is(err, context.Canceled) {
		t.Fatalf("the cancelled reader: %v", err)
	}
	for calls.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	for range 8 {
		if err := <-results; err != nil {
			t.Fatal(err)
		}
		if n := <-got; n != 42 {
			t.Fatalf("a reader got %d, want 42", n)
		}
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("counted %d times for nine readers, one of whom gave up: want 2", n)
	}
	// Kept now: no count.
	if n, err := tt.load(context.Background(), "v1", "q", count); err != nil || n != 42 || calls.Load() != 2 {
		t.Errorf("after the count: %d, %v, %d counts", n, err, calls.Load())
	}
}
