package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/truce-monitor/truce/internal/actor"
	"github.com/truce-monitor/truce/internal/agreement"
	"github.com/truce-monitor/truce/internal/alert"
	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/auth"
	"github.com/truce-monitor/truce/internal/bundled"
	"github.com/truce-monitor/truce/internal/delivery"
	"github.com/truce-monitor/truce/internal/gazetteer"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/loadgen"
	timespan "github.com/truce-monitor/truce/internal/period"
	"github.com/truce-monitor/truce/internal/problem"
	"github.com/truce-monitor/truce/internal/ruling"
	"github.com/truce-monitor/truce/internal/server"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/web"
	"github.com/truce-monitor/truce/internal/witness"
	"github.com/truce-monitor/truce/internal/workflow"
	"golang.org/x/mod/sumdb/note"
)

func open(ctx context.Context, db string, log *slog.Logger) (*app.App, error) {
	return app.Open(ctx, app.Config{DB: db, Logger: log})
}

func cmdDemo(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	fs, db := flags("demo")
	addr := fs.String("addr", "127.0.0.1:8080", "address to serve on (with -nodes, the nodes serve on the ports after it, or on ports the system chooses when its port is 0)")
	nodes := fs.Int("nodes", 0, "run the federated demo instead: 3 nodes (RU, TR, IR) on localhost, each with a third of the events, converging (docs/federation.md)")
	exit := fs.Bool("exit", false, "with -nodes: stop once the nodes have converged, instead of serving them")
	fs.Lookup("db").DefValue = "truce-demo.db"
	if os.Getenv("TRUCE_DB") == "" {
		fs.Set("db", "truce-demo.db")
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if *nodes > 0 {
		return demoNodes(ctx, *nodes, *db, *addr, *exit, out, log)
	}
	a, err := open(ctx, *db, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.LoadBundledAgreements(ctx); errors.Is(err, store.ErrVersionChanged) {
		// Stored versions never change; the example agreement of an
		// earlier truce is not the one shipped now.
		return fmt.Errorf("%w\n%s was made by an earlier truce, whose example agreement differs from this one's: delete it (and %s.key) to run the demo afresh", err, *db, *db)
	} else if err != nil {
		return err
	}
	sum, err := a.ImportDemoEvents(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, sum)
	fmt.Fprintln(out, dataKeyNote(*db))
	var ruled []app.Ruled
	for _, ag := range a.Agreements() {
		from := ag.Versions[0].From
		to := time.Date(2017, 3, 1, 0, 0, 0, 0, ag.Location)
		tally, r, err := a.Rule(ctx, ag.ID, from, to)
		if err != nil {
			return err
		}
		ruled = append(ruled, r...)
		printTally(out, ag, tally, from, to)
	}
	// A demo account, with a password made now and shown once, so that
	// the browser interface can be tried as the Joint Group sees it.
	if _, err := a.User(ctx, "demo"); errors.Is(err, store.ErrNotFound) {
		pw := auth.Token("")[:20]
		token, err := a.AddUser(ctx, workflow.User{Name: "demo", Role: workflow.Admin}, pw)
		if err != nil {
			return err
		}
		n, err := reviewDemoSample(ctx, a, ruled)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\nA sample of %d incidents was reviewed and verified by the account demo-reviewer (reason: %q), so that the public view shows something.\n", n, demoReason)
		fmt.Fprintf(out, "\nWeb interface: http://%s/ — the public view; log in as \"demo\" with the password %s (shown once)\n", *addr, pw)
		fmt.Fprintf(out, "API token of \"demo\" (shown once): %s\n  curl -H 'Authorization: Bearer %s' 'http://%s/api/incidents?ruling=violation&party=GOV'\n", token, token, *addr)
	} else {
		fmt.Fprintf(out, "\nWeb interface: http://%s/ (the demo account was made on the first run)\n", *addr)
	}
	return serve(ctx, a, *addr, out, web.Options{}, "")
}

// errInvalid ends a command whose file had problems, printed already.
var errInvalid = errors.New("validation failed")

// problems prints a file's problems (file:line: field: what), one a line,
// as the command's output, and returns errInvalid. Any other error, such as
// a stored agreement the file would break (which wraps that one's
// problems), says what it is about itself and is returned as it is.
func problems(out io.Writer, err error) error {
	if ps, ok := err.(problem.List); ok {
		fmt.Fprintln(out, ps)
		return errInvalid
	}
	return err
}

// demoReason is what the demo's sample review says of itself: the events
// are UCDP's, and no mechanism reviewed them.
const demoReason = "demo only: a UCDP GED event verified so that the public view shows something; no monitoring mechanism reviewed it"

// reviewDemoSample reviews and verifies, as the demo reviewer, the demo's
// violations and a few incidents of each other outcome, so that the
// public view (which shows only reviewed incidents) is not empty.
func reviewDemoSample(ctx context.Context, a *app.App, ruled []app.Ruled) (int, error) {
	rev := workflow.User{Name: "demo-reviewer", Role: workflow.Reviewer}
	if _, err := a.AddUser(ctx, rev, ""); err != nil {
		return 0, err
	}
	perOutcome := map[string]int{}
	n := 0
	for _, r := range ruled {
		o := r.Ruling.Outcome()
		if r.Ruling.Verdict != "violation" && perOutcome[o] >= 3 {
			continue
		}
		perOutcome[o]++
		for _, e := range []workflow.Event{{Action: workflow.Review}, {Action: workflow.Verify, Reason: demoReason}} {
			if _, err := a.Act(ctx, rev, r.Incident.ID, e); err != nil {
				return n, fmt.Errorf("demo sample: incident %d: %w", r.Incident.ID, err)
			}
		}
		n++
	}
	return n, nil
}

// dataKeyNote says where the data key sealing reporters' and witnesses'
// identities is (as app.Config.DataKey defaults: $TRUCE_DATA_KEY, else
// beside a SQLite file), and that it must be backed up apart: it is not
// in the database, nor in its backups, and without it sealed identities
// cannot be read.
func dataKeyNote(db string) string {
	p := os.Getenv("TRUCE_DATA_KEY")
	if p == "" && !app.IsPostgres(db) {
		p = db + ".key"
	}
	if p == "" {
		return "Data key: none set (TRUCE_DATA_KEY): reports naming a reporter or witness will be refused until one is."
	}
	state := "made when a report first names a reporter or witness"
	if _, err := os.Stat(p); err == nil {
		state = "exists"
	}
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	return fmt.Sprintf("Data key (seals reporters' and witnesses' identities): %s (%s).\n"+
		"It is not in the database nor in its backups: back it up separately, kept apart from them; without it the sealed identities are lost.", p, state)
}

func cmdServe(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	fs, db := flags("serve")
	addr := fs.String("addr", "127.0.0.1:8080", "address to serve on")
	every := fs.Duration("checkpoint-every", 10*time.Second, "how often to sign a checkpoint of the log while it grows (with $TRUCE_LOG_KEY)")
	feedEvery := fs.Duration("feed-every", 15*time.Minute, "how often to poll the news feeds (truce feed add); 0 polls none")
	insecure := fs.Bool("insecure-cookies", false, "send session cookies over plain HTTP (development on a private network only; put TLS in front in production)")
	proxies := fs.String("trusted-proxy", os.Getenv("TRUCE_TRUSTED_PROXY"), "the reverse proxies whose X-Forwarded-For names the client (CIDRs or addresses, comma-separated; env TRUCE_TRUSTED_PROXY)")
	// Issue 16: metrics apart, and the level of the log (one line per request at info).
	metricsAddr := fs.String("metrics-addr", "", "also serve the Prometheus metrics at http://ADDR/metrics, without a token (a monitoring network's address; on -addr, /metrics needs an administrator's token)")
	logLevel := fs.String("log-level", "", "least level logged: debug, info (one line per request), warn or error (default $TRUCE_LOG_LEVEL, or info)")
	deliveryCfg := delivery.Flags(fs) // e-mail, webhooks, retries (docs/delivery.md)
	pullEvery := fs.Duration("pull-every", 30*time.Second, "how often to pull the peers (truce peer add; docs/federation.md), cosigning with $TRUCE_LOG_KEY; 0 pulls none")
	alertsEvery := fs.Duration("alerts-every", time.Hour, "how often to look for escalations and enqueue them for the subscriptions (docs/alerts.md); 0: never")
	serveProfile := fs.String("cpuprofile", "", "write a CPU profile of the server, until it stops, to this file (go tool pprof FILE)")
	alertsConfig := fs.String("alerts-config", "", "the escalation detector's thresholds (YAML; default the shipped ones: docs/alerts.md)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := deliveryCfg.Check(); err != nil {
		return usageError("truce serve: " + err.Error())
	}
	stop, err := cpuProfile(*serveProfile)
	if err != nil {
		return err
	}
	defer stop()
	alertsCfg := alert.Defaults()
	if *alertsConfig != "" {
		data, err := os.ReadFile(*alertsConfig)
		if err != nil {
			return err
		}
		if alertsCfg, err = alert.LoadConfig(data, *alertsConfig); err != nil {
			return err
		}
	}
	trusted, err := auth.ParseProxies(*proxies)
	if err != nil {
		return usageError(fmt.Sprintf("-trusted-proxy: %v", err))
	}
	if *logLevel != "" {
		level, err := server.ParseLevel(*logLevel)
		if err != nil {
			return usageError(fmt.Sprintf("-log-level: %v", err))
		}
		log = server.WithLevel(log, level)
	}
	a, err := open(ctx, *db, log)
	if err != nil {
		return err
	}
	defer a.Close()
	// In the background: the listener opens at once (item 7 of issue 17),
	// and a first submission after the quarter second it takes is not
	// held up by it.
	go a.Warm()
	var signer note.Signer
	if key := os.Getenv("TRUCE_LOG_KEY"); key != "" {
		if signer, err = app.ReadSigner(key); err != nil {
			return err
		}
		go a.SignCheckpoints(ctx, signer, *every)
	}
	if *pullEvery > 0 {
		go (&app.Puller{App: a, Signer: signer}).Run(ctx, *pullEvery)
	}
	if *feedEvery > 0 {
		go a.WatchFeeds(ctx, *feedEvery)
	}
	go a.RunDelivery(ctx, *deliveryCfg)
	if *alertsEvery > 0 {
		go a.WatchAlerts(ctx, *alertsEvery, alertsCfg)
	}
	return serve(ctx, a, *addr, out, web.Options{InsecureCookies: *insecure, TrustedProxies: trusted}, *metricsAddr)
}

// serve serves the web interface and the API on addr, and the metrics
// alone on metricsAddr when it is set.
func serve(ctx context.Context, a *app.App, addr string, out io.Writer, opt web.Options, metricsAddr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	return serveOn(ctx, a, ln, out, opt, metricsAddr)
}

// serveOn is serve on a listener already open, which it closes.
func serveOn(ctx context.Context, a *app.App, ln net.Listener, out io.Writer, opt web.Options, metricsAddr string) error {
	opt.Log = a.Log
	ui, err := web.New(a, opt)
	if err != nil {
		ln.Close()
		return err
	}
	api := server.New(a, server.Options{SubmitToken: os.Getenv("TRUCE_SUBMIT_TOKEN"), UI: ui})
	srv := &http.Server{
		Handler:           api,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	if metricsAddr != "" {
		mln, err := net.Listen("tcp", metricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen on %s (-metrics-addr): %w", metricsAddr, err)
		}
		msrv := &http.Server{Handler: api.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second, WriteTimeout: time.Minute}
		go msrv.Serve(mln)
		defer msrv.Close()
		fmt.Fprintf(out, "metrics on http://%s/metrics\n", mln.Addr())
	}
	fmt.Fprintf(out, "serving on http://%s/ (API under /api/; Ctrl-C to stop)\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// period reads -from and -to dates; -to includes its day.
func period(fromS, toS string, loc *time.Location) (from, to time.Time, err error) {
	from, to, err = timespan.Range("-from", fromS, "-to", toS, loc)
	if err != nil {
		return from, to, usageError(err.Error())
	}
	return from, to, nil
}

func cmdRule(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	fs, db := flags("rule")
	agID := fs.String("agreement", "", "agreement id (default: the only stored agreement)")
	fromS := fs.String("from", "", "first date (YYYY-MM-DD)")
	toS := fs.String("to", "", "last date, inclusive (YYYY-MM-DD)")
	perIncident := fs.Bool("incidents", false, "also print every incident's ruling with its explanation")
	asJSON := fs.Bool("json", false, "print JSON instead of tables")
	zone := fs.String("zone", "", "only incidents in this zone of the version in force (e.g. DZ1)")
	admin := fs.String("admin", "", "only incidents in this administrative unit (P-code: SY03, SY0302, ...)")
	party := fs.String("party", "", "only incidents whose ruling names this party")
	actorName := fs.String("actor", "", "only incidents naming this actor (a name or registry id)")
	refresh := fs.Bool("refresh", false, "first make each incident's facts again from its reports (after an upgrade that changes how reports combine)")
	again := fs.Bool("again", false, "rule every incident again and compare, even one whose ruling was made from the same facts, agreement and reference data (puts back a ruling altered by hand)")
	cpuProfileFile := fs.String("cpuprofile", "", "write a CPU profile of the command to this file (go tool pprof FILE)")
	if err := parse(fs, args); err != nil {
		return err
	}
	stop, err := cpuProfile(*cpuProfileFile)
	if err != nil {
		return err
	}
	defer stop()
	a, err := open(ctx, *db, log)
	if err != nil {
		return err
	}
	defer a.Close()
	ags := a.Agreements()
	var ag *agreement.Agreement
	switch {
	case *agID != "":
		var ok bool
		if ag, ok = a.Agreement(*agID); !ok {
			return fmt.Errorf("no agreement %q in %s", *agID, *db)
		}
	case len(ags) == 1:
		ag = ags[0]
	case len(ags) == 0:
		return fmt.Errorf("no agreement in %s: load one with truce agreement load FILE", *db)
	default:
		return usageError("truce rule: several agreements are stored; choose one with -agreement")
	}
	from, to, err := period(*fromS, *toS, ag.Location)
	if err != nil {
		return err
	}
	keep, err := ruleFilter(a, ag, *zone, *admin, *party, *actorName)
	if err != nil {
		return err
	}
	if *refresh {
		n, err := a.Recombine(ctx, from, to)
		if err != nil {
			return err
		}
		log.Info("incidents made again from their reports", "incidents", n)
	}
	// The tally counts each incident with its review state
	// (ruling.ReviewOf): a dismissed incident is not a violation, an
	// unreviewed one is under review.
	// Incidents are ruled as they are read (those whose stored ruling was
	// made from the same facts and key are counted from it) and written
	// only when their ruling changed (app.RuleEach): nothing holds the
	// period. With
	// -incidents, JSON streams (its "incidents" come before "tally", as
	// encoding/json orders a map's keys; a failure midway leaves it
	// cut short); the table, which ends with them, keeps each incident's
	// few printed lines until the tally is printed.
	var each func(app.Ruled) error
	var listed bytes.Buffer
	bw := bufio.NewWriter(out)
	n := 0
	switch {
	case *perIncident && *asJSON:
		each = func(r app.Ruled) error {
			b, err := json.MarshalIndent(r, "    ", "  ")
			if err != nil {
				return err
			}
			if n == 0 {
				bw.WriteString("{\n  \"incidents\": [\n    ")
			} else {
				bw.WriteString(",\n    ")
			}
			n++
			_, err = bw.Write(b)
			return err
		}
	case *perIncident:
		each = func(r app.Ruled) error {
			fmt.Fprintf(&listed, "\n#%d  %s  %s\n  %s", r.Incident.ID, r.Incident.Occurred.Start.In(ag.Location).Format("2006-01-02"), r.Incident.Place.Label(), r.Ruling.Outcome())
			if len(r.Ruling.Parties) > 0 {
				fmt.Fprintf(&listed, "  parties %s", strings.Join(r.Ruling.Parties, ","))
			}
			if len(r.Ruling.Clauses) > 0 {
				fmt.Fprintf(&listed, "  clauses %s", strings.Join(r.Ruling.Clauses, ","))
			}
			fmt.Fprintf(&listed, "\n  %s\n", r.Ruling.Explanation)
			return nil
		}
	}
	ruleEach := a.RuleEach
	if *again {
		ruleEach = a.RuleEachAgain
	}
	tally, written, err := ruleEach(ctx, ag.ID, from, to, keep, each)
	if err != nil {
		bw.Flush()
		return err
	}
	log.Info("rulings written", "changed", written)
	if *asJSON {
		if *perIncident {
			if n == 0 {
				bw.WriteString("{\n  \"incidents\": null")
			} else {
				bw.WriteString("\n  ]")
			}
			b, err := json.MarshalIndent(tally, "  ", "  ")
			if err != nil {
				return err
			}
			bw.WriteString(",\n  \"tally\": ")
			bw.Write(b)
			bw.WriteString("\n}\n")
			return bw.Flush()
		}
		enc := json.NewEncoder(bw)
		enc.SetIndent("", "  ")
		if err := enc.Encode(tally); err != nil {
			return err
		}
		return bw.Flush()
	}
	printTally(bw, ag, tally, from, to)
	if *perIncident {
		fmt.Fprintln(bw, "\nIncidents")
		bw.Write(listed.Bytes())
	}
	return bw.Flush()
}

func ruleFilter(a *app.App, ag *agreement.Agreement, zone, admin, party, actorName string) (func(app.Ruled) bool, error) {
	var tests []func(app.Ruled) bool
	if zone != "" {
		known := false
		for _, v := range ag.Versions {
			known = known || v.Zone(zone) != nil
		}
		if !known {
			return nil, usageError(fmt.Sprintf("truce rule: -zone: no version of %s has a zone %q", ag.ID, zone))
		}
		// The zone of the version the incident was ruled under: zones
		// change between versions.
		tests = append(tests, func(r app.Ruled) bool {
			v := ag.Version(r.Ruling.Version)
			z := (*agreement.Zone)(nil)
			if v != nil {
				z = v.Zone(zone)
			}
			return z != nil && ruling.InZone(z, r.Incident.Place) == 1
		})
	}
	if admin != "" {
		if _, ok := a.Boundaries.Unit(admin); !ok {
			return nil, usageError(fmt.Sprintf("truce rule: -admin: %q is not a P-code of the shipped boundaries (SY03, SY0302, ...)", admin))
		}
		tests = append(tests, func(r app.Ruled) bool {
			p := r.Incident.Place
			return strings.HasPrefix(p.Admin3, admin) || (p.Admin3 == "" && strings.HasPrefix(p.Area, admin))
		})
	}
	if party != "" {
		tests = append(tests, func(r app.Ruled) bool { return slices.Contains(r.Ruling.Parties, party) })
	}
	if actorName != "" {
		id := actorName
		if _, ok := a.Actors.Get(id); !ok {
			if id, ok = a.Actors.Resolve(actorName); !ok {
				return nil, usageError(fmt.Sprintf("truce rule: -actor: %q is not a name or id in the actor registry (truce actors resolve NAME)", actorName))
			}
		}
		tests = append(tests, func(r app.Ruled) bool {
			return slices.ContainsFunc(r.Incident.Actors, func(x incident.ActorRef) bool { return x.ID == id })
		})
	}
	if len(tests) == 0 {
		return nil, nil
	}
	return func(r app.Ruled) bool {
		for _, t := range tests {
			if !t(r) {
				return false
			}
		}
		return true
	}, nil
}

// printTally prints the ruling table: outcomes (dismissed incidents apart,
// never counted as their ruling), then counts by review state, by party,
// by clause and by version.
func printTally(out io.Writer, ag *agreement.Agreement, t *ruling.Tally, from, to time.Time) {
	span := "all dates"
	if !from.IsZero() || !to.IsZero() {
		f, l := "…", "…"
		if !from.IsZero() {
			f = from.In(ag.Location).Format("2006-01-02")
		}
		if !to.IsZero() {
			l = to.Add(-time.Nanosecond).In(ag.Location).Format("2006-01-02")
		}
		span = f + " to " + l
	}
	fmt.Fprintf(out, "\nRulings under %s (%s), %s: %d incidents\n\n", ag.ID, ag.Title, span, t.Total)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "outcome\tincidents\t")
	for _, o := range ruling.SortedKeys(t.Outcomes) {
		fmt.Fprintf(tw, "%s\t%d\t\n", o, t.Outcomes[o])
	}
	fmt.Fprintf(tw, "dismissed (not counted above)\t%d\t\n", t.Dismissed)
	tw.Flush()

	fmt.Fprintf(out, "\nBy review state (verified: verified or disputed; under review: reported or under review; dismissed: not counted)\n\n")
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "review\tviolation\tnot_violation\tundetermined\t")
	for _, rv := range ruling.Reviews {
		m := t.ByReview[rv]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", strings.ReplaceAll(string(rv), "_", " "), m[ruling.Violation], m[ruling.NotViolation], m[ruling.Undetermined])
	}
	tw.Flush()

	outcomes := map[string]bool{}
	for _, m := range t.Parties {
		for o := range m {
			outcomes[o] = true
		}
	}
	for _, m := range t.Clauses {
		for o := range m {
			outcomes[o] = true
		}
	}
	cols := ruling.SortedKeys(outcomes)
	table := func(title string, rows map[string]map[string]int) {
		if len(rows) == 0 {
			return
		}
		fmt.Fprintf(out, "\n%s\n\n", title)
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "\t%s\t\n", strings.Join(cols, "\t"))
		for _, k := range ruling.SortedKeys(rows) {
			fmt.Fprint(tw, k)
			for _, c := range cols {
				fmt.Fprintf(tw, "\t%d", rows[k][c])
			}
			fmt.Fprintln(tw, "\t")
		}
		tw.Flush()
	}
	table("By party (incidents naming the party)", t.Parties)
	table("By clause", t.Clauses)

	if len(t.Versions) > 0 {
		fmt.Fprintf(out, "\nBy agreement version\n\n")
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "version\tviolation\tnot_violation\tundetermined\t")
		for _, v := range ag.Versions {
			m := t.Versions[v.Number]
			fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t\n", v.Number, m[ruling.Violation], m[ruling.NotViolation], m[ruling.Undetermined])
		}
		tw.Flush()
	}
}

func cmdAgreement(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	const help = `usage:
  truce agreement validate FILE...         check agreement files and report every problem
  truce agreement load [-db FILE] FILE...  validate and store (each change must be a new version)
  truce agreement show [-db FILE] [ID]     list stored agreements and their versions
  truce agreement diff [-db FILE] ID A B   what changed from version A to version B`
	if len(args) == 0 || isHelp(args[0]) || args[0] == "help" {
		return helpOrUsage(args, out, help)
	}
	fs, db := flags("agreement " + args[0])
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	a, err := open(ctx, *db, log)
	if err != nil {
		return err
	}
	defer a.Close()
	switch args[0] {
	case "validate", "load":
		if fs.NArg() == 0 {
			return usageError(help)
		}
		var failed error
		for _, name := range fs.Args() {
			src, err := os.ReadFile(name)
			if err != nil {
				return err
			}
			if args[0] == "validate" {
				ag, err := agreement.Load(strings.NewReader(string(src)), name, a.Checker())
				if err != nil {
					fmt.Fprintln(out, err)
					failed = errInvalid
					continue
				}
				fmt.Fprintf(out, "%s: ok: %s, %d versions\n", name, ag.ID, len(ag.Versions))
				continue
			}
			ag, added, err := a.LoadAgreement(ctx, name, src)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "%s: stored %s; new versions: %v\n", name, ag.ID, added)
		}
		return failed
	case "show":
		for _, ag := range a.Agreements() {
			if fs.NArg() > 0 && fs.Arg(0) != ag.ID {
				continue
			}
			fmt.Fprintf(out, "%s  %s  (%s)\n", ag.ID, ag.Title, ag.TimeZone)
			for _, p := range ag.Periods() {
				until := "open"
				if !p.To.IsZero() {
					until = p.To.In(ag.Location).Format("2006-01-02 15:04")
				}
				fmt.Fprintf(out, "  v%d  %s → %s  %s  %s\n", p.Version.Number, p.From.In(ag.Location).Format("2006-01-02 15:04"), until, p.Version.Digest()[:12], p.Version.Label)
			}
		}
		return nil
	case "diff":
		if fs.NArg() != 3 {
			return usageError(help)
		}
		ag, ok := a.Agreement(fs.Arg(0))
		if !ok {
			return fmt.Errorf("no agreement %q", fs.Arg(0))
		}
		var vs [2]*agreement.Version
		for i, s := range fs.Args()[1:] {
			var n int
			if _, err := fmt.Sscan(s, &n); err != nil || ag.Version(n) == nil {
				return fmt.Errorf("agreement %s has no version %q", ag.ID, s)
			}
			vs[i] = ag.Version(n)
		}
		for _, c := range agreement.Diff(vs[0], vs[1]) {
			fmt.Fprintln(out, c)
		}
		return nil
	}
	return usageError(help)
}

