package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/extract"
)

const extractHelp = `usage: truce extract [-lang L] [-published DATE] [-tz ZONE] [-json] [FILE|-]
       truce extract -evaluate [-ucdp FILE] [-fakes FILE]
       truce extract -reviews [-db FILE] [-json]
Reads a text (a file, or standard input) and prints the facts proposed from it, one per line: field, value,
role, precision, confidence, byte span, the quoted words and the rule that read them. Nothing is printed
without its words. -lang is en, ar, ru, tr or fa (default: guessed from the script); -published is when the
text was published (YYYY-MM-DD or RFC 3339), from which "yesterday" and "on Tuesday" are read; -tz is the
zone its day is taken in (default UTC).
-evaluate scores the extractor on UCDP GED (source_headline against the coded event) and FA-KES (article
against its date and location) and prints the table of docs/extraction.md.
-reviews reads the reviewers' verdicts on the facts read from the reports of -db: per field, how many the
reviewers found right, corrected or wrong; with -json, each reviewed fact with its text as a labelled example
(the right value: the fact's own when accepted, the corrected one, or none when rejected).`

// cmdExtract implements "truce extract".
func cmdExtract(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(out, extractHelp)
		return nil
	}
	fs, db := flags("extract")
	reviews := fs.Bool("reviews", false, "the reviewers' verdicts on facts read from the reports of -db, as agreement figures or (-json) labelled examples")
	lang := fs.String("lang", "", "language of the text: en, ar, ru, tr or fa (default: guessed from the script)")
	published := fs.String("published", "", "when the text was published: YYYY-MM-DD or RFC 3339")
	tz := fs.String("tz", "", "IANA zone the publication day is taken in (default UTC)")
	asJSON := fs.Bool("json", false, "print each fact as a JSON object")
	evaluate := fs.Bool("evaluate", false, "score the extractor on the files of -ucdp and -fakes")
	ucdp := fs.String("ucdp", "", "UCDP GED CSV file, for -evaluate")
	fakes := fs.String("fakes", "", "FA-KES CSV file, for -evaluate")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *reviews {
		return extractReviews(ctx, *db, *asJSON, out, log)
	}
	bounds, places, err := app.LoadGeography()
	if err != nil {
		return err
	}
	actors, err := app.LoadActors()
	if err != nil {
		return err
	}
	x, err := extract.New(places, actors)
	if err != nil {
		return err
	}
	if *evaluate {
		if *ucdp == "" && *fakes == "" || fs.NArg() > 0 {
			return usageError(extractHelp)
		}
		for _, ev := range []struct {
			file string
			run  func(io.Reader) (extract.Report, error)
		}{
			{*ucdp, func(r io.Reader) (extract.Report, error) { return extract.EvaluateUCDP(r, x, bounds) }},
			{*fakes, func(r io.Reader) (extract.Report, error) { return extract.EvaluateFAKES(r, x) }},
		} {
			if ev.file == "" {
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			f, err := os.Open(ev.file)
			if err != nil {
				return err
			}
			rep, err := ev.run(f)
			f.Close()
			if err != nil {
				return fmt.Errorf("%s: %w", ev.file, err)
			}
			if err := rep.WriteTable(out); err != nil {
				return err
			}
			per := 0.0
			if rep.Elapsed > 0 {
				per = float64(rep.Texts) / rep.Elapsed.Seconds()
			}
			fmt.Fprintf(out, "(%d texts read in %s, %.0f a second)\n\n", rep.Texts, rep.Elapsed.Round(time.Millisecond), per)
			log.Info("evaluated", "file", ev.file, "texts", rep.Texts, "facts", rep.Facts, "no_span", rep.NoSpan)
		}
		return nil
	}
	if *ucdp != "" || *fakes != "" {
		return usageError("truce extract: -ucdp and -fakes go with -evaluate\n\n" + extractHelp)
	}
	if fs.NArg() > 1 {
		return usageError(extractHelp)
	}
	t := extract.Text{Language: *lang}
	if *lang != "" && !validLang(*lang) {
		return usageError(fmt.Sprintf("truce extract: -lang %q: want one of %s", *lang, strings.Join(extract.Languages, ", ")))
	}
	if *tz != "" {
		loc, err := time.LoadLocation(*tz)
		if err != nil {
			return usageError(fmt.Sprintf("truce extract: -tz %q: %v", *tz, err))
		}
		t.Location = loc
	}
	if *published != "" {
		p, err := parsePublished(*published, t.Location)
		if err != nil {
			return usageError(fmt.Sprintf("truce extract: -published %q: want YYYY-MM-DD or RFC 3339", *published))
		}
		t.Published = p
	}
	var in io.Reader = os.Stdin
	if name := fs.Arg(0); name != "" && name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	body, err := io.ReadAll(in)
	if err != nil {
		return err
	}
	t.Body = string(body)
	facts := x.Extract(t)
	if *asJSON {
		enc := json.NewEncoder(out)
		enc.SetEscapeHTML(false)
		for _, f := range facts {
			if err := enc.Encode(f); err != nil {
				return err
			}
		}
		return nil
	}
	fmt.Fprintf(out, "# %s, %d facts\n", x.Language(t), len(facts))
	for _, f := range facts {
		fmt.Fprintf(out, "%s\t%s\t%s\t%s\t%.2f\t%d-%d\t%q\t%s\n", f.Field, f.Value, dash(f.Role), dash(f.Precision), f.Confidence, f.Start, f.End, f.Quote, f.Rule)
	}
	return nil
}

func validLang(l string) bool {
	for _, x := range extract.Languages {
		if x == l {
			return true
		}
	}
	return false
}

func parsePublished(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	if t, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

// extractReviews prints the reviewers' verdicts on facts read from text.
func extractReviews(ctx context.Context, db string, asJSON bool, out io.Writer, log *slog.Logger) error {
	a, err := open(ctx, db, log)
	if err != nil {
		return err
	}
	defer a.Close()
	facts, err := a.ReviewedFacts(ctx, app.Operator())
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetEscapeHTML(false)
		for _, f := range facts {
			if err := enc.Encode(f); err != nil {
				return err
			}
		}
		return nil
	}
	type tally struct{ accept, correct, reject int }
	by := map[string]*tally{}
	for _, f := range facts {
		t := by[f.Field]
		if t == nil {
			t = &tally{}
			by[f.Field] = t
		}
		switch f.Review {
		case "accept":
			t.accept++
		case "correct":
			t.correct++
		case "reject":
			t.reject++
		}
	}
	fmt.Fprintf(out, "%d facts reviewed\n\n%-10s %8s %10s %6s %10s\n", len(facts), "field", "right", "corrected", "wrong", "precision")
	for _, field := range extract.Fields {
		t := by[field]
		if t == nil {
			continue
		}
		n := t.accept + t.correct + t.reject
		fmt.Fprintf(out, "%-10s %8d %10d %6d %9.1f%%\n", field, t.accept, t.correct, t.reject, 100*float64(t.accept)/float64(n))
	}
	return nil
}
