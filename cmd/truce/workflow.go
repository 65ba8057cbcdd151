package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/cluster"
	"github.com/truce-monitor/truce/internal/evidence"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/workflow"
)

const userUsage = `usage: truce user add NAME -role ROLE [-party P] [-guarantor G] [-password-stdin] [-replace] [-db FILE]
           (prints the user's API token, once; -party and -guarantor must be codes a stored agreement defines)
       truce user disable NAME [-db FILE]
       truce user list [-db FILE]     name, role, party, guarantor of every user (never tokens)`

// cmdUser: truce user add NAME -role ROLE [-party P] [-guarantor G] | disable NAME | list
func cmdUser(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	if len(args) == 0 || isHelp(args[0]) {
		return helpOrUsage(args, out, userUsage)
	}
	sub := args[0]
	fs, db := flags("user " + sub)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), userUsage); fs.PrintDefaults() }
	role := fs.String("role", "", fmt.Sprintf("the user's role: %v", workflow.Roles))
	party := fs.String("party", "", "the party a liaison speaks for")
	guarantor := fs.String("guarantor", "", "the guarantor a member or reviewer serves")
	pwStdin := fs.Bool("password-stdin", false, "read a password for browser login from standard input (first line)")
	replace := fs.Bool("replace", false, "replace an existing user of that name (new token, role, password; sessions ended)")
	switch sub {
	case "list":
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 0 {
			return usageError(userUsage)
		}
		a, err := open(ctx, *db, log)
		if err != nil {
			return err
		}
		defer a.Close()
		users, err := a.Users(ctx)
		if err != nil {
			return err
		}
		if len(users) == 0 {
			fmt.Fprintf(out, "no users in %s\n", redact(*db))
			return nil
		}
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tPARTY\tGUARANTOR")
		for _, u := range users {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Name, u.Role, dash(u.Party), dash(u.Guarantor))
		}
		return tw.Flush()
	case "disable":
		if len(args) < 2 || isHelp(args[1]) {
			return helpOrUsage(args[1:], out, userUsage)
		}
		if err := parse(fs, args[2:]); err != nil {
			return err
		}
		a, err := open(ctx, *db, log)
		if err != nil {
			return err
		}
		defer a.Close()
		if err := a.DisableUser(ctx, args[1]); err != nil {
			return err
		}
		fmt.Fprintf(out, "user %s disabled in %s: token and password no longer valid, sessions ended\n", args[1], redact(*db))
		return nil
	case "add":
	default:
		return usageError(fmt.Sprintf("truce user: unknown subcommand %q\n%s", sub, userUsage))
	}
	if len(args) < 2 || isHelp(args[1]) {
		return helpOrUsage(args[1:], out, userUsage)
	}
	name := args[1]
	if err := parse(fs, args[2:]); err != nil {
		return err
	}
	a, err := open(ctx, *db, log)
	if err != nil {
		return err
	}
	defer a.Close()
	u := workflow.User{Name: name, Role: workflow.Role(*role), Party: *party, Guarantor: *guarantor}
	if err := u.Validate(); err != nil {
		return err
	}
	if err := a.CheckAffiliation(u); err != nil {
		return err
	}
	password := ""
	if *pwStdin {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("user add: reading the password from standard input: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	add := a.AddUser
	if *replace {
		add = a.ReplaceUser
	}
	token, err := add(ctx, u, password)
	if errors.Is(err, app.ErrUserExists) {
		return fmt.Errorf("%w: give -replace to replace user %s", err, name)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "user %s (%s) added to %s; API token (shown once, keep it secret):\n%s\n", name, *role, redact(*db), token)
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// cmdIncident: truce incident show ID | truce incident act ID -as USER -action A ...
func cmdIncident(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	usage := "usage: truce incident show ID [-json]   (a readable summary; -json for everything)\n       truce incident act ID -as USER -action ACTION [-reason TEXT] [-assignee U] [-grade G] [-stance S] [-evidence SHA,...] [-other ID] [-reports ID,...] [-finding FILE.json] [-of SEQ] [-position P]"
	if len(args) < 2 || (args[0] != "show" && args[0] != "act") || isHelp(args[1]) {
		return helpOrUsage(args[min(len(args)-1, 1):], out, usage)
	}
	id, err := strconv.ParseInt(args[1], 10, 64)
	if err != nil {
		return usageError(fmt.Sprintf("truce incident: %q is not an incident id\n%s", args[1], usage))
	}
	fs, db := flags("incident " + args[0])
	as := fs.String("as", "", "the user acting (truce user add)")
	action := fs.String("action", "", "review, verify, dispute, dismiss, reopen, assign, comment, grade, merge, split, reply, finding, position")
	reason := fs.String("reason", "", "why: the reason, comment, reply or dissent")
	assignee := fs.String("assignee", "", "the user to assign (assign)")
	grade := fs.String("grade", "", fmt.Sprintf("the grade (grade): %v", workflow.Grades))
	stance := fs.String("stance", "", "deny, accept or explain (reply)")
	evidence := fs.String("evidence", "", "SHA-256s of stored evidence, comma-separated (reply; truce evidence add)")
	other := fs.Int64("other", 0, "the incident whose reports join this one (merge)")
	reports := fs.String("reports", "", "report ids to split out, comma-separated (split)")
	findingFile := fs.String("finding", "", "a JSON file with the finding: agreement, conclusion, clauses, parties, text (finding)")
	of := fs.Int("of", 0, "the finding's event number (position)")
	position := fs.String("position", "", "agree, dissent or object (position)")
	asJSON := fs.Bool("json", false, "show: the whole case as JSON (as the API gives it)")
	if err := parse(fs, args[2:]); err != nil {
		return err
	}
	a, err := open(ctx, *db, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if args[0] == "show" {
		c, err := a.CaseFor(ctx, app.Operator(), id)
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(out)
			enc.SetIndent("", "  ")
			return enc.Encode(c)
		}
		printCase(out, c, a.DefaultLocation())
		return nil
	}
	if *as == "" || *action == "" {
		return usageError("truce incident act: -as and -action are required\n" + usage)
	}
	u, err := a.User(ctx, *as)
	if err != nil {
		return err
	}
	e := workflow.Event{Action: workflow.Action(*action), Reason: *reason, Assignee: *assignee, Grade: workflow.Grade(*grade),
		Stance: workflow.Stance(*stance), Other: *other, Of: *of, Position: *position}
	if *evidence != "" {
		e.Evidence = strings.Split(*evidence, ",")
	}
	for _, s := range strings.FieldsFunc(*reports, func(r rune) bool { return r == ',' }) {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return usageError(fmt.Sprintf("truce incident act: -reports: %q is not a report id", s))
		}
		e.Reports = append(e.Reports, n)
	}
	if *findingFile != "" {
		b, err := os.ReadFile(*findingFile)
		if err != nil {
			return err
		}
		var f workflow.Finding
		if err := json.Unmarshal(b, &f); err != nil {
			return fmt.Errorf("finding %s: %w", *findingFile, err)
		}
		e.Finding = &f
	}
	ev, err := a.Act(ctx, u, id, e)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "incident %d: event %d: %s by %s; state %s\n", id, ev.Seq, ev.Action, ev.By, ev.State)
	if ev.Action == workflow.Split {
		fmt.Fprintf(out, "reports %v now form incident %d\n", ev.Reports, ev.Other)
	}
	return nil
}

