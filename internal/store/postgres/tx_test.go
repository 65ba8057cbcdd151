package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/store/postgres"
	"github.com/truce-monitor/truce/internal/store/storetest"
)

// TestFailedTransactionEnds: a transaction's BEGIN goes with its first
// statements and its COMMIT with its last (sqldb.tryTx); one that fails
// after writing must leave nothing stored, and its connection must not
// carry it into the next transaction, which here has the pool's one
// connection.
func TestFailedTransactionEnds(t *testing.T) {
	ctx := context.Background()
	s, err := postgres.Open(ctx, freshDB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.DB().SetMaxOpenConns(1)
	v1 := store.VersionRecord{AgreementID: "a", Version: 1, Label: "one", EffectiveFrom: time.Date(2016, 12, 29, 22, 0, 0, 0, time.UTC), Digest: "d1d1d1d1d1d1d1", Canonical: []byte(`{"v":1}`)}
	src := store.AgreementSource{AgreementID: "a", File: "a.yaml", Source: []byte("v1")}
	if _, err := s.PutAgreement(ctx, src, []store.VersionRecord{v1}); err != nil {
		t.Fatal(err)
	}
	size := func() int64 {
		n, err := s.LogSize(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := size()
	// Writes a second version, then fails in Go: the first version is
	// stored with another digest. Nothing of it may be stored.
	v2 := store.VersionRecord{AgreementID: "a", Version: 2, Label: "two", EffectiveFrom: time.Date(2017, 1, 23, 22, 0, 0, 0, time.UTC), Digest: "d2d2d2d2d2d2d2", Canonical: []byte(`{"v":2}`)}
	changed := v1
	changed.Digest = "ffffffffffffffff"
	for range 3 {
		if _, err := s.PutAgreement(ctx, src, []store.VersionRecord{v2, changed}); !errors.Is(err, store.ErrVersionChanged) {
			t.Fatalf("changed version: err = %v, want ErrVersionChanged", err)
		}
	}
	res, err := s.ImportReports(ctx, []incident.Report{storetest.Report("r1", incident.Day(2017, 1, 2, time.UTC), "SY070000")}, store.Intake{})
	if err != nil {
		t.Fatalf("import after failed transactions: %v", err)
	}
	if _, err := s.Incident(ctx, res[0].IncidentID); err != nil {
		t.Fatalf("the imported incident: %v", err)
	}
	vs, err := s.AgreementVersions(ctx, "a")
	if err != nil || len(vs) != 1 {
		t.Errorf("stored versions %+v (%v), want the first only: the failed transactions' writes were committed", vs, err)
	}
	if got := size(); got != before+1 {
		t.Errorf("log size %d after one report, want %d", got, before+1)
	}
}
