package sqldb

import (
	"context"
	"slices"
	"testing"

	"github.com/truce-monitor/truce/internal/store"
)

// A staff text search that the trigram indexes do not answer for its
// page is counted from them (countMatches): the incidents whose public
// words hold the text first, then each incident they give tested. The
// totals and pages are those of the search asking the indexes and of the
// search without them, whether the first count reaches the cap (every
// incident of the filled store is a shelling) or not (words only some
// reports hold, which the public's words never do), alone or with
// another condition, as staff and as a party's liaison (the public's
// count is made as before: TestTextIndexChangesNothing), on both engines.
func TestFloorCount(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel() // PostgreSQL's work is its server's
			s := openFilled(t, engine)
			ctx := context.Background()
			inSomeReports(t, s)
			type result struct {
				total int
				ids   []int64
			}
			read := func(f store.Filter) result {
				t.Helper()
				list, total, err := s.Incidents(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				r := result{total: total}
				for _, in := range list {
					r.ids = append(r.ids, in.ID)
				}
				return r
			}
			floors, tested := 0, 0
			for _, vis := range []*store.Visibility{nil, {Party: "GOV"}} {
				for _, f := range []store.Filter{
					{Text: "shell", Limit: 50},
					{Text: "SHELLING", Limit: 20, Offset: 40, Newest: true},
					{Text: "shell", Agreement: "ag", Limit: 50},
					{Text: "grain market", Limit: 50},
					{Text: "shell", Agreement: "ag", Verdict: "violation", Limit: 50},
					{Text: "shell", State: "reported", Limit: 50},
				} {
					f.Visible = vis
					s.noTextIndex, s.maxIndexed, s.maxTested = false, maxIndexed, maxTested
					indexed := read(f)
					s.noTextIndex = true
					without := read(f)
					// Lowered, the indexes give too many incidents: the
					// search is made as a common word's at a million;
					// and PostgreSQL's staff count gathers the text's
					// incidents whatever the other conditions' number.
					s.noTextIndex, s.maxIndexed, s.maxTested = false, 10, 0
					b, err := s.boundsOf(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					if b.text != "" && (vis == nil || f.Text != "grain market") {
						t.Fatalf("%+v: the indexes answered with maxIndexed %d", f, s.maxIndexed)
					}
					floored := read(f)
					for name, r := range map[string]result{"without the indexes": without, "with too many for them": floored} {
						if r.total != indexed.total || !slices.Equal(r.ids, indexed.ids) {
							t.Errorf("%+v (viewer %v) %s: total %d, page %v; asking the indexes: total %d, page %v", f, vis, name, r.total, r.ids, indexed.total, indexed.ids)
						}
					}
					if q, args, ok := s.floorCount(f, b); ok && vis == nil && f.Verdict == "" && f.State == "" {
						n, err := s.count(ctx, q, args)
						if err != nil {
							t.Fatal(err)
						}
						if n > store.CountCap {
							floors++
						}
					}
					if vis == nil || vis.Party != "" {
						if _, _, ok, err := s.indexedCount(ctx, f, b); err != nil {
							t.Fatal(err)
						} else if ok {
							tested++
						}
					}
				}
			}
			s.noTextIndex, s.maxIndexed, s.maxTested = false, maxIndexed, maxTested
			// Each search's incidents given by the indexes are tested,
			// staff's and the liaison's (on PostgreSQL staff's when the
			// other conditions match more than maxTested, here 0).
			if want := 12; floors != 3 || tested != want {
				t.Errorf("the public words' count reached the cap for %d searches (want the 3 of shelling unfiltered), the indexes' incidents were tested for %d (want %d)", floors, tested, want)
			}
		})
	}
}

// A search that holds the search slot gives it back once its count is
// past store.CountCap and its page is among the first maxUnslotted (the
// rest is a bounded read in order), and keeps it otherwise: a few
// matches, a deep page, a liaison's two parts.
func TestSearchSlotGivenBack(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			s := openFilled(t, engine)
			s.maxIndexed = 10 // every search is made without the indexes, in the slot
			ctx := context.Background()
			inSomeReports(t, s)
			for _, c := range []struct {
				f    store.Filter
				held bool
			}{
				{store.Filter{Text: "shell", Limit: 50}, false},
				{store.Filter{Text: "shell", Limit: 50, Offset: 150}, false},
				{store.Filter{Text: "shell", Limit: 50, Offset: 151}, true},
				{store.Filter{Text: "grain market", Limit: 50}, true},
				{store.Filter{Text: "shell", Limit: 50, Visible: &store.Visibility{Party: "GOV"}}, true},
			} {
				var held bool
				err := s.searchGuard(ctx, c.f, func(ctx context.Context, b bounds) error {
					if b.unslot == nil {
						t.Fatalf("%+v: searched without the slot", c.f)
					}
					_, _, err := s.incidents(ctx, c.f, b)
					held = len(s.searching) == 1 // the guard's own release has not run yet
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				if held != c.held {
					t.Errorf("%+v: slot held for the page %v, want %v", c.f, held, c.held)
				}
				if len(s.searching) != 0 {
					t.Fatalf("%+v: the slot is still held after the search", c.f)
				}
			}
		})
	}
}

// inSomeReports writes "grain market" into one report in 97 of a filled
// store: words whose incidents match staff's search by those alone.
func inSomeReports(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.w.ExecContext(ctx, s.rebind(`UPDATE reports SET description = ? WHERE id % 97 = 0`), "Strike on the grain market"); err != nil {
		t.Fatal(err)
	}
	if s.d.Name == "postgres" {
		if _, err := s.w.ExecContext(ctx, "ANALYZE"); err != nil {
			t.Fatal(err)
		}
	}
}
