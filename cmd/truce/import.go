package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/term"

	"github.com/truce-monitor/truce/internal/actor"
	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/importer"
	"github.com/truce-monitor/truce/internal/importer/mapped"
	"github.com/truce-monitor/truce/internal/incident"
)

func cmdImport(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	help := fmt.Sprintf("usage: truce import FORMAT [-db FILE] [-tz ZONE] [-from DATE] [-to DATE] [-errors FILE] [-mapping FILE] FILE\nformats: %s (csv needs -mapping; see docs/formats.md)\n"+
		"  text: an article (.html, .md, .txt) or JSON lines of articles; -source NAME names the outlet of articles without a URL\n"+
		"  mail: one message (.eml) or a mailbox (mbox); -kind public|monitor|party, -party CODE say who sent them\n"+
		"  telegram: the result.json of a chat's exported history, its photos/ and files/ beside it", strings.Join(app.Formats, ", "))
	if len(args) == 0 || isHelp(args[0]) || args[0] == "help" {
		return helpOrUsage(args, out, help)
	}
	format := args[0]
	fs, db := flags("import " + format)
	tz := fs.String("tz", "", "time zone dates without one are read in (default: the stored agreements' zone, else UTC)")
	fromS := fs.String("from", "", "skip events before this date (YYYY-MM-DD)")
	toS := fs.String("to", "", "skip events after this date (YYYY-MM-DD, inclusive)")
	errPath := fs.String("errors", "", "file for rejected rows, as JSON lines (default FILE.errors.jsonl, written only if a row is rejected)")
	mappingPath := fs.String("mapping", "", "mapping file for format csv (YAML; see docs/formats.md)")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the import to this file (go tool pprof)")
	reread := fs.Bool("reread", false, "acled, ucdp: read every record again, even those stored with the same original and read the same way (the same build of truce, actor files, zone and options); without it such a record is counted unchanged without being read")
	noRead := fs.Bool("no-read", false, "do not read the records' words (notes, headlines, descriptions) for facts their fields lack: faster, for a dataset whose coding is complete (docs/extraction.md)")
	perSource := fs.Bool("per-source", false, "ucdp: one report per source article of each event (see docs/clustering.md)")
	evidenceDir := fs.String("evidence", "", "folder of the reports' evidence files by SHA-256, as truce export writes it (default FILE.evidence when it exists)")
	source := fs.String("source", "", "text: the outlet of articles that carry no URL (default \"text\")")
	kind := fs.String("kind", "", "mail: who sent the messages: public (default), monitor or party")
	party := fs.String("party", "", "mail: the code of the party that sent the messages (with -kind party, which it implies)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError(help)
	}
	stop, err := cpuProfile(*profile)
	if err != nil {
		return err
	}
	defer stop()
	if (format == "csv") != (*mappingPath != "") {
		return usageError("truce import: -mapping goes with format csv, and csv needs it\n" + help)
	}
	if *source != "" && format != "text" {
		return usageError("truce import: -source goes with format text\n" + help)
	}
	if (*kind != "" || *party != "") && format != "mail" {
		return usageError("truce import: -kind and -party go with format mail\n" + help)
	}
	if *party != "" && *kind == "" {
		*kind = "party"
	}
	switch *kind {
	case "", "public", "monitor":
		if *party != "" {
			return usageError("truce import: -party goes with -kind party\n" + help)
		}
	case "party":
		if *party == "" {
			return usageError("truce import: -kind party needs -party CODE\n" + help)
		}
	default:
		return usageError(fmt.Sprintf("truce import: -kind %q: want public, monitor or party\n%s", *kind, help))
	}
	name := fs.Arg(0)
	a, err := open(ctx, *db, log)
	if err != nil {
		return err
	}
	defer a.Close()
	var evidence app.EvidenceCount
	opt := app.ImportOptions{PerSource: *perSource, NoRead: *noRead, Reread: *reread, Evidence: *evidenceDir, EvidenceCount: &evidence,
		Source: *source, Kind: incident.SourceKind(*kind), Party: *party}
	if opt.Evidence == "" {
		if st, err := os.Stat(name + ".evidence"); err == nil && st.IsDir() {
			opt.Evidence = name + ".evidence"
		}
	}
	if *mappingPath != "" {
		mf, err := os.Open(*mappingPath)
		if err != nil {
			return err
		}
		opt.Mapping, err = mapped.LoadMapping(mf, *mappingPath, a.Actors)
		mf.Close()
		if err != nil {
			return err
		}
	}
	if *tz != "" {
		if opt.Location, err = time.LoadLocation(*tz); err != nil {
			return usageError(fmt.Sprintf("truce import: -tz: unknown time zone %q", *tz))
		}
	}
	floc := opt.Location
	if floc == nil {
		floc = a.DefaultLocation()
	}
	if opt.From, opt.To, err = period(*fromS, *toS, floc); err != nil {
		return err
	}
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	if *errPath == "" {
		*errPath = name + ".errors.jsonl"
	}
	rejects := &rejectFile{path: *errPath}
	defer rejects.close()
	opt.OnReject = rejects.write

	counter := &countingReader{r: f}
	var size int64
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	prog := newProgress(name, size, counter, log)
	opt.Progress = prog.update
	sum, err := a.Import(ctx, format, counter, name, opt)
	prog.done()
	if sum != nil {
		printSummary(out, sum, a.Actors)
		if sum.Rejected > 0 {
			fmt.Fprintf(out, "rejected rows written to %s\n", rejects.path)
		}
		if evidence.Brought > 0 {
			fmt.Fprintf(out, "evidence files brought from %s: %d\n", opt.Evidence, evidence.Brought)
		}
		if len(evidence.Missing) > 0 {
			fmt.Fprintf(out, "evidence files the reports refer to but this node does not hold (flagged on the reports; bring them with -evidence DIR): %d\n", len(evidence.Missing))
			for _, sha := range evidence.Missing[:min(len(evidence.Missing), 20)] {
				fmt.Fprintln(out, "  missing:", sha)
			}
		}
	}
	if cerr := rejects.close(); err == nil {
		err = cerr
	}
	return err
}

