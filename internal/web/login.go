package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/auth"
)

func (u *UI) loginForm(q *req) error {
	return u.render(q, "login", "nav.login", map[string]any{"Next": safeNext(q.r.URL.Query().Get("next"))})
}

// safeNext keeps a redirect after login on this site.
func safeNext(s string) string {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.Contains(s, "\\") {
		return "/"
	}
	return s
}

// postLogin checks a password, limited by client address and by account
// name, and opens a session in a new cookie.
func (u *UI) postLogin(q *req) error {
	name := strings.TrimSpace(q.r.PostFormValue("name"))
	now := time.Now()
	ipKey, userKey := "ip "+clientIP(q.r), "user "+name
	if u.login.Limited(ipKey, now) || u.login.Limited(userKey, now) {
		q.w.WriteHeader(http.StatusTooManyRequests)
		return u.render(q, "login", "nav.login", map[string]any{"Next": safeNext(q.r.PostFormValue("next")), "Error": q.t("error.rate")})
	}
	token, _, _, err := u.app.Login(q.ctx, name, q.r.PostFormValue("password"))
	if errors.Is(err, app.ErrLogin) {
		u.login.Spend(ipKey, now)
		u.login.Spend(userKey, now)
		q.w.WriteHeader(http.StatusUnauthorized)
		return u.render(q, "login", "nav.login", map[string]any{"Next": safeNext(q.r.PostFormValue("next")), "Error": q.t("error.login_failed"), "Name": name})
	}
	if err != nil {
		return err
	}
	http.SetCookie(q.w, u.cookie(sessionCookie, token, app.SessionTTL))
	http.Redirect(q.w, q.r, safeNext(q.r.PostFormValue("next")), http.StatusSeeOther)
	return nil
}

func (u *UI) logout(q *req) error {
	if c, err := q.r.Cookie(sessionCookie); err == nil {
		if err := u.app.Store.DeleteSession(q.ctx, auth.Hash(c.Value)); err != nil {
			return err
		}
	}
	http.SetCookie(q.w, u.cookie(sessionCookie, "", -time.Second))
	http.Redirect(q.w, q.r, "/", http.StatusSeeOther)
	return nil
}

// account shows who is logged in and lets them change their password.
func (u *UI) account(q *req) error {
	if q.user == nil {
		return fail(http.StatusUnauthorized, "error.login")
	}
	return u.render(q, "account", "nav.account", map[string]any{})
}

// postAccount changes the password, which ends every session of the user
// (this one too: they log in again with the new one).
func (u *UI) postAccount(q *req) error {
	if q.user == nil {
		return fail(http.StatusUnauthorized, "error.login")
	}
	f := q.r.PostForm
	now := time.Now()
	key := "user " + q.user.Name
	if u.login.Limited(key, now) {
		return fail(http.StatusTooManyRequests, "error.rate")
	}
	h, err := u.app.Store.PasswordHash(q.ctx, q.user.Name)
	if err != nil {
		return err
	}
	if !auth.CheckPassword(h, f.Get("current")) {
		u.login.Spend(key, now)
		q.w.WriteHeader(http.StatusForbidden)
		return u.render(q, "account", "nav.account", map[string]any{"Error": q.t("error.login_failed")})
	}
	if f.Get("new") != f.Get("confirm") {
		q.w.WriteHeader(http.StatusBadRequest)
		return u.render(q, "account", "nav.account", map[string]any{"Error": q.t("account.mismatch")})
	}
	if err := u.app.SetPassword(q.ctx, q.user.Name, f.Get("new")); err != nil {
		q.w.WriteHeader(http.StatusBadRequest)
		return u.render(q, "account", "nav.account", map[string]any{"Error": q.t("account.too_short", auth.MinPassword)})
	}
	http.SetCookie(q.w, u.cookie(sessionCookie, "", -time.Second))
	http.Redirect(q.w, q.r, "/login?done=password", http.StatusSeeOther)
	return nil
}
