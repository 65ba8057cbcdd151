package sealed_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/sealed"
)

func TestSealOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.key")
	b, err := sealed.LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode: %v %v", fi.Mode(), err)
	}
	s := b.Seal("monitor/r1", []byte("Umm Ahmad, +963 11 000 000"))
	if strings.Contains(s, "Ahmad") {
		t.Error("sealing must hide the text")
	}
	if s != b.Seal("monitor/r1", []byte("Umm Ahmad, +963 11 000 000")) {
		t.Error("sealing the same for the same record must give the same text (retries)")
	}
	if s == b.Seal("monitor/r2", []byte("Umm Ahmad, +963 11 000 000")) {
		t.Error("one witness in two records must not be linkable")
	}
	if _, err := b.Open("monitor/r2", s); err == nil {
		t.Error("opened under another record")
	}
	again, err := sealed.LoadOrCreate(path) // the same key from the file
	if err != nil {
		t.Fatal(err)
	}
	if got, err := again.Open("monitor/r1", s); err != nil || string(got) != "Umm Ahmad, +963 11 000 000" {
		t.Errorf("Open = %q, %v", got, err)
	}
	other, _ := sealed.LoadOrCreate(filepath.Join(t.TempDir(), "other.key"))
	if _, err := other.Open("monitor/r1", s); err == nil {
		t.Error("opened with another key")
	}
	altered := s[:len(s)-2] + "AA"
	if _, err := b.Open("monitor/r1", altered); err == nil {
		t.Error("opened an altered value")
	}
}
