package delivery

import (
	"math/rand/v2"
	"time"
)

// Backoff is how long a failed delivery waits before the next attempt:
// Base after the first failure, doubling after each further one up to
// Cap, of which the share Jitter is drawn at random so that the items a
// receiver's outage failed together do not all come back at once.
type Backoff struct {
	Base, Cap time.Duration
	// Jitter is in [0, 1]: 0 waits exactly, 1 anywhere up to the delay.
	Jitter float64
}

// DefaultBackoff waits 5 s, then 10 s, 20 s ... up to an hour, each
// between half and all of that.
var DefaultBackoff = Backoff{Base: 5 * time.Second, Cap: time.Hour, Jitter: 0.5}

// Delay is the wait after the attempt-th failure (from 1). rnd draws from
// [0, 1); nil is math/rand.
func (b Backoff) Delay(attempt int, rnd func() float64) time.Duration {
	if b.Base <= 0 {
		b.Base = DefaultBackoff.Base
	}
	if b.Cap < b.Base {
		b.Cap = b.Base
	}
	d := b.Base
	for i := 1; i < attempt && d < b.Cap; i++ {
		d *= 2
	}
	d = min(d, b.Cap)
	j := min(max(b.Jitter, 0), 1)
	if j == 0 {
		return d
	}
	if rnd == nil {
		rnd = rand.Float64
	}
	wait := time.Duration(float64(d) * (1 - j + j*rnd()))
	return max(wait, time.Microsecond) // never 0: a retry is never due at once
}
