-- Reference files an operator loads without rebuilding truce: actor
-- registry files (kind "actors", name: the file's base name) and
-- territorial control layers (kind "control", name: the layer's id).
-- Every file is kept as loaded and never changed: a new file for the same
-- kind and name is a new row, the latest of which is used. Each row is in
-- the log ("reference_file", key kind/name/id). The id is given by the
-- store (the next after the largest), not by the engine, so that a
-- restored PostgreSQL backup needs no sequence set.
CREATE TABLE reference_files (
    id        INTEGER PRIMARY KEY,
    kind      TEXT NOT NULL,
    name      TEXT NOT NULL,
    file      TEXT NOT NULL,
    source    BLOB NOT NULL,
    loaded_at TEXT NOT NULL
);
CREATE INDEX reference_files_name ON reference_files (kind, name, id);
