package names

import "strings"

// arabicLetters transliterates Arabic letters (and the Persian ones lists
// from Iran or Afghanistan use) into the one Latin alphabet of skeletons.
// Letters that are vowels in Latin (alef, alef maqsura) and the ayn and
// hamza, which Latin spellings mostly drop, map to 0.
var arabicLetters = map[rune]byte{
	'ا': 0, 'ٱ': 0, 'ى': 0, 'ء': 0, 'ع': 0,
	'ب': 'b', 'پ': 'b', 'ت': 't', 'ث': 't', 'ج': 'j', 'چ': 'j', 'ح': 'h', 'خ': 'k',
	'د': 'd', 'ذ': 'd', 'ر': 'r', 'ز': 'z', 'ژ': 'z', 'س': 's', 'ش': 's', 'ص': 's',
	'ض': 'd', 'ط': 't', 'ظ': 'z', 'غ': 'g', 'ف': 'f', 'ڤ': 'f', 'ق': 'k', 'ك': 'k',
	'ک': 'k', 'گ': 'j', 'ل': 'l', 'م': 'm', 'ن': 'n', 'ه': 'h', 'ة': 'h', 'و': 'w',
	'ؤ': 'w', 'ي': 'y', 'ی': 'y', 'ئ': 'y',
}

// latinFolds fold Latin spellings of one Arabic sound together, in order
// (digraphs before their letters). "gh" is ghayn and keeps g; a g alone
// is the Egyptian spelling of jim (Gamal = Jamal), so becomes j.
var latinFolds = strings.NewReplacer(
	"kh", "k", "sh", "s", "ch", "s", "th", "t", "dh", "d", "gh", "G", "ph", "f",
	"dj", "j", "dz", "z", "ts", "s", "ou", "u", "oo", "u", "ee", "i",
	"q", "k", "c", "k", "x", "ks", "v", "f", "p", "b", "g", "j",
)

func isLatinVowel(c byte) bool { return strings.IndexByte("aeiou", c) >= 0 }

// skeleton is a word's consonants in one Latin alphabet: the part of a
// name both scripts and every transliteration write alike. Doubled
// letters count once; w and y count only at the start of a word (inside
// it they are mostly the long vowels u and i); a final h is dropped (the
// ta marbuta, and the h Latin spellings add or leave out: Fatmeh, Fatima).
func skeleton(w string) string {
	var letters []byte
	latin := true
	for _, r := range w {
		if r > 0x7f {
			latin = false
			break
		}
	}
	if latin {
		// Collapse doubled letters before the vowels go, so that
		// Haddad keeps two d's (one doubled, one after a vowel).
		var b strings.Builder
		for i := 0; i < len(w); i++ {
			if i > 0 && w[i] == w[i-1] {
				continue
			}
			b.WriteByte(w[i])
		}
		f := latinFolds.Replace(b.String())
		for i := 0; i < len(f); i++ {
			c := f[i]
			switch {
			case c == 'G':
				letters = append(letters, 'g')
			case c >= 'a' && c <= 'z':
				letters = append(letters, c)
			}
		}
	} else {
		for _, r := range w {
			c, ok := arabicLetters[r]
			switch {
			case ok:
				letters = append(letters, c)
			case r < 0x80 && r >= 'a' && r <= 'z':
				letters = append(letters, byte(r))
			}
		}
	}
	// The final h (or the Arabic final ha, ta marbuta or hha) is dropped
	// on both sides: Saleh and صالح, Abdullah and عبدالله, Fatmeh and فاطمة.
	for len(letters) > 1 && (letters[len(letters)-1] == 'h' || letters[len(letters)-1] == 0) {
		letters = letters[:len(letters)-1]
	}
	var out []byte
	for i, c := range letters {
		switch {
		case c == 0 || (latin && isLatinVowel(c)):
			continue
		case (c == 'w' || c == 'y') && i > 0:
			continue
		}
		out = append(out, c)
	}
	return string(out)
}
