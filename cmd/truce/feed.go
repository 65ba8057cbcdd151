package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"
)

const feedUsage = `usage: truce feed add URL [-name NAME] [-db FILE]   add a news feed (RSS or Atom) to poll, or rename one
       truce feed list [-db FILE]                     the feeds: when each was last polled, and how it went
       truce feed poll [-db FILE]                     poll every feed once; its new items become news reports
truce serve polls the feeds every -feed-every (see docs/formats.md, Feeds).`

// cmdFeed keeps the news feeds the node polls, and polls them once.
func cmdFeed(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	if len(args) == 0 || isHelp(args[0]) || args[0] == "help" {
		return helpOrUsage(args, out, feedUsage)
	}
	sub := args[0]
	fs, db := flags("feed " + sub)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), feedUsage); fs.PrintDefaults() }
	name := fs.String("name", "", "feed add: the feed's name (default: its host); it names the reports of items without a link")
	switch sub {
	case "add", "list", "poll":
	default:
		return usageError(fmt.Sprintf("truce feed: unknown subcommand %q\n%s", sub, feedUsage))
	}
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	want := 0
	if sub == "add" {
		want = 1
	}
	if fs.NArg() != want || (sub != "add" && *name != "") {
		return usageError(feedUsage)
	}
	a, err := open(ctx, *db, log)
	if err != nil {
		return err
	}
	defer a.Close()
	switch sub {
	case "add":
		if err := a.AddFeed(ctx, fs.Arg(0), *name); err != nil {
			return err
		}
		fmt.Fprintf(out, "feed %s kept in %s; truce feed poll (or truce serve) polls it\n", fs.Arg(0), redact(*db))
		return nil
	case "list":
		feeds, err := a.Feeds(ctx)
		if err != nil {
			return err
		}
		if len(feeds) == 0 {
			fmt.Fprintf(out, "no feeds in %s (truce feed add URL)\n", redact(*db))
			return nil
		}
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tURL\tLAST POLLED\tLAST POLL")
		for _, f := range feeds {
			polled, state := "never", "-"
			if !f.LastPolled.IsZero() {
				polled, state = f.LastPolled.Local().Format(time.DateTime), "ok"
			}
			if f.LastError != "" {
				state = "failed: " + f.LastError
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.Name, f.URL, polled, state)
		}
		return tw.Flush()
	}
	polls, err := a.PollEachFeed(ctx)
	if err != nil {
		return err
	}
	if len(polls) == 0 {
		fmt.Fprintf(out, "no feeds in %s (truce feed add URL)\n", redact(*db))
		return nil
	}
	failed := 0
	for _, p := range polls {
		switch {
		case p.Err != nil:
			failed++
			fmt.Fprintf(out, "%s: failed: %v\n", p.Feed.Name, p.Err)
			if p.Summary != nil {
				printSummary(out, p.Summary, a.Actors)
			}
		case p.New == 0:
			fmt.Fprintf(out, "%s: nothing new (%s)\n", p.Feed.Name, p.Feed.URL)
		default:
			fmt.Fprintf(out, "%s: %d new items\n", p.Feed.Name, p.New)
			printSummary(out, p.Summary, a.Actors)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d feeds failed (kept in their state: truce feed list)", failed, len(polls))
	}
	return nil
}
