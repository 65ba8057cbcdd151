package httperr_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/httperr"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/workflow"
)

// TestStatus: each error is one status, however deeply wrapped. The API
// answered a concurrent change (store.ErrConflict) with 409 and the web
// interface with 500 before both read this table.
func TestStatus(t *testing.T) {
	for _, tt := range []struct {
		err    error
		status int
		known  bool
	}{
		{store.ErrNotFound, http.StatusNotFound, true},
		{store.ErrNotOwner, http.StatusForbidden, true},
		{workflow.ErrForbidden, http.StatusForbidden, true},
		{workflow.ErrConflict, http.StatusForbidden, true},
		{app.ErrLogin, http.StatusUnauthorized, true},
		{workflow.ErrState, http.StatusConflict, true},
		{store.ErrConflict, http.StatusConflict, true},
		{store.ErrVersionChanged, http.StatusConflict, true},
		{fmt.Errorf("list: %w", store.ErrTooBroad), http.StatusUnprocessableEntity, true},
		{workflow.ErrInvalid, http.StatusBadRequest, true},
		{app.ErrInvalidReport, http.StatusBadRequest, true},
		{app.ErrLogRange, http.StatusBadRequest, true},
		{app.ErrNoCheckpoint, http.StatusNotFound, true},
		{app.ErrEvidence, http.StatusUnsupportedMediaType, true},
		{errors.New("disk full"), http.StatusInternalServerError, false},
	} {
		for _, err := range []error{tt.err, fmt.Errorf("incident 7: %w", fmt.Errorf("act: %w", tt.err))} {
			if got, known := httperr.Status(err); got != tt.status || known != tt.known {
				t.Errorf("%v: %d %v, want %d %v", err, got, known, tt.status, tt.known)
			}
		}
	}
}
