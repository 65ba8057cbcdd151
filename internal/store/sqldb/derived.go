package sqldb

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/cluster"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// The state the application derives from the logged records (where each
// report stands, an incident's facts, state and rulings) is stored beside
// them for listings and filters. A deep verification (truce verify -deep)
// reads it raw with the functions here and compares it with what the
// logged records give when the rules are run again.

// ExpectedIncidentRow is the row putIncident stores for in, with its
// workflow status: the one rule for what an incident's row holds.
func (s *Store) ExpectedIncidentRow(in incident.Incident, grade workflow.Grade, assignee string) (store.IncidentRow, error) {
	return expectedIncidentRow(in, grade, assignee)
}

func expectedIncidentRow(in incident.Incident, grade workflow.Grade, assignee string) (store.IncidentRow, error) {
	doc, err := incidentDoc(in)
	if err != nil {
		return store.IncidentRow{}, err
	}
	datasets := ""
	if len(in.Datasets) > 0 {
		datasets = "|" + strings.Join(in.Datasets, "|") + "|"
	}
	return store.IncidentRow{
		ID: in.ID, Start: ts(in.Occurred.Start), End: ts(in.Occurred.End),
		Admin1: in.Place.Admin1, Admin2: in.Place.Admin2, Admin3: in.Place.Admin3, Area: in.Place.Area,
		Act: string(in.Act), State: string(in.State), Doc: doc, Grade: string(grade), Assignee: assignee,
		Datasets: datasets, Cell: incidentCell(in),
		Title: in.Title, TitleProtected: in.TitleProtected, Words: incidentWords(in),
	}, nil
}

// incidentWords is what everyone may find an incident by besides its
// title and act: its place's name and its actors' names, one a line.
func incidentWords(in incident.Incident) string {
	var b strings.Builder
	b.WriteString(in.Place.Name)
	for _, a := range in.Actors {
		b.WriteByte('\n')
		b.WriteString(a.Name)
	}
	return b.String()
}

// incidentCell is the clustering grid cell of an incident's point, 0 when
// it has no meaningful point (the search then goes by its governorate).
func incidentCell(in incident.Incident) int64 {
	if in.Place.HasPoint && in.Place.Precision.PointMeaningful() {
		return cluster.Cell(in.Place.Lat, in.Place.Lon)
	}
	return 0
}

