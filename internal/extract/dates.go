package extract

import (
	"fmt"
	"time"
)

// A dateRead is a date found in the text, before relative ones are
// resolved on the anchor.
type dateRead struct {
	a, b     int // tokens, inclusive
	year     int // 0: take the anchor's
	month    int
	day      int // 0: month precision
	rel      int // offset from the anchor, for relative dates
	weekday  int // -1, or the weekday to go back to
	relative bool
	conf     float64
	rule     string
}

// dates reads every date of the text. Absolute dates are read first: the
// first full one stands in for the publication day when Published is
// zero.
func (d *doc) dates() {
	var found []dateRead
	for i := 0; i < len(d.toks); i++ {
		if d.used[i] {
			continue
		}
		r, ok := d.dateAt(i)
		if !ok {
			continue
		}
		for k := r.a; k <= r.b; k++ {
			d.used[k] = true
		}
		found = append(found, r)
		i = r.b
	}
	if !d.anchorOK {
		for _, r := range found {
			if !r.relative && r.year != 0 && r.day != 0 {
				d.anchor = time.Date(r.year, time.Month(r.month), r.day, 0, 0, 0, 0, time.UTC)
				d.anchorOK, d.anchorFromText = true, true
				break
			}
		}
	}
	for _, r := range found {
		var t time.Time
		rule := r.rule
		conf := r.conf
		switch {
		case r.relative:
			if !d.anchorOK {
				continue
			}
			t = d.anchor.AddDate(0, 0, r.rel)
			if r.weekday >= 0 {
				back := (int(d.anchor.Weekday()) - r.weekday + 7) % 7
				t = d.anchor.AddDate(0, 0, -back)
			}
			if d.anchorFromText {
				rule += ", from the text's first date"
				conf -= 0.1
			}
		case r.year == 0:
			if !d.anchorOK {
				continue
			}
			y := d.anchor.Year()
			day := max(r.day, 1)
			t = time.Date(y, time.Month(r.month), day, 0, 0, 0, 0, time.UTC)
			if t.After(d.anchor.AddDate(0, 0, 7)) {
				t = time.Date(y-1, time.Month(r.month), day, 0, 0, 0, 0, time.UTC)
			}
			rule += ", year of publication"
			if d.anchorFromText {
				rule = r.rule + ", year of the text's first date"
			}
		default:
			t = time.Date(r.year, time.Month(r.month), max(r.day, 1), 0, 0, 0, 0, time.UTC)
		}
		if r.day == 0 && !r.relative {
			d.add(FieldDate, t.Format("2006-01"), "", "month", r.a, r.b, conf, rule)
			continue
		}
		d.add(FieldDate, t.Format("2006-01-02"), "", "day", r.a, r.b, conf, rule)
	}
}

// validDate reports whether y-m-d is a day of the calendar.
func validDate(y, m, day int) bool {
	if m < 1 || m > 12 || day < 1 || day > 31 {
		return false
	}
	t := time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC)
	return t.Day() == day && int(t.Month()) == m
}

func isYear(t *token) bool {
	return t.kind == number && t.num >= 1900 && t.num <= 2100 && len(t.norm) == 4 && !t.is(fGrouped)
}

func isJalaliYear(t *token) bool {
	return t.kind == number && t.num >= 1300 && t.num <= 1499 && len(t.norm) == 4 && !t.is(fGrouped)
}

func isDay(t *token) bool { return t.kind == number && t.num >= 1 && t.num <= 31 && len(t.norm) <= 2 }

