package i18n_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/i18n"
)

// english is the English catalog: the keys every language must have
// (Load checks that the others have exactly these).
func english(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("messages/en.json")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// hasPrefix reports whether some key starts with prefix.
func hasPrefix(keys map[string]string, prefix string) bool {
	for k := range keys {
		if strings.HasPrefix(k, prefix) && len(k) > len(prefix) {
			return true
		}
	}
	return false
}

var (
	// templateAction is one {{…}} of a template.
	templateAction = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	// templateKey is a key a template translates: t or th, the
	// language, a quoted key.
	templateKey = regexp.MustCompile(`(?:^|[\s({])(?:t|th)\s+[$.\w]+\s+"([^"]+)"`)
	// templatePrefix is a key a template makes: printf "act.%s".
	templatePrefix = regexp.MustCompile(`printf\s+"([a-z_.]+\.)%s"`)
)

// TestTemplateKeys: every key the templates translate is in the catalog,
// so in every language (Load), and every family of keys they make
// (printf "act.%s") has members.
func TestTemplateKeys(t *testing.T) {
	if _, err := i18n.Load(); err != nil {
		t.Fatal(err)
	}
	en := english(t)
	files, err := filepath.Glob("../web/templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates: %v", err)
	}
	seen := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, action := range templateAction.FindAllString(string(b), -1) {
			for _, m := range templateKey.FindAllStringSubmatch(action, -1) {
				seen++
				if _, ok := en[m[1]]; !ok {
					t.Errorf("%s: %q is not in the catalog", filepath.Base(f), m[1])
				}
			}
			for _, m := range templatePrefix.FindAllStringSubmatch(action, -1) {
				if !hasPrefix(en, m[1]) {
					t.Errorf("%s: no key of the family %q…", filepath.Base(f), m[1])
				}
			}
		}
	}
	if seen < 100 {
		t.Errorf("only %d keys found in the templates: is the pattern still right?", seen)
	}
}

// keyArg is, for a function or method that takes a message key, which of
// its arguments it is: q.t(key), cat.T(lang, key), fail(status, key),
// u.render(q, page, titleKey, …), mk(titleKey, …), u.th(lang, key).
var keyArg = map[string]int{"t": 0, "T": 1, "fail": 1, "render": 2, "mk": 0, "th": 1}

// TestGoKeys: every key the Go code of the pages passes as a literal is
// in the catalog, and every key it builds ("verdict." + v) has a family.
func TestGoKeys(t *testing.T) {
	en := english(t)
	files, err := filepath.Glob("../web/*.go")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				var name string
				switch fn := n.Fun.(type) {
				case *ast.Ident:
					name = fn.Name
				case *ast.SelectorExpr:
					name = fn.Sel.Name
				}
				i, ok := keyArg[name]
				if !ok || i >= len(n.Args) {
					return true
				}
				if lit, ok := n.Args[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					key, _ := strconv.Unquote(lit.Value)
					seen++
					if _, ok := en[key]; !ok {
						t.Errorf("%s: %s(…%q…): not in the catalog", fset.Position(lit.Pos()), name, key)
					}
				}
			case *ast.BinaryExpr:
				// "verdict." + v: a family of keys.
				if lit, ok := n.X.(*ast.BasicLit); ok && n.Op == token.ADD && lit.Kind == token.STRING {
					prefix, _ := strconv.Unquote(lit.Value)
					if strings.HasSuffix(prefix, ".") && regexp.MustCompile(`^[a-z_.]+$`).MatchString(prefix) && !hasPrefix(en, prefix) {
						t.Errorf("%s: no key of the family %q…", fset.Position(lit.Pos()), prefix)
					}
				}
			}
			return true
		})
	}
	if seen < 20 {
		t.Errorf("only %d keys found in the Go code: is the pattern still right?", seen)
	}
}

// enumerations are the values pages translate by family: each constant
// of the type, declared in the package, needs its key under each prefix.
var enumerations = []struct {
	dir, typ string
	prefixes []string
}{
	{"../act", "Type", []string{"act."}},
	{"../incident", "State", []string{"state."}},
	{"../incident", "SourceKind", []string{"kind."}},
	{"../incident", "Role", []string{"role_in."}},
	{"../ruling", "Verdict", []string{"verdict."}},
	{"../ruling", "Reason", []string{"ruling.reason."}},
	{"../ruling", "Missing", []string{"ruling.missing."}},
	{"../workflow", "Role", []string{"role."}},
	{"../workflow", "Grade", []string{"grade."}},
	{"../workflow", "Stance", []string{"stance."}},
	{"../workflow", "Conclusion", []string{"conclusion."}},
	{"../workflow", "Action", []string{"action.", "done."}},
	// The confidence of a ruling: untyped constants named Confidence….
	{"../incident", "Confidence*", []string{"confidence."}},
	{"../ruling", "Confidence*", []string{"confidence."}},
}

// constants are the string constants of a package declared with type typ
// (or, for "Name*", named Name…).
func constants(t *testing.T, dir, typ string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				v := s.(*ast.ValueSpec)
				for i, name := range v.Names {
					if i >= len(v.Values) {
						continue
					}
					lit, ok := v.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					match := false
					if p, ok := strings.CutSuffix(typ, "*"); ok {
						match = strings.HasPrefix(name.Name, p)
					} else if id, ok := v.Type.(*ast.Ident); ok {
						match = id.Name == typ
					}
					if match {
						s, _ := strconv.Unquote(lit.Value)
						out = append(out, s)
					}
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestEnumerationKeys: every act type, state, verdict, reason, role, grade,
// stance, conclusion, workflow action and confidence has its string in
// the catalog, so in every language: a new constant without one fails
// here, not as an English word (or a key) on a page.
func TestEnumerationKeys(t *testing.T) {
	en := english(t)
	for _, e := range enumerations {
		values := constants(t, e.dir, e.typ)
		if len(values) == 0 {
			t.Errorf("%s: no constants of %s", e.dir, e.typ)
		}
		for _, v := range values {
			for _, p := range e.prefixes {
				if _, ok := en[p+v]; !ok {
					t.Errorf("%s %s %q: %q is not in the catalog", e.dir, e.typ, v, p+v)
				}
			}
		}
	}
}

// TestCatalogDigits: Arabic and Persian strings write their own digits,
// like the numbers formatted into them; a Latin digit in them is one of
// the mixed digits the rule forbids (names such as SHA-256 aside).
func TestCatalogDigits(t *testing.T) {
	verb := regexp.MustCompile(`%[-+# 0]*\d*(?:\.\d+)?[a-zA-Z%]`)
	names := strings.NewReplacer("SHA-256", "")
	for _, lang := range []string{"ar", "fa"} {
		b, err := os.ReadFile("messages/" + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for k, s := range m {
			if strings.ContainsAny(names.Replace(verb.ReplaceAllString(s, "")), "0123456789") {
				t.Errorf("%s %s: Latin digits in %q", lang, k, s)
			}
		}
	}
}
