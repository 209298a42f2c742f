package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/icediag/icediag/diag"
)

// FuzzAnalyze runs the whole analysis (decode, SIP, ICE, every rule,
// every renderer) on mutated captures seeded with the crafted ones: no
// input may make it panic.
func FuzzAnalyze(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "..", "pcaps", "crafted", "*.pcap"))
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil && len(b) < 64<<10 {
			f.Add(b)
		}
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "in.pcap")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		in, err := analyzeInput([]string{path}, &diag.Network{}, nil)
		if err != nil {
			return
		}
		r := diag.Build(in)
		for _, format := range []string{diag.FormatText, diag.FormatJSON, diag.FormatMarkdown} {
			if err := diag.Render(io.Discard, r, format); err != nil {
				t.Fatalf("Render(%s) = %v", format, err)
			}
		}
	})
}
