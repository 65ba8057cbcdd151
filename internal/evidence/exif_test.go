package evidence

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"strings"
	"testing"
	"time"
)

// A small TIFF writer for the tests: IFDs are laid out after the header in
// the order they are first reached (entries' sub-IFDs depth first, then the
// next IFD), and values longer than four bytes after all IFDs.

type order interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

type tEntry struct {
	tag, typ uint16
	count    uint32
	val      []byte  // the encoded value
	sub      *tIFD   // a sub-IFD this entry points to (a LONG)
	field    *uint32 // the value-or-offset field as is, for bad offsets
}

type tIFD struct {
	entries []tEntry
	next    *tIFD
	rawNext uint32 // the next-IFD offset as is, when next is nil
}

func buildTIFF(o order, root *tIFD) []byte {
	var order []*tIFD
	at := map[*tIFD]uint32{}
	off := uint32(8)
	var place func(d *tIFD)
	place = func(d *tIFD) {
		if d == nil {
			return
		}
		if _, ok := at[d]; ok {
			return
		}
		at[d] = off
		order = append(order, d)
		off += 2 + 12*uint32(len(d.entries)) + 4
		for _, e := range d.entries {
			place(e.sub)
		}
		place(d.next)
	}
	place(root)

	b := make([]byte, off)
	if o == binary.BigEndian {
		copy(b, "MM\x00*")
	} else {
		copy(b, "II*\x00")
	}
	o.PutUint32(b[4:], at[root])
	for _, d := range order {
		p := at[d]
		o.PutUint16(b[p:], uint16(len(d.entries)))
		for i, e := range d.entries {
			q := p + 2 + 12*uint32(i)
			o.PutUint16(b[q:], e.tag)
			o.PutUint16(b[q+2:], e.typ)
			o.PutUint32(b[q+4:], e.count)
			switch {
			case e.field != nil:
				o.PutUint32(b[q+8:], *e.field)
			case e.sub != nil:
				o.PutUint32(b[q+8:], at[e.sub])
			case len(e.val) <= 4:
				copy(b[q+8:q+12], e.val)
			default:
				o.PutUint32(b[q+8:], uint32(len(b)))
				b = append(b, e.val...)
			}
		}
		next := d.rawNext
		if d.next != nil {
			next = at[d.next]
		}
		o.PutUint32(b[p+2+12*uint32(len(d.entries)):], next)
	}
	return b
}

func asciiTag(tag uint16, s string) tEntry {
	return tEntry{tag: tag, typ: typeASCII, count: uint32(len(s) + 1), val: append([]byte(s), 0)}
}

func rationalTag(o order, tag uint16, numDen ...uint32) tEntry {
	var v []byte
	for _, x := range numDen {
		v = o.AppendUint32(v, x)
	}
	return tEntry{tag: tag, typ: typeRational, count: uint32(len(numDen) / 2), val: v}
}

func pointer(tag uint16, sub *tIFD) tEntry {
	return tEntry{tag: tag, typ: typeLong, count: 1, sub: sub}
}

func u32(v uint32) *uint32 { return &v }

// camera is a block as a camera writes it: IFD0 with Make and Model, an
// Exif IFD with DateTimeOriginal, a GPS IFD and a thumbnail IFD1.
func camera(o order, gps ...tEntry) []byte {
	exif := &tIFD{entries: []tEntry{
		{tag: 0x829a, typ: typeRational, count: 1, val: o.AppendUint32(o.AppendUint32(nil, 1), 250)},
		asciiTag(tagDateTimeOriginal, "2024:03:05 14:07:09"),
	}}
	ifd1 := &tIFD{entries: []tEntry{{tag: 0x0201, typ: typeLong, count: 1, val: o.AppendUint32(nil, 0)}}}
	ifd0 := &tIFD{entries: []tEntry{
		asciiTag(tagMake, "Canon"),
		asciiTag(tagModel, "EOS 5D"),
		pointer(tagExifIFD, exif),
	}, next: ifd1}
	if gps != nil {
		ifd0.entries = append(ifd0.entries, pointer(tagGPSIFD, &tIFD{entries: gps}))
	}
	return buildTIFF(o, ifd0)
}

