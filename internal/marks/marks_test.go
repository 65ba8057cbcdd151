package marks

import (
	"testing"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

func TestStrip(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Dayr az Zawr", "Dayr az Zawr"},
		{"Ḥalab", "Halab"},
		{"Hüseyin", "Huseyin"},
		{"مُحَمَّد", "محمد"},
		{"", ""},
	} {
		if got := Strip(tt.in); got != tt.want {
			t.Errorf("Strip(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Strip is called from many handlers at once.
func TestStripConcurrently(t *testing.T) {
	done := make(chan string)
	for range 8 {
		go func() {
			var s string
			for range 500 {
				s = Strip("Ḥusayn al-Ḥallāq")
			}
			done <- s
		}()
	}
	for range 8 {
		if s := <-done; s != "Husayn al-Hallaq" {
			t.Errorf("concurrent Strip: %q", s)
		}
	}
}

func BenchmarkStrip(b *testing.B) {
	for b.Loop() {
		Strip("Ḥusayn al-Ḥallāq")
		Strip("مُحَمَّد")
	}
}

// TestStripAsChain: Strip gives what the transform chain it replaced
// (NFKD, Mn removed, NFC) gives, on names in each of the users' scripts.
func TestStripAsChain(t *testing.T) {
	chain := func(s string) string {
		out, _, err := transform.String(transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), s)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, s := range []string{
		"Ḥusayn al-Ḥallāq", "Dayr az-Zawr", "Şanlıurfa", "İdlib", "Çobanbey", "Ğ",
		"Дейр-эз-Зор", "Йемен", "Алеппо", "ё", "حَلَب", "دير الزور", "إدلب", "آل",
		"ۀ", "خراسان", "پیشمرگه", "ﻻ", "ﬁ", "½", "Å", "ǅ", "\u0301a", "a\u0301\u0327",
	} {
		if got, want := Strip(s), chain(s); got != want {
			t.Errorf("Strip(%q) = %q, the chain gives %q", s, got, want)
		}
	}
}
