package alert

import (
	"math"
	"testing"
)

// The tails against closed forms: Poisson summed directly, and the
// negative binomial of size 1, which is geometric.
func TestTails(t *testing.T) {
	direct := func(x int, m float64) float64 {
		cdf, term := 0.0, math.Exp(-m)
		for k := 0; k < x; k++ {
			cdf += term
			term *= m / float64(k+1)
		}
		return 1 - cdf
	}
	for _, c := range []struct {
		x int
		m float64
	}{{1, 0.5}, {5, 1}, {3, 0.05}, {10, 4}, {30, 12}} {
		got, want := poissonTail(c.x, c.m), direct(c.x, c.m)
		if math.Abs(got-want) > 1e-12+1e-9*want {
			t.Errorf("poissonTail(%d, %g) = %g, want %g", c.x, c.m, got, want)
		}
	}
	if got := poissonTail(0, 3); got != 1 {
		t.Errorf("poissonTail(0) = %g", got)
	}
	// Far tail: no cancellation.
	if got := poissonTail(20, 0.05); got <= 0 || got > 1e-40 {
		t.Errorf("poissonTail(20, 0.05) = %g", got)
	}
	// Mean 2, variance 6: r = 4/4 = 1, q = 1/3, P(X ≥ x) = (2/3)^x.
	for _, x := range []int{1, 5, 12} {
		got, want := negBinTail(x, 2, 6), math.Pow(2.0/3, float64(x))
		if math.Abs(got-want) > 1e-10*want {
			t.Errorf("negBinTail(%d, 2, 6) = %g, want %g", x, got, want)
		}
	}
	// Overdispersion makes a high count more probable than Poisson does.
	if nb, po := negBinTail(8, 1, 4), poissonTail(8, 1); nb <= po*10 {
		t.Errorf("negBinTail(8, 1, 4) = %g, not well above Poisson's %g", nb, po)
	}
}
