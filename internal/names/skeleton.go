package names

import (
	"strings"
	"unicode/utf8"
)

// arabicLetters transliterates Arabic letters (and the Persian ones lists
// from Iran or Afghanistan use) into the one Latin alphabet of skeletons.
// Letters that are vowels in Latin (alef, alef maqsura) and the ayn and
// hamza, which Latin spellings mostly drop, map to 0. Kha is x, apart from
// the k of kaf and qaf (Khalid, Qasim), as Latin kh is.
var arabicLetters = map[rune]byte{
	'ا': 0, 'ٱ': 0, 'ى': 0, 'ء': 0, 'ع': 0,
	'ب': 'b', 'پ': 'b', 'ت': 't', 'ث': 't', 'ج': 'j', 'چ': 'j', 'ح': 'h', 'خ': 'x',
	'د': 'd', 'ذ': 'd', 'ر': 'r', 'ز': 'z', 'ژ': 'z', 'س': 's', 'ش': 's', 'ص': 's',
	'ض': 'd', 'ط': 't', 'ظ': 'z', 'غ': 'g', 'ف': 'f', 'ڤ': 'f', 'ق': 'k', 'ك': 'k',
	'ک': 'k', 'گ': 'j', 'ل': 'l', 'م': 'm', 'ن': 'n', 'ه': 'h', 'ة': 'h', 'و': 'w',
	'ؤ': 'w', 'ي': 'y', 'ی': 'y', 'ئ': 'y',
}

// cyrillicLetters transliterate the Russian habit of writing Arabic names
// (Мухаммед, Ибрагим, Хусейн, аль-Хатиб) into Latin letters before a name
// is read. Х is written for both ha and kha (Хасан, Халид): it becomes H,
// which the comparison takes for either. Г is mostly ghayn (Гассан), and
// in Ибрагим the Russian habit for ha: the table knows Ibragim.
var cyrillicLetters = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "gh", 'д': "d", 'е': "e", 'ё': "yo", 'ж': "j",
	'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "H", 'ц': "ts",
	'ч': "ch", 'ш': "sh", 'щ': "sh", 'ъ': "", 'ы': "i", 'ь': "", 'э': "e", 'ю': "yu",
	'я': "ya", 'і': "i", 'ї': "yi", 'є': "ye", 'ґ': "g",
}

// latinFolds fold Latin spellings of one Arabic sound together, in order
// (digraphs before their letters). "gh" is ghayn and keeps g (G); a g
// alone is the Egyptian spelling of jim (Gamal = Jamal), so becomes j.
// kh is x, as kha is. A v is waw as Turkish, Persian and Russian write it
// (Esved, Cevdet, Vahid, Дарвиш). A c alone is C: k in English (Abdelcader), s in
// French (Nacer, Youcef), j in Turkish (Cuma, Cemal, Hicazi); the
// comparison takes it for any of the three.
var latinFolds = strings.NewReplacer(
	"kh", "X", "sh", "s", "ch", "s", "th", "t", "dh", "d", "gh", "G", "ph", "f",
	"dj", "j", "dz", "z", "ts", "s", "zh", "j", "ou", "u", "oo", "u", "ee", "i",
	"q", "k", "c", "C", "x", "ks", "v", "w", "p", "b", "g", "j",
)

func isLatinVowel(c byte) bool { return strings.IndexByte("aeiou", c) >= 0 }

func isLatin(w string) bool {
	for _, r := range w {
		if r > 0x7f {
			return false
		}
	}
	return true
}

// latinLetters is a Latin word folded (digraphs, doubled letters once),
// vowels kept: the letters both keys are made of.
func latinLetters(w string) []byte {
	var b strings.Builder
	for i := 0; i < len(w); i++ {
		if i > 0 && w[i] == w[i-1] {
			continue
		}
		b.WriteByte(w[i])
	}
	f := latinFolds.Replace(b.String())
	var letters []byte
	for i := 0; i < len(f); i++ {
		c := f[i]
		switch {
		case c == 'G':
			letters = append(letters, 'g')
		case c == 'X':
			letters = append(letters, 'x')
		case c == 'H' || c == 'C':
			letters = append(letters, c)
		case c >= 'a' && c <= 'z':
			if len(letters) > 0 && letters[len(letters)-1] == c {
				continue // a doubled letter the folds made (Kaddour → kadur)
			}
			letters = append(letters, c)
		}
	}
	return letters
}

