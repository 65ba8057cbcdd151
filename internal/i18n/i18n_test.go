package i18n_test

import (
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/i18n"
)

// Load fails on any string missing from a language, so a passing Load is
// the completeness check.
func TestCatalog(t *testing.T) {
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ chosen, accept, want string }{
		{"", "", "en"},
		{"", "ar-SY,ar;q=0.9,en;q=0.5", "ar"},
		{"", "fa-IR", "fa"},
		{"", "de-DE,ru;q=0.8", "ru"},
		{"tr", "ar", "tr"},
		{"xx", "ru", "ru"},
		{"", "zh-CN", "en"},
	}
	for _, tt := range tests {
		if got := c.Match(tt.chosen, tt.accept); got != tt.want {
			t.Errorf("Match(%q, %q) = %q, want %q", tt.chosen, tt.accept, got, tt.want)
		}
	}
	if got := c.T("ar", "list.count", "٣"); got != "٣ حادثة" {
		t.Errorf("T: %q", got)
	}
	if got := c.T("ru", "no.such.key"); got != "no.such.key" {
		t.Errorf("unknown key: %q", got)
	}
	if !i18n.RTL("ar") || !i18n.RTL("fa") || i18n.RTL("tr") {
		t.Error("RTL")
	}
	d := time.Date(2017, 1, 24, 0, 0, 0, 0, time.UTC)
	for lang, want := range map[string]string{"en": "2017-01-24", "ar": "٢٠١٧-٠١-٢٤", "fa": "۲۰۱۷-۰۱-۲۴", "ru": "2017-01-24"} {
		if got := i18n.Date(lang, d); got != want {
			t.Errorf("Date(%s) = %q, want %q", lang, got, want)
		}
	}
	if got := i18n.Number("ru", 12345); got != "12 345" && got != "12\u00a0345" {
		t.Errorf("Number(ru) = %q", got)
	}
}
