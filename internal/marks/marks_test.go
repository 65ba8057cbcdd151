package marks

import "testing"

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
