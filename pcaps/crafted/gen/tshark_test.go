package main

import (
	"encoding/binary"
	"encoding/hex"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tsharkPrefs are the preferences every check runs with: IPv4/IPv6
// reassembly, TCP desegmentation, STUN dialect auto-detection (MAGIC-COOKIE
// attribute first means MS-TURN), heuristic RTP, and STUN on the Teams
// relay media ports.
var tsharkPrefs = []string{
	"-o", "ip.defragment:TRUE", "-o", "ipv6.defragment:TRUE", "-o", "tcp.desegment_tcp_streams:TRUE",
	"-o", "stun.stunversion:Auto", "-o", "rtp.heuristic_rtp:TRUE", "-o", "rtcp.heuristic_rtcp:TRUE",
	"-d", "udp.port==3479,stun", "-d", "udp.port==3480,stun",
}

// tshark runs tshark on a committed capture and returns its output lines.
func tshark(t *testing.T, file string, args ...string) []string {
	t.Helper()
	bin, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed")
	}
	cmd := exec.Command(bin, append(append([]string{"-n", "-r", filepath.Join("..", file)}, tsharkPrefs...), args...)...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark %v: %v", args, err)
	}
	s := strings.TrimRight(string(out), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// fields returns one field's values, one entry per frame that has it.
func fields(t *testing.T, file, filter, field string) []string {
	t.Helper()
	return tshark(t, file, "-Y", filter, "-T", "fields", "-e", field)
}

// count returns how often each value occurs.
func count(vals []string) map[string]int {
	m := map[string]int{}
	for _, v := range vals {
		for _, x := range strings.Split(v, ",") {
			m[x]++
		}
	}
	return m
}

// TestTsharkClean checks that tshark finds no malformed packet and no
// error-severity expert item in any capture.
func TestTsharkClean(t *testing.T) {
	t.Parallel()
	for _, c := range captures {
		t.Run(c.name, func(t *testing.T) {
			if got := fields(t, c.name, "_ws.malformed || _ws.expert.severity == error", "frame.number"); len(got) != 0 {
				t.Errorf("tshark flags frames %v as malformed or erroneous", got)
			}
		})
	}
}

// TestTsharkMSTURNUDP checks the legacy MS-TURN story: classicstun decodes
// every message as MS-TURN with MAGIC-COOKIE first, the right message
// counts, and the 0x8020 XOR-MAPPED-ADDRESS as the NAT address.
func TestTsharkMSTURNUDP(t *testing.T) {
	t.Parallel()
	const f = "msturn-udp.pcap"
	types := count(fields(t, f, "classicstun", "classicstun.type"))
	want := map[string]int{"0x0003": 3, "0x0113": 1, "0x0103": 2, "0x0004": 29, "0x0115": 27, "0x0006": 1, "0x0106": 1}
	for k, v := range want {
		if types[k] != v {
			t.Errorf("classicstun.type %s count = %d, want %d (all: %v)", k, types[k], v, types)
		}
	}
	cookies := fields(t, f, "classicstun", "classicstun.att.magic.cookie")
	if len(cookies) != 64 || count(cookies)["0x72c64bc6"] != 64 {
		t.Errorf("MAGIC-COOKIE in %d of 64 messages: %v", len(cookies), count(cookies))
	}
	first := fields(t, f, "classicstun", "classicstun.att.type")
	for i, v := range first {
		if !strings.HasPrefix(v, "0x000f") {
			t.Errorf("message %d: first attribute %q, want 0x000f", i, v)
		}
	}
	got := fields(t, f, "classicstun.type == 0x0103 && classicstun.att.lifetime == 480", "classicstun.att.ipv4")
	if len(got) != 1 || got[0] != "203.0.113.10,198.51.100.7" {
		t.Errorf("Allocate response addresses = %v, want [203.0.113.10,198.51.100.7] (MAPPED relayed, 0x8020 reflexive)", got)
	}
	if got := fields(t, f, "classicstun.type == 0x0103", "classicstun.att.port"); len(got) < 1 || got[0] != "52000,50123" {
		t.Errorf("Allocate response ports = %v, want 52000,50123", got)
	}
	if got := fields(t, f, "classicstun.att.type == 0x8008", "frame.number"); len(got) != 5 {
		t.Errorf("%d messages carry MS-VERSION 0x8008, want 5 (three Allocates, 401, success)", len(got))
	}
}

// TestTsharkPseudoTLS checks the TCP 443 story: the pseudo-TLS hellos have
// the JA3/JA3S of MS-REFERENCE §1.8 and the reassembled byte streams walk
// as MS-TURN frames with the expected control/data counts.
func TestTsharkPseudoTLS(t *testing.T) {
	t.Parallel()
	const f = "msturn-tcp443-pseudotls.pcap"
	if got := fields(t, f, "tls.handshake.type == 1", "tls.handshake.ja3"); !slices.Equal(got, []string{"98d82c43de4e22a055da96bcef1ca9b9"}) {
		t.Errorf("JA3 = %v, want 98d82c43de4e22a055da96bcef1ca9b9", got)
	}
	if got := fields(t, f, "tls.handshake.type == 2", "tls.handshake.ja3s"); !slices.Equal(got, []string{"233a541ade543e40c59e1f7ac7019c3d"}) {
		t.Errorf("JA3S = %v, want 233a541ade543e40c59e1f7ac7019c3d", got)
	}
	cli, srv := followRaw(t, f)
	tests := []struct {
		name      string
		stream    []byte
		hello     int
		ctl, data int
	}{
		{"client", cli, 50, 6, 9},
		{"server", srv, 83, 5, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.stream) < tt.hello || tt.stream[0] != 0x16 {
				t.Fatalf("stream does not start with a pseudo-TLS hello: %x", tt.stream[:min(8, len(tt.stream))])
			}
			ctl, data := walkMSFrames(t, tt.stream[tt.hello:])
			if ctl != tt.ctl || data != tt.data {
				t.Errorf("frames = %d control, %d data; want %d, %d", ctl, data, tt.ctl, tt.data)
			}
		})
	}
}

