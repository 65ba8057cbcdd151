package sqldb

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/truce-monitor/truce/internal/cluster"
	"github.com/truce-monitor/truce/internal/incident"
)

// candidate is an incident a new report may join.
type candidate struct {
	id      int64
	in      incident.Incident
	history bool // it has incident_events
}

// touchedIncident is an incident created or changed by the transaction,
// with the columns that place it.
type touchedIncident struct {
	in     incident.Incident
	cell   int64
	admin1 string
}

// touch records what an incident is now, for the reports after it whose
// candidates were read ahead (prefetch); the others search the store
// itself, which has it.
func (im *importer) touch(id int64, in incident.Incident) {
	if im.near == nil {
		return
	}
	im.touched[id] = touchedIncident{in: in, cell: incidentCell(in), admin1: in.Place.Admin1}
}

// nearQuery is the query for the incidents near r in time and space that
// are still open to new reports (reported or under review); false when r
// has no place to search by.
func (im *importer) nearQuery(r *incident.Report, f cluster.Facts) (string, []any, bool) {
	if !f.Point && len(f.Areas) == 0 {
		return "", nil, false
	}
	p := im.in.Cluster
	// Incidents overlapping the report's span (widened by the slack):
	// the index finds those starting in the window, the end filters.
	from := ts(r.Occurred.Start.Add(-2*p.Slack - p.MaxSpan))
	to := ts(r.Occurred.End.Add(2 * p.Slack))
	after := ts(r.Occurred.Start.Add(-2 * p.Slack))
	const cols = `SELECT id, doc, EXISTS (SELECT 1 FROM incident_events e WHERE e.incident_id = incidents.id) AS history FROM incidents WHERE `
	const open = ` AND occurred_end > ? AND merged_into = 0 AND state IN ('reported', 'under_review') AND datasets NOT LIKE ?`
	// A dataset's record never joins an incident holding another record of
	// the same dataset; the pattern matches nothing for other reports.
	notDataset := "|"
	if r.Kind == incident.FromDataset {
		notDataset = "%|" + r.Source + "|%"
	}
	if !f.Point {
		return cols + `admin1 = ? AND occurred_start >= ? AND occurred_start < ?` + open, []any{f.Areas[0], from, to, after, notDataset}, true
	}
	var args []any
	for _, c := range cluster.NearCells(f.Lat, f.Lon) {
		args = append(args, c)
	}
	admin1 := ""
	if len(f.Areas) > 0 {
		admin1 = f.Areas[0]
	}
	args = append(args, from, to, after, notDataset, admin1, from, to, after, notDataset)
	return cols + `cell IN (?, ?, ?, ?, ?, ?, ?, ?, ?) AND occurred_start >= ? AND occurred_start < ?` + open +
		` UNION ALL ` + cols + `cell = 0 AND admin1 = ? AND occurred_start >= ? AND occurred_start < ?` + open, args, true
}

// lonely reports whether r is a dataset's record while every incident holds
// a record of that dataset (a bulk import of one dataset): then it has
// nothing to join, and no search is made.
func (im *importer) lonely(ctx context.Context, r *incident.Report) (bool, error) {
	if r.Kind != incident.FromDataset {
		return false, nil
	}
	lonely, ok := im.alone[r.Source]
	if !ok {
		own := "|" + r.Source + "|"
		var other bool
		if err := im.w.scan(ctx, `SELECT EXISTS (SELECT 1 FROM incidents WHERE datasets < ? OR datasets > ?)`, []any{own, own}, &other); err != nil {
			return false, err
		}
		lonely = !other
		im.alone[r.Source] = lonely
	}
	return lonely, nil
}

// nearBatch is how many reports' searches one prefetch query holds.
const nearBatch = 32

