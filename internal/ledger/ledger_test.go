package ledger_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/store/sqlite"
	"github.com/truce-monitor/truce/internal/store/storetest"
)

// TestProofs: for random records, every inclusion proof and every
// consistency proof between two sizes checks, and a proof against the
// wrong root does not.
func TestProofs(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 20; trial++ {
		n := int64(1 + r.IntN(40))
		var h ledger.Hashes
		var data [][]byte
		for i := int64(0); i < n; i++ {
			d := fmt.Appendf(nil, "record %d of trial %d: %x", i, trial, r.Uint64())
			data = append(data, d)
			if err := h.Append(i, d); err != nil {
				t.Fatal(err)
			}
		}
		roots := make([]tlog.Hash, n+1)
		for size := int64(1); size <= n; size++ {
			var err error
			if roots[size], err = tlog.TreeHash(size, h); err != nil {
				t.Fatal(err)
			}
		}
		for size := int64(1); size <= n; size++ {
			for i := int64(0); i < size; i++ {
				p, err := tlog.ProveRecord(size, i, h)
				if err != nil {
					t.Fatal(err)
				}
				if err := tlog.CheckRecord(p, size, roots[size], i, tlog.RecordHash(data[i])); err != nil {
					t.Errorf("trial %d: record %d in tree %d: %v", trial, i, size, err)
				}
				if tlog.CheckRecord(p, size, roots[size], i, tlog.RecordHash([]byte("forged"))) == nil {
					t.Errorf("trial %d: a forged record %d checks in tree %d", trial, i, size)
				}
			}
			for old := int64(1); old <= size; old++ {
				p, err := tlog.ProveTree(size, old, h)
				if err != nil {
					t.Fatal(err)
				}
				if err := tlog.CheckTree(p, size, roots[size], old, roots[old]); err != nil {
					t.Errorf("trial %d: tree %d in %d: %v", trial, old, size, err)
				}
				if old < size && tlog.CheckTree(p, size, roots[size], old, roots[size]) == nil {
					t.Errorf("trial %d: a wrong old root checks for %d in %d", trial, old, size)
				}
			}
		}
	}
}

func TestCheckpoint(t *testing.T) {
	skey, vkey, err := ledger.GenerateKey("truce.example.org/log")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	c := ledger.Checkpoint{Origin: "truce.example.org/log", Size: 7, Root: tlog.RecordHash([]byte("x"))}
	msg, err := ledger.Sign(c, signer)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := ledger.Open(msg, note.VerifierList(verifier))
	if err != nil || got != c {
		t.Fatalf("open: %+v, %v", got, err)
	}
	bad := []byte(strings.Replace(string(msg), "\n7\n", "\n8\n", 1))
	if _, _, err := ledger.Open(bad, note.VerifierList(verifier)); err == nil {
		t.Error("a checkpoint with an edited size opens")
	}
	// A witness cosigns; both signatures then verify.
	wskey, wvkey, _ := ledger.GenerateKey("witness.example.org")
	wsigner, _ := note.NewSigner(wskey)
	wverifier, _ := note.NewVerifier(wvkey)
	co, err := ledger.Cosign(msg, note.VerifierList(verifier), wsigner)
	if err != nil {
		t.Fatal(err)
	}
	_, n, err := ledger.Open(co, note.VerifierList(verifier, wverifier))
	if err != nil || len(n.Sigs) != 2 {
		t.Errorf("cosigned: %v, %d signatures", err, len(n.Sigs))
	}
}

type fixture struct {
	st     *sqlite.Store
	known  note.Verifiers
	signer note.Signer
}

func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "l.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.PutAgreement(ctx, store.AgreementSource{AgreementID: "ag", File: "ag.yaml", Source: []byte("x")},
		[]store.VersionRecord{{AgreementID: "ag", Version: 1, Label: "one", Digest: "afbf9d0f3560b0fd7795e81c42a0a79ee6b6fc67e064f77826aee642cad28d91", Canonical: []byte(`{"v":1}`)}}); err != nil {
		t.Fatal(err)
	}
	var reps []incident.Report
	for i := 0; i < 8; i++ {
		reps = append(reps, storetest.Report(fmt.Sprint(i), incident.Day(2017, 1, 1+i, time.UTC), "SY070000"))
	}
	if _, err := st.ImportReports(ctx, reps, store.Intake{}); err != nil {
		t.Fatal(err)
	}
	// Report 2 is corrected: a second revision chained to the first.
	reps[2].Casualties.Best = 9
	if _, err := st.ImportReports(ctx, reps[2:3], store.Intake{}); err != nil {
		t.Fatal(err)
	}
	skey, vkey, _ := ledger.GenerateKey("test.truce/log")
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	f := &fixture{st: st, known: note.VerifierList(verifier), signer: signer}
	f.checkpoint(t)
	return f
}

func (f *fixture) checkpoint(t *testing.T) {
	ctx := context.Background()
	n, err := f.st.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	root, err := tlog.TreeHash(n, f.st)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := ledger.Sign(ledger.Checkpoint{Origin: "test.truce/log", Size: n, Root: root}, f.signer)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.PutCheckpoint(ctx, n, msg); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := f.st.DB().Exec(q, args...); err != nil {
		t.Fatal(err)
	}
}

