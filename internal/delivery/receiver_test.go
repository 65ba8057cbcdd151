package delivery_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/delivery"
)

// BEGIN receiver (docs/delivery.md shows this function as it is here)

// verify checks that a webhook request comes from truce and is recent,
// and returns its body. secret is the subscription's.
func verify(r *http.Request, secret string) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	ts := r.Header.Get("X-Truce-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, errors.New("no timestamp")
	}
	if d := time.Since(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return nil, errors.New("timestamp too far from now: a replay?")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(r.Header.Get("X-Truce-Signature"))) {
		return nil, errors.New("bad signature")
	}
	return body, nil
}

// END receiver

// TestReceiverSnippetDocumented: the receiver's code in docs/delivery.md
// is the code tested here.
func TestReceiverSnippetDocumented(t *testing.T) {
	src, err := os.ReadFile("receiver_test.go")
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	begin := strings.Index(s, "// verify checks")
	end := strings.Index(s, "// END receiver")
	doc, err := os.ReadFile("../../docs/delivery.md")
	if err != nil {
		t.Fatal(err)
	}
	if snippet := strings.TrimSpace(s[begin:end]); !strings.Contains(string(doc), snippet) {
		t.Errorf("docs/delivery.md does not show the receiver's verify as tested:\n%s", snippet)
	}
}

// receiver is a webhook receiver as the documentation tells one to be: it
// checks the signature and keeps the idempotency keys it processed, so
// that a message sent again (its acknowledgement lost) is acknowledged
// and not processed twice.
type receiver struct {
	secret string

	mu sync.Mutex
	// mode: "ok", "fail" (answers 500), "slow" (processes, then answers
	// after slow: the sender has given up by then).
	mode       string
	slow       time.Duration
	processed  map[string]delivery.Message
	duplicates int
	requests   int
	refused    int
	mismatched int
}

func newReceiver(secret string) *receiver {
	return &receiver{secret: secret, mode: "ok", processed: map[string]delivery.Message{}}
}

func (rc *receiver) set(mode string) {
	rc.mu.Lock()
	rc.mode = mode
	rc.mu.Unlock()
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := verify(r, rc.secret)
	rc.mu.Lock()
	rc.requests++
	mode, slow := rc.mode, rc.slow
	if err != nil {
		rc.refused++
		rc.mu.Unlock()
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if mode == "fail" {
		rc.mu.Unlock()
		http.Error(w, "down for maintenance", http.StatusInternalServerError)
		return
	}
	id := r.Header.Get("X-Truce-Id")
	if _, seen := rc.processed[id]; seen {
		rc.duplicates++
	} else {
		var m delivery.Message
		if json.Unmarshal(body, &m) != nil || m.ID != id {
			rc.mismatched++
		}
		rc.processed[id] = m
	}
	rc.mu.Unlock()
	if mode == "slow" {
		select {
		case <-time.After(slow):
		case <-r.Context().Done():
		}
	}
	w.WriteHeader(http.StatusOK)
}

func (rc *receiver) counts() (processed, duplicates, requests, refused int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.processed), rc.duplicates, rc.requests, rc.refused
}
