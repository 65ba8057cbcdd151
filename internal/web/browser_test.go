package web_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium finds the browser: $TRUCE_CHROMIUM, else Debian's.
func chromium(t *testing.T) string {
	// A browser run takes seconds of both cores: the quick loop (-short)
	// leaves it to CI, which runs without -short.
	if testing.Short() {
		t.Skip("browser test: runs without -short")
	}
	for _, p := range []string{os.Getenv("TRUCE_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv("TRUCE_BROWSER_REQUIRED") != "" {
		t.Fatal("no Chromium found, and TRUCE_BROWSER_REQUIRED is set (CI installs Debian's chromium)")
	}
	t.Skip("no Chromium (install Debian's chromium, or set TRUCE_CHROMIUM)")
	return ""
}

// artifacts is where screenshots go: $TRUCE_ARTIFACTS, else artifacts/
// at the top of the checkout.
func artifacts(t *testing.T) string {
	dir := os.Getenv("TRUCE_ARTIFACTS")
	if dir == "" {
		dir = "../../artifacts"
	}
	dir = filepath.Join(dir, "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBrowser goes through the mechanism's work in a real headless
// Chromium, as each role: a monitor reports a shelling with a photo and
// sees it on the map; a reviewer verifies it; the accused party replies;
// the guarantors adopt a finding; the public sees it without protected
// fields, in English and in Arabic. Screenshots are kept.
func TestBrowser(t *testing.T) {
	exe := chromium(t)
	s := newSiteSecure(t)
	shots := artifacts(t)
	photo := filepath.Join(t.TempDir(), "market.png")
	os.WriteFile(photo, png, 0o644)

	// No sandbox: CI runs as root in a container, where Chromium's
	// sandbox cannot start.
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.Flag("window-size", "1280,900"),
		chromedp.NoSandbox, chromedp.Flag("disable-dev-shm-usage", true),
		// A name other than localhost for this server, as a user on a
		// private network reaches it: not a secure context over HTTP.
		chromedp.Flag("host-resolver-rules", "MAP truce.test 127.0.0.1"))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()

	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
			t.Fatalf("%s: %v\npage: %.800s", step, err, body)
		}
	}
	// into keeps the value of an action that returns one.
	into := func(dst *string, a chromedp.Action[string]) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
			v, err := a(ctx, t)
			*dst = v
			return chromedp.Void{}, err
		}
	}
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			buf, err := chromedp.FullScreenshot(100)(ctx, t)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name+".png"), buf, 0o644)
		})
	}
	// labelled checks that every control of the page has a label (for
	// screen readers) and can be reached by keyboard.
	labelled := func(page string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			bad, err := chromedp.Evaluate[[]string](`[...document.querySelectorAll("input:not([type=hidden]),select,textarea,button")]
				.filter(e => !(e.labels && e.labels.length) && !e.getAttribute("aria-label") && !(e.tagName == "BUTTON" && e.textContent.trim()) || e.tabIndex < 0)
				.map(e => e.outerHTML.slice(0, 80))`)(ctx, tg)
			if err != nil {
				return err
			}
			if len(bad) > 0 {
				t.Errorf("%s: controls without a label, or out of keyboard reach: %v", page, bad)
			}
			return nil
		})
	}
	login := func(name string) {
		t.Helper()
		run("log in as "+name,
			chromedp.Navigate(s.URL+"/login"),
			chromedp.SendKeys(chromedp.CSS("#name"), name),
			chromedp.SendKeys(chromedp.CSS("#password"), password),
			chromedp.Submit(chromedp.CSS("#password")),
			chromedp.WaitVisible(chromedp.CSS("form[action='/logout']")))
	}
	logout := func() {
		run("log out", chromedp.Click(chromedp.CSS("form[action='/logout'] button")), chromedp.WaitVisible(chromedp.CSS("a[href='/login']")))
	}

	// A monitor reports, with a photo.
	login("mon")
	var where string
	run("submit a report",
		chromedp.Navigate(s.URL+"/submit"),
		chromedp.SetValue(chromedp.CSS("#date"), "2017-01-10"),
		chromedp.SendKeys(chromedp.CSS("#place"), "Douma"),
		chromedp.SendKeys(chromedp.CSS("#lat"), "33.5717"),
		chromedp.SendKeys(chromedp.CSS("#lon"), "36.4027"),
		chromedp.SetValue(chromedp.CSS("#act"), "shelling"),
		chromedp.SendKeys(chromedp.CSS("#perpetrator"), "Syrian Arab Army"),
		chromedp.SendKeys(chromedp.CSS("#target"), "civilians"),
		chromedp.SendKeys(chromedp.CSS("#killed"), "3"),
		chromedp.SendKeys(chromedp.CSS("#description"), "Shells hit the market at noon; team 4 saw the impact."),
		chromedp.SetUploadFiles(chromedp.CSS("#evidence"), []string{photo}),
		labelled("submit"),
		shot("1-submit-en"),
		chromedp.Submit(chromedp.CSS("#description")),
		chromedp.WaitVisible(chromedp.CSS("#state")),
		into(&where, chromedp.Location()))
	m := regexp.MustCompile(`/incidents/(\d+)`).FindStringSubmatch(where)
	if m == nil {
		t.Fatalf("after submitting, at %s", where)
	}
	incident := s.URL + "/incidents/" + m[1]
	var text string
	run("the incident", into(&text, chromedp.Text(chromedp.CSS("main"))), labelled("incident (monitor)"), shot("2-incident-monitor-en"))
	// Log keys are opaque: they name the entry, never the source or id.
	if !regexp.MustCompile(`report r[0-9a-f]{24}`).MatchString(text) || !strings.Contains(text, "Tamper-evident log") {
		t.Errorf("the incident page lists no log entry: %.300s", text)
	}
	if !strings.Contains(text, "Shells hit the market") || !strings.Contains(text, "violation") {
		t.Errorf("incident page after submission: %.600s", text)
	}
	run("see it on the map",
		chromedp.Navigate(s.URL+"/map"),
		chromedp.WaitVisible(chromedp.CSS("#map[data-count] path.leaflet-interactive")),
		chromedp.Sleep(300*time.Millisecond),
		shot("3-map-en"))
	// The humanitarian layers: the besieged areas drawn, and a control
	// to switch them and the aid events on and off.
	var sieges string
	run("humanitarian layers",
		chromedp.WaitVisible(chromedp.CSS("#map[data-siege-count] .leaflet-control-layers")),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			a, err := chromedp.AttributeValue(chromedp.CSS("#map"), "data-siege-count")(ctx, tg)
			sieges = a.Value
			return err
		}))
	if n, _ := strconv.Atoi(sieges); n < 6 {
		t.Errorf("the map draws %q besieged areas, want the 6 shipped", sieges)
	}
	// A filter shows fewer points (the filters used to be lost on the
	// way to the map's data).
	count := func(path string) int {
		t.Helper()
		var n string
		run("map "+path,
			chromedp.Navigate(s.URL+path),
			chromedp.WaitVisible(chromedp.CSS("#map[data-count]")),
			chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				a, err := chromedp.AttributeValue(chromedp.CSS("#map"), "data-count")(ctx, tg)
				n = a.Value
				return err
			}))
		var i int
		fmt.Sscan(n, &i)
		return i
	}
	if all, some := count("/map"), count("/map?verdict=not_violation&lang=en"); some == 0 || some >= all {
		t.Errorf("map points: %d without a filter, %d with verdict=not_violation", all, some)
	}
	run("filtered map", chromedp.Sleep(300*time.Millisecond), shot("3-map-filtered-en"))
	logout()

	// A reviewer takes it up and verifies it.
	login("rev")
	for _, a := range []struct{ action, reason string }{{"review", ""}, {"verify", "Team 4's report and photo of the impact."}} {
		run(a.action,
			chromedp.Navigate(incident),
			chromedp.SetValue(chromedp.CSS("#action"), a.action),
			chromedp.SendKeys(chromedp.CSS("#reason"), a.reason+" "),
			chromedp.Submit(chromedp.CSS("#reason")),
			chromedp.WaitVisible(chromedp.CSS(".flash")))
	}
	run("verified", into(&text, chromedp.Text(chromedp.CSS("#state"))), labelled("incident (reviewer)"),
		chromedp.Navigate(s.URL+"/incidents?q=market"), labelled("incidents"))
	if text != "verified" {
		t.Errorf("state after verify: %q", text)
	}
	// The English title inside the Arabic page, isolated (<bdi>).
	var title string
	run("Arabic page, English title",
		chromedp.Navigate(incident+"?lang=ar"),
		chromedp.WaitVisible(chromedp.CSS("#state")),
		into(&title, chromedp.Text(chromedp.CSS("h1 bdi:last-of-type"))), // the first holds the number
		shot("5-incident-ar-english-title"),
		chromedp.Navigate(incident+"?lang=en"))
	if !strings.Contains(title, "market") {
		t.Errorf("Arabic page: the English title is not isolated: %q", title)
	}
	logout()

	// The accused party replies.
	login("gov")
	run("reply",
		chromedp.Navigate(incident),
		chromedp.SetValue(chromedp.CSS("#stance"), "deny"),
		chromedp.SendKeys(chromedp.CSS("#reply-text"), "No unit of ours fired on Douma that day."),
		chromedp.Submit(chromedp.CSS("#reply-text")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
		into(&text, chromedp.Text(chromedp.CSS("#replies + article, section[aria-labelledby=replies]"))))
	if !strings.Contains(text, "denies") {
		t.Errorf("reply: %q", text)
	}
	logout()

	// The guarantors of the version in force (Russia, Turkey) adopt a
	// finding; Turkey records a dissent.
	login("ru")
	run("propose a finding",
		chromedp.Navigate(incident),
		chromedp.SetValue(chromedp.CSS("#f-conclusion"), "violation"),
		chromedp.SendKeys(chromedp.CSS("#f-text"), "Shelling of Douma market by government forces, in breach of the cessation."),
		chromedp.Submit(chromedp.CSS("#f-text")),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	logout()
	login("tr")
	run("dissent",
		chromedp.Navigate(incident),
		chromedp.SetValue(chromedp.CSS("section[aria-labelledby=findings] select[name=position]"), "dissent"),
		chromedp.SendKeys(chromedp.CSS("section[aria-labelledby=findings] textarea"), "The number of dead is not established."),
		chromedp.Submit(chromedp.CSS("section[aria-labelledby=findings] textarea")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
		into(&text, chromedp.Text(chromedp.CSS("section[aria-labelledby=findings]"))))
	if !strings.Contains(text, "adopted") || !strings.Contains(text, "dissents — The number of dead is not established.") {
		t.Errorf("finding: %q", text)
	}
	logout()

	// Every other role logs in and sees the dashboard.
	for _, name := range []string{"admin", "res", "opp"} {
		login(name)
		run("dashboard as "+name, chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(chromedp.CSS(".charts")), labelled("dashboard"))
		logout()
	}

	// The public: the incident, without what is protected, in two
	// languages.
	var html, dir string
	run("public page",
		chromedp.Navigate(incident+"?lang=en"),
		chromedp.WaitVisible(chromedp.CSS("#state")),
		into(&html, chromedp.OuterHTML(chromedp.CSS("html"))),
		shot("4-incident-public-en"),
		chromedp.Navigate(incident+"?lang=ar"),
		chromedp.WaitVisible(chromedp.CSS("#state")),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			a, err := chromedp.AttributeValue(chromedp.CSS("html"), "dir")(ctx, t)
			dir = a.Value
			return err
		}),
		shot("5-incident-public-ar"),
		chromedp.Navigate(incident+"?lang=fa"),
		chromedp.WaitVisible(chromedp.CSS("#state")),
		shot("5-incident-public-fa"),
		chromedp.Navigate(s.URL+"/?lang=ar"),
		shot("6-dashboard-ar"),
		chromedp.Navigate(s.URL+"/map?lang=ar"),
		chromedp.WaitVisible(chromedp.CSS("#map[data-count] path.leaflet-interactive")),
		chromedp.Sleep(300*time.Millisecond),
		shot("7-map-ar"),
		chromedp.Navigate(s.URL+"/agreements/syria-coh-2016?v=3&lang=en"),
		chromedp.WaitVisible(chromedp.CSS("#map[data-zone-count] path.leaflet-interactive")),
		chromedp.Sleep(300*time.Millisecond),
		shot("8-agreement-zones-en"))
	for _, secret := range []string{"team 4 saw the impact", "market.png", "· rev →", "mon"} {
		if i := strings.Index(html, secret); i >= 0 && (secret != "mon" || regexp.MustCompile(`\bmon\b`).MatchString(html)) {
			t.Errorf("the public page shows %q: …%s…", secret, html[max(0, i-80):min(len(html), i+80)])
		}
	}
	if !strings.Contains(html, "No unit of ours fired") || !strings.Contains(html, "adopted") {
		t.Errorf("the public page lacks the reply or the finding")
	}
	if dir != "rtl" {
		t.Errorf("Arabic page dir=%q", dir)
	}

	// Issue 14: over plain HTTP under another name than localhost, the
	// browser drops the Secure cookies; the login used to fail with "This
	// form has expired". It says what is wrong, and what to do.
	_, port, _ := strings.Cut(strings.TrimPrefix(s.URL, "http://"), ":")
	var msg string
	run("log in over plain HTTP",
		chromedp.Navigate("http://truce.test:"+port+"/login?lang=en"),
		chromedp.SendKeys(chromedp.CSS("#name"), "rev"),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("main [role=alert], main .error")),
		into(&msg, chromedp.Text(chromedp.CSS("main"))),
		shot("9-login-over-http-en"))
	if !strings.Contains(msg, "HTTPS") || !strings.Contains(msg, "-insecure-cookies") {
		t.Errorf("login over plain HTTP: %.600s", msg)
	}
	t.Logf("screenshots in %s", shots)
}