// The log of the fixture: 0 the agreement version, 1 the agreement file,
// 2-9 reports 0-7, 10 report 2's second revision. Reports' keys are
// opaque: problems name them by their log index.
func TestVerifyDetects(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, f *fixture)
		index  int64
		want   string
	}{
		{"untouched", func(*testing.T, *fixture) {}, -1, ""},
		{"record edited", func(t *testing.T, f *fixture) {
			// A forged document in plain JSON, which the store reads as it
			// reads one stored before documents were packed (sqldb/docs.go).
			f.exec(t, `UPDATE reports SET doc = '{"source":"forged"}' WHERE source_id = '4'`)
		}, 6, "revision 1 differs from what was logged"},
		{"earlier revision edited", func(t *testing.T, f *fixture) {
			f.exec(t, `UPDATE report_revisions SET original = 'row,2,forged'`)
		}, 4, "revision 1 differs"},
		{"agreement edited", func(t *testing.T, f *fixture) {
			f.exec(t, `UPDATE agreement_versions SET canonical = '{"v":2}'`)
		}, 0, "ag/1: revision 1 differs"},
		{"record deleted", func(t *testing.T, f *fixture) {
			f.exec(t, `DELETE FROM reports WHERE source_id = '6'`)
		}, 8, "revision 1 is in the log but missing from the store"},
		{"entries swapped", func(t *testing.T, f *fixture) {
			f.exec(t, `UPDATE log_entries SET idx = -1 WHERE idx = 4`)
			f.exec(t, `UPDATE log_entries SET idx = 4 WHERE idx = 5`)
			f.exec(t, `UPDATE log_entries SET idx = 5 WHERE idx = -1`)
		}, 4, "the stored tree differs from the tree of the entries"},
		{"log entry edited", func(t *testing.T, f *fixture) {
			f.exec(t, `UPDATE log_entries SET data = replace(data, '"rev":1', '"rev":1 ') WHERE idx = 6`)
		}, 6, "not in canonical form"},
		{"log truncated", func(t *testing.T, f *fixture) {
			f.exec(t, `DELETE FROM log_entries WHERE idx = 10`)
		}, 10, ""},
		{"bad checkpoint signature", func(t *testing.T, f *fixture) {
			var msg string
			if err := f.st.DB().QueryRow(`SELECT note FROM log_checkpoints`).Scan(&msg); err != nil {
				t.Fatal(err)
			}
			f.exec(t, `UPDATE log_checkpoints SET note = ?`, flipSignature(t, msg))
		}, -1, "a stored checkpoint does not verify: checkpoint: invalid signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t)
			tt.tamper(t, f)
			res, err := ledger.Verify(context.Background(), f.st, f.known)
			if err != nil {
				t.Fatal(err)
			}
			if tt.name == "untouched" {
				if !res.OK() || res.Size != 11 || res.Records != 11 || res.Checkpoints != 1 {
					t.Fatalf("clean store: %+v", res)
				}
				return
			}
			if res.OK() {
				t.Fatalf("tampering not detected")
			}
			first := res.First()
			if first.Index != tt.index || !strings.Contains(first.String(), tt.want) {
				t.Errorf("first problem %q (index %d), want index %d and %q; all: %v", first, first.Index, tt.index, tt.want, res.Problems)
			}
		})
	}
}

// flipSignature changes one bit of a signed note's signature.
func flipSignature(t *testing.T, msg string) string {
	t.Helper()
	i := strings.LastIndex(msg, " ")
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(msg[i+1:]))
	if err != nil {
		t.Fatal(err)
	}
	sig[20] ^= 1
	return msg[:i+1] + base64.StdEncoding.EncodeToString(sig) + "\n"
}

// TestEntryEncoding: the direct encoding of plain entries is exactly
// encoding/json's, and parsing accepts the canonical form only.
func TestEntryEncoding(t *testing.T) {
	d := strings.Repeat("ab", 32)
	entries := []ledger.Entry{
		{Kind: "report", Key: "acled/SYR1", Rev: 1, Digest: d},
		{Kind: "report", Key: "acled/SYR1", Rev: 12, Digest: d, Prev: d},
		{Kind: "report", Key: `news/"quoted" & <tagged>`, Rev: 2, Digest: d, Prev: d},
		{Kind: "report", Key: "monitor/حلب-٣", Rev: 1, Digest: d},
		{Kind: "report", Key: "", Rev: 0, Digest: ""},
	}
	for _, e := range entries {
		want, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Data(); string(got) != string(want) {
			t.Errorf("Data() = %s, encoding/json gives %s", got, want)
		}
		back, err := ledger.ParseEntry(7, want)
		if err != nil || back.Kind != e.Kind || back.Key != e.Key || back.Rev != e.Rev || back.Digest != e.Digest || back.Prev != e.Prev || back.Index != 7 {
			t.Errorf("ParseEntry(%s) = %+v, %v", want, back, err)
		}
	}
	for _, bad := range []string{
		`{"kind":"report","key":"a","rev":1,"sha256":"x","prev":""}`,
		`{"key":"a","kind":"report","rev":1,"sha256":"x"}`,
		`{"kind":"report", "key":"a","rev":1,"sha256":"x"}`,
		`{"kind":"report","key":"a","rev":01,"sha256":"x"}`,
		`{"kind":"report","key":"a","rev":1,"sha256":"x"}` + "\n",
		`{"kind":"report","key":"\u0061","rev":1,"sha256":"x"}`,
		`{"kind":"report","key":"a","rev":1,"sha256":"x"`,
	} {
		if _, err := ledger.ParseEntry(3, []byte(bad)); err == nil {
			t.Errorf("ParseEntry accepted the non-canonical %s", bad)
		}
	}
}
