-- The indexes migration 0026 dropped, with the copy of the end. It is a
-- key column, not an included one, so that the condition on it is tested
-- on the index entries (an Index Cond) and not on each row fetched.
CREATE INDEX rulings_verdict ON rulings (agreement_id, verdict, occurred_start, incident_id, occurred_end) INCLUDE (merged_into, version, outcome, parties, clauses, guarantors);
CREATE INDEX ruling_parties_party ON ruling_parties (agreement_id, party, occurred_start, incident_id, occurred_end) INCLUDE (verdict, merged_into);
