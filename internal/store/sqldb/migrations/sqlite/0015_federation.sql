-- Federation (docs/federation.md): the peers this node follows and its
-- verified copy of each one's log and records, and the grants under which
-- it serves its own records to peers.
--
-- peers: a peer by its node name (the name of its log key). size is how
-- many of its entries are verified and stored here; checkpoint the latest
-- of its signed checkpoints this node verified (cosigned by this node).
-- A flagged peer (flag <> '') is pulled no more until an operator acts;
-- flag_index is the first bad index when there is one (-1 otherwise) and
-- proof_a, proof_b the two signed notes that contradict each other.
CREATE TABLE peers (
    name       TEXT PRIMARY KEY,
    url        TEXT NOT NULL,
    pubkey     TEXT NOT NULL,
    token      TEXT NOT NULL DEFAULT '',
    size       INTEGER NOT NULL DEFAULT 0,
    checkpoint TEXT NOT NULL DEFAULT '',
    flag       TEXT NOT NULL DEFAULT '',
    flag_index INTEGER NOT NULL DEFAULT -1,
    proof_a    TEXT NOT NULL DEFAULT '',
    proof_b    TEXT NOT NULL DEFAULT '',
    last_error TEXT NOT NULL DEFAULT '',
    last_pull  TEXT NOT NULL DEFAULT '',
    added_at   TEXT NOT NULL
);

-- A peer's log entries and stored hashes (tlog numbering), as verified.
CREATE TABLE peer_entries (
    peer TEXT NOT NULL,
    idx  INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (peer, idx)
);
CREATE TABLE peer_hashes (
    peer TEXT NOT NULL,
    idx  INTEGER NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (peer, idx)
);

-- A peer's records, each verified against its entry before it was stored
-- (content is the record as served: a report revision or an incident
-- event, JSON). local_id is the report this node made of it (0 until it
-- is imported, and for events).
CREATE TABLE peer_records (
    peer       TEXT NOT NULL,
    idx        INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    record_key TEXT NOT NULL,
    content    TEXT NOT NULL,
    local_id   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (peer, idx)
);
CREATE INDEX peer_records_pending ON peer_records (peer, kind, local_id, idx);

-- Which reports (as this node stores them: source, source_id) a peer's
-- incident event was about, so that its findings show on the local
-- incident holding them.
CREATE TABLE peer_event_reports (
    peer      TEXT NOT NULL,
    idx       INTEGER NOT NULL,
    source    TEXT NOT NULL,
    source_id TEXT NOT NULL,
    PRIMARY KEY (peer, idx, source, source_id)
);
CREATE INDEX peer_event_reports_report ON peer_event_reports (source, source_id);

-- Signed checkpoints of any node, as this node received them: from the
-- node itself (via = '') or gossiped by another (via = that node). Kept
-- whole, signatures and cosignatures, as the evidence a fork alert cites.
CREATE TABLE peer_checkpoints (
    node        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    root        TEXT NOT NULL,
    via         TEXT NOT NULL,
    note        TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (node, size, root, via)
);

-- Grants: what this node serves to a peer presenting the token whose
-- SHA-256 is token_hash. kinds lists the report kinds served (comma
-- separated, '' for all); events says whether incident events are, and
-- evidence whether evidence files are (they can show who was where: not
-- by default).
CREATE TABLE peer_grants (
    name       TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    kinds      TEXT NOT NULL DEFAULT '',
    events     INTEGER NOT NULL DEFAULT 1,
    evidence   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

-- A peer asks for records by their log entries, which name a report by its
-- log key.
CREATE INDEX reports_logged_as ON reports (log_key);