// dateAt reads a date starting at token i.
func (d *doc) dateAt(i int) (dateRead, bool) {
	t := &d.toks[i]
	if t.kind == number {
		if r, ok := d.numericDate(i); ok {
			return r, true
		}
		if isDay(t) {
			if r, ok := d.dayMonth(i, i); ok {
				return r, true
			}
		}
		return dateRead{}, false
	}
	hs := d.hitsAt(i)
	if len(hs) == 0 {
		return dateRead{}, false
	}
	// A weekday cue ("on", "يوم", "во") before a weekday.
	if h, ok := d.find(i, secWeekdayBefore); ok {
		j := d.next(i + h.n - 1)
		if w, ok := d.find(j, secWeekday); ok {
			end := j + w.n - 1
			// "on Tuesday 7 December": the full date.
			if r, ok := d.afterWeekday(i, end); ok {
				return r, true
			}
			return dateRead{a: i, b: end, weekday: w.val, relative: true, conf: 0.85, rule: fmt.Sprintf("date: weekday (%s %s)", h.phrase, w.phrase)}, true
		}
	}
	if w, ok := d.find(i, secWeekday); ok {
		end := i + w.n - 1
		if r, ok := d.afterWeekday(i, end); ok {
			return r, true
		}
		if a, ok := d.find(d.next(end), secWeekdayAfter); ok {
			return dateRead{a: i, b: d.next(end) + a.n - 1, weekday: w.val, relative: true, conf: 0.85, rule: fmt.Sprintf("date: weekday (%s %s)", w.phrase, a.phrase)}, true
		}
		// A weekday without a cue: capitalised in a Latin text, or with its
		// article in Arabic.
		if d.toks[i].is(fCap) || d.toks[i].is(fArabic) || d.toks[i].is(fCyr) {
			return dateRead{a: i, b: end, weekday: w.val, relative: true, conf: 0.65, rule: fmt.Sprintf("date: weekday (%s)", w.phrase)}, true
		}
	}
	if h, ok := d.find(i, secRelative); ok {
		return dateRead{a: i, b: i + h.n - 1, rel: h.val, weekday: -1, relative: true, conf: 0.85, rule: fmt.Sprintf("date: relative (%s)", h.phrase)}, true
	}
	// A month before its day: "December 7, 2016", "Dec. 7".
	if m, ok := d.monthAt(i); ok {
		end := i + m.n - 1
		j := d.next(end)
		if j < len(d.toks) && d.toks[j].norm == "." {
			j = d.next(j)
		}
		if j < len(d.toks) && isDay(&d.toks[j]) && !d.used[j] {
			day := d.toks[j].num
			k := d.next(j)
			if k < len(d.toks) && d.toks[k].norm == "," {
				k = d.next(k)
			}
			if k < len(d.toks) && isYear(&d.toks[k]) && m.sec == secMonth {
				if validDate(d.toks[k].num, m.val, day) {
					return dateRead{a: i, b: k, year: d.toks[k].num, month: m.val, day: day, weekday: -1, conf: 0.95, rule: "date: MONTH DAY YEAR"}, true
				}
				return dateRead{}, false
			}
			if validDate(2000, m.val, day) && m.sec == secMonth && !(k < len(d.toks) && isYear(&d.toks[k])) {
				// no year: the anchor's (a number after "May 7" that is
				// not a year is not part of the date)
				if d.toks[i].is(fCap) || !isLatin(&d.toks[i]) {
					return dateRead{a: i, b: j, month: m.val, day: day, weekday: -1, conf: 0.8, rule: "date: MONTH DAY"}, true
				}
			}
		}
		// A month and a year: month precision ("December 2016").
		if j < len(d.toks) && (isYear(&d.toks[j]) && m.sec == secMonth || isJalaliYear(&d.toks[j]) && m.sec == secJalali) {
			y := d.toks[j].num
			b := j
			if yw, ok := d.find(d.next(j), secYearWord); ok {
				b = d.next(j) + yw.n - 1
			}
			if m.sec == secJalali {
				gy, gm, _ := jalaliToGregorian(y, m.val, 15)
				return dateRead{a: i, b: b, year: gy, month: gm, weekday: -1, conf: 0.7, rule: "date: Solar Hijri MONTH YEAR (month of its middle)"}, true
			}
			return dateRead{a: i, b: b, year: y, month: m.val, weekday: -1, conf: 0.8, rule: "date: MONTH YEAR"}, true
		}
		// "in December", "ayında": a month of the anchor's year.
		if p := d.prev(i); p >= 0 && m.sec == secMonth {
			if c, ok := d.monthCueEndingAt(p); ok {
				return dateRead{a: c, b: end, month: m.val, weekday: -1, conf: 0.7, rule: "date: month (" + d.text[d.toks[c].start:d.toks[end].end] + ")"}, true
			}
		}
		if a, ok := d.find(j, secMonthAfter); ok && m.sec == secMonth {
			return dateRead{a: i, b: j + a.n - 1, month: m.val, weekday: -1, conf: 0.7, rule: "date: month (" + a.phrase + ")"}, true
		}
	}
	return dateRead{}, false
}

func isLatin(t *token) bool { return !t.is(fArabic) && !t.is(fCyr) }

