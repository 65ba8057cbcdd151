package evidence_test

import (
	"os"
	"testing"

	"github.com/truce-monitor/truce/internal/evidence"
)

func TestInspect(t *testing.T) {
	// testdata/gps.jpg: a photo with GPS EXIF from github.com/dsoprea/go-exif
	// (MIT licence).
	data, err := os.ReadFile("testdata/gps.jpg")
	if err != nil {
		t.Fatal(err)
	}
	m := evidence.Inspect(data)
	if m.MediaType != "image/jpeg" || !m.HasPoint || m.Lat < -38.5 || m.Lat > -38.3 || m.Lon < 144.1 || m.Lon > 144.3 {
		t.Errorf("Inspect = %+v", m)
	}
	t.Logf("%+v", m)
	for _, c := range []struct {
		data []byte
		want string
		ok   bool
	}{
		{[]byte("%PDF-1.7\n..."), "application/pdf", true},
		{[]byte("#!/bin/sh\nrm -rf /"), "text/plain", false},
		{[]byte("<html><script>"), "text/html", false},
		{[]byte("MZ\x90\x00"), "application/octet-stream", false},
	} {
		if m := evidence.Inspect(c.data); m.MediaType != c.want || evidence.Accepted(m.MediaType) != c.ok || m.HasPoint {
			t.Errorf("Inspect(%q) = %+v", c.data[:4], m)
		}
	}
}