// followRaw returns the two directions of TCP stream 0 from tshark's
// follow output (server lines are indented with a tab).
func followRaw(t *testing.T, file string) (client, server []byte) {
	t.Helper()
	for _, l := range tshark(t, file, "-q", "-z", "follow,tcp,raw,0") {
		isSrv := strings.HasPrefix(l, "\t")
		b, err := hex.DecodeString(strings.TrimSpace(l))
		if err != nil || len(b) == 0 {
			continue
		}
		if isSrv {
			server = append(server, b...)
		} else {
			client = append(client, b...)
		}
	}
	return client, server
}

// walkMSFrames walks MS-TURN TCP frames (MS-REFERENCE §1.7) and counts
// control and data frames; every control frame must hold a message whose
// first attribute is MAGIC-COOKIE and whose length matches the frame.
func walkMSFrames(t *testing.T, b []byte) (ctl, data int) {
	t.Helper()
	for len(b) > 0 {
		if len(b) < 4 || b[1] != 0 {
			t.Fatalf("bad frame header %x", b[:min(4, len(b))])
		}
		n := int(binary.BigEndian.Uint16(b[2:4]))
		if 4+n > len(b) {
			t.Fatalf("frame of %d bytes overruns stream (%d left)", n, len(b)-4)
		}
		p := b[4 : 4+n]
		switch b[0] {
		case 0x02:
			ctl++
			if n < 28 || int(binary.BigEndian.Uint16(p[2:4])) != n-20 || hex.EncodeToString(p[20:28]) != "000f000472c64bc6" {
				t.Errorf("control frame %d is not an MS-TURN message: %x", ctl, p[:min(28, n)])
			}
		case 0x03:
			data++
			if n < 12 || p[0]>>6 != 2 {
				t.Errorf("data frame %d does not carry RTP/RTCP: %x", data, p[:min(12, n)])
			}
		default:
			t.Fatalf("unknown frame type %#x", b[0])
		}
		b = b[4+n:]
	}
	return ctl, data
}

