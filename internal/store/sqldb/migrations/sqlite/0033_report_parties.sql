-- A party's liaison sees the incidents it filed a report on (issue 17,
-- item 8): each page tests, for every unpublished incident it passes,
-- whether one of its reports has the party. The party column came after
-- the documents (migration 0005), so the test read each report's row,
-- documents and all; both indexes of the reports now answer it alone
-- (SQLite uses the first: a partial index only serves a query whose
-- terms imply its condition, and `party = ?` does not imply `party <> ''`).
DROP INDEX reports_incident;
CREATE INDEX reports_incident ON reports (incident_id, party);
DROP INDEX reports_party;
CREATE INDEX reports_party ON reports (party, incident_id) WHERE party <> '';
