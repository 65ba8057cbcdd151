-- Web accounts: a password (argon2id, encoded with its parameters) for
-- users who log in by browser, and their sessions. A session is known by
-- the SHA-256 of its cookie; csrf is the token every form must carry.
ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_name  TEXT NOT NULL REFERENCES users (name),
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_name);

-- The party that filed a report (a party's own claim), for what its
-- liaison may see.
ALTER TABLE reports ADD COLUMN party TEXT NOT NULL DEFAULT '';
CREATE INDEX reports_party ON reports (party) WHERE party <> '';
