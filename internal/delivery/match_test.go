package delivery_test

import (
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/delivery"
	"github.com/truce-monitor/truce/internal/store"
)

// TestMatch: every filter, the public edition, and what the owner may see.
func TestMatch(t *testing.T) {
	at := time.Date(2017, 3, 10, 9, 0, 0, 0, time.UTC)
	gov := delivery.Message{ID: "a1", Kind: delivery.KindAlert, Party: "GOV", Zone: "DZ1", Area: "SY030200", Ruling: "violation", Severity: "high", Title: "t", At: at}
	opp := gov
	opp.ID, opp.Party, opp.Zone, opp.Area, opp.Severity = "a2", "OPP", "DZ2", "SY070100", "medium"
	public := func(m delivery.Message) delivery.Message { m.Public = true; return m }
	with := func(f func(*delivery.Message)) delivery.Message { m := gov; f(&m); return m }
	staff := delivery.Viewer{SeesAll: true}
	govUser := delivery.Viewer{Party: "GOV"}
	nobody := delivery.Viewer{}
	hook := func(f func(*store.Subscription)) store.Subscription {
		s := store.Subscription{ID: "s", User: "u", Channel: store.ChannelWebhook}
		if f != nil {
			f(&s)
		}
		return s
	}
	for _, tt := range []struct {
		name string
		sub  store.Subscription
		v    delivery.Viewer
		m    delivery.Message
		want bool
	}{
		{"no filter, staff, protected", hook(nil), staff, gov, true},
		{"party matches", hook(func(s *store.Subscription) { s.Party = "GOV" }), staff, gov, true},
		{"party differs", hook(func(s *store.Subscription) { s.Party = "GOV" }), staff, opp, false},
		{"zone matches", hook(func(s *store.Subscription) { s.Zone = "DZ1" }), staff, gov, true},
		{"zone differs", hook(func(s *store.Subscription) { s.Zone = "DZ1" }), staff, opp, false},
		{"zone, message without one", hook(func(s *store.Subscription) { s.Zone = "DZ1" }), staff, with(func(m *delivery.Message) { m.Zone = "" }), false},
		{"area: the governorate holds the sub-district", hook(func(s *store.Subscription) { s.Area = "SY03" }), staff, gov, true},
		{"area: the district", hook(func(s *store.Subscription) { s.Area = "SY0302" }), staff, gov, true},
		{"area: the very unit", hook(func(s *store.Subscription) { s.Area = "SY030200" }), staff, gov, true},
		{"area: another governorate", hook(func(s *store.Subscription) { s.Area = "SY07" }), staff, gov, false},
		{"area: a unit inside the message's", hook(func(s *store.Subscription) { s.Area = "SY030200" }), staff, with(func(m *delivery.Message) { m.Area = "SY03" }), false},
		{"verdict matches", hook(func(s *store.Subscription) { s.Verdict = "violation" }), staff, gov, true},
		{"verdict differs", hook(func(s *store.Subscription) { s.Verdict = "undetermined" }), staff, gov, false},
		{"severity: at least high, high", hook(func(s *store.Subscription) { s.Severity = "high" }), staff, gov, true},
		{"severity: at least high, critical", hook(func(s *store.Subscription) { s.Severity = "high" }), staff, with(func(m *delivery.Message) { m.Severity = "critical" }), true},
		{"severity: at least high, medium", hook(func(s *store.Subscription) { s.Severity = "high" }), staff, opp, false},
		{"severity: at least low, none given", hook(func(s *store.Subscription) { s.Severity = "low" }), staff, with(func(m *delivery.Message) { m.Severity = "" }), false},
		{"kind matches", hook(func(s *store.Subscription) { s.Kind = delivery.KindAlert }), staff, gov, true},
		{"kind differs", hook(func(s *store.Subscription) { s.Kind = delivery.KindViolation }), staff, gov, false},
		{"every filter at once", hook(func(s *store.Subscription) {
			s.Party, s.Zone, s.Area, s.Verdict, s.Severity, s.Kind = "GOV", "DZ1", "SY0302", "violation", "medium", delivery.KindAlert
		}), staff, gov, true},
		{"public only: protected", hook(func(s *store.Subscription) { s.PublicOnly = true }), staff, gov, false},
		{"public only: public", hook(func(s *store.Subscription) { s.PublicOnly = true }), staff, public(gov), true},
		{"atom: protected, even to staff", hook(func(s *store.Subscription) { s.Channel = store.ChannelAtom }), staff, gov, false},
		{"atom: public", hook(func(s *store.Subscription) { s.Channel = store.ChannelAtom }), staff, public(opp), true},
		{"a party's user: its own protected", hook(nil), govUser, gov, true},
		{"a party's user: another's protected", hook(nil), govUser, opp, false},
		{"a party's user: another's public", hook(nil), govUser, public(opp), true},
		{"a party's user filtering another party: protected", hook(func(s *store.Subscription) { s.Party = "OPP" }), govUser, opp, false},
		{"no rights (a user removed): protected", hook(nil), nobody, gov, false},
		{"no rights: public", hook(nil), nobody, public(gov), true},
		{"a message of no party: staff", hook(nil), staff, with(func(m *delivery.Message) { m.Party = "" }), true},
		{"a message of no party: a party's user", hook(nil), govUser, with(func(m *delivery.Message) { m.Party = "" }), false},
	} {
		if got := delivery.Match(tt.sub, tt.v, tt.m); got != tt.want {
			t.Errorf("%s: Match = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestMessageValidate(t *testing.T) {
	ok := delivery.Message{ID: "alert:DZ1:2017-03-10", Kind: delivery.KindAlert, Title: "تصعيد", At: time.Now()}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid message: %v", err)
	}
	for name, f := range map[string]func(*delivery.Message){
		"no id":            func(m *delivery.Message) { m.ID = "" },
		"space in id":      func(m *delivery.Message) { m.ID = "a b" },
		"line break in id": func(m *delivery.Message) { m.ID = "a\r\nX-Evil: 1" },
		"non-ASCII id":     func(m *delivery.Message) { m.ID = "تصعيد" },
		"long id":          func(m *delivery.Message) { m.ID = string(make([]byte, 201)) },
		"kind":             func(m *delivery.Message) { m.Kind = "news" },
		"severity":         func(m *delivery.Message) { m.Severity = "extreme" },
		"no words":         func(m *delivery.Message) { m.Title, m.Text = " ", "" },
		"no time":          func(m *delivery.Message) { m.At = time.Time{} },
	} {
		m := ok
		f(&m)
		if m.Validate() == nil {
			t.Errorf("%s: valid", name)
		}
	}
}

func TestCheckAddress(t *testing.T) {
	for _, tt := range []struct {
		channel, address, want string
		ok                     bool
	}{
		{store.ChannelEmail, "Liaison <gov@example.org>", "gov@example.org", true},
		{store.ChannelEmail, "not an address", "", false},
		{store.ChannelEmail, "a@example.org\r\nBcc: b@example.org", "", false},
		{store.ChannelWebhook, "https://hooks.example.org/truce?key=1#x", "https://hooks.example.org/truce?key=1", true},
		{store.ChannelWebhook, "http://hooks.example.org/truce", "", false},
		{store.ChannelWebhook, "http://127.0.0.1:9000/hook", "http://127.0.0.1:9000/hook", true},
		{store.ChannelWebhook, "http://localhost/hook", "http://localhost/hook", true},
		{store.ChannelWebhook, "ftp://example.org/", "", false},
		{store.ChannelWebhook, "https:///nohost", "", false},
		{store.ChannelAtom, "", "", true},
		{store.ChannelAtom, "https://example.org/", "", false},
		{"sms", "+963", "", false},
	} {
		got, err := delivery.CheckAddress(tt.channel, tt.address)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("%s %q: %q, %v", tt.channel, tt.address, got, err)
		}
	}
}

func TestBackoff(t *testing.T) {
	b := delivery.Backoff{Base: time.Second, Cap: 10 * time.Second}
	for i, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second} {
		if got := b.Delay(i+1, nil); got != want {
			t.Errorf("attempt %d: %s, want %s", i+1, got, want)
		}
	}
	if got := b.Delay(500, nil); got != 10*time.Second {
		t.Errorf("attempt 500: %s (overflow?)", got)
	}
	b.Jitter = 0.5
	low, high := b.Delay(3, func() float64 { return 0 }), b.Delay(3, func() float64 { return 0.999999 })
	if low != 2*time.Second || high < 3999*time.Millisecond || high > 4*time.Second {
		t.Errorf("jittered third delay between %s and %s, want 2s to 4s", low, high)
	}
	for range 1000 {
		if d := b.Delay(20, nil); d < 5*time.Second || d > 10*time.Second {
			t.Fatalf("jittered capped delay %s", d)
		}
	}
	full := delivery.Backoff{Base: time.Millisecond, Cap: time.Second, Jitter: 1}
	if d := full.Delay(1, func() float64 { return 0 }); d <= 0 {
		t.Errorf("a retry due at once: %s", d)
	}
}
