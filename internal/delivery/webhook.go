package delivery

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/truce-monitor/truce/internal/store"
)

// Webhook headers.
const (
	HeaderID           = "X-Truce-Id"           // the message's idempotency key
	HeaderTimestamp    = "X-Truce-Timestamp"    // Unix seconds when sent
	HeaderSignature    = "X-Truce-Signature"    // "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body)
	HeaderSubscription = "X-Truce-Subscription" // the subscription's id
	HeaderKind         = "X-Truce-Kind"         // the message's kind
)

// MinSecret is the least length of a webhook's secret.
const MinSecret = 16

// Sign is the X-Truce-Signature of body sent at timestamp (Unix seconds)
// under secret.
func Sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte("."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// ErrSignature is returned by Verify for a request not signed with the
// secret, or signed too long ago.
var ErrSignature = errors.New("webhook signature does not verify")

// Verify checks a webhook request's signature, as a receiver written in
// Go would: the HMAC over timestamp, ".", body, compared in constant
// time, and the timestamp within tolerance of now (a replayed request is
// refused once it is older).
func Verify(secret, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp %q", ErrSignature, timestamp)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: timestamp %s is %s from now", ErrSignature, timestamp, d.Round(time.Second))
	}
	if !hmac.Equal([]byte(Sign(secret, timestamp, body)), []byte(signature)) {
		return ErrSignature
	}
	return nil
}

// Webhook POSTs messages as JSON to a subscription's URL, signed with its
// secret. A 2xx answer is delivered; anything else, or no answer within
// the timeout, is tried again.
type Webhook struct {
	Client *http.Client
	// BaseURL makes a message's relative link absolute.
	BaseURL string
	// Now is the clock of the timestamps (time.Now when nil).
	Now func() time.Time
}

// maxAnswer bounds what is read of a receiver's answer (kept in the
// delivery log when it is not 2xx).
const maxAnswer = 512

// Send implements Sender.
func (h *Webhook) Send(ctx context.Context, s store.Subscription, m Message, payload []byte) error {
	body := payload
	if abs := absolute(h.BaseURL, m.Link); abs != m.Link {
		m.Link = abs
		var err error
		if body, err = m.Payload(); err != nil {
			return err
		}
	}
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	ts := strconv.FormatInt(now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.Address, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "truce-delivery/1")
	req.Header.Set(HeaderID, m.ID)
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(s.Secret, ts, body))
	req.Header.Set(HeaderSubscription, s.ID)
	req.Header.Set(HeaderKind, m.Kind)
	client := h.Client
	if client == nil {
		client = WebhookClient(10*time.Second, false)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: %w", scrub(err, s.Address))
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // keep the connection
	if resp.StatusCode/100 != 2 {
		msg := strings.Join(strings.Fields(string(answer)), " ")
		if msg != "" {
			msg = ": " + msg
		}
		return fmt.Errorf("webhook answered HTTP %d%s", resp.StatusCode, msg)
	}
	return nil
}

// scrub keeps a URL's query (which may hold a receiver's token) out of
// the error kept in the delivery log.
func scrub(err error, rawURL string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s %s: %w", ue.Op, redactURL(rawURL), ue.Err)
	}
	return err
}

// redactURL is a URL without its query, fragment and password.
func redactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(a URL)"
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	return u.String()
}

// WebhookClient is the HTTP client webhooks are sent with: the timeout
// bounds the whole request; redirects are not followed (a 3xx is not
// delivered); and unless allowPrivate, only public addresses are
// reached, checked on the address actually dialled (so that a name
// resolving to the node's own network is refused too): a subscriber must
// not make the node call its own private services.
func WebhookClient(timeout time.Duration, allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return err
			}
			if !PublicAddr(ap.Addr()) {
				return fmt.Errorf("%s is not a public address (webhooks to private addresses need -webhook-private, TRUCE_WEBHOOK_PRIVATE=1)", ap.Addr())
			}
			return nil
		}
	}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			DialContext:         d.DialContext,
			TLSHandshakeTimeout: timeout,
			MaxIdleConnsPerHost: 4,
			IdleConnTimeout:     90 * time.Second,
			ForceAttemptHTTP2:   true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// cgnat is the shared address space of carrier-grade NAT (RFC 6598).
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// PublicAddr reports whether a is an address on the public internet: not
// loopback, private, link-local, shared, multicast or unspecified.
func PublicAddr(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsValid() && a.IsGlobalUnicast() && !a.IsPrivate() && !a.IsLoopback() && !a.IsLinkLocalUnicast() && !cgnat.Contains(a)
}

// absolute makes a link relative to the node absolute with base.
func absolute(base, link string) string {
	if base == "" || link == "" || !strings.HasPrefix(link, "/") || strings.HasPrefix(link, "//") {
		return link
	}
	return strings.TrimRight(base, "/") + link
}