const actorsHelp = `usage:
  truce actors resolve NAME...          look names up in the actor registry: the id and the rule, or close names
  truce actors list [-q WORD]           the registry's actors (id, kind, name, file); -q: those with WORD in a name or id
  truce actors load FILE                validate an actors file with the registry and store it (a new version of its name)
  truce actors add ID -name NAME -kind KIND [-alias A]... [-note N]
                                        add one actor to the operator's file, operator.yaml (a new version of it)

The registry is the shipped file with the files stored in the database (-db); a running
truce serve uses a file stored meanwhile once restarted.`

// cmdActors works with the actor registry (docs/actors.md): the shipped
// file and the operator's stored files.
func cmdActors(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || isHelp(args[0]) || args[0] == "help" {
		return helpOrUsage(args, out, actorsHelp)
	}
	fs, db := flags("actors " + args[0])
	q := fs.String("q", "", "list: only actors with this word in their id or a name")
	name := fs.String("name", "", "add: the actor's name")
	kind := fs.String("kind", "", "add: state_forces, armed_group, civilians, coalition or unknown")
	var aliases fileList
	fs.Var(&aliases, "alias", "add: another name of the actor (repeatable)")
	note := fs.String("note", "", "add: where the actor comes from: a source, a date")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	const restart = "(a running truce serve uses it once restarted)"
	switch args[0] {
	case "resolve", "list":
		if (args[0] == "resolve") != (fs.NArg() > 0) {
			return usageError(actorsHelp)
		}
		a, err := openReference(ctx, *db)
		if err != nil {
			return err
		}
		reg := (*actor.Registry)(nil)
		if a != nil {
			defer a.Close()
			reg = a.Actors
		} else if reg, err = app.LoadActors(); err != nil {
			return err
		}
		if args[0] == "list" {
			word := actor.Normalize(*q)
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tKIND\tNAME\tFILE")
			for _, x := range reg.All() {
				names := append([]string{x.ID, x.Name}, x.Aliases...)
				for _, ns := range x.Names {
					names = append(names, ns...)
				}
				if !slices.ContainsFunc(names, func(n string) bool { return strings.Contains(actor.Normalize(n), word) }) {
					continue
				}
				file := x.File
				if file == bundled.Actors {
					file = "shipped"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", x.ID, x.Kind, x.Name, file)
			}
			tw.Flush()
			if a != nil {
				for _, err := range a.ReferenceLeftOut() {
					fmt.Fprintf(out, "\n%v\n", err)
				}
			}
			return nil
		}
		// One line per name: the name, the id or "-", the actor, and the
		// rule that resolved it (docs/actors.md), or why not and close
		// names.
		for _, n := range fs.Args() {
			res := reg.Lookup(n)
			if res.OK() {
				a, _ := reg.Get(res.ID)
				how := "by " + string(res.Rule)
				if res.Unit != "" {
					how += fmt.Sprintf(" (unit %q)", res.Unit)
				}
				fmt.Fprintf(out, "%s\t%s\t%s (%s)\t%s\n", n, res.ID, a.Name, a.Kind, how)
				continue
			}
			line := n + "\t-\tunresolved"
			if res.Why != "" {
				line += ": " + res.Why
			}
			if sug := reg.Suggest(n, 3); len(sug) > 0 {
				ids := make([]string, len(sug))
				for i, s := range sug {
					ids[i] = s.ID
				}
				line += "\tdid you mean: " + strings.Join(ids, ", ")
			}
			fmt.Fprintln(out, line)
		}
		return nil
	case "load":
		if fs.NArg() != 1 {
			return usageError(actorsHelp)
		}
		src, err := os.ReadFile(fs.Arg(0))
		if err != nil {
			return err
		}
		a, err := open(ctx, *db, nil)
		if err != nil {
			return err
		}
		defer a.Close()
		added, reg, err := a.LoadActorsFile(ctx, fs.Arg(0), src)
		if err != nil {
			return problems(out, err)
		}
		n, base := 0, filepath.Base(fs.Arg(0))
		for _, x := range reg.All() {
			if x.File == base {
				n++
			}
		}
		if !added {
			fmt.Fprintf(out, "%s: ok: %d actors, the same as stored: nothing to do\n", base, n)
			return nil
		}
		fmt.Fprintf(out, "%s: ok: %d actors; stored as the latest version of %s (the registry: %d actors) %s\n", fs.Arg(0), n, base, len(reg.All()), restart)
		return nil
	case "add":
		if fs.NArg() != 1 || *name == "" || *kind == "" {
			return usageError("truce actors add: give ID, -name and -kind\n\n" + actorsHelp)
		}
		a, err := open(ctx, *db, nil)
		if err != nil {
			return err
		}
		defer a.Close()
		x := actor.Actor{ID: fs.Arg(0), Name: *name, Kind: actor.Kind(*kind), Aliases: aliases, Note: *note}
		if _, err := a.AddActor(ctx, x); err != nil {
			return problems(out, err)
		}
		fmt.Fprintf(out, "added %s (%s, %s) to %s, stored as its latest version %s\n", x.ID, x.Name, x.Kind, app.OperatorActors, restart)
		return nil
	}
	return usageError(actorsHelp)
}

func cmdPlaces(args []string, out io.Writer) error {
	help := "usage: truce places [-in GOVERNORATE] NAME...   find places in the gazetteer\n       truce places -at LAT,LON                  the units containing a point"
	fs := flag.NewFlagSet("truce places", flag.ContinueOnError)
	within := fs.String("in", "", "governorate (name or P-code) the place lies in")
	at := fs.String("at", "", "a point as LAT,LON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if (*at == "") == (fs.NArg() == 0) {
		return usageError(help)
	}
	bounds, places, err := app.LoadGeography()
	if err != nil {
		return err
	}
	if *at != "" {
		la, lo, ok := strings.Cut(*at, ",")
		lat, err1 := strconv.ParseFloat(strings.TrimSpace(la), 64)
		lon, err2 := strconv.ParseFloat(strings.TrimSpace(lo), 64)
		if !ok || err1 != nil || err2 != nil {
			return usageError(fmt.Sprintf("truce places: -at %q is not LAT,LON", *at))
		}
		a, inside := bounds.Locate(lat, lon)
		if !inside {
			fmt.Fprintf(out, "%s: outside the shipped boundaries\n", *at)
			return nil
		}
		for _, pc := range []string{a.Admin1, a.Admin2, a.Admin3} {
			if u, ok := bounds.Unit(pc); ok {
				fmt.Fprintf(out, "%s\t%s\t%s\n", pc, strings.TrimSpace(u.Name), strings.TrimSpace(u.NameAR))
			}
		}
		return nil
	}
	for _, name := range fs.Args() {
		p, err := places.Resolve(name, *within)
		var amb *gazetteer.AmbiguousError
		switch {
		case errors.As(err, &amb):
			fmt.Fprintf(out, "%s\tambiguous:\n", name)
			for _, c := range amb.Candidates {
				fmt.Fprintf(out, "\t%s\t%.5f,%.5f\t%s\n", c.Label(), c.Lat, c.Lon, c.NameAR)
			}
		case err != nil:
			fmt.Fprintf(out, "%s\t-\t%v\n", name, err)
		default:
			fmt.Fprintf(out, "%s\t%s\t%.5f,%.5f\t%s/%s/%s\t%s\n", name, p.Label(), p.Lat, p.Lon, p.Admin1, p.Admin2, p.Admin3, p.NameAR)
		}
	}
	return nil
}

func cmdExport(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	help := fmt.Sprintf(`usage: truce export FORMAT [-db FILE] [-what reports|incidents] [-from DATE] [-to DATE] [-o FILE]
formats: %s
-what incidents: jsonl and geojson carry each incident's stored rulings (agreement, version, verdict, outcome,
parties, clauses, guarantors); ACLED's columns have no place for rulings, so an acled export has none.
-from/-to: only reports or incidents whose dates overlap the period (YYYY-MM-DD, -to inclusive).`, strings.Join(app.ExportFormats, ", "))
	if len(args) == 0 || isHelp(args[0]) || args[0] == "help" {
		return helpOrUsage(args, out, help)
	}
	format := args[0]
	fs, db := flags("export " + format)
	what := fs.String("what", "reports", "reports (each source record) or incidents (truce's merged events)")
	outPath := fs.String("o", "", "output file (default standard output)")
	evidenceDir := fs.String("evidence", "", "write the reports' evidence files into this folder, by SHA-256 (default FILE.evidence with -o)")
	fromS := fs.String("from", "", "only what overlaps days from this date (YYYY-MM-DD)")
	toS := fs.String("to", "", "only what overlaps days up to this date (YYYY-MM-DD, inclusive)")
	fs.Usage = func() { fmt.Fprintln(fs.Output(), help); fs.PrintDefaults() }
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError(help)
	}
	if !slices.Contains(app.ExportFormats, format) {
		return usageError(fmt.Sprintf("truce export: unknown format %q\n%s", format, help))
	}
	a, err := open(ctx, *db, log)
	if err != nil {
		return err
	}
	defer a.Close()
	from, to, err := period(*fromS, *toS, a.DefaultLocation())
	if err != nil {
		return err
	}
	w := out
	var f *os.File
	if *outPath != "" {
		if f, err = os.Create(*outPath); err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	n, err := a.Export(ctx, app.Operator(), format, *what, from, to, w)
	if err != nil {
		return err
	}
	if f != nil {
		// The export is complete only once it is on disk.
		if err := f.Sync(); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	log.Info("export done", "format", format, "what", *what, "count", n, "file", *outPath)
	if *what != "reports" {
		return nil
	}
	// Reports carry their evidence files, or say which did not travel.
	if *evidenceDir == "" && *outPath != "" {
		*evidenceDir = *outPath + ".evidence"
	}
	if *evidenceDir == "" {
		shas, err := a.EvidenceRefs(ctx)
		if err != nil {
			return err
		}
		if len(shas) > 0 {
			log.Warn("the reports refer to evidence files this export does not carry: give -evidence DIR", "files", len(shas))
		}
		return nil
	}
	written, missing, err := a.ExportEvidence(ctx, *evidenceDir)
	if err != nil {
		return err
	}
	if written > 0 {
		log.Info("evidence exported", "files", written, "folder", *evidenceDir)
	}
	for _, sha := range missing {
		log.Warn("evidence not held here, not exported", "sha256", sha)
	}
	return nil
}

func cmdBackup(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	fs, db := flags("backup")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("usage: truce backup [-db FILE|URL] BACKUP-FILE   (an online, consistent copy; the store stays in use)")
	}
	a, err := open(ctx, *db, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Backup(ctx, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(out, "backup of %s written to %s\n", redact(*db), fs.Arg(0))
	return nil
}

func cmdRestore(ctx context.Context, args []string, out io.Writer) error {
	fs, db := flags("restore")
	force := fs.Bool("force", false, "replace a database that holds records")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("usage: truce restore [-db FILE|URL] [-force] BACKUP-FILE   (stop truce serve first for a SQLite file)")
	}
	if err := app.Restore(ctx, *db, fs.Arg(0), *force); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s restored from %s\n", redact(*db), fs.Arg(0))
	return nil
}

// redact hides the password of a database URL in messages.
func redact(db string) string {
	if u, err := url.Parse(db); err == nil && u.User != nil {
		return u.Redacted()
	}
	return db
}

func cmdLoad(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("truce load", flag.ContinueOnError)
	target := fs.String("url", "http://127.0.0.1:8080", "the truce server")
	clients := fs.Int("clients", 32, "concurrent clients")
	duration := fs.Duration("duration", 10*time.Second, "how long to run")
	var paths []string
	fs.Func("get", "read this path instead of submitting (repeat for several; each client reads them in turn) with TRUCE_TOKEN, a user's API token, or as the public", func(p string) error {
		if !strings.HasPrefix(p, "/") {
			return fmt.Errorf("%q: a path on the server, starting with /", p)
		}
		paths = append(paths, p)
		return nil
	})
	if err := parse(fs, args); err != nil {
		return err
	}
	token := os.Getenv("TRUCE_SUBMIT_TOKEN")
	if len(paths) > 0 {
		token = os.Getenv("TRUCE_TOKEN")
	} else if token == "" {
		return usageError("truce load: set TRUCE_SUBMIT_TOKEN to the server's submit token")
	}
	res, err := loadgen.Run(ctx, loadgen.Config{URL: strings.TrimRight(*target, "/"), Token: token, Clients: *clients, Duration: *duration,
		Run: strconv.FormatInt(time.Now().UnixNano(), 36), Get: paths})
	if err != nil {
		return err
	}
	fmt.Fprintln(out, res)
	if res.OK == 0 {
		// A load test where nothing got through measured nothing: say
		// why, and fail, so that a script does not take it for a result.
		if res.FirstErr != "" {
			return fmt.Errorf("load: no submission succeeded (%d failed); the first failure: %s", res.Failed, res.FirstErr)
		}
		return fmt.Errorf("load: no submission succeeded and none failed: the run ended before any answer (%s)", *duration)
	}
	return nil
}

func cmdKey(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("truce key generate", flag.ContinueOnError)
	name := fs.String("name", "", "the key's name: the log's origin, e.g. truce.example.org/log")
	file := fs.String("o", "truce-log.key", "private key file to write (0600); the public key goes to FILE.pub")
	if len(args) == 0 || args[0] != "generate" {
		return helpOrUsage(args, out, "usage: truce key generate -name NAME [-o FILE]")
	}
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *name == "" {
		return usageError("truce key generate: -name is required (the log's origin, e.g. truce.example.org/log)")
	}
	skey, vkey, err := ledger.GenerateKey(*name)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(*file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("key: %w (a key is never overwritten; rotate by making a new one under a new name)", err)
	}
	if _, err := fmt.Fprintln(f, skey); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(*file+".pub", []byte(vkey+"\n"), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(out, "private key: %s (keep it secret)\npublic key (publish it): %s\n", *file, vkey)
	return nil
}

func cmdCheckpoint(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	fs, db := flags("checkpoint")
	key := fs.String("key", os.Getenv("TRUCE_LOG_KEY"), "the node's private key file (env TRUCE_LOG_KEY)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *key == "" {
		return usageError("truce checkpoint: -key is required (make one with truce key generate)")
	}
	signer, err := app.ReadSigner(*key)
	if err != nil {
		return err
	}
	a, err := open(ctx, *db, log)
	if err != nil {
		return err
	}
	defer a.Close()
	msg, err := a.Checkpoint(ctx, signer)
	if err != nil {
		return err
	}
	fmt.Fprint(out, string(msg))
	return nil
}

func cmdVerify(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	fs, db := flags("verify")
	pub := fs.String("pub", "", "file(s) of public keys whose checkpoints to accept, comma-separated (default: the key's FILE.pub from TRUCE_LOG_KEY)")
	deep := fs.Bool("deep", false, "also replay the log: where each report stands, every incident's facts, state, grade and rulings (slower; docs/ledger.md)")
	cpuProfileFile := fs.String("cpuprofile", "", "write a CPU profile of the command to this file (go tool pprof FILE)")
	if err := parse(fs, args); err != nil {
		return err
	}
	stop, err := cpuProfile(*cpuProfileFile)
	if err != nil {
		return err
	}
	defer stop()
	if *pub == "" && os.Getenv("TRUCE_LOG_KEY") != "" {
		*pub = os.Getenv("TRUCE_LOG_KEY") + ".pub"
	}
	if *pub == "" {
		return usageError("truce verify: -pub is required: the public key(s) checkpoints must be signed with")
	}
	known, err := app.ReadVerifiers(strings.Split(*pub, ",")...)
	if err != nil {
		return err
	}
	a, err := open(ctx, *db, log)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.Verify(ctx, known)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "log: %d entries, root %x\nrecords checked: %d revisions; checkpoints checked: %d\n", res.Size, res.Root[:], res.Records, res.Checkpoints)
	if *deep {
		d, err := a.VerifyDerived(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "derived state checked: %d incidents replayed from the log\n", d.Incidents)
		if d.Legacy > 0 {
			fmt.Fprintf(out, "  note: %d report(s) were logged before placements were (migration 0008): their incident is taken as stored\n", d.Legacy)
		}
		res.Problems = append(res.Problems, d.Problems...)
	}
	if res.OK() {
		fmt.Fprintln(out, "verified: every record matches its log entry, the tree matches its entries, and every checkpoint is signed and consistent")
		if *deep {
			fmt.Fprintln(out, "verified: every incident's reports, facts, state, grade and rulings are what the logged records give")
		}
		return nil
	}
	for _, p := range res.Problems {
		fmt.Fprintln(out, "  problem:", p)
	}
	return fmt.Errorf("verification failed: %d problem(s); first: %s", len(res.Problems), res.First())
}

func cmdWitness(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("truce witness", flag.ContinueOnError)
	follow := fs.String("follow", "", "the base URL of the node to follow")
	pub := fs.String("pub", "", "the followed node's public key file")
	key := fs.String("key", "", "this witness's private key file (truce key generate)")
	statePath := fs.String("state", "witness-state.json", "file keeping the last accepted checkpoint and the roots seen")
	addr := fs.String("addr", "", "serve cosigned checkpoints on this address (GET /witness/checkpoint; POST /witness/checkpoint to submit one seen elsewhere)")
	every := fs.Duration("every", 10*time.Second, "how often to check the node")
	webhook := fs.String("webhook", "", "URL to POST alerts to, as JSON")
	once := fs.Bool("once", false, "check once and exit")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *follow == "" || *pub == "" || *key == "" {
		return usageError("usage: truce witness -follow URL -pub NODE.pub -key WITNESS.key [-state FILE] [-addr ADDR] [-every D] [-webhook URL] [-once]")
	}
	known, err := app.ReadVerifiers(*pub)
	if err != nil {
		return err
	}
	signer, err := app.ReadSigner(*key)
	if err != nil {
		return err
	}
	w := &witness.Witness{Node: *follow, Known: known, Signer: signer, State: *statePath, Client: &http.Client{Timeout: 30 * time.Second}}
	alerts := make(chan error, 1)
	raise := func(err error) {
		var a *witness.Alert
		if !errors.As(err, &a) {
			log.Warn("witness check failed", "node", *follow, "err", err)
			return
		}
		log.Error("witness alert", "node", *follow, "kind", a.Kind, "detail", a.Detail)
		if *webhook != "" {
			if err := witness.Notify(ctx, *webhook, a); err != nil {
				log.Error("webhook", "err", err)
			}
		}
		select {
		case alerts <- a:
		default:
		}
	}
	if *addr != "" {
		// A posted note that the node did not sign is refused there and
		// logged; only an alert from one it signed stops the witness.
		mux := w.Handler(log, func(a *witness.Alert) { raise(a) })
		srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go srv.ListenAndServe()
		defer srv.Close()
	}
	for {
		co, err := w.Check(ctx)
		if err != nil {
			raise(err)
		} else {
			c, _, _ := ledger.Open(co, known)
			log.Info("checkpoint cosigned", "node", *follow, "size", c.Size)
			if *once {
				fmt.Fprint(out, string(co))
			}
		}
		select {
		case a := <-alerts:
			return a
		default:
		}
		if *once {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case a := <-alerts:
			return a
		case <-time.After(*every):
		}
	}
}

func cmdBundle(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	fs, db := flags("bundle")
	id := fs.Int64("incident", 0, "the incident to export")
	outPath := fs.String("o", "", "bundle file (default standard output)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *id <= 0 {
		return usageError("usage: truce bundle [-db ...] -incident ID [-o FILE]")
	}
	a, err := open(ctx, *db, log)
	if err != nil {
		return err
	}
	defer a.Close()
	b, err := a.Bundle(ctx, *id)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return err
	}
	if *outPath == "" {
		_, err = out.Write(append(data, '\n'))
		return err
	}
	return os.WriteFile(*outPath, append(data, '\n'), 0o644)
}

func cmdVerifyBundle(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("truce verify-bundle", flag.ContinueOnError)
	pub := fs.String("pub", "", "the node's public key file(s), comma-separated")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *pub == "" {
		return usageError("usage: truce verify-bundle -pub NODE.pub FILE   (offline: needs nothing but the file and the key)")
	}
	known, err := app.ReadVerifiers(strings.Split(*pub, ",")...)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	var b ledger.Bundle
	if err := json.Unmarshal(data, &b); err != nil {
		return fmt.Errorf("%s: not a truce bundle: %w", fs.Arg(0), err)
	}
	c, err := app.CheckBundle(&b, known)
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	var reports int
	var history []string
	for _, r := range b.Records {
		if r.Kind != ledger.IncidentEvent {
			reports++
			continue
		}
		var raw ledger.RawEvent
		var e workflow.Event
		if json.Unmarshal(r.Content, &raw) == nil && json.Unmarshal([]byte(raw.Doc), &e) == nil {
			line := fmt.Sprintf("  %s  %-10s %s (%s)", e.At.UTC().Format("2006-01-02 15:04Z"), e.Action, e.By, e.Role)
			if e.Stance != "" {
				line += " " + string(e.Stance)
			}
			if e.Finding != nil {
				line += " finding: " + string(e.Finding.Conclusion)
			}
			if e.Position != "" {
				line += fmt.Sprintf(" %s on finding %d", e.Position, e.Of)
			}
			if e.State != "" {
				line += " → " + string(e.State)
			}
			history = append(history, line)
		}
	}
	fmt.Fprintf(out, "%s: %d record(s) verified against the checkpoint of %s at size %d: %d report(s), %d step(s) of the case's history\n",
		fs.Arg(0), len(b.Records), c.Origin, c.Size, reports, len(history))
	for _, h := range history {
		fmt.Fprintln(out, h)
	}
	return nil
}
