package evidence

// A reader for the few EXIF tags Inspect reports: Make, Model,
// DateTimeOriginal and the GPS position and time. Evidence files come from
// anyone, so every offset and count in them is checked against the block
// before use, nothing is allocated in proportion to a count the file
// declares, and the walk over IFDs is bounded.
//
// Metadata already stored with evidence was computed by
// github.com/dsoprea/go-exif/v3, and verification recomputes it from the
// file and compares. Where that reader's rules decided what a well-formed
// file yields (which tags count, which occurrence wins, when a position is
// refused), they are kept here, and the comments say so.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// errNoEXIF is a file that carries no EXIF block: not a fault in the file.
var errNoEXIF = errors.New("no EXIF block")

const (
	// maxIFDs bounds the IFDs one block may make the reader visit. A camera
	// writes five at most (IFD0, Exif, Interop, GPS, IFD1); the bound is
	// what stops long chains and repeated pointers from costing more.
	maxIFDs = 32
	// maxEntries bounds the entries read over all IFDs of a block; real
	// blocks hold a few hundred.
	maxEntries = 4096
	// maxText bounds Make, Model and DateTimeOriginal: cameras write a few
	// dozen bytes. A longer one makes all three unreadable.
	maxText = 4096
)

// The TIFF field types of the tags read, and the size of one value of
// each type.
const (
	typeByte     = 1
	typeASCII    = 2
	typeLong     = 4
	typeRational = 5
)

// The earlier reader skipped entries of the other types, 6 (SBYTE) and 8
// (SSHORT) among them, without reading their values.
var typeSize = [...]uint64{1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8, 11: 4, 12: 8}

// Tags read, by the IFD that holds them.
const (
	tagMake             = 0x010f // IFD0 chain
	tagModel            = 0x0110 // IFD0 chain
	tagExifIFD          = 0x8769 // IFD0 chain: pointer to the Exif IFD
	tagGPSIFD           = 0x8825 // IFD0 chain: pointer to the GPS IFD
	tagDateTimeOriginal = 0x9003 // Exif IFD, and IFD0 chain as some writers put it
	tagInteropIFD       = 0xa005 // Exif IFD: pointer to the Interop IFD

	gpsVersionID   = 0x00
	gpsLatitudeRef = 0x01
	gpsLatitude    = 0x02
	gpsLongRef     = 0x03
	gpsLongitude   = 0x04
	gpsAltitudeRef = 0x05
	gpsAltitude    = 0x06
	gpsTimeStamp   = 0x07
	gpsDateStamp   = 0x1d
)

// ifdKind says what an IFD is, which decides which tags in it mean what.
type ifdKind uint8

const (
	ifdMain    ifdKind = iota // IFD0 and the IFDs chained after it (IFD1: the thumbnail)
	ifdExif                   // Exif sub-IFD
	ifdGPS                    // GPS sub-IFD
	ifdInterop                // Interoperability sub-IFD of the Exif IFD
)

func (k ifdKind) String() string {
	return [...]string{"IFD", "Exif IFD", "GPS IFD", "Interop IFD"}[k]
}

// readTags are the (IFD, tag, type) triples this reader decodes. A tag
// stored with another type is skipped rather than coerced, as the earlier
// reader did: a GPSLatitude written as SRATIONAL gives no position.
var readTags = map[ifdKind]map[uint16]uint16{
	ifdMain: {tagMake: typeASCII, tagModel: typeASCII, tagDateTimeOriginal: typeASCII, tagExifIFD: typeLong, tagGPSIFD: typeLong},
	ifdExif: {tagDateTimeOriginal: typeASCII, tagInteropIFD: typeLong},
	ifdGPS: {
		gpsVersionID: typeByte, gpsLatitudeRef: typeASCII, gpsLatitude: typeRational, gpsLongRef: typeASCII,
		gpsLongitude: typeRational, gpsAltitudeRef: typeByte, gpsAltitude: typeRational,
		gpsTimeStamp: typeRational, gpsDateStamp: typeASCII,
	},
}

