package importer

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// stampLayouts are the date-and-time forms datasets write after an ISO
// date: "2017-01-07T13:45:00Z", "2017-01-07 00:00:00.000" (GED),
// "2017-01-07T13:45", with or without a zone. Fractions of a second are
// read after the seconds whatever the layout.
var stampLayouts = [...]string{
	"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04Z07:00", "2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05", "2006-01-02 15:04Z07:00", "2006-01-02 15:04",
	"2006-01-02T15:04:05-0700", "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05 MST",
}

// DatePart reads an ISO date, "2017-01-07", or a timestamp that starts
// with one, and returns the date: the day is what truce keeps of a
// dataset's date. The time of day is still checked, so that hour 25 or
// 24:00 is an error rather than a time quietly dropped.
func DatePart(s string) (time.Time, error) {
	d, err := time.Parse("2006-01-02", s[:min(len(s), 10)])
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (want YYYY-MM-DD)", s)
	}
	if len(s) == 10 {
		return d, nil
	}
	if s[10] != 'T' && s[10] != ' ' {
		return time.Time{}, fmt.Errorf("%q is not a date (want YYYY-MM-DD)", s)
	}
	var rangeErr string
	for _, l := range stampLayouts {
		_, err := time.Parse(l, s)
		if err == nil {
			return d, nil
		}
		var pe *time.ParseError
		if errors.As(err, &pe) && strings.HasSuffix(pe.Message, "out of range") && rangeErr == "" {
			rangeErr = strings.TrimPrefix(pe.Message, ": ")
		}
	}
	if rangeErr != "" {
		return time.Time{}, fmt.Errorf("%q has no valid time of day (%s; want 00:00 to 23:59)", s, rangeErr)
	}
	return time.Time{}, fmt.Errorf("%q is not a date, or a date and a time of day such as 2017-01-07T13:45:00Z", s)
}
