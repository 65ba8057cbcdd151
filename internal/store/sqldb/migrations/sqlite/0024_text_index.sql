-- Trigram indexes of what the text search reads (issue 17, item 8): the
-- search matches text anywhere in a value, which no B-tree can find, so
-- that at a million incidents a search for a rare word read every
-- incident and every report's description (ten seconds, then refused as
-- too broad). A search now asks these indexes first for the incidents
-- holding every three-character piece of its text, then tests those as
-- before (Store.textIndex), so that it matches exactly what it matched.
--
-- Contentless (the text is in incidents and reports already) and without
-- positions (detail=none: the pieces are asked for one by one, not as a
-- phrase), which keeps them small; contentless_delete lets a changed row
-- be taken out. What the public may search (an incident's act, its names
-- one a line, its title unless that is a protected report's words) is
-- kept apart from what only staff search (protected titles, reports'
-- descriptions), so that the public's searches never touch the latter,
-- not even in how long they take.
CREATE VIRTUAL TABLE incident_text USING fts5(t, content='', contentless_delete=1, detail='none', tokenize='trigram');
CREATE VIRTUAL TABLE protected_text USING fts5(t, content='', contentless_delete=1, detail='none', tokenize='trigram');
CREATE VIRTUAL TABLE report_text USING fts5(t, content='', contentless_delete=1, detail='none', tokenize='trigram');

-- FTS5 writes what a statement added as a segment of its own and merges
-- segments as they pile up; merging sixteen at a time rather than four
-- took 5 to 10% off a bulk import's CPU (a search reads a few more
-- segments, in milliseconds still).
INSERT INTO incident_text (incident_text, rank) VALUES ('automerge', 16);
INSERT INTO protected_text (protected_text, rank) VALUES ('automerge', 16);
INSERT INTO report_text (report_text, rank) VALUES ('automerge', 16);

INSERT INTO incident_text (rowid, t)
SELECT id, act || char(10) || words || char(10) || CASE WHEN title_protected THEN '' ELSE title END FROM incidents;
INSERT INTO protected_text (rowid, t) SELECT id, title FROM incidents WHERE title_protected AND title <> '';
INSERT INTO report_text (rowid, t) SELECT id, description FROM reports WHERE description <> '';

CREATE TRIGGER incident_text_insert AFTER INSERT ON incidents BEGIN
    INSERT INTO incident_text (rowid, t)
    VALUES (new.id, new.act || char(10) || new.words || char(10) || CASE WHEN new.title_protected THEN '' ELSE new.title END);
    INSERT INTO protected_text (rowid, t) SELECT new.id, new.title WHERE new.title_protected AND new.title <> '';
END;
CREATE TRIGGER incident_text_update AFTER UPDATE OF act, words, title, title_protected ON incidents
WHEN old.act IS NOT new.act OR old.words IS NOT new.words OR old.title IS NOT new.title OR old.title_protected IS NOT new.title_protected BEGIN
    DELETE FROM incident_text WHERE rowid = old.id;
    DELETE FROM protected_text WHERE rowid = old.id;
    INSERT INTO incident_text (rowid, t)
    VALUES (new.id, new.act || char(10) || new.words || char(10) || CASE WHEN new.title_protected THEN '' ELSE new.title END);
    INSERT INTO protected_text (rowid, t) SELECT new.id, new.title WHERE new.title_protected AND new.title <> '';
END;
CREATE TRIGGER incident_text_delete AFTER DELETE ON incidents BEGIN
    DELETE FROM incident_text WHERE rowid = old.id;
    DELETE FROM protected_text WHERE rowid = old.id;
END;

CREATE TRIGGER report_text_insert AFTER INSERT ON reports WHEN new.description <> '' BEGIN
    INSERT INTO report_text (rowid, t) VALUES (new.id, new.description);
END;
CREATE TRIGGER report_text_update AFTER UPDATE OF description ON reports
WHEN old.description IS NOT new.description BEGIN
    DELETE FROM report_text WHERE rowid = old.id;
    INSERT INTO report_text (rowid, t) SELECT new.id, new.description WHERE new.description <> '';
END;
CREATE TRIGGER report_text_delete AFTER DELETE ON reports BEGIN
    DELETE FROM report_text WHERE rowid = old.id;
END;
