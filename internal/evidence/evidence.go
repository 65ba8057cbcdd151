// Package evidence reads what an evidence file says about itself: its
// type, from its content, and the capture metadata a camera writes (EXIF:
// when, where, with what). It never trusts a file's name.
package evidence

import (
	"net/http"
	"slices"
	"strings"
	"time"

	exif "github.com/dsoprea/go-exif/v3"
	exifcommon "github.com/dsoprea/go-exif/v3/common"
)

// MaxSize bounds an evidence file.
const MaxSize = 32 << 20

// Types are the kinds of evidence taken: photos, videos, documents and
// sound, by the type their content shows.
var Types = []string{"image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4", "video/webm", "video/avi", "application/pdf", "audio/mpeg", "audio/wave", "application/ogg"}

// Meta is what a file says about itself.
type Meta struct {
	MediaType string    `json:"media_type"`
	Size      int       `json:"size"`
	Captured  time.Time `json:"captured,omitzero"`
	Camera    string    `json:"camera,omitempty"`
	HasPoint  bool      `json:"has_point,omitempty"`
	Lat       float64   `json:"lat,omitempty"`
	Lon       float64   `json:"lon,omitempty"`
}

// MediaType is the type of data by its content, without parameters.
func MediaType(data []byte) string {
	mt := http.DetectContentType(data)
	mt, _, _ = strings.Cut(mt, ";")
	return mt
}

// Accepted reports whether a type is taken as evidence.
func Accepted(mediaType string) bool { return slices.Contains(Types, mediaType) }

// Inspect reads a file's type and, for photos that carry it, its capture
// metadata. Metadata that cannot be read is left out, never guessed.
func Inspect(data []byte) Meta {
	m := Meta{MediaType: MediaType(data), Size: len(data)}
	if m.MediaType != "image/jpeg" && m.MediaType != "image/webp" && m.MediaType != "image/png" {
		return m
	}
	raw, err := exif.SearchAndExtractExif(data)
	if err != nil {
		return m
	}
	tags, _, err := exif.GetFlatExifData(raw, nil)
	if err == nil {
		var make_, model string
		for _, t := range tags {
			switch t.TagName {
			case "DateTimeOriginal":
				if s, ok := t.Value.(string); ok {
					if c, err := time.Parse("2006:01:02 15:04:05", strings.TrimRight(s, "\x00")); err == nil {
						m.Captured = c
					}
				}
			case "Make":
				make_, _ = t.Value.(string)
			case "Model":
				model, _ = t.Value.(string)
			}
		}
		m.Camera = strings.TrimSpace(strings.TrimRight(make_+" "+model, "\x00"))
	}
	im, err := exifcommon.NewIfdMappingWithStandard()
	if err != nil {
		return m
	}
	_, index, err := exif.Collect(im, exif.NewTagIndex(), raw)
	if err != nil {
		return m
	}
	ifd, err := index.RootIfd.ChildWithIfdPath(exifcommon.IfdGpsInfoStandardIfdIdentity)
	if err != nil {
		return m
	}
	if gi, err := ifd.GpsInfo(); err == nil {
		m.Lat, m.Lon, m.HasPoint = gi.Latitude.Decimal(), gi.Longitude.Decimal(), true
		if m.Captured.IsZero() && !gi.Timestamp.IsZero() {
			m.Captured = gi.Timestamp
		}
	}
	return m
}
