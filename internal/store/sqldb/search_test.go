package sqldb

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/store"
)

// A text search that reads for longer than the store's budget is refused
// as too broad (a 422 at both doors), and frees its slot for the next;
// within the budget it answers. A search the trigram indexes answer
// reads at most maxIndexed incidents and has no budget.
func TestSearchBudget(t *testing.T) {
	s, _ := openSQLitePools(t)
	yearOfIncidents(t, s, 200)
	ctx := context.Background()
	s.budget = time.Nanosecond
	if _, _, err := s.Incidents(ctx, store.Filter{Text: "town", Limit: 10}); err != nil {
		t.Fatalf("answered by the indexes: %v", err)
	}
	s.budget, s.noTextIndex = searchBudget, true
	if _, _, err := s.Incidents(ctx, store.Filter{Text: "town", Limit: 10}); err != nil {
		t.Fatalf("within the budget: %v", err)
	}
	s.budget = time.Nanosecond
	for range 2 { // the second finds the slot free again
		if _, _, err := s.Incidents(ctx, store.Filter{Text: "town", Limit: 10}); !errors.Is(err, store.ErrTooBroad) {
			t.Fatalf("past the budget: %v, want ErrTooBroad", err)
		}
	}
	// Filters without words are not bounded.
	if _, _, err := s.Incidents(ctx, store.Filter{Limit: 10}); err != nil {
		t.Fatal(err)
	}
	// A caller that gives up is told so, not that the search was broad.
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := s.Incidents(gone, store.Filter{Text: "town"}); errors.Is(err, store.ErrTooBroad) || err == nil {
		t.Errorf("a cancelled request: %v", err)
	}
}
