package server

// indent appends to dst the JSON src, as json.Marshal writes it (no space
// outside strings), indented as json.Indent(dst, src, "", "  ") would
// indent it, byte for byte (TestIndentAsJSON, FuzzIndent). json.Indent
// runs the whole decoding state machine over every byte to validate what
// Marshal has just made: at a million incidents, with fifty incidents and
// their rulings on a page, that was a sixth of a page's CPU
// (docs/benchmarks.md, "Issue 17, fourth round"). Here only strings need
// a state: their bytes are copied as they are.
func indent(dst, src []byte) []byte {
	depth := 0
	newline := func() {
		dst = append(dst, '\n')
		for range depth {
			dst = append(dst, ' ', ' ')
		}
	}
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '"':
			j := i + 1
			for ; j < len(src) && src[j] != '"'; j++ {
				if src[j] == '\\' {
					j++ // the escaped byte, which may be a quote
				}
			}
			end := min(j+1, len(src))
			dst = append(dst, src[i:end]...)
			i = end - 1
		case '{', '[':
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				// Empty: {} and [], as json.Indent writes them.
				dst = append(dst, c, src[i+1])
				i++
				continue
			}
			dst = append(dst, c)
			depth++
			newline()
		case ',':
			dst = append(dst, c)
			newline()
		case ':':
			dst = append(dst, ':', ' ')
		case '}', ']':
			depth--
			newline()
			dst = append(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
