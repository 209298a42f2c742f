package main

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
)

// frameCount is one expectation on a capture: the number of frames tshark
// matches with a display filter.
type frameCount struct {
	filter string
	want   int
}

// Display filters shared by the expectations.
const (
	stunReq   = "(stun.type == 0x0001 || classicstun.type == 0x0001)"
	stunOK    = "(stun.type == 0x0101 || classicstun.type == 0x0101)"
	stunErr   = "(stun.type == 0x0111 || classicstun.type == 0x0111)"
	allocReq  = "(stun.type == 0x0003 || classicstun.type == 0x0003)"
	allocOK   = "(stun.type == 0x0103 || classicstun.type == 0x0103)"
	allocErr  = "(stun.type == 0x0113 || classicstun.type == 0x0113)"
	msSend    = "(stun.type == 0x0004 || classicstun.type == 0x0004)"
	msData    = "(stun.type == 0x0115 || classicstun.type == 0x0115)"
	synOnly   = "tcp.flags.syn == 1 && tcp.flags.ack == 0"
	byeDiag23 = `sip.Method == "BYE" && sip.msg_hdr contains "ms-client-diagnostics: 23;" && sip.msg_hdr contains "ICEWarn="`
	reInvite  = `sip.Method == "INVITE" && sip.CSeq.seq == 2 && sdp.media_attr contains "remote-candidates:1 "`
	rtpOnly   = "(rtp && !stun)"
)

