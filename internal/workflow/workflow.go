// Package workflow is what happens to an incident after intake: review,
// verification, assignment, comments, the accused party's reply, the
// guarantors' findings and the reviewer's grade. An incident's history is
// a list of events; its case is the fold of them. Every event is checked
// against who asks and against the incident before it is recorded, so
// that the rules (a party cannot rule where it is accused; a finding
// needs the guarantors' consensus) hold whichever door a request comes
// through.
package workflow

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/truce-monitor/truce/internal/incident"
)

// Role is what a user may do.
type Role string

const (
	// Admin runs the node: every action.
	Admin Role = "admin"
	// Reviewer is Joint Group staff: reviews, verifies, assigns, merges.
	Reviewer Role = "reviewer"
	// GuarantorMember speaks for one guarantor: a reviewer's powers, and
	// the guarantor's position on findings.
	GuarantorMember Role = "guarantor"
	// Monitor reports from the field and comments.
	Monitor Role = "monitor"
	// Liaison speaks for one party: replies where the party is accused.
	Liaison Role = "liaison"
	// Researcher reads what is public.
	Researcher Role = "researcher"
)

// Roles lists the roles, for validation and help.
var Roles = []Role{Admin, Reviewer, GuarantorMember, Monitor, Liaison, Researcher}

// User is who asks.
type User struct {
	Name string `json:"name"`
	Role Role   `json:"role"`
	// Party is the party a liaison speaks for (and any user belongs to).
	Party string `json:"party,omitempty"`
	// Guarantor is the guarantor a member or seconded reviewer serves.
	Guarantor string `json:"guarantor,omitempty"`
}

// Validate checks that the user's affiliation fits the role.
func (u User) Validate() error {
	switch {
	case u.Name == "":
		return errors.New("user: a name is required")
	case !validName(u.Name):
		// A name prefixes its user's report ids ("NAME:id"): no colon, so
		// that no user's namespace holds another's.
		return fmt.Errorf("user %q: a name is 1 to 64 letters, digits, '.', '-' or '_'", u.Name)
	case !slices.Contains(Roles, u.Role):
		return fmt.Errorf("user %s: unknown role %q (known: %v)", u.Name, u.Role, Roles)
	case u.Role == Liaison && u.Party == "":
		return fmt.Errorf("user %s: a liaison needs the party they speak for", u.Name)
	case u.Role == GuarantorMember && u.Guarantor == "":
		return fmt.Errorf("user %s: a guarantor member needs the guarantor they serve", u.Name)
	}
	return nil
}

func validName(name string) bool {
	if len(name) > 64 {
		return false
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '.' && r != '-' && r != '_' {
			return false
		}
	}
	return name != ""
}

// Action is what an event does.
type Action string

const (
	Review   Action = "review"   // reported → under review
	Verify   Action = "verify"   // under review → verified
	Dispute  Action = "dispute"  // under review → disputed
	Dismiss  Action = "dismiss"  // under review → dismissed
	Reopen   Action = "reopen"   // verified, disputed, dismissed → under review
	Assign   Action = "assign"   // to a monitor or reviewer
	Comment  Action = "comment"  // a note on the record
	Regrade  Action = "grade"    // a reviewer's confidence grade, overriding the computed one
	Merge    Action = "merge"    // reports of another incident joined this one
	Split    Action = "split"    // reports of this incident left for another
	Reply    Action = "reply"    // the accused party's answer
	Propose  Action = "finding"  // a guarantor's proposed finding
	Position Action = "position" // a guarantor's agreement with or dissent from a finding
	Fact     Action = "fact"     // a reviewer's verdict on a fact read from a report's words
)

// FactReview is a reviewer's verdict on a fact the extractor read from a
// report's text (incident.TextFact), which it names by report, field and
// the start of its span.
type FactReview struct {
	Report  int64  `json:"report"`
	Field   string `json:"field"`
	Start   int    `json:"start"`
	Verdict string `json:"verdict"` // FactAccept, FactCorrect or FactReject
	// Value is the right value, for FactCorrect.
	Value string `json:"value,omitempty"`
}

// Verdicts on a fact read from text.
const (
	FactAccept  = "accept"
	FactCorrect = "correct"
	FactReject  = "reject"
)

// Stance is how the accused party replies.
type Stance string

const (
	Deny    Stance = "deny"
	Accept  Stance = "accept"
	Explain Stance = "explain"
)

// Conclusion is what a finding concludes.
type Conclusion string

const (
	IsViolation  Conclusion = "violation"
	NoViolation  Conclusion = "no_violation"
	Inconclusive Conclusion = "inconclusive"
)

// A guarantor's position on a finding. A dissent joins the consensus while
// recording disagreement, published with the finding; an objection blocks
// it.
const (
	AgreePosition   = "agree"
	DissentPosition = "dissent"
	ObjectPosition  = "object"
)

