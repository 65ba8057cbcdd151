package text

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/transform"
)

// page is what an HTML document says of itself.
type page struct {
	title, ogTitle, h1 string
	canonical, ogURL   string
	published          string // from a meta element, JSON-LD or <time>
	lang               string
	body               string
}

// decodeHTML returns an HTML document as UTF-8 text, with the name of the
// charset it was in. A document that is not UTF-8 is read in the charset
// it declares (a byte order mark, or <meta charset> in its first 1024
// bytes); one that declares none is refused: truce does not guess
// encodings.
func decodeHTML(raw []byte) (string, string, error) {
	if utf8.Valid(raw) {
		return string(raw), "utf-8", nil
	}
	head := bytes.ToLower(raw[:min(len(raw), 1024)])
	bom := bytes.HasPrefix(raw, []byte{0xFE, 0xFF}) || bytes.HasPrefix(raw, []byte{0xFF, 0xFE})
	if !bom && !bytes.Contains(head, []byte("charset")) {
		return "", "", fmt.Errorf("is not UTF-8 and declares no charset (<meta charset=...>); convert it to UTF-8")
	}
	enc, name, _ := charset.DetermineEncoding(raw, "")
	out, _, err := transform.Bytes(enc.NewDecoder(), raw)
	if err != nil {
		return "", "", fmt.Errorf("cannot be read as %s: %v", name, err)
	}
	if !utf8.Valid(out) {
		return "", "", fmt.Errorf("is not %s text, as it declares", name)
	}
	return string(out), name, nil
}

// readHTML reads a whole HTML document.
func readHTML(doc string) (page, error) {
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		return page{}, fmt.Errorf("is not HTML: %v", err)
	}
	var p page
	var article, mainEl, body *html.Node
	var ldJSON []string
	var timeAttr string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Html:
				if p.lang == "" {
					p.lang = attr(n, "lang")
				}
			case atom.Title:
				if p.title == "" {
					p.title = Normalise(innerText(n, false))
				}
			case atom.Meta:
				p.meta(n)
			case atom.Link:
				if strings.EqualFold(attr(n, "rel"), "canonical") && p.canonical == "" {
					p.canonical = attr(n, "href")
				}
			case atom.H1:
				if p.h1 == "" {
					p.h1 = Normalise(innerText(n, false))
				}
			case atom.Time:
				if timeAttr == "" {
					timeAttr = attr(n, "datetime")
				}
			case atom.Script:
				if strings.EqualFold(attr(n, "type"), "application/ld+json") && n.FirstChild != nil && len(ldJSON) < 8 {
					ldJSON = append(ldJSON, n.FirstChild.Data)
				}
			case atom.Article:
				if article == nil {
					article = n
				}
			case atom.Main:
				if mainEl == nil {
					mainEl = n
				}
			case atom.Body:
				if body == nil {
					body = n
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	if p.published == "" {
		for _, s := range ldJSON {
			if d := ldDate(s); d != "" {
				p.published = d
				break
			}
		}
	}
	if p.published == "" {
		p.published = timeAttr
	}
	switch {
	case article != nil:
		p.body = innerText(article, false)
	case mainEl != nil:
		p.body = innerText(mainEl, false)
	case body != nil:
		p.body = innerText(body, true)
	}
	return p, nil
}

// metaDates are the meta elements (name, property or itemprop, in lower
// case) news sites state the publication time in.
var metaDates = map[string]bool{
	"article:published_time": true, "og:article:published_time": true, "datepublished": true, "date": true,
	"pubdate": true, "publishdate": true, "publish-date": true, "publish_date": true, "dc.date": true,
	"dc.date.issued": true, "dcterms.created": true, "dcterms.date": true, "dcterms.issued": true,
	"sailthru.date": true, "parsely-pub-date": true, "article.published": true,
}

func (p *page) meta(n *html.Node) {
	content := strings.TrimSpace(attr(n, "content"))
	if content == "" {
		return
	}
	if strings.EqualFold(attr(n, "http-equiv"), "content-language") && p.lang == "" {
		p.lang = content
	}
	for _, key := range []string{attr(n, "property"), attr(n, "name"), attr(n, "itemprop")} {
		switch k := strings.ToLower(strings.TrimSpace(key)); {
		case k == "":
		case metaDates[k]:
			if p.published == "" {
				p.published = content
			}
		case k == "og:url":
			if p.ogURL == "" {
				p.ogURL = content
			}
		case k == "og:title":
			if p.ogTitle == "" {
				p.ogTitle = Normalise(content)
			}
		case k == "og:locale" || k == "language" || k == "dc.language":
			if p.lang == "" {
				p.lang = content
			}
		}
	}
}

// ldDate is the first datePublished of a JSON-LD block, or "".
func ldDate(s string) string {
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return ""
	}
	var find func(v any, depth int) string
	find = func(v any, depth int) string {
		if depth > 8 {
			return ""
		}
		switch x := v.(type) {
		case map[string]any:
			if d, ok := x["datePublished"].(string); ok && d != "" {
				return d
			}
			for _, k := range []string{"@graph", "mainEntity", "mainEntityOfPage"} {
				if d := find(x[k], depth+1); d != "" {
					return d
				}
			}
		case []any:
			for _, e := range x {
				if d := find(e, depth+1); d != "" {
					return d
				}
			}
		}
		return ""
	}
	return find(v, 0)
}

