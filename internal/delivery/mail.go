package delivery

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"html/template"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/store"
)

// StartTLS modes of SMTP.
const (
	StartTLSAuto    = "auto"    // upgrade when the server offers STARTTLS
	StartTLSRequire = "require" // refuse to send over a server that does not
	StartTLSOff     = "off"     // never upgrade (a relay on the node's own network)
)

// SMTP sends messages as e-mail through an SMTP server (a relay or
// submission server: port 587 with STARTTLS, 465 with ImplicitTLS, 25 on
// the node's own network).
type SMTP struct {
	Host string
	Port int
	// From is the sender, an address or "Name <address>".
	From string
	// Username and Password, when Username is set, authenticate with
	// PLAIN, which is sent only over TLS (or to localhost).
	Username, Password string
	// StartTLS is StartTLSAuto (the default), StartTLSRequire or
	// StartTLSOff; ImplicitTLS speaks TLS from the start (port 465).
	StartTLS    string
	ImplicitTLS bool
	// TLS is the TLS configuration (nil: the system's roots, ServerName
	// Host).
	TLS *tls.Config
	// Timeout bounds a whole delivery (default 30 s).
	Timeout time.Duration
	// HelloName is the name given in EHLO (default "localhost").
	HelloName string
	// BaseURL makes a message's relative link absolute.
	BaseURL string
	// Now is the clock of the Date header (time.Now when nil).
	Now func() time.Time
}

