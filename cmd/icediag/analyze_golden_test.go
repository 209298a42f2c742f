package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/diag"
)

// analyzeGolden runs analyze on one capture in one format and compares
// the output with testdata/analyze/<capture>.<ext>; -update rewrites it.
func analyzeGolden(t *testing.T, capture, format, ext string) string {
	t.Helper()
	return analyzeGoldenAt(t, capture, format, filepath.Join("testdata", "analyze", filepath.Base(capture)+"."+ext))
}

// analyzeGoldenAt compares analyze's output with the golden file at golden
// (rewritten with -update) and checks that a second run gives the same
// bytes.
func analyzeGoldenAt(t *testing.T, capture, format, golden string) string {
	t.Helper()
	out, stderr, code := runCmd(t, "analyze", "--fail-on", "never", "--format", format, capture)
	if code != exitOK {
		t.Fatalf("analyze --format %s %s = exit %d: %s", format, capture, code, stderr)
	}
	again, _, _ := runCmd(t, "analyze", "--fail-on", "never", "--format", format, capture)
	if again != out {
		t.Errorf("analyze --format %s %s differs between two runs", format, capture)
	}
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return out
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/icediag -run AnalyzeGolden -update)", err)
	}
	if string(want) != out {
		t.Errorf("analyze --format %s %s differs from %s:\n%s", format, capture, golden, lineDiff(string(want), out))
	}
	return out
}

// TestAnalyzeGolden checks the text and JSON reports of every capture in
// pcaps/public and pcaps/crafted, and that each is deterministic.
func TestAnalyzeGolden(t *testing.T) {
	for _, c := range captures(t) {
		t.Run(filepath.Base(c), func(t *testing.T) {
			analyzeGolden(t, c, "text", "txt")
			analyzeGolden(t, c, "json", "json")
		})
	}
}

// healthyCaptures are captures whose calls and ICE sessions worked, with
// why: no finding of severity error may appear on them.
var healthyCaptures = map[string]string{
	"msturn-udp.pcap":                      "MS-TURN allocation over UDP 3478 after one 401 challenge, checks succeed through the relay, media both ways, clean deallocation",
	"msturn-tcp443-pseudotls.pcap":         "pseudo-TLS answered by the Edge, allocation over TCP 443, checks succeed, media both ways (a warning for TCP media is expected)",
	"msturn-multiplexed.pcap":              "Teams-style allocation answered, multiplexed TURN media both ways",
	"sll2-stun.pcap":                       "direct host checks answered both ways, media both ways",
	"two-interfaces.pcapng":                "Edge capture of both NICs: allocation, a check answered, media both ways, deallocation",
	"sip-udp-fragmented-invite.pcap":       "a Lync call answered and ended by BYE; captured at the Front End, so no media is expected",
	"sip-udp6-fragmented-invite.pcap":      "the same call over IPv6",
	"sip-tcp-segmented.pcap":               "the same call over TCP",
	"wireshark-samples__sip-rtp-g711.pcap": "a plain SIP call answered, RTP both ways, BYE",
	"ntop-nDPI__stun_google_meet.pcapng":   "Google Meet: STUN answered, checks succeed, DTLS/SRTP both ways",
	"ntop-nDPI__stun_zoom.pcapng":          "Zoom peer checks succeed, media both ways",
	"ntop-nDPI__telegram_videocall.pcapng": "Telegram relays answer, checks succeed, media both ways",
	"ntop-nDPI__stun_facebook.pcapng":      "Messenger call through a relay that answers, media both ways",
	"zeek__webrtc-stun.pcap":               "a WebRTC session whose checks succeed",
	"ok-direct-call.pcap":                  "crafted Lync call: direct checks succeed, media both ways until the BYE",
	"ok-edge-call.pcap":                    "crafted Lync call through the A/V Edge: allocation, relayed checks succeed, media both ways",
}

