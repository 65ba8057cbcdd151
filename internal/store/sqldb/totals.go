package sqldb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/sync/singleflight"

	"github.com/truce-monitor/truce/internal/store"
)

// A page of incidents comes with the total matching its filter, up to
// store.CountCap+1. At a million incidents most filters match more than
// that, so counting reads CountCap+1 index entries for every page: a third
// of a page's CPU under load (docs/benchmarks.md, "Issue 17, fourth
// round"), the same figure again for each page of the same filter, and
// for the same pages asked by many readers. totals keeps the totals
// counted while the data they were counted on has not changed, so that a
// filter is counted once per change of the data, not once per page.
//
// Whether the data changed is asked of the engine (Dialect.DataVersion)
// before each count: a value that changes whenever a transaction of any
// connection or process has committed since it was last read. A total is
// kept under the version read before it was counted, so that it counts at
// least what that version saw; should a commit fall between the two, the
// next version read differs and the total is not reused. Without a
// DataVersion (or when it answers "") every total is counted.
//
// The dashboard's and the ruling summary's groups (RulingCounts) are kept
// so too: at a million incidents they took 2.5 and 5.5 s of CPU to count,
// the same again for every view of an unchanged store; and where a
// period's range of starts begins (sinceFor).
//
// A count not kept is made once however many ask for it at once (load):
// after a write every reader misses, and the ruling summary, 2.6-4.3 s of
// CPU at a million on SQLite, was counted by each of them side by side.
type kept[T any] struct {
	mu      sync.Mutex
	version string
	m       map[string]T
	// held is the size of what m holds (size of each), at most max: past
	// it, what was kept is dropped (a miss costs a count).
	held, max int
	size      func(T) int
	flight    singleflight.Group
}

// maxTotals bounds how many totals are kept for one version: the filters
// users combine are few, but a text search is a filter per phrase.
const maxTotals = 1024

// maxCountGroups bounds the groups of ruling counts kept for one version
// (a dashboard at a million incidents: tens of thousands, a few MB).
const maxCountGroups = 200_000

// maxPeriods bounds the periods' bounds kept for one version, counted by
// the long incidents they hold (at most maxLong each).
const maxPeriods = 64 * maxLong

func newKeptPeriods() kept[bounds] {
	return kept[bounds]{max: maxPeriods, size: func(b bounds) int { return len(b.long) + 1 }}
}

func newTotals() kept[int] { return kept[int]{max: maxTotals, size: func(int) int { return 1 }} }

func newKeptCounts() kept[[]store.RulingCount] {
	return kept[[]store.RulingCount]{max: maxCountGroups, size: func(c []store.RulingCount) int { return len(c) + 1 }}
}

// totalKey is what a count depends on besides the data: its query and
// arguments (which hold the filter, the viewer's visibility and the
// bound a period's start is read from).
func totalKey(query string, args []any) string {
	var b strings.Builder
	b.WriteString(query)
	for _, a := range args {
		// %T keeps 1 and "1" apart; %q a string's separators.
		fmt.Fprintf(&b, "\x00%T:%q", a, fmt.Sprint(a))
	}
	return b.String()
}

func (k *kept[T]) get(version, key string) (T, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if version != k.version {
		var zero T
		return zero, false
	}
	v, ok := k.m[key]
	return v, ok
}

func (k *kept[T]) put(version, key string, v T) {
	k.mu.Lock()
	defer k.mu.Unlock()
	n := k.size(v)
	if version != k.version || k.held+n > k.max {
		k.version, k.m, k.held = version, map[string]T{}, 0
	}
	if n <= k.max {
		k.m[key] = v
		k.held += n
	}
}

// load is what is kept under key for version, else what fn counts, kept
// then. Readers asking for the same while it is counted wait for that
// count; should its reader give up (a request cancelled), each of them
// counts on its own context. Without a key (no data version), fn counts.
func (k *kept[T]) load(ctx context.Context, version, key string, fn func(context.Context) (T, error)) (T, error) {
	if key == "" {
		return fn(ctx)
	}
	if v, ok := k.get(version, key); ok {
		return v, nil
	}
	for {
		ch := k.flight.DoChan(version+"\x00"+key, func() (any, error) {
			// Counted and kept since this reader missed it?
			if v, ok := k.get(version, key); ok {
				return v, nil
			}
			v, err := fn(ctx)
			if err == nil {
				k.put(version, key, v)
			}
			return v, err
		})
		select {
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		case r := <-ch:
			if r.Err != nil {
				if r.Shared && errors.Is(r.Err, context.Canceled) && ctx.Err() == nil {
					continue
				}
				var zero T
				return zero, r.Err
			}
			return r.Val.(T), nil
		}
	}
}

// version is the data version to keep what is read now under, and key
// the query's own; "" when the engine has no DataVersion.
func (s *Store) version(ctx context.Context, query string, args []any) (version, key string) {
	if s.d.DataVersion != nil {
		if v := s.d.DataVersion(ctx); v != "" {
			return v, totalKey(query, args)
		}
	}
	return "", ""
}

// count is the total of a count query (the first column of its one row),
// kept while the data is unchanged (see totals).
func (s *Store) count(ctx context.Context, query string, args []any) (int, error) {
	version, key := s.version(ctx, query, args)
	return s.totals.load(ctx, version, key, func(ctx context.Context) (int, error) {
		var n int
		err := s.queryRow(ctx, query, args...).Scan(&n)
		return n, err
	})
}