// skeleton is a word's consonants in one Latin alphabet: the part of a
// name both scripts and every transliteration write alike. Doubled
// letters count once; w and y count only at the start of a word (inside
// it they are mostly the long vowels u and i); a final h is dropped (the
// ta marbuta, and the h Latin spellings add or leave out: Fatmeh, Fatima).
func skeleton(w string) string {
	var letters []byte
	latin := isLatin(w)
	if latin {
		letters = latinLetters(w)
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

// vocal is a Latin word's letters with its vowels in three classes, for
// comparing two Latin spellings: a, i (i, and y after a vowel or between
// consonants) and u (u, o, and w after a vowel); e stays e, which Latin
// spellings write for both a and i (Mohamed, Hamed for Hamid). A final h
// is dropped, as in the skeleton.
func vocal(w string) string {
	letters := latinLetters(w)
	for len(letters) > 1 && letters[len(letters)-1] == 'h' {
		letters = letters[:len(letters)-1]
	}
	out := make([]byte, 0, len(letters))
	for i, c := range letters {
		prevVowel := i > 0 && isLatinVowel(letters[i-1])
		nextVowel := i+1 < len(letters) && isLatinVowel(letters[i+1])
		switch {
		case c == 'o':
			c = 'u'
		case c == 'y' && i > 0 && (prevVowel || !nextVowel):
			c = 'i'
		case c == 'w' && prevVowel && !nextVowel:
			c = 'u'
		}
		if len(out) > 0 && out[len(out)-1] == c {
			continue
		}
		out = append(out, c)
	}
	return string(out)
}

// arabicFull is an Arabic word's letters with its long vowels (ا و ي),
// for comparing two Arabic spellings, which write the same name with the
// same letters: سليم and سالم have one skeleton but are two names. Hamza
// seats are already folded; a final alef maqsura or ya is Y (either:
// lists write one for the other), a final ha or ta marbuta is h.
func arabicFull(w string) string {
	var out []byte
	last := len(w) - utf8.RuneLen(lastRune(w))
	for i, r := range w {
		c, ok := arabicLetters[r]
		switch {
		case !ok:
			continue
		case r == 'ى' || (r == 'ي' || r == 'ی') && i == last:
			c = 'Y'
		case r == 'ا' || r == 'ٱ':
			c = 'a'
		case r == 'ع':
			c = 'E'
		case r == 'ء':
			continue
		case c == 'w':
			c = 'u'
		case c == 'y':
			c = 'i'
		}
		out = append(out, c)
	}
	return string(out)
}

// subCost is what replacing one letter by another costs in a comparison.
// C (a Latin c) is k, s or j; H (a Cyrillic х) is h or kh; a Latin h for
// kha (Turkish Halid, Hatip) costs a quarter; so does t for d (the
// Turkish final t: Sait, Hamit); e is a or i; a final ى or ي (Y) is either.
// The costs are in edits: a whole letter costs 1. Other letters are the same or not.
func subCost(a, b byte) float64 {
	if a == b {
		return 0
	}
	if a > b {
		a, b = b, a
	}
	switch {
	case a == 'C' && (b == 'k' || b == 's' || b == 'j'):
		return 0
	case a == 'H' && (b == 'h' || b == 'x'):
		return 0
	case a == 'h' && b == 'x', a == 'd' && b == 't':
		return 0.25
	case a == 'Y' && (b == 'a' || b == 'i'):
		return 0 // a final ى or ي: written for each other (مصطفى, مصطفي)
	case a == 'a' && b == 'e', a == 'e' && b == 'i':
		return 0
	case isVowelClass(a) && isVowelClass(b):
		return 1
	}
	return 1
}

func isVowelClass(c byte) bool { return strings.IndexByte("aeiu", c) >= 0 }

// indelCost is what adding or leaving out a letter costs: half for a
// Latin vowel (Hamwi, Hamawi; Fatme, Fatima), one for anything else. Two
// letters swapped (a typing slip: Abdulkraim) cost half.
func indelCost(c byte, vowelsCheap bool) float64 {
	if vowelsCheap && isVowelClass(c) {
		return 0.5
	}
	return 1
}

// distance is the weighted edit distance between two keys (with adjacent
// letters swapped as one edit).
func distance(a, b string, vowelsCheap bool) float64 {
	pprev := make([]float64, len(b)+1)
	prev := make([]float64, len(b)+1)
	cur := make([]float64, len(b)+1)
	for j := 1; j <= len(b); j++ {
		prev[j] = prev[j-1] + indelCost(b[j-1], vowelsCheap)
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = prev[0] + indelCost(a[i-1], vowelsCheap)
		for j := 1; j <= len(b); j++ {
			cur[j] = min(prev[j]+indelCost(a[i-1], vowelsCheap), cur[j-1]+indelCost(b[j-1], vowelsCheap), prev[j-1]+subCost(a[i-1], b[j-1]))
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] && a[i-1] != a[i-2] {
				cur[j] = min(cur[j], pprev[j-2]+0.5)
			}
		}
		pprev, prev, cur = prev, cur, pprev
	}
	return prev[len(b)]
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}
