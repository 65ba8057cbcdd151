package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/store/storetest"
)

// openSQLite opens a store on a SQLite file as the sqlite package does
// (that package imports this one, so the test cannot use it).
func openSQLite(b testing.TB) *Store {
	s, err := openSQLiteFile(filepath.Join(b.TempDir(), "b.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// openSQLiteFile opens a store on the SQLite file path, for the caller to
// close.
func openSQLiteFile(path string) (*Store, error) {
	w, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	return New(context.Background(), w, w, Dialect{Name: "sqlite", OneWriter: true, Pack: true})
}

// BenchmarkSubmit stores reports in groups of 32, as the API's group
// commit does under 32 clients, with the log on and off.
func BenchmarkSubmit(b *testing.B) {
	for _, withLog := range []bool{true, false} {
		b.Run(fmt.Sprintf("log=%v", withLog), func(b *testing.B) {
			s := openSQLite(b)
			s.noLog = !withLog
			ctx := context.Background()
			n := 0
			for b.Loop() {
				group := make([]incident.Report, 32)
				for i := range group {
					group[i] = storetest.Report(fmt.Sprint(n), incident.Day(2017, 1, 1+n%28, time.UTC), "SY070000")
					n++
				}
				if _, err := s.ImportReports(ctx, group, store.Intake{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "reports/s")
		})
	}
}

// BenchmarkInclusionProof proves entries of a 1,000,000-entry log kept in
// the store.
func BenchmarkInclusionProof(b *testing.B) {
	const size = 1_000_000
	s := openSQLite(b)
	ctx := context.Background()
	// Build the tree in memory and store it in one transaction: the
	// hashes are what proofs read.
	var h ledger.Hashes
	for i := int64(0); i < size; i++ {
		if err := h.Append(i, ledger.Entry{Kind: ledger.Report, Key: fmt.Sprintf("bench/%d", i), Rev: 1, Digest: fmt.Sprintf("%064x", i)}.Data()); err != nil {
			b.Fatal(err)
		}
	}
	err := s.tx(ctx, func(w *txw) error {
		for i, x := range h {
			if _, err := w.exec(ctx, `INSERT INTO log_hashes (idx, hash) VALUES (?, ?)`, i, x[:]); err != nil {
				return err
			}
		}
		_, err := w.exec(ctx, `UPDATE log_state SET size = ?`, size)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	root, err := tlog.TreeHash(size, h)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	i := int64(0)
	for b.Loop() {
		idx := (i * 7919) % size
		p, err := tlog.ProveRecord(size, idx, s)
		if err != nil {
			b.Fatal(err)
		}
		if i%1000 == 0 {
			if err := tlog.CheckRecord(p, size, root, idx, h[tlog.StoredHashIndex(0, idx)]); err != nil {
				b.Fatal(err)
			}
		}
		i++
	}
}
