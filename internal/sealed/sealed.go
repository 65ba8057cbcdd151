// Package sealed encrypts the few fields truce must keep but may show only
// to some roles — the names and contacts of reporters and witnesses — with
// AES-256-GCM under a key kept apart from the database, so that a copy of
// the database (a backup, a mirror, a stolen disk) does not give them away.
package sealed

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Box seals and opens with one key.
type Box struct {
	aead     cipher.AEAD
	nonceKey []byte
}

// prefix marks a sealed value and its scheme, so that the scheme can
// change later without guessing.
const prefix = "v1:"

// New makes a box from a 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("sealed: the key must be 32 bytes, not %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("truce sealed nonce"))
	return &Box{aead: aead, nonceKey: m.Sum(nil)}, nil
}

// LoadOrCreate reads a key file (64 hex digits), making it with a new
// random key (mode 0600) when it does not exist.
func LoadOrCreate(path string) (*Box, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key := make([]byte, 32)
		rand.Read(key)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("data key %s: %w", path, err)
		}
		if _, err := fmt.Fprintln(f, hex.EncodeToString(key)); err != nil {
			f.Close()
			return nil, fmt.Errorf("data key %s: %w", path, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, fmt.Errorf("data key %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("data key %s: %w", path, err)
		}
		return New(key)
	}
	if err != nil {
		return nil, fmt.Errorf("data key: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("data key %s: not 64 hex digits", path)
	}
	return New(key)
}

// Seal encrypts plaintext, bound to context (the record it belongs to:
// it opens only with the same context). The nonce is derived from the
// context and the plaintext (a synthetic IV), so that sealing the same
// thing for the same record gives the same text — a retried submission
// stays identical — while one witness named in two records gives two
// unrelated texts. A nonce repeats only with its plaintext, which GCM
// allows.
func (b *Box) Seal(context string, plaintext []byte) string {
	m := hmac.New(sha256.New, b.nonceKey)
	m.Write([]byte(context))
	m.Write([]byte{0})
	m.Write(plaintext)
	nonce := m.Sum(nil)[:b.aead.NonceSize()]
	return prefix + base64.RawStdEncoding.EncodeToString(b.aead.Seal(nonce, nonce, plaintext, []byte(context)))
}

// IsSealed reports whether s is in Seal's form (it may still not open).
func IsSealed(s string) bool { return strings.HasPrefix(s, prefix) }

// Open decrypts what Seal made for context; any change to it, or another
// context, is an error.
func (b *Box) Open(context, sealed string) ([]byte, error) {
	s, ok := strings.CutPrefix(sealed, prefix)
	if !ok {
		return nil, errors.New("sealed: not a sealed value")
	}
	raw, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil || len(raw) < b.aead.NonceSize() {
		return nil, errors.New("sealed: not a sealed value")
	}
	n := b.aead.NonceSize()
	out, err := b.aead.Open(nil, raw[:n], raw[n:], []byte(context))
	if err != nil {
		return nil, errors.New("sealed: cannot open (another key or record, or altered)")
	}
	return out, nil
}
