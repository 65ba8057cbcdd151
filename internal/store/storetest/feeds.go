package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/store"
)

// testFeeds: feeds are added once (a second add renames), listed by name,
// and their state is saved and read back whole; the state of a feed not
// kept is refused; none of it is in the log.
func testFeeds(t *testing.T, s store.Store) {
	ctx := context.Background()
	if fs, err := s.Feeds(ctx); err != nil || len(fs) != 0 {
		t.Fatalf("empty store: %v %v", fs, err)
	}
	size, err := s.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutFeed(ctx, "https://b.example.org/rss", "b-watch"); err != nil {
		t.Fatal(err)
	}
	if err := s.PutFeed(ctx, "https://a.example.org/atom", "z-monitor"); err != nil {
		t.Fatal(err)
	}
	if err := s.PutFeed(ctx, "https://a.example.org/atom", "a-monitor"); err != nil {
		t.Fatal(err)
	}
	fs, err := s.Feeds(ctx)
	if err != nil || len(fs) != 2 || fs[0].URL != "https://a.example.org/atom" || fs[0].Name != "a-monitor" || fs[1].Name != "b-watch" {
		t.Fatalf("feeds %+v %v", fs, err)
	}
	if f := fs[0]; f.ETag != "" || !f.LastPolled.IsZero() || f.LastError != "" || len(f.Seen) != 0 || f.AddedAt.IsZero() {
		t.Errorf("new feed %+v", f)
	}
	polled := time.Date(2017, 1, 3, 10, 0, 0, 123000000, time.UTC)
	want := store.Feed{URL: "https://a.example.org/atom", Name: "a-monitor", ETag: `W/"v2"`, LastModified: "Tue, 03 Jan 2017 10:00:00 GMT",
		LastPolled: polled, LastError: "answered HTTP 503", Seen: []string{"link:ab", "text:cd", "قصف"}}
	if err := s.SaveFeedState(ctx, want); err != nil {
		t.Fatal(err)
	}
	fs, _ = s.Feeds(ctx)
	got := fs[0]
	if got.ETag != want.ETag || got.LastModified != want.LastModified || !got.LastPolled.Equal(polled) || got.LastError != want.LastError || !slices.Equal(got.Seen, want.Seen) {
		t.Errorf("state read back %+v, want %+v", got, want)
	}
	// Renaming keeps the state.
	if err := s.PutFeed(ctx, want.URL, "renamed"); err != nil {
		t.Fatal(err)
	}
	fs, _ = s.Feeds(ctx)
	if i := slices.IndexFunc(fs, func(f store.Feed) bool { return f.URL == want.URL }); i < 0 || fs[i].Name != "renamed" || fs[i].ETag != want.ETag || len(fs[i].Seen) != 3 {
		t.Errorf("renamed feed %+v", fs)
	}
	// A state without items seen reads back as none.
	want.Seen, want.LastError = nil, ""
	if err := s.SaveFeedState(ctx, want); err != nil {
		t.Fatal(err)
	}
	fs, _ = s.Feeds(ctx)
	if i := slices.IndexFunc(fs, func(f store.Feed) bool { return f.URL == want.URL }); len(fs[i].Seen) != 0 || fs[i].LastError != "" {
		t.Errorf("cleared state %+v", fs[i])
	}
	if err := s.SaveFeedState(ctx, store.Feed{URL: "https://nowhere.example/"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("state of a feed not kept: %v", err)
	}
	if after, _ := s.LogSize(ctx); after != size {
		t.Errorf("feeds went into the log: %d entries, was %d", after, size)
	}
}
