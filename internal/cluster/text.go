package cluster

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/truce-monitor/truce/internal/gazetteer"
)

// Text signatures. Two reports of one event from different outlets, in
// different languages, share little wording; what they share are
// numbers (the dead, the wounded, the shells) and names (the town, the
// sides), written in several scripts and transliterations. A report's
// signature is therefore the set of its numbers and of its words reduced
// to a transliteration-independent consonant skeleton, the same for
// Arabic script and Latin: "Douma", "Duma" and "دوما" are all "dm",
// "Deir ez-Zor" and "دير الزور" are "dr zr", "٤" is "4". A number is worth
// numberWeight words. The signature is a sorted set of hashes, so that
// comparing two costs one merge of short lists.

// numberWeight is how many words a shared number is worth: "27 killed"
// says more about which event than any one word.
const numberWeight = 3

// minFeatures is the least weight a signature needs for its text to be
// judged at all: a headline of one or two words ("Airwars assessment")
// says too little to keep two reports apart.
const minFeatures = 3

// Signature is a report's or an incident's text signature: hashed
// features, sorted and distinct; a number's hash has its lowest bit set,
// a word's clear.
type Signature []uint64

// Weight is the sum of the weights of a signature's features.
func (s Signature) Weight() int {
	w := 0
	for _, h := range s {
		w += weight(h)
	}
	return w
}

func weight(h uint64) int {
	if h&1 == 1 {
		return numberWeight
	}
	return 1
}

// Sign makes the text signature of a text in any script.
func Sign(text string) Signature {
	if text == "" {
		return nil
	}
	var out Signature
	var buf []byte
	folded := gazetteer.Fold(normaliseDigits(text))
	for _, w := range strings.FieldsFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if n, ok := number(w); ok {
			if n != "" {
				out = append(out, hash('n', n)|1)
			}
			continue
		}
		if stopWords[w] {
			continue
		}
		if buf = skeleton(buf[:0], w); len(buf) >= 2 {
			out = append(out, hash('w', buf)&^1)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// hash is FNV-1a of a kind byte and a feature.
func hash[S string | []byte](kind byte, s S) uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	h = (h ^ uint64(kind)) * prime
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * prime
	}
	return h
}

// normaliseDigits writes Arabic-Indic and Persian digits as ASCII.
func normaliseDigits(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return (r >= '٠' && r <= '٩') || (r >= '۰' && r <= '۹') }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '٠' && r <= '٩':
			return '0' + r - '٠'
		case r >= '۰' && r <= '۹':
			return '0' + r - '۰'
		}
		return r
	}, s)
}

// number reads a token as a number: digits, an ordinal (15th), or a
// number word of English or Arabic up to twelve. Years (1900–2099) are
// numbers that say nothing about the event (every report of a month
// shares them) and come back empty. ok is false for any other word.
func number(w string) (n string, ok bool) {
	if v, ok := numberWords[w]; ok {
		return v, true
	}
	i := 0
	for i < len(w) && w[i] >= '0' && w[i] <= '9' {
		i++
	}
	if i == 0 {
		if strings.ContainsFunc(w, func(r rune) bool { return r >= '0' && r <= '9' }) {
			return w, true // s1061, rs3182: a code, as strong as a number
		}
		return "", false
	}
	switch w[i:] {
	case "", "st", "nd", "rd", "th":
	default:
		return w, true // 7km: a number with its unit
	}
	d := strings.TrimLeft(w[:i], "0")
	if d == "" {
		d = "0"
	}
	if len(d) == 4 && (d[:2] == "19" || d[:2] == "20") {
		return "", true
	}
	return d, true
}

var numberWords = map[string]string{
	"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
	"nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
	// Arabic, folded (ة as ه, أ as ا).
	"واحد": "1", "اثنان": "2", "اثنين": "2", "ثلاثه": "3", "ثلاث": "3", "اربعه": "4", "اربع": "4", "خمسه": "5",
	"خمس": "5", "سته": "6", "ست": "6", "سبعه": "7", "سبع": "7", "ثمانيه": "8", "ثماني": "8", "تسعه": "9",
	"تسع": "9", "عشره": "10", "عشر": "10",
}

