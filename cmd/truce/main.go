// Command truce is the ceasefire monitoring mechanism's system: agreements
// as data, intake of incident reports, rulings against the agreement in
// force, and an HTTP API.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	_ "time/tzdata" // agreements name IANA zones; do not depend on the host's tzdata
)

// command is one of truce's commands: how it is called, what it does,
// and the function that runs it with the arguments after its name.
type command struct {
	name, args, summary string
	run                 func(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error
}

// commands is the command table: run dispatches through it, and the usage
// is made from it, so that a command cannot be missing from either.
func commands() []command {
	return []command{
		{"demo", "[-db FILE] [-addr HOST:PORT] [-nodes 3]", "load the bundled agreement and UCDP events, rule them, serve (-nodes 3: three federated nodes)", cmdDemo},
		{"serve", "[-db FILE] [-addr HOST:PORT]", "serve the web interface and the JSON API", cmdServe},
		{"import", "FORMAT [flags] FILE", "import acled, ucdp, geojson, jsonl, or csv with -mapping", cmdImport},
		{"extract", "[-lang L] [-published D] [FILE|-] | -evaluate ... | -reviews", "facts read from a text, each with its words; the extractor's evaluation; reviewers' verdicts as test data", cmdExtract},
		{"feed", "add URL [-name N] | list | poll", "news feeds (RSS, Atom): keep, list, poll once into reports", cmdFeed},
		{"export", "FORMAT [-what W] [-o F]", "export reports or incidents as acled, geojson or jsonl", cmdExport},
		{"places", "[-in GOV] NAME... | -at LAT,LON", "find places in the gazetteer", noContext(cmdPlaces)},
		{"control", "validate|load|list|at ...", "territorial control layers: who held a place, per claimant", noContext(cmdControl)},
		{"backup", "BACKUP-FILE", "an online, consistent backup (SQLite or PostgreSQL)", cmdBackup},
		{"restore", "[-force] BACKUP", "restore a backup", noLog(cmdRestore)},
		{"load", "[-url URL] [-clients N] [-duration D] [-get PATH]...", "submit reports (or read paths) from N clients; print throughput and latency", noLog(cmdLoad)},
		{"key", "generate -name NAME [-o FILE]", "make the node's Ed25519 log key (FILE, FILE.pub)", noContext(cmdKey)},
		{"checkpoint", "-key FILE", "sign a checkpoint of the tamper-evident log", cmdCheckpoint},
		{"verify", "-pub FILE[,FILE] [-deep]", "check every record against the log and every checkpoint", cmdVerify},
		{"witness", "-follow URL -pub F -key F ...", "follow another node's log, cosign, alert on forks", cmdWitness},
		{"peer", "add URL -pub F | list | pull | trust NAME | grant NAME | verify", "nodes that hold each other's records: follow, pull, grant (docs/federation.md)", cmdPeer},
		{"bundle", "-incident ID [-o F]", "an incident's case with log proofs, to check offline", cmdBundle},
		{"verify-bundle", "-pub NODE.pub FILE", "check a bundle offline with the node's public key", noContext(cmdVerifyBundle)},
		{"rule", "[flags]", "rule incidents in a period and print the ruling table", cmdRule},
		{"cluster", "[-evaluate] [thresholds]", "cluster every report anew and score it (against incidents or ids)", cmdCluster},
		{"incident", "show ID | act ID -as U -action A", "an incident's case; review, verify, reply, findings ...", cmdIncident},
		{"user", "add|disable NAME -role R ... | list", "add a user (prints their API token), end their access, list users", cmdUser},
		{"evidence", "add -as USER FILE", "store an evidence file; prints its SHA-256", cmdEvidence},
		{"notifications", "-party P", "what a party has been told (violations to reply to)", cmdNotifications},
		{"agreement", "validate|load|show|diff ...", "work with agreement files", cmdAgreement},
		{"bulletin", "-period day|week|month -date D [-lang L] [-public] -o FILE | -verify FILE", "a bulletin of a period's violations (HTML, PDF, Markdown), or check one against the log", cmdBulletin},
		{"alerts", "-from D -to D | -backtest -ucdp FILE", "escalation alerts per district and zone; -backtest scores them on a UCDP GED file", cmdAlerts},
		{"subscribe", "add|list|log|remove|deliver ...", "subscriptions to alerts and notifications (e-mail, webhook, Atom); deliver once", cmdSubscribe},
		{"humanitarian", "import|export|sieges|match|decide ...", "sieges, aid access, detainees and the missing, evacuations: import, export, match names", cmdHumanitarian},
		{"actors", "resolve|list|load|add ...", "the actor registry: look names up, list, load a file, add one", noLog(cmdActors)},
		{"version", "", "the module version and VCS revision of this binary", cmdVersion},
	}
}

func noLog(f func(context.Context, []string, io.Writer) error) func(context.Context, []string, io.Writer, *slog.Logger) error {
	return func(ctx context.Context, args []string, out io.Writer, _ *slog.Logger) error {
		return f(ctx, args, out)
	}
}

func noContext(f func([]string, io.Writer) error) func(context.Context, []string, io.Writer, *slog.Logger) error {
	return func(_ context.Context, args []string, out io.Writer, _ *slog.Logger) error { return f(args, out) }
}

// usage is truce's help, made from the command table.
func usage() string {
	var b strings.Builder
	b.WriteString("truce: a ceasefire monitoring mechanism's system\n\nUsage:\n")
	for _, c := range commands() {
		line := "  truce " + c.name
		if c.args != "" {
			line += " " + c.args
		}
		fmt.Fprintf(&b, "%-58s %s\n", line, c.summary)
	}
	b.WriteString(`
Every command that opens a database takes -db: a SQLite file or a postgres:// URL (default $TRUCE_DB,
or truce.db), before, between or after its other arguments.
truce serve takes reports (POST /api/reports) with a user's token (truce user add), or $TRUCE_SUBMIT_TOKEN.
Run "truce COMMAND -h" for its flags.
`)
	return b.String()
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	level := slog.LevelInfo // TRUCE_LOG_LEVEL: debug, info, warn or error (truce serve -log-level too)
	if v := os.Getenv("TRUCE_LOG_LEVEL"); v != "" {
		if err := level.UnmarshalText([]byte(strings.TrimSpace(v))); err != nil {
			fmt.Fprintf(os.Stderr, "truce: TRUCE_LOG_LEVEL: %q is not debug, info, warn or error\n", v)
			os.Exit(2)
		}
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	err := run(ctx, os.Args[1:], os.Stdout, log)
	var ue usageError
	switch {
	case err == nil:
	case errors.As(err, &ue) && ue == "":
		// -h: parse printed the command's flags; asking for help is no error.
	case errors.As(err, &ue):
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "truce:", err)
		os.Exit(1)
	}
}

type usageError string

func (e usageError) Error() string { return string(e) }

func run(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	if len(args) == 0 {
		return usageError(usage())
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(out, usage())
		return nil
	}
	for _, c := range commands() {
		if c.name == cmd {
			return c.run(ctx, rest, out, log)
		}
	}
	return usageError(fmt.Sprintf("truce: unknown command %q\n\n%s", cmd, usage()))
}

func cmdVersion(_ context.Context, args []string, out io.Writer, _ *slog.Logger) error {
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(out, "usage: truce version     the module version and VCS revision this binary was built from")
		return nil
	}
	fmt.Fprintln(out, version())
	return nil
}

