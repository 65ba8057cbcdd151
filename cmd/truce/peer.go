package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/truce-monitor/truce/internal/app"
)

const peerUsage = `usage: truce peer add URL -pub KEY|FILE [-token T] [-db FILE]   follow a node (its log key's name is its node name)
       truce peer list [-db FILE]                           the peers: verified size, records held, flag and proof
       truce peer pull [-key FILE] [NAME] [-db FILE]         pull every peer (or NAME) once; -key cosigns their checkpoints
       truce peer trust NAME [-reset] [-db FILE]             trust a flagged peer again; -reset pulls its log afresh
       truce peer grant NAME [-kinds K,K] [-no-events] [-evidence]   let node NAME pull this node's records; prints its token
       truce peer grants [-db FILE]                          the grants made
       truce peer verify [-db FILE]                          check the copies of the peers' logs and records as stored
truce serve pulls the peers every -pull-every (docs/federation.md).`

// cmdPeer keeps the peers this node follows and the grants it made, and
// pulls the peers once.
func cmdPeer(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	if len(args) == 0 || isHelp(args[0]) || args[0] == "help" {
		return helpOrUsage(args, out, peerUsage)
	}
	sub := args[0]
	fs, db := flags("peer " + sub)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), peerUsage); fs.PrintDefaults() }
	pub := fs.String("pub", "", "peer add: the peer's public log key, or the file holding it (its first line)")
	token := fs.String("token", "", "peer add: the token the peer granted this node (truce peer grant on the peer); without one, only its log is pulled")
	key := fs.String("key", os.Getenv("TRUCE_LOG_KEY"), "peer pull: this node's private log key (env TRUCE_LOG_KEY): cosigns what it verifies")
	reset := fs.Bool("reset", false, "peer trust: drop the copy of the peer's log and pull it again from the start")
	kinds := fs.String("kinds", "", "peer grant: the report kinds served (monitor, party, public, dataset, news; comma-separated; default all)")
	noEvents := fs.Bool("no-events", false, "peer grant: serve no incident events (reviews, findings, positions)")
	evidence := fs.Bool("evidence", false, "peer grant: also serve evidence files (they can show who was where)")
	args1 := map[string]int{"add": 1, "list": 0, "pull": -1, "trust": 1, "grant": 1, "grants": 0, "verify": 0}
	want, ok := args1[sub]
	if !ok {
		return usageError(fmt.Sprintf("truce peer: unknown subcommand %q\n%s", sub, peerUsage))
	}
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if (want >= 0 && fs.NArg() != want) || (want < 0 && fs.NArg() > 1) {
		return usageError(peerUsage)
	}
	a, err := open(ctx, *db, log)
	if err != nil {
		return err
	}
	defer a.Close()
	switch sub {
	case "add":
		if *pub == "" {
			return usageError("truce peer add: -pub is required\n" + peerUsage)
		}
		// The key itself (NAME+HASH+KEY), or the file holding it.
		line := *pub
		if _, err := note.NewVerifier(line); err != nil {
			b, err := os.ReadFile(*pub)
			if err != nil {
				return fmt.Errorf("peer key: %w", err)
			}
			line, _, _ = strings.Cut(strings.TrimSpace(string(b)), "\n")
		}
		p, err := a.AddPeer(ctx, fs.Arg(0), line, *token)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "following %s at %s; truce peer pull (or truce serve) pulls it\n", p.Name, p.URL)
		return nil
	case "list":
		return listPeers(ctx, a, out)
	case "pull":
		return pullPeers(ctx, a, fs, *key, out)
	case "trust":
		if err := a.TrustPeer(ctx, fs.Arg(0), *reset); err != nil {
			return err
		}
		fmt.Fprintf(out, "%s is trusted again", fs.Arg(0))
		if *reset {
			fmt.Fprint(out, "; its log will be pulled afresh")
		}
		fmt.Fprintln(out)
		return nil
	case "grant":
		var ks []string
		if *kinds != "" {
			ks = strings.Split(*kinds, ",")
		}
		tok, err := a.Grant(ctx, fs.Arg(0), ks, !*noEvents, *evidence)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "token for %s (shown once; give it to that node's operator for truce peer add -token):\n%s\n", fs.Arg(0), tok)
		return nil
	case "verify":
		checks, err := a.VerifyPeers(ctx)
		if err != nil {
			return err
		}
		bad := 0
		for _, c := range checks {
			fmt.Fprintf(out, "%s: %d entries, %d records", c.Peer, c.Entries, c.Records)
			if len(c.Problems) == 0 {
				fmt.Fprintln(out, ": verified")
				continue
			}
			fmt.Fprintf(out, ": %d problems\n", len(c.Problems))
			for _, p := range c.Problems {
				fmt.Fprintf(out, "  %v\n", p)
			}
			bad += len(c.Problems)
		}
		if bad > 0 {
			return fmt.Errorf("%d problems in the copies of the peers' logs", bad)
		}
		return nil
	default: // grants
		gs, err := a.Grants(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tREPORT KINDS\tEVENTS\tEVIDENCE\tGRANTED")
		for _, g := range gs {
			k := strings.Join(g.Kinds, ",")
			if k == "" {
				k = "all"
			}
			fmt.Fprintf(tw, "%s\t%s\t%v\t%v\t%s\n", g.Name, k, g.Events, g.Evidence, g.CreatedAt.Local().Format(time.DateTime))
		}
		return tw.Flush()
	}
}

