// Package delivery sends messages (the escalation detector's alerts, the
// notifications of violations to parties) to those who subscribed to
// them: by e-mail (SMTP), by webhook (a signed POST) or on an Atom feed
// (the public edition). Every message matched to a subscription is a row
// of a persisted outbox (store.Delivery); a Worker delivers the rows with
// retries and exponential backoff, logs every attempt, and resumes from
// the table after a restart. A receiver sees each message once per
// subscription under its idempotency key (the message's ID, in the
// X-Truce-Id header), however often it was sent. See docs/delivery.md.
package delivery

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/store"
)

// Kinds of message.
const (
	KindAlert     = "alert"     // the escalation detector's
	KindViolation = "violation" // a party notified of a violation ruled against it
)

// Kinds lists the kinds of message.
var Kinds = []string{KindAlert, KindViolation}

// Severities, least first: a subscription's Severity is the least it is
// sent.
var Severities = []string{"low", "medium", "high", "critical"}

// Message is what is delivered: generic over alerts and notifications,
// each made by the app from its own kind of record.
type Message struct {
	// ID is the message's idempotency key: the same event always makes
	// the same ID, so that enqueueing it twice sends it once.
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Party    string `json:"party,omitempty"`    // the party concerned
	Zone     string `json:"zone,omitempty"`     // an agreement's zone id
	Area     string `json:"area,omitempty"`     // the most precise P-code of the place
	Ruling   string `json:"ruling,omitempty"`   // the ruling's verdict
	Severity string `json:"severity,omitempty"` // one of Severities
	Title    string `json:"title"`
	Text     string `json:"text"`
	// Link is the page of the message's subject: a path on the node
	// ("/incidents/12"), made absolute with the node's public URL when
	// sent, or an absolute URL.
	Link string    `json:"link,omitempty"`
	At   time.Time `json:"at"`
	// Public is set when the public may read the message: only such
	// messages go to an Atom feed or to a subscription limited to
	// public messages, and only such messages reach a user who may not
	// see the protected record.
	Public bool `json:"public"`
}

// maxID bounds an ID: it is sent in a header and keys the outbox.
const maxID = 200

// Validate says what is wrong with a message, if anything.
func (m Message) Validate() error {
	switch {
	case m.ID == "" || len(m.ID) > maxID:
		return fmt.Errorf("message: an id of 1 to %d characters is required", maxID)
	case strings.IndexFunc(m.ID, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0:
		return fmt.Errorf("message %q: the id must be printable ASCII without spaces (it is sent in a header)", m.ID)
	case !slices.Contains(Kinds, m.Kind):
		return fmt.Errorf("message %s: kind %q is not one of %v", m.ID, m.Kind, Kinds)
	case m.Severity != "" && !slices.Contains(Severities, m.Severity):
		return fmt.Errorf("message %s: severity %q is not one of %v", m.ID, m.Severity, Severities)
	case strings.TrimSpace(m.Title) == "" && strings.TrimSpace(m.Text) == "":
		return fmt.Errorf("message %s: a title or a text is required", m.ID)
	case m.At.IsZero():
		return fmt.Errorf("message %s: its time is required", m.ID)
	}
	return nil
}

// Payload is the message as stored in the outbox and sent to webhooks.
func (m Message) Payload() ([]byte, error) {
	return json.Marshal(m)
}

// Decode reads a payload back.
func Decode(payload []byte) (Message, error) {
	var m Message
	if err := json.Unmarshal(payload, &m); err != nil {
		return m, fmt.Errorf("outbox payload: %w", err)
	}
	return m, nil
}

// Viewer is what a subscription's owner may see: everything (the Joint
// Group's staff), or one party's protected messages beside the public
// ones (a party's users), or the public ones only.
type Viewer struct {
	SeesAll bool
	Party   string
}

// MaySee reports whether v may read m.
func (v Viewer) MaySee(m Message) bool {
	return m.Public || v.SeesAll || (v.Party != "" && v.Party == m.Party)
}

// Match reports whether m goes to s, whose owner is v: m passes every
// filter s sets, a subscription limited to public messages (every Atom
// one) gets only public ones, and no one is sent what they may not see.
func Match(s store.Subscription, v Viewer, m Message) bool {
	switch {
	case !v.MaySee(m):
		return false
	case (s.PublicOnly || s.Channel == store.ChannelAtom) && !m.Public:
		return false
	case s.Kind != "" && s.Kind != m.Kind:
		return false
	case s.Party != "" && s.Party != m.Party:
		return false
	case s.Zone != "" && s.Zone != m.Zone:
		return false
	case s.Area != "" && !strings.HasPrefix(m.Area, s.Area):
		return false
	case s.Verdict != "" && s.Verdict != m.Ruling:
		return false
	case s.Severity != "" && rank(m.Severity) < rank(s.Severity):
		return false
	}
	return true
}

// rank orders severities; an unknown or missing one is below all.
func rank(s string) int { return slices.Index(Severities, s) }
