package delivery

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/truce-monitor/truce/internal/store"
)

// Config configures delivery on a node: the SMTP server, webhooks, the
// node's public URL, and the worker's pace and retries.
type Config struct {
	// SMTP is the e-mail server; e-mail is not sent while SMTP.Host is
	// empty (such items wait, failing, until it is set).
	SMTP SMTP
	// WebhookTimeout bounds one webhook request (default 10 s);
	// WebhookPrivate lets webhooks reach private and loopback addresses.
	WebhookTimeout time.Duration
	WebhookPrivate bool
	// BaseURL is the node's public URL (https://truce.example.org), which
	// makes messages' links absolute.
	BaseURL string
	// Every is how often the worker looks for due items and new
	// notifications (default 5 s).
	Every       time.Duration
	Backoff     Backoff
	MaxAttempts int
	// Lease, Batch and Concurrency: see Worker.
	Lease              time.Duration
	Batch, Concurrency int

	// errs are the environment's bad values, reported by Check.
	errs []error
}

// Defaults is the configuration without flags or environment.
func Defaults() Config {
	return Config{SMTP: SMTP{Port: 587, StartTLS: StartTLSAuto, Timeout: 30 * time.Second}, WebhookTimeout: 10 * time.Second,
		Every: 5 * time.Second, Backoff: DefaultBackoff, Lease: 2 * time.Minute, Batch: 100, Concurrency: 4}
}

// FromEnv is Defaults with the environment's settings: TRUCE_PUBLIC_URL,
// TRUCE_SMTP_HOST, TRUCE_SMTP_PORT, TRUCE_SMTP_FROM, TRUCE_SMTP_USER,
// TRUCE_SMTP_PASSWORD, TRUCE_SMTP_STARTTLS (auto, require, off),
// TRUCE_SMTP_TLS (1: TLS from the start, port 465), TRUCE_WEBHOOK_TIMEOUT,
// TRUCE_WEBHOOK_PRIVATE (1: allow private addresses).
func FromEnv() Config {
	c := Defaults()
	str := func(name string, dst *string) {
		if v := os.Getenv(name); v != "" {
			*dst = v
		}
	}
	str("TRUCE_PUBLIC_URL", &c.BaseURL)
	str("TRUCE_SMTP_HOST", &c.SMTP.Host)
	str("TRUCE_SMTP_FROM", &c.SMTP.From)
	str("TRUCE_SMTP_USER", &c.SMTP.Username)
	str("TRUCE_SMTP_PASSWORD", &c.SMTP.Password)
	str("TRUCE_SMTP_STARTTLS", &c.SMTP.StartTLS)
	if v := os.Getenv("TRUCE_SMTP_PORT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > 65535 {
			c.errs = append(c.errs, fmt.Errorf("TRUCE_SMTP_PORT: %q is not a port", v))
		}
		c.SMTP.Port = n
	}
	for name, dst := range map[string]*bool{"TRUCE_SMTP_TLS": &c.SMTP.ImplicitTLS, "TRUCE_WEBHOOK_PRIVATE": &c.WebhookPrivate} {
		if v := os.Getenv(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				c.errs = append(c.errs, fmt.Errorf("%s: %q is not 1 or 0", name, v))
			}
			*dst = b
		}
	}
	if v := os.Getenv("TRUCE_WEBHOOK_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			c.errs = append(c.errs, fmt.Errorf("TRUCE_WEBHOOK_TIMEOUT: %q is not a duration (10s)", v))
		}
		c.WebhookTimeout = d
	}
	if c.SMTP.ImplicitTLS && os.Getenv("TRUCE_SMTP_PORT") == "" {
		c.SMTP.Port = 465
	}
	return c
}

