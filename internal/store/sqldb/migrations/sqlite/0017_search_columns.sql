-- What the text search reads, in columns of their own: on SQLite the
-- documents of incidents, reports and rulings are now stored packed
-- (docs.go), where SQL cannot read into them. Documents stored before
-- this migration are JSON text, from which the columns are filled.
--
-- A report's description (the staff search every report's words).
ALTER TABLE reports ADD COLUMN description TEXT NOT NULL DEFAULT '';
UPDATE reports SET description = coalesce(json_extract(doc, '$.description'), '') WHERE json_valid(doc);

-- An incident's title, whether it is a protected report's words (then
-- only the staff find the incident by it), and the public names it is
-- found by: its place's and its actors', one a line.
ALTER TABLE incidents ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN title_protected INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN words TEXT NOT NULL DEFAULT '';
UPDATE incidents SET
    title = coalesce(json_extract(doc, '$.title'), ''),
    title_protected = coalesce(json_extract(doc, '$.title_protected'), 0),
    words = coalesce(json_extract(doc, '$.place.name'), '') ||
        coalesce((SELECT group_concat(char(10) || coalesce(json_extract(a.value, '$.name'), ''), '') FROM json_each(doc, '$.actors') AS a), '')
WHERE json_valid(doc);
