package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/delivery"
)

func subscribe(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := cmdSubscribe(context.Background(), args, &out, slog.New(slog.DiscardHandler))
	return out.String(), err
}

// TestSubscribeCommand: truce subscribe add, list, log, remove and
// deliver, as the operator.
func TestSubscribeCommand(t *testing.T) {
	t.Setenv("TRUCE_PUBLIC_URL", "https://truce.example.org")
	t.Setenv("TRUCE_SMTP_HOST", "")
	db := filepath.Join(t.TempDir(), "s.db")
	mustTruce(t, "agreement", "load", "-db", db, "../../internal/bundled/data/agreements/syria-coh-2016.yaml")
	mustTruce(t, "user", "add", "gov", "-db", db, "-role", "liaison", "-party", "GOV")
	const secret = "the receiver's webhook secret"
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := delivery.Verify(secret, r.Header.Get("X-Truce-Timestamp"), r.Header.Get("X-Truce-Signature"), body, time.Now(), time.Minute); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		mu.Lock()
		got = append(got, r.Header.Get("X-Truce-Id"))
		mu.Unlock()
	}))
	defer srv.Close()

	for _, args := range [][]string{
		{"add", "-db", db, "-webhook", srv.URL},                                  // no user
		{"add", "-db", db, "-user", "gov"},                                       // no channel
		{"add", "-db", db, "-user", "gov", "-atom", "-email", "gov@example.org"}, // two
		{"list", "-db", db, "extra"},                                             // an argument
		{"remove", "-db", db},                                                    // no id
		{"frobnicate"},
	} {
		if _, err := subscribe(t, args...); err == nil {
			t.Errorf("truce subscribe %s: no error", strings.Join(args, " "))
		} else if _, ok := err.(usageError); !ok {
			t.Errorf("truce subscribe %s: %v, not a usage error", strings.Join(args, " "), err)
		}
	}
	if _, err := subscribe(t, "add", "-db", db, "-user", "gov", "-webhook", srv.URL, "-secret", secret, "-party", "OPP"); err == nil || !strings.Contains(err.Error(), "public_only") {
		t.Errorf("a party's user subscribed to another party's protected messages: %v", err)
	}
	out, err := subscribe(t, "add", "-db", db, "-user", "gov", "-webhook", srv.URL, "-secret", secret, "-party", "GOV", "-severity", "medium")
	if err != nil {
		t.Fatal(err)
	}
	id := regexp.MustCompile(`subscription (sub_[0-9a-f]+)`).FindStringSubmatch(out)
	if id == nil || !strings.Contains(out, "party GOV, severity>= medium") || strings.Contains(out, secret) {
		t.Fatalf("add: %s", out)
	}
	out, err = subscribe(t, "add", "-db", db, "-user", "gov", "-atom")
	if err != nil || !regexp.MustCompile(`feed \(its URL is shown once\): https://truce.example.org/feeds/feed_[0-9a-f]{48}\.atom`).MatchString(out) {
		t.Errorf("add -atom: %s %v", out, err)
	}
	out, err = subscribe(t, "add", "-db", db, "-user", "gov", "-webhook", "https://hooks.example.org/gov", "-party", "OPP", "-public")
	if err != nil || !strings.Contains(out, "webhook secret (shown once): whsec_") {
		t.Errorf("add without a secret: %s %v", out, err)
	}
	if _, err := subscribe(t, "add", "-db", db, "-user", "gov", "-email", "GOV liaison <gov@example.org>"); err != nil {
		t.Fatal(err)
	}

	// A message for the webhook, enqueued as the app would.
	a, err := app.Open(context.Background(), app.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	msg := delivery.Message{ID: "alert:DZ1:2017-03-10", Kind: delivery.KindAlert, Party: "GOV", Severity: "high", Title: "تصعيد", At: time.Now()}
	if _, err := a.Enqueue(context.Background(), []delivery.Message{msg}); err != nil {
		t.Fatal(err)
	}
	a.Close()
	out, err = subscribe(t, "deliver", "-db", db, "-webhook-private", "-retry-base", "1ms")
	// The message goes to the receiver's webhook, and to the e-mail
	// address, which waits for an SMTP server to be configured.
	if err != nil || !strings.Contains(out, "2 attempted: 1 delivered, 1 to try again") {
		t.Errorf("deliver: %s %v", out, err)
	}
	if len(got) != 1 || got[0] != msg.ID {
		t.Errorf("the receiver got %v", got)
	}
	out, err = subscribe(t, "log", "-db", db, id[1])
	if err != nil || !strings.Contains(out, msg.ID) || !strings.Contains(out, "delivered") {
		t.Errorf("log: %s %v", out, err)
	}
	out, err = subscribe(t, "list", "-db", db, "-user", "gov")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if err != nil || len(lines) != 5 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(out, "(feed)") || !strings.Contains(out, "public only") {
		t.Errorf("list:\n%s %v", out, err)
	}
	for _, l := range lines {
		if strings.HasPrefix(l, id[1]) && !regexp.MustCompile(`party GOV, severity>= medium\s+0\s+1\s+0\s*$`).MatchString(l) {
			t.Errorf("list line: %q", l)
		}
	}
	if !strings.Contains(out, "no email sender is configured") {
		t.Errorf("list does not show why the e-mail waits:\n%s", out)
	}
	if strings.Contains(out, secret) || strings.Contains(out, "whsec_") {
		t.Errorf("list shows a secret:\n%s", out)
	}
	if out, err := subscribe(t, "remove", "-db", db, id[1]); err != nil || !strings.Contains(out, "removed") {
		t.Errorf("remove: %s %v", out, err)
	}
	if _, err := subscribe(t, "remove", "-db", db, id[1]); err == nil {
		t.Error("removed twice")
	}
	if out, _ := subscribe(t, "list", "-db", db); strings.Count(out, "\n") != 4 {
		t.Errorf("after remove:\n%s", out)
	}
	if out, err := subscribe(t, "-h"); err != nil || !strings.Contains(out, "truce subscribe add") {
		t.Errorf("help: %s %v", out, err)
	}
}
