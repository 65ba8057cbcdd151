package alert

import (
	"fmt"
	"strconv"
)

// explain is an alert's English sentence, e.g. "Rural Damascus,
// Az-Zabdani district: 14 clashes on 3 Jan 2017 against a baseline of
// 1.2/day over the previous 28 days (p < 0.001); first clashes alert in
// this district since 30 Dec 2016."
func explain(a Alert, u Unit, d, since Day) string {
	when := "on " + d.Words()
	if a.WindowDays > 1 {
		when = fmt.Sprintf("in the %d days to %s", a.WindowDays, d.Words())
	}
	base := fmt.Sprintf("a baseline of %s/day over the previous %d days", rate(a.Baseline), a.BaselineDays)
	if a.Baseline == 0 {
		base = fmt.Sprintf("none in the previous %d days", a.BaselineDays)
	}
	s := fmt.Sprintf("%s: %s %s against %s (%s", u.label(), a.Kind.words(a.Count), when, base, pWords(a.P))
	if a.Model == "negative_binomial" {
		s += fmt.Sprintf(", negative binomial: the baseline's variance is %s", rate(a.Variance))
	}
	s += ")"
	where := "district"
	if u.Level == Zone {
		where = "zone"
	}
	if a.Previous == "" {
		s += fmt.Sprintf("; first %s alert in this %s since %s.", a.Kind.label(), where, since.Words())
	} else {
		prev, _ := ParseDay(a.Previous)
		s += fmt.Sprintf("; previous %s alert in this %s on %s, %d days before.", a.Kind.label(), where, prev.Words(), d-prev)
	}
	return s
}

// rate writes a rate with two significant digits at most.
func rate(r float64) string {
	switch {
	case r == 0:
		return "0"
	case r < 0.1:
		return strconv.FormatFloat(r, 'f', 2, 64)
	case r < 10:
		return strconv.FormatFloat(r, 'f', 1, 64)
	}
	return strconv.FormatFloat(r, 'f', 0, 64)
}

// pWords writes a probability as a reader expects it.
func pWords(p float64) string {
	switch {
	case p < 0.0001:
		return "p < 0.0001"
	case p < 0.001:
		return "p < 0.001"
	}
	return "p = " + strconv.FormatFloat(p, 'f', 3, 64)
}
