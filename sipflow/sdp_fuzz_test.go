package sipflow

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func FuzzParseSDP(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "sdp", "*.sdp"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no SDP fixtures: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatalf("read %s: %v", name, err)
		}
		f.Add(b)
	}
	f.Add([]byte("s=-\nv=0\nm=audio 5000/2 RTP/AVP 0\na=candidate:1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		sd, err := ParseSDP(b)
		if err != nil {
			if !errors.Is(err, ErrNoSDP) || sd != nil {
				t.Fatalf("ParseSDP(%q) = %v, %v", b, sd, err)
			}
			return
		}
		if sd.Lenient && len(sd.Deviations) == 0 {
			t.Fatalf("ParseSDP(%q): lenient without a deviation", b)
		}
		for _, m := range sd.Media {
			for _, c := range m.Candidates {
				if c == "" {
					t.Fatalf("ParseSDP(%q): empty candidate", b)
				}
			}
		}
	})
}
