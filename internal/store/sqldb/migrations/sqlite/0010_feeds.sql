-- News feeds the node polls (RSS, Atom), with the poller's state: the
-- server's validators for a conditional GET, when the feed was last
-- polled and why that failed, and the keys of the items already taken
-- (a JSON list). The state is bookkeeping, not a record, and is not in
-- the log; the reports the items make are imported and logged as any.
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
