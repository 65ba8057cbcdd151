// Package names matches people's names across lists and scripts: the
// lists of detainees one side holds and the other seeks are written by
// different hands, in Arabic script or in one of several Latin
// transliterations (Mohammad, Muhammad, Mohamed; al-, el-; ou for u),
// with or without the father's name, with a date of birth or a place or
// neither. Compare says how alike two people's records are, with a score
// and the reasons a reviewer reads; it never decides that two records are
// one person: a reviewer does (internal/app DecideMatch).
//
// How it reads a name: Cyrillic is first written in Latin letters
// (Мухаммед, аль-Хатиб) and the Turkish ı as i. Each element of the name
// is then folded to a key: a word, or a compound read as one (Abd al-X,
// Abdel X, Abdul X, Abu X; X al-Din, Salaheddine, Selahattin). A word
// found in the table of common variants (variants.go) becomes that name's
// one canonical form, so that Mohamed and محمد agree and Mahmoud does not
// (both have the consonants m-h-m-d, which is why the table exists); an
// Abd compound's second element is looked up among the names of God
// (Rahman is not Rahim). Any other word becomes its consonant skeleton in
// one Latin alphabet: Arabic letters are transliterated, Latin digraphs
// folded (kh, sh, th, dh, gh, ou), doubled letters collapsed, vowels
// dropped, since Arabic writes no short vowels and transliterators
// disagree on them. Two spellings in one script also compare what the
// skeleton drops: two Latin spellings their vowels in classes (o is u, e
// is a or i, but a is not i: Khatib, Khattab), two Arabic spellings their
// long vowels (سليم, سالم). A final -a or ة on one side only makes a
// woman's and a man's name (Amina, Amin). Articles (al-, el-, ad-, ال)
// are dropped, a glued one (Alhaj) tried both ways, and the word after
// bin, ibn, ben, bint, ould or walad is the father's. A name that shows
// its family name first (a comma, a first word in capitals or with the
// article) is also read in that order.
package names

import (
	"cmp"
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/truce-monitor/truce/internal/marks"
)

// DefaultThreshold is the score from which a pair is proposed to a
// reviewer. Its precision and recall on the evaluation set
// (testdata/pairs.tsv) are in docs/humanitarian.md and checked by
// TestEvaluation.
const DefaultThreshold = 0.72

// Weights of the parts of a name in the score, and what the supporting
// evidence adds or takes away. Named here so that docs/humanitarian.md can
// say what the score is made of.
const (
	weightGiven  = 0.35
	weightFamily = 0.45
	weightFather = 0.20

	bornSameDay    = 0.10 // the same full date of birth
	bornSameYear   = 0.05 // the same year
	bornApart      = 0.35 // taken off when the years differ by more than one
	placeSame      = 0.05
	placeDifferent = 0.05

	// familyApart is the family-name similarity below which two records
	// are not proposed whatever else agrees (Homsi and Hamwi, 0.67).
	familyApart = 0.7

	// givenApart is the given-name similarity below which a pair scores
	// at most 0.55 before the evidence: Bilal and Hilal (0.67) are two
	// names, not a slip.
	givenApart = 0.7

	// fatherApart is the similarity of the fathers' (or grandfathers')
	// names below which, when both records give one, the pair is capped at
	// fathersCap, below the threshold whatever the dates and places say.
	fatherApart = 0.7
	fathersCap  = 0.65
)

// Person is what a list says of one person. Name is the full name as
// written; Alt the same name in the other script, when the list gives
// both. Born is YYYY or YYYY-MM-DD.
type Person struct {
	Name   string
	Alt    string
	Father string
	Mother string
	Born   string
	Place  string
}

// Score is how alike two people's records are, from 0 to 1, and why.
type Score struct {
	Score   float64
	Reasons []string
}

