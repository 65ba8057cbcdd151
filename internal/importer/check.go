package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/truce-monitor/truce/internal/incident"
)

// The plausible time of an event or a report. A date outside it is a typo
// or a placeholder (9999-12-31, 0001-01-01), and must be refused with its
// row: left to the store, it fails the whole batch (a year past 9999
// cannot even be written as RFC 3339).
var earliest = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

const (
	// startSlack is how far after now a start may lie: a local day east
	// of UTC starts before it does in UTC, and clocks drift.
	startSlack = 48 * time.Hour
	// endSlack is how far after now an end may lie: an event of this
	// month, known only to the month (ACLED time precision 3), ends at the
	// month's end.
	endSlack = 32 * 24 * time.Hour
)

// FieldError is what is wrong with one report, and in which of its fields
// (named as in truce's JSON: "occurred.start", "place.lat",
// "actors[0].name").
type FieldError struct {
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

// Check is what every report must satisfy before it is stored, whatever
// it was read from: text the store can hold (UTF-8, no NUL byte, which
// PostgreSQL refuses), dates from 1900 to shortly after now, a point on
// the globe that is not 0,0, and no negative deaths. Run applies it to
// every row of every format, and jsonl.Parse to every API submission, so
// that these rules live here only; a format checks its own columns first
// when it can name them better. now is the present (time.Now() but in
// tests).
func Check(rep *incident.Report, now time.Time) *FieldError {
	if v := reflect.ValueOf(rep).Elem(); !cleanText(v) {
		if fe := checkText(v, ""); fe != nil {
			return fe
		}
	}
	s := rep.Occurred
	switch {
	case s.Start.Before(earliest):
		return &FieldError{"occurred.start", fmt.Sprintf("%s is before 1900: not a plausible date of an event", day(s.Start))}
	case s.Start.After(now.Add(startSlack)):
		return &FieldError{"occurred.start", fmt.Sprintf("%s is in the future", day(s.Start))}
	case s.End.After(now.Add(endSlack)):
		return &FieldError{"occurred.end", fmt.Sprintf("%s is in the future", day(s.End))}
	case !s.Valid():
		return &FieldError{"occurred", "must have a start before its end"}
	}
	if t := rep.ReportedAt; !t.IsZero() {
		if why := ImplausibleReportTime(t, now); why != "" {
			return &FieldError{"reported_at", why}
		}
	}
	if p := rep.Place; p.HasPoint {
		if field, msg := CheckPoint(p.Lat, p.Lon); field != "" {
			field = strings.NewReplacer("latitude", "place.lat", "longitude", "place.lon").Replace(field)
			return &FieldError{field, msg}
		}
	}
	for _, c := range []struct {
		field string
		n     int
	}{{"casualties.low", rep.Casualties.Low}, {"casualties.best", rep.Casualties.Best}, {"casualties.high", rep.Casualties.High}, {"casualties.civilians", rep.Casualties.Civilians}} {
		if c.n < 0 {
			return &FieldError{c.field, fmt.Sprintf("%d is negative; a count of deaths is 0 or more", c.n)}
		}
	}
	return nil
}

// ImplausibleReportTime says why t cannot be when a report was made, or
// "" if it can: for a format whose report time is secondary to the event
// and better dropped than the event refused.
func ImplausibleReportTime(t, now time.Time) string {
	if t.Before(earliest) || t.After(now.Add(startSlack)) {
		return fmt.Sprintf("%s is not a plausible time of a report (1900 to now)", day(t))
	}
	return ""
}

// day writes a time for a message; years past 9999 included, which
// Format writes wrong.
func day(t time.Time) string {
	if t.Year() < 0 || t.Year() > 9999 {
		return fmt.Sprintf("year %d", t.Year())
	}
	return t.Format("2006-01-02")
}

var timeType = reflect.TypeFor[time.Time]()

// cleanText reports whether every text field is UTF-8 without a NUL byte.
// It is checkText without the field names, which cost an allocation per
// field: every row of an import goes through it, and nearly all pass.
func cleanText(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
	case reflect.Pointer:
		return v.IsNil() || cleanText(v.Elem())
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			if !cleanText(v.Index(i)) {
				return false
			}
		}
	case reflect.Struct:
		if v.Type() == timeType {
			return true
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() && !cleanText(v.Field(i)) {
				return false
			}
		}
	}
	return true
}