func listPeers(ctx context.Context, a *app.App, out io.Writer) error {
	ps, err := a.Peers(ctx)
	if err != nil {
		return err
	}
	if len(ps) == 0 {
		fmt.Fprintln(out, "no peers (truce peer add URL -pub FILE)")
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tURL\tVERIFIED\tREPORTS\tEVENTS\tLAST PULL\tSTATE")
	for _, p := range ps {
		pulled, state := "never", "trusted"
		if !p.LastPull.IsZero() {
			pulled = p.LastPull.Local().Format(time.DateTime)
		}
		if p.LastError != "" {
			state = "failing: " + p.LastError
		}
		if p.Flag != "" {
			state = "FLAGGED: " + p.Flag
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t%s\n", p.Name, p.URL, p.Size, p.Records["report"], p.Records["incident_event"], pulled, state)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, p := range ps {
		if p.Flag == "" {
			continue
		}
		fmt.Fprintf(out, "\n%s is flagged: %s\n", p.Name, p.Flag)
		if p.ProofA != "" {
			fmt.Fprintf(out, "checkpoint verified here:\n%s\n", p.ProofA)
		}
		if p.ProofB != "" {
			fmt.Fprintf(out, "checkpoint that contradicts it:\n%s\n", p.ProofB)
		}
		fmt.Fprintf(out, "once resolved: truce peer trust %s [-reset]\n", p.Name)
	}
	return nil
}

func pullPeers(ctx context.Context, a *app.App, fs *flag.FlagSet, key string, out io.Writer) error {
	pl := &app.Puller{App: a}
	if key != "" {
		s, err := app.ReadSigner(key)
		if err != nil {
			return err
		}
		pl.Signer = s
	}
	var res []app.PullResult
	var err error
	if fs.NArg() == 1 {
		var r app.PullResult
		r, err = pl.Pull(ctx, fs.Arg(0))
		res = append(res, r)
	} else {
		res, err = pl.PullAll(ctx)
	}
	for _, r := range res {
		switch {
		case r.Problem != nil:
			fmt.Fprintf(out, "%s: FLAGGED: %v\n", r.Peer, r.Problem)
		case r.To == r.From:
			fmt.Fprintf(out, "%s: nothing new (%d entries verified)\n", r.Peer, r.To)
		default:
			fmt.Fprintf(out, "%s: entries %d to %d verified, %d records, %d reports taken in\n", r.Peer, r.From, r.To, r.Records, r.Imported)
		}
	}
	return err
}
