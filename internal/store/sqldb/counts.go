package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
)

// RulingCounts implements store.Store: one GROUP BY over the rulings (and
// their incidents' rows) matching f, by the columns migration 0016 added
// for it, instead of every ruling's document read and decoded.
func (s *Store) RulingCounts(ctx context.Context, f store.Filter, by store.CountBy) ([]store.RulingCount, error) {
	if f.Agreement == "" {
		return nil, fmt.Errorf("count rulings: an agreement is needed")
	}
	var out []store.RulingCount
	err := s.searchGuard(ctx, f, func(ctx context.Context, b bounds) error {
		var err error
		out, err = s.rulingCounts(ctx, f, b, by)
		return err
	})
	if err != nil {
		if errors.Is(err, store.ErrTooBroad) {
			return nil, fmt.Errorf("count rulings matching %q: %w", f.Text, err)
		}
		return nil, fmt.Errorf("count rulings under %s: %w", f.Agreement, err)
	}
	return out, nil
}

// countColumns are what RulingCounts groups by, in the order scanned: the
// ruling's copies of its incident's state and span (migrations 0026 and
// 0029, in rulings_verdict), and the incident's place.
func countColumns(by store.CountBy) []string {
	cols := []string{"r.version", "r.verdict", "r.outcome", "r.state", "r.parties", "r.clauses", "r.guarantors"}
	if by&store.CountBySpan != 0 {
		cols = append(cols, "r.occurred_start", "r.occurred_end")
	}
	if by&store.CountByPlace != 0 {
		// incidentCell: a cell only for a meaningful point.
		cols = append(cols, "i.admin3", "i.area", "CASE WHEN i.cell <> 0 THEN 1 ELSE 0 END")
	}
	return cols
}

