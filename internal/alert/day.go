package alert

import (
	"time"
)

// Day is a calendar date, counted in days from 1970-01-01. The detector
// works on whole days: an incident is counted on the local date it
// happened (DayOf, in the agreement's time zone), whatever the hour.
type Day int32

// DayOf is the calendar date of t in loc (UTC when loc is nil).
func DayOf(t time.Time, loc *time.Location) Day {
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := t.In(loc).Date()
	return Date(y, m, d)
}

// Date is the Day of a calendar date.
func Date(y int, m time.Month, d int) Day {
	return Day(time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Unix() / 86400)
}

// ParseDay reads a date written YYYY-MM-DD.
func ParseDay(s string) (Day, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, err
	}
	return Date(t.Date()), nil
}

// Time is the date at midnight UTC (for formatting; not an instant of the
// day in any zone).
func (d Day) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// String writes the date as YYYY-MM-DD.
func (d Day) String() string { return d.Time().Format(time.DateOnly) }

// Words writes the date as "3 Jan 2017".
func (d Day) Words() string { return d.Time().Format("2 Jan 2006") }

// Month is the first day of d's month.
func (d Day) Month() Day {
	y, m, _ := d.Time().Date()
	return Date(y, m, 1)
}

// NextMonth is the first day of the month after d's.
func (d Day) NextMonth() Day {
	y, m, _ := d.Time().Date()
	return Date(y, m+1, 1)
}

// Start is the first instant of the date in loc.
func (d Day) Start(loc *time.Location) time.Time {
	y, m, dd := d.Time().Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, loc)
}
