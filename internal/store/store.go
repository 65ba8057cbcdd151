// Package store defines what truce keeps and how it is asked for, apart
// from any database engine. Each engine lives in a subpackage and passes
// the same tests (storetest).
package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/truce-monitor/truce/internal/cluster"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/workflow"
)

// ErrNotFound is returned when a requested record does not exist.
var ErrNotFound = errors.New("not found")

// ErrVersionChanged is returned when an agreement version already stored
// arrives with different content: versions are immutable, and a change
// must be made as a new version.
var ErrVersionChanged = errors.New("version already stored with different content")

// AgreementSource is an agreement file as loaded, kept whole so that the
// agreement can be rebuilt exactly as it was validated.
type AgreementSource struct {
	// Seq numbers the files stored, all agreements together.
	Seq         int64
	AgreementID string
	File        string
	Source      []byte
	LoadedAt    time.Time
}

// Kinds of reference files (ReferenceFile.Kind).
const (
	// ReferenceActors is an actor registry file, named by its base name.
	ReferenceActors = "actors"
	// ReferenceControl is a territorial control layer, named by its id.
	ReferenceControl = "control"
)

// ReferenceFile is a reference file an operator loaded without
// rebuilding truce (an actor registry file, a control layer), kept whole
// as loaded. A file is never changed: a new file of the same kind and
// name is a new version, and the latest is the one used.
type ReferenceFile struct {
	// Seq numbers the files stored, all kinds together.
	Seq  int64
	Kind string // ReferenceActors or ReferenceControl
	Name string
	// File is the file's name as loaded, for messages.
	File     string
	Source   []byte
	LoadedAt time.Time
}

// VersionRecord is one stored agreement version.
type VersionRecord struct {
	AgreementID   string    `json:"agreement"`
	Version       int       `json:"version"`
	Label         string    `json:"label"`
	EffectiveFrom time.Time `json:"effective_from"`
	EffectiveTo   time.Time `json:"effective_to,omitzero"`
	Digest        string    `json:"digest"`
	Canonical     []byte    `json:"-"`
	StoredAt      time.Time `json:"stored_at"`
}

// Outcome is what importing one report did.
type Outcome int

const (
	Created   Outcome = iota // a new report and a new incident
	Unchanged                // the same source record was already stored
	Updated                  // the source record changed; the old one is kept as a revision
)

func (o Outcome) String() string {
	return [...]string{"created", "unchanged", "updated"}[o]
}

// Imported is the result of storing one report.
type Imported struct {
	ReportID   int64
	IncidentID int64
	Outcome    Outcome
	// Joined says why a new report joined an existing incident.
	Joined string
}

// Filter selects incidents. Zero fields do not filter.
type Filter struct {
	Agreement string    // rulings under this agreement (required for Party and Verdict)
	From, To  time.Time // incidents whose span overlaps [From, To)
	Party     string    // rulings naming this party
	Verdict   ruling.Verdict
	Admin     string // P-code: incidents whose place lies in this unit
	State     incident.State
	Text      string // words in the incident's facts or title
	// Visible, when set, limits the list to what a viewer who does not
	// see everything may see (see Visibility).
	Visible *Visibility
	// Newest lists the most recent first (the default is oldest first).
	Newest bool
	Limit  int
	Offset int
	// NoCount skips counting the incidents matching (the total is 0): for
	// callers that only read the list.
	NoCount bool
}

// CountCap bounds what Incidents counts: a total of CountCap+1 means "more
// than CountCap". Counting every match of a broad filter over a million
// incidents takes longer than listing a page of them; past a few thousand,
// nobody pages through them one by one.
const CountCap = 10000

// Shown is what a total Incidents counted is shown as: the number, and
// whether more than it match (past CountCap).
func Shown(total int) (n int, more bool) {
	if total > CountCap {
		return CountCap, true
	}
	return total, false
}

