package sqldb

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
)

// A ruling is written only when it differs from the stored one, so that
// ruling a period again (truce rule) reads and compares, and writes only
// what changed. What is compared is everything a write would set, as
// stored: the rulings row (version, verdict, outcome, the lists of
// parties, clauses and guarantors, and the document, byte for byte against
// the fresh ruling's JSON, which encoding/json writes the same way for the
// same ruling), its ruling_parties, and, for
// a violation, the accused parties' notifications. A row altered by hand
// is therefore written again, as before; only ruled_at, the time of the
// last write, is left as it was when nothing changed. No digest column is
// kept: one would have to be compared with the document anyway to catch
// an altered document, and the document is already read in the same row.
// What the ruling was made from (inputs, migration 0020) is compared too:
// a ruling that is the same but made from other inputs (the incident's
// document or the agreement changed, and the ruling did not) has only
// that column written, so that the next truce rule finds it current.

// rulingsChunk is how many incidents one look-up of stored rulings
// covers (well under SQLite's and PostgreSQL's limits on parameters).
const rulingsChunk = 256

// freshRuling is a ruling to store with its document.
type freshRuling struct {
	store.IncidentRuling
	doc []byte
	// inputsOnly: the stored ruling is the same, only what it was made
	// from differs.
	inputsOnly bool
}

type rulingKey struct {
	incident  int64
	agreement string
}

// storedRuling is what is stored of one ruling.
type storedRuling struct {
	version          int
	verdict, outcome string
	doc              []byte
	parties          []string
	inputs           []byte
	// lists are the parties, clauses and guarantors columns (listColumn).
	lists [3]string
}

// changedRulings returns the rulings that differ from the stored ones (or
// have none stored), in the order given; of two rulings of the same
// incident under the same agreement, the last counts, as when both were
// written in turn.
func (s *Store) changedRulings(ctx context.Context, rulings []store.IncidentRuling) ([]freshRuling, error) {
	var changed []freshRuling
	for start := 0; start < len(rulings); start += rulingsChunk {
		chunk := rulings[start:min(start+rulingsChunk, len(rulings))]
		stored, err := s.storedRulings(ctx, chunk)
		if err != nil {
			return nil, err
		}
		last := map[rulingKey]int{}
		for i, ir := range chunk {
			last[rulingKey{ir.IncidentID, ir.Ruling.Agreement}] = i
		}
		for i, ir := range chunk {
			k := rulingKey{ir.IncidentID, ir.Ruling.Agreement}
			if last[k] != i {
				continue
			}
			doc, err := json.Marshal(ir.Ruling)
			if err != nil {
				return nil, fmt.Errorf("incident %d: %w", ir.IncidentID, err)
			}
			same, err := s.sameRuling(ctx, stored[k], ir, doc)
			if err != nil {
				return nil, err
			}
			switch {
			case !same:
				changed = append(changed, freshRuling{IncidentRuling: ir, doc: doc})
			case !bytes.Equal(stored[k].inputs, ir.Inputs):
				changed = append(changed, freshRuling{IncidentRuling: ir, inputsOnly: true})
			}
		}
	}
	return changed, nil
}

// storedRulings reads the stored rulings of the incidents of chunk.
func (s *Store) storedRulings(ctx context.Context, chunk []store.IncidentRuling) (map[rulingKey]*storedRuling, error) {
	ids := make([]any, 0, len(chunk))
	seen := map[int64]bool{}
	for _, ir := range chunk {
		if !seen[ir.IncidentID] {
			seen[ir.IncidentID] = true
			ids = append(ids, ir.IncidentID)
		}
	}
	in := values(1, len(ids))
	out := map[rulingKey]*storedRuling{}
	rows, err := s.query(ctx, `SELECT incident_id, agreement_id, version, verdict, outcome, doc, inputs, parties, clauses, guarantors FROM rulings WHERE incident_id IN `+in, ids...)
	if err != nil {
		return nil, fmt.Errorf("stored rulings: %w", err)
	}
	for rows.Next() {
		var k rulingKey
		r := &storedRuling{}
		if err := rows.Scan(&k.incident, &k.agreement, &r.version, &r.verdict, &r.outcome, s.docs.into(&r.doc), &r.inputs, &r.lists[0], &r.lists[1], &r.lists[2]); err != nil {
			rows.Close()
			return nil, err
		}
		out[k] = r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("stored rulings: %w", err)
	}
	rows, err = s.query(ctx, `SELECT incident_id, agreement_id, party FROM ruling_parties WHERE incident_id IN `+in, ids...)
	if err != nil {
		return nil, fmt.Errorf("stored ruling parties: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k rulingKey
		var party string
		if err := rows.Scan(&k.incident, &k.agreement, &party); err != nil {
			return nil, err
		}
		if r := out[k]; r != nil {
			r.parties = append(r.parties, party)
		}
		// Parties without their rulings row: the ruling is missing, and
		// written again, which replaces them.
	}
	return out, rows.Err()
}

// sameRuling reports whether writing ir (whose document is doc) over
// stored would change nothing.
func (s *Store) sameRuling(ctx context.Context, stored *storedRuling, ir store.IncidentRuling, doc []byte) (bool, error) {
	r := ir.Ruling
	if stored == nil || stored.version != r.Version || stored.verdict != string(r.Verdict) || stored.outcome != r.Outcome() || !bytes.Equal(stored.doc, doc) {
		return false, nil
	}
	// The lists the summaries and truce rule count by (migration 0016).
	if stored.lists != [3]string{listColumn(r.Parties), listColumn(r.Clauses), listColumn(r.Guarantors)} {
		return false, nil
	}
	parties := slices.Clone(r.Parties)
	slices.Sort(parties)
	parties = slices.Compact(parties)
	slices.Sort(stored.parties)
	if !slices.Equal(stored.parties, parties) {
		return false, nil
	}
	if r.Verdict != ruling.Violation {
		return true, nil
	}
	// Notifications are never removed, so one is missing only if it was
	// deleted by hand; a write puts it back.
	for _, p := range parties {
		var one int
		err := s.queryRow(ctx, `SELECT 1 FROM notifications WHERE party = ? AND incident_id = ? AND agreement_id = ?`, p, ir.IncidentID, r.Agreement).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("notifications of incident %d: %w", ir.IncidentID, err)
		}
	}
	return true, nil
}