// gpsTags is a GPS IFD at 50°26'22.5"N 30°31'24"E, taken on 2024-03-05 at
// 12:07:09 UTC.
func gpsTags(o order) []tEntry {
	return []tEntry{
		{tag: gpsVersionID, typ: typeByte, count: 4, val: []byte{2, 2, 0, 0}},
		asciiTag(gpsLatitudeRef, "N"),
		rationalTag(o, gpsLatitude, 50, 1, 26, 1, 2250, 100),
		asciiTag(gpsLongRef, "E"),
		rationalTag(o, gpsLongitude, 30, 1, 3140, 100, 0, 1),
		rationalTag(o, gpsTimeStamp, 12, 1, 7, 1, 9, 1),
		asciiTag(gpsDateStamp, "2024:03:05"),
	}
}

func jpegWith(segments ...[]byte) []byte {
	b := []byte{0xff, 0xd8}
	for _, s := range segments {
		b = append(b, s...)
	}
	// A scan header and some entropy-coded data, then EOI.
	b = append(b, 0xff, 0xda, 0x00, 0x04, 0x01, 0x00, 0x12, 0x34, 0xff, 0x00, 0x56, 0xff, 0xd9)
	return b
}

func segment(marker byte, body []byte) []byte {
	n := len(body) + 2
	return append([]byte{0xff, marker, byte(n >> 8), byte(n)}, body...)
}

func jpegEXIFFile(block []byte) []byte {
	return jpegWith(segment(0xe0, []byte("JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")), segment(0xe1, append([]byte("Exif\x00\x00"), block...)))
}

func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

func pngFile(chunks ...[]byte) []byte {
	b := append([]byte(nil), pngSignature...)
	b = append(b, pngChunk("IHDR", []byte{0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0})...)
	for _, c := range chunks {
		b = append(b, c...)
	}
	b = append(b, pngChunk("IDAT", []byte{0x78, 0x9c, 0x63, 0, 0, 0, 2, 0, 1})...)
	return append(b, pngChunk("IEND", nil)...)
}

func webpChunk(typ string, data []byte) []byte {
	b := append([]byte(typ), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	b = append(b, data...)
	if len(data)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

func webpFile(chunks ...[]byte) []byte {
	body := []byte("WEBP")
	body = append(body, webpChunk("VP8X", []byte{0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0})...)
	for _, c := range chunks {
		body = append(body, c...)
	}
	return append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...), body...)
}

var (
	le, be  = order(binary.LittleEndian), order(binary.BigEndian)
	taken   = time.Date(2024, 3, 5, 14, 7, 9, 0, time.UTC)
	gpsTime = time.Date(2024, 3, 5, 12, 7, 9, 0, time.UTC)
	kyivLat = 50 + 26.0/60 + 22.5/3600
	kyivLon = 30 + 31.4/60
)

