package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/feed"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/importer/text"
	"github.com/truce-monitor/truce/internal/store"
)

// feedClient fetches the feeds; feedTimeout bounds one feed's poll.
var (
	feedClient  = &http.Client{Timeout: 2 * time.Minute}
	feedTimeout = 3 * time.Minute
)

// AddFeed adds a news feed (RSS or Atom) to poll, named name (by default
// its host), or renames a feed already kept.
func (a *App) AddFeed(ctx context.Context, rawURL, name string) error {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("feed %q: not an http or https URL", rawURL)
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = text.Outlet(u.String())
	}
	return a.store.PutFeed(ctx, u.String(), name)
}

// Feeds lists the feeds polled, with their state.
func (a *App) Feeds(ctx context.Context) ([]store.Feed, error) {
	return a.store.Feeds(ctx)
}

// FeedPoll is what polling one feed gave.
type FeedPoll struct {
	// Feed is the feed's state after the poll.
	Feed store.Feed
	// New counts the items not seen before; Summary is their import
	// (nil when there were none).
	New     int
	Summary *importer.Summary
	// Err is why the poll failed (kept in the feed's LastError too).
	Err error
}

// PollFeeds polls every feed once and imports its new items; one feed's
// failure does not stop the others. The error joins the feeds' errors.
func (a *App) PollFeeds(ctx context.Context) error {
	polls, err := a.PollEachFeed(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range polls {
		if p.Err != nil {
			errs = append(errs, p.Err)
		}
	}
	return errors.Join(errs...)
}

// PollEachFeed polls every feed once, and says what each gave. Each new
// item becomes a report (an article's: see text.Report) imported as
// App.Import imports a file's rows, with the app's intake. A feed's state
// (validators, items seen) moves on only once its items are stored: a
// feed whose items could not be stored is polled whole again next time.
// An error is returned only when no feed could be polled.
func (a *App) PollEachFeed(ctx context.Context) ([]FeedPoll, error) {
	loc, err := a.Location()
	if err != nil {
		// The day an item was published depends on the zone: none is
		// guessed.
		return nil, fmt.Errorf("poll feeds: %w", err)
	}
	feeds, err := a.store.Feeds(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]FeedPoll, 0, len(feeds))
	for _, f := range feeds {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		out = append(out, a.pollFeed(ctx, f, loc))
	}
	return out, nil
}

// pollFeed polls one feed and imports its new items.
func (a *App) pollFeed(ctx context.Context, sf store.Feed, loc *time.Location) FeedPoll {
	res := FeedPoll{Feed: sf}
	save := func(st store.Feed) {
		if err := a.store.SaveFeedState(ctx, st); err != nil {
			res.Err = errors.Join(res.Err, err)
		}
		res.Feed = st
	}
	f := feed.Feed{URL: sf.URL, Name: sf.Name, ETag: sf.ETag, LastModified: sf.LastModified, Seen: slices.Clone(sf.Seen)}
	pctx, cancel := context.WithTimeout(ctx, feedTimeout)
	items, err := feed.Poll(pctx, feedClient, &f)
	cancel()
	if err != nil {
		res.Err = err
		save(state(sf, f))
		return res
	}
	res.New = len(items)
	if len(items) > 0 {
		src := text.Articles(sf.URL, items, text.Config{Actors: a.Actors, Boundaries: a.Boundaries, Places: a.Places, Location: loc, Source: sf.Name})
		sum, err := importer.Run(ctx, a.store, sf.URL, sealing{Source: reading{Source: src, a: a}, a: a, ctx: ctx}, importer.Options{Intake: a.Intake()})
		res.Summary = sum
		if err != nil {
			// Nothing is marked seen: the items are taken next time.
			res.Err = fmt.Errorf("feed %s: %w", sf.URL, err)
			old := sf
			old.LastPolled, old.LastError = f.LastPolled, "import: "+err.Error()
			save(old)
			return res
		}
		a.Log.Info("feed polled", "feed", sf.URL, "new", len(items), "created", sum.Created, "updated", sum.Updated,
			"unchanged", sum.Unchanged, "rejected", sum.Rejected)
	}
	save(state(sf, f))
	return res
}

// state is a stored feed with the poller's state.
func state(sf store.Feed, f feed.Feed) store.Feed {
	sf.ETag, sf.LastModified, sf.LastPolled, sf.LastError, sf.Seen = f.ETag, f.LastModified, f.LastPolled, f.LastError, f.Seen
	return sf
}

// WatchFeeds polls every feed now and then every interval, until ctx
// ends; failures are logged (and kept in each feed's LastError).
func (a *App) WatchFeeds(ctx context.Context, every time.Duration) {
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := a.PollFeeds(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("feeds", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