// EachIncidentRow calls fn with every incident's row, by id.
func (s *Store) EachIncidentRow(ctx context.Context, fn func(store.IncidentRow) error) error {
	rows, err := s.query(ctx, `SELECT id, occurred_start, occurred_end, admin1, admin2, admin3, area, act, state, doc, grade, assignee, datasets, cell, merged_into,
		title, title_protected, words FROM incidents ORDER BY id`)
	if err != nil {
		return fmt.Errorf("incident rows: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r store.IncidentRow
		if err := rows.Scan(&r.ID, &r.Start, &r.End, &r.Admin1, &r.Admin2, &r.Admin3, &r.Area, &r.Act, &r.State, s.docs.intoText(&r.Doc), &r.Grade, &r.Assignee, &r.Datasets, &r.Cell, &r.MergedInto,
			&r.Title, &r.TitleProtected, &r.Words); err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EachReportPlacement calls fn with every report's placement columns, by
// id.
func (s *Store) EachReportPlacement(ctx context.Context, fn func(store.ReportPlacement) error) error {
	rows, err := s.query(ctx, `SELECT id, incident_id, placed_in, joined, placed_why, pinned FROM reports ORDER BY id`)
	if err != nil {
		return fmt.Errorf("report placements: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r store.ReportPlacement
		var pinned int
		if err := rows.Scan(&r.ID, &r.IncidentID, &r.PlacedIn, &r.Joined, &r.PlacedWhy, &pinned); err != nil {
			return fmt.Errorf("report placements: %w", err)
		}
		r.Pinned = pinned != 0
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EachReportRow calls fn with the row of every report stored in an
// incident from to to (inclusive), by incident then id.
func (s *Store) EachReportRow(ctx context.Context, from, to int64, fn func(store.ReportRow) error) error {
	return s.reportRows(ctx, `r.incident_id BETWEEN ? AND ? ORDER BY r.incident_id, r.id`, []any{from, to}, fn)
}

// ReportRow returns report id's row.
func (s *Store) ReportRow(ctx context.Context, id int64) (store.ReportRow, error) {
	var out store.ReportRow
	found := false
	err := s.reportRows(ctx, `r.id = ?`, []any{id}, func(r store.ReportRow) error {
		out, found = r, true
		return nil
	})
	if err == nil && !found {
		err = fmt.Errorf("report %d: %w", id, sql.ErrNoRows)
	}
	return out, err
}

// reportRows calls fn with the rows of the reports where (and ordered as)
// where says.
func (s *Store) reportRows(ctx context.Context, where string, args []any, fn func(store.ReportRow) error) error {
	rows, err := s.query(ctx, `SELECT r.id, r.incident_id, r.placed_in, r.source, r.source_id, r.party, r.owner, r.doc, r.joined, r.placed_why, r.log_key, r.pinned, r.description,
		r.original_digest, r.original, coalesce(f.format, '') FROM reports r LEFT JOIN original_formats f ON f.id = r.format_id WHERE `+where, args...)
	if err != nil {
		return fmt.Errorf("report rows: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r store.ReportRow
		var pinned int
		var original, format sql.RawBytes
		if err := rows.Scan(&r.ID, &r.IncidentID, &r.PlacedIn, &r.Source, &r.SourceID, &r.Party, &r.Owner, s.docs.intoText(&r.Doc), &r.Joined, &r.PlacedWhy, &r.LogKey, &pinned, &r.Description,
			&r.OriginalDigest, &original, &format); err != nil {
			return err
		}
		sum := ledger.ReportSum(original, format, []byte(r.Doc), r.PlacedIn, r.PlacedWhy)
		r.Digest = hex.EncodeToString(sum[:])
		r.Pinned = pinned != 0
		if err := unmarshal(r.Doc, &r.Report); err != nil {
			return fmt.Errorf("report %d: %w", r.ID, err)
		}
		r.Report.ID, r.Report.IncidentID = r.ID, r.IncidentID
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EachEventRow calls fn with every incident event, in log order.
func (s *Store) EachEventRow(ctx context.Context, fn func(store.EventRow) error) error {
	rows, err := s.query(ctx, `SELECT e.incident_id, coalesce(l.idx, -1), e.action, e.by_user, e.at, e.doc FROM incident_events e
		LEFT JOIN log_entries l ON l.kind = 'incident_event' AND l.record_key = CAST(e.incident_id AS TEXT) || '/' || CAST(e.seq AS TEXT)
		ORDER BY coalesce(l.idx, -1), e.incident_id, e.seq`)
	if err != nil {
		return fmt.Errorf("event rows: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r store.EventRow
		var doc string
		if err := rows.Scan(&r.Incident, &r.LogIndex, &r.Action, &r.By, &r.At, &doc); err != nil {
			return err
		}
		if err := unmarshal(doc, &r.Event); err != nil {
			return fmt.Errorf("incident %d event: %w", r.Incident, err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EventColumns are the columns an event's row holds beside its document,
// as appendEvent writes them.
func (s *Store) EventColumns(e workflow.Event) (action, by, at string) {
	return string(e.Action), e.By, ts(e.At)
}

// RulingRows returns the stored rulings of the incidents from to to
// (inclusive), by incident and agreement.
func (s *Store) RulingRows(ctx context.Context, from, to int64) (map[int64]map[string]*store.RulingRow, error) {
	out := map[int64]map[string]*store.RulingRow{}
	rows, err := s.query(ctx, `SELECT r.incident_id, r.agreement_id, r.version, r.verdict, r.outcome, r.doc, r.occurred_start, coalesce(i.occurred_start, ''), r.occurred_end, coalesce(i.occurred_end, ''), r.state, coalesce(i.state, ''), r.parties, r.clauses, r.guarantors, r.merged_into
		FROM rulings r LEFT JOIN incidents i ON i.id = r.incident_id WHERE r.incident_id BETWEEN ? AND ?`, from, to)
	if err != nil {
		return nil, fmt.Errorf("ruling rows: %w", err)
	}
	for rows.Next() {
		r := &store.RulingRow{}
		if err := rows.Scan(&r.Incident, &r.Agreement, &r.Version, &r.Verdict, &r.Outcome, s.docs.intoText(&r.Doc), &r.Start, &r.IncidentStart, &r.End, &r.IncidentEnd, &r.State, &r.IncidentState, &r.PartyList, &r.Clauses, &r.Guarantors, &r.Merged); err != nil {
			rows.Close()
			return nil, err
		}
		if out[r.Incident] == nil {
			out[r.Incident] = map[string]*store.RulingRow{}
		}
		out[r.Incident][r.Agreement] = r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.query(ctx, `SELECT incident_id, agreement_id, party, occurred_start, occurred_end, state, verdict, merged_into FROM ruling_parties WHERE incident_id BETWEEN ? AND ? ORDER BY party`, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var ag, party, start, end, state, verdict string
		var merged int64
		if err := rows.Scan(&id, &ag, &party, &start, &end, &state, &verdict, &merged); err != nil {
			return nil, err
		}
		r := out[id][ag]
		if r == nil {
			r = &store.RulingRow{Incident: id, Agreement: ag}
			if out[id] == nil {
				out[id] = map[string]*store.RulingRow{}
			}
			out[id][ag] = r
		}
		r.Parties = append(r.Parties, party)
		r.PartyStarts = append(r.PartyStarts, start)
		r.PartyEnds = append(r.PartyEnds, end)
		r.PartyStates = append(r.PartyStates, state)
		r.PartyVerdicts = append(r.PartyVerdicts, verdict)
		r.PartyMerged = append(r.PartyMerged, merged)
	}
	return out, rows.Err()
}

// EachPartyIncidentProblem implements store.Audit: party_incidents and
// party_pairs (migrations 0035 and 0036) against ruling_parties, the
// reports' parties and the incidents they copy.
func (s *Store) EachPartyIncidentProblem(ctx context.Context, fn func(incident int64, party, what string) error) error {
	for _, c := range []struct{ q, what string }{
		{`SELECT x.incident_id, x.party FROM (SELECT incident_id, party FROM ruling_parties WHERE party <> '' UNION SELECT incident_id, party FROM reports WHERE party <> '') x
			WHERE NOT EXISTS (SELECT 1 FROM party_incidents p WHERE p.incident_id = x.incident_id AND p.party = x.party) ORDER BY 1, 2`,
			"party_incidents lacks the pair: the party is accused in or filed the incident, and its liaison is not shown it"},
		{`SELECT p.incident_id, p.party FROM party_incidents p
			WHERE NOT EXISTS (SELECT 1 FROM ruling_parties r WHERE r.incident_id = p.incident_id AND r.party = p.party)
			AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.incident_id = p.incident_id AND r.party = p.party) ORDER BY 1, 2`,
			"party_incidents holds the pair, but the party is neither accused in nor filed the incident: its liaison is shown it"},
		{`SELECT p.incident_id, p.party FROM party_incidents p LEFT JOIN incidents i ON i.id = p.incident_id
			WHERE i.id IS NULL OR p.occurred_start <> i.occurred_start OR p.occurred_end <> i.occurred_end OR p.merged_into <> i.merged_into OR p.state <> i.state
			OR p.admin3 <> i.admin3 OR p.area <> i.area ORDER BY 1, 2`,
			"party_incidents' copies of the incident's start, end, merged_into, state and place differ from the incident's"},
		// party_pairs (migration 0036): a party's row for each other
		// party whose own incident it is.
		{`SELECT x.incident_id, x.viewer FROM (SELECT p.incident_id, p.agreement_id, p.party, v.party AS viewer FROM ruling_parties p JOIN party_incidents v ON v.incident_id = p.incident_id AND v.party <> p.party) x
			WHERE NOT EXISTS (SELECT 1 FROM party_pairs pp WHERE pp.incident_id = x.incident_id AND pp.agreement_id = x.agreement_id AND pp.party = x.party AND pp.viewer = x.viewer) ORDER BY 1, 2`,
			"party_pairs lacks a row: another party accused in the incident is not listed to this party's liaison"},
		{`SELECT pp.incident_id, pp.viewer FROM party_pairs pp
			WHERE pp.viewer = pp.party OR NOT EXISTS (SELECT 1 FROM ruling_parties p WHERE p.incident_id = pp.incident_id AND p.agreement_id = pp.agreement_id AND p.party = pp.party)
			OR NOT EXISTS (SELECT 1 FROM party_incidents v WHERE v.incident_id = pp.incident_id AND v.party = pp.viewer) ORDER BY 1, 2`,
			"party_pairs holds a row no party's row and incident of this party's make: its liaison is shown another party's row it may not see"},
		{`SELECT pp.incident_id, pp.viewer FROM party_pairs pp LEFT JOIN incidents i ON i.id = pp.incident_id
			WHERE i.id IS NULL OR pp.occurred_start <> i.occurred_start OR pp.occurred_end <> i.occurred_end OR pp.merged_into <> i.merged_into OR pp.state <> i.state ORDER BY 1, 2`,
			"party_pairs' copies of the incident's start, end, merged_into and state differ from the incident's"},
	} {
		rows, err := s.query(ctx, c.q)
		if err != nil {
			return fmt.Errorf("party incidents: %w", err)
		}
		for rows.Next() {
			var id int64
			var party string
			if err := rows.Scan(&id, &party); err != nil {
				rows.Close()
				return err
			}
			if err := fn(id, party, c.what); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("party incidents: %w", err)
		}
	}
	return nil
}

// EachNotified calls fn with every notification's incident, party and
// agreement, by incident. A notification whose incident is not a number
// (an edited row) names no incident and is not given.
func (s *Store) EachNotified(ctx context.Context, fn func(incident int64, party, agreement string) error) error {
	// Ordered by the column itself, not by the text the query gives
	// (which PostgreSQL would name incident_id and sort as text).
	rows, err := s.query(ctx, `SELECT CAST(n.incident_id AS TEXT), n.party, n.agreement_id FROM notifications n ORDER BY n.incident_id`)
	if err != nil {
		return fmt.Errorf("notifications: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, party, ag string
		if err := rows.Scan(&id, &party, &ag); err != nil {
			return err
		}
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			continue
		}
		if err := fn(n, party, ag); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EachEvidenceRow calls fn with every evidence file, one at a time.
func (s *Store) EachEvidenceRow(ctx context.Context, fn func(store.EvidenceRow) error) error {
	rows, err := s.query(ctx, `SELECT sha256, media_type, meta, added_by, size, data FROM evidence ORDER BY sha256`)
	if err != nil {
		return fmt.Errorf("evidence rows: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r store.EvidenceRow
		var data sql.RawBytes
		if err := rows.Scan(&r.SHA256, &r.MediaType, &r.Meta, &r.AddedBy, &r.Size, &data); err != nil {
			return err
		}
		r.Data = data
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// VersionRows returns every stored agreement version.
func (s *Store) VersionRows(ctx context.Context) ([]store.VersionRow, error) {
	rows, err := s.query(ctx, `SELECT agreement_id, version, label, effective_from, effective_to, digest, canonical FROM agreement_versions ORDER BY agreement_id, version`)
	if err != nil {
		return nil, fmt.Errorf("version rows: %w", err)
	}
	defer rows.Close()
	var out []store.VersionRow
	for rows.Next() {
		var v store.VersionRow
		if err := rows.Scan(&v.Agreement, &v.Version, &v.Label, &v.From, &v.To, &v.Digest, &v.Canonical); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// VersionColumns are the columns PutAgreement stores beside a version's
// canonical form.
func (s *Store) VersionColumns(v store.VersionRecord) (label, from, to string) {
	return v.Label, ts(v.EffectiveFrom), ts(v.EffectiveTo)
}

// EachLogKey calls fn with every log entry's kind and key columns (which
// index the entries for lookups) and its data.
func (s *Store) EachLogKey(ctx context.Context, fn func(index int64, kind, key string, data []byte) error) error {
	rows, err := s.query(ctx, `SELECT idx, kind, record_key, data FROM log_entries ORDER BY idx`)
	if err != nil {
		return fmt.Errorf("log keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var i int64
		var kind, key string
		var data sql.RawBytes
		if err := rows.Scan(&i, &kind, &key, &data); err != nil {
			return err
		}
		if err := fn(i, kind, key, data); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Recombine makes the facts of every incident overlapping [from, to)
// again from its reports, and rules and grades it, in transactions of a
// few hundred: after an upgrade that changes how reports combine, the
// stored facts are those of the old rules (truce verify -deep names them).
func (s *Store) Recombine(ctx context.Context, from, to time.Time, in store.Intake) (int, error) {
	var ids []int64
	conds, args := []string{"merged_into = 0"}, []any{}
	if !from.IsZero() {
		conds, args = append(conds, "occurred_end > ?"), append(args, ts(from))
	}
	if !to.IsZero() {
		conds, args = append(conds, "occurred_start < ?"), append(args, ts(to))
	}
	rows, err := s.query(ctx, `SELECT id FROM incidents WHERE `+strings.Join(conds, " AND ")+` ORDER BY id`, args...)
	if err != nil {
		return 0, fmt.Errorf("recombine: %w", err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	const batch = 500
	for i := 0; i < len(ids); i += batch {
		part := ids[i:min(i+batch, len(ids))]
		err := s.tx(ctx, func(w *txw) error {
			now := ts(time.Now())
			for _, id := range part {
				if err := recombine(ctx, w, id, in, now); err != nil {
					return err
				}
				if err := regrade(ctx, w, id, in.Grade); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return i, fmt.Errorf("recombine: %w", err)
		}
	}
	return len(ids), nil
}