// Send implements Sender.
func (s *SMTP) Send(ctx context.Context, sub store.Subscription, m Message, _ []byte) error {
	if s.Host == "" || s.From == "" {
		return fmt.Errorf("e-mail: no SMTP server or sender is configured (-smtp-host, -smtp-from)")
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	m.Link = absolute(s.BaseURL, m.Link)
	msg, err := Compose(s.From, sub, m, now())
	if err != nil {
		return err
	}
	from, err := mail.ParseAddress(s.From)
	if err != nil {
		return fmt.Errorf("e-mail: sender %q: %w", s.From, err)
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	port := s.Port
	if port == 0 {
		port = 587
		if s.ImplicitTLS {
			port = 465
		}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	addr := net.JoinHostPort(s.Host, strconv.Itoa(port))
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("e-mail: %w", err)
	}
	// The deadline, and ctx's end, bound every step of the exchange.
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	tlsConf := s.TLS
	if tlsConf == nil {
		tlsConf = &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
	}
	if s.ImplicitTLS {
		conn = tls.Client(conn, tlsConf)
	}
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("e-mail: %s: %w", addr, err)
	}
	defer c.Close()
	hello := s.HelloName
	if hello == "" {
		hello = "localhost"
	}
	if err := c.Hello(hello); err != nil {
		return fmt.Errorf("e-mail: EHLO: %w", err)
	}
	if !s.ImplicitTLS && s.StartTLS != StartTLSOff {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsConf); err != nil {
				return fmt.Errorf("e-mail: STARTTLS: %w", err)
			}
		} else if s.StartTLS == StartTLSRequire {
			return fmt.Errorf("e-mail: %s does not offer STARTTLS, which is required", addr)
		}
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, s.Host)); err != nil {
			return fmt.Errorf("e-mail: AUTH: %w", err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("e-mail: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(sub.Address); err != nil {
		return fmt.Errorf("e-mail: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("e-mail: DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("e-mail: DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("e-mail: DATA: %w", err)
	}
	// The server took the message: QUIT's answer changes nothing.
	c.Quit()
	return nil
}

// maxSubject bounds a subject's title, in characters.
const maxSubject = 150

// Compose is the e-mail of a message to a subscription: a plain text and
// an HTML alternative, UTF-8, the subject encoded per RFC 2047, the
// message's idempotency key in X-Truce-Id and a Message-ID made from it
// (a mail sent twice is one message to the reader's mail program).
func Compose(from string, sub store.Subscription, m Message, date time.Time) ([]byte, error) {
	var b bytes.Buffer
	title := oneLine(m.Title)
	if title == "" {
		title = oneLine(m.Text)
	}
	if r := []rune(title); len(r) > maxSubject {
		title = string(r[:maxSubject-1]) + "…"
	}
	sum := sha256.Sum256([]byte(sub.ID + "\x00" + m.ID))
	fromAddr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("e-mail: sender %q: %w", from, err)
	}
	_, domain, _ := strings.Cut(fromAddr.Address, "@")
	if domain == "" {
		domain = "truce.invalid"
	}
	mw := multipart.NewWriter(&b)
	h := []struct{ k, v string }{
		{"From", fromAddr.String()},
		{"To", (&mail.Address{Address: sub.Address}).String()},
		{"Subject", mime.BEncoding.Encode("utf-8", "[truce] "+title)},
		{"Date", date.Format(time.RFC1123Z)},
		{"Message-ID", "<" + hex.EncodeToString(sum[:16]) + "@" + domain + ">"},
		{HeaderID, m.ID},
		{HeaderSubscription, sub.ID},
		{"Auto-Submitted", "auto-generated"},
		{"MIME-Version", "1.0"},
		{"Content-Type", `multipart/alternative; boundary="` + mw.Boundary() + `"`},
	}
	for _, x := range h {
		fmt.Fprintf(&b, "%s: %s\r\n", x.k, x.v)
	}
	b.WriteString("\r\n")
	parts := []struct {
		mediaType string
		body      func() ([]byte, error)
	}{
		{"text/plain; charset=utf-8", func() ([]byte, error) { return plainBody(sub, m), nil }},
		{"text/html; charset=utf-8", func() ([]byte, error) { return htmlBody(sub, m) }},
	}
	for _, p := range parts {
		body, err := p.body()
		if err != nil {
			return nil, err
		}
		pw, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {p.mediaType}, "Content-Transfer-Encoding": {"quoted-printable"}})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(pw)
		if _, err := qp.Write(body); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// oneLine folds a text's whitespace, line breaks included, into single
// spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func plainBody(sub store.Subscription, m Message) []byte {
	var b strings.Builder
	b.WriteString(m.Title + "\n\n")
	if m.Text != "" {
		b.WriteString(m.Text + "\n\n")
	}
	if m.Link != "" {
		b.WriteString(m.Link + "\n\n")
	}
	for _, f := range facets(m) {
		fmt.Fprintf(&b, "%s: %s\n", f[0], f[1])
	}
	fmt.Fprintf(&b, "\n-- \ntruce: subscription %s. To stop: truce subscribe remove %s, or DELETE /api/subscriptions/%s.\n", sub.ID, sub.ID, sub.ID)
	return []byte(b.String())
}

// facets are what a message is about, as label and value.
func facets(m Message) [][2]string {
	var out [][2]string
	for _, f := range [][2]string{{"Kind", m.Kind}, {"Party", m.Party}, {"Zone", m.Zone}, {"Area", m.Area}, {"Ruling", m.Ruling},
		{"Severity", m.Severity}, {"Time", m.At.UTC().Format(time.RFC3339)}} {
		if f[1] != "" {
			out = append(out, f)
		}
	}
	return out
}

var mailHTML = template.Must(template.New("mail").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.M.Title}}</title></head>
<body>
<div dir="auto">
<h1 style="font-size:1.2em">{{.M.Title}}</h1>
{{range .Paragraphs}}<p>{{.}}</p>
{{end}}{{if .M.Link}}<p><a href="{{.M.Link}}">{{.M.Link}}</a></p>
{{end}}<table>
{{range .Facets}}<tr><th style="text-align:start">{{index . 0}}</th><td>{{index . 1}}</td></tr>
{{end}}</table>
</div>
<p style="color:#666;font-size:0.9em">truce: subscription {{.Sub.ID}}. To stop: <code>truce subscribe remove {{.Sub.ID}}</code>, or DELETE /api/subscriptions/{{.Sub.ID}}.</p>
</body></html>
`))

func htmlBody(sub store.Subscription, m Message) ([]byte, error) {
	var paras []string
	for _, p := range strings.Split(strings.ReplaceAll(m.Text, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			paras = append(paras, p)
		}
	}
	var b bytes.Buffer
	err := mailHTML.Execute(&b, struct {
		M          Message
		Sub        store.Subscription
		Paragraphs []string
		Facets     [][2]string
	}{m, sub, paras, facets(m)})
	return b.Bytes(), err
}