// word is one element of a name, folded: a word, or a compound read as
// one (Abd al-Rahman, Abdelkader, عبد الرحمن; Abu Bakr; Salah al-Din,
// Salaheddine, Selahattin), whose second element (first, for al-Din) is
// then the name compared.
type word struct {
	text  string // as written (folded)
	kind  string // "" a plain word; "abd", "abu" or "din" for a compound
	key   string // consonant skeleton (of the canonical form, when known)
	full  string // the letters with the vowels: vocal (Latin) or arabicFull
	latin bool
	canon string // the canonical name, when the table knows the word
	end   byte   // the ending: 'A' a (a, ا, ى), 'T' ta marbuta, 'C' other, '?' unclear
	bare  *word  // the word without an article glued to it (Alhaj), if it may have one
}

// parsed is a name read into its parts.
type parsed struct {
	given  []word // the first element
	middle []word // between given and family: often the father's name
	family []word // the last element
	father []word // after bin/ibn/ben/bint
}

// reading is one way to read a name: as written, or with its first words
// taken as the family name (HAMWI Mohammad; Hamwi, Mohammad; الحموي محمد).
type reading struct {
	p   parsed
	why string
}

// Compare scores two people's records.
func Compare(a, b Person) Score {
	best := Score{Score: -1}
	for _, na := range nonEmpty(a.Name, a.Alt) {
		for _, ra := range readings(na) {
			for _, nb := range nonEmpty(b.Name, b.Alt) {
				for _, rb := range readings(nb) {
					s := compareNames(ra.p, rb.p, a, b)
					if ra.why != "" || rb.why != "" {
						s.Reasons = append(nonEmpty(ra.why, rb.why), s.Reasons...)
					}
					if s.Score > best.Score {
						best = s
					}
				}
			}
		}
	}
	if best.Score < 0 {
		return Score{Reasons: []string{"a name is missing"}}
	}
	return best
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

// readings are the name as written and, when the name shows the family
// name first, that order too: a comma (Hamwi, Mohammad), a first word in
// capitals before words that are not (HAMWI Mohammad Ahmad), or a first
// word with the article (Al-Sayed Layla, الحموي محمد أحمد). Both are tried
// and the better one kept, since an article also begins names such as
// الياس.
func readings(name string) []reading {
	out := []reading{{p: parse(name)}}
	if strings.ContainsFunc(name, func(r rune) bool { return r >= 0x400 && r <= 0x4ff }) {
		// Cyrillic is read in Latin letters: say so, since the reasons
		// quote the words as read.
		out[0].why = name + " read in Latin letters as " + strings.Join(strings.Fields(strings.ReplaceAll(fold(name), "H", "h")), " ")
	}
	if i := strings.IndexAny(name, ",،"); i > 0 {
		before, after := strings.TrimSpace(name[:i]), strings.TrimSpace(strings.TrimLeft(name[i:], ",،"))
		if before != "" && after != "" {
			return append(out, reading{parse(after + " " + before), strings.TrimPrefix(out[0].why+"; ", "; ") + "read with the family name first (" + before + ", before the comma)"})
		}
	}
	fields := strings.Fields(name)
	if len(fields) < 2 {
		return out
	}
	first, n := fields[0], 1
	lower := strings.ToLower(first)
	hasArticle := false
	switch {
	case (lower == "al" || lower == "el") && len(fields) > 2:
		first, n, hasArticle = fields[0]+" "+fields[1], 2, true
	case strings.HasPrefix(lower, "al-") || strings.HasPrefix(lower, "el-"):
		hasArticle = true
	case strings.HasPrefix(first, "ال") && utf8.RuneCountInString(first) > 3:
		hasArticle = true
	}
	rest := strings.Join(fields[n:], " ")
	capital := isCapitals(first) && !isCapitals(rest)
	if hasArticle || capital {
		out = append(out, reading{parse(rest + " " + first), strings.TrimPrefix(out[0].why+"; ", "; ") + "read with the family name first (" + first + ")"})
	}
	return out
}

// isCapitals says whether a word is written in Latin capitals (two
// letters or more, none small).
func isCapitals(s string) bool {
	n := 0
	for _, r := range s {
		switch {
		case unicode.IsLower(r):
			return false
		case unicode.IsUpper(r) && r < 0x250:
			n++
		}
	}
	return n >= 2
}

func compareNames(pa, pb parsed, a, b Person) Score {
	var reasons []string
	given, why := partSim(pa.given, pb.given)
	reasons = append(reasons, "given name: "+why)
	// A one-word name has no family name to compare: it is all given.
	var family float64
	if len(pa.family) > 0 && len(pb.family) > 0 {
		family, why = partSim(pa.family, pb.family)
		reasons = append(reasons, "family name: "+why)
	} else {
		family = 0.5
		reasons = append(reasons, "family name: missing on one side")
	}
	wGiven, wFamily := weightGiven, weightFamily
	total := given*wGiven + family*wFamily
	weight := wGiven + wFamily
	fa, fb := fatherOf(pa, a.Father), fatherOf(pb, b.Father)
	fathersDiffer := false
	if len(fa) > 0 && len(fb) > 0 {
		f, why := partSim(fa, fb)
		total += f * weightFather
		weight += weightFather
		reasons = append(reasons, "father's name: "+why)
		fathersDiffer = f < fatherApart
	} else if len(pa.middle) > 0 && len(pb.middle) > 0 {
		f, why := partSim(pa.middle, pb.middle)
		total += f * weightFather
		weight += weightFather
		reasons = append(reasons, "middle name: "+why)
	}
	// Given Father Grandfather Family on both sides: the grandfathers too.
	if a.Father == "" && b.Father == "" && len(pa.middle) >= 2 && len(pb.middle) >= 2 {
		g, why := partSim(pa.middle[1:2], pb.middle[1:2])
		reasons = append(reasons, "grandfather's name: "+why)
		fathersDiffer = fathersDiffer || g < fatherApart
	}
	score := total / weight
	// A family name that plainly differs outweighs everything else: the
	// same common given name is no evidence of one person.
	if len(pa.family) > 0 && len(pb.family) > 0 && family < familyApart {
		score = math.Min(score, 0.6)
	}
	if given < givenApart {
		score = math.Min(score, 0.55)
	}
	score, reasons = evidence(score, reasons, a, b)
	// Two fathers' names that differ make two people, whatever else
	// agrees: the same given and family name with the same birth year is
	// common among cousins.
	if fathersDiffer {
		score = math.Min(score, fathersCap)
		reasons = append(reasons, "the fathers' (or grandfathers') names differ: another person, however alike the rest")
	}
	return Score{Score: round(math.Max(0, math.Min(1, score))), Reasons: reasons}
}

// evidence adjusts a name score by the date of birth and the place.
func evidence(score float64, reasons []string, a, b Person) (float64, []string) {
	if a.Born != "" && b.Born != "" {
		ya, yb := year(a.Born), year(b.Born)
		switch {
		case a.Born == b.Born && len(a.Born) == 10:
			score += bornSameDay
			reasons = append(reasons, "born on the same day ("+a.Born+")")
		case ya != 0 && ya == yb:
			score += bornSameYear
			reasons = append(reasons, fmt.Sprintf("born the same year (%d)", ya))
		case ya != 0 && yb != 0 && (ya-yb > 1 || yb-ya > 1):
			score -= bornApart
			reasons = append(reasons, fmt.Sprintf("born years apart (%d, %d)", ya, yb))
		case ya != 0 && yb != 0:
			reasons = append(reasons, fmt.Sprintf("born a year apart (%d, %d): a slip either way", ya, yb))
		}
	} else {
		reasons = append(reasons, "no date of birth on one side")
	}
	if a.Place != "" && b.Place != "" {
		sa, sb := fold(a.Place), fold(b.Place)
		if similarity(skeletonAll(sa), skeletonAll(sb)) >= 0.8 {
			score += placeSame
			reasons = append(reasons, fmt.Sprintf("same place (%s, %s)", a.Place, b.Place))
		} else {
			score -= placeDifferent
			reasons = append(reasons, fmt.Sprintf("different places (%s, %s)", a.Place, b.Place))
		}
	}
	return score, reasons
}

func year(s string) int {
	if len(s) < 4 {
		return 0
	}
	y := 0
	for _, r := range s[:4] {
		if r < '0' || r > '9' {
			return 0
		}
		y = y*10 + int(r-'0')
	}
	return y
}

func round(f float64) float64 { return math.Round(f*100) / 100 }

func fatherOf(p parsed, explicit string) []word {
	if explicit != "" {
		return parse(explicit).all()
	}
	return p.father
}

func (p parsed) all() []word {
	var out []word
	out = append(out, p.given...)
	out = append(out, p.middle...)
	out = append(out, p.family...)
	return out
}

// partSim compares two parts word by word (in order), and says why.
func partSim(a, b []word) (float64, string) {
	if len(a) == 0 || len(b) == 0 {
		return 0, "missing on one side"
	}
	ka, kb := keys(a), keys(b)
	var s float64
	var notes []string
	if len(a) == len(b) {
		for i := range a {
			w, note := wordSim(a[i], b[i])
			s += w
			if note != "" {
				notes = append(notes, note)
			}
		}
		s /= float64(len(a))
	} else {
		s = keySim(ka, kb)
	}
	ta, tb := texts(a), texts(b)
	ka, kb = shown.Replace(ka), shown.Replace(kb)
	switch {
	case s == 1 && allKnown(a) && allKnown(b) && len(notes) == 0:
		return 1, fmt.Sprintf("%s = %s (variants of one name)", ta, tb)
	case allKnown(a) && allKnown(b) && s < 0.5 && len(notes) == 0:
		return s, fmt.Sprintf("%s ≠ %s (different names)", ta, tb)
	case len(notes) > 0 && s >= 0.75:
		return s, fmt.Sprintf("%s ~ %s (%s, %.2f)", ta, tb, strings.Join(notes, "; "), s)
	case len(notes) > 0:
		return s, fmt.Sprintf("%s ≠ %s (%s, %.2f)", ta, tb, strings.Join(notes, "; "), s)
	case s == 1:
		return 1, fmt.Sprintf("%s = %s (same letters: %s)", ta, tb, ka)
	case s >= 0.75:
		return s, fmt.Sprintf("%s ~ %s (close: %s / %s, %.2f)", ta, tb, ka, kb, s)
	}
	return s, fmt.Sprintf("%s ≠ %s (%s / %s, %.2f)", ta, tb, ka, kb, s)
}

// shown writes a key's letters for a reviewer: kh for the x of kha, h for
// a Cyrillic х, c for a Latin c read as k, s or j.
var shown = strings.NewReplacer("x", "kh", "H", "h", "C", "c")

func keys(ws []word) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.key
		if w.kind != "" {
			parts[i] = w.kind + " " + w.key
		}
	}
	return strings.Join(parts, " ")
}

