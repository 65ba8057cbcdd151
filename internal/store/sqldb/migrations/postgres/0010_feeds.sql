-- See ../sqlite/0010_feeds.sql.
CREATE TABLE feeds (
    url           TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    etag          TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    last_polled   TEXT NOT NULL DEFAULT '',
    last_error    TEXT NOT NULL DEFAULT '',
    seen          TEXT NOT NULL DEFAULT '[]',
    added_at      TEXT NOT NULL
);