// language is the primary subtag of a language tag, in lower case: "ar"
// of "ar-SY" and of "ar_AR" (og:locale), as truce's reports name
// languages.
func language(tag string) string {
	tag = strings.TrimSpace(tag)
	if i := strings.IndexAny(tag, "-_,; "); i >= 0 {
		tag = tag[:i]
	}
	tag = strings.ToLower(tag)
	for _, r := range tag {
		if r < 'a' || r > 'z' {
			return ""
		}
	}
	if len(tag) < 2 || len(tag) > 3 {
		return ""
	}
	return tag
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

// HTMLToText is the visible text of an HTML fragment (a feed item's
// summary or content, an e-mail's HTML part): paragraphs separated by a
// blank line, scripts, styles and hidden elements left out.
func HTMLToText(s string) string {
	nodes, err := html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return Normalise(s)
	}
	var t textBuilder
	for _, n := range nodes {
		t.node(n, false)
	}
	return t.String()
}

// innerText is the visible text of n. Whole pages (whole is set) also
// leave out their headers and footers, where a site's menus and notices
// are.
func innerText(n *html.Node, whole bool) string {
	var t textBuilder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		t.node(c, whole)
	}
	return t.String()
}

// skipped are elements whose content is not read as text.
var skipped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true, atom.Svg: true, atom.Math: true,
	atom.Iframe: true, atom.Object: true, atom.Embed: true, atom.Canvas: true, atom.Button: true, atom.Select: true,
	atom.Textarea: true, atom.Input: true, atom.Head: true, atom.Title: true, atom.Audio: true, atom.Video: true,
	atom.Map: true, atom.Nav: true, atom.Aside: true, atom.Form: true, atom.Menu: true, atom.Dialog: true,
}

// breaks are the elements that end a line (1) or a paragraph (2).
var breaks = map[atom.Atom]int{
	atom.Br: 1, atom.Div: 1, atom.Li: 1, atom.Tr: 1, atom.Dt: 1, atom.Dd: 1, atom.Figcaption: 1, atom.Caption: 1, atom.Summary: 1,
	atom.P: 2, atom.H1: 2, atom.H2: 2, atom.H3: 2, atom.H4: 2, atom.H5: 2, atom.H6: 2, atom.Blockquote: 2, atom.Pre: 2,
	atom.Article: 2, atom.Section: 2, atom.Figure: 2, atom.Table: 2, atom.Ul: 2, atom.Ol: 2, atom.Dl: 2, atom.Hr: 2,
	atom.Header: 2, atom.Footer: 2, atom.Main: 2, atom.Address: 2, atom.Details: 2,
}

// textBuilder writes text as a reader sees it: runs of white space as one
// space, and line and paragraph breaks where elements make them.
type textBuilder struct {
	b     strings.Builder
	brk   int  // the break owed before the next word
	space bool // a space is owed before the next word
	pre   int  // depth inside <pre>
}

func (t *textBuilder) String() string { return t.b.String() }

func (t *textBuilder) lineBreak(n int) {
	if n > t.brk {
		t.brk = n
	}
	t.space = false
}

func (t *textBuilder) text(s string) {
	if t.pre > 0 {
		for i, line := range strings.Split(s, "\n") {
			if i > 0 {
				t.lineBreak(1)
			}
			t.words(line)
		}
		return
	}
	t.words(s)
}

func (t *textBuilder) words(s string) {
	words := strings.FieldsFunc(s, unicode.IsSpace)
	if len(words) == 0 {
		if s != "" {
			t.space = true
		}
		return
	}
	lead := unicode.IsSpace([]rune(s)[0])
	if t.b.Len() > 0 {
		switch {
		case t.brk == 2:
			t.b.WriteString("\n\n")
		case t.brk == 1:
			t.b.WriteString("\n")
		case t.space || lead:
			t.b.WriteString(" ")
		}
	}
	t.brk = 0
	t.b.WriteString(strings.Join(words, " "))
	r, _ := utf8.DecodeLastRuneInString(s)
	t.space = unicode.IsSpace(r)
}

func (t *textBuilder) node(n *html.Node, whole bool) {
	switch n.Type {
	case html.TextNode:
		t.text(n.Data)
		return
	case html.ElementNode:
	default:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			t.node(c, whole)
		}
		return
	}
	if skipped[n.DataAtom] || hidden(n) || (whole && (n.DataAtom == atom.Header || n.DataAtom == atom.Footer)) {
		return
	}
	switch n.DataAtom {
	case atom.Td, atom.Th:
		t.space = true
	case atom.Img:
		// An image says nothing a reader sees as text.
		return
	case atom.Pre:
		t.pre++
		defer func() { t.pre-- }()
	}
	b := breaks[n.DataAtom]
	if b > 0 {
		t.lineBreak(b)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		t.node(c, whole)
	}
	if b > 0 {
		t.lineBreak(b)
	}
}

// hidden reports whether an element is not shown: the hidden attribute,
// aria-hidden, or an inline style of display:none.
func hidden(n *html.Node) bool {
	for _, a := range n.Attr {
		switch strings.ToLower(a.Key) {
		case "hidden":
			return true
		case "aria-hidden":
			if strings.EqualFold(strings.TrimSpace(a.Val), "true") {
				return true
			}
		case "style":
			s := strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
			if strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden") {
				return true
			}
		}
	}
	return false
}
