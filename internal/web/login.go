package web

import (
	"errors"
	"math"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/auth"
)

func (u *UI) loginForm(q *req) error {
	return u.render(q, "login", "nav.login", map[string]any{"Next": safeNext(q.r.URL.Query().Get("next"))})
}

// safeNext keeps a redirect after login on this site: an absolute path
// and nothing a browser could read as another host. Browsers drop tabs and
// newlines from a URL and read a backslash as a slash, so "/\t/evil" and
// "/\\evil" are "//evil"; any control character, backslash or leading "//"
// is refused, and what is left must parse as a bare path.
func safeNext(s string) string {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.ContainsFunc(s, func(r rune) bool {
		return r < 0x20 || r == 0x7f || r == '\\' || unicode.IsControl(r)
	}) {
		return "/"
	}
	if u, err := url.Parse(s); err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil {
		return "/"
	}
	return s
}

// How many password checks wait for a slot, and how long, before a login
// is answered 503: a login takes tens of milliseconds, so a queue of a
// few per slot is plenty for people and no help to a flood.
const (
	hashQueuePerSlot = 8
	hashWait         = 2 * time.Second
)

func newHashGate(slots int) *auth.Gate {
	if slots <= 0 {
		slots = runtime.NumCPU()
	}
	return auth.NewGate(slots, hashQueuePerSlot*slots, hashWait)
}

// accountKey is an account's key in the login limiter: hashed, so that a
// name of any length costs the limiter the same.
func accountKey(name string) string { return "user " + auth.Hash(name) }

// tryLater answers a login or password change that was not tried: 429
// when the limit is spent, 503 when the password checks are all busy.
func tryLater(q *req, status int, retry time.Duration) {
	q.w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(retry.Seconds())))))
	q.w.WriteHeader(status)
}

// postLogin checks a password, limited by client address and by account
// name, and opens a session in a new cookie.
//
// The attempt is taken from both limits before the password is checked
// and given back when it was right, so that parallel guesses cannot share
// one remaining attempt; the check itself waits for one of a few slots
// (argon2id is memory-hard by design).
func (u *UI) postLogin(q *req) error {
	name := strings.TrimSpace(q.r.PostFormValue("name"))
	next := safeNext(q.r.PostFormValue("next"))
	addr := u.clientIP(q.r)
	keys := []string{"ip " + auth.LimitKey(addr), accountKey(name)}
	busy := func(status int, retry time.Duration) error {
		tryLater(q, status, retry)
		return u.render(q, "login", "nav.login", map[string]any{"Next": next, "Error": q.t("error.rate"), "Name": name})
	}
	if retry, ok := u.login.Take(time.Now(), keys...); !ok {
		return busy(http.StatusTooManyRequests, retry)
	}
	release, ok := u.hashes.Enter(q.ctx)
	if !ok {
		u.login.Refund(time.Now(), keys...) // nothing was tried
		u.log.Warn("login turned away: every password check slot is busy", "addr", addr)
		return busy(http.StatusServiceUnavailable, time.Second)
	}
	token, err := func() (string, error) {
		defer release() // even if the check panics, or the slot is lost
		token, _, _, err := u.checkLogin(q.ctx, name, q.r.PostFormValue("password"))
		return token, err
	}()
	if errors.Is(err, app.ErrLogin) {
		q.w.WriteHeader(http.StatusUnauthorized)
		return u.render(q, "login", "nav.login", map[string]any{"Next": next, "Error": q.t("error.login_failed"), "Name": name})
	}
	u.login.Refund(time.Now(), keys...)
	if err != nil {
		return err
	}
	http.SetCookie(q.w, u.cookie(sessionCookie, token, app.SessionTTL))
	http.Redirect(q.w, q.r, next, http.StatusSeeOther)
	return nil
}

func (u *UI) logout(q *req) error {
	if c, err := q.r.Cookie(sessionCookie); err == nil {
		if err := u.app.Logout(q.ctx, c.Value); err != nil {
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
	// As for a login: the attempt is taken first, given back if right.
	key := accountKey(q.user.Name)
	if retry, ok := u.login.Take(time.Now(), key); !ok {
		tryLater(q, http.StatusTooManyRequests, retry)
		return u.render(q, "account", "nav.account", map[string]any{"Error": q.t("error.rate")})
	}
	release, ok := u.hashes.Enter(q.ctx)
	if !ok {
		u.login.Refund(time.Now(), key)
		tryLater(q, http.StatusServiceUnavailable, time.Second)
		return u.render(q, "account", "nav.account", map[string]any{"Error": q.t("error.rate")})
	}
	// The slot covers both hashes: the check and the new password's.
	defer release()
	switch err := u.app.CheckPassword(q.ctx, q.user.Name, f.Get("current")); {
	case errors.Is(err, app.ErrLogin):
		q.w.WriteHeader(http.StatusForbidden)
		return u.render(q, "account", "nav.account", map[string]any{"Error": q.t("error.login_failed")})
	case err != nil:
		u.login.Refund(time.Now(), key)
		return err
	}
	u.login.Refund(time.Now(), key)
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