func texts(ws []word) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.text
	}
	return strings.Join(parts, " ")
}

func allKnown(ws []word) bool {
	for _, w := range ws {
		if w.canon == "" {
			return false
		}
	}
	return true
}

// wordSim compares two words, with a note when the reason is not the
// letters alone. A word that may carry a glued article (Alhaj) is also
// compared without it.
func wordSim(a, b word) (float64, string) {
	s, note := wordSim1(a, b)
	for _, alt := range [][2]*word{{a.bare, &b}, {&a, b.bare}} {
		if alt[0] == nil || alt[1] == nil {
			continue
		}
		if s2, _ := wordSim1(*alt[0], *alt[1]); s2 > s {
			s, note = s2, "al- written joined to the name"
		}
	}
	return s, note
}

// wordSim1 compares two words. Two names the table knows are the same name
// or not, whatever their letters (Mahmoud and Muhammad share m-h-m-d;
// Amer and Ammar, Rahman and Rahim are two names); otherwise the letters
// are compared (letterSim), a little less trusted when only one word is
// known (a spelling the table lacks). A word ending as a woman's name and
// one ending as a man's (Amina, Amin; جميلة, جميل) are two names.
func wordSim1(a, b word) (float64, string) {
	if a.kind != b.kind {
		return 0.3, "a compound name against " + cmp.Or(map[string]string{"abd": "an Abd name", "abu": "an Abu name", "din": "an al-Din name"}[b.kind], "a single name")
	}
	if a.canon != "" && b.canon != "" {
		if a.canon == b.canon {
			return 1, ""
		}
		if genderApart(a, b) {
			return math.Min(0.4, letterSim(a, b)), "a woman's and a man's name"
		}
		return math.Min(0.4, letterSim(a, b)), ""
	}
	s, note := letterSim(a, b), ""
	if a.canon != "" || b.canon != "" {
		s *= 0.9
	}
	if s < keySim(a.key, b.key) {
		note = "the vowels differ"
		if !a.latin && !b.latin {
			note = "the long vowels differ"
		}
	}
	if s >= 0.5 && genderApart(a, b) {
		return math.Min(s, 0.4), "a woman's and a man's name"
	}
	return s, note
}

