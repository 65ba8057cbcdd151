package sqldb

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/truce-monitor/truce/internal/store"
)

// PutFeed implements store.Feeds.
func (s *Store) PutFeed(ctx context.Context, url, name string) error {
	err := s.tx(ctx, func(w *txw) error {
		_, err := w.exec(ctx, `INSERT INTO feeds (url, name, added_at) VALUES (?, ?, ?)
			ON CONFLICT (url) DO UPDATE SET name = excluded.name`, url, name, ts(time.Now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("store feed %s: %w", url, err)
	}
	return nil
}

// Feeds implements store.Feeds.
func (s *Store) Feeds(ctx context.Context) ([]store.Feed, error) {
	rows, err := s.query(ctx, `SELECT url, name, etag, last_modified, last_polled, last_error, seen, added_at FROM feeds ORDER BY name, url`)
	if err != nil {
		return nil, fmt.Errorf("list feeds: %w", err)
	}
	defer rows.Close()
	var out []store.Feed
	for rows.Next() {
		var f store.Feed
		var polled, seen, added string
		if err := rows.Scan(&f.URL, &f.Name, &f.ETag, &f.LastModified, &polled, &f.LastError, &seen, &added); err != nil {
			return nil, err
		}
		if f.LastPolled, err = parseTS(polled); err != nil {
			return nil, fmt.Errorf("feed %s: last polled: %w", f.URL, err)
		}
		if f.AddedAt, err = parseTS(added); err != nil {
			return nil, fmt.Errorf("feed %s: added: %w", f.URL, err)
		}
		if err := unmarshal(seen, &f.Seen); err != nil {
			return nil, fmt.Errorf("feed %s: items seen: %w", f.URL, err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// SaveFeedState implements store.Feeds.
func (s *Store) SaveFeedState(ctx context.Context, f store.Feed) error {
	seen, err := json.Marshal(f.Seen)
	if err != nil {
		return err
	}
	if f.Seen == nil {
		seen = []byte("[]")
	}
	err = s.tx(ctx, func(w *txw) error {
		return w.execOne(ctx, `UPDATE feeds SET etag = ?, last_modified = ?, last_polled = ?, last_error = ?, seen = ? WHERE url = ?`,
			f.ETag, f.LastModified, ts(f.LastPolled), f.LastError, string(seen), f.URL)
	})
	if err != nil {
		return fmt.Errorf("save feed %s: %w", f.URL, err)
	}
	return nil
}
