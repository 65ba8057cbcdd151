package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// tokenKind is what a token is.
type tokenKind uint8

const (
	word   tokenKind = iota // letters (and digits after a letter: "S792a")
	number                  // digits of any script, with thousands separators
	punct                   // one punctuation mark
	suffix                  // a Turkish case suffix after an apostrophe, or the English possessive 's
)

// token flags.
const (
	fCap     = 1 << iota // the first letter is upper case
	fUpper               // every letter is upper case (and there are at least two)
	fArabic              // Arabic script
	fCyr                 // Cyrillic script
	fBound               // punctuation ending a sentence or clause
	fJoined              // no space between this token and the previous one
	fOrdinal             // a number written with an ordinal suffix attached (7th)
	fGrouped             // a number written with thousands separators (1,500)
)

// A token is a word, number or punctuation mark of the text, with its byte
// span in the original text and its normalised form. Matching is done on
// the normalised forms; facts are reported on the original bytes.
type token struct {
	start, end int
	norm       string
	// alt are other forms the token may be matched under: an Arabic word
	// without the conjunction and prepositions written joined to it
	// (وقوات → قوات, بمدينة → مدينة, للنظام → النظام).
	alt   [3]string
	kind  tokenKind
	flags uint8
	num   int // the value of a number
}

func (t *token) is(f uint8) bool { return t.flags&f != 0 }

// matchable reports whether phrase matching reads the token: hyphens and
// suffixes are looked through ("pro-government" = "pro government",
// "Assad's forces" = "Assad forces").
func (t *token) skip() bool {
	return t.kind == suffix || (t.kind == punct && t.norm == "-")
}

// tokenize splits text into tokens in one pass. lang decides how an
// apostrophe is read: in Turkish it separates a proper name from its case
// suffix (Halep'te); in English "'s" is split off as a possessive; elsewhere
// an apostrophe inside a word is part of it (Dar'a, Ma'arrat).
func tokenize(text, lang string, buf []token) []token {
	toks := buf[:0]
	i := 0
	prevEnd := -1
	var nb []byte // scratch for normalised forms
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case unicode.IsSpace(r) || r == zwnj || r == '\u200f' || r == '\u200e' || r == '\u00a0' || r == '\ufeff':
			if r == '\n' && len(toks) > 0 && toks[len(toks)-1].kind != punct {
				toks = append(toks, token{start: i, end: i + size, norm: "\n", kind: punct, flags: fBound})
				prevEnd = i + size
			}
			i += size
			continue
		case isDigit(r):
			t, n := readNumber(text, i)
			if i == prevEnd {
				t.flags |= fJoined
			}
			toks = append(toks, t)
			i += n
			prevEnd = i
			// An ordinal suffix attached to the number: 7th, 1st, 22nd, 3rd.
			if j, ok := ordinalSuffix(text, i); ok {
				toks[len(toks)-1].flags |= fOrdinal
				toks[len(toks)-1].end = j
				i, prevEnd = j, j
			}
			continue
		case isLetter(r):
			start := i
			j := i
			for j < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				if isLetter(r2) || isMark(r2) || (isDigit(r2) && j > start) {
					j += s2
					continue
				}
				// An apostrophe between letters.
				if isApostrophe(r2) && j+s2 < len(text) {
					r3, _ := utf8.DecodeRuneInString(text[j+s2:])
					if isLetter(r3) {
						if lang == "tr" {
							break // Halep'te: the name ends here
						}
						if lang == "en" && (r3 == 's' || r3 == 'S') {
							end := j + s2 + 1
							if end >= len(text) || !isLetterAt(text, end) {
								break // Syria's: the possessive is a token of its own
							}
						}
						j += s2
						continue
					}
				}
				break
			}
			t := token{start: start, end: j, kind: word}
			if start == prevEnd {
				t.flags |= fJoined
			}
			// A Turkish suffix or English possessive after an apostrophe.
			if len(toks) > 0 && start == prevEnd && toks[len(toks)-1].kind == punct && toks[len(toks)-1].norm == "'" {
				prev := toks[len(toks)-1]
				if len(toks) > 1 && toks[len(toks)-2].end == prev.start && toks[len(toks)-2].kind == word {
					toks = toks[:len(toks)-1]
					t.start = prev.start
					t.kind = suffix
				}
			}
			nb = normalizeWord(text[start:j], &t, nb[:0])
			toks = append(toks, t)
			i = j
			prevEnd = i
			continue
		default:
			t := token{start: i, end: i + size, kind: punct}
			if i == prevEnd {
				t.flags |= fJoined
			}
			switch r {
			case '.', '!', '?', ';', '؟', '؛', '…', '|':
				t.flags |= fBound
			}
			switch r {
			case '–', '—', '‐', '‑', '−', '-':
				t.norm = "-"
			case '’', '‘', '`', 'ʿ', 'ʾ', '\'', '´':
				t.norm = "'"
			case '،':
				t.norm = ","
			case '؛':
				t.norm = ";"
			case '؟':
				t.norm = "?"
			default:
				t.norm = text[i : i+size]
			}
			toks = append(toks, t)
			i += size
			prevEnd = i
		}
	}
	// A full stop after a single letter (U.S.) or between digits (07.12.2016)
	// does not end a sentence; after an abbreviation of a month neither.
	for k := range toks {
		t := &toks[k]
		if t.kind != punct || t.norm != "." {
			continue
		}
		if k > 0 && k+1 < len(toks) && toks[k-1].kind == number && toks[k+1].kind == number && toks[k+1].is(fJoined) && t.is(fJoined) {
			t.flags &^= fBound
		}
		if k > 0 && toks[k-1].kind == word && utf8.RuneCountInString(toks[k-1].norm) == 1 && t.is(fJoined) {
			t.flags &^= fBound
		}
		if k > 0 && toks[k-1].kind == word && t.is(fJoined) && abbreviation(toks[k-1].norm) {
			t.flags &^= fBound
		}
	}
	return toks
}

