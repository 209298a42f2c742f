package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// maxFlowCalls is how many calls of a capture the flow goldens draw.
const maxFlowCalls = 5

// TestFlowGolden runs `icediag flow --call ID` for the first calls of every
// capture with SIP calls and compares the ladders with
// testdata/flow/<capture>.golden.
func TestFlowGolden(t *testing.T) {
	for _, sc := range sipCaptures(t) {
		calls := sc.capture.Calls()
		if len(calls) == 0 {
			continue
		}
		t.Run(sc.name, func(t *testing.T) {
			var out bytes.Buffer
			for i, c := range calls {
				if i == maxFlowCalls {
					break
				}
				if i > 0 {
					out.WriteString("\n")
				}
				out.Write(runCommand(t, "flow", "--call", c.CallID, sc.path))
			}
			checkGolden(t, "flow", sc.name, out.Bytes())
		})
	}
}

// TestFlowCallPrefix checks that a unique Call-ID prefix selects the call
// and an ambiguous or unknown one is refused, on the WebSocket capture
// whose two calls start "kovf" and "926f".
func TestFlowCallPrefix(t *testing.T) {
	path := filepath.Join("..", "..", "pcaps", "public", "heplify__sip_tcp_websocket.pcap")
	full := runCommand(t, "flow", "--call", "kovfhoptshgn59q712sr", path)
	tests := []struct {
		id   string
		want int
	}{
		{"kovf", exitOK},
		{"926ffd16", exitOK},
		{"", exitUsage},
		{"nosuchcall", exitFailure},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if got := run(context.Background(), []string{"flow", "--call", tt.id, path}, &stdout, &stderr); got != tt.want {
				t.Fatalf("flow --call %q = %d, want %d (%s)", tt.id, got, tt.want, stderr.String())
			}
			if tt.id == "kovf" && !bytes.Equal(stdout.Bytes(), full) {
				t.Errorf("flow --call kovf differs from the full Call-ID:\n%s", lineDiff(string(full), stdout.String()))
			}
			if tt.id == "926ffd16" && !strings.HasPrefix(stdout.String(), "Call 926ffd16-6154-1237-09ba-0270b3230128\n") {
				t.Errorf("flow --call 926ffd16 drew %q", strings.SplitN(stdout.String(), "\n", 2)[0])
			}
		})
	}
}