// stopWords carry nothing about which event a text is about: function
// words of English and Arabic (folded, without the article), and words
// of reporting.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`the and for with from into after before near over under during while since
		on in of by at to a an as or but not no than then also more most some any all other
		was were is are be being been has have had will would can could may might its it their his her they them this that these those
		who which what when where there here about against between amid among
		reported report reports reporting according sources source local said says say news update today yesterday
		في من على الى إلى عن مع بعد قبل خلال عند حتى منذ بين ضد او أو و ثم قد لقد كان كانت هذا هذه ذلك تلك التي الذي الذين
		انه ان أن إن وفق وفقا حسب مصادر مصدر محليه قال قالت اليوم امس`) {
		m[gazetteer.Fold(w)] = true
	}
	return m
}()

// arabicLatin writes an Arabic letter as the consonant transliterations
// use for it; long vowels and the weak letters (alif, waw, ya) and the
// glottal stops go, as vowels do in skeleton.
var arabicLatin = map[rune]byte{
	'ب': 'b', 'ت': 't', 'ث': 't', 'ج': 'j', 'ح': 'h', 'خ': 'k', 'د': 'd', 'ذ': 'd', 'ر': 'r', 'ز': 'z',
	'س': 's', 'ش': 's', 'ص': 's', 'ض': 'd', 'ط': 't', 'ظ': 'z', 'غ': 'g', 'ف': 'f', 'ق': 'k', 'ك': 'k',
	'ل': 'l', 'م': 'm', 'ن': 'n', 'ه': 'h', 'ة': 'h', 'پ': 'b', 'چ': 'j', 'گ': 'g', 'ژ': 'z', 'ڤ': 'f',
}

// skeleton appends to dst a folded word reduced to its consonants, as an
// Arabic writer would spell it without vowels: no vowels, no w or y (long
// vowels in Arabic, diphthongs in transliteration), one letter for the
// digraphs of one Arabic consonant (kh, gh, dh, th, sh) and for letters
// spelled alike (q, c, k), doubled letters once, a final h after a vowel
// dropped (the ta marbuta). English words lose their inflection first
// (shelling, shells, shelled: shell).
func skeleton(dst []byte, w string) []byte {
	put := func(c byte) {
		if len(dst) == 0 || dst[len(dst)-1] != c {
			dst = append(dst, c)
		}
	}
	if !isLatin(w) {
		last := len(w) - 1
		for i, r := range w {
			if (r == 'ه' || r == 'ة') && i+utf8.RuneLen(r) > last {
				continue // the ta marbuta, or a final h as Latin drops it
			}
			if c, ok := arabicLatin[r]; ok {
				put(c)
			} else if r >= 'b' && r <= 'z' && !isVowel(byte(r)) {
				put(byte(r)) // a Latin letter in a mixed word
			}
		}
		return dst
	}
	w = stem(w)
	if n := len(w); n > 2 && w[n-1] == 'h' && isVowel(w[n-2]) {
		w = w[:n-1] // the ta marbuta: Hamah = Hama
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if i+1 < len(w) && w[i+1] == 'h' && strings.IndexByte("kgdtscp", c) >= 0 {
			i++
			switch c {
			case 'c':
				c = 's'
			case 'p':
				c = 'f'
			}
			put(c)
			continue
		}
		switch {
		case c == 'q' || c == 'c':
			put('k')
		case c == 'x':
			put('k')
			put('s')
		case c >= 'a' && c <= 'z' && !isVowel(c):
			put(c)
		}
	}
	return dst
}

// isVowel: vowels, and w and y, which write long vowels and diphthongs.
func isVowel(c byte) bool { return strings.IndexByte("aeiouwy", c) >= 0 }

func isLatin(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] >= 0x80 {
			return false
		}
	}
	return true
}

// stem takes the commonest English inflections off a word of more than
// four letters.
func stem(w string) string {
	for _, suf := range [...]string{"ing", "ies", "ed", "es", "s"} {
		if len(w) > len(suf)+3 && strings.HasSuffix(w, suf) {
			return w[:len(w)-len(suf)] // casualties: casualt, as casualty
		}
	}
	return w
}

// TextSimilarity is the weighted overlap of two signatures: the weight of
// the features they share over the weight of the lighter one, from 0 to
// 1. It is -1 when either says too little to judge (less than
// minFeatures): no text is no evidence either way.
func TextSimilarity(a, b Signature) float64 {
	wa, wb := a.Weight(), b.Weight()
	if wa < minFeatures || wb < minFeatures {
		return -1
	}
	common := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			common += weight(a[i])
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(common) / float64(min(wa, wb))
}
