-- See ../sqlite/0012_delivery.sql.
CREATE TABLE delivery_subscriptions (
    id          TEXT PRIMARY KEY,
    user_name   TEXT NOT NULL,
    channel     TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    secret      TEXT NOT NULL DEFAULT '',
    token_hash  TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL DEFAULT '',
    party       TEXT NOT NULL DEFAULT '',
    zone        TEXT NOT NULL DEFAULT '',
    area        TEXT NOT NULL DEFAULT '',
    verdict     TEXT NOT NULL DEFAULT '',
    severity    TEXT NOT NULL DEFAULT '',
    public_only INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL
);
CREATE INDEX delivery_subscriptions_user ON delivery_subscriptions (user_name);
CREATE UNIQUE INDEX delivery_subscriptions_token ON delivery_subscriptions (token_hash) WHERE token_hash <> '';

-- state: pending (due at next_at, leased to a worker until lease_until),
-- delivered, failed (given up), feed (an Atom subscription's: read, not
-- sent). message_at orders a feed.
CREATE TABLE delivery_outbox (
    subscription_id TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    payload         TEXT NOT NULL,
    public          INTEGER NOT NULL DEFAULT 0,
    message_at      TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_at         TEXT NOT NULL DEFAULT '',
    lease_until     TEXT NOT NULL DEFAULT '',
    last_error      TEXT NOT NULL DEFAULT '',
    enqueued_at     TEXT NOT NULL,
    delivered_at    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (subscription_id, message_id)
);
CREATE INDEX delivery_outbox_due ON delivery_outbox (state, next_at);

CREATE TABLE delivery_attempts (
    subscription_id TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    attempt         INTEGER NOT NULL,
    status          TEXT NOT NULL,
    error           TEXT NOT NULL DEFAULT '',
    at              TEXT NOT NULL,
    PRIMARY KEY (subscription_id, message_id, attempt)
);

-- The party notifications already handed to the outbox. Those made
-- before delivery existed are marked here as handed over: a subscription
-- gets what happens from now on, not the inbox's whole past.
CREATE TABLE delivery_notified (
    notification_id BIGINT PRIMARY KEY,
    enqueued_at     TEXT NOT NULL
);
INSERT INTO delivery_notified (notification_id, enqueued_at) SELECT id, '' FROM notifications;
