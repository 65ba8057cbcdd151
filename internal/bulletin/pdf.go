package bulletin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/truce-monitor/truce/internal/app"
)

// A PDF is the HTML bulletin printed by headless Chromium, which shapes
// Arabic and Persian and lays out right-to-left text as the page does;
// its data is attached to it as bulletin.json, for Verify.

// ErrNoChromium says that no Chromium was found, and what to install.
var ErrNoChromium = errors.New("a PDF needs Chromium, and none was found ($TRUCE_CHROMIUM, /usr/bin/chromium, chromium-browser, google-chrome): install Debian's chromium package, or set TRUCE_CHROMIUM to the browser's path")

// Chromium finds the browser: $TRUCE_CHROMIUM, else /usr/bin/chromium,
// chromium-browser or google-chrome.
func Chromium() (string, error) {
	if p := os.Getenv("TRUCE_CHROMIUM"); p != "" {
		if path, err := exec.LookPath(p); err == nil {
			return path, nil
		}
		return "", fmt.Errorf("TRUCE_CHROMIUM is %q, which is not a program: %w", p, ErrNoChromium)
	}
	for _, p := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(p); err == nil {
			return path, nil
		}
	}
	return "", ErrNoChromium
}

// Browser starts a headless Chromium for printing and screenshots: no
// network beyond the page's own file, no script. The caller cancels the
// context to stop it.
func Browser(ctx context.Context) (context.Context, context.CancelFunc, error) {
	exe, err := Chromium()
	if err != nil {
		return nil, nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe),
		chromedp.Flag("disable-gpu", true), chromedp.Flag("blink-settings", "scriptEnabled=false"),
		chromedp.Flag("window-size", "1100,1400"))
	if os.Geteuid() == 0 {
		// Chromium's sandbox does not start as root (a container, CI);
		// it prints only the page truce wrote.
		opts = append(opts, chromedp.NoSandbox)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	return bctx, func() { cancelBrowser(); cancelAlloc() }, nil
}

// Open loads an HTML page in the browser from a temporary file.
func Open(ctx context.Context, html []byte) (cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "truce-bulletin-")
	if err != nil {
		return nil, err
	}
	file := filepath.Join(dir, "bulletin.html")
	if err := os.WriteFile(file, html, 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+file)); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("chromium: %w", err)
	}
	return func() { os.RemoveAll(dir) }, nil
}

// PDF prints the bulletin's HTML (HTML(b, …)) with Chromium and attaches
// the bulletin's data.
func PDF(ctx context.Context, b *Bulletin, html []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	bctx, stop, err := Browser(ctx)
	if err != nil {
		return nil, err
	}
	defer stop()
	cleanup, err := Open(bctx, html)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	pdf, err := chromedp.Run(bctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize(),
		chromedp.PDFPrintBackground(), chromedp.PDFOutlineAndTagged()))
	if err != nil {
		return nil, fmt.Errorf("chromium: printing the bulletin: %w", err)
	}
	data, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	return attach(pdf, attachmentName, data)
}

// Write writes a bulletin in a format: "html", "md", "pdf" or "json".
func Write(ctx context.Context, b *Bulletin, a *app.App, format string, o Options) ([]byte, error) {
	switch format {
	case "html":
		return HTML(b, a, o)
	case "md":
		return Markdown(b, a, o)
	case "json":
		// Compact: the data is kept byte for byte, as hashed.
		j, err := json.Marshal(b)
		return append(j, '\n'), err
	case "pdf":
		html, err := HTML(b, a, o)
		if err != nil {
			return nil, err
		}
		return PDF(ctx, b, html)
	}
	return nil, fmt.Errorf("format %q: want html, pdf, md or json", format)
}

const attachmentName = "bulletin.json"

var (
	trailerRE   = regexp.MustCompile(`(?s)trailer\s*<<(.*?)>>\s*startxref\s*(\d+)\s*%%EOF\s*$`)
	sizeRE      = regexp.MustCompile(`/Size\s+(\d+)`)
	rootRE      = regexp.MustCompile(`/Root\s+(\d+)\s+(\d+)\s+R`)
	infoRE      = regexp.MustCompile(`/Info\s+(\d+)\s+(\d+)\s+R`)
	attachedRE  = regexp.MustCompile(`/Type\s*/EmbeddedFile\s*/Subtype\s*/application#2Fjson\s*/Length\s+(\d+)\s*>>\s*stream\r?\n`)
	namesKeyRE  = regexp.MustCompile(`/Names\b|/AF\b`)
	catalogOpen = `(?s)(?:^|[\r\n])%d %d obj\s*<<(.*?)>>\s*endobj`
)