// checkText finds the first text field that is not UTF-8 or holds a NUL
// byte. It walks the report by reflection rather than a list of fields,
// so that a field added to Report later is checked too.
func checkText(v reflect.Value, path string) *FieldError {
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		if !utf8.ValidString(s) {
			return &FieldError{path, "is not UTF-8 text"}
		}
		if i := strings.IndexByte(s, 0); i >= 0 {
			return &FieldError{path, fmt.Sprintf("holds a NUL byte (0x00) at byte %d; no text field may", i)}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			return checkText(v.Elem(), path)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			if fe := checkText(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); fe != nil {
				return fe
			}
		}
	case reflect.Struct:
		if v.Type() == timeType {
			return nil
		}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			if path != "" {
				name = path + "." + name
			}
			if fe := checkText(v.Field(i), name); fe != nil {
				return fe
			}
		}
	}
	return nil
}

// CheckPoint says what is wrong with a point, if anything: the field at
// fault ("latitude", "longitude", or both as "latitude, longitude") and
// why; "" when the point is plausible. It cannot tell a point merely in
// the wrong place, only one that is on no map or is the mark of a missing
// value.
func CheckPoint(lat, lon float64) (field, msg string) {
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	switch {
	case math.IsNaN(lat) || math.IsInf(lat, 0):
		return "latitude", fmt.Sprintf("%v is not a latitude (-90 to 90)", lat)
	case math.IsNaN(lon) || math.IsInf(lon, 0):
		return "longitude", fmt.Sprintf("%v is not a longitude (-180 to 180)", lon)
	case math.Abs(lat) > 90 && math.Abs(lat) <= 180 && math.Abs(lon) <= 90:
		// The pair makes sense only swapped; a typo is as likely, so
		// the message names both and asks.
		return "latitude, longitude", fmt.Sprintf("%s is not a latitude (-90 to 90), though longitude %s would be: are the two swapped?", num(lat), num(lon))
	case math.Abs(lat) > 90:
		return "latitude", fmt.Sprintf("%s is not a latitude (-90 to 90)", num(lat))
	case math.Abs(lon) > 180:
		return "longitude", fmt.Sprintf("%s is not a longitude (-180 to 180)", num(lon))
	case lat == 0 && lon == 0:
		return "latitude, longitude", "0, 0 (\"null island\", off West Africa) is the mark of a missing point, not a place; leave both empty when the point is unknown"
	}
	return "", ""
}

// JSONField names the member of a JSON value that holds byte off of raw,
// as "place.name" or "actors[1].name", so that a record that is not UTF-8
// can be rejected naming its field: encoding/json would replace the bad
// bytes without a word. It returns "" when it cannot tell.
func JSONField(raw []byte, off int) string {
	return walkJSON(raw, func(_ json.Token, end int, _ bool) bool { return end > off })
}

// JSONFieldOf names the first member of raw whose value is the string s:
// where a value that failed to decode (a time that is no time) stands,
// which encoding/json does not say.
func JSONFieldOf(raw []byte, s string) string {
	return walkJSON(raw, func(tok json.Token, _ int, isKey bool) bool { return !isKey && tok == s })
}

// walkJSON returns the path of the first key or scalar value of raw for
// which found, given the token, the offset of its end and whether it is a
// key, is true.
func walkJSON(raw []byte, found func(tok json.Token, end int, isKey bool) bool) string {
	type frame struct {
		obj       bool
		key       string // the member being read, in an object
		idx       int    // the element being read, in an array
		expectKey bool
	}
	var st []frame
	name := func() string {
		var b strings.Builder
		for _, f := range st {
			if !f.obj {
				fmt.Fprintf(&b, "[%d]", f.idx)
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.key)
		}
		return b.String()
	}
	next := func() {
		if n := len(st); n > 0 {
			if st[n-1].obj {
				st[n-1].expectKey = true
			} else {
				st[n-1].idx++
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		end := int(dec.InputOffset())
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				st = append(st, frame{obj: d == '{', expectKey: d == '{'})
			default:
				st = st[:len(st)-1]
				next()
			}
			continue
		}
		isKey := len(st) > 0 && st[len(st)-1].obj && st[len(st)-1].expectKey
		if isKey {
			st[len(st)-1].key, st[len(st)-1].expectKey = fmt.Sprint(tok), false
		}
		if found(tok, end, isKey) {
			return name()
		}
		if !isKey {
			next()
		}
	}
}

// FirstInvalidUTF8 is the offset of the first byte of b that is not
// UTF-8, or -1.
func FirstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}
