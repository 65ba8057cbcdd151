package auth_test

import (
	"strings"
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