// monthAt finds a month name (Gregorian, or Solar Hijri in Persian) at i.
func (d *doc) monthAt(i int) (hit, bool) {
	return d.findAny(i, secMonth, secJalali)
}

// monthCueEndingAt finds a month cue ("in", "في", "в") whose last token is
// p, and returns its first token.
func (d *doc) monthCueEndingAt(p int) (int, bool) {
	for a := p; a >= 0 && a >= p-3; a-- {
		if h, ok := d.find(a, secMonthBefore); ok && a+h.n-1 == p {
			return a, true
		}
	}
	return 0, false
}

// afterWeekday reads a full date right after a weekday (a dateline:
// "Wednesday 07 December 2016", "السبت 7 كانون الثاني 2017") and makes the
// weekday part of it.
func (d *doc) afterWeekday(a, end int) (dateRead, bool) {
	j := d.next(end)
	if j < len(d.toks) && d.toks[j].norm == "," {
		j = d.next(j)
	}
	if j >= len(d.toks) {
		return dateRead{}, false
	}
	var r dateRead
	var ok bool
	if d.toks[j].kind == number {
		if r, ok = d.numericDate(j); !ok && isDay(&d.toks[j]) {
			r, ok = d.dayMonth(j, j)
		}
	} else if _, m := d.monthAt(j); m {
		r, ok = d.dateAt(j)
		ok = ok && !r.relative
	}
	if !ok {
		return dateRead{}, false
	}
	r.a = a
	return r, true
}

// dayMonth reads "7 December 2016", "7th of December", "7 كانون الأول
// 2016", "7 декабря 2016 года", "۱۷ آذر ۱۳۹۵" with the day at token i; a
// is where the date starts.
func (d *doc) dayMonth(a, i int) (dateRead, bool) {
	day := d.toks[i].num
	j := d.next(i)
	if j < len(d.toks) && d.toks[j].norm == "." { // 7. Dezember, 07. Aralık
		j = d.next(j)
	}
	if h, ok := d.find(j, secOf); ok {
		j = d.next(j + h.n - 1)
	}
	m, ok := d.monthAt(j)
	if !ok {
		return dateRead{}, false
	}
	end := j + m.n - 1
	// Two names of one month: "كانون الأول/ديسمبر".
	if k := d.next(end); k < len(d.toks) && d.toks[k].norm == "/" {
		if m2, ok := d.monthAt(d.next(k)); ok && m2.val == m.val && m2.sec == m.sec {
			end = d.next(k) + m2.n - 1
		}
	}
	k := d.next(end)
	if k < len(d.toks) && d.toks[k].norm == "," {
		k = d.next(k)
	}
	if k < len(d.toks) && (isYear(&d.toks[k]) && m.sec == secMonth || isJalaliYear(&d.toks[k]) && m.sec == secJalali) {
		y := d.toks[k].num
		b := k
		if yw, ok := d.find(d.next(k), secYearWord); ok {
			b = d.next(k) + yw.n - 1
		}
		if m.sec == secJalali {
			gy, gm, gd := jalaliToGregorian(y, m.val, day)
			if day > 31 || (m.val > 6 && day > 30) || gy == 0 {
				return dateRead{}, false
			}
			return dateRead{a: a, b: b, year: gy, month: gm, day: gd, weekday: -1, conf: 0.9, rule: "date: DAY MONTH YEAR (Solar Hijri)"}, true
		}
		if !validDate(y, m.val, day) {
			return dateRead{}, false
		}
		return dateRead{a: a, b: b, year: y, month: m.val, day: day, weekday: -1, conf: 0.95, rule: "date: DAY MONTH YEAR"}, true
	}
	if m.sec == secJalali || !validDate(2000, m.val, day) {
		return dateRead{}, false
	}
	return dateRead{a: a, b: end, month: m.val, day: day, weekday: -1, conf: 0.8, rule: "date: DAY MONTH"}, true
}

