package period

import (
	"errors"
	"testing"
	"time"
)

func TestRange(t *testing.T) {
	damascus := time.FixedZone("EET", 2*3600)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, damascus) }
	for _, tt := range []struct {
		from, to         string
		wantFrom, wantTo time.Time
		err              string
	}{
		{"2016-12-30", "2017-02-28", day(2016, 12, 30), day(2017, 3, 1), ""},
		// A date is the agreement's day, not UTC's: 29 Dec in Damascus
		// starts at 22:00 UTC on the 28th.
		{"2016-12-29", "2016-12-29", day(2016, 12, 29), day(2016, 12, 30), ""},
		{"2017-01-10T12:00:00Z", "2017-01-10T13:00:00Z", time.Date(2017, 1, 10, 12, 0, 0, 0, time.UTC), time.Date(2017, 1, 10, 13, 0, 0, 0, time.UTC), ""},
		{"", "2017-01-10", time.Time{}, day(2017, 1, 11), ""},
		{"yesterday", "", time.Time{}, time.Time{}, `from: "yesterday" is not a date (YYYY-MM-DD) or time (RFC 3339)`},
		{"2017-02-01", "2017-01-01", time.Time{}, time.Time{}, "to: is before from"},
	} {
		from, to, err := Range("from", tt.from, "to", tt.to, damascus)
		if tt.err != "" {
			var pe *Error
			if err == nil || err.Error() != tt.err || !errors.As(err, &pe) {
				t.Errorf("%q..%q: error %v, want %q", tt.from, tt.to, err, tt.err)
			}
			continue
		}
		if err != nil || !from.Equal(tt.wantFrom) || !to.Equal(tt.wantTo) {
			t.Errorf("%q..%q: %v..%v (%v), want %v..%v", tt.from, tt.to, from, to, err, tt.wantFrom, tt.wantTo)
		}
	}
}

func TestDay(t *testing.T) {
	damascus := time.FixedZone("EET", 2*3600)
	start, end, err := Day("date", "2016-12-29", damascus)
	if err != nil || start.UTC().Format(time.RFC3339) != "2016-12-28T22:00:00Z" || end.Sub(start) != 24*time.Hour {
		t.Errorf("day: %v %v %v", start, end, err)
	}
	if _, _, err := Day("date", "2016-12-29T10:00:00Z", damascus); err == nil {
		t.Error("a time is not a date")
	}
}

// TestDaylightSaving: Damascus skipped midnight on 31 March 2017 and 30
// March 2018; "-to 2017-03-31" ran an hour into 1 April, since a day was
// taken to end 24 hours after its (shifted) start (issue 14 item 8).
func TestDaylightSaving(t *testing.T) {
	damascus, err := time.LoadLocation("Asia/Damascus")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	for _, tt := range []struct {
		day, start, end string // UTC
	}{
		{"2017-03-31", "2017-03-30T22:00:00Z", "2017-03-31T21:00:00Z"}, // 23 hours
		{"2018-03-30", "2018-03-29T22:00:00Z", "2018-03-30T21:00:00Z"},
		{"2017-10-27", "2017-10-26T22:00:00Z", "2017-10-27T22:00:00Z"}, // the day after the clocks went back
		{"2017-03-30", "2017-03-29T22:00:00Z", "2017-03-30T22:00:00Z"}, // the day before the switch: 24 h
	} {
		start, end, err := Day("date", tt.day, damascus)
		if err != nil || start.UTC().Format(time.RFC3339) != tt.start || end.UTC().Format(time.RFC3339) != tt.end {
			t.Errorf("%s: %s to %s (%v), want %s to %s", tt.day, start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339), err, tt.start, tt.end)
		}
		if _, to, err := Range("from", "", "to", tt.day, damascus); err != nil || !to.Equal(end) {
			t.Errorf("-to %s ends at %v, want %v", tt.day, to.UTC(), end.UTC())
		}
		if last := end.Add(-time.Nanosecond).In(damascus).Format(DateLayout); last != tt.day {
			t.Errorf("the last instant of %s is on %s", tt.day, last)
		}
	}
}
