package alert

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Config is the detector's thresholds (docs/alerts.md says how each was
// chosen and what changing it trades). Defaults gives the shipped ones; a
// YAML file (LoadConfig) or flags (BindFlags) change some of them.
type Config struct {
	// BaselineDays is how many days before a day its baseline covers.
	BaselineDays int `yaml:"baseline_days" json:"baseline_days"`
	// WindowDays is how many days are counted together: the count of a
	// day is that of the WindowDays ending with it, tested against as
	// many days of the baseline (which ends where the window starts). One
	// tests each day alone; a few days together find an offensive whose
	// every day is only somewhat above the baseline, in a source that
	// records few events a day (UCDP GED: at most 10 in a district).
	WindowDays int `yaml:"window_days" json:"window_days"`
	// PValue is the upper-tail probability under the baseline below
	// which a day's count is an escalation.
	PValue float64 `yaml:"p_value" json:"p_value"`
	// MinCount is the fewest incidents a day must have to be one,
	// however quiet the baseline: three incidents where there were none
	// are improbable, and not an offensive.
	MinCount int `yaml:"min_count" json:"min_count"`
	// CoolDownDays is how many quiet days must precede an alert: a day
	// that crosses the threshold alerts only when no day of the same
	// unit and kind crossed it in the CoolDownDays before, so that one
	// offensive is one alert, not one a day.
	CoolDownDays int `yaml:"cool_down_days" json:"cool_down_days"`
	// MinRate is the least baseline rate (incidents a day) the test
	// assumes: a unit with no incident in its baseline is not taken to
	// have a rate of zero, under which any incident would be impossible.
	MinRate float64 `yaml:"min_rate" json:"min_rate"`
	// Model is "auto" (negative binomial when the baseline's variance
	// exceeds its mean, else Poisson) or "poisson" (always).
	Model string `yaml:"model" json:"model"`
	// Kinds are the series tested (default all).
	Kinds []Kind `yaml:"kinds" json:"kinds"`
	// Levels are the units tested: districts ("admin2") and agreement
	// zones ("zone"); default both.
	Levels []Level `yaml:"levels" json:"levels"`
}

// Models.
const (
	ModelAuto    = "auto"
	ModelPoisson = "poisson"
)

// Defaults are the shipped thresholds (docs/alerts.md).
func Defaults() Config {
	return Config{
		BaselineDays: 28,
		WindowDays:   2,
		PValue:       0.001,
		MinCount:     4,
		CoolDownDays: 14,
		MinRate:      0.05,
		Model:        ModelAuto,
		Kinds:        slices.Clone(AllKinds),
		Levels:       []Level{District, Zone},
	}
}

// History is how many days before the first day tested the detector
// reads: the baseline of the first cool-down day, so that an alert does
// not depend on where the period asked for starts.
func (c Config) History() int { return c.BaselineDays + c.WindowDays - 1 + c.CoolDownDays }

// Validate says what is wrong with the thresholds, all of it.
func (c Config) Validate() error {
	var errs []error
	if c.BaselineDays < 7 || c.BaselineDays > 365 {
		errs = append(errs, fmt.Errorf("baseline_days %d: want 7 to 365 days", c.BaselineDays))
	}
	if c.WindowDays < 1 || c.WindowDays > 14 {
		errs = append(errs, fmt.Errorf("window_days %d: want 1 to 14 days", c.WindowDays))
	}
	if !(c.PValue > 0 && c.PValue < 0.5) {
		errs = append(errs, fmt.Errorf("p_value %g: want a probability above 0 and below 0.5", c.PValue))
	}
	if c.MinCount < 1 {
		errs = append(errs, fmt.Errorf("min_count %d: want 1 or more", c.MinCount))
	}
	if c.CoolDownDays < 0 || c.CoolDownDays > 365 {
		errs = append(errs, fmt.Errorf("cool_down_days %d: want 0 to 365", c.CoolDownDays))
	}
	if !(c.MinRate > 0) {
		errs = append(errs, fmt.Errorf("min_rate %g: want a rate above 0 (incidents a day)", c.MinRate))
	}
	if c.Model != ModelAuto && c.Model != ModelPoisson {
		errs = append(errs, fmt.Errorf("model %q: want %q or %q", c.Model, ModelAuto, ModelPoisson))
	}
	if len(c.Kinds) == 0 {
		errs = append(errs, fmt.Errorf("kinds: none; want some of %s", kindList()))
	}
	for _, k := range c.Kinds {
		if !slices.Contains(AllKinds, k) {
			errs = append(errs, fmt.Errorf("kinds: %q is not one of %s", k, kindList()))
		}
	}
	if len(c.Levels) == 0 {
		errs = append(errs, fmt.Errorf("levels: none; want %q, %q or both", District, Zone))
	}
	for _, l := range c.Levels {
		if l != District && l != Zone {
			errs = append(errs, fmt.Errorf("levels: %q is not %q or %q", l, District, Zone))
		}
	}
	return errors.Join(errs...)
}

func kindList() string {
	s := make([]string, len(AllKinds))
	for i, k := range AllKinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// LoadConfig reads thresholds from YAML: the fields it names replace the
// defaults, the others keep them; an unknown field is an error (a typo
// would otherwise leave a default silently in force).
func LoadConfig(data []byte, file string) (Config, error) {
	c := Defaults()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	// An empty file (io.EOF) keeps every default.
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return c, fmt.Errorf("alert thresholds %s: %w", file, err)
	}
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("alert thresholds %s: %w", file, err)
	}
	return c, nil
}

// BindFlags defines a flag on fs for each threshold. The returned apply
// copies onto a Config the flags set on the command line, and only those,
// so that flags override a file loaded after parsing (defaults < file <
// flags).
func BindFlags(fs *flag.FlagSet) (apply func(*Config) error) {
	d := Defaults()
	baseline := fs.Int("baseline-days", d.BaselineDays, "days of baseline before each day tested")
	window := fs.Int("window", d.WindowDays, "days counted together, ending with the day tested")
	p := fs.Float64("p", d.PValue, "upper-tail probability under the baseline below which a count is an escalation")
	minCount := fs.Int("min-count", d.MinCount, "fewest incidents in a day for an alert")
	cool := fs.Int("cool-down", d.CoolDownDays, "days without a crossing the threshold before an alert (one offensive, one alert)")
	minRate := fs.Float64("min-rate", d.MinRate, "least baseline rate assumed (incidents a day)")
	model := fs.String("model", d.Model, "auto (negative binomial for overdispersed baselines) or poisson")
	kinds := fs.String("kinds", "", "kinds tested, comma-separated: "+kindList()+" (default all)")
	levels := fs.String("levels", "", "units tested, comma-separated: admin2, zone (default both)")
	return func(c *Config) error {
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "baseline-days":
				c.BaselineDays = *baseline
			case "window":
				c.WindowDays = *window
			case "p":
				c.PValue = *p
			case "min-count":
				c.MinCount = *minCount
			case "cool-down":
				c.CoolDownDays = *cool
			case "min-rate":
				c.MinRate = *minRate
			case "model":
				c.Model = *model
			case "kinds":
				c.Kinds = nil
				for _, k := range strings.Split(*kinds, ",") {
					if k = strings.TrimSpace(k); k != "" {
						c.Kinds = append(c.Kinds, Kind(k))
					}
				}
			case "levels":
				c.Levels = nil
				for _, l := range strings.Split(*levels, ",") {
					if l = strings.TrimSpace(l); l != "" {
						c.Levels = append(c.Levels, Level(l))
					}
				}
			}
		})
		return c.Validate()
	}
}
