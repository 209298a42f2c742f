package sipflow

import (
	"os"
	"path/filepath"
	"testing"
)

// addSeeds adds the RFC 4475 messages and a few payloads of each capture.
func addSeeds(f *testing.F) {
	f.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", "sip", "rfc4475", "*.sip"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, name := range captureNames {
		for i, c := range loadCapture(f, name) {
			if i < 6 {
				f.Add(c.Payload)
			}
		}
	}
}

// FuzzParseMessage checks that ParseMessage never panics, that a returned
// message uses no more bytes than given, and that its accessors are safe.
func FuzzParseMessage(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMessage(b)
		if m == nil {
			if err == nil {
				t.Fatal("ParseMessage returned neither message nor error")
			}
			return
		}
		if m.Size > len(b) || len(m.Body) > len(b) {
			t.Fatalf("Size %d, body %d for %d bytes", m.Size, len(m.Body), len(b))
		}
		_, _ = m.CSeq()
		_ = m.From().Tag()
		_ = m.To().Tag()
		_ = m.Vias()
		_ = m.Contacts()
		_ = m.ContentType()
		_, _ = m.BodyParts()
		_ = m.Diagnostics()
	})
}