// findingCaptures names, for every media-path finding, a crafted capture
// that shows it (docs/findings.md lists the same).
var findingCaptures = map[string]string{
	"high-ports-blocked":            "crafted/fail-high-ports-blocked.pcap",
	"turn-udp-blocked":              "crafted/fail-udp3478-blocked.pcap",
	"teams-relay-ports-unreachable": "crafted/fail-teams-relay-ports.pcap",
	"turn-unreachable":              "crafted/fail-turn-unreachable.pcap",
	"turn-auth-failed":              "crafted/fail-turn-auth-pool.pcap",
	"relay-address-private":         "crafted/fail-relay-address-private.pcap",
	"hairpin-failure":               "crafted/fail-hairpin-edge-pool.pcap",
	"ice-failed":                    "crafted/fail-ice-diag23.pcap",
	"media-over-tcp":                "crafted/msturn-tcp443-pseudotls.pcap",
	"stun-unreachable":              "crafted/stun-unreachable.pcap",
	"pseudo-tls-intercepted":        "crafted/fail-pseudotls-inspected.pcap",
	"check-integrity-failed":        "crafted/fail-check-integrity.pcap",
	"role-conflict":                 "crafted/role-conflict.pcap",
	"one-way-media":                 "crafted/fail-one-way-media.pcap",
	"no-media-after-ice":            "crafted/fail-no-media.pcap",
	"slow-ice":                      "crafted/slow-ice.pcap",
	"media-port-outside-range":      "crafted/media-port-outside-range.pcap",
	"client-reported-diagnostics":   "crafted/fail-ice-diag23.pcap",
	"sip-call-failed":               "public/sngrep__aaa.pcap",
	"sip-auth-failed":               "public/sngrep__aaa.pcap",
	"sip-transaction-timeout":       "public/ntop-nDPI__webex.pcap",
	"server-diagnostics":            "crafted/server-diagnostics.pcap",
	"sdp-rejected":                  "public/ntop-nDPI__FAX-Call-t38-CA-TDM-SIP-FB-1.pcap",
	"tls-certificate-problem":       "crafted/fail-tls-certificate.pcap",
	"dns-srv-mismatch":              "crafted/fail-dns-srv-hosting.pcap",
	"dns-failure":                   "crafted/fail-dns-autodiscover.pcap",
}

// TestAnalyzeFindingDemonstrated checks that each finding of DIAGNOSES.md's
// "Media path and ICE", "SIP signalling" and "Names, certificates, DNS"
// sections appears on the capture
// that demonstrates it (paths below pcaps/).
func TestAnalyzeFindingDemonstrated(t *testing.T) {
	for id, name := range findingCaptures {
		t.Run(id, func(t *testing.T) {
			path := filepath.Join("..", "..", "pcaps", name)
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("the capture demonstrating %s is missing: %v", id, err)
			}
			out, _, _ := runCmd(t, "analyze", "--fail-on", "never", "--format", "json", path)
			if !strings.Contains(out, `"id": "`+id+`"`) {
				t.Errorf("analyze %s lacks finding %s", name, id)
			}
		})
	}
}

// TestAnalyzeHealthyCaptures checks that the healthy captures get no
// finding of severity error.
func TestAnalyzeHealthyCaptures(t *testing.T) {
	for name, why := range healthyCaptures {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("..", "..", "pcaps", "crafted", name)
			if _, err := os.Stat(path); err != nil {
				path = findCapture(t, name)
			}
			out, _, _ := runCmd(t, "analyze", "--fail-on", "never", "--format", "json", path)
			r, err := diag.ReadJSON(strings.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range r.Findings {
				if f.Severity == diag.Error {
					t.Errorf("%s (%s) has error finding %s: %s", name, why, f.ID, f.Title)
				}
			}
		})
	}
}

func findCapture(t *testing.T, name string) string {
	t.Helper()
	for _, c := range captures(t) {
		if filepath.Base(c) == name {
			return c
		}
	}
	t.Fatalf("capture %s not found under pcaps/", name)
	return ""
}