// flags makes a flag set for a command with the flags every command has.
func flags(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("truce "+name, flag.ContinueOnError)
	db := os.Getenv("TRUCE_DB")
	if db == "" {
		db = "truce.db"
	}
	return fs, fs.String("db", db, "SQLite database file or postgres:// URL (env TRUCE_DB)")
}

// parse parses flags, turning -h into a clean exit and errors into usage
// errors. Flags may come before, between or after the other arguments
// ("truce actors resolve NAME -db X" as well as "-db X NAME"): Go's flag
// package stops at the first argument that is not a flag, and took the
// rest, "-db" included, for names. "--" ends the flags.
func parse(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	var rest []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(os.Stderr)
				fs.Usage()
				return usageError("")
			}
			return usageError(fmt.Sprintf("%s: %v (run with -h for help)", fs.Name(), err))
		}
		left := fs.Args()
		if len(left) > 0 && len(left) < len(args) && args[len(args)-len(left)-1] == "--" {
			rest = append(rest, left...) // after "--": no more flags
			break
		}
		if len(left) == 0 {
			break
		}
		rest = append(rest, left[0])
		args = left[1:]
	}
	// Parse once more with only the other arguments, so that fs.Args()
	// returns them; the flags keep the values set above.
	return fs.Parse(append([]string{"--"}, rest...))
}

// isHelp reports whether arg asks for help ("help" itself only where no
// name can stand: callers check it there).
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help":
		return true
	}
	return false
}

// helpOrUsage answers a command given no arguments, or asked for help as
// its first one: help goes to out and succeeds; no arguments is a usage
// error.
func helpOrUsage(args []string, out io.Writer, usage string) error {
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(out, strings.TrimRight(usage, "\n"))
		return nil
	}
	return usageError(usage)
}

// version is the module version and the VCS revision of the build, from
// the build information (go build records the revision with -buildvcs,
// the default in a checkout); "devel" stands for what is not recorded.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "truce devel (no build information)"
	}
	return versionOf(bi)
}

func versionOf(bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	rev := settings["vcs.revision"]
	if rev == "" {
		rev = "devel (no VCS revision recorded; build in a checkout with -buildvcs)"
	} else {
		if t := settings["vcs.time"]; t != "" {
			rev += " " + t
		}
		if settings["vcs.modified"] == "true" {
			rev += " (modified)"
		}
	}
	return fmt.Sprintf("truce %s\nmodule %s\nrevision %s\n%s", v, bi.Main.Path, rev, bi.GoVersion)
}