// attach adds a file to a PDF as an incremental update: the file as an
// embedded file stream, its file specification, and the catalog again
// with the file in its EmbeddedFiles name tree. Readers list it as an
// attachment; the pages are not touched.
func attach(pdf []byte, name string, data []byte) ([]byte, error) {
	m := trailerRE.FindSubmatch(pdf)
	if m == nil {
		return nil, errors.New("pdf: no trailer with startxref (the PDF uses a cross-reference stream): cannot attach the data")
	}
	trailer := string(m[1])
	sm, rm := sizeRE.FindStringSubmatch(trailer), rootRE.FindStringSubmatch(trailer)
	if sm == nil || rm == nil {
		return nil, errors.New("pdf: the trailer names no /Size or /Root")
	}
	size, _ := strconv.Atoi(sm[1])
	rootNum, _ := strconv.Atoi(rm[1])
	rootGen, _ := strconv.Atoi(rm[2])
	cat := regexp.MustCompile(fmt.Sprintf(catalogOpen, rootNum, rootGen)).FindSubmatch(pdf)
	if cat == nil {
		return nil, fmt.Errorf("pdf: catalog object %d not found", rootNum)
	}
	dict := string(cat[1])
	if namesKeyRE.MatchString(dict) {
		return nil, errors.New("pdf: the catalog already has a name tree or attachments: cannot attach the data")
	}
	var out bytes.Buffer
	out.Write(pdf)
	if !bytes.HasSuffix(pdf, []byte("\n")) {
		out.WriteByte('\n')
	}
	fileObj, specObj := size, size+1
	offsets := map[int]int{}
	offsets[fileObj] = out.Len()
	fmt.Fprintf(&out, "%d 0 obj\n<</Type /EmbeddedFile /Subtype /application#2Fjson /Length %d>> stream\n", fileObj, len(data))
	out.Write(data)
	out.WriteString("\nendstream\nendobj\n")
	offsets[specObj] = out.Len()
	fmt.Fprintf(&out, "%d 0 obj\n<</Type /Filespec /F (%s) /UF (%s) /AFRelationship /Data /Desc (truce bulletin data: every figure and the incidents behind them) /EF <</F %d 0 R>>>>\nendobj\n",
		specObj, name, name, fileObj)
	offsets[rootNum] = out.Len()
	fmt.Fprintf(&out, "%d %d obj\n<<%s\n/Names <</EmbeddedFiles <</Names [(%s) %d 0 R]>>>>\n/AF [%d 0 R]>>\nendobj\n", rootNum, rootGen, dict, name, specObj, specObj)
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 1\n0000000000 65535 f \n%d 1\n%010d %05d n \n%d 2\n%010d 00000 n \n%010d 00000 n \n",
		rootNum, offsets[rootNum], rootGen, fileObj, offsets[fileObj], offsets[specObj])
	fmt.Fprintf(&out, "trailer\n<</Size %d /Root %d %d R", size+2, rootNum, rootGen)
	if im := infoRE.FindStringSubmatch(trailer); im != nil {
		fmt.Fprintf(&out, " /Info %s %s R", im[1], im[2])
	}
	fmt.Fprintf(&out, " /Prev %s>>\nstartxref\n%d\n%%%%EOF\n", m[2], xref)
	return out.Bytes(), nil
}

// pdfAttachment reads back the data attach added (the last one).
func pdfAttachment(pdf []byte, name string) ([]byte, error) {
	all := attachedRE.FindAllSubmatchIndex(pdf, -1)
	if len(all) == 0 {
		return nil, fmt.Errorf("pdf: no %s attached: not a bulletin truce wrote", name)
	}
	m := all[len(all)-1]
	n, _ := strconv.Atoi(string(pdf[m[2]:m[3]]))
	if m[1]+n > len(pdf) {
		return nil, fmt.Errorf("pdf: the attached %s is cut short", name)
	}
	return pdf[m[1] : m[1]+n], nil
}
