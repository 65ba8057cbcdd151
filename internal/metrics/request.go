package metrics

import (
	"context"
	"sync"
)

// Request is what the request log says of a request that only its
// handler learns: who made it. The server puts one in every request's
// context; whichever handler authenticates the user (the API by its
// bearer token, the web interface by its session) names them with
// SetUser.
type Request struct {
	mu   sync.Mutex
	user string
}

type requestKey struct{}

// WithRequest returns ctx carrying a new Request.
func WithRequest(ctx context.Context) (context.Context, *Request) {
	r := &Request{}
	return context.WithValue(ctx, requestKey{}, r), r
}

// SetUser names the user of the request ctx belongs to; it does nothing
// outside a request the server instruments.
func SetUser(ctx context.Context, name string) {
	if r, ok := ctx.Value(requestKey{}).(*Request); ok {
		r.mu.Lock()
		r.user = name
		r.mu.Unlock()
	}
}

// User is the name SetUser gave, or "".
func (r *Request) User() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.user
}
