-- See ../sqlite/0005_accounts.sql.
ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_name  TEXT NOT NULL REFERENCES users (name),
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_name);

ALTER TABLE reports ADD COLUMN party TEXT NOT NULL DEFAULT '';
CREATE INDEX reports_party ON reports (party) WHERE party <> '';
