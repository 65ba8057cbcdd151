package gazetteer

import (
	"strings"
	"unicode"

	"github.com/truce-monitor/truce/internal/marks"
)

// articles are the forms of the Arabic article "al-" as transliterations
// write it, assimilated or not; they are dropped from names because
// sources use them inconsistently ("Al-Hasakeh", "Hasakah").
func isArticle(tok string) bool {
	switch tok {
	case "al", "el", "il", "ad", "ar", "as", "ash", "az", "at", "an", "ed", "er", "es", "ez", "et", "en", "ال":
		return true
	}
	return false
}

// arabicFold unifies letter variants writers use interchangeably and
// drops tatweel (harakat go with the combining marks).
var arabicFold = strings.NewReplacer(
	"أ", "ا", "إ", "ا", "آ", "ا", "ٱ", "ا",
	"ى", "ي", "ی", "ي", "ئ", "ي",
	"ة", "ه", "ؤ", "و", "ک", "ك",
	"ـ", "",
)

// Fold reduces a name to the key it is matched on: no diacritics, case,
// apostrophes or hamza marks; hyphens and dots as spaces; Arabic letter
// variants unified; and the article dropped wherever it stands, as in
// "Deir ez-Zor" → "deir zor" and "دير الزور" → "دير زور".
func Fold(s string) string {
	out := arabicFold.Replace(strings.ToLower(marks.Strip(s)))
	var b strings.Builder
	for _, r := range out {
		switch {
		case strings.ContainsRune("'’‘`ʿʾ\"“”«»()", r):
		case r == '-' || r == '_' || r == '.' || r == ',' || r == '/' || unicode.IsSpace(r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	toks := strings.Fields(b.String())
	kept := toks[:0]
	for i, tok := range toks {
		if isArticle(tok) && i < len(toks)-1 {
			continue
		}
		// Arabic writes the article joined to the word: الرقة.
		if rest, ok := strings.CutPrefix(tok, "ال"); ok && len([]rune(rest)) >= 2 {
			tok = rest
		}
		// Transliterations join an assimilated article too: "Arraqqa",
		// "Ezzor". Only a doubled consonant marks it, so "Arbin" stays.
		if len(tok) > 4 && (tok[0] == 'a' || tok[0] == 'e') && tok[1] == tok[2] && strings.IndexByte("dtsznrl", tok[1]) >= 0 {
			tok = tok[2:]
		}
		kept = append(kept, tok)
	}
	return strings.Join(kept, " ")
}

// latinFold are transliteration choices that do not change the sound:
// digraphs for one Arabic letter, and vowel spellings.
var latinFold = strings.NewReplacer("kh", "k", "gh", "g", "dh", "d", "th", "t", "sh", "s", "ch", "s", "ph", "f", "q", "k", "ou", "u", "oo", "u", "ee", "i")

// Vowels reduces a folded name to a form that ignores how its vowels are
// written and doubled letters, but keeps every consonant: Jobar = Jowbar,
// Idlib = Idleb, Raqqah = Raqqa, but Saqba ≠ Shakhba.
func Vowels(folded string) string {
	toks := strings.Fields(folded)
	for i, tok := range toks {
		toks[i] = vowelWord(tok)
	}
	return strings.Join(toks, " ")
}

var vowelFold = strings.NewReplacer("ou", "u", "oo", "u", "ee", "i")

func vowelWord(w string) string {
	if w == "" || w[0] >= 0x80 {
		return w
	}
	w = vowelFold.Replace(w)
	// The diphthong ay before a consonant or at the end is written ei
	// too: Shaykh = Sheikh. Before a vowel y is a consonant: Daraya.
	var b []byte
	for i := 0; i < len(w); i++ {
		if w[i] == 'a' && i+1 < len(w) && w[i+1] == 'y' && (i+2 == len(w) || strings.IndexByte("aeiouy", w[i+2]) < 0) {
			b = append(b, 'e', 'i')
			i++
			continue
		}
		b = append(b, w[i])
	}
	return squeeze(string(b))
}

// squeezeFold spells vowels alike (see squeeze). It is built once: a
// Replacer is costly to build and is safe for concurrent use.
var squeezeFold = strings.NewReplacer("ow", "u", "aw", "u", "ei", "i", "ey", "i", "e", "i", "o", "u")

// squeeze spells vowels alike, drops doubled letters and a final h after
// a vowel (the ta marbuta).
func squeeze(r string) string {
	r = squeezeFold.Replace(r)
	var b []byte
	for i := 0; i < len(r); i++ {
		if len(b) > 0 && b[len(b)-1] == r[i] {
			continue
		}
		b = append(b, r[i])
	}
	if n := len(b); n > 2 && b[n-1] == 'h' && strings.IndexByte("aiu", b[n-2]) >= 0 {
		b = b[:n-1]
	}
	return string(b)
}

// Spelling reduces a folded name to a spelling-independent form that
// keeps its vowels: Douma = Duma, Jobar = Jowbar, Idlib = Idleb,
// Raqqah = Raqqa. It sits between Fold and the looser Sound.
func Spelling(folded string) string {
	toks := strings.Fields(folded)
	for i, tok := range toks {
		toks[i] = spellWord(tok)
	}
	return strings.Join(toks, " ")
}

func spellWord(w string) string {
	if w == "" || w[0] >= 0x80 {
		return w
	}
	return squeeze(latinFold.Replace(w))
}

// Sound reduces a folded name further, to how it sounds, so that
// transliterations of one Arabic name meet: Dayr az Zawr/Deir ez-Zor,
// Qamishli/Kamishli, Daraya/Dariya. Every run of vowels becomes one "a"
// but is kept as a slot: a bare consonant skeleton would make Duma meet
// Damascus ("dm…") and Izra meet Deir ez-Zor ("zr"), while a vowel
// count per syllable keeps distinct towns apart. It is looser than
// Spelling, so truce consults it only when the tighter keys find nothing,
// and then offers what it finds as candidates.
func Sound(folded string) string {
	toks := strings.Fields(folded)
	for i, tok := range toks {
		toks[i] = soundWord(tok)
	}
	return strings.Join(toks, " ")
}

func soundWord(w string) string {
	if w == "" || w[0] >= 0x80 {
		return w // Arabic script is matched by Fold alone
	}
	r := strings.ReplaceAll(latinFold.Replace(w), "c", "k")
	vowel := func(c byte) bool { return strings.IndexByte("aeiou", c) >= 0 }
	var b []byte
	for i := 0; i < len(r); i++ {
		c := r[i]
		// A diphthong before a consonant or at the end is one vowel
		// sound: dayr = deir, zawr = zor. Before a vowel, y and w are
		// consonants: daraya = dariya.
		if (c == 'y' || c == 'w') && i > 0 && vowel(r[i-1]) && (i+1 == len(r) || !vowel(r[i+1])) {
			c = 'a'
		}
		if vowel(c) {
			c = 'a' // Idlib = Edleb, Hasakah = Hasakeh
		}
		if len(b) > 0 && b[len(b)-1] == c {
			continue // doubled consonants and vowel runs: Darayya = Daraya
		}
		b = append(b, c)
	}
	// A final h after a vowel is the ta marbuta: Hamah = Hama.
	if n := len(b); n > 2 && b[n-1] == 'h' && b[n-2] == 'a' {
		b = b[:n-1]
	}
	return string(b)
}