// letterSim compares two words by their letters. Across scripts only the
// consonant skeletons can be compared. Two Latin spellings also compare
// their vowels, in classes (a; i; u and o; e for a or i; a vowel added or
// left out costs half): transliterators disagree on o and u, e and a, e
// and i, and on doubled letters, but not on a and i (Khatib, Khattab),
// and a consonant that differs where the vowels agree is another name, not
// a habit (Bilal, Hilal). Two Arabic spellings compare their long vowels
// (سليم, سالم; حسيني, حسني). Mohamed and Muhammad differ only in what the
// classes allow; Amer and Ammar differ in nothing they can see (e for a,
// one m for two): the table tells them apart.
func letterSim(a, b word) float64 {
	s := keySim(a.key, b.key)
	n := max(consonants(a.full), consonants(b.full), len(a.key), len(b.key), 1)
	switch {
	case a.latin && b.latin:
		s = math.Min(s, 1-distance(a.full, b.full, true)/float64(n))
	case !a.latin && !b.latin:
		s = math.Min(s, 1-distance(a.full, b.full, false)/float64(n))
	}
	return math.Max(0, s)
}

func consonants(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if !isVowelClass(s[i]) && s[i] != 'E' && s[i] != 'Y' {
			n++
		}
	}
	return n
}

