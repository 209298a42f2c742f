package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/icediag/icediag/sipflow"
)

// sipCapture is a capture under pcaps/ with SIP in it and its tracked
// calls.
type sipCapture struct {
	path, name string
	capture    *sipflow.Capture
}

// sipCaptures returns the captures under pcaps/ that carry SIP messages.
func sipCaptures(t *testing.T) []sipCapture {
	t.Helper()
	var out []sipCapture
	for _, path := range captures(t) {
		c, _, err := sipflow.Calls([]string{path})
		if err != nil {
			t.Fatalf("sipflow.Calls(%s): %v", path, err)
		}
		if c.Messages > 0 || c.ParseErrors > 0 {
			out = append(out, sipCapture{path, filepath.Base(path), c})
		}
	}
	if len(out) == 0 {
		t.Fatal("no capture with SIP under pcaps/")
	}
	return out
}

// runCommand runs icediag with args and returns stdout, failing on a
// non-zero exit.
func runCommand(t *testing.T, args ...string) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), args, &stdout, &stderr); code != exitOK {
		t.Fatalf("icediag %s: exit %d: %s", strings.Join(args, " "), code, stderr.String())
	}
	return stdout.Bytes()
}

// checkGolden compares got with testdata/<dir>/<name>.golden, or rewrites
// it under -update.
func checkGolden(t *testing.T, dir, name string, got []byte) {
	t.Helper()
	golden := filepath.Join("testdata", dir, name+".golden")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/icediag -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s:\n%s", golden, lineDiff(string(want), string(got)))
	}
}

// TestCallsGolden runs `icediag calls` on every capture with SIP and
// compares the text with testdata/calls/<capture>.golden.
func TestCallsGolden(t *testing.T) {
	for _, sc := range sipCaptures(t) {
		t.Run(sc.name, func(t *testing.T) {
			got := runCommand(t, "calls", sc.path)
			checkGolden(t, "calls", sc.name, got)
			if again := runCommand(t, "calls", sc.path); !bytes.Equal(got, again) {
				t.Errorf("icediag calls %s is not deterministic", sc.name)
			}
		})
	}
}

// TestCallsJSON checks that `icediag calls --format json` describes the
// same calls and message counts as the tracker, in the same order.
func TestCallsJSON(t *testing.T) {
	for _, sc := range sipCaptures(t) {
		t.Run(sc.name, func(t *testing.T) {
			var r sipflow.Report
			if err := json.Unmarshal(runCommand(t, "calls", "--format", "json", sc.path), &r); err != nil {
				t.Fatalf("calls --format json: %v", err)
			}
			if r.Schema != sipflow.ReportSchema {
				t.Errorf("schema = %d, want %d", r.Schema, sipflow.ReportSchema)
			}
			calls := sc.capture.Calls()
			if len(r.Calls) != len(calls) {
				t.Fatalf("JSON has %d calls, tracker %d", len(r.Calls), len(calls))
			}
			for i, c := range calls {
				if r.Calls[i].CallID != c.CallID || r.Calls[i].Messages != len(c.Messages) || r.Calls[i].Status != c.FinalStatus {
					t.Errorf("call %d = %s %d msgs %d, want %s %d msgs %d", i, r.Calls[i].CallID, r.Calls[i].Messages,
						r.Calls[i].Status, c.CallID, len(c.Messages), c.FinalStatus)
				}
			}
			total := 0
			for _, n := range r.Requests {
				total += n
			}
			for _, n := range r.Responses {
				total += n
			}
			if total != r.Messages {
				t.Errorf("requests + responses = %d, want sip_messages %d", total, r.Messages)
			}
		})
	}
}

// TestCallsUsage covers the exit codes of `icediag calls`.
func TestCallsUsage(t *testing.T) {
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"calls"}, exitUsage},
		{[]string{"calls", "--format", "xml", "x.pcap"}, exitUsage},
		{[]string{"calls", "--bogus", "x.pcap"}, exitUsage},
		{[]string{"calls", filepath.Join("testdata", "no-such-file.pcap")}, exitFailure},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if got := run(context.Background(), tt.args, &stdout, &stderr); got != tt.want {
				t.Errorf("run(%q) = %d, want %d", tt.args, got, tt.want)
			}
		})
	}
}
