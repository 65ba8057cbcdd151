package i18n_test

import (
	"strings"
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

// TestDigits: the rule of digits (i18n.go, "Digits and direction"):
// Arabic-Indic in Arabic, Extended Arabic-Indic in Persian, Latin in the
// others, for numbers, dates, times, percentages and numbers formatted
// into messages.
func TestDigits(t *testing.T) {
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2017, 1, 24, 9, 5, 0, 0, time.UTC)
	tests := []struct {
		lang, number, digits, clock, message string
	}{
		{"en", "1,234", "0123456789", "09:05", "The file is too large: at most 32 MiB."},
		{"ar", "١٬٢٣٤", "٠١٢٣٤٥٦٧٨٩", "٠٩:٠٥", "الملف كبير جدًا: الحد الأقصى ٣٢ ميغابايت."},
		{"fa", "۱٬۲۳۴", "۰۱۲۳۴۵۶۷۸۹", "۰۹:۰۵", "فایل بیش از حد بزرگ است: حداکثر ۳۲ مگابایت."},
		{"ru", "1 234", "0123456789", "09:05", "Файл слишком велик: не более 32 МиБ."},
		{"tr", "1.234", "0123456789", "09:05", "Dosya çok büyük: en fazla 32 MiB."},
	}
	for _, tt := range tests {
		if got := strings.ReplaceAll(i18n.Number(tt.lang, 1234), "\u00a0", " "); got != tt.number {
			t.Errorf("Number(%s, 1234) = %q, want %q", tt.lang, got, tt.number)
		}
		if got := i18n.Digits(tt.lang, "0123456789"); got != tt.digits {
			t.Errorf("Digits(%s) = %q, want %q", tt.lang, got, tt.digits)
		}
		if got := i18n.Clock(tt.lang, at); got != tt.clock {
			t.Errorf("Clock(%s) = %q, want %q", tt.lang, got, tt.clock)
		}
		if got := c.T(tt.lang, "error.too_large", 32); got != tt.message {
			t.Errorf("T(%s, error.too_large, 32) = %q, want %q", tt.lang, got, tt.message)
		}
		// A percentage: the locale's digits and sign, whatever the
		// order.
		p := i18n.Percent(tt.lang, 0.25)
		if !strings.Contains(p, i18n.Digits(tt.lang, "25")) || !strings.ContainsAny(p, "%٪") {
			t.Errorf("Percent(%s, 0.25) = %q", tt.lang, p)
		}
	}
	// Letters, signs and the other script's digits are left alone.
	if got := i18n.Digits("fa", "DZ-1 ٣ 2017-W01"); got != "DZ-۱ ٣ ۲۰۱۷-W۰۱" {
		t.Errorf("Digits(fa) = %q", got)
	}
}
