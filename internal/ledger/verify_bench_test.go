package ledger_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store/sqlite"
)

// BenchmarkVerifyStore verifies the database named by TRUCE_BENCH_VERIFY_DB
// (as bench/verify.sh makes one), for CPU and heap profiles of Verify:
//
//	TRUCE_BENCH_VERIFY_DB=v.db TRUCE_BENCH_VERIFY_PUB=k.key.pub go test -run XXX -bench VerifyStore -benchtime 1x \
//	    -cpuprofile cpu.out -memprofile mem.out ./internal/ledger
func BenchmarkVerifyStore(b *testing.B) {
	path := os.Getenv("TRUCE_BENCH_VERIFY_DB")
	if path == "" {
		b.Skip("TRUCE_BENCH_VERIFY_DB names no database")
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	// The checkpoints' key (TRUCE_BENCH_VERIFY_PUB, a .pub file): without
	// it every checkpoint fails and the exact check runs as well.
	var known []note.Verifier
	if pub := os.Getenv("TRUCE_BENCH_VERIFY_PUB"); pub != "" {
		k, err := os.ReadFile(pub)
		if err != nil {
			b.Fatal(err)
		}
		v, err := note.NewVerifier(strings.TrimSpace(string(k)))
		if err != nil {
			b.Fatal(err)
		}
		known = append(known, v)
	}
	for b.Loop() {
		res, err := ledger.Verify(ctx, st, note.VerifierList(known...))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Size), "entries")
	}
}

// TestStreamedRoots: the streaming check's tree (a frontier of subtree
// hashes) gives tlog's root at every size, and every stored hash.
func TestStreamedRoots(t *testing.T) {
	var h ledger.Hashes
	for n := int64(0); n < 300; n++ {
		if err := h.Append(n, fmt.Appendf(nil, "entry %d", n)); err != nil {
			t.Fatal(err)
		}
		want, err := tlog.TreeHash(n+1, h)
		if err != nil {
			t.Fatal(err)
		}
		if got := ledger.StreamedRoot(n + 1); got != want {
			t.Fatalf("size %d: root %x, tlog %x", n+1, got, want)
		}
	}
}

// TestStreamAgrees: on an untouched store the streaming check passes with
// the figures of the exact one; on a tampered one it does not pass (and
// Verify then names the problem with the exact check: TestVerifyDetects).
func TestStreamAgrees(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	res, ok, err := ledger.VerifyStream(ctx, f.st, f.known)
	if err != nil || !ok {
		t.Fatalf("untouched: ok %v, %v", ok, err)
	}
	exact, err := ledger.VerifyExact(ctx, f.st, f.known)
	if err != nil || !exact.OK() {
		t.Fatalf("exact: %v, %v", exact, err)
	}
	if res.Size != exact.Size || res.Root != exact.Root || res.Records != exact.Records || res.Checkpoints != exact.Checkpoints {
		t.Errorf("stream %+v, exact %+v", res, exact)
	}
	for _, q := range []string{
		`UPDATE reports SET doc = doc || ' ' WHERE source_id = '4'`,
		`UPDATE log_entries SET data = replace(data, '"rev":2', '"rev":3') WHERE idx = 10`,
		`DELETE FROM report_revisions`,
		`UPDATE log_hashes SET hash = x'00' WHERE idx = 3`,
	} {
		f := setup(t)
		f.exec(t, q)
		if _, ok, err := ledger.VerifyStream(ctx, f.st, f.known); err != nil || ok {
			t.Errorf("%s: stream check passes (%v)", q, err)
		}
	}
}
