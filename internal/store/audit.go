package store

import (
	"context"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/workflow"
)

// Log is the tamper-evident log every store keeps: each record is
// appended to it in the transaction that stores the record (see ledger).
type Log interface {
	tlog.HashReader
	// LogSize returns the number of entries in the log.
	LogSize(ctx context.Context) (int64, error)
	// EachLogEntry calls fn with every entry from index start on.
	EachLogEntry(ctx context.Context, start int64, fn func(index int64, data []byte) error) error
	// EachLogEntryByRecord calls fn with every entry, in the order of
	// the record each names (kind, key, bytewise), then of index.
	EachLogEntryByRecord(ctx context.Context, fn func(index int64, data []byte) error) error
	// EachStoredHash calls fn with every stored hash of the tree.
	EachStoredHash(ctx context.Context, fn func(index int64, h tlog.Hash) error) error
	// RecordDigests calls fn with the digest of every record revision as
	// stored now, to compare with what the log says.
	RecordDigests(ctx context.Context, fn func(kind, key string, rev int, digest [32]byte) error) error
	// PutCheckpoint stores a signed checkpoint of the tree of size size;
	// Checkpoints returns them, oldest first.
	PutCheckpoint(ctx context.Context, size int64, signed []byte) error
	Checkpoints(ctx context.Context) ([][]byte, error)
	// LogEntryFor finds the log entry of a record revision.
	LogEntryFor(ctx context.Context, kind, key string, rev int) (int64, []byte, error)
	// IncidentReports returns the current revision of every report of an
	// incident exactly as stored: what its log digest is computed over.
	IncidentReports(ctx context.Context, incidentID int64) ([]ledger.RawReport, error)
	// IncidentEventDocs returns an incident's history exactly as stored,
	// oldest first.
	IncidentEventDocs(ctx context.Context, incidentID int64) ([]ledger.RawEvent, error)
}

// Audit reads the state the store derives from the logged records (where
// each report stands, an incident's facts, state and rulings), kept beside
// them for listings and filters, raw: a deep verification (truce verify
// -deep) compares it with what the logged records give when the rules run
// again. The Expected and Columns methods say what the engine stores for a
// record, the one rule both the writer and the check use.
type Audit interface {
	EachIncidentRow(ctx context.Context, fn func(IncidentRow) error) error
	// EachReportPlacement gives every report's placement columns, by id.
	EachReportPlacement(ctx context.Context, fn func(ReportPlacement) error) error
	// EachReportRow gives the rows of the reports stored in incidents
	// from to to (inclusive), by incident then id; ReportRow one by id.
	EachReportRow(ctx context.Context, from, to int64, fn func(ReportRow) error) error
	ReportRow(ctx context.Context, id int64) (ReportRow, error)
	EachEventRow(ctx context.Context, fn func(EventRow) error) error
	VersionRows(ctx context.Context) ([]VersionRow, error)
	// RulingRows returns the rulings of the incidents from to to.
	RulingRows(ctx context.Context, from, to int64) (map[int64]map[string]*RulingRow, error)
	// EachNotified gives every notification's (incident, party,
	// agreement), by incident; an incident that is not a number is not
	// given.
	EachNotified(ctx context.Context, fn func(incident int64, party, agreement string) error) error
	EachEvidenceRow(ctx context.Context, fn func(EvidenceRow) error) error
	// EachPartyIncidentProblem gives each (incident, party) pair where
	// what a party's liaison is shown (the pairs the store keeps for it)
	// differs from what the ruling parties and the reports make, and why.
	EachPartyIncidentProblem(ctx context.Context, fn func(incident int64, party, what string) error) error
	EachLogKey(ctx context.Context, fn func(index int64, kind, key string, data []byte) error) error

	ExpectedIncidentRow(in incident.Incident, grade workflow.Grade, assignee string) (IncidentRow, error)
	EventColumns(e workflow.Event) (action, by, at string)
	VersionColumns(v VersionRecord) (label, from, to string)

	// Recombine makes every incident's facts of [from, to) again from
	// its reports, with its rulings and grade (after an upgrade that
	// changes how reports combine), and returns how many changed.
	Recombine(ctx context.Context, from, to time.Time, in Intake) (int, error)
}

// IncidentRow is an incident's row as stored.
type IncidentRow struct {
	ID                                    int64
	Start, End                            string
	Admin1, Admin2, Admin3, Area, Act     string
	State, Doc, Grade, Assignee, Datasets string
	Cell, MergedInto                      int64
	// The text search's columns (the document may be stored packed):
	// the title, whether it is a protected report's words, and the
	// public names (place, actors) one a line.
	Title, Words   string
	TitleProtected bool
}

// ReportRow is a report's row as stored, but for its original record
// (which the log binds with the rest of the revision).
type ReportRow struct {
	ID, IncidentID, PlacedIn       int64
	Source, SourceID, Party, Owner string
	Doc, Joined, PlacedWhy, LogKey string
	Description                    string // the column, for the staff's search
	// OriginalDigest is the column; Digest the digest of what is stored.
	OriginalDigest, Digest string
	Pinned                 bool
	Report                 incident.Report // Doc, read
}

// ReportPlacement is where a report's row places it: its incident, and
// the placement its logged revision holds (PlacedIn 0: logged before
// placements were).
type ReportPlacement struct {
	ID, IncidentID, PlacedIn int64
	Joined, PlacedWhy        string
	Pinned                   bool
}

// EventRow is an incident event as stored: its columns beside the logged
// document, and where it stands in the log (-1 when it is not there).
type EventRow struct {
	Incident       int64
	LogIndex       int64
	Action, By, At string
	Event          workflow.Event
}

// RulingRow is a stored ruling with the parties indexed for it.
type RulingRow struct {
	Incident         int64
	Agreement        string
	Version          int
	Verdict, Outcome string
	Doc              string
	Parties          []string
	// The copies kept for reads (migrations 0016, 0026, 0029 and 0031):
	// the incident's start, end and state as this row holds them and as
	// the incident's row does, the lists of parties, clauses and
	// guarantors (JSON arrays), and each party's row's copies of the
	// start, the end, the state and the verdict (as Parties).
	Start, IncidentStart                               string
	End, IncidentEnd                                   string
	State, IncidentState                               string
	PartyList, Clauses, Guarantors                     string
	PartyStarts, PartyEnds, PartyStates, PartyVerdicts []string
	// Merged is the row's copy of the incident's merged_into, PartyMerged
	// each party row's (as Parties).
	Merged      int64
	PartyMerged []int64
}

// EvidenceRow is an evidence file's row as stored.
type EvidenceRow struct {
	SHA256, MediaType, Meta, AddedBy string
	Size                             int64
	Data                             []byte
}

// VersionRow is an agreement version's row as stored.
type VersionRow struct {
	Agreement               string
	Version                 int
	Label, From, To, Digest string
	Canonical               []byte
}
