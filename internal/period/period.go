// Package period reads the dates people give truce — on the command line,
// in the API's parameters, in the web interface's filters and forms — in
// one way, so that the same words select the same incidents at every
// door: a date (YYYY-MM-DD) is that day in the agreement's time zone, not
// in UTC; a time is RFC 3339 with its offset; the last date of a period
// includes its whole day.
package period

import (
	"fmt"
	"time"

	"github.com/truce-monitor/truce/internal/incident"
)

// DateLayout is how a date is written.
const DateLayout = "2006-01-02"

// Error names the parameter at fault and what it held.
type Error struct {
	Param, Value, Reason string
}

func (e *Error) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("%s: %s", e.Param, e.Reason)
	}
	return fmt.Sprintf("%s: %q %s", e.Param, e.Value, e.Reason)
}

// Time reads a date (its day's start in loc) or an RFC 3339 time; date
// says which it was. An empty value is the zero time.
func Time(param, v string, loc *time.Location) (t time.Time, date bool, err error) {
	if v == "" {
		return time.Time{}, false, nil
	}
	if t, err := time.ParseInLocation(DateLayout, v, loc); err == nil {
		return t, true, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, false, nil
	}
	return time.Time{}, false, &Error{param, v, "is not a date (YYYY-MM-DD) or time (RFC 3339)"}
}

// Day reads a date, and only a date, as its day in loc: [start, end).
func Day(param, v string, loc *time.Location) (start, end time.Time, err error) {
	start, err = time.ParseInLocation(DateLayout, v, loc)
	if err != nil {
		return start, end, &Error{param, v, "is not a date (YYYY-MM-DD)"}
	}
	return start, incident.NextDay(start, loc), nil
}

// Range reads a period's bounds as [from, to): from a date or time, to a
// date (which includes its day) or time. Either may be empty (open).
func Range(fromParam, fromV, toParam, toV string, loc *time.Location) (from, to time.Time, err error) {
	if from, _, err = Time(fromParam, fromV, loc); err != nil {
		return from, to, err
	}
	var date bool
	if to, date, err = Time(toParam, toV, loc); err != nil {
		return from, to, err
	}
	if date {
		to = incident.NextDay(to, loc)
	}
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		return from, to, &Error{Param: toParam, Reason: "is before " + fromParam}
	}
	return from, to, nil
}
