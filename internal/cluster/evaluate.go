package cluster

import (
	"slices"
	"strings"
)

// Pairs is the agreement of a clustering with a known grouping, counted
// over pairs of reports: a pair is predicted when clustering put both
// reports in one group, true when the known grouping does.
type Pairs struct {
	Predicted, True, Correct int64
}

// Precision is the share of predicted pairs that are true.
func (p Pairs) Precision() float64 {
	if p.Predicted == 0 {
		return 1
	}
	return float64(p.Correct) / float64(p.Predicted)
}

// Recall is the share of true pairs that were predicted.
func (p Pairs) Recall() float64 {
	if p.True == 0 {
		return 1
	}
	return float64(p.Correct) / float64(p.True)
}

// Evaluate compares groups (one per report) with the known ones.
func Evaluate[G, T comparable](groups []G, truth []T) Pairs {
	type both struct {
		g G
		t T
	}
	byG, byT, byBoth := map[G]int64{}, map[T]int64{}, map[both]int64{}
	for i := range groups {
		byG[groups[i]]++
		byT[truth[i]]++
		byBoth[both{groups[i], truth[i]}]++
	}
	var p Pairs
	for _, n := range byG {
		p.Predicted += n * (n - 1) / 2
	}
	for _, n := range byT {
		p.True += n * (n - 1) / 2
	}
	for _, n := range byBoth {
		p.Correct += n * (n - 1) / 2
	}
	return p
}

// oracleKey is what an ideal clustering without text could tell reports
// apart by: the span, the point (or, without one, the finest area) and
// the actors.
type oracleKey struct {
	start, end int64
	point      bool
	lat, lon   float64
	area       string
	actors     string
}

func keyOf(f *Facts) oracleKey {
	k := oracleKey{start: f.Start, end: f.End, point: f.Point}
	if f.Point {
		k.lat, k.lon = f.Lat, f.Lon
	} else if len(f.Areas) > 0 {
		k.area = f.Areas[len(f.Areas)-1]
	}
	actors := slices.Clone(f.Actors)
	slices.Sort(actors)
	k.actors = strings.Join(actors, "|")
	return k
}

// Oracle groups reports whose span, point (or finest area) and actors are
// identical: what clustering would do with perfect thresholds and no text.
func Oracle(reports []Facts) []int32 {
	first := map[oracleKey]int32{}
	out := make([]int32, len(reports))
	for i := range reports {
		k := keyOf(&reports[i])
		g, ok := first[k]
		if !ok {
			g = int32(i)
			first[k] = g
		}
		out[i] = g
	}
	return out
}

// SharedText is the known grouping with, in addition, every two reports
// the oracle puts together whose texts are identical in one group: one
// article cited by several events, which no text method can part. Scored
// against the known grouping, its precision is the most any clustering
// reading time, place, actors and text can reach at full recall.
func SharedText[T comparable](reports []Facts, texts []string, truth []T) []int32 {
	parent := make([]int32, len(reports))
	for i := range parent {
		parent[i] = int32(i)
	}
	var find func(int32) int32
	find = func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	byTruth := map[T]int32{}
	type kt struct {
		k    oracleKey
		text string
	}
	byText := map[kt]int32{}
	for i := range reports {
		if j, ok := byTruth[truth[i]]; ok {
			parent[find(int32(i))] = find(j)
		} else {
			byTruth[truth[i]] = int32(i)
		}
		if texts[i] == "" {
			continue
		}
		k := kt{keyOf(&reports[i]), texts[i]}
		if j, ok := byText[k]; ok {
			parent[find(int32(i))] = find(j)
		} else {
			byText[k] = int32(i)
		}
	}
	out := make([]int32, len(reports))
	for i := range out {
		out[i] = find(int32(i))
	}
	return out
}

// Separation says how well text similarity parts the pairs of reports
// the oracle puts together and whose texts differ: of the True pairs (one
// event) and the False ones, how many have a similarity of at least
// Threshold, or texts too short to judge (which a text threshold keeps).
type Separation struct {
	Threshold           float64
	True, False         int64
	TrueKept, FalseKept int64
}

// Separate measures Separation at each threshold.
func Separate[T comparable](reports []Facts, texts []string, truth []T, thresholds []float64) []Separation {
	out := make([]Separation, len(thresholds))
	for i, th := range thresholds {
		out[i].Threshold = th
	}
	groups := map[int32][]int{}
	for i, g := range Oracle(reports) {
		groups[g] = append(groups[g], i)
	}
	for _, members := range groups {
		for x, i := range members {
			for _, j := range members[x+1:] {
				if texts[i] == texts[j] {
					continue
				}
				sim := TextSimilarity(reports[i].Text, reports[j].Text)
				same := truth[i] == truth[j]
				for k := range out {
					kept := sim < 0 || sim >= out[k].Threshold
					if same {
						out[k].True++
						if kept {
							out[k].TrueKept++
						}
					} else {
						out[k].False++
						if kept {
							out[k].FalseKept++
						}
					}
				}
			}
		}
	}
	return out
}
