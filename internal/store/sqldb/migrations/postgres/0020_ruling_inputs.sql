-- What each ruling was made from (issue 17, item 4): the SHA-256 of the
-- key the application rules with (the engine, the agreement, the actors
-- and control layers: app.rulingKey) followed by the incident's document
-- as stored when it was ruled. truce rule rules again only the incidents
-- whose stored ruling was not made from the facts and key of now, and
-- counts the others from their rulings rows. Empty for rulings stored
-- before, or by a path that gives no key: those are ruled again.
ALTER TABLE rulings ADD COLUMN inputs BYTEA NOT NULL DEFAULT ''::bytea;
