package main

import (
	"errors"
	"path/filepath"
	"testing"
)

// TestServeTrustedProxy: a trusted proxy that is not an address or a CIDR
// stops serve before it starts, from the flag or the environment, rather
// than leaving the login limits to count the proxy's address.
func TestServeTrustedProxy(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	var ue usageError
	if _, err := truce(t, "serve", "-db", db, "-trusted-proxy", "10.0.0.0/8,proxy.example"); !errors.As(err, &ue) {
		t.Errorf("-trusted-proxy proxy.example: %v, want a usage error", err)
	}
	t.Setenv("TRUCE_TRUSTED_PROXY", "10.0.0.300")
	if _, err := truce(t, "serve", "-db", db); !errors.As(err, &ue) {
		t.Errorf("TRUCE_TRUSTED_PROXY=10.0.0.300: %v, want a usage error", err)
	}
}
