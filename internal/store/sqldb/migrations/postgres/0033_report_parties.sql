-- A party's liaison sees the incidents it filed a report on (issue 17,
-- item 8): each page tests, for every unpublished incident it passes,
-- whether one of its reports has the party. PostgreSQL looked it up in
-- reports_party, by the party alone, reading all of the party's reports
-- for each incident; both indexes of the reports now answer it alone.
DROP INDEX reports_incident;
CREATE INDEX reports_incident ON reports (incident_id, party);
DROP INDEX reports_party;
CREATE INDEX reports_party ON reports (party, incident_id) WHERE party <> '';