// Visibility is a restricted viewer: the public (no party) sees published
// incidents (verified, disputed or dismissed); a party's users also see
// the incidents their party is accused in or filed a report about.
type Visibility struct {
	Party string
}

// OnMap is an incident as the map shows it: its facts, its ruling's
// verdict under the filter's agreement ("" without one), its grade.
type OnMap struct {
	incident.Incident
	Verdict ruling.Verdict
	Grade   string
}

// RulingCount is how many of the rulings RulingCounts counted share the
// values of its other fields: the dashboard and the ruling summary count
// from these, grouped in the database, instead of reading every incident
// and ruling of an agreement.
type RulingCount struct {
	Version                      int
	Verdict                      ruling.Verdict
	Outcome                      string
	State                        incident.State
	Parties, Clauses, Guarantors []string
	// With CountBySpan: the incident's span.
	Start, End time.Time
	// With CountByPlace: what a zone of P-codes is decided by
	// (ruling.InZone): the incident's sub-district and area, and whether
	// its point is meaningful (incidents.cell is set).
	Admin3, Area string
	Point        bool
	N            int
}

// CountBy says what RulingCounts groups by beyond the ruling and the
// incident's state.
type CountBy int

const (
	CountBySpan CountBy = 1 << iota
	CountByPlace
)

// IncidentSummary is an incident with its ruling under the filter's
// agreement, if any.
type IncidentSummary struct {
	incident.Incident
	Ruling *ruling.Ruling `json:"ruling,omitempty"`
	// Grade is the confidence grade, once the workflow has set one.
	Grade string `json:"grade,omitempty"`
}

// IncidentDetail is an incident with everything known about it.
type IncidentDetail struct {
	incident.Incident
	// MergedInto is the incident that took this one's reports, if any.
	MergedInto int64             `json:"merged_into,omitempty"`
	Reports    []incident.Report `json:"reports"`
	Rulings    []ruling.Ruling   `json:"rulings"`
}

// Original is a report's original record as stored, its format, and the
// fingerprint of how it was read (Intake.Reading; empty if none was given).
type Original struct{ Record, Format, Reading string }