func (s *Store) rulingCounts(ctx context.Context, f store.Filter, b bounds, by store.CountBy) ([]store.RulingCount, error) {
	// Every ruling under the agreement (from rulings_verdict), or a
	// party's, and their incidents only when a place or a text is asked
	// (from incidents_cover: coverIncidents): the rulings copy the rest.
	// Joined to a million incidents, the summary took 5.5-6.4 s on SQLite.
	incidents := ""
	if by&store.CountByPlace != 0 || f.Admin != "" || f.Text != "" {
		incidents = " JOIN incidents i" + s.coverIncidents() + " ON i.id = r.incident_id"
	}
	l := listed{from: " FROM rulings r" + incidents, conds: []string{"r.agreement_id = ?"}, args: []any{f.Agreement},
		start: "r.occurred_start", id: "r.incident_id", verdict: "r.verdict", end: "r.occurred_end", merged: "r.merged_into", state: "r.state"}
	if f.Party != "" {
		l.from = " FROM ruling_parties p JOIN rulings r ON r.incident_id = p.incident_id AND r.agreement_id = p.agreement_id" + incidents
		l.conds, l.args = []string{"p.agreement_id = ?", "p.party = ?"}, []any{f.Agreement, f.Party}
		l.start, l.verdict, l.end = "p.occurred_start", "p.verdict", "p.occurred_end"
	}
	w, args := s.where(f, l, b)
	names := countColumns(by)
	cols := strings.Join(names, ", ")
	q := "SELECT " + cols + ", count(*)" + l.from + w + " GROUP BY " + cols
	if s.d.Name == "sqlite" {
		// SQLite groups by sorting every row on all the columns: the
		// summary's million rulings took 4.3 s, of which the sort most;
		// read in the index's order and grouped here, 2.5 s.
		q = "SELECT " + cols + l.from + w
	}
	version, key := s.version(ctx, q, args)
	// Kept for the views after this one while the data is unchanged;
	// the callers only read the groups.
	return s.counts.load(ctx, version, key, func(ctx context.Context) ([]store.RulingCount, error) {
		rows, err := s.query(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		lists := map[string][]string{}
		if s.d.Name == "sqlite" {
			return groupCounts(rows, len(names), by, lists)
		}
		var out []store.RulingCount
		for rows.Next() {
			c, err := scanCount(rows, by, lists)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		return out, rows.Err()
	})
}

// groupCounts groups rows of n columns (countColumns) as GROUP BY would,
// each group counted, in the order of their values' bytes (stable, not
// SQL's: a version 10 comes before 9).
func groupCounts(rows *sql.Rows, n int, by store.CountBy, lists map[string][]string) ([]store.RulingCount, error) {
	raw := make(rawRow, n)
	dest := make([]any, n)
	for i := range raw {
		dest[i] = &raw[i]
	}
	at := map[string]int{} // a group's values, joined, to its place in out
	var out []store.RulingCount
	var key []byte
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		key = key[:0]
		for _, v := range raw {
			key = append(append(key, v...), 0)
		}
		if i, ok := at[string(key)]; ok {
			out[i].N++
			continue
		}
		c, err := scanCount(raw, by, lists)
		if err != nil {
			return nil, err
		}
		at[string(key)] = len(out)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Whatever order the index was read in.
	keys := make([]string, 0, len(at))
	for k := range at {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	sorted := make([]store.RulingCount, len(keys))
	for i, k := range keys {
		sorted[i] = out[at[k]]
	}
	return sorted, nil
}

// rawRow is one row's columns as read, scanned by scanCount as a row of
// the grouped query: text into strings, numbers into ints, and the group's
// count (the column past them) as 1.
type rawRow []sql.RawBytes

func (r rawRow) Scan(dest ...any) error {
	for i, d := range dest {
		if i == len(r) {
			*d.(*int) = 1
			continue
		}
		switch d := d.(type) {
		case *string:
			*d = string(r[i])
		case *int:
			n, err := strconv.Atoi(string(r[i]))
			if err != nil {
				return fmt.Errorf("column %d: %w", i, err)
			}
			*d = n
		default:
			return fmt.Errorf("column %d: cannot scan into %T", i, d)
		}
	}
	return nil
}

// scanCount reads one group; lists holds the lists decoded so far (the
// groups repeat a few).
func scanCount(rows interface{ Scan(...any) error }, by store.CountBy, lists map[string][]string) (store.RulingCount, error) {
	var c store.RulingCount
	var verdict, state, start, end string
	var l [3]string
	var point int
	dest := []any{&c.Version, &verdict, &c.Outcome, &state, &l[0], &l[1], &l[2]}
	if by&store.CountBySpan != 0 {
		dest = append(dest, &start, &end)
	}
	if by&store.CountByPlace != 0 {
		dest = append(dest, &c.Admin3, &c.Area, &point)
	}
	if err := rows.Scan(append(dest, &c.N)...); err != nil {
		return c, err
	}
	c.Verdict, c.State, c.Point = ruling.Verdict(verdict), incident.State(state), point != 0
	for i, into := range []*[]string{&c.Parties, &c.Clauses, &c.Guarantors} {
		list, ok := lists[l[i]]
		if !ok {
			if err := unmarshal(l[i], &list); err != nil {
				return c, fmt.Errorf("ruling list %q: %w", l[i], err)
			}
			lists[l[i]] = list
		}
		*into = list
	}
	var err error
	if c.Start, err = parseTS(start); err != nil {
		return c, err
	}
	c.End, err = parseTS(end)
	return c, err
}

// EachOnMap implements store.Store: the listing's query reading only the
// incident's document, its ruling's verdict and its grade (not the
// ruling's document nor the reports' ids), each row handed to fn as it
// is read instead of the page gathered first.
func (s *Store) EachOnMap(ctx context.Context, f store.Filter, fn func(store.OnMap) error) error {
	err := s.searchGuard(ctx, f, func(ctx context.Context, b bounds) error {
		qs := s.incidentsQueryOf(f, b, "i.id, i.doc, coalesce(r.verdict, ''), i.grade", false)
		rows, err := s.query(ctx, qs.list, qs.args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m store.OnMap
			var id int64
			var doc, verdict string
			if err := rows.Scan(&id, s.docs.intoText(&doc), &verdict, &m.Grade); err != nil {
				return err
			}
			if err := unmarshal(doc, &m.Incident); err != nil {
				return fmt.Errorf("incident %d: %w", id, err)
			}
			m.ID, m.Verdict = id, ruling.Verdict(verdict)
			if err := fn(m); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("incidents on the map: %w", err)
	}
	return nil
}