// prefetch reads the incidents near every new report of the group, a few
// queries for all: a group commit on a server then makes one round trip
// for its searches instead of one per report (Dialect.Server). Reports
// later in the group also see the incidents the transaction creates or
// changes (sinceSearch).
func (im *importer) prefetch(ctx context.Context, reports []incident.Report) error {
	if im.in.Cluster == nil || !im.w.s.d.Server {
		return nil
	}
	im.near = map[int][]candidate{}
	var parts []string
	var args []any
	run := func() error {
		if len(parts) == 0 {
			return nil
		}
		rows, err := im.w.query(ctx, strings.Join(parts, " UNION ALL "), args...)
		if err != nil {
			return fmt.Errorf("incidents near: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var k int
			var c candidate
			var doc string
			if err := rows.Scan(&k, &c.id, im.w.s.docs.intoText(&doc), &c.history); err != nil {
				return err
			}
			if err := im.read(&c, doc); err != nil {
				return err
			}
			im.near[k] = append(im.near[k], c)
		}
		parts, args = parts[:0], args[:0]
		return rows.Err()
	}
	for k := range reports {
		r := &reports[k]
		if _, ok := im.stored[[2]string{r.Source, r.SourceID}]; ok {
			continue
		}
		if lonely, err := im.lonely(ctx, r); err != nil || lonely {
			if err != nil {
				return err
			}
			continue
		}
		q, qa, ok := im.nearQuery(r, cluster.ReportFacts(*r))
		if !ok {
			continue
		}
		im.near[k] = nil // searched, even if nothing is near
		// k is a parameter, so that the query's text depends only on how
		// many reports it serves: the server plans each such text once.
		parts = append(parts, `SELECT CAST(? AS INTEGER) AS k, c.id, c.doc, c.history FROM (`+q+`) AS c`)
		args = append(append(args, k), qa...)
		if len(parts) == nearBatch {
			if err := run(); err != nil {
				return err
			}
		}
	}
	return run()
}

// join finds the incident new report k of the group describes, and says
// why; 0 when none matches.
func (im *importer) join(ctx context.Context, k int, r *incident.Report) (int64, incident.Incident, string, error) {
	var none incident.Incident
	if lonely, err := im.lonely(ctx, r); err != nil || lonely {
		return 0, none, "", err
	}
	f := cluster.ReportFacts(*r)
	cands, ok := im.near[k]
	if ok {
		cands = im.sinceSearch(slices.Clone(cands), f)
	} else {
		q, args, ok := im.nearQuery(r, f)
		if !ok {
			return 0, none, "", nil
		}
		var err error
		if cands, err = im.queryNear(ctx, q, args); err != nil {
			return 0, none, "", err
		}
	}
	// Ties go to the oldest incident, whatever order the engine read the
	// rows in (it differs between SQLite and PostgreSQL, and with plans).
	slices.SortFunc(cands, func(a, b candidate) int { return cmp.Compare(a.id, b.id) })
	facts := make([]cluster.Facts, len(cands))
	for i, c := range cands {
		facts[i] = cluster.IncidentFacts(c.in)
	}
	best, m := im.in.Cluster.Best(f, facts)
	if best < 0 {
		return 0, none, "", nil
	}
	return cands[best].id, cands[best].in, m.Why, nil
}

// sinceSearch brings candidates read ahead up to date with what the
// transaction created or changed since: those as they now are, and any
// such incident in the report's cells or governorate (the clustering
// test, not the search, decides whether it is near enough).
func (im *importer) sinceSearch(cands []candidate, f cluster.Facts) []candidate {
	listed := map[int64]bool{}
	for i := range cands {
		listed[cands[i].id] = true
		if t, ok := im.touched[cands[i].id]; ok {
			cands[i].in = t.in
		}
	}
	var cells []int64
	if f.Point {
		nc := cluster.NearCells(f.Lat, f.Lon)
		cells = nc[:]
	}
	admin1 := ""
	if len(f.Areas) > 0 {
		admin1 = f.Areas[0]
	}
	for id, t := range im.touched {
		if !listed[id] && (t.cell != 0 && slices.Contains(cells, t.cell) || t.admin1 != "" && t.admin1 == admin1) {
			cands = append(cands, candidate{id: id, in: t.in, history: im.history[id]})
		}
	}
	return cands
}

// queryNear runs a search of nearQuery.
func (im *importer) queryNear(ctx context.Context, q string, args []any) ([]candidate, error) {
	rows, err := im.w.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("incidents near: %w", err)
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		var doc string
		if err := rows.Scan(&c.id, im.w.s.docs.intoText(&doc), &c.history); err != nil {
			return nil, err
		}
		if err := im.read(&c, doc); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// read decodes a candidate's document and remembers whether it has a
// history (regrading needs it).
func (im *importer) read(c *candidate, doc string) error {
	if err := json.Unmarshal([]byte(doc), &c.in); err != nil {
		return fmt.Errorf("incident %d: %w", c.id, err)
	}
	im.history[c.id] = c.history
	return nil
}
