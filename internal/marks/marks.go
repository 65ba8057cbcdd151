// Package marks strips diacritics and vowel marks from text: the first
// step of every fold by which truce matches names written several ways
// (place names in the gazetteer, actor names, people's names), in one
// place so that each gets the same fast path and the same safety.
package marks

import (
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Strip returns s without its combining marks (Latin accents, Arabic
// vowel marks), recomposed: "Dayr az Zawr" stays as it is, "Ḥalab" is
// "Halab". A transformer keeps state between calls, so each call makes its
// own: Strip is safe for concurrent use (a shared one once raced and
// panicked under concurrent requests). ASCII, most names in data rows, has
// no marks and is returned as it is, without the transform's cost.
func Strip(s string) string {
	if isASCII(s) {
		return s
	}
	t := transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		return s
	}
	return out
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