// Store is truce's persistence. Every method is safe for concurrent use.
// A write has returned only once it is durable.
type Store interface {
	Log
	Audit
	Feeds
	Delivery
	Humanitarian
	Federation

	// PutAgreement stores an agreement file and the versions it holds.
	// Versions already stored with the same digest are kept; a stored
	// version whose content differs fails with ErrVersionChanged. It
	// returns the numbers of the versions added.
	PutAgreement(ctx context.Context, src AgreementSource, versions []VersionRecord) (added []int, err error)
	// AgreementSources returns the latest source of every agreement.
	AgreementSources(ctx context.Context) ([]AgreementSource, error)
	// AgreementVersions returns the stored versions of one agreement.
	AgreementVersions(ctx context.Context, agreementID string) ([]VersionRecord, error)

	// PutReferenceFile stores a reference file as a new version of kind
	// and name, and logs it in the same transaction. A file identical to
	// the latest version of kind and name adds nothing (added is false).
	PutReferenceFile(ctx context.Context, kind, name, file string, src []byte) (added bool, err error)
	// ReferenceFiles returns the latest version of every reference file
	// of a kind, by name.
	ReferenceFiles(ctx context.Context, kind string) ([]ReferenceFile, error)

	// ImportReports stores reports in one transaction, idempotently on
	// (Source, SourceID): an identical record changes nothing, a changed
	// one updates the report and its incident and keeps the old record,
	// if the report's Owner is the stored one's (or an administrator),
	// and fails with ErrNotOwner otherwise.
	// A new report joins the incident it describes, when in.Cluster is
	// set and one near it matches, or gets a new incident. Every incident
	// created or changed is ruled with in.Rule, when set, in the same
	// transaction, so that no incident is ever stored without its
	// rulings. Reports are updated in place with their ids.
	ImportReports(ctx context.Context, reports []incident.Report, in Intake) ([]Imported, error)

	// Originals returns the stored original record and its format of
	// each of source's reports among ids (none for an id not stored), so
	// that a daily sync need not read again what did not change.
	Originals(ctx context.Context, source string, ids []string) (map[string]Original, error)

	// SaveRulings replaces the rulings of the given incidents under their
	// agreements, writing only those that differ from the stored ones
	// (the ruling, its indexed parties, a violation's notifications): a
	// ruling unchanged is not written (its time of ruling stays), except
	// for what it was made from (Inputs) when that differs. It returns
	// how many rulings it wrote. Of two rulings of one incident under one
	// agreement, the last counts.
	SaveRulings(ctx context.Context, rulings []IncidentRuling) (int, error)

	// Incidents lists incidents matching f, oldest first, and the total
	// number matching without Limit and Offset, up to CountCap+1 (0 with
	// f.NoCount).
	Incidents(ctx context.Context, f Filter) ([]IncidentSummary, int, error)
	// RulingCounts counts the rulings under f.Agreement (required) of the
	// incidents matching f (Limit, Offset and order aside), grouped by
	// what RulingCount holds (by says what beyond the ruling and the
	// incident's state).
	RulingCounts(ctx context.Context, f Filter, by CountBy) ([]RulingCount, error)
	// EachOnMap calls fn with each incident Incidents would list for f
	// (f.NoCount implied), as it is read, with only what the map shows.
	EachOnMap(ctx context.Context, f Filter, fn func(OnMap) error) error
	// Incident returns one incident with its reports and rulings.
	Incident(ctx context.Context, id int64) (IncidentDetail, error)
	// EachIncident calls fn for every incident whose span overlaps
	// [from, to) (zero bounds are open), oldest first.
	EachIncident(ctx context.Context, from, to time.Time, fn func(incident.Incident) error) error
	// EachToRule calls fn for every incident EachIncident would give,
	// in the same order, with its stored ruling under agreementID when
	// that was made with key (Intake.Keys) from the incident's facts as
	// stored now (ToRule.Current): ruling it again with the same key
	// would give the same ruling. The incident is decoded only when its
	// ruling is not current, or when all is set.
	EachToRule(ctx context.Context, from, to time.Time, agreementID string, key []byte, all bool, fn func(ToRule) error) error
	// EachReport calls fn for every report, with its original record, in
	// the order stored.
	EachReport(ctx context.Context, fn func(incident.Report) error) error

	// Events returns an incident's history, oldest first.
	Events(ctx context.Context, incidentID int64) ([]workflow.Event, error)
	// AppendEvent records e (checked by the caller against the history
	// before it) as event e.Seq of the incident, in the log, and sets
	// the incident's status. ErrConflict when e.Seq was taken meanwhile.
	AppendEvent(ctx context.Context, incidentID int64, e workflow.Event, st Status) error
	// MoveReports moves reports between incidents (a merge or a split),
	// pins them there, makes both incidents' facts again, rules them
	// and records the event on both. It returns the receiving incident.
	MoveReports(ctx context.Context, m Move, rule RuleFunc) (int64, error)
	// IncidentLinks says, for each report of an incident, why it joined.
	IncidentLinks(ctx context.Context, incidentID int64) (map[int64]string, error)

	// PutUser stores a user with the SHA-256 of their API token.
	PutUser(ctx context.Context, u workflow.User, tokenHash string) error
	User(ctx context.Context, name string) (workflow.User, error)
	// Users lists every user by name, without tokens or hashes.
	Users(ctx context.Context) ([]workflow.User, error)
	UserByToken(ctx context.Context, tokenHash string) (workflow.User, error)

	// SetPassword sets a user's password hash, ending their sessions.
	SetPassword(ctx context.Context, name, hash string) error
	PasswordHash(ctx context.Context, name string) (string, error)
	// PutSession, Session and DeleteSession keep browser sessions, by
	// the hash of their cookie; Session finds only unexpired ones.
	PutSession(ctx context.Context, tokenHash, user, csrf string, expires time.Time) error
	Session(ctx context.Context, tokenHash string) (workflow.User, string, error)
	DeleteSession(ctx context.Context, tokenHash string) error

	// PutEvidence stores a file by its SHA-256 (returned), once however
	// often it is sent, and records the receipt in its chain of custody;
	// both are in the log.
	PutEvidence(ctx context.Context, data []byte, r Receipt) (string, error)
	Evidence(ctx context.Context, sha string) ([]byte, string, error)
	// EvidenceInfo is a file's type, size and what it says about itself,
	// without its bytes.
	EvidenceInfo(ctx context.Context, sha string) (EvidenceFile, error)
	// Custody records a step in a file's chain of custody (a download, a
	// hand-over), in the log; Custody lists them.
	AddCustody(ctx context.Context, sha string, c CustodyEntry) error
	Custody(ctx context.Context, sha string) ([]CustodyEntry, error)

	// Notifications lists what a party has been told.
	Notifications(ctx context.Context, party string) ([]Notification, error)

	Close() error
}