// Finding is what the guarantors are asked to adopt.
type Finding struct {
	Agreement  string     `json:"agreement"`
	Conclusion Conclusion `json:"conclusion"`
	Clauses    []string   `json:"clauses,omitempty"`
	Parties    []string   `json:"parties,omitempty"`
	Text       string     `json:"text"`
}

// Event is one step in an incident's history. Fields beyond the first
// five belong to particular actions.
type Event struct {
	Seq       int       `json:"seq"`
	Action    Action    `json:"action"`
	By        string    `json:"by"`
	Role      Role      `json:"role"`
	Party     string    `json:"party,omitempty"`
	Guarantor string    `json:"guarantor,omitempty"`
	At        time.Time `json:"at"`
	// Reason is the why of a transition or grade, a comment's text, a
	// reply's or a dissent's words.
	Reason   string   `json:"reason,omitempty"`
	Assignee string   `json:"assignee,omitempty"`
	Grade    Grade    `json:"grade,omitempty"`
	Stance   Stance   `json:"stance,omitempty"`
	Evidence []string `json:"evidence,omitempty"` // SHA-256 of stored evidence
	Finding  *Finding `json:"finding,omitempty"`
	// FactReview is a fact event's verdict.
	FactReview *FactReview `json:"fact_review,omitempty"`
	// Of is the finding (its event's Seq) a position is on.
	Of       int    `json:"of,omitempty"`
	Position string `json:"position,omitempty"`
	// Reports moved by a merge or split, and the other incident.
	Reports []int64 `json:"reports,omitempty"`
	Other   int64   `json:"other,omitempty"`
	// State is the incident's state after the event.
	State incident.State `json:"state"`
}

// Subject is what the checks need to know of the incident beyond its
// history: whom its rulings accuse, which guarantors answer under the
// agreement in force, and which of them have a conflict of interest.
type Subject struct {
	Accused    []string
	Guarantors []string
	// Conflicted are the guarantors whose own forces are among the
	// incident's actors (ruling.Ruling's ConflictOfInterest): like an
	// accused guarantor, each is recused from the findings and may not
	// rule on the incident, whatever the verdict.
	Conflicted []string
}

// recused reports whether a guarantor takes no part in the incident's
// findings: it is accused, or its own forces are among the actors.
func (s Subject) recused(guarantor string) bool {
	return slices.Contains(s.Accused, guarantor) || slices.Contains(s.Conflicted, guarantor)
}

// FindingState is a finding with the guarantors' positions so far.
type FindingState struct {
	Seq       int               `json:"seq"`
	By        string            `json:"by"`
	Guarantor string            `json:"guarantor"`
	At        time.Time         `json:"at"`
	Finding   Finding           `json:"finding"`
	Positions map[string]Event  `json:"positions"` // by guarantor
	Adopted   bool              `json:"adopted"`
	Dissent   map[string]string `json:"dissent,omitempty"` // guarantor: reason
	// Waiting lists the guarantors whose position is still needed;
	// Recused those accused in the incident or with a conflict of
	// interest in it (Subject.Conflicted), who take none.
	Waiting []string `json:"waiting,omitempty"`
	Recused []string `json:"recused,omitempty"`
}

// Case is an incident's history folded.
type Case struct {
	State    incident.State `json:"state"`
	Assignee string         `json:"assignee,omitempty"`
	// Override is the reviewer's grade, when one was set.
	Override *Event         `json:"grade_override,omitempty"`
	Replies  []Event        `json:"replies,omitempty"`
	Comments []Event        `json:"comments,omitempty"`
	Findings []FindingState `json:"findings,omitempty"`
	History  []Event        `json:"history"`
}

// Fold replays an incident's history; s decides who is recused from
// findings.
func Fold(events []Event, s Subject) Case {
	c := Case{State: incident.Reported}
	for _, e := range events {
		c.apply(e, s)
	}
	return c
}

func (c *Case) apply(e Event, s Subject) {
	c.History = append(c.History, e)
	if e.State != "" {
		c.State = e.State
	}
	switch e.Action {
	case Assign:
		c.Assignee = e.Assignee
	case Comment:
		c.Comments = append(c.Comments, e)
	case Regrade:
		ev := e
		c.Override = &ev
		if e.Grade == "" {
			c.Override = nil
		}
	case Reply:
		c.Replies = append(c.Replies, e)
	case Propose:
		f := FindingState{Seq: e.Seq, By: e.By, Guarantor: e.Guarantor, At: e.At, Finding: *e.Finding, Positions: map[string]Event{}}
		c.Findings = append(c.Findings, f)
		c.position(Event{Action: Position, Of: e.Seq, By: e.By, Guarantor: e.Guarantor, At: e.At, Position: AgreePosition}, s)
	case Position:
		c.position(e, s)
	}
}

