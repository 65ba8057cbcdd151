package main

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/alert"
	"github.com/truce-monitor/truce/internal/alert/ged"
	"github.com/truce-monitor/truce/internal/app"
)

// The backtest's default period: the cessation of hostilities of 30
// December 2016 to the end of 2019.
const (
	backtestFrom = "2016-12-30"
	backtestTo   = "2019-12-31"
)

const alertsUsage = `usage: truce alerts [-db F] -from D -to D [-config FILE] [-json] [thresholds]
       truce alerts -backtest -ucdp FILE [-offensives FILE] [-from D] [-to D] [-config FILE] [-json] [-list] [thresholds]

Escalation alerts (docs/alerts.md): days on which a district or an agreement zone counts
far more incidents of a kind (violent, clashes, air_shelling) than its previous days make
probable. The first form lists the alerts of the stored incidents; -backtest reads a UCDP
GED CSV file directly (importing nothing, opening no database), runs the detector over
2016-12-30 to 2019-12-31 (or -from/-to) and scores it against the named offensives of
-offensives (default: the list shipped with truce).

Thresholds: defaults, then -config FILE (YAML: baseline_days, window_days, p_value,
min_count, cool_down_days, min_rate, model, kinds, levels), then the flags given
(-baseline-days, -window, -p, -min-count, -cool-down, -min-rate, -model, -kinds, -levels).
Run "truce alerts -from D -to D -h" for every flag.`

func cmdAlerts(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	if len(args) > 0 && (isHelp(args[0]) || args[0] == "help") {
		fmt.Fprintln(out, alertsUsage)
		return nil
	}
	fs, db := flags("alerts")
	fromS := fs.String("from", "", "first date (YYYY-MM-DD)")
	toS := fs.String("to", "", "last date, inclusive (YYYY-MM-DD)")
	configFile := fs.String("config", "", "thresholds file (YAML, docs/alerts.md)")
	asJSON := fs.Bool("json", false, "print JSON")
	backtest := fs.Bool("backtest", false, "run the detector over a UCDP GED file and score it against named offensives")
	ucdpFile := fs.String("ucdp", "", "UCDP GED CSV file (.csv or .csv.gz) for -backtest")
	offFile := fs.String("offensives", "", "offensives file for -backtest (default: the shipped list, internal/alert/testdata/offensives.yaml)")
	list := fs.Bool("list", false, "with -backtest: also list every alert")
	apply := alert.BindFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError(fmt.Sprintf("truce alerts: unexpected argument %q\n\n%s", fs.Arg(0), alertsUsage))
	}
	cfg := alert.Defaults()
	if *configFile != "" {
		data, err := os.ReadFile(*configFile)
		if err != nil {
			return err
		}
		if cfg, err = alert.LoadConfig(data, *configFile); err != nil {
			return err
		}
	}
	if err := apply(&cfg); err != nil {
		return usageError("truce alerts: " + strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	if *backtest {
		if *ucdpFile == "" {
			return usageError("truce alerts -backtest: -ucdp FILE is needed\n\n" + alertsUsage)
		}
		return alertBacktest(*ucdpFile, *offFile, *fromS, *toS, cfg, *asJSON, *list, out, log)
	}
	if *ucdpFile != "" || *offFile != "" {
		return usageError("truce alerts: -ucdp and -offensives go with -backtest\n\n" + alertsUsage)
	}
	if *fromS == "" || *toS == "" {
		return usageError("truce alerts: -from and -to are needed\n\n" + alertsUsage)
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
	alerts, err := a.Alerts(ctx, app.Operator(), from, to, cfg)
	if err != nil {
		return err
	}
	if *asJSON {
		if alerts == nil {
			alerts = []alert.Alert{}
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(alerts)
	}
	printAlerts(out, alerts)
	if len(alerts) == 0 {
		fmt.Fprintf(out, "No alert from %s to %s.\n", *fromS, *toS)
	}
	return nil
}

// printAlerts writes one alert a paragraph: its day, kind, unit and id,
// then its sentence.
func printAlerts(out io.Writer, alerts []alert.Alert) {
	for _, al := range alerts {
		fmt.Fprintf(out, "%s  %-12s %-22s %s\n  %s\n", al.Day, al.Kind, al.Unit, al.ID, al.Text)
	}
}

// alertBacktest is truce alerts -backtest.
func alertBacktest(file, offFile, fromS, toS string, cfg alert.Config, asJSON, list bool, out io.Writer, log *slog.Logger) error {
	if fromS == "" {
		fromS = backtestFrom
	}
	if toS == "" {
		toS = backtestTo
	}
	first, err := alert.ParseDay(fromS)
	if err != nil {
		return usageError(fmt.Sprintf("truce alerts: -from %q: want YYYY-MM-DD", fromS))
	}
	last, err := alert.ParseDay(toS)
	if err != nil || last < first {
		return usageError(fmt.Sprintf("truce alerts: -to %q: want YYYY-MM-DD, not before -from", toS))
	}
	bounds, places, err := app.LoadGeography()
	if err != nil {
		return err
	}
	reg, err := app.LoadActors()
	if err != nil {
		return err
	}
	offData := alert.ShippedOffensives
	offName := "internal/alert/testdata/offensives.yaml (shipped)"
	if offFile != "" {
		if offData, err = os.ReadFile(offFile); err != nil {
			return err
		}
		offName = offFile
	}
	offs, err := alert.LoadOffensives(offData, offName)
	if err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(file, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		r = gz
	}
	res, err := ged.Backtest(r, file, ged.Reference{Actors: reg, Boundaries: bounds, Places: places}, first, last, cfg, offs)
	if err != nil {
		return err
	}
	log.Info("backtest", "file", file, "counted", res.Stats.Counted, "read", res.Read.Round(time.Millisecond), "detect", res.Detect.Round(time.Millisecond))
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	fmt.Fprintf(out, "%s: %s\n\n", file, res.Stats)
	if err := res.Report.Markdown(out); err != nil {
		return err
	}
	if list {
		fmt.Fprintln(out)
		printAlerts(out, res.Alerts)
	}
	return nil
}
