package actor

import (
	"sort"
	"strings"
)

// Suggestion is a registry name close to a name that did not resolve.
// It is shown to a person ("did you mean: ..."), never applied.
type Suggestion struct {
	ID   string `json:"id"`
	Name string `json:"name"` // the registry name found close
	// Score is 1 for names equal after Normalize and falls with distance;
	// nothing below MinSuggestScore is suggested.
	Score float64 `json:"score"`
}

// Thresholds of Suggest. A content word within TokenSimilarity of another
// counts as the same word ("Zinki" and "Zenki"); a whole name within
// WholeSimilarity counts however its words compare (a typing slip in a
// long name). Both were set by reading suggestions for ACLED's and UCDP's
// unresolved names, not fitted.
const (
	MinSuggestScore = 0.5
	TokenSimilarity = 0.75
	WholeSimilarity = 0.85
)

// generic words say what sort of group a name is, not which one: two
// names that share only "Military Forces of" or "Jaysh al-" are not close.
// Arabic words are transliterated as in the registry's aliases.
var generic = map[string]bool{
	"of": true, "the": true, "and": true, "or": true, "for": true,
	"al": true, "el": true, "ad": true, "an": true, "ar": true, "as": true, "ash": true, "at": true, "az": true,
	"military": true, "forces": true, "force": true, "police": true, "army": true, "armed": true,
	"brigade": true, "brigades": true, "division": true, "front": true, "movement": true,
	"group": true, "militia": true, "corps": true, "legion": true, "battalion": true,
	"jaysh": true, "jaish": true, "liwa": true, "alwiya": true, "faylaq": true, "failaq": true,
	"harakat": true, "haraka": true, "jabhat": true, "jabha": true, "kataib": true, "katibat": true,
	"saraya": true, "tajamu": true, "firqa": true, "quwat": true,
}

// Suggest returns up to n actors whose registry names are closest to name,
// best first, one suggestion per actor. Closeness is the mean of the
// overlap of the names' content words (generic words aside, near-identical
// words counting) and the similarity of the whole names, or that
// similarity alone when it is high; an "ABBR: Name" is compared by its
// parts as well. Suggestions are for a
// person to judge: Lookup never uses them.
func (r *Registry) Suggest(name string, n int) []Suggestion {
	if n <= 0 {
		return nil
	}
	queries := []string{Normalize(name)}
	if abbr, full, ok := splitAbbreviation(name); ok {
		queries = append(queries, Normalize(abbr), Normalize(full))
	}
	type cand struct {
		query  string
		tokens []string
	}
	var qs []cand
	for _, q := range queries {
		if q != "" {
			qs = append(qs, cand{q, content(q)})
		}
	}
	if len(qs) == 0 {
		return nil
	}
	best := map[int]Suggestion{}
	for _, e := range r.names {
		et := content(e.key)
		for _, q := range qs {
			// Words say which group; the whole name's edit distance
			// breaks ties between names sharing them, and alone decides
			// when it is small.
			w := similarity(q.query, e.key)
			s := (tokenDice(q.tokens, et) + w) / 2
			if w >= WholeSimilarity && w > s {
				s = w
			}
			if s < MinSuggestScore {
				continue
			}
			if cur, ok := best[e.idx]; !ok || s > cur.Score {
				best[e.idx] = Suggestion{ID: r.actors[e.idx].ID, Name: e.name, Score: s}
			}
		}
	}
	out := make([]Suggestion, 0, len(best))
	for _, s := range best {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].ID < out[j].ID
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// content splits a normalised name into the words that say which group
// it is: generic words aside, and what stands in parentheses, which in
// the datasets' names qualifies a name (ACLED's "(Syria)", "(2000-)")
// rather than tells one group from another. When nothing is left, the
// qualifiers count, then every word ("Military Forces").
func content(key string) []string {
	var outer, inner strings.Builder
	depth := 0
	for _, r := range key {
		switch {
		case r == '(':
			depth++
			outer.WriteByte(' ')
		case r == ')' && depth > 0:
			depth--
			inner.WriteByte(' ')
		case depth > 0:
			inner.WriteRune(r)
		default:
			outer.WriteRune(r)
		}
	}
	split := func(s string) []string {
		return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == ':' || r == ')' })
	}
	words := split(outer.String())
	for _, ws := range [][]string{words, split(inner.String())} {
		var out []string
		for _, w := range ws {
			if !generic[w] {
				out = append(out, w)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return words
}

// tokenDice is the Dice coefficient of two word lists, where a word
// matches its most similar unused word on the other side when they are
// within TokenSimilarity, weighted by that similarity.
func tokenDice(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	used := make([]bool, len(b))
	var sum float64
	for _, x := range a {
		bi, bs := -1, 0.0
		for j, y := range b {
			if used[j] {
				continue
			}
			if s := similarity(x, y); s > bs {
				bi, bs = j, s
			}
		}
		if bi >= 0 && bs >= TokenSimilarity {
			used[bi] = true
			sum += bs
		}
	}
	return 2 * sum / float64(len(a)+len(b))
}

// similarity is 1 minus the edit distance over the longer length, in
// runes.
func similarity(a, b string) float64 {
	if a == b {
		return 1
	}
	ra, rb := []rune(a), []rune(b)
	m := max(len(ra), len(rb))
	if m == 0 {
		return 1
	}
	return 1 - float64(levenshtein(ra, rb))/float64(m)
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
