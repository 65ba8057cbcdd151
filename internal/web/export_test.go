package web

import (
	"context"

	"github.com/truce-monitor/truce/internal/workflow"
)

// LoginCheck is the password check of a login (app.Login).
type LoginCheck = func(ctx context.Context, name, password string) (token, csrf string, u workflow.User, err error)

// WrapLoginCheck lets a test watch the password checks of logins.
func WrapLoginCheck(u *UI, wrap func(LoginCheck) LoginCheck) { u.checkLogin = wrap(u.checkLogin) }