// abbreviation reports whether a word followed by a full stop is a common
// abbreviation, after which a sentence goes on.
func abbreviation(w string) bool {
	switch w {
	case "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
		"mr", "mrs", "dr", "gen", "col", "lt", "st", "no", "vs", "etc", "approx", "al":
		return true
	}
	return false
}

const zwnj = '\u200c'

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', '‘', '`', 'ʿ', 'ʾ', '´':
		return true
	}
	return false
}

func isLetterAt(text string, i int) bool {
	r, _ := utf8.DecodeRuneInString(text[i:])
	return isLetter(r)
}

// isLetter: letters of any script, and the tatweel, which Arabic writers
// use to stretch words.
func isLetter(r rune) bool {
	if r < 0x80 {
		return (r|0x20) >= 'a' && (r|0x20) <= 'z'
	}
	return unicode.IsLetter(r) || r == 'ـ'
}

// isMark: combining marks (Arabic harakat, Latin accents in decomposed
// form), which belong to the letter before.
func isMark(r rune) bool {
	return r >= 0x300 && unicode.Is(unicode.Mn, r)
}

// isDigit: ASCII, Arabic-Indic and Extended Arabic-Indic (Persian) digits.
func isDigit(r rune) bool {
	return (r >= '0' && r <= '9') || (r >= '٠' && r <= '٩') || (r >= '۰' && r <= '۹')
}

func digitValue(r rune) int {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0')
	case r >= '٠' && r <= '٩':
		return int(r - '٠')
	case r >= '۰' && r <= '۹':
		return int(r - '۰')
	}
	return -1
}

// readNumber reads digits from text[i:], with thousands separators
// (1,500 or ١٬٥٠٠) where exactly three digits follow each. The token's
// norm is the number in ASCII digits.
func readNumber(text string, i int) (token, int) {
	j := i
	v, digits, group := 0, 0, 0
	grouped := false
	var nb []byte
	for j < len(text) {
		r, s := utf8.DecodeRuneInString(text[j:])
		if d := digitValue(r); d >= 0 {
			if digits < 9 {
				v = v*10 + d
			}
			digits++
			group++
			nb = append(nb, byte('0'+d))
			j += s
			continue
		}
		if (r == ',' || r == '٬') && group > 0 && ((grouped && group == 3) || (!grouped && group <= 3)) && threeDigits(text, j+s) {
			grouped = true
			group = 0
			j += s
			continue
		}
		break
	}
	t := token{start: i, end: j, kind: number, num: v, norm: string(nb)}
	if grouped {
		t.flags |= fGrouped
	}
	if digits > 9 {
		t.num = -1
	}
	return t, j - i
}

// threeDigits reports whether exactly three digits start at text[i:].
func threeDigits(text string, i int) bool {
	n := 0
	for i < len(text) {
		r, s := utf8.DecodeRuneInString(text[i:])
		if digitValue(r) < 0 {
			break
		}
		n++
		i += s
	}
	return n == 3
}

// ordinalSuffix reads "st", "nd", "rd" or "th" written on a number, if a
// non-letter follows it.
func ordinalSuffix(text string, i int) (int, bool) {
	if i+2 > len(text) {
		return i, false
	}
	s := strings.ToLower(text[i : i+2])
	switch s {
	case "st", "nd", "rd", "th":
	default:
		return i, false
	}
	if i+2 < len(text) && isLetterAt(text, i+2) {
		return i, false
	}
	return i + 2, true
}

// arabicFold unifies the letter variants Arabic and Persian writers use
// interchangeably. Harakat are dropped as combining marks.
func arabicFoldRune(r rune) (rune, bool) {
	switch r {
	case 'أ', 'إ', 'آ', 'ٱ':
		return 'ا', true
	case 'ى', 'ی', 'ئ', 'ې':
		return 'ي', true
	case 'ة':
		return 'ه', true
	case 'ؤ':
		return 'و', true
	case 'ک':
		return 'ك', true
	case 'ـ':
		return 0, false
	}
	return r, true
}

// latinFold folds Latin letters with diacritics to their base letter, and
// Turkish dotless i, so that "Şam", "Sam", "İdlib" and "Idlib" meet.
func latinFold(r rune) rune {
	switch r {
	case 'ı', 'İ', 'í', 'ì', 'î', 'ï', 'ī':
		return 'i'
	case 'ş', 'ș', 'š', 'ś':
		return 's'
	case 'ğ', 'ǧ':
		return 'g'
	case 'ç', 'ć', 'č':
		return 'c'
	case 'ö', 'ó', 'ò', 'ô', 'õ', 'ō':
		return 'o'
	case 'ü', 'ú', 'ù', 'û', 'ū':
		return 'u'
	case 'á', 'à', 'â', 'ä', 'ã', 'ā', 'å':
		return 'a'
	case 'é', 'è', 'ê', 'ë', 'ē':
		return 'e'
	case 'ḩ', 'ḥ':
		return 'h'
	case 'ṭ':
		return 't'
	case 'ṣ':
		return 's'
	case 'ḍ':
		return 'd'
	case 'ẓ':
		return 'z'
	case 'ñ':
		return 'n'
	case 'ё':
		return 'е'
	}
	if r >= 0xC0 && r < 0x250 {
		// Any other accented Latin letter: its base letter.
		d := norm.NFD.String(string(r))
		if b, _ := utf8.DecodeRuneInString(d); b < 0x80 {
			return b
		}
	}
	return r
}

// normalizeWord sets t.norm (and t.alt and the flags) from the word w:
// lower case, Latin diacritics and Turkish dotless i folded, Arabic harakat
// and tatweel dropped and letter variants unified, apostrophes dropped.
// scratch is a buffer it may use; it is returned for reuse.
func normalizeWord(w string, t *token, scratch []byte) []byte {
	ascii := true
	lowerASCII := true
	letters, uppers := 0, 0
	for k := 0; k < len(w); k++ {
		c := w[k]
		if c >= 0x80 {
			ascii = false
			break
		}
		if c >= 'A' && c <= 'Z' {
			lowerASCII = false
			uppers++
		}
		if c == '\'' {
			lowerASCII = false
		}
		if (c|0x20) >= 'a' && (c|0x20) <= 'z' {
			letters++
		}
	}
	if ascii {
		if len(w) > 0 && w[0] >= 'A' && w[0] <= 'Z' {
			t.flags |= fCap
		}
		if uppers == letters && letters >= 2 {
			t.flags |= fUpper
		}
		if lowerASCII {
			t.norm = w
			return scratch
		}
		b := scratch[:0]
		for k := 0; k < len(w); k++ {
			c := w[k]
			if c == '\'' {
				continue
			}
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
		}
		t.norm = string(b)
		return b
	}
	b := scratch[:0]
	first := true
	letters, uppers = 0, 0
	for _, r := range w {
		if isMark(r) || isApostrophe(r) {
			continue
		}
		if first {
			first = false
			if unicode.IsUpper(r) {
				t.flags |= fCap
			}
		}
		switch {
		case r >= 0x600 && r <= 0x6FF || r >= 0x750 && r <= 0x77F || r >= 0xFB50 && r <= 0xFEFF:
			t.flags |= fArabic
			f, keep := arabicFoldRune(r)
			if !keep {
				continue
			}
			if f >= 0xFB50 { // presentation forms: their compatibility decomposition
				b = append(b, norm.NFKC.String(string(f))...)
				continue
			}
			b = utf8.AppendRune(b, f)
			continue
		case r >= 0x400 && r <= 0x4FF:
			t.flags |= fCyr
		}
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				uppers++
			}
		}
		b = utf8.AppendRune(b, latinFold(unicode.ToLower(r)))
	}
	if uppers == letters && letters >= 2 {
		t.flags |= fUpper
	}
	t.norm = string(b)
	if t.is(fArabic) {
		t.alt = arabicAlternatives(t.norm)
	}
	return b
}

// arabicAlternatives are the forms of an Arabic word without the particles
// written joined to it: the conjunctions و and ف, then the prepositions ب,
// ل and ك (لل before the article is ل + ال); and without the alef of the
// accusative ending (هجوماً → هجوم, حصاراً → حصار).
func arabicAlternatives(w string) [3]string {
	var alt [3]string
	n := 0
	rest := w
	if r, s := utf8.DecodeRuneInString(rest); (r == 'و' || r == 'ف') && utf8.RuneCountInString(rest) > 3 {
		rest = rest[s:]
		alt[n] = rest
		n++
	}
	if r, s := utf8.DecodeRuneInString(rest); (r == 'ب' || r == 'ل' || r == 'ك') && utf8.RuneCountInString(rest) > 3 {
		stripped := rest[s:]
		if r == 'ل' && strings.HasPrefix(stripped, "ل") {
			stripped = "ا" + stripped // للنظام → النظام
		}
		alt[n] = stripped
		n++
	}
	if strings.HasSuffix(w, "ا") && utf8.RuneCountInString(w) > 3 && n < 3 {
		alt[n] = strings.TrimSuffix(w, "ا")
	}
	return alt
}

// phraseTokens splits a lexicon phrase into the normalised forms its
// tokens are matched on, skipping what matching looks through. A final *
// on a word makes it a prefix ("airstrike*").
func phraseTokens(phrase, lang string) []string {
	star := map[int]bool{}
	clean := phrase
	if strings.Contains(phrase, "*") {
		clean = strings.ReplaceAll(phrase, "*", "")
	}
	toks := tokenize(clean, lang, nil)
	// Stars mark the word they end: find them by position in the phrase.
	if clean != phrase {
		removed := 0
		for k := 0; k < len(phrase); k++ {
			if phrase[k] == '*' {
				pos := k - removed // end of the word in clean
				for ti, t := range toks {
					if t.end == pos {
						star[ti] = true
					}
				}
				removed++
			}
		}
	}
	var out []string
	for ti, t := range toks {
		if t.skip() {
			continue
		}
		n := t.norm
		if star[ti] {
			n += "*"
		}
		out = append(out, n)
	}
	return out
}