// exifMeta is what an EXIF block says, as far as Inspect reports it.
type exifMeta struct {
	// Make, Model and Original are the last of each in the order the
	// IFDs are walked (Original: the last that parses). TagsErr, when set,
	// says why none of the three can be used.
	Make, Model string
	Original    time.Time
	TagsErr     error

	// Lat, Lon and GPSTime (zero when absent) are from the GPS IFD that
	// IFD0 points to. GPSErr, when set, says why there is no position.
	Lat, Lon float64
	GPSTime  time.Time
	GPSErr   error
}

// readEXIF finds the EXIF block of a JPEG, PNG or WebP file and reads it.
// An error means no metadata at all can be used: errNoEXIF when there is
// none, otherwise what was wrong with the file or the block.
func readEXIF(file []byte) (exifMeta, error) {
	block, err := findEXIF(file)
	if err != nil {
		return exifMeta{}, err
	}
	return parseEXIF(block)
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// findEXIF returns the EXIF block (TIFF structure: header, then IFDs) of a
// JPEG, PNG or WebP file, the containers Inspect reads metadata from.
func findEXIF(file []byte) ([]byte, error) {
	var (
		block []byte
		err   error
	)
	switch {
	case bytes.HasPrefix(file, []byte{0xff, 0xd8}):
		block, err = jpegEXIF(file)
		if err != nil {
			err = fmt.Errorf("JPEG: %w", err)
		}
	case bytes.HasPrefix(file, pngSignature):
		block, err = pngEXIF(file)
		if err != nil {
			err = fmt.Errorf("PNG: %w", err)
		}
	case len(file) >= 12 && string(file[:4]) == "RIFF" && string(file[8:12]) == "WEBP":
		block, err = webpEXIF(file)
		if err != nil {
			err = fmt.Errorf("WebP: %w", err)
		}
	default:
		err = errors.New("not a JPEG, PNG or WebP file")
	}
	return block, err
}

// jpegEXIF returns the body of the first APP1 segment that starts with the
// Exif identifier. Metadata segments precede the first scan, so the walk
// stops there rather than reading entropy-coded data as markers.
func jpegEXIF(file []byte) ([]byte, error) {
	i := 2 // past SOI
	for {
		if i >= len(file) {
			return nil, fmt.Errorf("file ends at byte %d before any image data: %w", i, errNoEXIF)
		}
		if file[i] != 0xff {
			return nil, fmt.Errorf("byte %d is 0x%02x where a marker should start", i, file[i])
		}
		// A marker may be preceded by any number of 0xff fill bytes.
		for i < len(file) && file[i] == 0xff {
			i++
		}
		if i >= len(file) {
			return nil, fmt.Errorf("file ends inside a marker at byte %d", i)
		}
		marker := file[i]
		i++
		switch {
		case marker == 0xd9 || marker == 0xda: // EOI, SOS
			return nil, errNoEXIF
		case marker == 0x01 || marker >= 0xd0 && marker <= 0xd8: // TEM, RSTn, SOI: no length
			continue
		case marker < 0xc0:
			return nil, fmt.Errorf("0xff%02x at byte %d is not a marker", marker, i-2)
		}
		if len(file)-i < 2 {
			return nil, fmt.Errorf("file ends in the length of segment 0xff%02x at byte %d", marker, i-2)
		}
		n := int(binary.BigEndian.Uint16(file[i:]))
		if n < 2 {
			return nil, fmt.Errorf("segment 0xff%02x at byte %d has length %d, less than its own length field", marker, i-2, n)
		}
		end := i + n
		if marker == 0xe1 && n >= 8 && string(file[i+2:min(i+7, len(file))]) == "Exif\x00" {
			// The sixth byte of the identifier should be 0 but some writers
			// put 0xff. A segment cut short by a truncated file is read as
			// far as it goes; anything the IFDs need past the cut is refused
			// when the block is parsed.
			if i+8 > len(file) {
				return nil, fmt.Errorf("file ends in the Exif identifier at byte %d", i+2)
			}
			return file[i+8 : min(end, len(file))], nil
		}
		if end > len(file) {
			return nil, fmt.Errorf("segment 0xff%02x at byte %d declares %d bytes, past the end of the %d-byte file", marker, i-2, n, len(file))
		}
		i = end
	}
}

// pngEXIF returns the data of the eXIf chunk. The chunk is meant to come
// before the image data but is taken wherever it is, and CRCs are not
// checked: the earlier reader found the block by its signature alone.
func pngEXIF(file []byte) ([]byte, error) {
	for i := len(pngSignature); i < len(file); {
		if len(file)-i < 8 {
			return nil, fmt.Errorf("file ends in the header of the chunk at byte %d", i)
		}
		n := uint64(binary.BigEndian.Uint32(file[i:]))
		typ := string(file[i+4 : i+8])
		data := i + 8
		if typ == "eXIf" {
			return trimExifIdentifier(file[data:min(uint64(data)+n, uint64(len(file)))]), nil
		}
		if typ == "IEND" {
			return nil, errNoEXIF
		}
		// Length, type, data, CRC.
		if n+12 > uint64(len(file)-i) {
			return nil, fmt.Errorf("chunk %q at byte %d declares %d bytes, past the end of the %d-byte file", typ, i, n, len(file))
		}
		i += int(n) + 12
	}
	return nil, errNoEXIF
}

// webpEXIF returns the data of the EXIF chunk of a RIFF WebP file.
func webpEXIF(file []byte) ([]byte, error) {
	for i := 12; i < len(file); {
		if len(file)-i < 8 {
			return nil, fmt.Errorf("file ends in the header of the chunk at byte %d", i)
		}
		typ := string(file[i : i+4])
		n := uint64(binary.LittleEndian.Uint32(file[i+4:]))
		data := i + 8
		if typ == "EXIF" {
			return trimExifIdentifier(file[data:min(uint64(data)+n, uint64(len(file)))]), nil
		}
		// Chunks are padded to an even length. The RIFF size is not
		// trusted; the chunks are walked to the end of the file.
		next := uint64(data) + n + n&1
		if next > uint64(len(file)) {
			if next-1 == uint64(len(file)) && n&1 == 1 {
				break // a missing pad byte after the last chunk
			}
			return nil, fmt.Errorf("chunk %q at byte %d declares %d bytes, past the end of the %d-byte file", typ, i, n, len(file))
		}
		i = int(next)
	}
	return nil, errNoEXIF
}

// trimExifIdentifier drops the JPEG "Exif\0\0" identifier that some
// writers copy into PNG and WebP chunks, which should hold the TIFF
// header directly.
func trimExifIdentifier(b []byte) []byte {
	if len(b) >= 6 && string(b[:6]) == "Exif\x00\x00" {
		return b[6:]
	}
	return b
}

// tiff is an EXIF block: offsets in it count from its first byte, the
// TIFF header.
type tiff struct {
	b     []byte
	order binary.ByteOrder

	ifds, entries int
	// nextSeen holds the next-IFD offsets already followed. Like the
	// earlier reader, a chain stops (without error) at an offset it has
	// followed before, which ends any cycle; maxIFDs bounds the rest.
	nextSeen map[uint32]bool
}

// entry is one 12-byte IFD entry.
type entry struct {
	tag, typ uint16
	count    uint32
	field    []byte // the 4-byte value-or-offset field
}

// ifd is an IFD whose entries and next-IFD offset have been checked to
// lie inside the block.
type ifd struct {
	kind  ifdKind
	index int // place in its chain: 0 for the first
	off   uint32
	n     int
}

func (k ifdKind) name(index int) string {
	if k == ifdMain {
		return fmt.Sprintf("IFD%d", index)
	}
	if index > 0 {
		return fmt.Sprintf("%s (#%d in its chain)", k, index+1)
	}
	return k.String()
}

func (t *tiff) entry(d ifd, i int) entry {
	p := int(d.off) + 2 + 12*i
	b := t.b[p : p+12]
	return entry{tag: t.order.Uint16(b), typ: t.order.Uint16(b[2:]), count: t.order.Uint32(b[4:]), field: b[8:12]}
}

func (t *tiff) next(d ifd) uint32 {
	return t.order.Uint32(t.b[int(d.off)+2+12*d.n:])
}

// open checks that the IFD at off fits in the block and counts it against
// the bounds.
func (t *tiff) open(kind ifdKind, index int, off uint32) (ifd, error) {
	name := kind.name(index)
	t.ifds++
	if t.ifds > maxIFDs {
		return ifd{}, fmt.Errorf("%s at offset %d: more than %d IFDs in one block", name, off, maxIFDs)
	}
	if uint64(off)+2 > uint64(len(t.b)) {
		return ifd{}, fmt.Errorf("%s: offset %d is outside the %d-byte block", name, off, len(t.b))
	}
	n := int(t.order.Uint16(t.b[off:]))
	if need := uint64(off) + 2 + 12*uint64(n) + 4; need > uint64(len(t.b)) {
		return ifd{}, fmt.Errorf("%s at offset %d: %d entries and the next-IFD offset need %d bytes, the block has %d", name, off, n, need, len(t.b))
	}
	t.entries += n
	if t.entries > maxEntries {
		return ifd{}, fmt.Errorf("%s at offset %d: more than %d entries in one block", name, off, maxEntries)
	}
	return ifd{kind: kind, index: index, off: off, n: n}, nil
}

// value returns the bytes of an entry's value: in the entry itself when
// they fit in four bytes, else at the offset the entry holds.
func (t *tiff) value(e entry) ([]byte, error) {
	if int(e.typ) >= len(typeSize) || typeSize[e.typ] == 0 {
		return nil, fmt.Errorf("tag 0x%04x: unknown type %d", e.tag, e.typ)
	}
	size := typeSize[e.typ] * uint64(e.count) // < 2^36: cannot overflow
	if size <= 4 {
		return e.field[:size], nil
	}
	off := uint64(t.order.Uint32(e.field))
	if off+size > uint64(len(t.b)) {
		return nil, fmt.Errorf("tag 0x%04x: %d-byte value at offset %d lies outside the %d-byte block", e.tag, size, off, len(t.b))
	}
	return t.b[off : off+size], nil
}

// walk visits the IFD chain at off and, depth first, the sub-IFDs its
// entries point to, calling visit on every entry in file order. The order
// matters: where a tag occurs more than once, the last one visited wins,
// as it did with the earlier reader.
func (t *tiff) walk(kind ifdKind, off uint32, visit func(ifd, entry)) error {
	for index := 0; ; index++ {
		d, err := t.open(kind, index, off)
		if err != nil {
			return err
		}
		for i := range d.n {
			e := t.entry(d, i)
			visit(d, e)
			if sub, ok := subIFD(kind, e); ok {
				if err := t.walk(sub, t.order.Uint32(e.field), visit); err != nil {
					return fmt.Errorf("%s: %w", kind.name(index), err)
				}
			}
		}
		next := t.next(d)
		if next == 0 || t.nextSeen[next] {
			return nil
		}
		t.nextSeen[next] = true
		off = next
	}
}

// subIFD reports whether an entry points to a sub-IFD, and which. Only a
// LONG counts: the earlier reader ignored pointers of any other type
// (even the IFD type 13), and so did the metadata stored with it.
func subIFD(kind ifdKind, e entry) (ifdKind, bool) {
	if e.typ != typeLong {
		return 0, false
	}
	switch {
	case kind == ifdMain && e.tag == tagExifIFD:
		return ifdExif, true
	case kind == ifdMain && e.tag == tagGPSIFD:
		return ifdGPS, true
	case kind == ifdExif && e.tag == tagInteropIFD:
		return ifdInterop, true
	}
	return 0, false
}

// parseEXIF reads an EXIF block. Its error means the block's structure is
// broken (header, or any IFD it links to), and then nothing in it is used:
// a block that does not hold together is not evidence of where or when.
func parseEXIF(block []byte) (exifMeta, error) {
	var x exifMeta
	if len(block) < 8 {
		return x, fmt.Errorf("EXIF block of %d bytes is shorter than a TIFF header", len(block))
	}
	t := &tiff{b: block, nextSeen: map[uint32]bool{}}
	switch string(block[:4]) {
	case "II*\x00":
		t.order = binary.LittleEndian
	case "MM\x00*":
		t.order = binary.BigEndian
	default:
		return x, fmt.Errorf("EXIF block starts with %q, not a TIFF header", block[:4])
	}
	first := t.order.Uint32(block[4:])

	var (
		make_, model []byte
		gpsOff       uint32
		hasGPS       bool
	)
	visit := func(d ifd, e entry) {
		if d.kind == ifdMain && d.index == 0 && e.tag == tagGPSIFD && e.typ == typeLong && !hasGPS {
			// Only IFD0's first GPS pointer gives the position, whether or
			// not its own value (a count above 1 puts it elsewhere) reads.
			gpsOff, hasGPS = t.order.Uint32(e.field), true
		}
		if int(e.typ) >= len(typeSize) || typeSize[e.typ] == 0 {
			return // a type the earlier reader skipped too
		}
		v, err := t.value(e)
		if err != nil {
			// A value outside the block means the block was cut short or
			// written wrong. The earlier reader then dropped Make, Model
			// and DateTimeOriginal together, for any of the 300 or so
			// tags it knew; so does this reader, for any tag.
			if x.TagsErr == nil {
				x.TagsErr = fmt.Errorf("%s: %w", d.kind.name(d.index), err)
			}
			return
		}
		if want, ok := readTags[d.kind][e.tag]; !ok || e.typ != want || d.kind == ifdGPS {
			return
		}
		if len(v) > maxText && e.typ == typeASCII {
			// A block may repeat a tag thousands of times over one large
			// value; reading each would cost that many times its size.
			if x.TagsErr == nil {
				x.TagsErr = fmt.Errorf("%s: tag 0x%04x: %d-byte text, longer than the %d this reader takes", d.kind.name(d.index), e.tag, len(v), maxText)
			}
			return
		}
		switch e.tag {
		case tagMake:
			make_ = v // decoded once, at the end
		case tagModel:
			model = v
		case tagDateTimeOriginal:
			if c, ok := parseDateTime(bytes.TrimRight(asciiValue(v), "\x00")); ok {
				x.Original = c
			}
		}
	}
	if err := t.walk(ifdMain, first, visit); err != nil {
		return exifMeta{}, fmt.Errorf("EXIF block: %w", err)
	}
	if x.TagsErr != nil {
		x.Original = time.Time{}
	} else {
		x.Make, x.Model = string(asciiValue(make_)), string(asciiValue(model))
	}
	if !hasGPS {
		x.GPSErr = errors.New("no GPS IFD")
		return x, nil
	}
	if x.Lat, x.Lon, x.GPSTime, x.GPSErr = t.gps(gpsOff); x.GPSErr != nil {
		x.Lat, x.Lon, x.GPSTime = 0, 0, time.Time{}
		x.GPSErr = fmt.Errorf("GPS IFD at offset %d: %w", gpsOff, x.GPSErr)
	}
	return x, nil
}

// asciiValue decodes an ASCII value as the earlier reader did, which the
// stored metadata follows: a value ending in NUL loses that one byte and
// keeps the rest as it is; one without loses everything from its first
// non-ASCII byte on.
func asciiValue(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == 0 {
		return b[:len(b)-1]
	}
	for i, c := range b {
		if c > 127 {
			return b[:i]
		}
	}
	return b
}

// parseDateTime parses a DateTimeOriginal as the earlier reader did, with
// time.Parse, which takes any number of digits of a fraction after the
// seconds. Past its 64th byte a value that parses can hold nothing else,
// so only those 64 bytes are copied to parse.
func parseDateTime(b []byte) (time.Time, bool) {
	if len(b) > 64 {
		for _, c := range b[64:] {
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
		}
		b = b[:64]
	}
	t, err := time.Parse("2006:01:02 15:04:05", string(b))
	return t, err == nil
}

// gpsVersions are the GPSVersionID values taken: a GPS IFD that says it
// is another version is not read, as before.
var gpsVersions = [][]byte{{2, 0, 0, 0}, {2, 2, 0, 0}, {2, 3, 0, 0}}

// gpsIFD holds the first entry of each GPS tag read that has the expected
// type; later ones, and ones of other types, are skipped, as before.
type gpsIFD struct {
	t     *tiff
	found map[uint16]entry
}

// value returns a tag's value; ok is false when the tag is absent.
func (g gpsIFD) value(tag uint16) (v []byte, ok bool, err error) {
	e, ok := g.found[tag]
	if !ok {
		return nil, false, nil
	}
	v, err = g.t.value(e)
	return v, true, err
}

// gps reads the position, and the time when there is one, from the GPS IFD
// at off, which walk has already checked. Values are read in the order and
// under the conditions the earlier reader read them: it refused the
// position when one it read was unreadable or malformed (even an altitude
// or a date, which are not reported), and positions stored with it were
// decided by that.
func (t *tiff) gps(off uint32) (lat, lon float64, when time.Time, err error) {
	end := uint64(len(t.b))
	if uint64(off)+6 > end || uint64(off)+6+12*uint64(t.order.Uint16(t.b[off:])) > end {
		// walk has opened this IFD; the check keeps a change there from
		// turning into a panic here.
		return 0, 0, time.Time{}, fmt.Errorf("offset %d: IFD outside the block", off)
	}
	g := gpsIFD{t: t, found: map[uint16]entry{}}
	for i := range int(t.order.Uint16(t.b[off:])) {
		e := t.entry(ifd{off: off}, i)
		if want, ok := readTags[ifdGPS][e.tag]; ok && e.typ == want {
			if _, dup := g.found[e.tag]; !dup {
				g.found[e.tag] = e
			}
		}
	}

	v, ok, err := g.value(gpsVersionID)
	if err != nil {
		return 0, 0, time.Time{}, fmt.Errorf("GPSVersionID: %w", err)
	}
	if ok {
		known := false
		for _, g := range gpsVersions {
			known = known || bytes.Equal(v, g)
		}
		if !known {
			return 0, 0, time.Time{}, fmt.Errorf("GPSVersionID %v is not 2.0, 2.2 or 2.3", v)
		}
	}
	if lat, err = g.coordinate(gpsLatitudeRef, gpsLatitude, "latitude"); err != nil {
		return 0, 0, time.Time{}, err
	}
	if lon, err = g.coordinate(gpsLongRef, gpsLongitude, "longitude"); err != nil {
		return 0, 0, time.Time{}, err
	}
	if err := g.altitude(); err != nil {
		return 0, 0, time.Time{}, err
	}
	if when, err = g.time(); err != nil {
		return 0, 0, time.Time{}, err
	}
	return lat, lon, when, nil
}

// coordinate converts degrees, minutes and seconds, each a RATIONAL, to
// decimal degrees, negative when the reference starts with S or W. The
// arithmetic is the earlier reader's, to the bit.
func (g gpsIFD) coordinate(refTag, tag uint16, what string) (float64, error) {
	v, ok, err := g.value(tag)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	if !ok {
		return 0, fmt.Errorf("no %s", what)
	}
	r, ok, err := g.value(refTag)
	if err != nil {
		return 0, fmt.Errorf("%s reference: %w", what, err)
	}
	if !ok {
		return 0, fmt.Errorf("no %s reference", what)
	}
	ref := asciiValue(r)
	if len(ref) == 0 {
		return 0, fmt.Errorf("%s reference is empty", what)
	}
	if len(v) != 3*8 {
		return 0, fmt.Errorf("%s has %d values, not degrees, minutes and seconds", what, len(v)/8)
	}
	var part [3]float64
	for i := range part {
		part[i] = float64(g.t.order.Uint32(v[8*i:])) / float64(g.t.order.Uint32(v[8*i+4:]))
	}
	dec := part[0] + part[1]/60.0 + part[2]/3600.0
	if math.IsInf(dec, 0) || math.IsNaN(dec) {
		// A zero denominator. The earlier reader let the infinity through,
		// and JSON cannot hold it: such a file could not be stored.
		return 0, fmt.Errorf("%s has a zero denominator", what)
	}
	if ref[0] == 'S' || ref[0] == 'W' {
		dec = -dec
	}
	return dec, nil
}

// altitude checks GPSAltitude and GPSAltitudeRef when both are present.
// The altitude is not reported; the checks are the earlier reader's.
func (g gpsIFD) altitude() error {
	_, hasAlt := g.found[gpsAltitude]
	_, hasRef := g.found[gpsAltitudeRef]
	if !hasAlt || !hasRef {
		return nil
	}
	alt, _, err := g.value(gpsAltitude)
	if err != nil {
		return fmt.Errorf("GPSAltitude: %w", err)
	}
	ref, _, err := g.value(gpsAltitudeRef)
	if err != nil {
		return fmt.Errorf("GPSAltitudeRef: %w", err)
	}
	if len(alt) == 0 {
		return errors.New("GPSAltitude has no value")
	}
	if g.t.order.Uint32(alt[4:]) > 0 && len(ref) == 0 {
		return errors.New("GPSAltitudeRef has no value")
	}
	return nil
}

// time reads GPSDateStamp and GPSTimeStamp when both are present. A date
// whose parts are not numbers leaves the time out; one without three parts,
// or a malformed time of day, refuses the position, as before.
func (g gpsIFD) time() (time.Time, error) {
	_, hasTime := g.found[gpsTimeStamp]
	_, hasDate := g.found[gpsDateStamp]
	if !hasTime || !hasDate {
		return time.Time{}, nil
	}
	d, _, err := g.value(gpsDateStamp)
	if err != nil {
		return time.Time{}, fmt.Errorf("GPSDateStamp: %w", err)
	}
	date := string(asciiValue(d))
	// Three parts are used; SplitN keeps a long value from costing more.
	parts := strings.SplitN(strings.ReplaceAll(date, "-", ":"), ":", 4)
	if len(parts) < 3 {
		return time.Time{}, fmt.Errorf("GPSDateStamp %q is not a date", date[:min(len(date), 32)])
	}
	year, err1 := strconv.ParseUint(parts[0], 10, 16)
	month, err2 := strconv.ParseUint(parts[1], 10, 8)
	day, err3 := strconv.ParseUint(parts[2], 10, 8)
	if err1 != nil || err2 != nil || err3 != nil {
		return time.Time{}, nil
	}
	v, _, err := g.value(gpsTimeStamp)
	if err != nil {
		return time.Time{}, fmt.Errorf("GPSTimeStamp: %w", err)
	}
	if len(v) < 3*8 {
		return time.Time{}, fmt.Errorf("GPSTimeStamp has %d values, not hours, minutes and seconds", len(v)/8)
	}
	var hms [3]int
	for i := range hms {
		den := g.t.order.Uint32(v[8*i+4:])
		if den == 0 {
			return time.Time{}, errors.New("GPSTimeStamp has a zero denominator")
		}
		hms[i] = int(g.t.order.Uint32(v[8*i:]) / den)
	}
	// time.Date normalises out-of-range fields (month 13 is January of the
	// next year), as it did for the earlier reader.
	when := time.Date(int(year), time.Month(month), int(day), hms[0], hms[1], hms[2], 0, time.UTC)
	if when.Year() < 0 || when.Year() > 9999 {
		// JSON cannot hold such a time, so the earlier reader's result for
		// this file could not be stored and none depends on it. The
		// position stands without the time.
		return time.Time{}, nil
	}
	return when, nil
}