// TestTsharkMultiplexed checks the Teams-style story: MS-VERSION 6, the
// session ID in the Allocate response, and 0xFF10 packets carrying RTP.
func TestTsharkMultiplexed(t *testing.T) {
	t.Parallel()
	const f = "msturn-multiplexed.pcap"
	if got := count(fields(t, f, "stun.att.ms.version", "stun.att.ms.version")); got["6"] != 4 || len(got) != 1 {
		t.Errorf("MS-VERSION values = %v, want 6 in all 4 messages", got)
	}
	if got := fields(t, f, "stun.type == 0x0103", "stun.att.ms.multiplexed_turn_session_id"); !slices.Equal(got, []string{"0x00c0ffee12345678"}) {
		t.Errorf("MULTIPLEXED-TURN-SESSION-ID = %v, want 0x00c0ffee12345678", got)
	}
	if got := fields(t, f, "stun.type == 0x0103", "stun.att.ipv4-xord"); len(got) != 1 || got[0] == "" {
		t.Errorf("XOR-MAPPED-ADDRESS missing: %v", got)
	}
	if got := fields(t, f, "stun.type == 0x0103", "stun.att.ipv4"); !slices.Equal(got, []string{"203.0.113.20,198.51.100.7"}) {
		t.Errorf("Allocate response addresses = %v, want relayed 203.0.113.20 and reflexive 198.51.100.7", got)
	}
	rtp := count(fields(t, f, "stun.channel == 0xff10 && rtp", "udp.dstport"))
	if rtp["3479"] != 15 || rtp["3480"] != 5 || rtp["50004"] != 15 {
		t.Errorf("0xFF10 packets with RTP by destination port = %v, want 3479:15 3480:5 50004:15", rtp)
	}
}

// sipCSeq is the CSeq method sequence of the call.
var sipCSeq = []string{"INVITE", "INVITE", "INVITE", "INVITE", "ACK", "INVITE", "INVITE", "ACK", "BYE", "BYE"}

// TestTsharkSIP checks that the fragmented and segmented calls reassemble
// into the ten SIP messages, that the INVITE is a two-part
// multipart/alternative, and that candidates survive.
func TestTsharkSIP(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"sip-udp-fragmented-invite.pcap", "sip-udp6-fragmented-invite.pcap", "sip-tcp-segmented.pcap"} {
		t.Run(f, func(t *testing.T) {
			var got []string
			for _, l := range fields(t, f, "sip", "sip.CSeq.method") {
				got = append(got, strings.Split(l, ",")...)
			}
			if !slices.Equal(got, sipCSeq) {
				t.Errorf("CSeq methods = %v, want %v", got, sipCSeq)
			}
			if got := fields(t, f, "sip.Method == \"INVITE\" && sip.CSeq.seq == 1", "mime_multipart.part"); len(got) != 1 || strings.Count(got[0], ",") != 1 {
				t.Errorf("INVITE multipart parts = %v, want 2", got)
			}
			attrs := strings.Join(fields(t, f, "sdp", "sdp.media_attr"), ",")
			for _, want := range []string{"x-candidate-ipv6:6 1 UDP 33553407 2001:db8:1::20 50002 typ host", "TCP-PASS 174455807 203.0.113.10", "remote-candidates:1 192.0.2.50 50010 2 192.0.2.50 50011"} {
				if !strings.Contains(attrs, want) {
					t.Errorf("SDP attributes lack %q", want)
				}
			}
		})
	}
}