func (c *Case) position(e Event, s Subject) {
	for i := range c.Findings {
		f := &c.Findings[i]
		if f.Seq != e.Of || f.Adopted {
			continue
		}
		f.Positions[e.Guarantor] = e
		f.settle(s)
	}
}

// settle decides adoption: every guarantor of the agreement in force not
// recused has taken a position and none objects. A dissent does not
// block; it is published with the finding.
func (f *FindingState) settle(s Subject) {
	f.Waiting, f.Recused, f.Dissent = nil, nil, nil
	objected := false
	for _, g := range s.Guarantors {
		if s.recused(g) {
			f.Recused = append(f.Recused, g)
			continue
		}
		p, ok := f.Positions[g]
		switch {
		case !ok:
			f.Waiting = append(f.Waiting, g)
		case p.Position == ObjectPosition:
			objected = true
		case p.Position == DissentPosition:
			if f.Dissent == nil {
				f.Dissent = map[string]string{}
			}
			f.Dissent[g] = p.Reason
		}
	}
	f.Adopted = len(s.Guarantors) > 0 && len(f.Waiting) == 0 && !objected
}

// Errors a check returns; the server maps them to status codes.
var (
	ErrForbidden = errors.New("forbidden")
	ErrConflict  = errors.New("conflict of interest")
	ErrState     = errors.New("not allowed in this state")
	ErrInvalid   = errors.New("invalid")
)

// transitions are the moves between states and the states they start from.
var transitions = map[Action]struct {
	from []incident.State
	to   incident.State
}{
	Review:  {[]incident.State{incident.Reported}, incident.UnderReview},
	Verify:  {[]incident.State{incident.UnderReview}, incident.Verified},
	Dispute: {[]incident.State{incident.UnderReview}, incident.Disputed},
	Dismiss: {[]incident.State{incident.UnderReview}, incident.Dismissed},
	Reopen:  {[]incident.State{incident.Verified, incident.Disputed, incident.Dismissed}, incident.UnderReview},
}

// staff may review, verify, assign, grade, merge and split.
func staff(r Role) bool { return r == Admin || r == Reviewer || r == GuarantorMember }