// suggestedNames is how many unresolved names, most frequent first, get
// suggestions: each costs a pass over the registry, and a file of
// thousands of stray names needs its frequent ones fixed first.
const suggestedNames = 100

// printSummary prints what an import did. For unresolved actor names it
// shows close registry names (actor.Registry.Suggest) when reg is given;
// they are only shown, never applied.
func printSummary(out io.Writer, sum *importer.Summary, reg *actor.Registry) {
	fmt.Fprintln(out, sum)
	for _, n := range sum.Notes {
		fmt.Fprintln(out, "note:", n)
	}
	for _, e := range sum.Errors[:min(len(sum.Errors), 20)] {
		fmt.Fprintln(out, "  rejected:", e)
	}
	if more := sum.Rejected - min(len(sum.Errors), 20); more > 0 {
		fmt.Fprintf(out, "  … and %d more rejected rows\n", more)
	}
	if names := sum.UnresolvedNames(); len(names) > 0 {
		fmt.Fprintf(out, "unresolved actor names (kept as given, not guessed; suggestions are not applied): %d\n", len(names))
		for i, n := range names {
			fmt.Fprintf(out, "  %6d  %s", sum.Unresolved[n], n)
			if reg != nil && i < suggestedNames {
				if sug := reg.Suggest(n, 3); len(sug) > 0 {
					parts := make([]string, len(sug))
					for j, s := range sug {
						parts[j] = fmt.Sprintf("%s [%s]", s.Name, s.ID)
					}
					fmt.Fprintf(out, "  — did you mean: %s?", strings.Join(parts, "; "))
				}
			}
			fmt.Fprintln(out)
		}
	}
}