// failureCounts lists, per failure capture, the frame counts its story in
// the README promises: requests that go unanswered, the responses that do
// come, and the SIP messages that show the outcome.
var failureCounts = map[string][]frameCount{
	"fail-udp3478-blocked.pcap": {
		{allocReq + " && udp.dstport == 3478", 5}, {"udp.srcport == 3478", 0},
		{"tls.handshake.ja3 == \"98d82c43de4e22a055da96bcef1ca9b9\"", 1}, {"tls.handshake.ja3s == \"233a541ade543e40c59e1f7ac7019c3d\"", 1},
		{stunReq + " && ip.dst == 192.0.2.50", 6}, {"ip.src == 192.0.2.50", 0},
		{`sip.Method == "INVITE" && sip.CSeq.seq == 1 && sdp.media_attr contains "TCP-ACT 174847999 203.0.113.10 53010 typ relay"`, 1},
		{`sdp.media_attr contains "typ relay raddr 198.51.100.7 rport 50123"`, 0},
		{reInvite + ` && sdp.media_attr contains "remote-candidates:1 203.0.113.10 52100"`, 1}, {`sip.Method == "BYE"`, 1},
	},
	"fail-high-ports-blocked.pcap": {
		{"ip.src == 203.0.113.10 && udp.srcport == 52000 && udp.dstport == 50010 && " + stunReq, 6},
		{"ip.src == 198.51.100.30 && udp", 0},
		{synOnly + " && tcp.srcport == 53010 && tcp.dstport == 50012", 3},
		{"tcp.srcport == 50012", 0},
		{synOnly + " && tcp.dstport == 443", 1}, {"tcp.flags.syn == 1 && tcp.flags.ack == 1 && tcp.srcport == 443", 1},
		{"sip", 0},
	},
	"fail-teams-relay-ports.pcap": {
		{"udp.dstport == 3479", 5}, {"udp.dstport == 3480", 5}, {"udp.dstport == 3481", 5},
		{"udp.srcport == 3479 || udp.srcport == 3480 || udp.srcport == 3481", 0},
		{allocReq + " && udp.dstport == 3478", 2}, {allocErr + " && udp.srcport == 3478", 1}, {allocOK + " && udp.srcport == 3478", 1},
		{"stun.att.ms.version == 6 && udp.dstport == 3481", 5},
		{"stun.channel == 0xff10 && rtp && udp.dstport == 3478", 40}, {"stun.channel == 0xff10 && rtp && udp.srcport == 3478", 40},
		{"sip", 0},
	},
	"fail-turn-unreachable.pcap": {
		{allocReq + " && udp.dstport == 3478", 5}, {"ip.src == 203.0.113.10", 0},
		{synOnly + " && tcp.dstport == 443", 3},
		{stunReq + " && ip.src == 10.0.1.20", 18}, {stunOK + " || " + stunErr, 0},
		{`sip.Method == "INVITE" && sdp.media_attr contains "typ relay"`, 0},
		{`sip.Status-Code == 183 && sdp.media_attr contains "typ relay"`, 1},
		{reInvite, 0}, {byeDiag23 + ` && sip.msg_hdr contains "ICEWarn=0x2b"`, 1},
	},
	"fail-turn-auth.pcap": {
		{allocReq + " && udp", 5}, {allocErr + " && stun.att.error.class == 4 && stun.att.error == 1", 2},
		{allocErr + " && stun.att.error.class == 4 && stun.att.error == 38", 3}, {allocOK, 0},
		{"tls.handshake.ja3 == \"98d82c43de4e22a055da96bcef1ca9b9\"", 1}, {"tcp.flags.fin == 1", 2},
	},
	"fail-turn-auth-pool.pcap": {
		{allocReq + " && ip.dst == 203.0.113.11", 3}, {allocOK + " && ip.src == 203.0.113.11", 0},
		{allocErr + " && ip.src == 203.0.113.11 && stun.att.error.class == 4 && stun.att.error == 1", 2},
		{allocErr + " && ip.src == 203.0.113.11 && stun.att.error.class == 4 && stun.att.error == 36", 1},
		{allocReq + " && ip.dst == 203.0.113.10", 2}, {allocOK + " && ip.src == 203.0.113.10", 1},
		{allocReq + " && stun.att.username.opaque", 3},
	},
	"fail-relay-address-private.pcap": {
		{allocOK + " && stun.att.ipv4 == 172.16.1.10 && stun.att.port == 52000", 1},
		{`sip.Method == "INVITE" && sdp.media_attr contains "172.16.1.10 52000 typ relay"`, 1},
		{msSend, 12}, {msData, 0}, {stunReq + " && ip.src == 10.0.1.20", 6}, {stunOK, 0},
		{reInvite, 0}, {byeDiag23 + ` && sip.msg_hdr contains "LocalMR=172.16.1.10:52000"`, 1},
	},
	"fail-pseudotls-inspected.pcap": {
		{allocOK, 1}, {"tls.handshake.ja3 == \"98d82c43de4e22a055da96bcef1ca9b9\"", 1},
		{"tls.handshake.type == 2 && tls.handshake.type == 11 && tls.handshake.type == 12 && tls.handshake.type == 14", 1},
		{"tls.handshake.ja3s == \"233a541ade543e40c59e1f7ac7019c3d\"", 0}, {"tls.handshake.extension.type == 23", 1},
		{"x509sat.printableString == \"203.0.113.10\"", 1}, {"tcp.flags.reset == 1 && ip.src == 10.0.1.20", 1},
	},
	"fail-pseudotls-reset.pcap": {
		{allocOK, 1}, {"tls.handshake.type == 1", 1}, {"tls.handshake.type == 2", 0},
		{"tcp.flags.reset == 1 && ip.src == 203.0.113.10", 1},
	},
	"fail-hairpin.pcap": {
		{stunReq + " && ip.dst == 198.51.100.7", 12}, {"ip.src == 198.51.100.7", 0},
		{stunOK + " && ip.src == 10.0.2.40 && ip.dst == 10.0.1.20", 2}, {stunOK + " && ip.src == 10.0.1.20 && ip.dst == 10.0.2.40", 1},
		{reInvite + ` && sdp.media_attr contains "remote-candidates:1 10.0.2.40 50020"`, 1},
		{rtpOnly + " && ip.src == 10.0.1.20", 50}, {rtpOnly + " && ip.src == 10.0.2.40", 50},
	},
	"fail-hairpin-edge-pool.pcap": {
		{allocOK + " && stun.att.ipv4 == 203.0.113.10", 1},
		{"ip.src == 172.16.1.10 && udp.srcport == 52000 && ip.dst == 203.0.113.11", 6},
		{"ip.src == 203.0.113.11", 0}, {"ip.src == 172.16.1.10 && udp.srcport == 52000 && ip.dst == 198.51.100.40", 6},
		{msSend, 12}, {msData, 0}, {"sip", 0},
	},
	"fail-ice-diag23.pcap": {
		{allocOK, 1}, {stunReq + " && ip.src == 10.0.1.20", 12}, {msSend, 12}, {msData, 0}, {stunOK, 0},
		{reInvite, 0}, {byeDiag23 + ` && sip.msg_hdr contains "ICEWarn=0xe0"`, 1},
	},
	"fail-one-way-media.pcap": {
		{stunOK, 3}, {reInvite, 1}, {rtpOnly + " && ip.src == 10.0.1.20", 200}, {rtpOnly + " && ip.dst == 10.0.1.20", 0},
	},
	"fail-media-stops.pcap": {
		{stunOK, 3}, {reInvite, 1}, {rtpOnly + " && ip.src == 10.0.1.20", 100}, {rtpOnly + " && ip.dst == 10.0.1.20", 100},
	},
	"fail-no-media.pcap": {
		{stunOK, 3}, {reInvite, 1}, {"(rtp || rtcp) && !stun", 0}, {`sip.Method == "BYE"`, 1},
	},
	"slow-ice.pcap": {
		{allocReq, 4}, {allocOK, 1}, {stunReq + " && ip.src == 10.0.1.20", 12}, {msSend, 55},
		{reInvite + ` && sdp.media_attr contains "remote-candidates:1 203.0.113.10 52100"`, 1},
	},
	"fail-check-integrity.pcap": {
		{stunErr + " && stun.att.error.class == 4 && stun.att.error == 31", 1},
		{msData + " && frame.len < 170", 3}, {msSend, 4}, {stunOK, 0},
		{reInvite, 0}, {byeDiag23 + ` && sip.msg_hdr contains "ICEWarn=0x4e0"`, 1},
	},
	"role-conflict.pcap": {
		{stunErr + " && stun.att.error.class == 4 && stun.att.error == 87", 2},
		{stunReq + " && stun.att.tie-breaker && ip.src == 10.0.1.20", 3}, {stunOK, 2},
		{rtpOnly, 50}, {"sip", 0},
	},
	"stun-unreachable.pcap": {
		{stunReq + " && ip.dst == 203.0.113.30", 7}, {"ip.src == 203.0.113.30", 0}, {"sip", 0},
	},
	"media-port-outside-range.pcap": {
		{`sip.Method == "NOTIFY" && sip.msg_body`, 1}, {`sip.Method == "SUBSCRIBE"`, 1},
		{`sip.Method == "INVITE" && sip.CSeq.seq == 1 && sdp.media_attr contains "10.0.1.20 13352 typ host"`, 1},
		{stunOK, 3}, {rtpOnly + " && udp.srcport == 13352", 50}, {rtpOnly + " && udp.dstport == 13352", 50},
	},
	"ok-edge-call.pcap": {
		{allocErr, 1}, {allocOK, 2}, {"stun.type == 0x0106", 1}, {stunErr, 0}, {msSend, 104}, {msData, 102},
		{reInvite, 1}, {`sip.Method == "BYE" && sip.msg_hdr contains "ms-client-diagnostics"`, 0},
	},
	"ok-direct-call.pcap": {
		{stunOK, 3}, {stunErr, 0}, {reInvite, 1}, {rtpOnly, 200},
		{`sip.Method == "BYE" && sip.msg_hdr contains "ms-client-diagnostics"`, 0},
	},
}

