package bulletin_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf16"

	"github.com/chromedp/chromedp"

	"github.com/truce-monitor/truce/internal/app"
	"github.com/truce-monitor/truce/internal/bulletin"
)

// needChromium skips a test that needs the browser under -short, or when
// there is none, unless TRUCE_BROWSER_REQUIRED is set (CI), which makes
// the absence a failure.
func needChromium(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test: runs without -short")
	}
	if _, err := bulletin.Chromium(); err != nil {
		if os.Getenv("TRUCE_BROWSER_REQUIRED") != "" {
			t.Fatalf("%v, and TRUCE_BROWSER_REQUIRED is set", err)
		}
		t.Skip(err)
	}
}

// artifacts is where screenshots go: $TRUCE_ARTIFACTS/screenshots, else
// artifacts/screenshots at the top of the checkout.
func artifacts(t *testing.T) string {
	dir := os.Getenv("TRUCE_ARTIFACTS")
	if dir == "" {
		dir = "../../artifacts"
	}
	dir = filepath.Join(dir, "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestScreenshots: each language's bulletin, as a reader sees it in a
// browser (kept under $TRUCE_ARTIFACTS/screenshots): right to left in
// Arabic and Persian, its charts drawn.
func TestScreenshots(t *testing.T) {
	needChromium(t)
	f := newFixture(t)
	b := f.compute(t, app.Operator())
	ctx, stop, err := bulletin.Browser(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	shots := artifacts(t)
	for _, lang := range []string{"en", "ar", "ru", "tr", "fa"} {
		html, err := bulletin.HTML(b, f.a, bulletin.Options{Lang: lang})
		if err != nil {
			t.Fatal(err)
		}
		cleanup, err := bulletin.Open(ctx, html)
		if err != nil {
			t.Fatal(err)
		}
		tctx, cancel := context.WithTimeout(ctx, time.Minute)
		dir, err := chromedp.Run(tctx, chromedp.Evaluate[string](`getComputedStyle(document.body).direction`))
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]string{true: "rtl", false: "ltr"}[lang == "ar" || lang == "fa"]; dir != want {
			t.Errorf("%s: the page runs %s", lang, dir)
		}
		// Every chart drew something with a size.
		n, err := chromedp.Run(tctx, chromedp.Evaluate[int](`[...document.querySelectorAll("svg.chart")].filter(s => s.getBBox().width > 50).length`))
		if err != nil || n < 4 {
			t.Errorf("%s: %d charts drawn (%v)", lang, n, err)
		}
		png, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
		cancel()
		cleanup()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(shots, "bulletin-week-"+lang+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshots in %s", shots)
}

// TestPDF: the Arabic bulletin printed by Chromium holds its data (it
// verifies from the PDF alone), and its text is Arabic shaped as it should
// be: the letters drawn in their joined forms (initial, medial, final),
// which the PDF maps back to the words, read in their order.
func TestPDF(t *testing.T) {
	needChromium(t)
	f := newFixture(t)
	ctx := context.Background()
	b := f.compute(t, nil)
	pdf, err := bulletin.Write(ctx, b, f.a, "pdf", bulletin.Options{Lang: "ar", File: "week.pdf"})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(artifacts(t), "bulletin-week-ar.pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	back, err := bulletin.Read(pdf)
	if err != nil {
		t.Fatal(err)
	}
	if back.DataHash != b.DataHash {
		t.Fatal("the PDF's data is not the bulletin's")
	}
	if err := bulletin.Verify(ctx, f.a, back, nil); err != nil {
		t.Errorf("the PDF does not verify: %v", err)
	}
	text, shaped, err := pdfText(pdf)
	if err != nil {
		t.Fatal(err)
	}
	// Words, each one run of glyphs put back in reading order (a line's
	// runs are drawn in visual order, which this reader does not undo).
	words := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) })
	for _, want := range []string{"الانتهاكات", "الأسبوع", "المحافظة", "التحقق", "بارزة", "الضامنين", "النسخة", "العامة"} {
		if !slices.Contains(words, want) {
			t.Errorf("the PDF's text lacks %q: %.600s", want, text)
		}
	}
	// Shaping: a letter that joins is drawn with different glyphs by its
	// place in the word. Without shaping every letter would be its one
	// isolated glyph.
	forms := 0
	for r, glyphs := range shaped {
		if unicode.Is(unicode.Arabic, r) && len(glyphs) >= 2 {
			forms++
		}
	}
	if forms < 5 {
		t.Errorf("only %d Arabic letters are drawn in more than one form: the text is not shaped (%v)", forms, shaped)
	}
}

// pdfText is the text of the PDF Chromium (Skia) writes, in reading
// order: each text object's glyphs mapped back to characters by the
// font's ToUnicode map, or by the /ActualText that Skia writes for glyphs
// the map cannot give (joined Arabic forms, ligatures), runs marked
// /ReversedChars (right-to-left runs, drawn in visual order) put back in
// logical order. shaped gives, for each character, the glyphs that drew
// it.
func pdfText(pdf []byte) (string, map[rune]map[string]bool, error) {
	objs := pdfObjects(pdf)
	// Fonts: resource name → (two-byte codes?, ToUnicode map).
	type font struct {
		wide bool
		uni  map[string]string
	}
	fonts := map[string]*font{}
	fontRef := regexp.MustCompile(`/(F\d+)\s+(\d+)\s+0\s+R`)
	for _, o := range objs {
		if !strings.Contains(o.dict, "/Font <<") && !strings.Contains(o.dict, "/Font<<") {
			continue
		}
		_, res, _ := strings.Cut(o.dict, "/Font")
		res, _, _ = strings.Cut(res, ">>")
		for _, m := range fontRef.FindAllStringSubmatch(res, -1) {
			if _, ok := fonts[m[1]]; ok {
				continue
			}
			n, _ := strconv.Atoi(m[2])
			fo := objs[n]
			ft := &font{wide: strings.Contains(fo.dict, "/Type0"), uni: map[string]string{}}
			if tu := regexp.MustCompile(`/ToUnicode\s+(\d+)\s+0\s+R`).FindStringSubmatch(fo.dict); tu != nil {
				k, _ := strconv.Atoi(tu[1])
				readCMap(objs[k].stream, ft.uni)
			}
			fonts[m[1]] = ft
		}
	}
	if len(fonts) == 0 {
		return "", nil, errors.New("pdf: no fonts found")
	}
	shaped := map[rune]map[string]bool{}
	var out strings.Builder
	tok := regexp.MustCompile(`/ActualText\s*<([0-9A-Fa-f]*)>\s*>>\s*BDC|/(F\d+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]+)>\s*Tj|/ReversedChars\s+BMC|\bBDC\b|\bBMC\b|\bEMC\b|\bET\b`)
	// frame is a marked-content sequence: what it draws, and how it is
	// read (an ActualText replacing its glyphs; a reversed run).
	type frame struct {
		pieces   []string
		actual   string
		reversed bool
	}
	for _, n := range slices.Sorted(maps.Keys(objs)) {
		o := objs[n]
		if !bytes.Contains(o.stream, []byte(" Tj")) {
			continue
		}
		var cur *font
		curName := ""
		stack := []*frame{{}}
		for _, m := range tok.FindAllStringSubmatch(string(o.stream), -1) {
			top := stack[len(stack)-1]
			switch {
			case strings.HasPrefix(m[0], "/ActualText"):
				stack = append(stack, &frame{actual: decodeUTF16(m[1])})
			case m[2] != "":
				cur, curName = fonts[m[2]], m[2]
			case m[3] != "":
				if cur == nil {
					continue
				}
				width := 2
				if cur.wide {
					width = 4
				}
				// One piece per glyph: a reversed run is reversed glyph by
				// glyph.
				var glyphs []string
				for i := 0; i+width <= len(m[3]); i += width {
					glyphs = append(glyphs, cur.uni[strings.ToUpper(m[3][i:i+width])])
				}
				drawn := strings.Join(glyphs, "")
				if top.actual != "" {
					drawn = top.actual
				}
				for _, r := range drawn {
					if shaped[r] == nil {
						shaped[r] = map[string]bool{}
					}
					shaped[r][curName+":"+m[3]] = true
				}
				top.pieces = append(top.pieces, glyphs...)
			case strings.HasPrefix(m[0], "/ReversedChars"):
				stack = append(stack, &frame{reversed: true})
			case m[0] == "BDC" || m[0] == "BMC":
				stack = append(stack, &frame{})
			case m[0] == "EMC":
				if len(stack) == 1 {
					continue
				}
				stack = stack[:len(stack)-1]
				text := strings.Join(top.pieces, "")
				switch {
				case top.actual != "":
					text = top.actual
				case top.reversed:
					slices.Reverse(top.pieces)
					text = strings.Join(top.pieces, "")
				}
				parent := stack[len(stack)-1]
				parent.pieces = append(parent.pieces, text)
			case m[0] == "ET":
				top.pieces = append(top.pieces, " ")
			}
		}
		for _, f := range stack {
			out.WriteString(strings.Join(f.pieces, ""))
		}
	}
	return strings.Join(strings.Fields(out.String()), " "), shaped, nil
}

type pdfObject struct {
	dict   string
	stream []byte
}

// pdfObjects reads a PDF's objects, with their streams inflated.
func pdfObjects(pdf []byte) map[int]pdfObject {
	out := map[int]pdfObject{}
	start := regexp.MustCompile(`(?m)^(\d+) 0 obj\s*`)
	locs := start.FindAllSubmatchIndex(pdf, -1)
	for i, l := range locs {
		n, _ := strconv.Atoi(string(pdf[l[2]:l[3]]))
		end := len(pdf)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		body := pdf[l[1]:end]
		o := pdfObject{}
		if s := bytes.Index(body, []byte("stream")); s >= 0 && bytes.Contains(body[:s], []byte("/Length")) {
			o.dict = string(body[:s])
			data := body[s+len("stream"):]
			data = bytes.TrimLeft(data, "\r\n")
			if e := bytes.LastIndex(data, []byte("endstream")); e >= 0 {
				data = data[:e]
			}
			if strings.Contains(o.dict, "/FlateDecode") {
				if r, err := zlib.NewReader(bytes.NewReader(data)); err == nil {
					data, _ = io.ReadAll(r)
				}
			}
			o.stream = data
		} else {
			o.dict = string(body)
		}
		out[n] = o
	}
	return out
}

// readCMap reads a ToUnicode CMap's bfchar and bfrange entries.
func readCMap(cm []byte, into map[string]string) {
	s := string(cm)
	for _, block := range regexp.MustCompile(`(?s)beginbfchar(.*?)endbfchar`).FindAllStringSubmatch(s, -1) {
		for _, m := range regexp.MustCompile(`<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>`).FindAllStringSubmatch(block[1], -1) {
			into[strings.ToUpper(m[1])] = decodeUTF16(m[2])
		}
	}
	for _, block := range regexp.MustCompile(`(?s)beginbfrange(.*?)endbfrange`).FindAllStringSubmatch(s, -1) {
		for _, m := range regexp.MustCompile(`<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>`).FindAllStringSubmatch(block[1], -1) {
			lo, _ := strconv.ParseUint(m[1], 16, 32)
			hi, _ := strconv.ParseUint(m[2], 16, 32)
			dst, _ := strconv.ParseUint(m[3], 16, 32)
			for c := lo; c <= hi; c++ {
				into[strings.ToUpper(strconv.FormatUint(c, 16))] = string(rune(dst + c - lo))
				into[padHex(c, len(m[1]))] = string(rune(dst + c - lo))
			}
		}
	}
}

func padHex(c uint64, width int) string {
	h := strings.ToUpper(strconv.FormatUint(c, 16))
	for len(h) < width {
		h = "0" + h
	}
	return h
}

// decodeUTF16 reads hex UTF-16BE (with or without its byte-order mark).
func decodeUTF16(h string) string {
	b, err := hex.DecodeString(h)
	if err != nil {
		return ""
	}
	var u []uint16
	for i := 0; i+1 < len(b); i += 2 {
		u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
	}
	if len(u) > 0 && u[0] == 0xFEFF {
		u = u[1:]
	}
	return string(utf16.Decode(u))
}
