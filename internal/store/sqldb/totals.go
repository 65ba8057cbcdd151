package sqldb

import (
	"context"
	"fmt"
	"strings"
	"sync"
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
type totals struct {
	mu      sync.Mutex
	version string
	n       map[string]int
}

// maxTotals bounds how many totals are kept for one version: the filters
// users combine are few, but a text search is a filter per phrase. Past
// it the totals start again (a count is what a miss costs).
const maxTotals = 1024

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

func (t *totals) get(version, key string) (int, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if version != t.version {
		return 0, false
	}
	n, ok := t.n[key]
	return n, ok
}

func (t *totals) put(version, key string, n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if version != t.version || len(t.n) >= maxTotals {
		t.version, t.n = version, map[string]int{}
	}
	t.n[key] = n
}

// count is the total of a count query (the first column of its one row),
// kept while the data is unchanged (see totals).
func (s *Store) count(ctx context.Context, query string, args []any) (int, error) {
	var version, key string
	if s.d.DataVersion != nil {
		if v := s.d.DataVersion(ctx); v != "" {
			version, key = v, totalKey(query, args)
			if n, ok := s.totals.get(version, key); ok {
				return n, nil
			}
		}
	}
	var n int
	if err := s.queryRow(ctx, query, args...).Scan(&n); err != nil {
		return 0, err
	}
	if key != "" {
		s.totals.put(version, key, n)
	}
	return n, nil
}