// Flags registers the delivery flags on fs, their defaults from the
// environment (FromEnv), and returns the configuration they fill in once
// fs is parsed. The SMTP password is taken from TRUCE_SMTP_PASSWORD only,
// never from the command line (which other users of the host can read).
func Flags(fs *flag.FlagSet) *Config {
	c := FromEnv()
	fs.StringVar(&c.BaseURL, "public-url", c.BaseURL, "the node's public URL, which makes links in messages absolute (env TRUCE_PUBLIC_URL)")
	fs.StringVar(&c.SMTP.Host, "smtp-host", c.SMTP.Host, "SMTP server e-mail is sent through; none sends no e-mail (env TRUCE_SMTP_HOST)")
	fs.IntVar(&c.SMTP.Port, "smtp-port", c.SMTP.Port, "SMTP port (env TRUCE_SMTP_PORT)")
	fs.StringVar(&c.SMTP.From, "smtp-from", c.SMTP.From, "sender of e-mail, ADDRESS or \"Name <ADDRESS>\" (env TRUCE_SMTP_FROM)")
	fs.StringVar(&c.SMTP.Username, "smtp-user", c.SMTP.Username, "SMTP user, with the password in TRUCE_SMTP_PASSWORD (env TRUCE_SMTP_USER)")
	fs.StringVar(&c.SMTP.StartTLS, "smtp-starttls", c.SMTP.StartTLS, "STARTTLS: auto, require or off (env TRUCE_SMTP_STARTTLS)")
	fs.BoolVar(&c.SMTP.ImplicitTLS, "smtp-tls", c.SMTP.ImplicitTLS, "speak TLS from the start, as on port 465 (env TRUCE_SMTP_TLS)")
	fs.DurationVar(&c.WebhookTimeout, "webhook-timeout", c.WebhookTimeout, "bound on one webhook request (env TRUCE_WEBHOOK_TIMEOUT)")
	fs.BoolVar(&c.WebhookPrivate, "webhook-private", c.WebhookPrivate, "let webhooks reach private and loopback addresses (env TRUCE_WEBHOOK_PRIVATE)")
	fs.DurationVar(&c.Every, "deliver-every", c.Every, "how often to deliver due messages and take new notifications")
	fs.DurationVar(&c.Backoff.Base, "retry-base", c.Backoff.Base, "wait after a failed delivery, doubled after each further failure")
	fs.DurationVar(&c.Backoff.Cap, "retry-cap", c.Backoff.Cap, "longest wait between two attempts")
	fs.IntVar(&c.MaxAttempts, "max-attempts", c.MaxAttempts, "give a message up after so many failed attempts (0: never)")
	return &c
}

// Check says what is wrong with the configuration.
func (c Config) Check() error {
	errs := slices.Clone(c.errs)
	if !slices.Contains([]string{"", StartTLSAuto, StartTLSRequire, StartTLSOff}, c.SMTP.StartTLS) {
		errs = append(errs, fmt.Errorf("smtp-starttls: %q is not auto, require or off", c.SMTP.StartTLS))
	}
	if c.SMTP.Host != "" && c.SMTP.From == "" {
		errs = append(errs, errors.New("smtp-from: a sender is required to send e-mail"))
	}
	if c.SMTP.Port < 0 || c.SMTP.Port > 65535 {
		errs = append(errs, fmt.Errorf("smtp-port: %d is not a port", c.SMTP.Port))
	}
	if c.Backoff.Base <= 0 || c.Backoff.Cap < c.Backoff.Base {
		errs = append(errs, fmt.Errorf("retry-base %s and retry-cap %s: the base must be positive and the cap no less", c.Backoff.Base, c.Backoff.Cap))
	}
	if c.MaxAttempts < 0 {
		errs = append(errs, fmt.Errorf("max-attempts: %d is negative", c.MaxAttempts))
	}
	return errors.Join(errs...)
}

// Worker is a worker on st with this configuration.
func (c Config) Worker(st store.Delivery, log *slog.Logger) *Worker {
	timeout := c.WebhookTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	smtp := c.SMTP
	smtp.BaseURL = c.BaseURL
	senders := map[string]Sender{
		store.ChannelWebhook: &Webhook{Client: WebhookClient(timeout, c.WebhookPrivate), BaseURL: c.BaseURL},
	}
	if smtp.Host != "" {
		senders[store.ChannelEmail] = &smtp
	}
	// An item is held longer than its send may take.
	lease := max(c.Lease, 2*timeout, 2*smtp.Timeout)
	return &Worker{Store: st, Senders: senders, Backoff: c.Backoff, MaxAttempts: c.MaxAttempts, Lease: lease,
		Batch: c.Batch, Concurrency: c.Concurrency, Log: log}
}
