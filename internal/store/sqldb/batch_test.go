package sqldb

import (
	"context"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/store/storetest"
)

// An incident created in a transaction has no stored ruling parties to
// clear, until its rulings are written (a read of the rulings flushes
// them); ruled again after that, its first parties must go, not collide
// with the new ones.
func TestRuledAgainAfterFlush(t *testing.T) {
	s, _ := openSQLitePools(t)
	ctx := context.Background()
	parties := []string{"GOV"}
	rule := func(in incident.Incident) []ruling.Ruling {
		return []ruling.Ruling{{Verdict: ruling.Undetermined, Agreement: "ag", Version: 1, Parties: parties}}
	}
	in := incident.FromReport(storetest.Report("r1", incident.Day(2017, 1, 2, time.UTC), "SY070000"))
	now := ts(time.Now())
	var id int64
	err := s.tx(ctx, func(w *txw) error {
		var err error
		if id, err = putIncident(ctx, w, 0, in, store.Intake{Rule: rule}, now); err != nil {
			return err
		}
		var n int
		if err := w.scan(ctx, `SELECT count(*) FROM ruling_parties WHERE incident_id = ?`, []any{id}, &n); err != nil || n != 1 {
			t.Errorf("after the flush a read makes: %d parties (%v)", n, err)
		}
		parties = []string{"GOV", "OPP"}
		_, err = putIncident(ctx, w, id, in, store.Intake{Rule: rule}, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.r.QueryRow(`SELECT count(*) FROM ruling_parties WHERE incident_id = ?`, id).Scan(&n); err != nil || n != 2 {
		t.Errorf("stored %d parties, want the second ruling's 2 (%v)", n, err)
	}
}
