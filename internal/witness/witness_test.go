package witness_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/server"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/store/storetest"
	"github.com/truce-monitor/truce/internal/witness"
)

type node struct {
	app *app.App
	url string
}

// newNode starts a truce node holding n reports named prefix-i, signing
// with signer.
func newNode(t *testing.T, prefix string, n int, signer note.Signer) *node {
	t.Helper()
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: filepath.Join(t.TempDir(), prefix+".db")})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(a, server.Options{}))
	t.Cleanup(func() { srv.Close(); a.Close() })
	nd := &node{app: a, url: srv.URL}
	nd.add(t, prefix, 0, n, signer)
	return nd
}

func (nd *node) add(t *testing.T, prefix string, from, to int, signer note.Signer) {
	t.Helper()
	var reps []incident.Report
	for i := from; i < to; i++ {
		reps = append(reps, storetest.Report(fmt.Sprintf("%s-%d", prefix, i), incident.Day(2017, 1, 1+i%28, time.UTC), "SY070000"))
	}
	if _, err := nd.app.Store.ImportReports(context.Background(), reps, store.Intake{}); err != nil {
		t.Fatal(err)
	}
	if _, err := nd.app.Checkpoint(context.Background(), signer); err != nil {
		t.Fatal(err)
	}
}

func keys(t *testing.T, name string) (note.Signer, note.Verifier) {
	skey, vkey, err := ledger.GenerateKey(name)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := note.NewSigner(skey)
	v, _ := note.NewVerifier(vkey)
	return s, v
}

func alertKind(err error) string {
	var a *witness.Alert
	if errors.As(err, &a) {
		return a.Kind
	}
	return ""
}

func TestWitness(t *testing.T) {
	ctx := context.Background()
	nodeKey, nodeVer := keys(t, "node.truce/log")
	witKey, witVer := keys(t, "witness.truce")
	a := newNode(t, "a", 5, nodeKey)
	w := &witness.Witness{Node: a.url, Known: note.VerifierList(nodeVer), Signer: witKey, State: filepath.Join(t.TempDir(), "state.json")}

	co, err := w.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, n, err := ledger.Open(co, note.VerifierList(nodeVer, witVer)); err != nil || len(n.Sigs) != 2 {
		t.Fatalf("cosigned: %v", err)
	}
	// The log grows consistently: accepted.
	a.add(t, "a", 5, 9, nodeKey)
	if _, err := w.Check(ctx); err != nil {
		t.Fatalf("consistent growth: %v", err)
	}

	t.Run("fork", func(t *testing.T) {
		// The same node key signs another root for the same size.
		c, _, _ := ledger.Open(mustGet(t, w), note.VerifierList(nodeVer))
		c.Root = tlog.RecordHash([]byte("another history"))
		forged, _ := ledger.Sign(c, nodeKey)
		if _, err := w.Consider(ctx, forged); alertKind(err) != "fork" {
			t.Errorf("got %v, want a fork alert", err)
		}
	})
	t.Run("rewritten history", func(t *testing.T) {
		// Another node with the same key and a different, longer log.
		b := newNode(t, "b", 12, nodeKey)
		wb := *w
		wb.Node = b.url
		if _, err := wb.Check(ctx); alertKind(err) != "inconsistent" {
			t.Errorf("got %v, want an inconsistency alert", err)
		}
	})
	t.Run("bad signature", func(t *testing.T) {
		otherKey, _ := keys(t, "node.truce/log")
		c, _, _ := ledger.Open(mustGet(t, w), note.VerifierList(nodeVer))
		bad, _ := ledger.Sign(c, otherKey)
		if _, err := w.Consider(ctx, bad); alertKind(err) != "bad_signature" {
			t.Errorf("got %v, want a bad signature alert", err)
		}
	})
}

func mustGet(t *testing.T, w *witness.Witness) []byte {
	t.Helper()
	co, err := w.Cosigned()
	if err != nil || len(co) == 0 {
		t.Fatal(err)
	}
	return co
}
