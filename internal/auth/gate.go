package auth

import (
	"context"
	"time"
)

// Gate bounds how many password checks run at once. An argon2id check
// holds argonMemory (19 MiB) and a core for tens of milliseconds: without
// a bound, a burst of logins (150 at once measured 2 GB and a 17 s stall)
// takes the memory and the cores every other request needs. Whoever
// cannot get a slot soon is turned away rather than queued, so neither
// the memory nor the number of waiting requests grows with the burst.
type Gate struct {
	slots   chan struct{}
	waiters chan struct{}
	wait    time.Duration
}

// NewGate lets slots checks run at once (at least one), up to queue more
// wait for a slot, each at most wait.
func NewGate(slots, queue int, wait time.Duration) *Gate {
	return &Gate{slots: make(chan struct{}, max(1, slots)), waiters: make(chan struct{}, max(0, queue)), wait: wait}
}

// Enter takes a slot, waiting at most the gate's wait, and reports whether
// it got one: false when the queue is full, the wait ran out or ctx
// ended. A caller that got a slot must call release once when its check
// is done.
func (g *Gate) Enter(ctx context.Context) (release func(), ok bool) {
	release = func() { <-g.slots }
	select {
	case g.slots <- struct{}{}:
		return release, true
	default:
	}
	select {
	case g.waiters <- struct{}{}:
	default:
		return nil, false
	}
	defer func() { <-g.waiters }()
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return release, true
	case <-t.C:
	case <-ctx.Done():
	}
	return nil, false
}
