package web_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// TestLogPage: /log was a 404 (issue 14). It shows the signed checkpoints
// and the entries to anyone, and an entry's inclusion proof and a
// consistency proof that check, with tlog, against the checkpoint's root:
// what a reader who does not trust the node needs.
func TestLogPage(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	skey, _, err := note.GenerateKey(rand.Reader, "truce.test/log")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.app.Checkpoint(ctx, signer)
	if err != nil {
		t.Fatal(err)
	}
	c := s.client(t) // the public
	if status, body := c.get("/log"); status != http.StatusOK || !strings.Contains(body, "no checkpoint") && !strings.Contains(body, "truce.test/log") {
		t.Fatalf("/log: %d %.300s", status, body)
	}
	// The log grows, and a second checkpoint covers it.
	if _, _, err := s.app.AddEvidence(ctx, []byte("%PDF-1.4 a later file"), "admin", "cli", "later.pdf"); err != nil {
		t.Fatal(err)
	}
	latest, err := s.app.Checkpoint(ctx, signer)
	if err != nil {
		t.Fatal(err)
	}
	size := checkpointSize(t, latest)
	oldSize := checkpointSize(t, first)
	if size <= oldSize {
		t.Fatalf("the log did not grow: %d then %d", oldSize, size)
	}
	status, body := c.get("/log")
	if status != http.StatusOK {
		t.Fatalf("/log: %d", status)
	}
	body = html.UnescapeString(body) // html/template writes "+" as "&#43;"
	root := rootOf(t, latest)
	for _, want := range []string{"truce.test/log", b64(root), `href="/log?old=` + strconv.FormatInt(oldSize, 10)} {
		if !strings.Contains(body, want) {
			t.Errorf("/log: no %q", want)
		}
	}
	// An inclusion proof, read off the page, checks against the root.
	index := size - 1
	_, body = c.get("/log?proof=" + strconv.FormatInt(index, 10))
	sec := section(t, body, "inclusion")
	entry := regexp.MustCompile(`(?s)<pre dir="ltr">(.*?)</pre>`).FindStringSubmatch(sec)[1]
	proof := tlog.RecordProof(hashesIn(t, sec))
	if err := tlog.CheckRecord(proof, size, root, index, tlog.RecordHash([]byte(entry))); err != nil {
		t.Errorf("the page's inclusion proof of entry %d does not check: %v", index, err)
	}
	// A consistency proof from the first checkpoint to the latest.
	_, body = c.get("/log?old=" + strconv.FormatInt(oldSize, 10))
	tp := tlog.TreeProof(hashesIn(t, section(t, body, "consistency")))
	if err := tlog.CheckTree(tp, size, root, oldSize, rootOf(t, first)); err != nil {
		t.Errorf("the page's consistency proof %d → %d does not check: %v", oldSize, size, err)
	}
	// Asking outside the log is the reader's mistake, said so.
	for _, q := range []string{"proof=" + strconv.FormatInt(size+5, 10), "old=0", "start=x", "proof=-1"} {
		if status, _ := c.get("/log?" + q); status != http.StatusBadRequest {
			t.Errorf("/log?%s: %d, want 400", q, status)
		}
	}
}

func checkpointSize(t *testing.T, msg []byte) int64 {
	t.Helper()
	n, err := strconv.ParseInt(strings.Split(string(msg), "\n")[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func rootOf(t *testing.T, msg []byte) tlog.Hash {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(strings.Split(string(msg), "\n")[2])
	if err != nil {
		t.Fatal(err)
	}
	return tlog.Hash(b)
}

func b64(h tlog.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }

func section(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `<section id="`+id+`">`)
	if i < 0 {
		t.Fatalf("no %s section: %.2000s", id, body)
	}
	return html.UnescapeString(body[i : i+strings.Index(body[i:], "</section>")])
}

func hashesIn(t *testing.T, sec string) []tlog.Hash {
	t.Helper()
	var out []tlog.Hash
	for _, m := range regexp.MustCompile(`<li><code>([A-Za-z0-9+/=]+)</code></li>`).FindAllStringSubmatch(sec, -1) {
		b, err := base64.StdEncoding.DecodeString(m[1])
		if err != nil || len(b) != tlog.HashSize {
			t.Fatalf("proof hash %q", m[1])
		}
		out = append(out, tlog.Hash(b))
	}
	return out
}
