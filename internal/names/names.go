// Package names matches people's names across lists and scripts: the
// lists of detainees one side holds and the other seeks are written by
// different hands, in Arabic script or in one of several Latin
// transliterations (Mohammad, Muhammad, Mohamed; al-, el-; ou for u),
// with or without the father's name, with a date of birth or a place or
// neither. Compare says how alike two people's records are, with a score
// and the reasons a reviewer reads; it never decides that two records are
// one person: a reviewer does (internal/app DecideMatch).
//
// How it reads a name: each word is folded to a key. A given name found
// in the table of common variants (variants.go) becomes that name's one
// canonical form, so that Mohamed and محمد agree and Mahmoud does not
// (both have the consonants m-h-m-d, which is why the table exists).
// Any other word becomes its consonant skeleton in one Latin alphabet:
// Arabic letters are transliterated, Latin digraphs folded (kh, sh, th,
// dh, gh, ou), doubled letters collapsed, vowels dropped, since Arabic
// writes no short vowels and transliterators disagree on them. Articles
// (al-, el-, ad-, ال) are dropped, "Abd al-X" is one name, and the word
// after bin, ibn, ben or bint is the father's.
package names

import (
	"cmp"
	"fmt"
	"math"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
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

// word is one folded word of a name: its key (canonical name or
// skeleton) and whether the key came from the table of variants.
type word struct {
	text  string // as written
	key   string // consonant skeleton (of the canonical form, when known)
	canon string // the canonical given name, when the table knows the word
}

// parsed is a name read into its parts.
type parsed struct {
	given  []word // the first word, or "Abd X" as one
	middle []word // between given and family: often the father's name
	family []word // the last word
	father []word // after bin/ibn/ben/bint
}

// Compare scores two people's records.
func Compare(a, b Person) Score {
	best := Score{Score: -1}
	for _, na := range nonEmpty(a.Name, a.Alt) {
		for _, nb := range nonEmpty(b.Name, b.Alt) {
			s := compareNames(na, nb, a, b)
			if s.Score > best.Score {
				best = s
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

func compareNames(na, nb string, a, b Person) Score {
	pa, pb := parse(na), parse(nb)
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
	if len(fa) > 0 && len(fb) > 0 {
		f, why := partSim(fa, fb)
		total += f * weightFather
		weight += weightFather
		reasons = append(reasons, "father's name: "+why)
	} else if len(pa.middle) > 0 && len(pb.middle) > 0 {
		f, why := partSim(pa.middle, pb.middle)
		total += f * weightFather
		weight += weightFather
		reasons = append(reasons, "middle name: "+why)
	}
	score := total / weight
	// A family name that plainly differs outweighs everything else: the
	// same common given name is no evidence of one person.
	if len(pa.family) > 0 && len(pb.family) > 0 && family < familyApart {
		score = math.Min(score, 0.6)
	}
	if given < 0.5 {
		score = math.Min(score, 0.55)
	}
	score, reasons = evidence(score, reasons, a, b)
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
	if len(a) == len(b) {
		for i := range a {
			s += wordSim(a[i], b[i])
		}
		s /= float64(len(a))
	} else {
		s = similarity(ka, kb)
	}
	ta, tb := texts(a), texts(b)
	switch {
	case s == 1 && allKnown(a) && allKnown(b):
		return 1, fmt.Sprintf("%s = %s (variants of one name)", ta, tb)
	case allKnown(a) && allKnown(b) && s < 0.5:
		return s, fmt.Sprintf("%s ≠ %s (different names)", ta, tb)
	case s == 1:
		return 1, fmt.Sprintf("%s = %s (same letters: %s)", ta, tb, ka)
	case s >= 0.75:
		return s, fmt.Sprintf("%s ~ %s (close: %s / %s, %.2f)", ta, tb, ka, kb, s)
	}
	return s, fmt.Sprintf("%s ≠ %s (%s / %s, %.2f)", ta, tb, ka, kb, s)
}

func keys(ws []word) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.key
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

// wordSim compares two words. Two names the table knows are the same name
// or not, whatever their letters (Mahmoud and Muhammad share m-h-m-d);
// otherwise the skeletons are compared, a little less trusted when only
// one word is known (a spelling the table lacks).
func wordSim(a, b word) float64 {
	switch {
	case a.canon != "" && b.canon != "":
		if a.canon == b.canon {
			return 1
		}
		return math.Min(0.4, similarity(a.key, b.key))
	case a.canon != "" || b.canon != "":
		return 0.9 * similarity(a.key, b.key)
	}
	return similarity(a.key, b.key)
}

// similarity is 1 minus the edit distance over the longer length.
func similarity(a, b string) float64 {
	if a == b {
		return 1
	}
	ra, rb := []rune(a), []rune(b)
	n := max(len(ra), len(rb))
	if n == 0 {
		return 1
	}
	return 1 - float64(levenshtein(ra, rb))/float64(n)
}

func levenshtein(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Key is the folded key of one name, word by word, as Compare reads it:
// for tests and for a reviewer wondering why two names agree.
func Key(name string) string {
	ws := parse(name).all()
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = cmp.Or(w.canon, w.key)
	}
	return strings.Join(parts, " ")
}

// fold lowercases, removes Latin accents and Arabic vowel marks, and turns
// punctuation into spaces, keeping hyphens (they mark articles).
func fold(s string) string {
	// A transformer keeps state between calls: one per call, so that
	// handlers may match names at once (a shared one raced and panicked).
	stripMarks := transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	if out, _, err := transform.String(stripMarks, s); err == nil {
		s = out
	}
	s = strings.ToLower(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == 'ـ': // tatweel
		case strings.ContainsRune("'’‘`ʿʾ\"", r):
		case r == '-':
			b.WriteRune('-')
		case unicode.IsLetter(r):
			b.WriteRune(r)
		default:
			b.WriteRune(' ')
		}
	}
	return b.String()
}

// articles are the Latin forms of the Arabic article, as a separate word
// or before a hyphen (with the sun letters assimilated).
var articles = map[string]bool{"al": true, "el": true, "ul": true, "il": true, "ad": true, "ar": true, "as": true, "ash": true, "at": true, "az": true, "an": true, "adh": true, "ath": true, "ed": true, "er": true, "es": true, "et": true, "ez": true, "en": true}

// patronymics mark the father's name.
var patronymics = map[string]bool{"bin": true, "ibn": true, "ben": true, "bint": true, "bn": true, "بن": true, "ابن": true, "بنت": true, "ould": true}

// abdForms begin a compound "servant of" name written as one word.
var abdForms = []string{"abdoul", "abdul", "abdel", "abdal", "abdur", "abdar", "abdus", "abdas", "abdun", "abd", "عبدال", "عبد"}

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
		w := words[i]
		if patronymics[w] && i+1 < len(words) {
			// bin X: X is the father; the rest after it is the family.
			i++
			fw := makeWord(words[i])
			if i+1 < len(words)-1 && (words[i+1] == "abd" || words[i+1] == "عبد") {
				fw = compound(words[i], words[i+2])
				i += 2
			}
			p.father = append(p.father, fw)
			continue
		}
		if (w == "abd" || w == "عبد") && i+1 < len(words) {
			seq = append(seq, compound(w, words[i+1]))
			i++
			continue
		}
		if rest, ok := splitAbd(w); ok {
			seq = append(seq, compound("abd", rest))
			continue
		}
		seq = append(seq, makeWord(w))
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

// splitAbd splits "abdulrahman" or "عبدالرحمن" into its second part.
func splitAbd(w string) (string, bool) {
	for _, f := range abdForms {
		if rest, ok := strings.CutPrefix(w, f); ok && len([]rune(rest)) >= 2 {
			return rest, true
		}
	}
	return "", false
}

func compound(_, rest string) word {
	rest = strings.TrimPrefix(rest, "ال")
	w := makeWord(rest)
	canon := ""
	if w.canon != "" {
		canon = "abd " + w.canon
	}
	return word{text: "abd " + rest, key: "bd" + w.key, canon: canon}
}

func makeWord(w string) word {
	if c, ok := canonical[w]; ok {
		return word{text: w, key: skeleton(c), canon: c}
	}
	return word{text: w, key: skeleton(w)}
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