// rejectFile writes rejected rows as JSON lines, creating the file only
// when the first row is rejected.
type rejectFile struct {
	path string
	f    *os.File
	w    *bufio.Writer
	enc  *json.Encoder
}

func (r *rejectFile) write(e *importer.RowError) error {
	if r.f == nil {
		f, err := os.Create(r.path)
		if err != nil {
			return err
		}
		r.f, r.w = f, bufio.NewWriter(f)
		r.enc = json.NewEncoder(r.w)
		r.enc.SetEscapeHTML(false)
	}
	return r.enc.Encode(e)
}

func (r *rejectFile) close() error {
	if r.f == nil {
		return nil
	}
	err := r.w.Flush()
	if cerr := r.f.Close(); err == nil {
		err = cerr
	}
	r.f = nil
	return err
}

// countingReader counts the bytes read from the file. They run ahead of
// the rows stored: the format readers buffer (bufio, csv, JSON decoders)
// and the importer parses the next batches while it commits this one, so
// on a file of a few batches "bytes read" reached 100% with a sixth of the
// rows still to store. The progress line therefore says both: how much of
// the file has been read, and how many rows are stored.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// progress shows how an import goes: a redrawn line on a terminal, a log
// line every few seconds otherwise (a log file wants no carriage returns).
type progress struct {
	name    string
	size    int64
	read    *countingReader
	log     *slog.Logger
	tty     bool
	start   time.Time
	mu      sync.Mutex
	last    time.Time
	rows    int // rows stored (the importer reports them after each committed batch)
	printed bool
}

func newProgress(name string, size int64, read *countingReader, log *slog.Logger) *progress {
	return &progress{name: name, size: size, read: read, log: log, tty: term.IsTerminal(int(os.Stderr.Fd())), start: time.Now(), last: time.Now()}
}

func (p *progress) update(rows int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rows = rows
	now := time.Now()
	every := 5 * time.Second
	if p.tty {
		every = 200 * time.Millisecond
	}
	if now.Sub(p.last) < every {
		return
	}
	p.last = now
	p.show(now)
}

// status is what progress knows at now: the fraction of the file read
// (0 when its size is unknown), the rows stored, their rate, and an ETA
// for the reading ("?" when unknown). Storing finishes after reading.
type status struct {
	readFrac float64
	stored   int
	rate     float64
	eta      string
}

func (p *progress) status(now time.Time) status {
	elapsed := now.Sub(p.start).Seconds()
	st := status{stored: p.rows, rate: float64(p.rows) / max(elapsed, 1e-9), eta: "?"}
	if p.size > 0 {
		st.readFrac = min(float64(p.read.n.Load())/float64(p.size), 1)
		if st.readFrac > 0 {
			st.eta = (time.Duration(elapsed*(1-st.readFrac)/st.readFrac) * time.Second).Round(time.Second).String()
		}
	}
	return st
}

// line is the terminal line: the bar is the part of the file read, never
// the part stored.
func (s status) line() string {
	const width = 30
	done := int(s.readFrac * width)
	bar := strings.Repeat("█", done) + strings.Repeat("░", width-done)
	tail := "reading ETA " + s.eta
	if s.readFrac >= 1 {
		tail = "file read, storing the last rows"
	}
	return fmt.Sprintf("%s read %3d%%  stored %d rows %9.0f rows/s  %s", bar, int(s.readFrac*100), s.stored, s.rate, tail)
}

func (p *progress) show(now time.Time) {
	st := p.status(now)
	if !p.tty {
		p.log.Info("import progress", "file", p.name, "rows_stored", st.stored, "rows_per_s", int(st.rate), "read_percent", int(st.readFrac*100), "read_eta", st.eta)
		return
	}
	fmt.Fprintf(os.Stderr, "\r%s   ", st.line())
	p.printed = true
}

// done prints the last line: everything read, and the rows stored.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.printed {
		st := p.status(time.Now())
		fmt.Fprintf(os.Stderr, "\r%s   \n", strings.Replace(st.line(), "file read, storing the last rows", "done", 1))
	}
}
