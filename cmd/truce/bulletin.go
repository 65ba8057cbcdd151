package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/bulletin"
	"github.com/truce-monitor/truce/internal/workflow"
)

const bulletinHelp = `usage: truce bulletin -period day|week|month -date YYYY-MM-DD [-lang L] [-agreement ID] [-public | -party P] [-site URL] -o FILE.{html,pdf,md,json}
       truce bulletin -verify FILE [-pub NODE.pub]

A bulletin of the violations of a day, a week (Monday to Sunday) or a month, against the period before, by party,
guarantor answering, clause, zone and governorate, day by day, on a map, with the notable incidents, the disputed
rulings and the replies awaiting the guarantors (docs/bulletins.md). It is computed from the tamper-evident log at
its latest signed checkpoint (truce checkpoint), which it states with the hash of every figure and of the
incidents behind them. The format is the file's extension: html (a standalone page to print), pdf (printed by
Chromium: install Debian's chromium package, or set TRUCE_CHROMIUM), md, or json.

-verify computes a bulletin FILE (any of those formats) again from the database as of its checkpoint, and fails
naming each figure that differs.`

// cmdBulletin makes a bulletin, or verifies one.
func cmdBulletin(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(out, bulletinHelp)
		return nil
	}
	fs, db := flags("bulletin")
	periodS := fs.String("period", "week", "day, week (Monday to Sunday) or month")
	date := fs.String("date", "", "a day of the period, YYYY-MM-DD (in the agreement's time zone)")
	lang := fs.String("lang", "en", "language: en, ar, ru, tr or fa")
	agID := fs.String("agreement", "", "agreement id (default: the only, or first, stored agreement)")
	public := fs.Bool("public", false, "the public edition: incidents whose review is complete, without protected details")
	party := fs.String("party", "", "a party's edition: what its liaison sees")
	file := fs.String("o", "", "the file to write; its extension is the format: .html, .pdf, .md or .json")
	site := fs.String("site", "", "the node's address (https://…): incidents and figures link to its pages")
	verify := fs.String("verify", "", "a bulletin FILE to check against the database")
	pub := fs.String("pub", "", "with -verify: the node's public key file(s), comma-separated, to check the checkpoint's signature")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("truce bulletin: unexpected arguments " + strings.Join(fs.Args(), " ") + "\n\n" + bulletinHelp)
	}
	if *verify != "" {
		return verifyBulletin(ctx, *db, *verify, *pub, out, log)
	}
	p, err := bulletin.ParsePeriod(*periodS)
	if err != nil {
		return usageError("truce bulletin: -" + err.Error())
	}
	if *date == "" || *file == "" {
		return usageError("truce bulletin: -date and -o are required\n\n" + bulletinHelp)
	}
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(*file)), ".")
	switch format {
	case "html", "pdf", "md", "json":
	default:
		return usageError(fmt.Sprintf("truce bulletin: -o %s: the extension says the format: .html, .pdf, .md or .json", *file))
	}
	if *public && *party != "" {
		return usageError("truce bulletin: -public or -party, not both")
	}
	if format == "pdf" {
		// Before any work: what to install.
		if _, err := bulletin.Chromium(); err != nil {
			return err
		}
	}
	a, err := open(ctx, *db, log)
	if err != nil {
		return err
	}
	defer a.Close()
	viewer := app.Operator()
	switch {
	case *public:
		viewer = nil
	case *party != "":
		viewer = &workflow.User{Name: "bulletin", Role: workflow.Liaison, Party: *party}
		if err := a.CheckAffiliation(*viewer); err != nil {
			return usageError("truce bulletin: -party: " + err.Error())
		}
	}
	at, err := a.BulletinLog(ctx)
	if err != nil {
		return err
	}
	if at.Checkpoint == nil {
		log.Warn("no checkpoint has been signed: the bulletin states the log as it stands, unsigned (truce checkpoint -key FILE signs one)")
	}
	b, err := bulletin.Compute(ctx, a, bulletin.Request{Agreement: *agID, Period: p, Date: *date, Viewer: viewer}, at)
	if err != nil {
		if strings.Contains(err.Error(), "is not a date") || strings.Contains(err.Error(), "no agreement") {
			return usageError("truce bulletin: " + err.Error())
		}
		return err
	}
	data, err := bulletin.Write(ctx, b, a, format, bulletin.Options{Lang: *lang, Site: *site, File: filepath.Base(*file)})
	if err != nil {
		return err
	}
	if err := os.WriteFile(*file, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: %s %s to %s, %s edition, %s; log at %d entries; data sha256 %s\n", *file, b.Period, b.From, b.To, b.Edition, *lang, b.Log.Size, b.DataHash)
	return nil
}

// verifyBulletin checks a bulletin file against the database.
func verifyBulletin(ctx context.Context, db, file, pub string, out io.Writer, log *slog.Logger) error {
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	b, err := bulletin.Read(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	var known note.Verifiers
	if pub != "" {
		if known, err = app.ReadVerifiers(strings.Split(pub, ",")...); err != nil {
			return err
		}
	}
	a, err := open(ctx, db, log)
	if err != nil {
		return err
	}
	defer a.Close()
	err = bulletin.Verify(ctx, a, b, known)
	var ve *bulletin.VerifyError
	if errors.As(err, &ve) {
		return fmt.Errorf("%s: %w", file, err)
	}
	if err != nil {
		return err
	}
	signed := "unsigned"
	if b.Log.Checkpoint != "" {
		signed = "signed by " + strings.Join(b.Log.Signers, ", ")
		if known == nil {
			signed += " (signature not checked: give -pub)"
		}
	}
	fmt.Fprintf(out, "%s holds: %s %s to %s, %s edition, computed again from the log at %d entries (%s); %d figures and %d incidents the same; data sha256 %s\n",
		file, b.Period, b.From, b.To, b.Edition, b.Log.Size, signed, len(b.D.Figures), len(b.D.Incidents), b.DataHash)
	return nil
}
