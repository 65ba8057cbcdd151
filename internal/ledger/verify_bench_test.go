package ledger_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store/sqldb"
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

// TestStreamOrder: the streaming check reads the entries record by
// record and ties them to the stored tree by sums. These tamperings keep
// the stored tree and a signed checkpoint consistent with what they
// leave (as someone holding the key, or editing past the last checkpoint,
// could), so that only the record order, the chains or the sums can
// catch them: the streaming check must not pass, and the exact check
// then says whether a problem remains (ok: only an index column lied).
func TestStreamOrder(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		tamper func(t *testing.T, f *fixture)
		ok     bool   // Verify finds nothing wrong
		want   string // else its first problem says this
	}{
		{"second revision logged before the first", func(t *testing.T, f *fixture) {
			f.exec(t, `UPDATE log_entries SET idx = -1 WHERE idx = 4`)
			f.exec(t, `UPDATE log_entries SET idx = 4 WHERE idx = 10`)
			f.exec(t, `UPDATE log_entries SET idx = 10 WHERE idx = -1`)
			f.rehash(t, nil)
		}, false, "revision 2 without revision 1 before it"},
		{"a stored leaf that is no entry's, its tree rebuilt", func(t *testing.T, f *fixture) {
			f.rehash(t, map[int64]tlog.Hash{6: tlog.RecordHash([]byte("forged"))})
		}, false, "the stored tree differs from the tree of the entries"},
		{"an index column that lies", func(t *testing.T, f *fixture) {
			f.exec(t, `UPDATE log_entries SET record_key = 'zzz' WHERE idx = 3`)
		}, true, ""},
		{"a kind column that lies", func(t *testing.T, f *fixture) {
			f.exec(t, `UPDATE log_entries SET kind = 'a' WHERE idx = 10`)
		}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t)
			tt.tamper(t, f)
			if _, ok, err := ledger.VerifyStream(ctx, f.st, f.known); err != nil || ok {
				t.Fatalf("stream check passes (%v)", err)
			}
			res, err := ledger.Verify(ctx, f.st, f.known)
			if err != nil {
				t.Fatal(err)
			}
			if res.OK() != tt.ok {
				t.Fatalf("Verify OK %v, want %v: %v", res.OK(), tt.ok, res.Problems)
			}
			if !tt.ok && !strings.Contains(res.First().String(), tt.want) {
				t.Errorf("first problem %q, want %q", res.First(), tt.want)
			}
		})
	}
}

// rehash stores the tree of the entries as they now are, except that
// leaf[i] replaces entry i's leaf hash, and signs a new checkpoint in
// place of the old.
func (f *fixture) rehash(t *testing.T, leaf map[int64]tlog.Hash) {
	t.Helper()
	rows, err := f.st.DB().Query(`SELECT idx, data FROM log_entries ORDER BY idx`)
	if err != nil {
		t.Fatal(err)
	}
	var h ledger.Hashes
	for rows.Next() {
		var i int64
		var data []byte
		if err := rows.Scan(&i, &data); err != nil {
			t.Fatal(err)
		}
		lh, ok := leaf[i]
		if !ok {
			lh = tlog.RecordHash(data)
		}
		add, err := tlog.StoredHashesForRecordHash(i, lh, h)
		if err != nil {
			t.Fatal(err)
		}
		h = append(h, add...)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	f.exec(t, `DELETE FROM log_hashes`)
	f.exec(t, `DELETE FROM log_checkpoints`)
	for i, x := range h {
		f.exec(t, `INSERT INTO log_hashes (idx, hash) VALUES (?, ?)`, i, x[:])
	}
	f.checkpoint(t)
}

// TestReportDigestsAsStored: the digests the store recomputes for a
// verification (on SQLite in SQL: truce_report_sum, or one concatenation
// with the other drivers) are ledger.ReportSum of the columns read one by
// one, for current and replaced revisions, with and without a placement,
// with text that is not ASCII and with values stored as BLOBs.
func TestReportDigestsAsStored(t *testing.T) {
	for _, formats := range []int{0, 2, 600} { // none, a few, more than a query names
		t.Run(fmt.Sprint(formats, " formats"), func(t *testing.T) {
			f := setup(t)
			if formats > 0 {
				f.exec(t, `WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k + 1 < ?)
					INSERT INTO original_formats (id, format) SELECT 100 + k, '{"format":' || k || '}' FROM n`, formats)
				f.exec(t, `UPDATE reports SET format_id = 101 WHERE source_id IN ('1', '2')`)
				f.exec(t, `UPDATE report_revisions SET format_id = 100`)
				f.exec(t, `UPDATE reports SET format_id = 99999 WHERE source_id = '4'`) // no such format
			}
			checkReportDigests(t, f)
		})
	}
}

func checkReportDigests(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.exec(t, `UPDATE reports SET placed_in = 0, placed_why = '' WHERE source_id = '5'`)
	f.exec(t, `UPDATE reports SET placed_why = 'près de حلب' WHERE source_id = '6'`)
	f.exec(t, `UPDATE reports SET original = original || ' ٣' WHERE source_id = '7'`)
	f.exec(t, `UPDATE reports SET doc = CAST(doc AS BLOB), placed_why = CAST('x' AS BLOB) WHERE source_id = '3'`)
	want := map[string]string{}
	rows, err := f.st.DB().Query(`SELECT r.log_key, r.revision, r.original, coalesce(f.format, ''), r.doc, r.placed_in, r.placed_why FROM reports r
		LEFT JOIN original_formats f ON f.id = r.format_id
		UNION ALL
		SELECT r.log_key, v.revision, v.original, coalesce(f.format, ''), v.doc, r.placed_in, r.placed_why FROM report_revisions v
		JOIN reports r ON r.id = v.report_id LEFT JOIN original_formats f ON f.id = v.format_id`)
	if err != nil {
		t.Fatal(err)
	}
	u, err := sqldb.NewUnpacker()
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var r ledger.RawReport
		var doc []byte // as stored: packed on SQLite
		if err := rows.Scan(&r.Key, &r.Revision, &r.Original, &r.Format, &doc, &r.PlacedIn, &r.PlacedWhy); err != nil {
			t.Fatal(err)
		}
		if doc, err = u.Unpack(doc); err != nil {
			t.Fatal(err)
		}
		r.Doc = string(doc)
		want[fmt.Sprint(r.Key, "#", r.Revision)] = ledger.ReportDigest(r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if len(want) != 9 {
		t.Fatalf("%d report revisions, want 9", len(want))
	}
	got := 0
	err = f.st.RecordDigests(ctx, func(kind, key string, rev int, digest [32]byte) error {
		if kind != ledger.Report {
			return nil
		}
		got++
		if w := want[fmt.Sprint(key, "#", rev)]; w != hex.EncodeToString(digest[:]) {
			t.Errorf("%s revision %d: digest %x, want %s", key, rev, digest, w)
		}
		return nil
	})
	if err != nil || got != len(want) {
		t.Fatalf("%d digests, want %d (%v)", got, len(want), err)
	}
}
