package sqldb

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"

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

// near is what a search for the incidents a new report may join looks
// by: incidents overlapping the report's span (widened by the slack) that
// are still open to new reports (reported or under review), in the cells
// around its point or, for incidents without one, in its governorate (all
// of them, for a report without a point).
type near struct {
	point bool
	cells [9]int64
	// admin1 is the report's governorate; "" when it has none.
	admin1 string
	// The index finds incidents starting in [lo, hi); those ending after
	// after overlap.
	lo, hi, after string
	// notDataset is a LIKE pattern of the incidents a dataset's record
	// never joins: those holding another record of the same dataset (for
	// other reports it matches nothing).
	notDataset string
}

// nearOf is the search for r; false when r has no place to search by.
func (im *importer) nearOf(r *incident.Report, f cluster.Facts) (near, bool) {
	if !f.Point && len(f.Areas) == 0 {
		return near{}, false
	}
	p := im.in.Cluster
	n := near{
		point: f.Point,
		lo:    ts(r.Occurred.Start.Add(-2*p.Slack - p.MaxSpan)),
		hi:    ts(r.Occurred.End.Add(2 * p.Slack)),
		after: ts(r.Occurred.Start.Add(-2 * p.Slack)),
		// A pattern matching nothing for reports other than a dataset's.
		notDataset: "|",
	}
	if r.Kind == incident.FromDataset {
		n.notDataset = "%|" + r.Source + "|%"
	}
	if len(f.Areas) > 0 {
		n.admin1 = f.Areas[0]
	}
	if f.Point {
		n.cells = cluster.NearCells(f.Lat, f.Lon)
	}
	return n, true
}

const (
	nearCols = `SELECT id, doc, EXISTS (SELECT 1 FROM incident_events e WHERE e.incident_id = incidents.id) AS history FROM incidents WHERE `
	nearOpen = ` AND occurred_end > ? AND merged_into = 0 AND state IN ('reported', 'under_review') AND datasets NOT LIKE ?`
)

// query is the search for one report.
func (n near) query() (string, []any) {
	if !n.point {
		return nearCols + `admin1 = ? AND occurred_start >= ? AND occurred_start < ?` + nearOpen, []any{n.admin1, n.lo, n.hi, n.after, n.notDataset}
	}
	var args []any
	for _, c := range n.cells {
		args = append(args, c)
	}
	args = append(args, n.lo, n.hi, n.after, n.notDataset, n.admin1, n.lo, n.hi, n.after, n.notDataset)
	return nearCols + `cell IN (?, ?, ?, ?, ?, ?, ?, ?, ?) AND occurred_start >= ? AND occurred_start < ?` + nearOpen +
		` UNION ALL ` + nearCols + `cell = 0 AND admin1 = ? AND occurred_start >= ? AND occurred_start < ?` + nearOpen, args
}

// nearMany is the searches of many reports, k each, in one statement of
// fixed text: the reports' values travel as arrays, a report's cells as
// an array literal. PostgreSQL planned a union of one search per report
// at 3 ms a group, against 0.4 to run; this costs the same to plan for
// one report or a hundred (and runs its generic plan: prefetch). Each
// search is a LATERAL subquery kept from being flattened into a join
// (OFFSET 0), so that it runs once per report through the time index
// (joined, the planner read every open incident and hashed them:
// TestNearManyIndexes), reading the report's period once for all its
// cells and its governorate: one search per cell read it ten times, and
// was a quarter of the database's time in a group commit.
const nearMany = `SELECT q.k, c.id, c.doc, c.history
	FROM unnest(CAST(? AS integer[]), CAST(? AS boolean[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]))
		AS q(k, point, admin1, lo, hi, after, notds, cells),
	LATERAL (` + nearCols + `occurred_start >= q.lo AND occurred_start < q.hi
		AND (cell = ANY (CAST(q.cells AS bigint[])) OR admin1 = q.admin1 AND (NOT q.point OR cell = 0))
		AND occurred_end > q.after AND merged_into = 0 AND state IN ('reported', 'under_review') AND datasets NOT LIKE q.notds OFFSET 0) AS c`

// manyArgs are nearMany's arguments for the searches of reports ks.
func manyArgs(ks []int, ns []near) []any {
	var (
		point                               []bool
		admin1, lo, hi, after, notds, cells []string
		k32                                 = make([]int32, len(ks))
	)
	for i, n := range ns {
		k32[i] = int32(ks[i])
		point = append(point, n.point)
		admin1, lo, hi, after, notds = append(admin1, n.admin1), append(lo, n.lo), append(hi, n.hi), append(after, n.after), append(notds, n.notDataset)
		b := []byte{'{'}
		if n.point {
			for j, c := range n.cells {
				if j > 0 {
					b = append(b, ',')
				}
				b = strconv.AppendInt(b, c, 10)
			}
		}
		cells = append(cells, string(append(b, '}')))
	}
	return []any{k32, point, admin1, lo, hi, after, notds, cells}
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

// prefetch reads the incidents near every new report of the group, one
// query for all (nearMany): a group commit on a server then makes one round trip
// for its searches instead of one per report (Dialect.Server). Reports
// later in the group also see the incidents the transaction creates or
// changes (sinceSearch).
func (im *importer) prefetch(ctx context.Context, reports []incident.Report) error {
	if im.in.Cluster == nil || !im.w.s.d.Server {
		return nil
	}
	im.near = map[int][]candidate{}
	var ks []int
	var ns []near
	for k := range reports {
		r := &reports[k]
		// With a pipeline, which reports are stored is learnt with the
		// search (storedKeys): those stored are searched for nothing.
		if _, ok := im.stored[[2]string{r.Source, r.SourceID}]; ok {
			continue
		}
		if lonely, err := im.lonely(ctx, r); err != nil || lonely {
			if err != nil {
				return err
			}
			continue
		}
		n, ok := im.nearOf(r, cluster.ReportFacts(*r))
		if !ok {
			continue
		}
		im.near[k] = nil // searched, even if nothing is near
		ks, ns = append(ks, k), append(ns, n)
	}
	if len(ks) == 0 {
		return nil
	}
	// The searches' bounds are rows of the arrays, joined laterally:
	// planned for its values or not, the plan is the same
	// (TestNearManyIndexes), and planning it for its values took a third
	// of its time.
	err := im.w.withPlans(ctx, "force_generic_plan", func() error {
		return im.w.later(ctx, nearMany, im.readNear, manyArgs(ks, ns)...)
	})
	if err != nil {
		return fmt.Errorf("incidents near: %w", err)
	}
	return nil
}

// readNear reads the rows of nearMany into im.near.
func (im *importer) readNear(rows Rows) error {
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
	return rows.Err()
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
		n, ok := im.nearOf(r, f)
		if !ok {
			return 0, none, "", nil
		}
		q, args := n.query()
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

// queryNear runs a search of near.query.
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
	if err := unmarshal(doc, &c.in); err != nil {
		return fmt.Errorf("incident %d: %w", c.id, err)
	}
	im.history[c.id] = c.history
	return nil
}
