package auth_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/auth"
)

func TestPassword(t *testing.T) {
	h, err := auth.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %s", h)
	}
	if !auth.CheckPassword(h, "correct horse battery") || auth.CheckPassword(h, "correct horse batterY") || auth.CheckPassword("garbage", "x") {
		t.Error("CheckPassword")
	}
	if h2, _ := auth.HashPassword("correct horse battery"); h2 == h {
		t.Error("two hashes of one password must differ (salt)")
	}
	if _, err := auth.HashPassword("short"); err == nil {
		t.Error("a short password was accepted")
	}
}

func TestLimiter(t *testing.T) {
	l := &auth.Limiter{Burst: 3, Every: 10 * time.Second}
	now := time.Unix(0, 0)
	for i := range 3 {
		if !l.Allow("ip", now) {
			t.Fatalf("attempt %d refused", i)
		}
	}
	if l.Allow("ip", now) {
		t.Error("fourth attempt allowed")
	}
	if !l.Allow("other", now) {
		t.Error("another key was limited")
	}
	if !l.Allow("ip", now.Add(11*time.Second)) {
		t.Error("not refilled")
	}
}

// TestLimiterParallel: guesses made at once cannot share the last
// attempts. Checking before the password hash and spending after it let
// 62 guesses through in 30 s against a budget of 7.
func TestLimiterParallel(t *testing.T) {
	t.Parallel()
	l := &auth.Limiter{Burst: 5, Every: time.Hour}
	now := time.Unix(0, 0)
	var admitted atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 200 {
		wg.Go(func() {
			<-start
			if _, ok := l.Take(now, "ip 192.0.2.1", "user rev"); ok {
				time.Sleep(time.Millisecond) // the password check
				admitted.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	if n := admitted.Load(); n != 5 {
		t.Errorf("%d parallel guesses admitted, want the budget of 5", n)
	}
}

func TestLimiterTakeRefund(t *testing.T) {
	t.Parallel()
	l := &auth.Limiter{Burst: 2, Every: 10 * time.Second}
	now := time.Unix(0, 0)
	for range 2 {
		if _, ok := l.Take(now, "ip a", "user rev"); !ok {
			t.Fatal("refused within the budget")
		}
	}
	retry, ok := l.Take(now, "ip b", "user rev")
	if ok || retry != 10*time.Second {
		t.Errorf("a spent account: %v %v, want refused for 10s", ok, retry)
	}
	// Refused as a whole: the other key's attempt was not taken.
	for range 2 {
		if _, ok := l.Take(now, "ip b", "user ru"); !ok {
			t.Error("a refusal spent another key's attempt")
		}
	}
	// Another account is not locked by this one.
	if _, ok := l.Take(now, "ip c", "user admin"); !ok {
		t.Error("another account was locked")
	}
	// A right password gives its attempt back.
	l.Refund(now, "ip a", "user rev")
	if _, ok := l.Take(now, "ip a", "user rev"); !ok {
		t.Error("not refunded")
	}
	l.Refund(now, "ip z") // never more than the burst
	l.Refund(now, "ip z")
	for i := range 3 {
		if _, ok := l.Take(now, "ip z"); ok != (i < 2) {
			t.Errorf("attempt %d on a refunded fresh key: %v", i, ok)
		}
	}
}

// TestGate: no more checks than slots run at once, and whoever cannot
// get one in time is turned away instead of queueing without end.
func TestGate(t *testing.T) {
	t.Parallel()
	g := auth.NewGate(2, 3, 50*time.Millisecond)
	var inFlight, most, turnedAway atomic.Int32
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			release, ok := g.Enter(context.Background())
			if !ok {
				turnedAway.Add(1)
				return
			}
			n := inFlight.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(20 * time.Millisecond)
			inFlight.Add(-1)
			release()
		})
	}
	wg.Wait()
	if most.Load() > 2 {
		t.Errorf("%d checks at once through a gate of 2", most.Load())
	}
	if turnedAway.Load() == 0 {
		t.Error("40 at once, none turned away")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r1, _ := g.Enter(ctx)
	r2, _ := g.Enter(ctx)
	if _, ok := g.Enter(ctx); ok {
		t.Error("a third slot")
	}
	r1()
	r2()
}

func TestClientAddr(t *testing.T) {
	t.Parallel()
	proxies, err := auth.ParseProxies("10.0.0.0/8, 192.0.2.7 ::1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		remote string
		xff    []string
		want   string
	}{
		{"direct", "198.51.100.4:5555", nil, "198.51.100.4"},
		{"spoofed by an untrusted peer", "198.51.100.4:5555", []string{"203.0.113.9"}, "198.51.100.4"},
		{"through the proxy", "192.0.2.7:4000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"client's own header ignored", "192.0.2.7:4000", []string{"1.2.3.4, 203.0.113.9"}, "203.0.113.9"},
		{"two proxies", "[::1]:4000", []string{"1.2.3.4, 203.0.113.9, 10.1.2.3"}, "203.0.113.9"},
		{"header split over lines", "192.0.2.7:4000", []string{"1.2.3.4", "203.0.113.9"}, "203.0.113.9"},
		{"proxy without header", "192.0.2.7:4000", nil, "192.0.2.7"},
		{"garbage next to the proxy", "192.0.2.7:4000", []string{"1.2.3.4, nonsense"}, "192.0.2.7"},
		{"mapped IPv4", "[::ffff:192.0.2.7]:4000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"with a port", "192.0.2.7:4000", []string{"203.0.113.9:1234"}, "203.0.113.9"},
		{"IPv6 client", "192.0.2.7:4000", []string{"2001:db8::1"}, "2001:db8::1"},
		{"all trusted", "10.0.0.1:80", []string{"10.0.0.2"}, "10.0.0.2"},
	} {
		if got := auth.ClientAddr(tt.remote, tt.xff, proxies); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	if _, err := auth.ParseProxies("10.0.0.0/8,proxy.example"); err == nil {
		t.Error("a host name was taken for a proxy")
	}
	if got := auth.LimitKey("2001:db8:1:2:3:4:5:6"); got != "2001:db8:1:2::/64" {
		t.Errorf("IPv6 limit key %q", got)
	}
}
