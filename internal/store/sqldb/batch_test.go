package sqldb

import (
	"context"
	"strings"
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
	t.Run("sqlite", func(t *testing.T) {
		s, _ := openSQLitePools(t)
		ruledAgainAfterFlush(t, s)
	})
	t.Run("postgres", func(t *testing.T) { ruledAgainAfterFlush(t, openPostgres(t)) })
}

func ruledAgainAfterFlush(t *testing.T, s *Store) {
	ctx := context.Background()
	parties := []string{"GOV"}
	verdict := ruling.Undetermined
	rule := func(in incident.Incident) []ruling.Ruling {
		return []ruling.Ruling{{Verdict: verdict, Agreement: "ag", Version: 1, Parties: parties}}
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
	stored := func() string {
		rows, err := s.r.Query(s.rebind(`SELECT party, verdict FROM ruling_parties WHERE incident_id = ? ORDER BY party`), id)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var p, v string
			if err := rows.Scan(&p, &v); err != nil {
				t.Fatal(err)
			}
			got = append(got, p+" "+v)
		}
		return strings.Join(got, ", ")
	}
	if got, want := stored(), "GOV undetermined, OPP undetermined"; got != want {
		t.Errorf("stored parties %q, want the second ruling's %q", got, want)
	}
	// Ruled again in another transaction: one party gone, the other's
	// verdict changed.
	parties, verdict = []string{"OPP"}, ruling.Violation
	err = s.tx(ctx, func(w *txw) error {
		_, err := putIncident(ctx, w, id, in, store.Intake{Rule: rule}, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := stored(), "OPP violation"; got != want {
		t.Errorf("stored parties %q, want the third ruling's %q", got, want)
	}
}
