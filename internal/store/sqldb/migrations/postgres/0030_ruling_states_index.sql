-- The index migration 0029 dropped, with the copy of the state.
CREATE INDEX rulings_verdict ON rulings (agreement_id, verdict, occurred_start, incident_id, occurred_end) INCLUDE (merged_into, version, outcome, parties, clauses, guarantors, state);