// ErrNotOwner is returned when a report would be revised by someone other
// than whoever submitted it.
var ErrNotOwner = errors.New("the report belongs to another submitter")

// Owners of reports: who may revise one. A user's reports are "user:NAME".
const (
	OwnerImport = "import" // an operator's bulk import (datasets)
	OwnerAPI    = "api"    // the server's trusted machine client (submit token)
	OwnerPublic = "public" // the public web form: nobody may revise it
	// OwnerAdmin prefixes an administrator's name: an administrator may
	// revise any report, which keeps its owner.
	OwnerAdmin = "admin:"
	// OwnerNode prefixes a peer node's name: a report copied from a
	// peer, which only further copies from that peer revise (not even an
	// administrator: the peer's log is what it must match).
	OwnerNode = "node:"
)

// ErrConflict is returned when a write raced another: check and retry.
var ErrConflict = errors.New("conflict with a concurrent change")

// ErrTooBroad is a text search that read for longer than a store allows
// (the words are matched in every incident the other filters leave):
// narrowing it by period, place or agreement helps.
var ErrTooBroad = errors.New("the search reads too many incidents: narrow it with a period, a place or an agreement")

// Status is an incident's workflow status, as listings show it.
type Status struct {
	State    incident.State
	Grade    workflow.Grade
	Assignee string
}

// Move is a merge or split: Reports leave incident From for To (a new
// incident when 0). By is the event as checked; FromStatus the status of
// From after it.
type Move struct {
	From, To   int64
	Reports    []int64
	By         workflow.Event
	FromStatus Status
	Grade      GradeFunc
}

// Receipt is how an evidence file came in.
type Receipt struct {
	MediaType string
	By        string // the user, or "public"
	Via       string // "web", "api", "cli"
	FileName  string // as sent; never trusted, kept for the record
	Meta      any    // what the file says about itself (evidence.Meta)
}

// EvidenceFile describes a stored evidence file.
type EvidenceFile struct {
	SHA256    string          `json:"sha256"`
	MediaType string          `json:"media_type"`
	Size      int64           `json:"size"`
	Meta      json.RawMessage `json:"meta"`
	Custody   []CustodyEntry  `json:"custody"`
	// Missing is set for a file a record refers to that this node does not
	// hold (a report imported from another node without its files).
	Missing bool `json:"missing,omitempty"`
}

// CustodyEntry is one step in an evidence file's chain of custody.
type CustodyEntry struct {
	Seq    int       `json:"seq"`
	Action string    `json:"action"` // "received", "downloaded", ...
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Note   string    `json:"note,omitempty"`
}

// Notification is a message to a party.
type Notification struct {
	ID         int64     `json:"id"`
	Party      string    `json:"party"`
	IncidentID int64     `json:"incident_id"`
	Agreement  string    `json:"agreement"`
	Message    string    `json:"message"`
	At         time.Time `json:"at"`
}

