package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestCommittedCapturesUpToDate regenerates every capture into a temporary
// directory and fails if any committed file in pcaps/crafted differs, so
// the generator stays the source of truth.
func TestCommittedCapturesUpToDate(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-o", dir}, &out); err != nil {
		t.Fatalf("run = %v", err)
	}
	for _, c := range captures {
		t.Run(c.name, func(t *testing.T) {
			got, err := os.ReadFile(filepath.Join(dir, c.name))
			if err != nil {
				t.Fatalf("generated file: %v", err)
			}
			want, err := os.ReadFile(filepath.Join("..", c.name))
			if err != nil {
				t.Fatalf("committed file: %v (run: go run ./pcaps/crafted/gen)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s: generated %d bytes differ from committed %d bytes; run go run ./pcaps/crafted/gen", c.name, len(got), len(want))
			}
			if len(got) > 200*1024 {
				t.Errorf("%s is %d bytes, want < 200 KB", c.name, len(got))
			}
		})
	}
}

// TestRunUsage checks that stray arguments are a usage error.
func TestRunUsage(t *testing.T) {
	if err := run(context.Background(), []string{"extra"}, &bytes.Buffer{}); err != errUsage {
		t.Errorf("run([extra]) = %v, want errUsage", err)
	}
}
