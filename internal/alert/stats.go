package alert

import "math"

// poissonTail is P(X ≥ x) for X Poisson with mean m > 0, summed upward
// from x (accurate in the far tail, where 1 − CDF would cancel).
func poissonTail(x int, m float64) float64 {
	if x <= 0 {
		return 1
	}
	lg, _ := math.Lgamma(float64(x) + 1)
	term := math.Exp(float64(x)*math.Log(m) - m - lg)
	return sumTail(term, x, func(k int) float64 { return m / float64(k+1) })
}

// negBinTail is P(X ≥ x) for X negative binomial with mean m and variance
// v > m: size r = m²/(v−m), success probability q = r/(r+m), so that
// P(X = k) = Γ(k+r)/(Γ(r) k!) q^r (1−q)^k.
func negBinTail(x int, m, v float64) float64 {
	if x <= 0 {
		return 1
	}
	r := m * m / (v - m)
	q := r / (r + m)
	a, _ := math.Lgamma(float64(x) + r)
	b, _ := math.Lgamma(r)
	c, _ := math.Lgamma(float64(x) + 1)
	term := math.Exp(a - b - c + r*math.Log(q) + float64(x)*math.Log1p(-q))
	return sumTail(term, x, func(k int) float64 { return (float64(k) + r) / float64(k+1) * (1 - q) })
}

// sumTail adds term(x) + term(x+1) + ..., given term(x) and the ratio
// term(k+1)/term(k), until the terms no longer count. The ratio falls
// below 1 past the mode and tends to m/k (Poisson) or 1−q (negative
// binomial), so the sum converges geometrically.
func sumTail(term float64, x int, ratio func(k int) float64) float64 {
	if term == 0 || math.IsNaN(term) {
		return 0
	}
	sum := term
	for k := x; k < x+100000; k++ {
		rho := ratio(k)
		term *= rho
		sum += term
		if rho < 1 && term <= sum*1e-12*(1-rho) {
			break
		}
	}
	return math.Min(sum, 1)
}

// tail is the test of one window: the probability of a count of x or
// more under the baseline (the window's mean and variance), by the
// configured model, and the model used.
func tail(x int, mean, variance float64, c Config) (p float64, model string) {
	m := math.Max(mean, c.MinRate*float64(c.WindowDays))
	if c.Model == ModelAuto && variance > m*1.0001 {
		return negBinTail(x, m, variance), "negative_binomial"
	}
	return poissonTail(x, m), ModelPoisson
}
