-- What the text search reads, in columns of their own (on SQLite the
-- documents are now stored packed, where SQL cannot read into them; the
-- same columns here keep one search for both engines).
--
-- A report's description (the staff search every report's words).
ALTER TABLE reports ADD COLUMN description TEXT NOT NULL DEFAULT '';
UPDATE reports SET description = coalesce(CAST(doc AS jsonb) ->> 'description', '');

-- An incident's title, whether it is a protected report's words (then
-- only the staff find the incident by it), and the public names it is
-- found by: its place's and its actors', one a line.
ALTER TABLE incidents ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN title_protected BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE incidents ADD COLUMN words TEXT NOT NULL DEFAULT '';
UPDATE incidents SET
    title = coalesce(CAST(doc AS jsonb) ->> 'title', ''),
    title_protected = coalesce(CAST(CAST(doc AS jsonb) ->> 'title_protected' AS boolean), false),
    words = coalesce(CAST(doc AS jsonb) -> 'place' ->> 'name', '') ||
        coalesce((SELECT string_agg(E'\n' || coalesce(a.value ->> 'name', ''), '' ORDER BY a.ord)
            FROM jsonb_array_elements(CASE WHEN jsonb_typeof(CAST(doc AS jsonb) -> 'actors') = 'array' THEN CAST(doc AS jsonb) -> 'actors' ELSE CAST('[]' AS jsonb) END)
                WITH ORDINALITY AS a(value, ord)), '');
