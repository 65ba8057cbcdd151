package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
)

// TestBulkReadSetBack: a bulk read's statements hold on its connection
// only while it reads; after, whether the read succeeded, failed or was
// cancelled, the connection the pool gives is as the pool made it, and
// one that would not be set back is closed, not reused.
func TestBulkReadSetBack(t *testing.T) {
	ctx := context.Background()
	open := func(t *testing.T, done ...string) *Store {
		path := filepath.Join(t.TempDir(), "b.db")
		w, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_txlock=immediate")
		if err != nil {
			t.Fatal(err)
		}
		w.SetMaxOpenConns(1)
		r, err := sql.Open("sqlite", "file:"+path+"?_pragma=query_only(1)")
		if err != nil {
			t.Fatal(err)
		}
		r.SetMaxOpenConns(1) // one connection: the bulk read's is the next reader's
		s, err := New(ctx, w, r, Dialect{Name: "sqlite", OneWriter: true, Pack: true,
			BulkRead: []string{`PRAGMA mmap_size = 1000000`}, BulkReadDone: done})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	mmap := func(t *testing.T, q interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}) int64 {
		var n int64
		if err := q.QueryRowContext(ctx, `PRAGMA mmap_size`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	failed := errors.New("the read failed")
	for _, tt := range []struct {
		name   string
		err    error // what the read returns
		cancel bool  // and whether it cancels the context first
	}{
		{"read", nil, false},
		{"failed", failed, false},
		{"cancelled", context.Canceled, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t, `PRAGMA mmap_size = 0`)
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			var during int64
			err := s.bulkRead(ctx, func(c *sql.Conn) error {
				during = mmap(t, c)
				if tt.cancel {
					cancel()
				}
				return tt.err
			})
			if !errors.Is(err, tt.err) {
				t.Errorf("bulkRead: %v, want %v", err, tt.err)
			}
			if during != 1000000 {
				t.Errorf("mmap_size during the read: %d, want 1000000", during)
			}
			if after := mmap(t, s.r); after != 0 {
				t.Errorf("mmap_size of the pool's connection after the read: %d, want 0", after)
			}
		})
	}
	t.Run("not set back", func(t *testing.T) {
		s := open(t, `PRAGMA no_such_thing(`)
		if err := s.bulkRead(ctx, func(*sql.Conn) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if after := mmap(t, s.r); after != 0 {
			t.Errorf("mmap_size of the pool's connection after the read: %d, want 0 (a new connection)", after)
		}
	})
}
