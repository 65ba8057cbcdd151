package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/humanitarian"
)

const humanitarianHelp = `usage:
  truce humanitarian import [-format jsonl|csv] [-kind K] [-as USER] FILE
                                     store humanitarian records (as exported; CSV: one kind, header = field paths)
  truce humanitarian export [-as USER] [-o FILE]
                                     every record USER may see (default: the operator, everything) as JSON lines
  truce humanitarian sieges          the shipped and stored sieges, with their periods
  truce humanitarian match [-threshold X]
                                     pairs of cases that may be one person, with score and reasons (never merged)
  truce humanitarian decide -as USER A B confirmed|rejected [-note TEXT]
                                     a reviewer's decision on a pair

Kinds: siege, access, case, list, exchange, evacuation, displacement, match (docs/humanitarian.md).
Identities of cases are sealed under the data key, and shown only to the Joint Group's staff.`

// cmdHumanitarian works with humanitarian records (docs/humanitarian.md).
func cmdHumanitarian(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	if len(args) == 0 || isHelp(args[0]) || args[0] == "help" {
		return helpOrUsage(args, out, humanitarianHelp)
	}
	fs, db := flags("humanitarian " + args[0])
	format := fs.String("format", "jsonl", "jsonl or csv (import)")
	kind := fs.String("kind", "", "the records' kind, for a CSV file (import)")
	as := fs.String("as", "", "the user acting (default: the operator)")
	output := fs.String("o", "", "output file (export; default standard output)")
	threshold := fs.Float64("threshold", 0, "the score from which a pair is proposed (match; default the matcher's)")
	note := fs.String("note", "", "why (decide)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	a, err := open(ctx, *db, log)
	if err != nil {
		return err
	}
	defer a.Close()
	u := app.Operator()
	if *as != "" {
		usr, err := a.User(ctx, *as)
		if err != nil {
			return fmt.Errorf("-as %s: %w", *as, err)
		}
		u = &usr
	}
	switch args[0] {
	case "import":
		if fs.NArg() != 1 {
			return usageError(humanitarianHelp)
		}
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return err
		}
		defer f.Close()
		sum, err := a.ImportHumanitarian(ctx, u, *format, humanitarian.Kind(*kind), f)
		fmt.Fprintf(out, "%d rows, %d stored, %d rejected\n", sum.Rows, sum.Stored, len(sum.Rejected))
		for _, r := range sum.Rejected {
			fmt.Fprintln(out, "  "+r)
		}
		return err
	case "export":
		w := out
		if *output != "" {
			f, err := os.Create(*output)
			if err != nil {
				return err
			}
			defer f.Close()
			w = f
		}
		n, err := a.ExportHumanitarian(ctx, u, w)
		if *output != "" {
			fmt.Fprintf(out, "%d records to %s\n", n, *output)
		}
		return err
	case "sieges":
		sieges, err := a.Sieges(ctx, u)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "id\tarea\tbesieging\tfrom\tto\tperiods")
		for _, s := range sieges {
			var per []string
			for _, p := range s.Periods {
				per = append(per, fmt.Sprintf("%s %s..%s", p.Status, p.From, p.To))
			}
			fmt.Fprintf(tw, "%s\t%s (%s)\t%s\t%s\t%s\t%s\n", s.ID, s.Area.Name, strings.Join(s.Area.PCodes, " "), strings.Join(s.Besieging, ", "), s.From, s.To, strings.Join(per, "; "))
		}
		return tw.Flush()
	case "match":
		cands, err := a.MatchCandidates(ctx, u, *threshold)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(out)
		enc.SetEscapeHTML(false)
		for _, c := range cands {
			if err := enc.Encode(c); err != nil {
				return err
			}
		}
		return nil
	case "decide":
		if fs.NArg() != 3 || *as == "" {
			return usageError(humanitarianHelp)
		}
		m, err := a.DecideMatch(ctx, u, humanitarian.Match{A: fs.Arg(0), B: fs.Arg(1), Decision: fs.Arg(2), Note: *note})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s: %s by %s (score %.2f)\n", m.ID, m.Decision, m.By, m.Score)
		return nil
	}
	return usageError(humanitarianHelp)
}
