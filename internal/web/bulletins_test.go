package web_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/truce-monitor/truce/internal/bulletin"
)

// TestBulletins: the form sends the reader to the bulletin's address; the
// bulletin is the viewer's edition (the public's has only published
// incidents); as a page its style is allowed by its hash alone; as
// Markdown it carries its data, which verifies against the database.
func TestBulletins(t *testing.T) {
	s := newSite(t)
	pub := s.client(t)
	if status, body := pub.get("/bulletins"); status != http.StatusOK || !strings.Contains(body, `action="/bulletins"`) || !strings.Contains(body, `type="date" required value="2017-`) {
		i := strings.Index(body, "<main")
		t.Fatalf("the form: %d %.1500s", status, body[max(i, 0):])
	}
	res, err := pub.http.Get(s.URL + "/bulletins?period=week&date=2017-01-11&lang=ar&format=md")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/bulletins/week/2017-01-11?format=md&lang=ar" {
		t.Errorf("the form's answer: %d to %q", res.StatusCode, loc)
	}
	for path, want := range map[string]int{
		"/bulletins/fortnight/2017-01-11":        http.StatusNotFound,
		"/bulletins/week/2017-13-45":             http.StatusBadRequest,
		"/bulletins/week/2017-01-11?format=docx": http.StatusBadRequest,
		"/bulletins?period=week&date=yesterday":  http.StatusBadRequest,
	} {
		if status, _ := pub.get(path); status != want {
			t.Errorf("%s: %d, want %d", path, status, want)
		}
	}

	res, err = http.Get(s.URL + "/bulletins/week/2017-01-11?lang=en")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(page), "Public edition") {
		t.Fatalf("the public bulletin: %d %.300s", res.StatusCode, page)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src "+bulletin.CSSHash) || strings.Contains(csp, "unsafe") || strings.Contains(csp, "script-src") {
		t.Errorf("the bulletin's CSP: %s", csp)
	}
	if _, body := s.client(t).login("rev").get("/bulletins/week/2017-01-11?lang=en"); !strings.Contains(body, "Full edition") {
		t.Error("staff do not get the full edition")
	}
	if _, body := s.client(t).login("gov").get("/bulletins/week/2017-01-11?lang=en"); !strings.Contains(body, "Edition for party GOV") {
		t.Error("a party's liaison does not get its party's edition")
	}
	// The incident under review is in the staff's bulletin, not the
	// public's.
	b := func(c *client) *bulletin.Bulletin {
		t.Helper()
		_, md := c.get("/bulletins/month/2017-01-11?format=md&lang=en")
		b, err := bulletin.Read([]byte(md))
		if err != nil {
			t.Fatalf("%v: %.300s", err, md)
		}
		if err := bulletin.Verify(context.Background(), s.app, b, nil); err != nil {
			t.Errorf("the %s bulletin does not verify: %v", b.Edition, err)
		}
		return b
	}
	public, staff := b(pub), b(s.client(t).login("rev"))
	if public.D.Fact(s.hidden) != nil || staff.D.Fact(s.hidden) == nil {
		t.Errorf("incident %d under review: in the public bulletin %v, in the staff's %v", s.hidden, public.D.Fact(s.hidden) != nil, staff.D.Fact(s.hidden) != nil)
	}
	if public.D.Fact(s.public) == nil {
		t.Errorf("the verified incident %d is not in the public bulletin", s.public)
	}
}

// TestBulletinBrowser: the bulletin as served, in Arabic, in a real
// browser: its style applies under its Content-Security-Policy, it runs
// right to left, its charts are drawn; and it comes as a PDF.
func TestBulletinBrowser(t *testing.T) {
	exe := chromium(t)
	s := newSite(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.Flag("window-size", "1100,1400"), chromedp.NoSandbox)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/bulletins/week/2017-01-11?lang=ar"), chromedp.WaitVisible(chromedp.CSS("#summary"))); err != nil {
		t.Fatal(err)
	}
	styled, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("h2")).borderBottomStyle + " " + getComputedStyle(document.body).direction + " " + document.querySelectorAll("svg.chart").length`))
	if err != nil {
		t.Fatal(err)
	}
	if f := strings.Fields(styled); len(f) != 3 || f[0] != "solid" || f[1] != "rtl" || f[2] == "0" {
		t.Errorf("the served bulletin: style, direction, charts = %q", styled)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
	if err != nil {
		t.Fatal(err)
	}
	writeShot(t, "bulletin-web-ar.png", png)

	res, err := http.Get(s.URL + "/bulletins/week/2017-01-11?lang=fa&format=pdf")
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("the PDF: %d %s %.200s", res.StatusCode, res.Header.Get("Content-Type"), pdf)
	}
	b, err := bulletin.Read(pdf)
	if err != nil {
		t.Fatal(err)
	}
	if err := bulletin.Verify(context.Background(), s.app, b, nil); err != nil || b.Edition != bulletin.Public {
		t.Errorf("the PDF's bulletin (%s edition): %v", b.Edition, err)
	}
}

// writeShot keeps a screenshot under $TRUCE_ARTIFACTS/screenshots.
func writeShot(t *testing.T, name string, png []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(artifacts(t), name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
