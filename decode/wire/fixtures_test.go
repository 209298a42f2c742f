package wire

import (
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The fixtures under testdata/frames and testdata/tshark are extracted from
// the public captures listed in testdata/README.md by
//
//	go test ./decode/wire -run TestExtractFixtures -extract=/work/shared/captures/files
var extractDir = flag.String("extract", "", "capture directory to extract fixtures from")

// stunCaptures are the captures whose STUN, TURN and MS-TURN messages are
// checked against tshark.
var stunCaptures = []string{
	"ntop-nDPI__teams.pcap",
	"arkime__stun.pcap",
	"ntop-nDPI__skype-conference-call.pcap",
	"ntop-nDPI__adult_content.pcap",
	"ntop-nDPI__stun_facebook.pcapng",
	"ntop-nDPI__stun_classic.pcap",
	"zeek-spicy-analyzers__stun-attribute-length-ffff.pcap",
	"zeek-spicy-analyzers__stun-malformed-error.pcap",
	"zeek-spicy-analyzers__stun-ice-testcall.pcap",
	"zeek__webrtc-stun.pcap",
}

// stunFields are the tshark fields recorded for every STUN frame.
var stunFields = []string{
	"frame.number", "stun.type", "classicstun.type", "stun.id", "classicstun.id",
	"stun.att.username", "stun.att.error.class", "stun.att.error",
	"classicstun.att.error.class", "classicstun.att.error",
	"stun.att.ipv4", "stun.att.ipv6", "stun.att.port", "classicstun.att.ipv4", "classicstun.att.port",
	"stun.att.crc32.status", "stun.att.priority", "stun.att.lifetime", "stun.channel",
}

// mediaCaptures are the captures whose RTP and RTCP headers are checked.
var mediaCaptures = []string{
	"ntop-nDPI__rtcp_multiple_pkts_in_the_same_datagram.pcap",
	"heplify__rtp_rtcp_sip_ipv4_udp.pcap",
}

var mediaFields = []string{
	"frame.number", "rtp.version", "rtp.p_type", "rtp.marker", "rtp.seq", "rtp.timestamp",
	"rtp.ssrc", "rtp.cc", "rtp.ext", "rtcp.pt", "rtcp.senderssrc",
}

func TestExtractFixtures(t *testing.T) {
	if *extractDir == "" {
		t.Skip("set -extract=<capture dir> to regenerate fixtures")
	}
	for _, name := range stunCaptures {
		frames := tsharkExtract(t, name, "stun || classicstun", stunFields, nil)
		writeFrames(t, name, frames, func(d datagram) bool {
			c := Classify(d.Payload)
			return c == ContentSTUN || c == ContentChannelData || c == ContentMuxTURN
		})
	}
	heur := []string{"--enable-heuristic", "rtp_udp"}
	for _, name := range mediaCaptures {
		frames := tsharkExtract(t, name, "(rtp || rtcp) && frame.number <= 560", mediaFields, heur)
		writeFrames(t, name, frames, func(d datagram) bool {
			c := Classify(d.Payload)
			return (c == ContentRTCP || c == ContentRTP) && d.Frame <= 560
		})
	}
	const tlsOut = "ntop-nDPI__teams.pcap.tls"
	frames := tsharkExtractAs(t, teamsCapture, tlsOut, "(tls.handshake.type == 1 || tls.handshake.type == 2) && frame.number <= 300", tlsFields, nil)
	writeFramesAs(t, teamsCapture, tlsOut, frames, func(d datagram) bool { return false })
}

const teamsCapture = "ntop-nDPI__teams.pcap"

var tlsFields = []string{
	"frame.number", "tls.record.version", "tls.handshake.type", "tls.handshake.version",
	"tls.handshake.extensions_server_name", "tls.handshake.ciphersuite", "tls.handshake.cipher_suites_length",
}

// tsharkExtract writes testdata/tshark/<name>.tsv and returns the frames
// tshark matched.
func tsharkExtract(t *testing.T, name, filter string, fields, extra []string) map[int]bool {
	t.Helper()
	return tsharkExtractAs(t, name, name, filter, fields, extra)
}

// tsharkExtractAs is tsharkExtract writing testdata/tshark/<out>.tsv.
func tsharkExtractAs(t *testing.T, name, out, filter string, fields, extra []string) map[int]bool {
	t.Helper()
	args := append([]string{"-r", filepath.Join(*extractDir, name), "-Y", filter,
		"-T", "fields", "-E", "header=y", "-E", "separator=/t"}, extra...)
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	res, err := exec.Command("tshark", args...).Output()
	if err != nil {
		t.Fatalf("tshark %s: %v", name, err)
	}
	ver, _ := exec.Command("tshark", "--version").Output()
	head := fmt.Sprintf("# %s\n# tshark %s\n", strings.SplitN(string(ver), "\n", 2)[0],
		strings.Join(args[2:], " "))
	writeFile(t, filepath.Join("testdata", "tshark", out+".tsv"), head+string(res))
	frames := map[int]bool{}
	for _, line := range strings.Split(string(res), "\n")[1:] {
		var n int
		if _, err := fmt.Sscanf(line, "%d", &n); err == nil {
			frames[n] = true
		}
	}
	return frames
}

// writeFrames stores the payload of every frame tshark matched or keep
// accepts.
func writeFrames(t *testing.T, name string, tshark map[int]bool, keep func(datagram) bool) {
	t.Helper()
	writeFramesAs(t, name, name, tshark, keep)
}

// writeFramesAs is writeFrames writing testdata/frames/<out>.txt.
func writeFramesAs(t *testing.T, name, out string, tshark map[int]bool, keep func(datagram) bool) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "# frames of %s: frame, transport, payload hex\n", name)
	for _, d := range readCapture(t, filepath.Join(*extractDir, name)) {
		if tshark[d.Frame] || keep(d) {
			fmt.Fprintf(&b, "%d %s %s\n", d.Frame, d.Proto, hex.EncodeToString(d.Payload))
		}
	}
	writeFile(t, filepath.Join("testdata", "frames", out+".txt"), b.String())
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
