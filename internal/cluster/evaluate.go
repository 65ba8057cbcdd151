package cluster

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