// Intake is what happens to reports as they are stored.
type Intake struct {
	Rule    RuleFunc
	Grade   GradeFunc
	Cluster *cluster.Params
	// Reading fingerprints how the reports were read from their
	// originals, stored with each report (also one found unchanged) and
	// returned by Originals: a later import skips a record only if it
	// would be read the same way. Empty for reports not read from a file.
	Reading string
	// Keys, when set, holds for each agreement Rule rules under the key
	// of its rulings: what a ruling depends on beside the incident's
	// facts (the engine, the agreement, the reference data), which must
	// change whenever the ruling of the same facts could. Each ruling is
	// stored with what it was made from (IncidentRuling.Inputs), so that
	// EachToRule can tell which rulings are current. A ruling of an
	// agreement without a key is stored as made from nothing known, and
	// ruled again by the next truce rule.
	Keys map[string][]byte
}

// GradeFunc grades an incident from its reports, its history and its
// rulings. The store keeps the grade of every incident with a history
// for listings, and grades again whenever its reports change.
type GradeFunc func(reports []incident.Report, events []workflow.Event, rulings []ruling.Ruling) workflow.Grade

// RuleFunc rules an incident under every agreement in force.
type RuleFunc func(incident.Incident) []ruling.Ruling

// IncidentRuling is a ruling of one incident.
type IncidentRuling struct {
	IncidentID int64
	Ruling     ruling.Ruling
	// Inputs is what the ruling was made from, as EachToRule gave it
	// (ToRule.Inputs); nil when unknown (the ruling is then ruled again
	// by the next truce rule).
	Inputs []byte
}

// ToRule is an incident as EachToRule gives it.
type ToRule struct {
	ID    int64
	State incident.State
	// Current is set when the stored ruling was made with the key asked
	// from the incident's facts as they are stored: Stored is then what
	// ruling it again would give.
	Current bool
	Stored  StoredRuling
	// Incident is the incident, with its report ids, when the ruling is
	// not current or all was asked; otherwise its zero value.
	Incident incident.Incident
	// Inputs is what a ruling made now from Incident with the key asked
	// is made from: to be stored with it (IncidentRuling.Inputs).
	Inputs []byte
}

// StoredRuling is what the ruling table counts of a stored ruling
// (ruling.Tally.AddN). Parties and Clauses may be shared between
// incidents: they are not to be changed.
type StoredRuling struct {
	Version          int
	Verdict          ruling.Verdict
	Outcome          string
	Parties, Clauses []string
}

// Feed is a news feed the node polls (RSS or Atom), with what the poller
// keeps between polls. A feed's state is the poller's bookkeeping, not a
// record: it is not in the log. The reports its items make are imported
// and logged as any others.
type Feed struct {
	URL  string `json:"url"`
	Name string `json:"name"`
	// ETag and LastModified are the server's validators, sent back for a
	// conditional GET.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// LastPolled is when the feed was last polled; LastError, why that
	// poll failed ("" when it did not).
	LastPolled time.Time `json:"last_polled,omitzero"`
	LastError  string    `json:"last_error,omitempty"`
	// Seen are the keys of the items already taken (by link and by the
	// hash of their words), oldest first, bounded by the poller.
	Seen    []string  `json:"-"`
	AddedAt time.Time `json:"added_at,omitzero"`
}

// HumanitarianRecord is one revision of a humanitarian record
// (internal/humanitarian) as stored: Doc is its JSON, with identities
// already sealed by the caller.
type HumanitarianRecord struct {
	Kind     string
	ID       string
	Rev      int
	Doc      []byte
	StoredAt time.Time
}

// Humanitarian keeps humanitarian records, each change a new revision in
// the log.
type Humanitarian interface {
	// PutHumanitarian stores doc as the next revision of kind/id and logs
	// it in the same transaction, returning the revision; a doc identical
	// to the latest revision adds nothing (changed is false).
	PutHumanitarian(ctx context.Context, kind, id string, doc []byte) (rev int, changed bool, err error)
	// HumanitarianRecords returns the latest revision of every record of
	// kind (every kind when empty), by kind and id.
	HumanitarianRecords(ctx context.Context, kind string) ([]HumanitarianRecord, error)
	// HumanitarianHistory returns every revision of one record, oldest
	// first, or ErrNotFound.
	HumanitarianHistory(ctx context.Context, kind, id string) ([]HumanitarianRecord, error)
}

