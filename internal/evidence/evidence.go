// Package evidence reads what an evidence file says about itself: its
// type, from its content, and the capture metadata a camera writes (EXIF:
// when, where, with what). It never trusts a file's name.
package evidence

import (
	"net/http"
	"slices"
	"strings"
	"time"
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
	x, err := readEXIF(data)
	if err != nil {
		return m
	}
	if x.TagsErr == nil {
		m.Captured = x.Original
		m.Camera = strings.TrimSpace(strings.TrimRight(x.Make+" "+x.Model, "\x00"))
	}
	if x.GPSErr == nil {
		m.Lat, m.Lon, m.HasPoint = x.Lat, x.Lon, true
		if m.Captured.IsZero() && !x.GPSTime.IsZero() {
			m.Captured = x.GPSTime
		}
	}
	return m
}