// seenEvent is what one frame carried, for checking cited evidence.
type seenEvent struct{ kind, dst, peer string }

// frameKinds decodes a capture and lists, per frame, the kinds of message
// it carried in the vocabulary of diag.Frame.Kind.
func frameKinds(t *testing.T, path string) map[uint64][]seenEvent {
	t.Helper()
	out := map[uint64][]seenEvent{}
	_, err := decode.Run([]string{path}, decode.Options{}, func(ev *decode.Event) {
		e := seenEvent{kind: eventKind(ev), dst: ev.Flow.Dst.String()}
		switch {
		case ev.Relay != nil && !ev.Relay.ToPeer:
			// a Data indication shows the sender, not the relayed
			// address it was sent to
			e.peer = "*"
		case ev.Relay != nil && ev.Relay.Peer.IsValid():
			e.peer = ev.Relay.Peer.String()
		}
		out[ev.Frame] = append(out[ev.Frame], e)
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func eventKind(ev *decode.Event) string {
	switch ev.Kind {
	case decode.KindSTUN:
		if ev.STUN == nil {
			return "STUN"
		}
		return [...]string{diag.KindSTUNRequest, "STUN indication", diag.KindSTUNSuccess, diag.KindSTUNError}[ev.STUN.Class&3]
	case decode.KindRTP, decode.KindRTCP, decode.KindDTLS:
		return diag.KindMedia
	case decode.KindTLS:
		return diag.KindTLSHello
	case decode.KindPseudoTLS:
		return diag.KindPseudoTLS
	case decode.KindICMP:
		return diag.KindICMPError
	case decode.KindTCPControl:
		if ev.TCPFlags&decode.FlagRST != 0 {
			return diag.KindTCPRST
		}
		if ev.TCPFlags&decode.FlagSYN != 0 && ev.TCPFlags&decode.FlagACK == 0 {
			return diag.KindTCPSYN
		}
		return "TCP"
	case decode.KindSIP:
		if len(ev.Payload) >= 4 && string(ev.Payload[:4]) == "SIP/" {
			return diag.KindSIPResponse
		}
		return diag.KindSIPRequest
	}
	return ev.Kind.String()
}

// TestAnalyzeEvidenceFrames re-reads every frame a finding cites, in every
// capture, and checks that the frame exists and carries a message of the
// kind the finding claims, toward the address it names.
func TestAnalyzeEvidenceFrames(t *testing.T) {
	cited := 0
	for _, c := range captures(t) {
		out, _, _ := runCmd(t, "analyze", "--fail-on", "never", "--format", "json", c)
		var r diag.Report
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		if len(r.Findings) == 0 {
			continue
		}
		kinds := frameKinds(t, c)
		for _, f := range r.Findings {
			if len(f.Evidence.Frames) == 0 {
				t.Errorf("%s: finding %s %q cites no frame", filepath.Base(c), f.ID, f.Title)
			}
			for _, fr := range f.Evidence.Frames {
				cited++
				if err := checkFrame(kinds[fr.Frame], fr); err != nil {
					t.Errorf("%s: finding %s %q: frame %d: %v", filepath.Base(c), f.ID, f.Title, fr.Frame, err)
				}
			}
		}
	}
	if cited == 0 {
		t.Error("no finding cited any frame")
	}
}

func checkFrame(evs []seenEvent, fr diag.Frame) error {
	if len(evs) == 0 {
		return fmt.Errorf("decode.Run produced no event for it")
	}
	for _, e := range evs {
		if e.kind == fr.Kind && (fr.Dst == "" || fr.Dst == e.dst || fr.Dst == e.peer || e.peer == "*") {
			return nil
		}
	}
	return fmt.Errorf("claimed %s to %q, frame carries %v", fr.Kind, fr.Dst, evs)
}