// TestTsharkFailureCaptures checks every failure capture against the frame
// counts of its story.
func TestTsharkFailureCaptures(t *testing.T) {
	t.Parallel()
	for file, checks := range failureCounts {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			for _, c := range checks {
				if got := len(fields(t, file, c.filter, "frame.number")); got != c.want {
					t.Errorf("frames matching %q = %d, want %d", c.filter, got, c.want)
				}
			}
		})
	}
}

// TestFailureCapturesListed checks that every generated failure capture has
// expectations and that the expectations name only generated files.
func TestFailureCapturesListed(t *testing.T) {
	names := map[string]bool{}
	for _, c := range captures {
		names[c.name] = true
		if strings.HasPrefix(c.name, "fail-") || strings.HasPrefix(c.name, "ok-") {
			if _, ok := failureCounts[c.name]; !ok {
				t.Errorf("%s has no frame-count expectations", c.name)
			}
		}
	}
	for f := range failureCounts {
		if !names[f] {
			t.Errorf("expectations for %s, which the generator does not write", f)
		}
	}
}

// controlMessages walks the MS-TURN frames of a TCP byte stream after the
// pseudo-TLS hello and returns "type" or "type/code" for each control
// message (code = ERROR-CODE class*100+number, attributes unpadded).
func controlMessages(t *testing.T, b []byte) []string {
	t.Helper()
	var out []string
	for len(b) >= 4 {
		n := int(binary.BigEndian.Uint16(b[2:4]))
		if 4+n > len(b) {
			t.Fatalf("frame of %d bytes overruns stream", n)
		}
		if p := b[4 : 4+n]; b[0] == 0x02 && len(p) >= 20 {
			s := hex.EncodeToString(p[0:2])
			if v, ok := msAttr(p, 0x0009); ok && len(v) >= 4 {
				s += "/" + strconv.Itoa(int(v[2]&7)*100+int(v[3]))
			}
			out = append(out, s)
		}
		b = b[4+n:]
	}
	return out
}

