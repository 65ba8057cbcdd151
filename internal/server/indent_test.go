package server

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// indentCases are values whose JSON has what indent must get right:
// empty objects and arrays at any depth, strings holding the punctuation
// and escapes (quotes, backslashes, a backslash before a closing quote),
// HTML characters Marshal escapes, text in other scripts, numbers.
var indentCases = []any{
	nil, 0, -1.5e-7, "", `"`, `\`, `\"`, `a\\"b`, "x,y:z{}[]", "<&>", "قصف\u2028ذ", true,
	[]any{}, map[string]any{}, []any{[]any{}, map[string]any{}, []any{[]any{}}},
	map[string]any{"a": []any{1, "2", nil, map[string]any{"b": []any{}}}, "c,\"d": map[string]any{"e": map[string]any{}}},
	struct {
		ID    int64             `json:"id"`
		Title string            `json:"title"`
		When  time.Time         `json:"when"`
		Tags  []string          `json:"tags"`
		More  map[string]string `json:"more,omitempty"`
	}{7, "Duma: \"airstrike\", \\ [1]", time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC), nil, map[string]string{"k": "{"}},
}

// TestIndentAsJSON: indent writes what json.Encoder with SetIndent("",
// "  ") wrote, which the API's replies were made with.
func TestIndentAsJSON(t *testing.T) {
	for _, v := range indentCases {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if got := append(indent(nil, b), '\n'); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%s:\ngot  %q\nwant %q", b, got, want.Bytes())
		}
	}
}

func FuzzIndent(f *testing.F) {
	for _, v := range indentCases {
		b, _ := json.Marshal(v)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		var compact bytes.Buffer
		if json.Compact(&compact, src) != nil {
			return
		}
		var want bytes.Buffer
		if err := json.Indent(&want, compact.Bytes(), "", "  "); err != nil {
			t.Fatal(err)
		}
		if got := indent(nil, compact.Bytes()); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%s:\ngot  %q\nwant %q", compact.Bytes(), got, want.Bytes())
		}
	})
}