// genderApart says whether one word ends as a woman's name and the other
// as a man's: a final -a or ة on one side only.
func genderApart(a, b word) bool {
	x, y := a.end, b.end
	switch {
	case a.latin && b.latin:
		return x == 'A' && y == 'C' || x == 'C' && y == 'A'
	case !a.latin && !b.latin:
		return x == 'T' && y == 'C' || x == 'C' && y == 'T'
	case !a.latin:
		// Arabic x, Latin y
	default:
		x, y = y, x
	}
	return x == 'T' && y == 'C' || x == 'C' && y == 'A' || x == 'A' && y == 'C'
}

// ending classifies a word's last letter (see word.end).
func ending(w string, latin bool) byte {
	r := []rune(w)
	if len(r) == 0 {
		return '?'
	}
	last := r[len(r)-1]
	if latin {
		switch {
		case last == 'a':
			return 'A'
		case last == 'e' || last == 'h' && len(r) > 1 && (r[len(r)-2] == 'a' || r[len(r)-2] == 'e'):
			return '?' // -ah, -eh: ta marbuta or the h of Salah, Fateh
		}
		return 'C'
	}
	switch last {
	case 'ة':
		return 'T'
	case 'ا':
		return 'A'
	case 'ى':
		return '?' // also written for a final ي (مصطفى, مصطفي)
	case 'ء':
		if len(r) > 1 && r[len(r)-2] == 'ا' {
			return 'A'
		}
	case 'ه':
		return '?'
	}
	return 'C'
}

// keySim is 1 minus the weighted edit distance of two skeletons over the
// longer one's length.
func keySim(a, b string) float64 {
	if a == b {
		return 1
	}
	n := max(len(a), len(b))
	if n == 0 {
		return 1
	}
	return math.Max(0, 1-distance(a, b, false)/float64(n))
}

