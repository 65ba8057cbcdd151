package sqldb

import (
	"context"
	"slices"
	"testing"
)

// TestEachNotifiedOrder: the notifications come by incident as a number
// (the deep check reads them beside the incidents, in id order), on both
// engines.
func TestEachNotifiedOrder(t *testing.T) {
	engines := map[string]func(*testing.T) *Store{
		"sqlite":   func(t *testing.T) *Store { return openSQLite(t) },
		"postgres": openPostgres,
	}
	for name, open := range engines {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			ctx := context.Background()
			for _, id := range []int64{100, 35, 2, 10} {
				if _, err := s.w.ExecContext(ctx, s.rebind(`INSERT INTO notifications (party, incident_id, agreement_id, message, created_at) VALUES ('GOV', ?, 'ag', 'm', 't')`), id); err != nil {
					t.Fatal(err)
				}
			}
			var got []int64
			err := s.EachNotified(ctx, func(id int64, _, _ string) error {
				got = append(got, id)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if want := []int64{2, 10, 35, 100}; !slices.Equal(got, want) {
				t.Errorf("incidents %v, want %v", got, want)
			}
		})
	}
}
