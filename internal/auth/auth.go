// Package auth holds what logging in needs apart from HTTP and SQL:
// password hashing (argon2id), random tokens and their stored hashes, and
// a rate limiter for login attempts, a gate bounding how many password
// checks run at once, and the client address behind trusted proxies that
// the limits count by.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: OWASP's second recommended set (19 MiB, 2 passes,
// one lane), which keeps a login near 30 ms on this project's 2 cores.
const (
	argonMemory = 19 * 1024
	argonTime   = 2
	argonLanes  = 1
	argonKeyLen = 32
)

// MinPassword is the shortest password accepted.
const MinPassword = 12

// HashPassword encodes an argon2id hash of pw with its salt and
// parameters, in the PHC string format.
func HashPassword(pw string) (string, error) {
	if len([]rune(pw)) < MinPassword {
		return "", fmt.Errorf("a password needs at least %d characters", MinPassword)
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonLanes, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonLanes, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches an encoded hash, using the
// parameters stored with it (so that they can be raised later).
func CheckPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// Token returns a new random token with a prefix naming its use.
func Token(prefix string) string {
	b := make([]byte, 24)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// Hash is what is stored of a token: never the token itself.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Equal compares two secrets in constant time.
func Equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// ErrLimited is returned when too many attempts were made.
var ErrLimited = errors.New("too many attempts; wait a minute")

// Limiter allows Burst attempts per key, refilled at one every Every: by
// client address and by account name, so that neither one address nor a
// botnet against one account gets far. The zero value is not usable; set
// Burst and Every. Safe for concurrent use.
type Limiter struct {
	Burst int
	Every time.Duration

	mu      sync.Mutex
	buckets map[string]bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// Allow takes one attempt for key at now, reporting whether there was one
// left.
func (l *Limiter) Allow(key string, now time.Time) bool {
	_, ok := l.Take(now, key)
	return ok
}

// Take reserves one attempt under every key at once, or under none when
// any of them has none left, and then says how long until all of them
// would have one. Checking and spending are one step under one lock: a
// check before the work and a spend after it let every request that
// arrives while the work runs through on the same last attempt.
//
// A caller that learns the attempt was good (the right password) gives
// it back with Refund, so that a user who types their password right is
// never locked out by their own attempts.
func (l *Limiter) Take(now time.Time, keys ...string) (retry time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if b := l.refill(k, now); b.tokens < 1 {
			retry = max(retry, time.Duration((1-b.tokens)*float64(l.Every)))
		}
	}
	if retry > 0 {
		return retry, false
	}
	for _, k := range keys {
		b := l.buckets[k]
		b.tokens = max(0, b.tokens-1)
		l.buckets[k] = b
	}
	l.prune(now)
	return 0, true
}

// Refund gives back an attempt taken with Take under the same keys.
func (l *Limiter) Refund(now time.Time, keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		b := l.refill(k, now)
		b.tokens = min(float64(l.Burst), b.tokens+1)
		l.buckets[k] = b
	}
}

// prune forgets full buckets now and then, so the map stays small.
func (l *Limiter) prune(now time.Time) {
	if len(l.buckets) <= 10000 {
		return
	}
	for k := range l.buckets {
		if l.refill(k, now).tokens >= float64(l.Burst) {
			delete(l.buckets, k)
		}
	}
}

func (l *Limiter) refill(key string, now time.Time) bucket {
	if l.buckets == nil {
		l.buckets = map[string]bucket{}
	}
	b, ok := l.buckets[key]
	if !ok {
		b = bucket{tokens: float64(l.Burst), at: now}
	}
	if now.After(b.at) {
		b.tokens = min(float64(l.Burst), b.tokens+now.Sub(b.at).Seconds()/l.Every.Seconds())
		b.at = now
	}
	l.buckets[key] = b
	return b
}