// msAttr returns the first value of attribute typ in an MS-TURN message,
// walking unpadded attributes (MS-REFERENCE §1.3 rule 5).
func msAttr(m []byte, typ uint16) ([]byte, bool) {
	for a := m[20:]; len(a) >= 4; {
		n := int(binary.BigEndian.Uint16(a[2:4]))
		if 4+n > len(a) {
			return nil, false
		}
		if binary.BigEndian.Uint16(a[0:2]) == typ {
			return a[4 : 4+n], true
		}
		a = a[4+n:]
	}
	return nil, false
}

// TestTsharkTURNAuthOverTCP checks the TCP 443 half of the auth story: the
// server answers 401, then 431 and 441 to the authenticated Allocates.
func TestTsharkTURNAuthOverTCP(t *testing.T) {
	t.Parallel()
	cli, srv := followRaw(t, "fail-turn-auth.pcap")
	if len(cli) < 50 || len(srv) < 83 {
		t.Fatalf("streams of %d and %d bytes, want the pseudo-TLS hellos first", len(cli), len(srv))
	}
	tests := []struct {
		name string
		got  []string
		want string
	}{
		{"client", controlMessages(t, cli[50:]), "0003 0003 0003"},
		{"server", controlMessages(t, srv[83:]), "0113/401 0113/431 0113/441"},
	}
	for _, tt := range tests {
		if got := strings.Join(tt.got, " "); got != tt.want {
			t.Errorf("%s control messages = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestTsharkHighPortsTCP checks that the TCP 443 allocation of the
// high-ports story carries the relayed checks and the media.
func TestTsharkHighPortsTCP(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"fail-high-ports-blocked.pcap", "fail-udp3478-blocked.pcap"} {
		t.Run(f, func(t *testing.T) {
			cli, srv := followRaw(t, f)
			tests := []struct {
				name      string
				stream    []byte
				hello     int
				ctl, data int
			}{
				{"client", cli, 50, 5, 51},
				{"server", srv, 83, 5, 50},
			}
			for _, tt := range tests {
				if len(tt.stream) < tt.hello {
					t.Fatalf("%s stream too short: %d bytes", tt.name, len(tt.stream))
				}
				if ctl, data := walkMSFrames(t, tt.stream[tt.hello:]); ctl != tt.ctl || data != tt.data {
					t.Errorf("%s frames = %d control, %d data; want %d, %d", tt.name, ctl, data, tt.ctl, tt.data)
				}
			}
		})
	}
}

// TestTsharkCheckIntegrity checks the ALG story on the wire: the success
// responses relayed in Data Indications fail MESSAGE-INTEGRITY (RFC 5389
// §15.4) with the ice-pwd bob's 183 carries.
func TestTsharkCheckIntegrity(t *testing.T) {
	t.Parallel()
	const f = "fail-check-integrity.pcap"
	var pwd string
	for _, a := range strings.Split(strings.Join(fields(t, f, "sip.Status-Code == 183", "sdp.media_attr"), ","), ",") {
		if v, ok := strings.CutPrefix(a, "ice-pwd:"); ok {
			pwd = v
		}
	}
	if pwd == "" {
		t.Fatal("no ice-pwd in the 183")
	}
	payloads := fields(t, f, msData, "udp.payload")
	var checked int
	for _, h := range payloads {
		di, err := hex.DecodeString(h)
		if err != nil {
			t.Fatalf("payload %q: %v", h, err)
		}
		inner, ok := msAttr(di, 0x0013)
		if !ok || len(inner) < 20 || binary.BigEndian.Uint16(inner[0:2]) != 0x0101 {
			continue
		}
		checked++
		if integrityOK(inner, pwd) {
			t.Errorf("relayed success response verifies with the SDP ice-pwd %q, want a mismatch", pwd)
		}
	}
	if checked != 3 {
		t.Errorf("%d relayed success responses, want 3", checked)
	}
}

// integrityOK reports whether an RFC 5389 message's MESSAGE-INTEGRITY
// verifies with the short-term key pwd (RFC 5389 §15.4: HMAC-SHA1 over the
// message up to the attribute, length field counting it).
func integrityOK(m []byte, pwd string) bool {
	for off := 20; off+4 <= len(m); {
		typ, n := binary.BigEndian.Uint16(m[off:off+2]), int(binary.BigEndian.Uint16(m[off+2:off+4]))
		if typ == 0x0008 && n == 20 && off+24 <= len(m) {
			hdr := append([]byte(nil), m[:off]...)
			binary.BigEndian.PutUint16(hdr[2:4], uint16(off+24-20))
			mac := hmac.New(sha1.New, []byte(pwd))
			mac.Write(hdr)
			return hmac.Equal(mac.Sum(nil), m[off+4:off+24])
		}
		off += 4 + (n+3)&^3
	}
	return false
}

// TestTsharkTiming checks the time-based stories: the first successful
// check of slow-ice comes more than 3 s after the INVITE, and the last RTP
// packet of fail-media-stops precedes the BYE by more than 5 s.
func TestTsharkTiming(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, from, to string
		min            float64
	}{
		{"slow-ice.pcap", `sip.Method == "INVITE"`, msData, 3},
		{"fail-media-stops.pcap", rtpOnly, `sip.Method == "BYE"`, 5},
		{"stun-unreachable.pcap", stunReq, stunReq, 31},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			from := fields(t, tt.file, tt.from, "frame.time_relative")
			to := fields(t, tt.file, tt.to, "frame.time_relative")
			if len(from) == 0 || len(to) == 0 {
				t.Fatalf("no frames for %q or %q", tt.from, tt.to)
			}
			a, _ := strconv.ParseFloat(from[0], 64)
			if tt.file == "fail-media-stops.pcap" {
				a, _ = strconv.ParseFloat(from[len(from)-1], 64)
			}
			b, _ := strconv.ParseFloat(to[len(to)-1], 64)
			if tt.file == "slow-ice.pcap" {
				b, _ = strconv.ParseFloat(to[0], 64)
			}
			if b-a <= tt.min {
				t.Errorf("%q at %.3f s to %q at %.3f s = %.3f s, want more than %.0f s", tt.from, a, tt.to, b, b-a, tt.min)
			}
		})
	}
}