// Feeds keeps the news feeds the node polls.
type Feeds interface {
	// PutFeed adds a feed, or renames one already kept; its state is
	// kept.
	PutFeed(ctx context.Context, url, name string) error
	// Feeds lists the feeds, by name.
	Feeds(ctx context.Context) ([]Feed, error)
	// SaveFeedState stores a feed's state (validators, last poll and its
	// error, items seen); ErrNotFound when the feed is not kept.
	SaveFeedState(ctx context.Context, f Feed) error
}

// Channels a subscription is delivered through (Subscription.Channel).
const (
	ChannelEmail   = "email"   // a message by SMTP to Address
	ChannelWebhook = "webhook" // a signed POST to Address
	ChannelAtom    = "atom"    // an Atom feed, read at /feeds/TOKEN.atom: public messages only
)

// States of an outbox item (OutboxItem.State).
const (
	OutboxPending   = "pending"   // to be sent, at NextAt
	OutboxDelivered = "delivered" // the receiver accepted it
	OutboxFailed    = "failed"    // given up after the worker's last attempt
	OutboxFeed      = "feed"      // on an Atom subscription's feed: read, never sent
)

// Outcomes of a delivery attempt (DeliveryAttempt.Status).
const (
	AttemptDelivered = "delivered"
	AttemptFailed    = "failed"  // tried again at the next time given
	AttemptGaveUp    = "gave_up" // the last attempt failed: the item is failed
)

// ErrNotPublic is returned when a message not marked public would go to
// an Atom subscription (the public edition).
var ErrNotPublic = errors.New("only messages marked public go to an Atom feed")

// Subscription says who is sent which messages, through which channel
// (docs/delivery.md). A filter left empty does not filter.
type Subscription struct {
	ID string `json:"id"`
	// User owns the subscription; what they may see bounds what it is
	// sent.
	User    string `json:"user"`
	Channel string `json:"channel"`
	// Address is the e-mail address or the webhook's URL.
	Address string `json:"address,omitempty"`
	// Secret signs a webhook's requests; it is never listed.
	Secret string `json:"-"`
	// TokenHash is the SHA-256 of an Atom feed's token (the token, in
	// the feed's URL, is shown once).
	TokenHash string `json:"-"`
	Kind      string `json:"kind,omitempty"`     // "alert" or "violation"
	Party     string `json:"party,omitempty"`    // a party's id
	Zone      string `json:"zone,omitempty"`     // an agreement's zone id
	Area      string `json:"area,omitempty"`     // a P-code: messages in that unit (by prefix)
	Verdict   string `json:"verdict,omitempty"`  // a ruling's verdict
	Severity  string `json:"severity,omitempty"` // the least severity sent
	// PublicOnly limits the subscription to messages marked public (an
	// Atom subscription always is).
	PublicOnly bool      `json:"public_only"`
	CreatedAt  time.Time `json:"created_at"`
	// Stats, filled in by Subscriptions, is where its outbox stands.
	Stats *DeliveryStats `json:"stats,omitempty"`
}

// DeliveryStats counts a subscription's outbox by state.
type DeliveryStats struct {
	Pending   int `json:"pending"`
	Delivered int `json:"delivered"`
	Failed    int `json:"failed"`
	Feed      int `json:"feed,omitempty"`
	// LastError is the latest error among the items still pending or
	// failed.
	LastError string `json:"last_error,omitempty"`
}

