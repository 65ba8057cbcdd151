-- Indexes for the incident filters (Filter), each checked against the
-- plan of the very query Incidents runs by TestFilterIndexes.
--
-- Admin matches a P-code prefix with LIKE, which SQLite answers from an
-- index only when the index compares as LIKE does (without case), and
-- PostgreSQL only with text_pattern_ops: the same names, each engine's
-- own kind. The area index holds only the incidents known by their area
-- alone, the other half of the Admin condition.
DROP INDEX incidents_admin3;
CREATE INDEX incidents_admin3 ON incidents (admin3 COLLATE NOCASE);
CREATE INDEX incidents_area ON incidents (area COLLATE NOCASE) WHERE admin3 = '';
-- From bounds the end of an incident's span, which incidents_time (by
-- its start) cannot answer: a recent period is read from this index, an
-- old one from incidents_time.
CREATE INDEX incidents_end ON incidents (occurred_end);
-- The review queue (State), in time order.
CREATE INDEX incidents_state ON incidents (state, occurred_start);
-- A page of the list in time order (the web list, newest first): the
-- order is Incidents' own, so the page is read from the index and stops
-- at the limit instead of sorting every incident.
CREATE INDEX incidents_start ON incidents (occurred_start, id);
