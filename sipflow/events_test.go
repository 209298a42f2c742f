package sipflow

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/icediag/icediag/decode"
)

// pcapPath returns the path of a capture under pcaps/public (provenance
// in pcaps/README.md).
func pcapPath(name string) string { return filepath.Join("..", "pcaps", "public", name) }

// captureOf tracks every SIP message of one capture.
func captureOf(t testing.TB, name string) *Capture {
	t.Helper()
	c, _, err := Calls([]string{pcapPath(name)})
	if err != nil {
		t.Fatalf("Calls(%s): %v", name, err)
	}
	return c
}

// sipEvent builds a KindSIP event as the decoder delivers it.
func sipEvent(payload []byte, frame uint64, src, dst string, at time.Time) *decode.Event {
	return &decode.Event{
		FrameRef: decode.FrameRef{Frame: frame}, Time: at, Kind: decode.KindSIP, Payload: payload,
		Flow: decode.Flow{Src: netip.MustParseAddrPort(src), Dst: netip.MustParseAddrPort(dst), Transport: decode.TCP},
	}
}

// TestCaptureCounts compares the request and response counts of real
// captures with those of `tshark -z sip,stat` (tshark 4.x on the same
// files; no duplicates are dropped in these captures).
func TestCaptureCounts(t *testing.T) {
	tests := []struct {
		name      string
		messages  int
		requests  map[string]int
		responses map[int]int
	}{
		{"heplify__sip_tcp_websocket.pcap", 39,
			map[string]int{"INVITE": 5, "ACK": 5, "OPTIONS": 1, "BYE": 4},
			map[int]int{407: 1, 200: 9, 180: 2, 100: 4, 183: 8}},
		{"sngrep__aaa.pcap", 81,
			map[string]int{"INVITE": 11, "ACK": 7, "REGISTER": 18, "CANCEL": 11},
			map[int]int{407: 3, 200: 3, 408: 2, 480: 1, 100: 7, 401: 14, 183: 1, 403: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := captureOf(t, tt.name)
			if c.Messages != tt.messages || c.ParseErrors != 0 {
				t.Errorf("Messages, ParseErrors = %d, %d, want %d, 0", c.Messages, c.ParseErrors, tt.messages)
			}
			if !equalCounts(c.Requests, tt.requests) {
				t.Errorf("Requests = %v, want %v", c.Requests, tt.requests)
			}
			if !equalCounts(c.Responses, tt.responses) {
				t.Errorf("Responses = %v, want %v", c.Responses, tt.responses)
			}
		})
	}
}

func equalCounts[K comparable](a, b map[K]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, n := range a {
		if b[k] != n {
			return false
		}
	}
	return true
}

// TestAddEventErrors checks that parse errors are counted with their
// frames, that a message returned with its error is still tracked, and
// that other event kinds are ignored.
func TestAddEventErrors(t *testing.T) {
	invite, err := os.ReadFile(filepath.Join("testdata", "sip", "lync", "invite_dual_sdp.sip"))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name            string
		ev              *decode.Event
		messages, calls int
		errs            int
		wantErr         error
	}{
		{"complete INVITE", sipEvent(invite, 1, "10.0.1.20:51230", "10.0.0.5:5061", at), 1, 1, 0, nil},
		{"INVITE cut in the body", sipEvent(invite[:len(invite)-40], 2, "10.0.1.20:51230", "10.0.0.5:5061", at), 1, 1, 1, ErrTruncatedBody},
		{"garbage", sipEvent([]byte("hello world\r\n\r\n"), 3, "10.0.1.20:51230", "10.0.0.5:5061", at), 0, 0, 1, ErrStartLine},
		{"empty", sipEvent(nil, 4, "10.0.1.20:51230", "10.0.0.5:5061", at), 0, 0, 1, ErrEmpty},
		{"RTP event", &decode.Event{Kind: decode.KindRTP, Payload: invite}, 0, 0, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCapture()
			c.AddEvent(tt.ev)
			if c.Messages != tt.messages || len(c.Calls()) != tt.calls || c.ParseErrors != tt.errs {
				t.Errorf("AddEvent: messages %d calls %d errors %d, want %d %d %d",
					c.Messages, len(c.Calls()), c.ParseErrors, tt.messages, tt.calls, tt.errs)
			}
			if tt.errs > 0 && (len(c.ErrorFrames) != 1 || c.ErrorFrames[0].Frame != tt.ev.Frame) {
				t.Errorf("ErrorFrames = %v, want frame %d", c.ErrorFrames, tt.ev.Frame)
			}
			if err := NewTracker().AddEvent(tt.ev); !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Errorf("Tracker.AddEvent = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// TestErrorFramesBounded checks that only the first failures are listed
// while all are counted.
func TestErrorFramesBounded(t *testing.T) {
	c := NewCapture()
	for i := uint64(1); i <= 9; i++ {
		c.AddEvent(sipEvent([]byte("not sip\r\n\r\n"), i, "192.0.2.1:5060", "192.0.2.2:5060", time.Unix(0, 0)))
	}
	if c.ParseErrors != 9 || len(c.ErrorFrames) != maxErrorFrames || c.ErrorFrames[0].Frame != 1 {
		t.Errorf("ParseErrors %d, ErrorFrames %v, want 9 and frames 1-%d", c.ParseErrors, c.ErrorFrames, maxErrorFrames)
	}
}

// TestEventMetaAndHosts checks the transport of SIP over secure WebSocket
// (RFC 7118: Via SIP/2.0/WSS) and what each address said about itself in
// the WebSocket capture: the SIP.js client, the OpenSIPS proxy on its
// WebSocket and UDP ports, and FreeSWITCH.
func TestEventMetaAndHosts(t *testing.T) {
	c := captureOf(t, "heplify__sip_tcp_websocket.pcap")
	call, err := FindCall(c.Calls(), "kovf")
	if err != nil {
		t.Fatal(err)
	}
	if got := call.Messages[0].Meta.Transport; got != "WSS" {
		t.Errorf("transport of the first INVITE = %q, want WSS", got)
	}
	hosts := []struct{ addr, ua string }{
		{"10.243.17.55:43380", "SIP.js/0.11.5"},
		{"10.243.0.157:8080", "OpenSIPS (2.4.3 (x86_64/linux))"},
		{"10.243.0.157:5060", "OpenSIPS (2.4.3 (x86_64/linux))"},
		{"10.243.0.143:5060", "FreeSWITCH-mod_sofia/1.8.2-3-a98a958ac3~64bit"},
	}
	for _, h := range hosts {
		got := c.Host(netip.MustParseAddrPort(h.addr))
		if got == nil || got.UserAgent != h.ua {
			t.Errorf("Host(%s) = %+v, want user agent %q", h.addr, got, h.ua)
		}
	}
}

// TestCallsNoFile checks that a capture that cannot be read is an error.
func TestCallsNoFile(t *testing.T) {
	if _, _, err := Calls([]string{filepath.Join("testdata", "no-such.pcap")}); err == nil {
		t.Error("Calls(missing file) = nil error, want an error")
	}
}
