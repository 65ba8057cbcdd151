package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/server"
)

// openAPI is what the tests read of the document.
type openAPI struct {
	OpenAPI    string                                `json:"openapi"`
	Info       map[string]any                        `json:"info"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		SecuritySchemes map[string]any `json:"securitySchemes"`
	} `json:"components"`
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// TestOpenAPICoversRoutes: every route the server registers is in the
// document with its method, and every operation of the document is a
// route the server registers (the web interface's "/" aside).
func TestOpenAPICoversRoutes(t *testing.T) {
	demo(t)
	srv := server.New(demoApp, server.Options{UI: http.NotFoundHandler()})
	var doc openAPI
	if err := json.Unmarshal(server.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	wildcard := regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}`)
	registered := map[string]bool{}
	for _, p := range srv.Routes() {
		method, path, ok := strings.Cut(p, " ")
		if !ok {
			if p != "/" {
				t.Errorf("route %q has no method: register it with one", p)
			}
			continue
		}
		path = strings.TrimSuffix(path, "{$}")
		path = wildcard.ReplaceAllString(path, "{$1}")
		op := strings.ToLower(method) + " " + path
		registered[op] = true
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("route %s is not in internal/server/openapi.json (%s %s)", p, strings.ToLower(method), path)
		}
	}
	for path, item := range doc.Paths {
		for m := range item {
			if !slices.Contains(httpMethods, m) {
				continue
			}
			if !registered[m+" "+path] {
				t.Errorf("openapi.json documents %s %s, which the server does not serve", strings.ToUpper(m), path)
			}
		}
	}
	if len(registered) < 20 {
		t.Errorf("only %d routes: %v", len(registered), srv.Routes())
	}
}

// TestOpenAPIDocument: the document is OpenAPI 3.1 in form — the fields
// it must have, an id and answers to every operation, every path's
// parameters declared, every reference resolved, every security scheme
// named defined — and the server serves it.
func TestOpenAPIDocument(t *testing.T) {
	raw := server.OpenAPI()
	var tree map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&tree); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	if dec.More() {
		t.Fatal("openapi.json: more after the document")
	}
	var doc openAPI
	json.Unmarshal(raw, &doc)
	if !regexp.MustCompile(`^3\.1\.\d+$`).MatchString(doc.OpenAPI) {
		t.Errorf("openapi: %q, want 3.1.x", doc.OpenAPI)
	}
	if doc.Info["title"] == nil || doc.Info["version"] == nil {
		t.Errorf("info needs title and version: %v", doc.Info)
	}
	if len(doc.Paths) == 0 {
		t.Fatal("no paths")
	}
	// Every $ref resolves within the document.
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if k == "$ref" {
					ref, _ := x.(string)
					if resolve(tree, ref) == nil {
						t.Errorf("%s: $ref %q resolves to nothing", at, ref)
					}
					continue
				}
				walk(x, at+"/"+k)
			}
		case []any:
			for _, x := range v {
				walk(x, at+"[]")
			}
		}
	}
	walk(tree, "#")
	ids := map[string]string{}
	for path, item := range doc.Paths {
		if !strings.HasPrefix(path, "/") {
			t.Errorf("path %q does not begin with /", path)
		}
		inPath := map[string]bool{}
		for _, m := range regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(path, -1) {
			inPath[m[1]] = true
		}
		var common []any
		if p, ok := item["parameters"]; ok {
			json.Unmarshal(p, &common)
		}
		for m, raw := range item {
			if !slices.Contains(httpMethods, m) {
				if m != "parameters" && m != "summary" && m != "description" {
					t.Errorf("%s: %q is not an HTTP method", path, m)
				}
				continue
			}
			var op struct {
				OperationID string                     `json:"operationId"`
				Parameters  []any                      `json:"parameters"`
				Responses   map[string]json.RawMessage `json:"responses"`
				Security    []map[string][]string      `json:"security"`
				RequestBody json.RawMessage            `json:"requestBody"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Errorf("%s %s: %v", m, path, err)
				continue
			}
			what := strings.ToUpper(m) + " " + path
			if op.OperationID == "" {
				t.Errorf("%s: no operationId", what)
			} else if other, dup := ids[op.OperationID]; dup {
				t.Errorf("%s: operationId %q is %s's too", what, op.OperationID, other)
			}
			ids[op.OperationID] = what
			if len(op.Responses) == 0 {
				t.Errorf("%s: no responses", what)
			}
			for code := range op.Responses {
				if code != "default" && !regexp.MustCompile(`^[1-5]([0-9]{2}|XX)$`).MatchString(code) {
					t.Errorf("%s: response %q is not a status code", what, code)
				}
			}
			if (m == "get" || m == "delete") && op.RequestBody != nil {
				t.Errorf("%s: a request body", what)
			}
			for _, s := range op.Security {
				for name := range s {
					if doc.Components.SecuritySchemes[name] == nil {
						t.Errorf("%s: security scheme %q is not defined", what, name)
					}
				}
			}
			declared := map[string]bool{}
			for _, p := range append(slices.Clone(common), op.Parameters...) {
				pm, _ := p.(map[string]any)
				if ref, ok := pm["$ref"].(string); ok {
					pm, _ = resolve(tree, ref).(map[string]any)
				}
				name, _ := pm["name"].(string)
				in, _ := pm["in"].(string)
				if name == "" || !slices.Contains([]string{"query", "header", "path", "cookie"}, in) {
					t.Errorf("%s: parameter %v has no name or no place", what, p)
					continue
				}
				if in == "path" {
					declared[name] = true
					if pm["required"] != true {
						t.Errorf("%s: path parameter %s is not required", what, name)
					}
					if !inPath[name] {
						t.Errorf("%s: path parameter %s is not in the path", what, name)
					}
				}
				if pm["schema"] == nil && pm["content"] == nil {
					t.Errorf("%s: parameter %s has no schema", what, name)
				}
			}
			for name := range inPath {
				if !declared[name] {
					t.Errorf("%s: {%s} is not declared", what, name)
				}
			}
		}
	}

	res, err := http.Get(demo(t).URL + "/api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || !bytes.Equal(body, raw) {
		t.Errorf("GET /api/openapi.json: %d %q, %d bytes", res.StatusCode, res.Header.Get("Content-Type"), len(body))
	}
}

// resolve follows a local JSON pointer ("#/components/schemas/Error").
func resolve(doc any, ref string) any {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	v := doc
	for _, k := range strings.Split(rest, "/") {
		k = strings.ReplaceAll(strings.ReplaceAll(k, "~1", "/"), "~0", "~")
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		if v, ok = m[k]; !ok {
			return nil
		}
	}
	return v
}