func TestReadEXIF(t *testing.T) {
	gpsJPG, err := os.ReadFile("testdata/gps.jpg")
	if err != nil {
		t.Fatal(err)
	}
	full := exifMeta{Make: "Canon", Model: "EOS 5D", Original: taken, Lat: kyivLat, Lon: kyivLon, GPSTime: gpsTime}

	// IFD0 -> IFD1 -> IFD0 and an Exif IFD that is its own next IFD.
	exif := &tIFD{entries: []tEntry{asciiTag(tagDateTimeOriginal, "2024:03:05 14:07:09")}}
	exif.next = exif
	ifd0 := &tIFD{entries: []tEntry{asciiTag(tagMake, "Canon"), pointer(tagExifIFD, exif)}}
	ifd0.next = &tIFD{entries: []tEntry{asciiTag(tagModel, "EOS 5D")}, next: ifd0}
	cycle := buildTIFF(be, ifd0)

	selfLoop := buildTIFF(le, &tIFD{entries: []tEntry{asciiTag(tagMake, "Nikon")}, rawNext: 8})

	// A chain of IFDs longer than any camera writes.
	var long *tIFD
	for range maxIFDs + 1 {
		long = &tIFD{next: long}
	}

	cameraLE := camera(le, gpsTags(le)...)
	for _, c := range []struct {
		name    string
		file    []byte
		want    exifMeta
		wantErr string // in the error; "" for none
		tagsErr string // in TagsErr
		gpsErr  string // in GPSErr
	}{
		{name: "little-endian JPEG", file: jpegEXIFFile(cameraLE), want: full},
		{name: "big-endian JPEG", file: jpegEXIFFile(camera(be, gpsTags(be)...)), want: full},
		{name: "PNG eXIf", file: pngFile(pngChunk("eXIf", camera(be, gpsTags(be)...))), want: full},
		{name: "PNG eXIf with Exif identifier", file: pngFile(pngChunk("eXIf", append([]byte("Exif\x00\x00"), cameraLE...))), want: full},
		{name: "WebP EXIF", file: webpFile(webpChunk("ICCP", []byte{1, 2, 3}), webpChunk("EXIF", cameraLE)), want: full},
		{name: "no GPS IFD", file: jpegEXIFFile(camera(le)), want: exifMeta{Make: "Canon", Model: "EOS 5D", Original: taken}, gpsErr: "no GPS IFD"},
		{name: "gps.jpg", file: gpsJPG, want: exifMeta{Lat: -38.405194783333336, Lon: 144.188958}},

		{name: "JPEG without EXIF", file: jpegWith(segment(0xe0, []byte("JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"))), wantErr: errNoEXIF.Error()},
		{name: "JPEG with XMP only", file: jpegWith(segment(0xe1, []byte("http://ns.adobe.com/xap/1.0/\x00<x/>"))), wantErr: errNoEXIF.Error()},
		{name: "PNG without eXIf", file: pngFile(), wantErr: errNoEXIF.Error()},
		{name: "WebP without EXIF", file: webpFile(), wantErr: errNoEXIF.Error()},
		{name: "not an image", file: []byte("%PDF-1.7\n"), wantErr: "not a JPEG, PNG or WebP"},

		{name: "truncated gps.jpg", file: gpsJPG[:200], wantErr: "IFD0: GPS IFD at offset 114: 6 entries and the next-IFD offset need 192 bytes, the block has 170"},
		{name: "JPEG truncated in a segment", file: jpegWith(segment(0xe0, make([]byte, 20)))[:12], wantErr: "past the end of the 12-byte file"},
		{name: "PNG chunk past the end", file: pngFile()[:45], wantErr: `chunk "IDAT" at byte 33 declares 9 bytes, past the end of the 45-byte file`},
		{name: "block cut before its IFD", file: jpegEXIFFile(cameraLE[:20]), wantErr: "IFD0 at offset 8: 4 entries and the next-IFD offset need 62 bytes, the block has 20"},
		{name: "block cut before the GPS IFD", file: jpegEXIFFile(cameraLE[:120]), wantErr: "IFD0: GPS IFD at offset 92: 7 entries and the next-IFD offset need 182 bytes, the block has 120"},

		{name: "IFD cycle", file: jpegEXIFFile(cycle), want: exifMeta{Make: "Canon", Model: "EOS 5D", Original: taken}, gpsErr: "no GPS IFD"},
		{name: "IFD0 is its own next IFD", file: jpegEXIFFile(selfLoop), want: exifMeta{Make: "Nikon"}, gpsErr: "no GPS IFD"},
		{name: "too many IFDs", file: jpegEXIFFile(buildTIFF(le, long)), wantErr: "more than 32 IFDs"},
		{name: "IFD overlapping the header", file: jpegEXIFFile([]byte("II*\x00\x02\x00\x00\x00\x00\x00\x00\x00")), wantErr: "IFD0 at offset 2: 42 entries and the next-IFD offset need 512 bytes, the block has 12"},
		{name: "no TIFF header", file: jpegEXIFFile([]byte("XX*\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00")), wantErr: `starts with "XX*\x00", not a TIFF header`},
		{
			name: "value outside the block",
			file: jpegEXIFFile(buildTIFF(be, &tIFD{entries: []tEntry{
				asciiTag(tagMake, "Canon"),
				{tag: tagModel, typ: typeASCII, count: 40, field: u32(0xfffffff0)},
			}})),
			tagsErr: "IFD0: tag 0x0110: 40-byte value at offset 4294967280 lies outside the 44-byte block",
			gpsErr:  "no GPS IFD",
		},
		{
			// Any tag's: the block is damaged. The position does not
			// depend on it and stands.
			name: "other tag's value outside the block",
			file: jpegEXIFFile(buildTIFF(le, &tIFD{entries: []tEntry{
				asciiTag(tagMake, "Canon"),
				{tag: 0xc4a5, typ: 7, count: 100, field: u32(1 << 16)},
				pointer(tagGPSIFD, &tIFD{entries: gpsTags(le)}),
			}})),
			want:    exifMeta{Lat: kyivLat, Lon: kyivLon, GPSTime: gpsTime},
			tagsErr: "IFD0: tag 0xc4a5: 100-byte value at offset 65536 lies outside",
		},
		{
			name:    "Make too long",
			file:    jpegEXIFFile(buildTIFF(be, &tIFD{entries: []tEntry{asciiTag(tagMake, strings.Repeat("C", maxText))}})),
			tagsErr: "IFD0: tag 0x010f: 4097-byte text, longer than the 4096 this reader takes",
			gpsErr:  "no GPS IFD",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			x, err := readEXIF(c.file)
			if !matchErr(err, c.wantErr) || !matchErr(x.TagsErr, c.tagsErr) || !matchErr(x.GPSErr, c.gpsErr) {
				t.Fatalf("errors: %v; tags: %v; GPS: %v", err, x.TagsErr, x.GPSErr)
			}
			x.TagsErr, x.GPSErr = nil, nil
			if !sameMeta(x, c.want) {
				t.Errorf("readEXIF = %+v, want %+v", x, c.want)
			}
			// Whatever the file, Inspect's result must be storable.
			if _, err := json.Marshal(Inspect(c.file)); err != nil {
				t.Error(err)
			}
		})
	}
}