// OutboxItem is one message to one subscription.
type OutboxItem struct {
	Subscription string `json:"subscription"`
	// MessageID is the message's idempotency key: an item is enqueued
	// once per subscription, however often the message is.
	MessageID string `json:"message_id"`
	// Payload is the message as JSON, as it is sent.
	Payload []byte `json:"-"`
	// Public is set for a message the public may see; only those go to
	// an Atom subscription.
	Public bool `json:"public"`
	// At is the message's time (the order of a feed).
	At         time.Time `json:"at"`
	State      string    `json:"state"`
	Attempts   int       `json:"attempts"`
	NextAt     time.Time `json:"next_at,omitzero"`
	LastError  string    `json:"last_error,omitempty"`
	EnqueuedAt time.Time `json:"enqueued_at"`
	// DeliveredAt is when the receiver accepted it.
	DeliveredAt time.Time `json:"delivered_at,omitzero"`
}

// DeliveryAttempt is one attempt to deliver an outbox item: the delivery
// log.
type DeliveryAttempt struct {
	Subscription string `json:"subscription"`
	MessageID    string `json:"message_id"`
	// Attempt numbers the item's attempts from 1 (set by the store).
	Attempt int       `json:"attempt"`
	Status  string    `json:"status"`
	Error   string    `json:"error,omitempty"`
	At      time.Time `json:"at"`
}

// Delivery keeps who is sent which messages (subscriptions), what is to
// be sent (the outbox) and what each attempt did (the delivery log): the
// delivery layer's bookkeeping (internal/delivery), not records; none of
// it is in the log.
type Delivery interface {
	// PutSubscription stores a new subscription; ErrConflict when its
	// id, or its feed token, is taken.
	PutSubscription(ctx context.Context, s Subscription) error
	// Subscription returns one subscription (ErrNotFound).
	Subscription(ctx context.Context, id string) (Subscription, error)
	// SubscriptionByToken returns the Atom subscription whose feed token
	// has this SHA-256 (ErrNotFound).
	SubscriptionByToken(ctx context.Context, tokenHash string) (Subscription, error)
	// Subscriptions lists a user's subscriptions (every user's for ""),
	// oldest first, with their Stats.
	Subscriptions(ctx context.Context, user string) ([]Subscription, error)
	// DeleteSubscription removes a subscription with its outbox and its
	// delivery log (ErrNotFound).
	DeleteSubscription(ctx context.Context, id string) error

	// PendingNotifications lists, oldest first, at most limit party
	// notifications not yet handed to Enqueue.
	PendingNotifications(ctx context.Context, limit int) ([]Notification, error)
	// Enqueue stores outbox items in one transaction, once per
	// subscription and message (an item already there is left as it is),
	// and marks the notifications named as handed over in the same
	// transaction. An item for a subscription removed meanwhile is
	// dropped; a message not public, for an Atom subscription, is
	// refused. It returns how many items were added.
	Enqueue(ctx context.Context, items []OutboxItem, notified []int64) (int, error)
	// ClaimDue leases to the caller until until at most limit pending
	// items due at now and not leased to another, soonest due first.
	ClaimDue(ctx context.Context, now, until time.Time, limit int) ([]OutboxItem, error)
	// Unclaim ends the leases of claimed items that were not attempted
	// (the worker stopped first), so that the next run, on this node or
	// after a restart, takes them at once rather than when the lease ends.
	Unclaim(ctx context.Context, items []OutboxItem) error
	// RecordAttempt logs an attempt (numbering it) and applies its
	// outcome to the item: delivered; failed, due again at next; or
	// given up. The lease ends. ErrNotFound when the item is gone.
	RecordAttempt(ctx context.Context, a DeliveryAttempt, next time.Time) error
	// Outbox lists a subscription's items, the latest message first, at
	// most limit (publicOnly: only the public ones).
	Outbox(ctx context.Context, subscription string, publicOnly bool, limit int) ([]OutboxItem, error)
	// DeliveryLog lists the attempts to deliver a message to a
	// subscription (every message's for ""), in order.
	DeliveryLog(ctx context.Context, subscription, messageID string) ([]DeliveryAttempt, error)
}
