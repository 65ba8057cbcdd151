package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/truce-monitor/truce/internal/bulletin"
	"github.com/truce-monitor/truce/internal/period"
	"github.com/truce-monitor/truce/internal/store"
)

// Bulletins (internal/bulletin, docs/bulletins.md): a form, and the
// bulletin of a period as a standalone page, a PDF or Markdown, for the
// viewer: the public gets the public edition, a party's liaison its
// party's, staff the full one.

var bulletinFormats = []string{"html", "pdf", "md"}

// printing lets one Chromium print at a time: each takes seconds of both
// cores.
var printing = make(chan struct{}, 1)

// bulletins is the form; filled in (a GET with its fields), it sends the
// reader to the bulletin's own address.
func (u *UI) bulletins(q *req) error {
	v := q.r.URL.Query()
	if v.Get("period") != "" || v.Get("date") != "" {
		p, err := bulletin.ParsePeriod(v.Get("period"))
		if err != nil {
			return fail(http.StatusBadRequest, "error.filter", "period", v.Get("period"))
		}
		if _, _, err := period.Day("date", v.Get("date"), q.location()); err != nil {
			return fail(http.StatusBadRequest, "error.date", q.t("bulletin.form.date"), v.Get("date"))
		}
		w := url.Values{"lang": {q.lang}}
		if f := v.Get("format"); f != "" && f != "html" {
			w.Set("format", f)
		}
		http.Redirect(q.w, q.r, fmt.Sprintf("/bulletins/%s/%s?%s", p, url.PathEscape(v.Get("date")), w.Encode()), http.StatusSeeOther)
		return nil
	}
	// The day of the latest incident the viewer may see: where the data is.
	date := ""
	if list, _, err := u.app.Incidents(q.ctx, q.user, store.Filter{Newest: true, Limit: 1, NoCount: true}); err == nil && len(list) > 0 {
		date = list[0].Occurred.Start.In(q.location()).Format(period.DateLayout)
	}
	return u.render(q, "bulletins", "bulletin.form.title", map[string]any{"Periods": bulletin.Periods, "Formats": bulletinFormats, "Date": date})
}

// bulletin is a period's bulletin for the viewer: HTML (a standalone
// page, its style inline and allowed by its hash alone), ?format=pdf or
// ?format=md.
func (u *UI) bulletin(q *req) error {
	p, err := bulletin.ParsePeriod(q.r.PathValue("period"))
	if err != nil {
		return fail(http.StatusNotFound, "error.not_found")
	}
	date := q.r.PathValue("date")
	if _, _, err := period.Day("date", date, q.location()); err != nil {
		return fail(http.StatusBadRequest, "error.date", q.t("bulletin.form.date"), date)
	}
	format := q.r.URL.Query().Get("format")
	if format == "" {
		format = "html"
	}
	if !slices.Contains(bulletinFormats, format) && format != "json" {
		return fail(http.StatusBadRequest, "error.filter", "format", format)
	}
	if format == "pdf" {
		if _, err := bulletin.Chromium(); err != nil {
			return fail(http.StatusServiceUnavailable, "bulletin.no_chromium")
		}
	}
	at, err := u.app.BulletinLog(q.ctx)
	if err != nil {
		return err
	}
	b, err := bulletin.Compute(q.ctx, u.app, bulletin.Request{Agreement: q.agreement(), Period: p, Date: date, Viewer: q.user}, at)
	if errors.Is(err, bulletin.ErrNoAgreement) {
		return fail(http.StatusNotFound, "error.not_found")
	}
	if err != nil {
		return err
	}
	name := fmt.Sprintf("bulletin-%s-%s-%s-%s.%s", b.Agreement, b.Period, b.From, q.lang, format)
	if format == "pdf" {
		select {
		case printing <- struct{}{}:
			defer func() { <-printing }()
		case <-q.ctx.Done():
			return q.ctx.Err()
		}
	}
	out, err := bulletin.Write(q.ctx, b, u.app, format, bulletin.Options{Lang: q.lang, Web: true, File: name})
	if errors.Is(err, bulletin.ErrNoChromium) {
		return fail(http.StatusServiceUnavailable, "bulletin.no_chromium")
	}
	if err != nil {
		return err
	}
	h := q.w.Header()
	// Each edition is the viewer's own.
	h.Set("Cache-Control", "private, no-cache")
	h.Set("Vary", "Cookie")
	switch format {
	case "html":
		// A page that stands alone: its one inline style is allowed by
		// its hash; it has no script.
		h.Set("Content-Security-Policy", "default-src 'none'; style-src "+bulletin.CSSHash+"; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		h.Set("Content-Type", "text/html; charset=utf-8")
	case "pdf":
		h.Set("Content-Type", "application/pdf")
		h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	case "md":
		h.Set("Content-Type", "text/markdown; charset=utf-8")
		h.Set("Content-Disposition", `inline; filename="`+name+`"`)
	case "json":
		h.Set("Content-Type", "application/json")
	}
	_, err = q.w.Write(out)
	return err
}
