package agreement

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Period is the stretch of time one version applies.
type Period struct {
	Version  *Version
	From, To time.Time // To zero: open-ended
}

// Periods returns when each version applies: from its effective time until
// the next version takes effect or its own end, whichever comes first.
func (a *Agreement) Periods() []Period {
	out := make([]Period, len(a.Versions))
	for i, v := range a.Versions {
		var next *Version
		if i+1 < len(a.Versions) {
			next = a.Versions[i+1]
		}
		out[i] = Period{Version: v, From: v.From, To: v.End(next)}
	}
	return out
}

// Overlap is a version that applies during part or all of a span.
type Overlap struct {
	Period
	// Whole is true when the version applies for the whole span.
	Whole bool
}

// During returns the versions in force at any time in [start, end), in
// order. Covered reports whether some version applies at every instant of
// the span; when it is false and the result is not empty, the span
// straddles the start or end of the agreement (or a gap between versions).
func (a *Agreement) During(start, end time.Time) (overlaps []Overlap, covered bool) {
	covered = true
	cursor := start
	for _, p := range a.Periods() {
		switch overlap(start, end, p.From, p.To) {
		case 1:
			overlaps = append(overlaps, Overlap{Period: p, Whole: true})
		case 0:
			overlaps = append(overlaps, Overlap{Period: p})
		default:
			continue
		}
		if p.From.After(cursor) {
			covered = false
		}
		if p.To.IsZero() {
			cursor = end
		} else if p.To.After(cursor) {
			cursor = p.To
		}
	}
	if cursor.Before(end) || len(overlaps) == 0 {
		covered = false
	}
	return overlaps, covered
}

// Version returns version n.
func (a *Agreement) Version(n int) *Version {
	for _, v := range a.Versions {
		if v.Number == n {
			return v
		}
	}
	return nil
}

// Canonical returns the version's canonical JSON encoding: the bytes that
// are stored and hashed, so that any change to a version is visible as a
// change of its digest.
func (v *Version) Canonical() []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Every field is a string, number, list or JSON-decoded map.
		panic(fmt.Sprintf("agreement: encode version %d: %v", v.Number, err))
	}
	return b
}

// Digest is the hex SHA-256 of Canonical.
func (v *Version) Digest() string {
	sum := sha256.Sum256(v.Canonical())
	return hex.EncodeToString(sum[:])
}
