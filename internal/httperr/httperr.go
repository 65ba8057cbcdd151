// Package httperr says which HTTP status each of truce's errors is, for
// the API and the web interface alike: one table, so that the same
// refusal never reads 409 at one door and 500 at the other.
package httperr

import (
	"errors"
	"net/http"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// table is checked in order; the first error err is (errors.Is) decides.
var table = []struct {
	err    error
	status int
}{
	{store.ErrNotFound, http.StatusNotFound},
	{store.ErrNotOwner, http.StatusForbidden},
	{workflow.ErrForbidden, http.StatusForbidden},
	// A conflict of interest (a guarantor acting on a case it answers
	// for): the user may not, whatever the case's state.
	{workflow.ErrConflict, http.StatusForbidden},
	{app.ErrLogin, http.StatusUnauthorized},
	{workflow.ErrState, http.StatusConflict},
	{store.ErrConflict, http.StatusConflict},
	{store.ErrVersionChanged, http.StatusConflict},
	{store.ErrTooBroad, http.StatusUnprocessableEntity},
	{workflow.ErrInvalid, http.StatusBadRequest},
	{app.ErrInvalidReport, http.StatusBadRequest},
	{app.ErrInvalidRecord, http.StatusBadRequest},
	{app.ErrLogRange, http.StatusBadRequest},
	{app.ErrEvidence, http.StatusUnsupportedMediaType},
}

// Status is err's HTTP status, and whether err is one the table knows;
// anything else is the server's failure (500), to be logged, and its
// text not shown.
func Status(err error) (int, bool) {
	for _, e := range table {
		if errors.Is(err, e.err) {
			return e.status, true
		}
	}
	return http.StatusInternalServerError, false
}