func matchErr(err error, want string) bool {
	if want == "" {
		return err == nil
	}
	return err != nil && strings.Contains(err.Error(), want)
}

// sameMeta compares coordinates to within a rounding error: the tests
// write the expected values as sums in another order than the reader.
func sameMeta(a, b exifMeta) bool {
	near := func(x, y float64) bool { return math.Abs(x-y) < 1e-12 }
	return a.Make == b.Make && a.Model == b.Model && a.Original.Equal(b.Original) && a.GPSTime.Equal(b.GPSTime) && near(a.Lat, b.Lat) && near(a.Lon, b.Lon)
}

func TestGPS(t *testing.T) {
	gps := func(o order, edit func([]tEntry) []tEntry) []byte {
		return jpegEXIFFile(camera(o, edit(gpsTags(o))...))
	}
	set := func(e tEntry) func([]tEntry) []tEntry {
		return func(tags []tEntry) []tEntry {
			for i := range tags {
				if tags[i].tag == e.tag {
					tags[i] = e
					return tags
				}
			}
			return append(tags, e)
		}
	}
	drop := func(tag uint16) func([]tEntry) []tEntry {
		return func(tags []tEntry) []tEntry {
			for i := range tags {
				if tags[i].tag == tag {
					return append(tags[:i], tags[i+1:]...)
				}
			}
			return tags
		}
	}
	then := func(fs ...func([]tEntry) []tEntry) func([]tEntry) []tEntry {
		return func(tags []tEntry) []tEntry {
			for _, f := range fs {
				tags = f(tags)
			}
			return tags
		}
	}
	for _, o := range []order{le, be} {
		for _, c := range []struct {
			name     string
			edit     func([]tEntry) []tEntry
			lat, lon float64
			when     time.Time
			err      string
		}{
			{name: "N E", edit: then(), lat: kyivLat, lon: kyivLon, when: gpsTime},
			{name: "S W", edit: then(set(asciiTag(gpsLatitudeRef, "S")), set(asciiTag(gpsLongRef, "W"))), lat: -kyivLat, lon: -kyivLon, when: gpsTime},
			{
				name: "whole degrees, fractional minutes",
				edit: then(set(rationalTag(o, gpsLatitude, 33, 1, 5172, 100, 0, 1)), set(asciiTag(gpsLatitudeRef, "S")), set(rationalTag(o, gpsLongitude, 151, 1, 12, 1, 3600, 100))),
				lat:  -(33 + 51.72/60), lon: 151 + 12.0/60 + 36.0/3600, when: gpsTime,
			},
			{name: "reference without NUL", edit: set(tEntry{tag: gpsLatitudeRef, typ: typeASCII, count: 1, val: []byte("S")}), lat: -kyivLat, lon: kyivLon, when: gpsTime},
			{name: "unknown reference counts as N", edit: set(asciiTag(gpsLatitudeRef, "X")), lat: kyivLat, lon: kyivLon, when: gpsTime},
			{name: "no version", edit: drop(gpsVersionID), lat: kyivLat, lon: kyivLon, when: gpsTime},
			{name: "date with hyphens", edit: set(asciiTag(gpsDateStamp, "2024-03-05")), lat: kyivLat, lon: kyivLon, when: gpsTime},
			{name: "date that does not parse", edit: set(asciiTag(gpsDateStamp, "2024:03:xx")), lat: kyivLat, lon: kyivLon},
			{name: "date beyond JSON", edit: set(asciiTag(gpsDateStamp, "9999:255:01")), lat: kyivLat, lon: kyivLon},
			{name: "no time of day", edit: drop(gpsTimeStamp), lat: kyivLat, lon: kyivLon},
			{name: "altitude", edit: then(set(tEntry{tag: gpsAltitudeRef, typ: typeByte, count: 1, val: []byte{1}}), set(rationalTag(o, gpsAltitude, 1234, 10))), lat: kyivLat, lon: kyivLon, when: gpsTime},

			{name: "latitude of two values", edit: set(rationalTag(o, gpsLatitude, 50, 1, 26, 1)), err: "latitude has 2 values"},
			{name: "zero denominator", edit: set(rationalTag(o, gpsLongitude, 30, 0, 31, 1, 24, 1)), err: "longitude has a zero denominator"},
			{name: "empty reference", edit: set(asciiTag(gpsLongRef, "")), err: "longitude reference is empty"},
			{name: "no reference", edit: drop(gpsLatitudeRef), err: "no latitude reference"},
			{name: "latitude as SRATIONAL", edit: set(tEntry{tag: gpsLatitude, typ: 10, count: 3, val: make([]byte, 24)}), err: "no latitude"},
			{name: "unknown version", edit: set(tEntry{tag: gpsVersionID, typ: typeByte, count: 4, val: []byte{3, 0, 0, 0}}), err: "GPSVersionID [3 0 0 0]"},
			{name: "date of one part", edit: set(asciiTag(gpsDateStamp, "")), err: `GPSDateStamp "" is not a date`},
			{name: "time of day with a zero denominator", edit: set(rationalTag(o, gpsTimeStamp, 12, 1, 7, 0, 9, 1)), err: "GPSTimeStamp has a zero denominator"},
			{name: "empty altitude", edit: then(set(tEntry{tag: gpsAltitudeRef, typ: typeByte, count: 1}), set(tEntry{tag: gpsAltitude, typ: typeRational})), err: "GPSAltitude has no value"},
			{name: "latitude outside the block", edit: set(tEntry{tag: gpsLatitude, typ: typeRational, count: 3, field: u32(1 << 20)}), err: "latitude: tag 0x0002: 24-byte value at offset 1048576 lies outside"},
		} {
			t.Run(o.String()+"/"+c.name, func(t *testing.T) {
				x, err := readEXIF(gps(o, c.edit))
				if err != nil {
					t.Fatal(err)
				}
				if !matchErr(x.GPSErr, c.err) {
					t.Fatalf("GPSErr = %v, want %q", x.GPSErr, c.err)
				}
				if x.Lat != 0 && c.err != "" {
					t.Errorf("a refused position is left in: %+v", x)
				}
				if math.Abs(x.Lat-c.lat) > 1e-12 || math.Abs(x.Lon-c.lon) > 1e-12 || !x.GPSTime.Equal(c.when) {
					t.Errorf("got %v %v %v, want %v %v %v", x.Lat, x.Lon, x.GPSTime, c.lat, c.lon, c.when)
				}
			})
		}
	}
}

