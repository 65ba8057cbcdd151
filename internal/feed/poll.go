package feed

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/importer/text"
)

// MaxBody bounds a feed's document.
const MaxBody = 10 << 20

// MaxSeen bounds the keys of items seen a feed's state keeps (two an
// item, the newest kept): enough for the items of any feed's document,
// which is all the poller compares them with.
const MaxSeen = 5000

// Feed is a feed and what the poller knows of it between polls.
type Feed struct {
	URL  string
	Name string
	// ETag and LastModified are the server's, for a conditional GET.
	ETag         string
	LastModified string
	LastPolled   time.Time
	// LastError is why the last poll failed; "" when it did not.
	LastError string
	// Seen are the keys (Keys) of the items seen, oldest first.
	Seen []string
}

// Error is a failed poll: the feed and what was wrong.
type Error struct {
	URL    string
	Reason string
}

func (e *Error) Error() string { return "feed " + e.URL + " " + e.Reason }

// Poll fetches a feed once and returns its items not seen before, marking
// them seen. A server that answers 304 Not Modified (to If-None-Match or
// If-Modified-Since) gives nothing. An item without a date is dated when
// first seen, and flagged so. On failure (the request, the status, a body
// larger than MaxBody or not a feed) f keeps its validators and seen
// items, LastError says why, and the error (an *Error) too; LastPolled is
// set either way.
func Poll(ctx context.Context, client *http.Client, f *Feed) ([]Article, error) {
	now := time.Now()
	f.LastPolled = now
	fail := func(format string, args ...any) ([]Article, error) {
		err := &Error{URL: f.URL, Reason: fmt.Sprintf(format, args...)}
		f.LastError = err.Reason
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.URL, nil)
	if err != nil {
		return fail("is not a URL to fetch: %v", err)
	}
	req.Header.Set("User-Agent", "truce-feed-poller/1 (ceasefire monitoring)")
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5")
	if f.ETag != "" {
		req.Header.Set("If-None-Match", f.ETag)
	}
	if f.LastModified != "" {
		req.Header.Set("If-Modified-Since", f.LastModified)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fail("could not be fetched: %v", unwrapURLError(err))
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified:
		f.LastError = ""
		return nil, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return fail("answered HTTP %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return fail("could not be read: %v", err)
	}
	if len(body) > MaxBody {
		return fail("is larger than %d MiB", MaxBody>>20)
	}
	p, err := Parse(body, resp.Request.URL.String())
	if err != nil {
		return fail("%v", err)
	}
	f.ETag, f.LastModified = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	f.LastError = ""
	seen := make(map[string]bool, len(f.Seen))
	for _, k := range f.Seen {
		seen[k] = true
	}
	var out []Article
	for _, a := range p.Items {
		keys := Keys(a)
		if slices.ContainsFunc(keys, func(k string) bool { return seen[k] }) {
			continue
		}
		for _, k := range keys {
			seen[k] = true
			f.Seen = append(f.Seen, k)
		}
		if a.Published.IsZero() {
			a.Published, a.DateFlag = now, text.FirstSeenDay
		}
		out = append(out, a)
	}
	if n := len(f.Seen); n > MaxSeen {
		f.Seen = slices.Clone(f.Seen[n-MaxSeen:])
	}
	return out, nil
}

// unwrapURLError drops the "Get URL:" the client puts before its error:
// the message names the feed already.
func unwrapURLError(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, "\": "); strings.HasPrefix(msg, "Get \"") && i > 0 {
		return fmt.Errorf("%s", msg[i+3:])
	}
	return err
}
