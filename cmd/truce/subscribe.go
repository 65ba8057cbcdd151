package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/delivery"
	"github.com/truce-monitor/truce/internal/store"
)

const subscribeUsage = `usage: truce subscribe add -user U (-webhook URL [-secret S] | -email ADDR | -atom) [-party P] [-zone Z] [-area PCODE]
                           [-verdict V] [-severity S] [-kind K] [-public]   subscribe user U to alerts and notifications
       truce subscribe list [-user U]       the subscriptions (every user's without -user), and how their deliveries stand
       truce subscribe remove ID            remove a subscription, its outbox and its delivery log
       truce subscribe log ID               every attempt to deliver a subscription's messages
       truce subscribe deliver [flags]      take new notifications and attempt every delivery due, once
truce serve delivers continuously. Filters: -verdict violation|not_violation|undetermined, -severity low|medium|high|critical
(the least sent), -kind alert|violation, -area a P-code (its units included). A webhook without -secret gets one, printed
once; an Atom feed's URL is printed once. See docs/delivery.md.`

// cmdSubscribe manages subscriptions to alerts and notifications, as the
// operator (who may subscribe any user), and runs the delivery worker
// once.
func cmdSubscribe(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	if len(args) == 0 || isHelp(args[0]) || args[0] == "help" {
		return helpOrUsage(args, out, subscribeUsage)
	}
	sub := args[0]
	fs, db := flags("subscribe " + sub)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), subscribeUsage); fs.PrintDefaults() }
	var (
		s              store.Subscription
		webhook, email string
		atom           bool
		cfg            *delivery.Config
		user           = fs.String("user", "", "the user subscribed (add), or listed (list)")
		nargs          = 0
	)
	switch sub {
	case "add":
		fs.StringVar(&webhook, "webhook", "", "deliver by POST to this https URL, signed")
		fs.StringVar(&s.Secret, "secret", "", "the webhook's signing secret (made and printed when none is given)")
		fs.StringVar(&email, "email", "", "deliver by e-mail to this address")
		fs.BoolVar(&atom, "atom", false, "deliver on an Atom feed (public messages only)")
		fs.StringVar(&s.Party, "party", "", "only messages concerning this party")
		fs.StringVar(&s.Zone, "zone", "", "only messages in this zone of an agreement")
		fs.StringVar(&s.Area, "area", "", "only messages in this P-code's unit")
		fs.StringVar(&s.Verdict, "verdict", "", "only messages of rulings of this verdict")
		fs.StringVar(&s.Severity, "severity", "", "only messages of at least this severity")
		fs.StringVar(&s.Kind, "kind", "", "only messages of this kind (alert, violation)")
		fs.BoolVar(&s.PublicOnly, "public", false, "only messages the public may read")
	case "list":
	case "remove", "log":
		nargs = 1
	case "deliver":
		cfg = delivery.Flags(fs)
	default:
		return usageError(fmt.Sprintf("truce subscribe: unknown subcommand %q\n%s", sub, subscribeUsage))
	}
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != nargs {
		return usageError(subscribeUsage)
	}
	if sub == "add" {
		channels := 0
		for _, set := range []bool{webhook != "", email != "", atom} {
			if set {
				channels++
			}
		}
		if *user == "" || channels != 1 {
			return usageError("truce subscribe add: -user and one of -webhook, -email or -atom are required\n" + subscribeUsage)
		}
	} else if *user != "" && sub != "list" {
		return usageError(subscribeUsage)
	}
	a, err := open(ctx, *db, log)
	if err != nil {
		return err
	}
	defer a.Close()
	op := app.Operator()
	switch sub {
	case "add":
		s.User = *user
		switch {
		case webhook != "":
			s.Channel, s.Address = store.ChannelWebhook, webhook
		case email != "":
			s.Channel, s.Address = store.ChannelEmail, email
		default:
			s.Channel = store.ChannelAtom
		}
		ns, err := a.Subscribe(ctx, op, s)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "subscription %s: %s %s for %s%s\n", ns.ID, ns.Channel, ns.Address, ns.User, describeFilters(ns.Subscription))
		if ns.Secret != "" {
			fmt.Fprintf(out, "webhook secret (shown once): %s\n", ns.Secret)
		}
		if ns.FeedPath != "" {
			fmt.Fprintf(out, "feed (its URL is shown once): %s%s\n", strings.TrimRight(delivery.FromEnv().BaseURL, "/"), ns.FeedPath)
		}
		return nil
	case "list":
		list, err := a.Subscriptions(ctx, op, *user)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			fmt.Fprintf(out, "no subscriptions in %s (truce subscribe add)\n", redact(*db))
			return nil
		}
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tUSER\tCHANNEL\tADDRESS\tFILTERS\tPENDING\tDELIVERED\tFAILED\tLAST ERROR")
		for _, x := range list {
			st := x.Stats
			if st == nil {
				st = &store.DeliveryStats{}
			}
			addr := x.Address
			if x.Channel == store.ChannelAtom {
				addr, st.Delivered = "(feed)", st.Feed
			}
			filters := strings.TrimPrefix(describeFilters(x), ": ")
			if filters == "" {
				filters = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", x.ID, x.User, x.Channel, addr, filters, st.Pending, st.Delivered, st.Failed, st.LastError)
		}
		return tw.Flush()
	case "remove":
		if err := a.Unsubscribe(ctx, op, fs.Arg(0)); err != nil {
			return err
		}
		fmt.Fprintf(out, "subscription %s removed\n", fs.Arg(0))
		return nil
	case "log":
		attempts, err := a.DeliveryLog(ctx, op, fs.Arg(0))
		if err != nil {
			return err
		}
		if len(attempts) == 0 {
			fmt.Fprintf(out, "no delivery attempted for %s\n", fs.Arg(0))
			return nil
		}
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "TIME\tMESSAGE\tATTEMPT\tSTATUS\tERROR")
		for _, x := range attempts {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", x.At.Local().Format(time.DateTime), x.MessageID, x.Attempt, x.Status, x.Error)
		}
		return tw.Flush()
	}
	res, err := a.DeliverOnce(ctx, *cfg)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, res)
	return nil
}

// describeFilters says what a subscription is limited to.
func describeFilters(s store.Subscription) string {
	var f []string
	for _, x := range [][2]string{{"kind", s.Kind}, {"party", s.Party}, {"zone", s.Zone}, {"area", s.Area}, {"verdict", s.Verdict}, {"severity>=", s.Severity}} {
		if x[1] != "" {
			f = append(f, x[0]+" "+x[1])
		}
	}
	if s.PublicOnly {
		f = append(f, "public only")
	}
	if len(f) == 0 {
		return ""
	}
	return ": " + strings.Join(f, ", ")
}