func TestParseDateTime(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2024:03:05 14:07:09", taken, true},
		{"2024:03:05 4:07:09", time.Date(2024, 3, 5, 4, 7, 9, 0, time.UTC), true},
		{"2024:03:05 14:07:09.25", taken.Add(250 * time.Millisecond), true},
		{"2024:03:05 14:07:09." + strings.Repeat("5", 100), taken.Add(555555555), true},
		{"2024:03:05 14:07:09." + strings.Repeat("5", 100) + "Z", time.Time{}, false},
		{"2024:03:05 14:07:09 ", time.Time{}, false},
		{"2024-03-05 14:07:09", time.Time{}, false},
		{"2024:02:30 14:07:09", time.Time{}, false},
		{"    :  :     :  :  ", time.Time{}, false},
		{"", time.Time{}, false},
	} {
		if got, ok := parseDateTime([]byte(c.in)); ok != c.ok || !got.Equal(c.want) {
			t.Errorf("parseDateTime(%.30q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// TestInspectEXIF checks what Inspect reports, which is what is stored.
func TestInspectEXIF(t *testing.T) {
	const kyiv = `"has_point":true,"lat":50.43958333333333,"lon":30.523333333333333`
	gpsJPG, err := os.ReadFile("testdata/gps.jpg")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		file []byte
		want string // the JSON after media_type and size
	}{
		// As github.com/dsoprea/go-exif/v3 read it, to the last digit.
		{"gps.jpg", gpsJPG, `"has_point":true,"lat":-38.405194783333336,"lon":144.188958`},
		{"JPEG", jpegEXIFFile(camera(le, gpsTags(le)...)), `"captured":"2024-03-05T14:07:09Z","camera":"Canon EOS 5D",` + kyiv},
		{"PNG", pngFile(pngChunk("eXIf", camera(be, gpsTags(be)...))), `"captured":"2024-03-05T14:07:09Z","camera":"Canon EOS 5D",` + kyiv},
		{"WebP", webpFile(webpChunk("EXIF", camera(le))), `"captured":"2024-03-05T14:07:09Z","camera":"Canon EOS 5D"`},
		{"GPS time when no DateTimeOriginal", jpegEXIFFile(buildTIFF(le, &tIFD{entries: []tEntry{pointer(tagGPSIFD, &tIFD{entries: gpsTags(le)})}})), `"captured":"2024-03-05T12:07:09Z",` + kyiv},
		// Only the last NUL is dropped, and only trailing NULs and spaces
		// of the whole are trimmed, as the stored metadata has it.
		{"Make padded with NULs", jpegEXIFFile(buildTIFF(be, &tIFD{entries: []tEntry{{tag: tagMake, typ: typeASCII, count: 8, val: []byte("Sony  \x00\x00")}}})), `"camera":"Sony  \u0000"`},
		{"later Make wins", jpegEXIFFile(buildTIFF(be, &tIFD{entries: []tEntry{asciiTag(tagMake, "A")}, next: &tIFD{entries: []tEntry{asciiTag(tagMake, "B")}}})), `"camera":"B"`},
		{"no EXIF", jpegWith(), ``},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := Inspect(c.file)
			j, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf(`{"media_type":%q,"size":%d`, m.MediaType, len(c.file))
			if c.want != "" {
				want += "," + c.want
			}
			if want += "}"; string(j) != want {
				t.Errorf("Inspect = %s\nwant      %s", j, want)
			}
		})
	}
}