// similarity is 1 minus the edit distance over the longer length.
func similarity(a, b string) float64 { return keySim(a, b) }

// Key is the folded key of one name, word by word, as Compare reads it:
// for tests and for a reviewer wondering why two names agree.
func Key(name string) string {
	ws := parse(name).all()
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = cmp.Or(w.canon, w.key)
		if w.kind != "" {
			parts[i] = w.kind + " " + parts[i]
		}
	}
	return strings.Join(parts, " ")
}

// fold lowercases, removes Latin accents and Arabic vowel marks, writes
// Cyrillic in Latin letters and the Turkish dotless ı as i, and turns
// punctuation into spaces, keeping hyphens (they mark articles).
func fold(s string) string {
	s = strings.ToLower(marks.Strip(s))
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == 'ـ': // tatweel
		case strings.ContainsRune("'’‘`ʿʾ\"", r):
		case r == '-':
			b.WriteRune('-')
		case r == 'ı':
			b.WriteByte('i')
		case cyrillicLetters[r] != "" || r == 'ъ' || r == 'ь':
			b.WriteString(cyrillicLetters[r])
		case unicode.IsLetter(r):
			b.WriteRune(r)
		default:
			b.WriteRune(' ')
		}
	}
	// дж is jim (Джамиль): д then ж, which gives "dj" and folds to j.
	return b.String()
}

// articles are the Latin forms of the Arabic article, as a separate word
// or before a hyphen (with the sun letters assimilated).
var articles = map[string]bool{"al": true, "el": true, "ul": true, "il": true, "ad": true, "ar": true, "as": true, "ash": true, "at": true, "az": true, "an": true, "adh": true, "ath": true, "ed": true, "er": true, "es": true, "et": true, "ez": true, "en": true}

// patronymics mark the father's name.
var patronymics = map[string]bool{"bin": true, "ibn": true, "ben": true, "bint": true, "bn": true, "بن": true, "ابن": true, "بنت": true, "ould": true, "walad": true, "ولد": true}

// abdForms begin a compound "servant of" name written as one word.
var abdForms = []string{"abdoul", "abdul", "abdel", "abdal", "abdil", "abdur", "abdar", "abdus", "abdas", "abdun", "abd", "عبدال", "عبد"}

// abdWords are "Abd" written as a word of its own (Abdel Rahman, Abdul
// Salam, عبد الرحمن): the next word is the compound's second element.
var abdWords = map[string]bool{"abd": true, "abdel": true, "abdul": true, "abdoul": true, "abdal": true, "abdil": true, "abdur": true, "abdus": true, "abdar": true, "abdas": true, "abdun": true, "عبد": true}

// abuWords are "Abu" (father of), which makes one name with the next word.
var abuWords = map[string]bool{"abu": true, "abou": true, "abo": true, "ebu": true, "ابو": true}

// dinSuffixes end a compound "X al-Din" written as one word (Salaheddine,
// Noureddine, Turkish Selahattin, Nurettin); dinWords are al-Din written
// apart (Salah al-Din, Nour Eddin, صلاح الدين), the article already gone.
var dinSuffixes = []string{"eddine", "eddin", "uddine", "uddin", "iddine", "iddin", "addine", "addin", "ettin", "attin", "ittin", "uttin", "edine", "edin", "الدين"}
var dinWords = map[string]bool{"din": true, "dine": true, "deen": true, "eddin": true, "eddine": true, "uddin": true, "ddin": true, "دين": true}

