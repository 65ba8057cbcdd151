package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/incident"
)

// TestFactsReadOnThePage (issue 15): a report's words are shown with the
// facts read from them marked where they were read; a reviewer records a
// verdict on each from the page, and the page shows it.
func TestFactsReadOnThePage(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	body := `{"source":"wire","source_id":"facts-1","kind":"news","reported_at":"2017-01-10T12:00:00+02:00",
		"occurred":{"start":"2017-01-09T00:00:00+02:00","end":"2017-01-10T00:00:00+02:00","precision":"day"},
		"act":"unknown","language":"ar","description":"قصف الطيران الحربي التابع للنظام مدينة دوما أمس، ما أدى إلى مقتل 4 مدنيين."}`
	res, _, err := s.app.Submit(ctx, []byte(body), incident.FromNews)
	if err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("/incidents/%d", res.IncidentID)
	rev := s.client(t).login("rev")
	_, html := rev.get(page + "?lang=ar")
	for _, want := range []string{`lang="ar" class="read">`, `<mark class="fact act"`, `<mark class="fact place"`, `name="action" value="fact"`, "الطيران الحربي"} {
		if !strings.Contains(html, want) {
			t.Errorf("the reviewer's page lacks %q", want)
		}
	}
	m := regexp.MustCompile(`name="report" value="(\d+)"><input type="hidden" name="field" value="act"><input type="hidden" name="start" value="(\d+)">`).FindStringSubmatch(html)
	if m == nil {
		t.Fatalf("no review form for the act read: %.3000s", html[strings.Index(html, "<main"):])
	}
	status, _ := rev.post(page+"/events", url.Values{"action": {"fact"}, "report": {m[1]}, "field": {"act"}, "start": {m[2]}, "verdict": {"correct"}, "value": {"shelling"}})
	if status != http.StatusSeeOther {
		t.Fatalf("verdict: %d", status)
	}
	_, html = rev.get(page + "?lang=en")
	if !strings.Contains(html, "corrected (<bdi>rev</bdi>)") || !strings.Contains(html, "<dd>shelling</dd>") {
		t.Errorf("the corrected act is not shown: %.4000s", html[strings.Index(html, "<main"):])
	}
	// A correction that is no act comes back with the form's error.
	status, html = rev.post(page+"/events", url.Values{"action": {"fact"}, "report": {m[1]}, "field": {"act"}, "start": {m[2]}, "verdict": {"correct"}, "value": {"bombing"}})
	if status != http.StatusBadRequest || !strings.Contains(html, "is not an act type") {
		t.Errorf("a bad correction: %d", status)
	}
	// A monitor reads the facts but records no verdict.
	if _, html := s.client(t).login("mon").get(page); strings.Contains(html, `value="fact"`) || !strings.Contains(html, `<mark class="fact`) {
		t.Errorf("the monitor's page: review form shown or facts missing")
	}
}
