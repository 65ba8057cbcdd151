package witness_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/server"
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
	var lines bytes.Buffer
	for i := from; i < to; i++ {
		b, err := json.Marshal(storetest.Report(fmt.Sprintf("%s-%d", prefix, i), incident.Day(2017, 1, 1+i%28, time.UTC), "SY070000"))
		if err != nil {
			t.Fatal(err)
		}
		lines.Write(append(b, '\n'))
	}
	if _, err := nd.app.Import(context.Background(), "jsonl", &lines, prefix+".jsonl", app.ImportOptions{}); err != nil {
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
	t.Run("node unreachable", func(t *testing.T) {
		// A larger checkpoint the node signed, while the node cannot be
		// reached for the proof: no cosignature, and no alert either.
		c, _, _ := ledger.Open(mustGet(t, w), note.VerifierList(nodeVer))
		c.Size += 3
		c.Root = tlog.RecordHash([]byte("not yet proven"))
		later, _ := ledger.Sign(c, nodeKey)
		down := &witness.Witness{Node: "http://127.0.0.1:1", Known: w.Known, Signer: w.Signer, State: w.State}
		if _, err := down.Consider(ctx, later); err == nil || alertKind(err) != "" {
			t.Errorf("got %v, want an error and no alert", err)
		}
		if _, err := w.Check(ctx); err != nil {
			t.Errorf("the witness after the fault: %v", err)
		}
	})
	t.Run("rewritten history", func(t *testing.T) {
		// Another node with the same key and a different, longer log.
		b := newNode(t, "b", 12, nodeKey)
		wb := &witness.Witness{Node: b.url, Known: w.Known, Signer: w.Signer, State: w.State}
		if _, err := wb.Check(ctx); alertKind(err) != "inconsistent" {
			t.Errorf("got %v, want an inconsistency alert", err)
		}
	})
	t.Run("bad signature", func(t *testing.T) {
		// Anyone can sign a note: one not signed by the node is refused,
		// and says nothing against the node.
		otherKey, _ := keys(t, "node.truce/log")
		c, _, _ := ledger.Open(mustGet(t, w), note.VerifierList(nodeVer))
		c.Root = tlog.RecordHash([]byte("a history the node never signed"))
		bad, _ := ledger.Sign(c, otherKey)
		for _, msg := range [][]byte{bad, []byte("hello")} {
			if _, err := w.Consider(ctx, msg); !errors.Is(err, witness.ErrUnsigned) || alertKind(err) != "" {
				t.Errorf("%.20q: got %v, want ErrUnsigned and no alert", msg, err)
			}
		}
	})
}

// TestPostedCheckpoints: anyone may post to a witness. Garbage and notes
// signed by another key are refused (400) and logged, and do not stop the
// witness; only a checkpoint the node signed that contradicts one seen
// before is an alert. A post of "hello" used to raise bad_signature,
// which made "truce witness" exit 1.
func TestPostedCheckpoints(t *testing.T) {
	ctx := context.Background()
	nodeKey, nodeVer := keys(t, "node.truce/log")
	witKey, _ := keys(t, "witness.truce")
	otherKey, _ := keys(t, "node.truce/log")
	a := newNode(t, "p", 4, nodeKey)
	w := &witness.Witness{Node: a.url, Known: note.VerifierList(nodeVer), Signer: witKey, State: filepath.Join(t.TempDir(), "state.json")}
	if _, err := w.Check(ctx); err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	var alerts []*witness.Alert
	srv := httptest.NewServer(w.Handler(slog.New(slog.NewTextHandler(&logged, nil)), func(a *witness.Alert) { alerts = append(alerts, a) }))
	defer srv.Close()
	post := func(msg []byte) int {
		t.Helper()
		res, err := http.Post(srv.URL+"/witness/checkpoint", "text/plain", bytes.NewReader(msg))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}

	c, _, _ := ledger.Open(mustGet(t, w), note.VerifierList(nodeVer))
	forked := c
	forked.Root = tlog.RecordHash([]byte("another history"))
	byOther, _ := ledger.Sign(forked, otherKey)
	for name, msg := range map[string][]byte{"garbage": []byte("hello"), "signed by another key": byOther, "empty": nil} {
		if status := post(msg); status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", name, status)
		}
	}
	if len(alerts) != 0 {
		t.Errorf("unsigned posts raised alerts: %v", alerts)
	}
	if n := strings.Count(logged.String(), "posted checkpoint refused"); n != 3 {
		t.Errorf("%d refusals logged, want 3: %s", n, logged.String())
	}
	// The witness goes on: the node's next checkpoint is cosigned.
	a.add(t, "p", 4, 6, nodeKey)
	if _, err := w.Check(ctx); err != nil {
		t.Fatalf("after the posts: %v", err)
	}
	// What the node signed is still checked: a fork is an alert.
	forgedByNode, _ := ledger.Sign(forked, nodeKey)
	if status := post(forgedByNode); status != http.StatusConflict || len(alerts) != 1 || alerts[0].Kind != "fork" {
		t.Errorf("a fork signed by the node: %d, alerts %v", status, alerts)
	}
	// And a good one is cosigned.
	if status := post(mustGet(t, w)); status != http.StatusOK {
		t.Errorf("the node's own checkpoint: %d", status)
	}
}

func mustGet(t *testing.T, w *witness.Witness) []byte {
	t.Helper()
	co, err := w.Cosigned()
	if err != nil || len(co) == 0 {
		t.Fatal(err)
	}
	return co
}
