package text

import (
	"regexp"
	"strings"
)

// frontMatter reads the block of "key: value" lines between two "---"
// lines that Markdown sites (Hugo, Jekyll) put at the top of a file:
// truce reads title, date (or published), url (or link, canonical) and
// lang (or language) from it, and ignores other keys. ok is false when
// the text starts with no such block.
func frontMatter(doc string) (fields map[string]string, rest string, ok bool) {
	first, after, found := strings.Cut(doc, "\n")
	if !found || strings.TrimRight(first, " \t\r") != "---" {
		return nil, doc, false
	}
	fields = map[string]string{}
	for len(after) > 0 {
		var line string
		line, after, _ = strings.Cut(after, "\n")
		l := strings.TrimRight(line, " \t\r")
		if l == "---" || l == "..." {
			return fields, after, true
		}
		k, v, found := strings.Cut(l, ":")
		if !found || strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") || strings.HasPrefix(l, "#") {
			continue // a nested value or a comment: not one truce reads
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
			v = v[1 : len(v)-1]
		}
		fields[strings.ToLower(strings.TrimSpace(k))] = v
	}
	return nil, doc, false // no closing line: not front matter
}

// first is the first non-empty value of keys in fields.
func first(fields map[string]string, keys ...string) string {
	for _, k := range keys {
		if v := strings.TrimSpace(fields[k]); v != "" {
			return v
		}
	}
	return ""
}

var (
	atxHeading   = regexp.MustCompile(`^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$`)
	setextUnder  = regexp.MustCompile(`^ {0,3}(=+|-+)[ \t]*$`)
	rule         = regexp.MustCompile(`^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$`)
	fence        = regexp.MustCompile("^ {0,3}(```+|~~~+)")
	listItem     = regexp.MustCompile(`^\s*(?:[-*+]|\d{1,9}[.)])\s+`)
	refDef       = regexp.MustCompile(`^ {0,3}\[[^\]]+\]:\s*\S+`)
	tableRule    = regexp.MustCompile(`^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$`)
	image        = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	link         = regexp.MustCompile(`\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])`)
	autolink     = regexp.MustCompile(`<((?:https?|mailto):[^>\s]+)>`)
	tag          = regexp.MustCompile(`</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>`)
	strong       = regexp.MustCompile(`\*\*(\S(?:.*?\S)?)\*\*|__(\S(?:.*?\S)?)__`)
	emphasis     = regexp.MustCompile(`\*(\S(?:[^*]*?\S)?)\*`)
	underscored  = regexp.MustCompile(`(^|[^\p{L}\p{N}_])_(\S(?:[^_]*?\S)?)_([^\p{L}\p{N}_]|$)`)
	strike       = regexp.MustCompile(`~~(\S(?:.*?\S)?)~~`)
	escaped      = regexp.MustCompile("\\\\([\\\\`*_{}\\[\\]()#+\\-.!|>~])")
	backticks    = regexp.MustCompile("`+")
	quoteMarkers = regexp.MustCompile(`^(?:\s{0,3}>\s?)+`)
)

// inline is a Markdown line's visible text: links and images as their
// words, emphasis and code marks and inline HTML tags gone.
func inline(s string) string {
	s = image.ReplaceAllString(s, "$1")
	s = link.ReplaceAllString(s, "$1")
	s = autolink.ReplaceAllString(s, "$1")
	s = tag.ReplaceAllString(s, "")
	s = strong.ReplaceAllString(s, "$1$2")
	s = strike.ReplaceAllString(s, "$1")
	s = emphasis.ReplaceAllString(s, "$1")
	s = underscored.ReplaceAllString(s, "${1}${2}${3}")
	s = backticks.ReplaceAllString(s, "")
	s = escaped.ReplaceAllString(s, "$1")
	return strings.TrimSpace(s)
}

// markdown reads a Markdown article: its title (the first heading, when
// it opens the text; else the first line) and its visible text,
// paragraphs separated by a blank line, headings, list items and table
// rows each on a line.
func markdown(doc string) (title, body string) {
	lines := strings.Split(strings.ReplaceAll(doc, "\r\n", "\n"), "\n")
	var paras []string // paragraphs, each of lines
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			paras = append(paras, strings.Join(cur, "\n"))
			cur = nil
		}
	}
	var para []string // the words of the paragraph being read, line by line
	endPara := func() {
		if len(para) > 0 {
			cur = append(cur, strings.Join(para, " "))
			para = nil
		}
	}
	var inFence string
	seenContent := false
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], " \t\r")
		if inFence != "" {
			if strings.HasPrefix(strings.TrimSpace(line), inFence) {
				inFence = ""
				endPara()
				flush()
				continue
			}
			cur = append(cur, line)
			continue
		}
		if m := fence.FindStringSubmatch(line); m != nil {
			endPara()
			flush()
			inFence = m[1][:3]
			seenContent = true
			continue
		}
		if strings.TrimSpace(line) == "" {
			endPara()
			flush()
			continue
		}
		if refDef.MatchString(line) || tableRule.MatchString(line) && strings.Contains(line, "|") {
			continue
		}
		var heading string
		isHeading := false
		if m := atxHeading.FindStringSubmatch(line); m != nil {
			heading, isHeading = m[2], true
		} else if len(para) == 0 && i+1 < len(lines) && setextUnder.MatchString(lines[i+1]) && !listItem.MatchString(line) {
			heading, isHeading = line, true
			i++
		}
		if isHeading {
			endPara()
			flush()
			h := inline(strings.TrimSpace(heading))
			if title == "" && !seenContent && h != "" {
				title = h
				seenContent = true
				continue
			}
			if h != "" {
				cur = append(cur, h)
				flush()
			}
			seenContent = true
			continue
		}
		if rule.MatchString(line) {
			endPara()
			flush()
			continue
		}
		seenContent = true
		quoted := quoteMarkers.ReplaceAllString(line, "")
		if strings.HasPrefix(strings.TrimSpace(quoted), "|") {
			endPara()
			cur = append(cur, inline(strings.Trim(strings.TrimSpace(quoted), "|")))
			continue
		}
		if listItem.MatchString(quoted) {
			// An item is a paragraph of its own: the lines after it that
			// start no other item continue it.
			endPara()
			para = append(para, inline(strings.TrimSpace(quoted)))
			continue
		}
		if w := inline(quoted); w != "" {
			para = append(para, w)
		}
	}
	endPara()
	flush()
	body = strings.Join(paras, "\n\n")
	if title == "" {
		title, body = firstLine(body)
	}
	return title, body
}

// plain reads a plain-text article: its first line is its title, the
// rest its body, paragraphs as the file has them.
func plain(doc string) (title, body string) {
	doc = strings.ReplaceAll(doc, "\r\n", "\n")
	lines := strings.Split(doc, "\n")
	var out []string
	blank := false
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\r")
		if l == "" {
			blank = len(out) > 0
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, l)
	}
	return firstLine(strings.Join(out, "\n"))
}

// firstLine splits text into its first line and the rest.
func firstLine(s string) (string, string) {
	s = strings.TrimSpace(s)
	l, rest, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(l), strings.TrimSpace(rest)
}