// TestTsharkSIPTCPFraming checks the TCP framing cases: the INVITE spans
// four segments, 100 and the head of the 183 share a segment, ACK and BYE
// share one, the final 200 is compact.
func TestTsharkSIPTCPFraming(t *testing.T) {
	t.Parallel()
	const f = "sip-tcp-segmented.pcap"
	if got := fields(t, f, "sip.Method == \"INVITE\" && sip.CSeq.seq == 1", "tcp.segment.count"); !slices.Equal(got, []string{"4"}) {
		t.Errorf("INVITE segment count = %v, want 4", got)
	}
	trying := fields(t, f, "sip.Status-Code == 100", "frame.number")
	if got := fields(t, f, "sip.Status-Code == 183", "tcp.segment"); len(trying) != 1 || len(got) != 1 || !strings.HasPrefix(got[0], trying[0]+",") {
		t.Errorf("183 segments = %v, want to start with the frame of the 100 %v", got, trying)
	}
	if got := fields(t, f, "sip.Method == \"BYE\"", "sip.Method"); !slices.Equal(got, []string{"ACK,BYE"}) {
		t.Errorf("frame with BYE holds methods %v, want [ACK,BYE]", got)
	}
	if got := fields(t, f, "sip.CSeq.method == \"BYE\" && sip.Status-Code == 200", "sip.Call-ID"); !slices.Equal(got, []string{"5f1c0e6a2d4b4f0c9a7e3b1d8c6f2a4e"}) {
		t.Errorf("compact 200 (i:) Call-ID = %v", got)
	}
}

// TestTsharkSLL2 checks the Linux cooked v2 capture: interface index,
// ICE checks with legacy duplicates (same transaction, one bad
// FINGERPRINT under the standard CRC), RTP and RTCP sender reports.
func TestTsharkSLL2(t *testing.T) {
	t.Parallel()
	const f = "sll2-stun.pcap"
	if got := count(fields(t, f, "sll", "sll.ifindex")); got["2"] != 49 {
		t.Errorf("SLL2 ifindex counts = %v, want 49 frames on 2", got)
	}
	ids := fields(t, f, "stun.type == 0x0001", "stun.id")
	if len(ids) != 4 || ids[0] != ids[1] {
		t.Errorf("Binding request ids = %v, want 4 with the first two equal", ids)
	}
	if got := count(fields(t, f, "stun.type == 0x0001", "stun.att.crc32.status")); got["0"] != 1 || got["1"] != 3 {
		t.Errorf("FINGERPRINT status counts = %v, want one bad (0) and three good (1)", got)
	}
	if got := fields(t, f, "rtp", "rtp.ssrc"); len(got) != 40 {
		t.Errorf("%d RTP packets, want 40", len(got))
	}
	if got := fields(t, f, "rtcp.pt == 200", "rtcp.senderssrc"); len(got) != 2 {
		t.Errorf("RTCP sender reports = %v, want 2", got)
	}
}

// TestTsharkTwoInterfaces checks the pcapng: two sections, interface 0
// Ethernet with VLAN 20, interface 1 Linux SLL, both legs of the relay.
func TestTsharkTwoInterfaces(t *testing.T) {
	t.Parallel()
	const f = "two-interfaces.pcapng"
	if got := count(fields(t, f, "frame", "frame.section_number")); got["1"] != 48 || got["2"] != 2 {
		t.Errorf("frames per section = %v, want 48 in 1 and 2 in 2", got)
	}
	if got := count(fields(t, f, "frame.interface_id == 0", "vlan.id")); got["20"] != 28 {
		t.Errorf("VLAN ids on interface 0 = %v, want 28 frames on 20", got)
	}
	if got := count(fields(t, f, "frame.interface_id == 1", "sll.pkttype")); got["0"] != 11 || got["4"] != 11 {
		t.Errorf("SLL packet types on interface 1 = %v, want 11 incoming (0) and 11 outgoing (4)", got)
	}
	in := fields(t, f, "frame.interface_id == 0 && rtp", "rtp.ssrc")
	out := fields(t, f, "frame.interface_id == 1 && rtp", "rtp.ssrc")
	if len(out) != 20 {
		t.Errorf("external leg RTP packets = %d, want 20 (internal leg RTP is inside TURN: %d)", len(out), len(in))
	}
}