// TestTruncated cuts a file at every length: no cut may panic, and every
// cut inside the EXIF block's IFDs must be refused rather than half read.
func TestTruncated(t *testing.T) {
	block := camera(be, gpsTags(be)...)
	file := jpegEXIFFile(block)
	start := bytes.Index(file, []byte("MM\x00*"))
	for n := range len(file) {
		x, err := readEXIF(file[:n])
		if n < start+len(block) && err == nil && x.TagsErr == nil && x.GPSErr == nil {
			t.Errorf("cut at %d of %d: read in full: %+v", n, len(file), x)
		}
		if n >= start+len(block) && (err != nil || x.TagsErr != nil || x.GPSErr != nil) {
			t.Errorf("cut at %d, after the block: %v %v %v", n, err, x.TagsErr, x.GPSErr)
		}
		if _, err := json.Marshal(Inspect(file[:n])); err != nil {
			t.Error(err)
		}
	}
}

func FuzzEXIF(f *testing.F) {
	if b, err := os.ReadFile("testdata/gps.jpg"); err == nil {
		f.Add(b)
	}
	for _, o := range []order{le, be} {
		block := camera(o, gpsTags(o)...)
		f.Add(block)
		f.Add(jpegEXIFFile(block))
		f.Add(pngFile(pngChunk("eXIf", block)))
		f.Add(webpFile(webpChunk("EXIF", block)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The bytes as a file, and as a bare EXIF block so that mutations
		// reach the IFDs without a container to get past.
		x, err := readEXIF(data)
		y, yerr := parseEXIF(data)
		for _, r := range []struct {
			x   exifMeta
			err error
		}{{x, err}, {y, yerr}} {
			if r.err != nil && r.x != (exifMeta{}) {
				t.Errorf("error %v, and metadata: %+v", r.err, r.x)
			}
			if r.x.GPSErr == nil && r.err == nil && (math.IsNaN(r.x.Lat+r.x.Lon) || math.IsInf(r.x.Lat+r.x.Lon, 0)) {
				t.Errorf("position %v %v", r.x.Lat, r.x.Lon)
			}
			if r.err != nil && !errors.Is(r.err, errNoEXIF) && r.err.Error() == "" {
				t.Error("empty error")
			}
		}
		if _, err := json.Marshal(Inspect(data)); err != nil {
			t.Errorf("Inspect's result cannot be stored: %v", err)
		}
	})
}
