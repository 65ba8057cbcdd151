package app

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/truce-monitor/truce/internal/evidence"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// DerivedResult is what VerifyDerived found.
type DerivedResult struct {
	Incidents int // incidents checked
	// Legacy counts reports logged before their placement was (before
	// migration 0008): their incident is taken as stored.
	Legacy   int
	Problems []ledger.Problem
}

// VerifyDerived checks what the application derives from the logged
// records against what is stored: it replays where each report stands
// (its logged placement, then the logged merges and splits), makes every
// incident's facts again from its reports, replays its history for its
// state, assignee and grade, rules it again under the agreements in force,
// and checks each report's and evidence file's columns against its logged
// content. Each difference is a problem naming the table, row and column.
// It assumes the records themselves verified (Verify): together they
// prove that what anyone is shown follows from the log.
//
// It holds the incidents' histories (the events) and the moved reports'
// placements, not the reports: those are read a range of incidents at a
// time with the range's rulings, and the notifications beside them in
// incident order.
func (a *App) VerifyDerived(ctx context.Context) (*DerivedResult, error) {
	ds := a.store
	res := &DerivedResult{}
	problem := func(record, format string, args ...any) {
		res.Problems = append(res.Problems, ledger.Problem{Index: -1, Record: record, What: fmt.Sprintf(format, args...)})
	}

	// Events, in log order: each incident's history, and the moves.
	events := map[int64][]workflow.Event{}
	var moves []store.EventRow
	err := ds.EachEventRow(ctx, func(r store.EventRow) error {
		rec := fmt.Sprintf("incident %d event %d", r.Incident, r.Event.Seq)
		if r.LogIndex < 0 {
			problem(rec, "incident_events row is not in the log")
		}
		action, by, at := ds.EventColumns(r.Event)
		if r.Action != action || r.By != by || r.At != at {
			problem(rec, "incident_events columns (action %q, by_user %q, at %s) differ from the logged event (%q, %q, %s)", r.Action, r.By, r.At, action, by, at)
		}
		events[r.Incident] = append(events[r.Incident], r.Event)
		if e := r.Event; (e.Action == workflow.Merge || e.Action == workflow.Split) && len(e.Reports) > 0 {
			moves = append(moves, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	placed, moved, err := replayMoves(ctx, ds, moves, problem)
	if err != nil {
		return nil, err
	}

	// Every report's placement columns against the log's. A report the
	// log places elsewhere than its row (a problem, or a report logged
	// before placements were and moved since) joins its incident by the
	// log, read on its own.
	elsewhere := map[int64][]incident.Report{} // by the incident the log places them in
	misplaced := map[int64]bool{}
	err = ds.EachReportPlacement(ctx, func(r store.ReportPlacement) error {
		p := placed[r.ID]
		if p == nil {
			p = loggedPlacement(r)
		}
		rec := fmt.Sprintf("report %d", r.ID)
		if p.legacy {
			res.Legacy++
		}
		if !p.legacy && r.IncidentID != p.at {
			problem(rec, "reports.incident_id is %d but the log places the report in incident %d", r.IncidentID, p.at)
		}
		if !p.legacy && r.Joined != p.joined {
			problem(rec, "reports.joined is %q but the log says %q", r.Joined, p.joined)
		}
		if r.Pinned != moved[r.ID] && !p.legacy {
			problem(rec, "reports.pinned is %v but the log says %v", r.Pinned, moved[r.ID])
		}
		if r.IncidentID != p.at {
			misplaced[r.ID] = true
			row, err := ds.ReportRow(ctx, r.ID)
			if err != nil {
				return err
			}
			elsewhere[p.at] = append(elsewhere[p.at], row.Report)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	// The kind and key columns index the log for lookups (a bundle, the
	// log references of a page): they must say what each entry says.
	err = ds.EachLogKey(ctx, func(i int64, kind, key string, data []byte) error {
		if e, err := ledger.ParseEntry(i, data); err == nil && (e.Kind != kind || e.Key != key) {
			res.Problems = append(res.Problems, ledger.Problem{Index: i, Record: kind + " " + key,
				What: fmt.Sprintf("log_entries.kind and record_key say %s %s but the entry is %s %s", kind, key, e.Kind, e.Key)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := a.verifyVersions(ctx, ds, problem); err != nil {
		return nil, err
	}
	c := incidentCheck{a: a, ds: ds, events: events, elsewhere: elsewhere, misplaced: misplaced, problem: problem, res: res}
	a.mu.RLock()
	c.altered = a.alteredIDs
	a.mu.RUnlock()
	if err := c.run(ctx); err != nil {
		return nil, err
	}
	// Who sees what: the pairs a liaison's visibility is read from,
	// against the ruling parties and reports checked above.
	err = ds.EachPartyIncidentProblem(ctx, func(id int64, party, what string) error {
		problem(fmt.Sprintf("incident %d party %s", id, party), "%s", what)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = ds.EachEvidenceRow(ctx, func(r store.EvidenceRow) error {
		rec := "evidence " + r.SHA256
		m := evidence.Inspect(r.Data)
		if c, err := a.store.Custody(ctx, r.SHA256); err != nil || len(c) == 0 || c[0].By != r.AddedBy {
			problem(rec, "evidence.added_by is %q but its logged receipt says otherwise", r.AddedBy)
		}
		if r.Size != int64(len(r.Data)) {
			problem(rec, "evidence.size is %d but the file has %d bytes", r.Size, len(r.Data))
		}
		if r.MediaType != m.MediaType {
			problem(rec, "evidence.media_type is %q but the file is %q", r.MediaType, m.MediaType)
		}
		if want, _ := json.Marshal(m); !sameJSON(r.Meta, string(want)) {
			problem(rec, "evidence.meta differs from what the file says about itself")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// placement is where the log places a report, and why it joined.
type placement struct {
	at     int64
	joined string
	legacy bool // logged before placements were: taken as stored
}

// loggedPlacement is where a report's logged revision places it.
func loggedPlacement(r store.ReportPlacement) *placement {
	if r.PlacedIn == 0 {
		return &placement{at: r.IncidentID, joined: r.Joined, legacy: true}
	}
	return &placement{at: r.PlacedIn, joined: r.PlacedWhy}
}

// replayMoves replays the logged merges and splits (moves, in log order)
// over the moved reports' logged placements: where each moved report
// stands, and which were moved. A move is logged twice, on the incident
// the reports leave and, next in the log, on the one they join; the
// second is skipped.
func replayMoves(ctx context.Context, ds store.Store, moves []store.EventRow, problem func(string, string, ...any)) (map[int64]*placement, map[int64]bool, error) {
	placed := map[int64]*placement{}
	moved := map[int64]bool{}
	if len(moves) == 0 {
		return placed, moved, nil
	}
	ids := map[int64]bool{}
	for _, r := range moves {
		for _, id := range r.Event.Reports {
			ids[id] = true
		}
	}
	err := ds.EachReportPlacement(ctx, func(r store.ReportPlacement) error {
		if ids[r.ID] {
			placed[r.ID] = loggedPlacement(r)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	var lastMove struct {
		index    int64
		from, to int64
	}
	lastMove.index = -2
	for _, r := range moves {
		e := r.Event
		if r.LogIndex == lastMove.index+1 && r.Incident == lastMove.to && e.Other == lastMove.from {
			continue // the receiving side of the move just replayed
		}
		rec := fmt.Sprintf("incident %d event %d", r.Incident, e.Seq)
		to := e.Other
		for _, id := range e.Reports {
			p := placed[id]
			if p == nil {
				problem(rec, "moves report %d, which is not stored", id)
				continue
			}
			if p.at != r.Incident && !p.legacy {
				problem(rec, "moves report %d out of incident %d, where the log does not place it (it is in %d)", id, r.Incident, p.at)
			}
			p.at, p.joined, moved[id] = to, "placed by "+e.By, true
		}
		lastMove.index, lastMove.from, lastMove.to = r.LogIndex, r.Incident, to
	}
	return placed, moved, nil
}

// incidentCheck checks every incident's row, rulings and notifications
// against its logged reports and history, reading the reports and
// rulings a range of incidents at a time.
type incidentCheck struct {
	a         *App
	ds        store.Store
	events    map[int64][]workflow.Event
	elsewhere map[int64][]incident.Report // reports the log places in an incident other than their row's
	misplaced map[int64]bool              // those reports, by id
	altered   map[string]bool
	problem   func(string, string, ...any)
	res       *DerivedResult
}

// incidentRange is how many incidents are checked together.
const incidentRange = 2000

func (c *incidentCheck) run(ctx context.Context) error {
	// The notifications, by incident, beside the incidents.
	next, stop := iter.Pull2(func(yield func(notice, error) bool) {
		err := c.ds.EachNotified(ctx, func(id int64, party, ag string) error {
			if !yield(notice{id, party, ag}, nil) {
				return errStopped
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStopped) {
			yield(notice{}, err)
		}
	})
	defer stop()
	notes := noticeCursor{next: next}

	var batch []store.IncidentRow
	from := int64(math.MinInt64)
	check := func(to int64) error {
		err := c.checkRange(ctx, from, to, batch, &notes)
		batch = batch[:0]
		if to < math.MaxInt64 {
			from = to + 1
		}
		return err
	}
	err := c.ds.EachIncidentRow(ctx, func(row store.IncidentRow) error {
		batch = append(batch, row)
		if len(batch) < incidentRange {
			return nil
		}
		return check(row.ID)
	})
	if err != nil {
		return err
	}
	return check(math.MaxInt64)
}

var errStopped = errors.New("stopped")

// notice is a notification: the incident, the party told, the agreement.
type notice struct {
	incident  int64
	party, ag string
}

// noticeCursor reads the notifications in incident order.
type noticeCursor struct {
	next    func() (notice, error, bool)
	peeked  *notice
	peekBuf notice
	done    bool
}

// of returns the notifications of incident id, skipping those of the
// incidents before it (ids must come in increasing order).
func (n *noticeCursor) of(id int64) (map[[3]string]bool, error) {
	out := map[[3]string]bool{}
	for !n.done {
		if n.peeked == nil {
			v, err, ok := n.next()
			if !ok {
				n.done = true
				break
			}
			if err != nil {
				return nil, err
			}
			n.peekBuf, n.peeked = v, &n.peekBuf
		}
		if n.peeked.incident > id {
			break
		}
		if n.peeked.incident == id {
			out[[3]string{n.peeked.party, strconv.FormatInt(id, 10), n.peeked.ag}] = true
		}
		n.peeked = nil
	}
	return out, nil
}

// checkRange checks the incidents of batch, whose ids are from from to to,
// with the reports stored in that range (each report's columns too).
func (c *incidentCheck) checkRange(ctx context.Context, from, to int64, batch []store.IncidentRow, notes *noticeCursor) error {
	members := map[int64][]incident.Report{}
	err := c.ds.EachReportRow(ctx, from, to, func(r store.ReportRow) error {
		rec := fmt.Sprintf("report %d", r.ID)
		for _, col := range []struct{ col, stored, logged string }{
			{"source", r.Source, r.Report.Source},
			{"source_id", r.SourceID, r.Report.SourceID},
			{"party", r.Party, r.Report.Party},
			{"description", r.Description, r.Report.Description},
		} {
			if col.stored != col.logged {
				c.problem(rec, "reports.%s is %q but the logged report says %q", col.col, col.stored, col.logged)
			}
		}
		if r.OriginalDigest != r.Digest {
			c.problem(rec, "reports.original_digest is %s but the report's digest is %s", r.OriginalDigest, r.Digest)
		}
		if !c.misplaced[r.ID] {
			members[r.IncidentID] = append(members[r.IncidentID], r.Report)
		}
		return nil
	})
	if err != nil {
		return err
	}
	stored, err := c.ds.RulingRows(ctx, from, to)
	if err != nil {
		return err
	}
	for _, row := range batch {
		reps := members[row.ID]
		if more := c.elsewhere[row.ID]; len(more) > 0 {
			// By id, as the store combines them.
			reps = append(reps, more...)
			slices.SortFunc(reps, func(x, y incident.Report) int { return cmp.Compare(x.ID, y.ID) })
		}
		notified, err := notes.of(row.ID)
		if err != nil {
			return err
		}
		if err := c.incident(row, reps, stored[row.ID], notified); err != nil {
			return err
		}
	}
	return nil
}

// incident checks one incident's row and rulings against its logged
// reports (reps) and history.
func (c *incidentCheck) incident(row store.IncidentRow, reps []incident.Report, stored map[string]*store.RulingRow, notified map[[3]string]bool) error {
	c.res.Incidents++
	rec := fmt.Sprintf("incident %d", row.ID)
	evs := c.events[row.ID]
	// An incident left with no report was merged into where its last
	// reports went.
	var mergedInto int64
	if len(reps) == 0 {
		for _, e := range slices.Backward(evs) {
			if (e.Action == workflow.Merge || e.Action == workflow.Split) && e.Other != 0 && e.Other != row.ID {
				mergedInto = e.Other
				break
			}
		}
	}
	if row.MergedInto != mergedInto {
		c.problem(rec, "incidents.merged_into is %d but the log says %d", row.MergedInto, mergedInto)
	}
	if row.MergedInto != 0 || len(reps) == 0 {
		// A merged incident keeps its last facts and rulings, which
		// nothing lists or rules on; it is checked for its state.
		if len(reps) == 0 && row.MergedInto == 0 {
			c.problem(rec, "no report of the log is in this incident")
		}
		if st := workflow.Fold(evs, workflow.Subject{}).State; string(st) != row.State {
			c.problem(rec, "incidents.state is %q but its logged history says %q", row.State, st)
		}
		return nil
	}
	in := incident.Combine(reps)
	in.ID = row.ID
	w := workflow.Fold(evs, workflow.Subject{})
	in.State = w.State
	rulings := c.a.RuleAll(in)
	var grade workflow.Grade
	if len(evs) > 0 {
		grade = c.a.Grade(reps, evs, rulings)
	}
	want, err := c.ds.ExpectedIncidentRow(in, grade, w.Assignee)
	if err != nil {
		return err
	}
	compareIncident(rec, row, want, c.problem)
	compareRulings(rec, row.ID, stored, rulings, notified, c.altered, c.problem)
	return nil
}

// verifyVersions checks each agreement version's columns against its
// logged canonical form.
func (a *App) verifyVersions(ctx context.Context, ds store.Store, problem func(string, string, ...any)) error {
	rows, err := ds.VersionRows(ctx)
	if err != nil {
		return err
	}
	for _, r := range rows {
		rec := fmt.Sprintf("agreement %s version %d", r.Agreement, r.Version)
		sum := sha256.Sum256(r.Canonical)
		if d := hex.EncodeToString(sum[:]); r.Digest != d {
			problem(rec, "agreement_versions.digest is %s but the logged version's is %s", r.Digest, d)
		}
		ag, ok := a.Agreement(r.Agreement)
		if !ok {
			continue // not in force: reported by Verify
		}
		v := ag.Version(r.Version)
		if v == nil {
			problem(rec, "stored, but not in the agreement's logged file")
			continue
		}
		label, from, to := ds.VersionColumns(versionRecord(ag.ID, v))
		if r.Label != label || r.From != from || r.To != to {
			problem(rec, "agreement_versions columns (label %q, from %s, to %s) differ from the logged version (%q, %s, %s)", r.Label, r.From, r.To, label, from, to)
		}
	}
	return nil
}

// Recombine makes every incident's facts of [from, to) again from its
// reports, with its ruling and grade: after an upgrade that changes how
// reports combine, so that the stored state is what the rules now give.
func (a *App) Recombine(ctx context.Context, from, to time.Time) (int, error) {
	return a.store.Recombine(ctx, from, to, a.Intake())
}

// compareIncident names each column of an incident's row that differs
// from the row its logged reports and history make.
func compareIncident(rec string, got, want store.IncidentRow, problem func(string, string, ...any)) {
	for _, c := range []struct{ col, got, want string }{
		{"occurred_start", got.Start, want.Start}, {"occurred_end", got.End, want.End},
		{"admin1", got.Admin1, want.Admin1}, {"admin2", got.Admin2, want.Admin2}, {"admin3", got.Admin3, want.Admin3},
		{"area", got.Area, want.Area}, {"act", got.Act, want.Act}, {"state", got.State, want.State},
		{"grade", got.Grade, want.Grade}, {"assignee", got.Assignee, want.Assignee}, {"datasets", got.Datasets, want.Datasets},
		{"cell", strconv.FormatInt(got.Cell, 10), strconv.FormatInt(want.Cell, 10)},
		{"title", got.Title, want.Title}, {"words", got.Words, want.Words},
		{"title_protected", strconv.FormatBool(got.TitleProtected), strconv.FormatBool(want.TitleProtected)},
	} {
		if c.got != c.want {
			problem(rec, "incidents.%s is %q but its logged reports and history give %q", c.col, c.got, c.want)
		}
	}
	var g, w incident.Incident
	if err := json.Unmarshal([]byte(got.Doc), &g); err != nil {
		problem(rec, "incidents.doc is not an incident: %v", err)
		return
	}
	json.Unmarshal([]byte(want.Doc), &w)
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if !bytes.Equal(gb, wb) {
		x, y := firstDiff(gb, wb)
		problem(rec, "incidents.doc (%s) differs from the facts its logged reports give (%s)", x, y)
	}
}

// compareRulings checks an incident's stored rulings, their indexed
// parties and the accused parties' notifications against a fresh ruling.
func compareRulings(rec string, id int64, stored map[string]*store.RulingRow, fresh []ruling.Ruling, notified map[[3]string]bool, altered map[string]bool, problem func(string, string, ...any)) {
	seen := map[string]bool{}
	for _, r := range fresh {
		seen[r.Agreement] = true
		rr := rec + " ruling under " + r.Agreement
		s := stored[r.Agreement]
		if s == nil {
			problem(rr, "no ruling stored (rulings row missing; truce rule makes it)")
			continue
		}
		doc, _ := json.Marshal(r)
		switch {
		case s.Verdict != string(r.Verdict) || s.Outcome != r.Outcome() || s.Version != r.Version:
			problem(rr, "rulings row says %s (%s, version %d) but the logged facts and agreement give %s (%s, version %d)", s.Verdict, s.Outcome, s.Version, r.Verdict, r.Outcome(), r.Version)
		case !sameJSON(s.Doc, string(doc)):
			a, b := firstDiff([]byte(s.Doc), doc)
			problem(rr, "rulings.doc (%s) differs from a fresh ruling (%s): altered, or ruled before the agreement changed (truce rule rules it again; truce rule -again if it was altered)", a, b)
		}
		parties := slices.Clone(r.Parties)
		slices.Sort(parties)
		if !slices.Equal(s.Parties, parties) {
			problem(rr, "ruling_parties are %v but the ruling names %v", s.Parties, parties)
		}
		compareCopies(rr, s, r, problem)
		if r.Verdict == ruling.Violation {
			for _, p := range r.Parties {
				if !notified[[3]string{p, strconv.FormatInt(id, 10), r.Agreement}] {
					problem(rr, "party %s was never notified of the violation (notifications row missing)", p)
				}
			}
		}
	}
	for ag := range stored {
		if !seen[ag] && !altered[ag] {
			problem(rec+" ruling under "+ag, "a ruling is stored under an agreement that is not in force (or not what the log holds)")
		}
	}
}

// compareCopies checks what rulings and ruling_parties copy for reads
// (the incident's start, end and state, the ruling's lists, a party's
// ruling's verdict) against the incident's row and the fresh ruling r:
// the listings filter and the summaries count by these copies.
func compareCopies(rr string, s *store.RulingRow, r ruling.Ruling, problem func(string, string, ...any)) {
	if s.Start != s.IncidentStart {
		problem(rr, "rulings.occurred_start is %q but the incident starts %q", s.Start, s.IncidentStart)
	}
	if s.End != s.IncidentEnd {
		problem(rr, "rulings.occurred_end is %q but the incident ends %q", s.End, s.IncidentEnd)
	}
	if s.State != s.IncidentState {
		problem(rr, "rulings.state is %q but the incident is %q", s.State, s.IncidentState)
	}
	// Only incidents not merged are compared: their copies of
	// merged_into are 0.
	if s.Merged != 0 {
		problem(rr, "rulings.merged_into is %d but the incident was not merged", s.Merged)
	}
	for i, p := range s.Parties {
		if s.PartyMerged[i] != 0 {
			problem(rr, "ruling_parties of %s say the incident was merged into %d, but it was not", p, s.PartyMerged[i])
		}
		if s.PartyStarts[i] != s.IncidentStart || s.PartyEnds[i] != s.IncidentEnd || s.PartyVerdicts[i] != s.Verdict {
			problem(rr, "ruling_parties of %s say %s from %q to %q, but the ruling is %s and the incident runs from %q to %q", p, s.PartyVerdicts[i], s.PartyStarts[i], s.PartyEnds[i], s.Verdict, s.IncidentStart, s.IncidentEnd)
		}
		if s.PartyStates[i] != s.IncidentState {
			problem(rr, "ruling_parties of %s say the incident is %q, but it is %q", p, s.PartyStates[i], s.IncidentState)
		}
	}
	for _, l := range []struct {
		column, stored string
		want           []string
	}{{"parties", s.PartyList, r.Parties}, {"clauses", s.Clauses, r.Clauses}, {"guarantors", s.Guarantors, r.Guarantors}} {
		var got []string
		if err := json.Unmarshal([]byte(l.stored), &got); err != nil || !slices.Equal(got, l.want) && len(got)+len(l.want) > 0 {
			problem(rr, "rulings.%s is %s but the ruling names %v", l.column, l.stored, l.want)
		}
	}
}

// sameJSON reports whether two JSON documents hold the same values,
// whatever the order of their keys.
func sameJSON(a, b string) bool {
	if a == b {
		return true
	}
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false // different text, not both JSON
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return bytes.Equal(xb, yb)
}

// firstDiff returns the stretch of two documents around where they first
// differ, for a message.
func firstDiff(a, b []byte) (string, string) {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	cut := func(s []byte) string {
		lo, hi := max(0, i-30), min(len(s), i+50)
		return "…" + string(s[lo:hi]) + "…"
	}
	return cut(a), cut(b)
}
