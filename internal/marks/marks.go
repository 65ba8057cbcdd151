// Package marks strips diacritics and vowel marks from text: the first
// step of every fold by which truce matches names written several ways
// (place names in the gazetteer, actor names, people's names), in one
// place so that each gets the same fast path and the same safety.
package marks

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Strip returns s without its combining marks (Latin accents, Arabic
// vowel marks), recomposed: "Dayr az Zawr" stays as it is, "Ḥalab" is
// "Halab". It keeps no state between calls: Strip is safe for concurrent
// use (a shared transformer once raced and panicked under concurrent
// requests). ASCII, most names in data rows, has no marks and is returned
// as it is.
func Strip(s string) string {
	if isASCII(s) {
		return s
	}
	// Decomposed, filtered and recomposed in three passes rather than by
	// a transform.Chain, whose buffers, allocated on every call, cost
	// seven times the work (BenchmarkStrip; the registry's names are
	// stripped at every start).
	d := norm.NFKD.String(s)
	b := make([]byte, 0, len(d))
	for _, r := range d {
		if !unicode.Is(unicode.Mn, r) {
			b = utf8.AppendRune(b, r)
		}
	}
	return norm.NFC.String(string(b))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