// numericDate reads dates written in digits, only where the form says
// which number is the day: 2016-12-07 and 2016/12/07 (year first), and
// 18/02/2016 or 12/18/2016 where one of the first two numbers cannot be a
// month. 07/12/2016 could be either and is not read (its numbers are
// marked read, so that they are not taken for counts). Where the lexicon
// says the language writes day.month.year with dots (Russian, Turkish),
// 07.12.2016 is read so. A year of 1300-1499 in Persian is Solar Hijri.
func (d *doc) numericDate(i int) (dateRead, bool) {
	t := d.toks
	if i+4 >= len(t) {
		return dateRead{}, false
	}
	s1, n2, s2, n3 := &t[i+1], &t[i+2], &t[i+3], &t[i+4]
	sep := s1.norm
	if s1.kind != punct || s2.kind != punct || s2.norm != sep || n2.kind != number || n3.kind != number {
		return dateRead{}, false
	}
	if sep != "/" && sep != "-" && sep != "." {
		return dateRead{}, false
	}
	if !s1.is(fJoined) || !n2.is(fJoined) || !s2.is(fJoined) || !n3.is(fJoined) {
		return dateRead{}, false
	}
	n1 := &t[i]
	mark := func() {
		for k := i; k <= i+4; k++ {
			d.used[k] = true
		}
	}
	// Year first.
	if len(n1.norm) == 4 {
		y, m, day := n1.num, n2.num, n3.num
		if isJalaliYear(n1) && d.L.code == "fa" {
			gy, gm, gd := jalaliToGregorian(y, m, day)
			if m < 1 || m > 12 || day < 1 || day > 31 || gy == 0 {
				return dateRead{}, false
			}
			return dateRead{a: i, b: i + 4, year: gy, month: gm, day: gd, weekday: -1, conf: 0.9, rule: "date: YYYY/MM/DD (Solar Hijri)"}, true
		}
		if isYear(n1) && validDate(y, m, day) {
			return dateRead{a: i, b: i + 4, year: y, month: m, day: day, weekday: -1, conf: 0.95, rule: "date: YYYY" + sep + "MM" + sep + "DD"}, true
		}
		return dateRead{}, false
	}
	if !isYear(n3) || len(n1.norm) > 2 || len(n2.norm) > 2 {
		return dateRead{}, false
	}
	a, b, y := n1.num, n2.num, n3.num
	switch {
	case sep == "." && d.L.lex.Dates.Dotted && validDate(y, b, a):
		return dateRead{a: i, b: i + 4, year: y, month: b, day: a, weekday: -1, conf: 0.85, rule: "date: DD.MM.YYYY"}, true
	case a > 12 && validDate(y, b, a):
		return dateRead{a: i, b: i + 4, year: y, month: b, day: a, weekday: -1, conf: 0.9, rule: "date: DD" + sep + "MM" + sep + "YYYY (the first number is above 12)"}, true
	case b > 12 && validDate(y, a, b):
		return dateRead{a: i, b: i + 4, year: y, month: a, day: b, weekday: -1, conf: 0.9, rule: "date: MM" + sep + "DD" + sep + "YYYY (the second number is above 12)"}, true
	}
	mark()
	return dateRead{}, false
}

// jalaliToGregorian converts a Solar Hijri (Persian) date to the Gregorian
// calendar, by the arithmetic of the 33-year cycle (exact for 1244-1503
// SH, 1865-2124 CE). It returns zeros for a day the calendar does not have.
func jalaliToGregorian(jy, jm, jd int) (int, int, int) {
	if jm < 1 || jm > 12 || jd < 1 || jd > 31 || (jm > 6 && jd > 30) {
		return 0, 0, 0
	}
	jy += 1595
	days := -355668 + 365*jy + (jy/33)*8 + ((jy%33)+3)/4 + jd
	if jm < 7 {
		days += (jm - 1) * 31
	} else {
		days += (jm-7)*30 + 186
	}
	gy := 400 * (days / 146097)
	days %= 146097
	if days > 36524 {
		days--
		gy += 100 * (days / 36524)
		days %= 36524
		if days >= 365 {
			days++
		}
	}
	gy += 4 * (days / 1461)
	days %= 1461
	if days > 365 {
		gy += (days - 1) / 365
		days = (days - 1) % 365
	}
	gd := days + 1
	leap := (gy%4 == 0 && gy%100 != 0) || gy%400 == 0
	monthDays := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	if leap {
		monthDays[2] = 29
	}
	gm := 1
	for gm <= 12 && gd > monthDays[gm] {
		gd -= monthDays[gm]
		gm++
	}
	// Esfand 30 exists in leap years only: a date past the year's end
	// spills into the next Farvardin, which the caller did not write.
	if jm == 12 && jd == 30 {
		ny, nm, nd := jalaliToGregorian(jy-1595+1, 1, 1)
		if ny == gy && nm == gm && nd == gd {
			return 0, 0, 0
		}
	}
	return gy, gm, gd
}
