package delivery_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/truce-monitor/truce/internal/delivery"
	"github.com/truce-monitor/truce/internal/store"
)

// mailbox is an in-process SMTP server keeping what it is sent.
type mailbox struct {
	mu   sync.Mutex
	mail []received
	// user and password, when set, are required (AUTH PLAIN).
	user, password string
}

type received struct {
	from string
	to   []string
	data []byte
	tls  bool
	auth string
}

type session struct {
	box  *mailbox
	conn *smtp.Conn
	cur  received
}

func (b *mailbox) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{box: b, conn: c}, nil
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, password string) error {
		if user != s.box.user || password != s.box.password {
			return errors.New("invalid credentials")
		}
		s.cur.auth = user
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.box.user != "" && s.cur.auth == "" {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}
	}
	s.cur.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, s.cur.tls = s.conn.TLSConnectionState()
	s.cur.data = data
	s.box.mu.Lock()
	s.box.mail = append(s.box.mail, s.cur)
	s.box.mu.Unlock()
	s.cur = received{auth: s.cur.auth}
	return nil
}

func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }

// serve starts an SMTP server for box on the loopback address, with
// STARTTLS when cert is set, and returns its port.
func serve(t *testing.T, box *mailbox, cert *tls.Certificate) int {
	t.Helper()
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 5*time.Second, 5*time.Second
	if cert != nil {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

// selfSigned is a certificate for 127.0.0.1, and a pool trusting it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

var arabic = delivery.Message{ID: "alert:DZ1:2017-03-10", Kind: delivery.KindAlert, Party: "GOV", Zone: "DZ1", Area: "SY030200", Severity: "high",
	Title:  "تصعيد في دوما: قصف متكرر خلال ٢٤ ساعة",
	Text:   "سُجّلت ثلاث حوادث قصف في دوما.\n\nThree shelling incidents in Duma & <Harasta>.",
	Link:   "/incidents/42",
	At:     time.Date(2017, 3, 10, 9, 0, 0, 0, time.UTC),
	Public: true}

// TestSMTPArabic: a message goes out through an SMTP server as a plain
// text with an HTML alternative, its Arabic subject encoded per RFC 2047,
// its idempotency key in a header; authenticated (PLAIN, to localhost).
func TestSMTPArabic(t *testing.T) {
	box := &mailbox{user: "truce", password: "relay password"}
	port := serve(t, box, nil)
	sub := store.Subscription{ID: "sub_mail", Channel: store.ChannelEmail, Address: "liaison@example.org"}
	s := &delivery.SMTP{Host: "127.0.0.1", Port: port, From: "Truce <alerts@truce.example.org>", Username: "truce", Password: "relay password",
		Timeout: 5 * time.Second, BaseURL: "https://truce.example.org"}
	if err := s.Send(context.Background(), sub, arabic, nil); err != nil {
		t.Fatal(err)
	}
	if len(box.mail) != 1 {
		t.Fatalf("%d mails received", len(box.mail))
	}
	got := box.mail[0]
	if got.from != "alerts@truce.example.org" || strings.Join(got.to, ",") != "liaison@example.org" || got.auth != "truce" {
		t.Errorf("envelope: %q %q auth %q", got.from, got.to, got.auth)
	}
	for _, line := range bytes.Split(got.data, []byte("\r\n")) {
		if len(line) > 998 {
			t.Errorf("a line of %d bytes", len(line))
		}
		for _, c := range line {
			if c >= 0x80 {
				t.Fatalf("an 8-bit byte in the mail: %q", line)
			}
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(got.data))
	if err != nil {
		t.Fatal(err)
	}
	raw := msg.Header.Get("Subject")
	if !strings.HasPrefix(raw, "=?utf-8?b?") {
		t.Errorf("subject not encoded per RFC 2047: %q", raw)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(raw)
	if err != nil || subject != "[truce] "+arabic.Title {
		t.Errorf("subject %q (%v), want %q", subject, err, "[truce] "+arabic.Title)
	}
	if msg.Header.Get("X-Truce-Id") != arabic.ID || msg.Header.Get("X-Truce-Subscription") != "sub_mail" || msg.Header.Get("Message-Id") == "" ||
		msg.Header.Get("To") != "<liaison@example.org>" || msg.Header.Get("From") != `"Truce" <alerts@truce.example.org>` {
		t.Errorf("headers %v", msg.Header)
	}
	if _, err := msg.Header.Date(); err != nil {
		t.Errorf("date: %v", err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q %v", mt, err)
	}
	parts := map[string]string{}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(p)
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts[ct] = string(body)
	}
	plain, html := parts["text/plain"], parts["text/html"]
	if !strings.Contains(plain, "سُجّلت ثلاث حوادث قصف في دوما.") || !strings.Contains(plain, "https://truce.example.org/incidents/42") ||
		!strings.Contains(plain, "Zone: DZ1") || !strings.Contains(plain, "truce subscribe remove sub_mail") {
		t.Errorf("plain text part:\n%s", plain)
	}
	if !strings.Contains(html, `dir="auto"`) || !strings.Contains(html, "<p>سُجّلت ثلاث حوادث قصف في دوما.</p>") ||
		!strings.Contains(html, "&amp; &lt;Harasta&gt;") || !strings.Contains(html, `href="https://truce.example.org/incidents/42"`) {
		t.Errorf("HTML part:\n%s", html)
	}
	// The same message again has the same Message-ID: one mail to the
	// reader's program.
	if err := s.Send(context.Background(), sub, arabic, nil); err != nil {
		t.Fatal(err)
	}
	again, _ := mail.ReadMessage(bytes.NewReader(box.mail[1].data))
	if again.Header.Get("Message-Id") != msg.Header.Get("Message-Id") {
		t.Errorf("Message-ID %q, then %q", msg.Header.Get("Message-Id"), again.Header.Get("Message-Id"))
	}
	// A wrong password is a failure, to be retried.
	s.Password = "wrong"
	if err := s.Send(context.Background(), sub, arabic, nil); err == nil || !strings.Contains(err.Error(), "AUTH") {
		t.Errorf("wrong password: %v", err)
	}
}

// TestSMTPStartTLS: STARTTLS is used when offered, and when required is
// insisted on.
func TestSMTPStartTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	box := &mailbox{}
	port := serve(t, box, &cert)
	sub := store.Subscription{ID: "s", Channel: store.ChannelEmail, Address: "a@example.org"}
	s := &delivery.SMTP{Host: "127.0.0.1", Port: port, From: "alerts@example.org", StartTLS: delivery.StartTLSRequire,
		TLS: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}, Timeout: 5 * time.Second}
	if err := s.Send(context.Background(), sub, arabic, nil); err != nil {
		t.Fatal(err)
	}
	if len(box.mail) != 1 || !box.mail[0].tls {
		t.Errorf("not sent over TLS: %+v", box.mail)
	}
	// A server without STARTTLS: refused when required, plain otherwise.
	plainBox := &mailbox{}
	s.Port = serve(t, plainBox, nil)
	if err := s.Send(context.Background(), sub, arabic, nil); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("required STARTTLS not offered: %v", err)
	}
	s.StartTLS = delivery.StartTLSAuto
	if err := s.Send(context.Background(), sub, arabic, nil); err != nil || len(plainBox.mail) != 1 {
		t.Errorf("auto without STARTTLS: %v, %d mails", err, len(plainBox.mail))
	}
	// No server: an error, quickly.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	s.Port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	if err := s.Send(context.Background(), sub, arabic, nil); err == nil {
		t.Error("sent to no server")
	}
}