// cmdEvidence: truce evidence add -as USER FILE
func cmdEvidence(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	fs, db := flags("evidence add")
	as := fs.String("as", "", "the user adding it")
	if len(args) < 1 || args[0] != "add" {
		return helpOrUsage(args, out, "usage: truce evidence add -as USER FILE   (prints its SHA-256)")
	}
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 || *as == "" {
		return usageError("usage: truce evidence add -as USER FILE")
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, evidence.MaxSize+1))
	if err != nil {
		return err
	}
	a, err := open(ctx, *db, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.User(ctx, *as); err != nil {
		return err
	}
	sha, _, err := a.AddEvidence(ctx, data, *as, "cli", filepath.Base(fs.Arg(0)))
	if err != nil {
		return err
	}
	fmt.Fprintln(out, sha)
	return nil
}

// cmdNotifications: truce notifications -party P
func cmdNotifications(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	fs, db := flags("notifications")
	party := fs.String("party", "", "the party whose notifications to list")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *party == "" {
		return usageError("usage: truce notifications -party P")
	}
	a, err := open(ctx, *db, log)
	if err != nil {
		return err
	}
	defer a.Close()
	ns, err := a.Notifications(ctx, app.Operator(), *party)
	if err != nil {
		return err
	}
	for _, n := range ns {
		fmt.Fprintf(out, "%s  incident %d  %s\n", n.At.Format("2006-01-02 15:04"), n.IncidentID, n.Message)
	}
	return nil
}