func parse(name string) parsed {
	raw := strings.Fields(strings.ReplaceAll(fold(name), "-", "- "))
	// raw words keep a trailing "-" when an article was joined: "al-" "hallak".
	var words []string
	for i := 0; i < len(raw); i++ {
		w := raw[i]
		base := strings.TrimSuffix(w, "-")
		if base == "" {
			continue
		}
		if articles[base] && (strings.HasSuffix(w, "-") || i < len(raw)-1) && !patronymics[base] {
			continue // al-X, al X
		}
		if r := []rune(base); len(r) > 3 && strings.HasPrefix(base, "ال") {
			base = string(r[2:])
		}
		words = append(words, base)
	}
	var p parsed
	var seq []word
	for i := 0; i < len(words); i++ {
		if patronymics[words[i]] && i+1 < len(words) {
			// bin X: X is the father; the rest after it is the family.
			fw, next := element(words, i+1)
			p.father = append(p.father, fw)
			i = next - 1
			continue
		}
		w, next := element(words, i)
		seq = append(seq, w)
		i = next - 1
	}
	switch len(seq) {
	case 0:
	case 1:
		p.given = seq
	default:
		p.given, p.family = seq[:1], seq[len(seq)-1:]
		p.middle = seq[1 : len(seq)-1]
	}
	if len(p.father) == 0 && len(p.middle) > 0 {
		// Given Father [Grandfather] Family, the Arab order.
		p.father = p.middle[:1]
	}
	return p
}

// element reads one element of a name from words[i]: a word or a
// compound; it returns the index after it.
func element(words []string, i int) (word, int) {
	w := words[i]
	more := i+1 < len(words)
	switch {
	case abdWords[w] && more:
		return compound("abd", words[i+1]), i + 2
	case abuWords[w] && more:
		return compound("abu", words[i+1]), i + 2
	}
	if _, known := canonical[w]; !known {
		if rest, ok := splitAbd(w); ok {
			return compound("abd", rest), i + 1
		}
		for _, suf := range dinSuffixes {
			if rest, ok := strings.CutSuffix(w, suf); ok && utf8.RuneCountInString(rest) >= 2 {
				return compound("din", rest), i + 1
			}
		}
	}
	if more && dinWords[words[i+1]] {
		return compound("din", w), i + 2
	}
	return makeWord(w, canonical), i + 1
}

// splitAbd splits "abdulrahman" or "عبدالرحمن" into its second part.
func splitAbd(w string) (string, bool) {
	for _, f := range abdForms {
		if rest, ok := strings.CutPrefix(w, f); ok && len([]rune(rest)) >= 2 {
			return rest, true
		}
	}
	return "", false
}

// compound makes "Abd X", "Abu X" or "X al-Din" one word, compared by
// its element X: an Abd name's in the table of the names of God.
func compound(kind, rest string) word {
	rest = strings.TrimPrefix(rest, "ال")
	table := canonical
	if kind == "abd" {
		table = coreCanonical
	}
	w := makeWord(rest, table)
	w.kind = kind
	if kind == "din" {
		w.text = rest + " al-din"
	} else {
		w.text = kind + " " + rest
	}
	return w
}

// makeWord folds one word. A Cyrillic х (H) is looked up as h and as kh.
func makeWord(w string, table map[string]string) word {
	latin := isLatin(w)
	out := word{text: w, key: skeleton(w), latin: latin, end: ending(w, latin)}
	if latin {
		out.full = vocal(w)
	} else {
		out.full = arabicFull(w)
	}
	for _, try := range []string{w, strings.ReplaceAll(w, "H", "h"), strings.ReplaceAll(w, "H", "kh")} {
		if c, ok := table[try]; ok {
			out.canon, out.key = c, skeleton(fold(c))
			break
		}
	}
	if latin && out.canon == "" && table != nil {
		for _, art := range []string{"al", "el"} {
			if rest, ok := strings.CutPrefix(w, art); ok && len(rest) >= 3 {
				bare := makeWord(rest, table)
				out.bare = &bare
				break
			}
		}
	}
	return out
}

func skeletonAll(s string) string {
	var parts []string
	for _, w := range strings.Fields(strings.ReplaceAll(s, "-", " ")) {
		if articles[w] {
			continue
		}
		w = strings.TrimPrefix(w, "ال")
		parts = append(parts, skeleton(w))
	}
	return strings.Join(parts, " ")
}
