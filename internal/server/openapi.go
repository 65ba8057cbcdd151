package server

import (
	_ "embed"
	"net/http"
)

// openAPIDoc is the OpenAPI 3.1 description of the API: every route the
// server registers but the web interface's (TestOpenAPICoversRoutes
// keeps the two in step).
//
//go:embed openapi.json
var openAPIDoc []byte

// openAPI: GET /api/openapi.json.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(openAPIDoc)
}

// OpenAPI is the OpenAPI document the server serves.
func OpenAPI() []byte { return append([]byte(nil), openAPIDoc...) }