// cmdCluster: truce cluster [-evaluate] [thresholds]: runs batch
// clustering over every stored report and compares it with the stored
// incidents, or, with -evaluate, with the grouping the reports' ids carry
// (the part before "#", as "truce import ucdp -per-source" writes them).
func cmdCluster(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	fs, db := flags("cluster")
	evaluate := fs.Bool("evaluate", false, "score against the grouping in the reports' ids (EVENT#N) rather than the stored incidents")
	p := cluster.Defaults()
	fs.DurationVar(&p.Slack, "slack", p.Slack, "time slack on each side of a span")
	fs.DurationVar(&p.MaxSpan, "max-span", p.MaxSpan, "longest span merged automatically")
	fs.Float64Var(&p.MaxKm, "max-km", p.MaxKm, "greatest distance between exact points")
	fs.Float64Var(&p.NearKm, "near-km", p.NearKm, "added for each point known only near a place")
	fs.Float64Var(&p.MinScore, "min-score", p.MinScore, "score needed to merge")
	fs.Float64Var(&p.TextBoost, "text-boost", p.TextBoost, "the most text similarity adds")
	fs.Float64Var(&p.MinText, "min-text", p.MinText, "text similarity needed to merge when both texts can be judged (0: none)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return usageError(err.Error())
	}
	a, err := open(ctx, *db, log)
	if err != nil {
		return err
	}
	defer a.Close()
	var facts []cluster.Facts
	var truth, texts []string
	var stored []int64
	err = a.EachReport(ctx, app.Operator(), func(r incident.Report) error {
		facts = append(facts, cluster.ReportFacts(r))
		texts = append(texts, r.Description)
		stored = append(stored, r.IncidentID)
		t := strconv.FormatInt(r.IncidentID, 10)
		if *evaluate {
			ev, _, _ := strings.Cut(r.SourceID, "#")
			t = r.Source + "/" + ev
		}
		truth = append(truth, t)
		return nil
	})
	if err != nil {
		return err
	}
	links := p.Run(facts, nil)
	groups := make([]int32, len(links))
	n := 0
	for i, l := range links {
		groups[i] = l.Group
		if l.Group == int32(i) {
			n++
		}
	}
	pr := cluster.Evaluate(groups, truth)
	against := "the stored incidents"
	if *evaluate {
		against = "the events named in the reports' ids"
	}
	fmt.Fprintf(out, "%d reports in %d incidents; against %s: pairs predicted %d, true %d, correct %d: precision %.3f, recall %.3f\n",
		len(facts), n, against, pr.Predicted, pr.True, pr.Correct, pr.Precision(), pr.Recall())
	if *evaluate {
		// How intake itself did: the incidents as stored.
		st := cluster.Evaluate(stored, truth)
		fmt.Fprintf(out, "as stored (joined at intake), against %s: pairs predicted %d, true %d, correct %d: precision %.3f, recall %.3f\n",
			against, st.Predicted, st.True, st.Correct, st.Precision(), st.Recall())
		// What is reachable: the oracle merges exactly the reports with
		// identical date, point and sides; no text method can part
		// reports of one article cited by several events.
		or := cluster.Evaluate(cluster.Oracle(facts), truth)
		fmt.Fprintf(out, "oracle (identical date, point and sides): pairs predicted %d, correct %d: precision %.3f, recall %.3f\n",
			or.Predicted, or.Correct, or.Precision(), or.Recall())
		bd := cluster.Evaluate(cluster.SharedText(facts, texts, truth), truth)
		fmt.Fprintf(out, "bound (the events, and the oracle's reports with one text together): pairs predicted %d, correct %d: precision %.3f, recall %.3f\n",
			bd.Predicted, bd.Correct, bd.Precision(), bd.Recall())
		fmt.Fprint(out, "text similarity among the oracle's pairs with different texts, share kept at each threshold (of one event / not):")
		for _, s := range cluster.Separate(facts, texts, truth, []float64{0.05, 0.1, 0.2, 0.3, 0.5}) {
			fmt.Fprintf(out, " ≥%.2f %.2f/%.2f;", s.Threshold, float64(s.TrueKept)/float64(max(s.True, 1)), float64(s.FalseKept)/float64(max(s.False, 1)))
		}
		fmt.Fprintln(out)
	}
	return nil
}