// Check decides whether u may record e on the case, and returns the event
// completed (who, state after); e.Seq and e.At are the caller's.
func (c Case) Check(u User, e Event, s Subject) (Event, error) {
	e.By, e.Role, e.Party, e.Guarantor = u.Name, u.Role, u.Party, u.Guarantor
	e.State = c.State
	conflicted := (u.Party != "" && slices.Contains(s.Accused, u.Party)) || (u.Guarantor != "" && s.recused(u.Guarantor))
	deny := func(err error, format string, args ...any) (Event, error) {
		return e, fmt.Errorf("%s: %w: %s", e.Action, err, fmt.Sprintf(format, args...))
	}
	needReason := func() error {
		if strings.TrimSpace(e.Reason) == "" {
			return fmt.Errorf("%s: %w: a reason is required", e.Action, ErrInvalid)
		}
		return nil
	}
	switch e.Action {
	case Review, Verify, Dispute, Dismiss, Reopen:
		t := transitions[e.Action]
		if !staff(u.Role) {
			return deny(ErrForbidden, "the %s role cannot change an incident's state", u.Role)
		}
		if e.Action != Review && conflicted {
			return deny(ErrConflict, "a party cannot rule on an incident it is accused in (%s)", strings.Join(s.Accused, ", "))
		}
		if !slices.Contains(t.from, c.State) {
			return deny(ErrState, "the incident is %s; %s needs it %s", c.State, e.Action, join(t.from))
		}
		if e.Action != Review {
			if err := needReason(); err != nil {
				return e, err
			}
		}
		e.State = t.to
	case Assign:
		if !staff(u.Role) {
			return deny(ErrForbidden, "the %s role cannot assign incidents", u.Role)
		}
		if c.State == incident.Dismissed {
			return deny(ErrState, "the incident is dismissed")
		}
		if e.Assignee == "" {
			return deny(ErrInvalid, "an assignee is required")
		}
	case Comment:
		if u.Role == Researcher {
			return deny(ErrForbidden, "the %s role cannot comment", u.Role)
		}
		if err := needReason(); err != nil {
			return e, err
		}
	case Regrade:
		if !staff(u.Role) {
			return deny(ErrForbidden, "the %s role cannot grade", u.Role)
		}
		if conflicted {
			return deny(ErrConflict, "a party cannot grade an incident it is accused in")
		}
		if e.Grade != "" && !slices.Contains(Grades, e.Grade) {
			return deny(ErrInvalid, "unknown grade %q (known: %v)", e.Grade, Grades)
		}
		if err := needReason(); err != nil {
			return e, err
		}
	case Merge, Split:
		if !staff(u.Role) {
			return deny(ErrForbidden, "the %s role cannot merge or split incidents", u.Role)
		}
		if c.State != incident.Reported && c.State != incident.UnderReview {
			return deny(ErrState, "the incident is %s; reopen it first", c.State)
		}
		if len(e.Reports) == 0 && e.Other == 0 {
			return deny(ErrInvalid, "reports or another incident are required")
		}
	case Fact:
		if !staff(u.Role) {
			return deny(ErrForbidden, "the %s role cannot review what was read from a report", u.Role)
		}
		if conflicted {
			return deny(ErrConflict, "a party cannot review the facts of an incident it is accused in")
		}
		if c.State != incident.Reported && c.State != incident.UnderReview {
			return deny(ErrState, "the incident is %s; its facts are settled (reopen it first)", c.State)
		}
		fr := e.FactReview
		switch {
		case fr == nil || fr.Report == 0 || fr.Field == "":
			return deny(ErrInvalid, "name the report and the fact (field and start)")
		case fr.Verdict == FactCorrect && strings.TrimSpace(fr.Value) == "":
			return deny(ErrInvalid, "a correction needs the right value")
		case fr.Verdict != FactAccept && fr.Verdict != FactCorrect && fr.Verdict != FactReject:
			return deny(ErrInvalid, "verdict must be accept, correct or reject, not %q", fr.Verdict)
		}
	case Reply:
		if u.Role != Liaison {
			return deny(ErrForbidden, "only a party's liaison replies")
		}
		if !slices.Contains(s.Accused, u.Party) {
			return deny(ErrForbidden, "party %s is not accused in this incident", u.Party)
		}
		if e.Stance != Deny && e.Stance != Accept && e.Stance != Explain {
			return deny(ErrInvalid, "stance must be deny, accept or explain, not %q", e.Stance)
		}
		if err := needReason(); err != nil {
			return e, err
		}
	case Propose, Position:
		// Findings are the guarantors' of the version in force, less any
		// accused in the incident.
		switch {
		case u.Role != GuarantorMember:
			return deny(ErrForbidden, "only a guarantor's member proposes findings or takes positions")
		case !slices.Contains(s.Guarantors, u.Guarantor):
			return deny(ErrForbidden, "guarantor %s is not a guarantor of the agreement in force", u.Guarantor)
		case conflicted && slices.Contains(s.Conflicted, u.Guarantor):
			return deny(ErrConflict, "guarantor %s's own forces are among the incident's actors; it takes no part in its finding", u.Guarantor)
		case conflicted:
			return deny(ErrConflict, "guarantor %s is accused in the incident and takes no part in its finding", u.Guarantor)
		}
		if e.Action == Position {
			return c.checkPosition(e, deny, needReason)
		}
		if c.State != incident.Verified && c.State != incident.Disputed && c.State != incident.Dismissed {
			return deny(ErrState, "the incident is %s; a finding follows verification (verified, disputed or dismissed)", c.State)
		}
		f := e.Finding
		if f == nil || strings.TrimSpace(f.Text) == "" || f.Agreement == "" {
			return deny(ErrInvalid, "a finding needs its agreement and text")
		}
		if f.Conclusion != IsViolation && f.Conclusion != NoViolation && f.Conclusion != Inconclusive {
			return deny(ErrInvalid, "conclusion must be violation, no_violation or inconclusive, not %q", f.Conclusion)
		}
		if f.Conclusion == IsViolation && (len(f.Clauses) == 0 || len(f.Parties) == 0) {
			return deny(ErrInvalid, "a finding of violation names the clauses and the parties")
		}
	default:
		return deny(ErrInvalid, "unknown action %q", e.Action)
	}
	return e, nil
}

func (c Case) checkPosition(e Event, deny func(error, string, ...any) (Event, error), needReason func() error) (Event, error) {
	i := slices.IndexFunc(c.Findings, func(f FindingState) bool { return f.Seq == e.Of })
	if i < 0 {
		return deny(ErrInvalid, "no finding %d on this incident", e.Of)
	}
	if c.Findings[i].Adopted {
		return deny(ErrState, "finding %d is already adopted", e.Of)
	}
	switch e.Position {
	case AgreePosition:
	case DissentPosition, ObjectPosition:
		if err := needReason(); err != nil {
			return e, err
		}
	default:
		return deny(ErrInvalid, "position must be agree, dissent or object, not %q", e.Position)
	}
	return e, nil
}

func join(states []incident.State) string {
	var s []string
	for _, st := range states {
		s = append(s, string(st))
	}
	return strings.Join(s, " or ")
}