// printCase prints an incident's case for a reader: what, where and when,
// its reports with their sources, its rulings with outcome and
// explanation, its history and its grade. -json gives everything.
func printCase(out io.Writer, c *app.Case, loc *time.Location) {
	day := func(t time.Time) string {
		if t.IsZero() {
			return "?"
		}
		return t.In(loc).Format("2006-01-02")
	}
	span := func(s incident.TimeSpan) string {
		from, to := day(s.Start), day(s.End.Add(-time.Nanosecond))
		if s.End.IsZero() || to <= from {
			to = ""
		}
		out := from
		if to != "" {
			out += " – " + to
		}
		if s.Precision != "" {
			out += " (" + s.Precision + ")"
		}
		return out
	}
	fmt.Fprintf(out, "Incident %d: %s\n", c.ID, c.Title)
	if c.MergedInto != 0 {
		fmt.Fprintf(out, "  merged into incident %d\n", c.MergedInto)
	}
	fmt.Fprintf(out, "  when:   %s\n", span(c.Occurred))
	fmt.Fprintf(out, "  where:  %s\n", c.Place.Label())
	fmt.Fprintf(out, "  act:    %s", c.Act)
	if cs := c.Casualties; cs.Best > 0 || cs.High > 0 {
		fmt.Fprintf(out, "; killed %d (%d–%d), civilians %d", cs.Best, cs.Low, cs.High, cs.Civilians)
	}
	fmt.Fprintln(out)
	var actors []string
	for _, ar := range c.Actors {
		n := ar.Name
		if ar.ID != "" && ar.ID != ar.Name {
			n += " [" + ar.ID + "]"
		}
		actors = append(actors, fmt.Sprintf("%s (%s)", n, ar.Role))
	}
	if len(actors) > 0 {
		fmt.Fprintf(out, "  actors: %s\n", strings.Join(actors, "; "))
	}
	fmt.Fprintf(out, "  state:  %s", c.State)
	if c.Assignee != "" {
		fmt.Fprintf(out, ", assigned to %s", c.Assignee)
	}
	fmt.Fprintln(out)
	fmt.Fprintf(out, "  grade:  %s\n", c.Grade)
	for _, r := range c.Why {
		fmt.Fprintf(out, "          %s\n", r.Text)
	}

	fmt.Fprintf(out, "\nReports (%d)\n", len(c.Reports))
	for _, r := range c.Reports {
		src := r.Source + " " + r.SourceID
		if r.Outlet != "" {
			src += ", " + r.Outlet
		}
		if r.Party != "" {
			src += ", party " + r.Party
		}
		fmt.Fprintf(out, "  #%d  %s  %s  %s  [%s]\n", r.ID, day(r.Occurred.Start), r.Place.Label(), r.Act, src)
		if why := c.Joined[r.ID]; why != "" {
			fmt.Fprintf(out, "      joined: %s\n", why)
		}
		for _, cit := range r.Citations {
			fmt.Fprintf(out, "      source: %s\n", cit)
		}
	}

	fmt.Fprintf(out, "\nRulings (%d)\n", len(c.Rulings))
	for _, r := range c.Rulings {
		fmt.Fprintf(out, "  %s v%d: %s", r.Agreement, r.Version, r.Outcome())
		if len(r.Parties) > 0 {
			fmt.Fprintf(out, "  parties %s", strings.Join(r.Parties, ","))
		}
		if len(r.Clauses) > 0 {
			fmt.Fprintf(out, "  clauses %s", strings.Join(r.Clauses, ","))
		}
		if r.Confidence != "" {
			fmt.Fprintf(out, "  confidence %s", r.Confidence)
		}
		fmt.Fprintf(out, "\n    %s\n", r.Explanation)
	}

	fmt.Fprintf(out, "\nHistory (%d)\n", len(c.History))
	for _, e := range c.History {
		fmt.Fprintf(out, "  %d  %s  %s by %s (%s) → %s", e.Seq, e.At.In(loc).Format("2006-01-02 15:04"), e.Action, e.By, e.Role, e.State)
		if e.Grade != "" {
			fmt.Fprintf(out, "  grade %s", e.Grade)
		}
		if e.Stance != "" {
			fmt.Fprintf(out, "  %s", e.Stance)
		}
		if e.Reason != "" {
			fmt.Fprintf(out, ": %s", e.Reason)
		}
		fmt.Fprintln(out)
	}
	fmt.Fprintln(out, "\n(truce incident show -json gives the whole case: facts, findings, evidence files)")
}
