package decode

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/icediag/icediag/decode/synth"
)

// ipv4 wraps payload in a minimal IPv4 header (RFC 791) of protocol proto.
// The decoder does not verify header checksums, so none is computed.
func ipv4(src, dst netip.Addr, proto uint8, payload []byte) []byte {
	h := make([]byte, 20, 20+len(payload))
	h[0], h[8], h[9] = 0x45, 64, proto
	binary.BigEndian.PutUint16(h[2:], uint16(20+len(payload)))
	s, d := src.As4(), dst.As4()
	copy(h[12:], s[:])
	copy(h[16:], d[:])
	return append(h, payload...)
}

// ipv6 wraps payload in an IPv6 header (RFC 8200) with next header next.
func ipv6(src, dst netip.Addr, next uint8, payload []byte) []byte {
	h := make([]byte, 40, 40+len(payload))
	h[0], h[6], h[7] = 0x60, next, 64
	binary.BigEndian.PutUint16(h[4:], uint16(len(payload)))
	s, d := src.As16(), dst.As16()
	copy(h[8:], s[:])
	copy(h[24:], d[:])
	return append(h, payload...)
}

var (
	tunA  = netip.MustParseAddr("198.51.100.1")
	tunB  = netip.MustParseAddr("198.51.100.2")
	tunA6 = netip.MustParseAddr("2001:db8:ff::1")
	tunB6 = netip.MustParseAddr("2001:db8:ff::2")
)

// gre returns a GRE header (RFC 2784, RFC 2890) with the given flags and
// protocol; the optional checksum, key and sequence words are zero.
func gre(flags, proto uint16, payload []byte) []byte {
	h := binary.BigEndian.AppendUint16(nil, flags)
	h = binary.BigEndian.AppendUint16(h, proto)
	for _, bit := range []uint16{0x8000, 0x2000, 0x1000} {
		if flags&bit != 0 {
			h = append(h, 0, 0, 0, 0)
		}
	}
	return append(h, payload...)
}

// erspan3 returns an ERSPAN type III header (12 bytes, plus the 8-byte
// platform-specific subheader when sub is set) before an Ethernet frame.
func erspan3(sub bool, frame []byte) []byte {
	h := make([]byte, 12)
	h[0] = 0x20 // version 2 (type III)
	if sub {
		h[11] |= 1
		h = append(h, make([]byte, 8)...)
	}
	return append(h, frame...)
}

// wrapIPIP encapsulates ip in n IPv4-in-IPv4 headers (RFC 2003).
func wrapIPIP(ip []byte, n int) []byte {
	for i := 0; i < n; i++ {
		ip = ipv4(tunA, tunB, 4, ip)
	}
	return ip
}

func TestLinkTypes(t *testing.T) {
	v4 := synth.UDP(client, peer, bindingRequest("link-4"))
	v6src, v6dst := ap("[2001:db8:1::20]:50000"), ap("[2001:db8:2::50]:50010")
	v6 := synth.UDP(v6src, v6dst, bindingRequest("link-6"))
	loopBE := func(fam uint32, ip []byte) []byte { return append(binary.BigEndian.AppendUint32(nil, fam), ip...) }
	qinqOld := eth(v4, 100, 20)
	binary.BigEndian.PutUint16(qinqOld[12:], 0x9100)
	tests := []struct {
		name string
		link uint16
		data []byte
		want Flow
	}{
		{"Ethernet IPv4", LinkEthernet, eth(v4), Flow{client, peer, UDP}},
		{"Ethernet IPv6", LinkEthernet, eth(v6), Flow{v6src, v6dst, UDP}},
		{"802.1Q", LinkEthernet, eth(v4, 20), Flow{client, peer, UDP}},
		{"QinQ 802.1ad", LinkEthernet, eth(v4, 100, 20), Flow{client, peer, UDP}},
		{"QinQ 0x9100", LinkEthernet, qinqOld, Flow{client, peer, UDP}},
		{"Linux SLL", LinkSLL, synth.SLL(v4, synth.PacketOutgoing), Flow{client, peer, UDP}},
		{"Linux SLL2", LinkSLL2, synth.SLL2(v6, 2, synth.PacketHost), Flow{v6src, v6dst, UDP}},
		{"BSD null IPv4", LinkNull, synth.Null(v4), Flow{client, peer, UDP}},
		{"BSD null IPv6 (macOS)", LinkNull, synth.Null(v6), Flow{v6src, v6dst, UDP}},
		{"BSD null big-endian", LinkNull, loopBE(2, v4), Flow{client, peer, UDP}},
		{"OpenBSD loop IPv6", LinkLoop, loopBE(24, v6), Flow{v6src, v6dst, UDP}},
		{"raw IPv4", LinkRaw, v4, Flow{client, peer, UDP}},
		{"raw IPv6", LinkRaw, v6, Flow{v6src, v6dst, UDP}},
		{"LINKTYPE_IPV4", LinkIPv4, v4, Flow{client, peer, UDP}},
		{"LINKTYPE_IPV6", LinkIPv6, v6, Flow{v6src, v6dst, UDP}},
		{"IP in IP", LinkEthernet, eth(ipv4(tunA, tunB, 4, v4)), Flow{client, peer, UDP}},
		{"IPv6 in IPv4", LinkEthernet, eth(ipv4(tunA, tunB, 41, v6)), Flow{v6src, v6dst, UDP}},
		{"IPv4 in IPv6", LinkEthernet, eth(ipv6(tunA6, tunB6, 4, v4)), Flow{client, peer, UDP}},
		{"four nested tunnels", LinkEthernet, eth(wrapIPIP(v4, 4)), Flow{client, peer, UDP}},
		{"GRE IPv4", LinkEthernet, eth(ipv4(tunA, tunB, 47, gre(0, 0x0800, v4))), Flow{client, peer, UDP}},
		{"GRE key, sequence, checksum", LinkEthernet, eth(ipv4(tunA, tunB, 47, gre(0xB000, 0x86DD, v6))), Flow{v6src, v6dst, UDP}},
		{"GRE transparent bridging", LinkEthernet, eth(ipv4(tunA, tunB, 47, gre(0x2000, 0x6558, eth(v4, 20)))), Flow{client, peer, UDP}},
		{"ERSPAN type I", LinkEthernet, eth(ipv4(tunA, tunB, 47, gre(0, 0x88BE, eth(v4)))), Flow{client, peer, UDP}},
		{"ERSPAN type II", LinkEthernet, eth(ipv4(tunA, tunB, 47, gre(0x1000, 0x88BE, append(make([]byte, 8), eth(v4)...)))), Flow{client, peer, UDP}},
		{"ERSPAN type III", LinkEthernet, eth(ipv4(tunA, tunB, 47, gre(0x1000, 0x22EB, erspan3(false, eth(v4))))), Flow{client, peer, UDP}},
		{"ERSPAN type III with subheader", LinkEthernet, eth(ipv4(tunA, tunB, 47, gre(0x1000, 0x22EB, erspan3(true, eth(v6))))), Flow{v6src, v6dst, UDP}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, s := feed(t, Options{}, []frame{{tc.link, captureStart, tc.data}})
			if len(r.evs) != 1 || r.evs[0].Kind != KindSTUN || r.evs[0].Flow != tc.want {
				t.Fatalf("events %q, want one STUN event on %v (problems %+v)", r.lines(), tc.want, s.Problems())
			}
			if s.ProblemCount() != 0 {
				t.Errorf("problems %+v, want none", s.Problems())
			}
		})
	}
}

func TestLinkErrors(t *testing.T) {
	v4 := synth.UDP(client, peer, bindingRequest("link-err"))
	tests := []struct {
		name          string
		link          uint16
		data          []byte
		layer, reason string
	}{
		{"five nested tunnels", LinkEthernet, eth(wrapIPIP(v4, 5)), "ip", "too many nested tunnels"},
		{"unknown link type", 147, v4, "link", "unsupported link type"},
		{"short Ethernet", LinkEthernet, eth(v4)[:10], "link", "Ethernet header truncated"},
		{"short VLAN tag", LinkEthernet, eth(nil, 20)[:16], "link", "802.1Q tag truncated"},
		{"short SLL2", LinkSLL2, make([]byte, 19), "link", "Linux SLL2 header truncated"},
		{"short GRE", LinkEthernet, eth(ipv4(tunA, tunB, 47, []byte{0x30, 0, 0x08})), "gre", "header truncated"},
		{"short ERSPAN III", LinkEthernet, eth(ipv4(tunA, tunB, 47, gre(0x1000, 0x22EB, make([]byte, 11)))), "gre", "ERSPAN header truncated"},
		{"bad IPv4 header length", LinkRaw, append([]byte{0x44}, v4[1:]...), "ipv4", "bad header length"},
		{"raw non-IP", LinkRaw, []byte{0x50, 0, 0, 0}, "ip", "unknown IP version"},
		{"short UDP", LinkRaw, ipv4(client.Addr(), peer.Addr(), 17, []byte{1, 2, 3}), "udp", "header truncated"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, s := feed(t, Options{}, []frame{{tc.link, captureStart, tc.data}})
			if len(r.evs) != 0 {
				t.Errorf("events %q, want none", r.lines())
			}
			if got := problemCount(s, tc.layer, tc.reason); got != 1 {
				t.Errorf("problem %s/%q counted %d times, want 1 (all %+v)", tc.layer, tc.reason, got, s.Problems())
			}
		})
	}
}

// TestPublicTunnels decodes the public IP-in-IP and ERSPAN captures; tshark
// shows 4 and 140 SIP messages in them.
func TestPublicTunnels(t *testing.T) {
	for _, tc := range []struct {
		file string
		sip  uint64
	}{{"sngrep__ipip.pcap", 4}, {"heplify__erspan_sip_ipv4_udp.pcapng", 140}} {
		t.Run(tc.file, func(t *testing.T) {
			_, s := runFile(t, publicPath(tc.file))
			if got := s.EventCount(KindSIP); got != tc.sip || s.ProblemCount() != 0 {
				t.Errorf("SIP events = %d, problems %+v, want %d and none", got, s.Problems(), tc.sip)
			}
		})
	}
}

// icmpError returns an ICMP (or ICMPv6) error of the given type and code
// quoting the start of packet ip (RFC 792, RFC 4443 §3).
func icmpError(typ, code uint8, ip []byte, quote int) []byte {
	return append([]byte{typ, code, 0, 0, 0, 0, 0, 0}, ip[:min(quote, len(ip))]...)
}

func TestICMPQuotesCheck(t *testing.T) {
	router := netip.MustParseAddr("192.0.2.1")
	router6 := netip.MustParseAddr("2001:db8:2::1")
	v6src, v6dst := ap("[2001:db8:1::20]:50000"), ap("[2001:db8:2::50]:50010")
	check := synth.UDP(client, peer, bindingRequest("icmp-4"))
	check6 := synth.UDP(v6src, v6dst, bindingRequest("icmp-6"))
	tcpSyn := synth.TCP(client, ap("192.0.2.50:443"), 1, 0, synth.SYN, nil)
	tests := []struct {
		name       string
		ip         []byte
		typ, code  uint8
		wantQuoted Flow
		wantV6     bool
	}{
		{"port unreachable", ipv4(router, client.Addr(), 1, icmpError(3, 3, check, 28)), 3, 3, Flow{client, peer, UDP}, false},
		{"admin prohibited, whole packet", ipv4(router, client.Addr(), 1, icmpError(3, 13, check, len(check))), 3, 13, Flow{client, peer, UDP}, false},
		{"time exceeded for TCP", ipv4(router, client.Addr(), 1, icmpError(11, 0, tcpSyn, 28)), 11, 0, Flow{client, ap("192.0.2.50:443"), TCP}, false},
		{"ICMPv6 port unreachable", ipv6(router6, v6src.Addr(), 58, icmpError(1, 4, check6, 48)), 1, 4, Flow{v6src, v6dst, UDP}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, s := feed(t, Options{}, ethFrames(time.Millisecond, tc.ip))
			if len(r.evs) != 1 || r.evs[0].Kind != KindICMP {
				t.Fatalf("events %q, want one ICMP event (problems %+v)", r.lines(), s.Problems())
			}
			got := r.evs[0].ICMP
			want := ICMPInfo{V6: tc.wantV6, Type: tc.typ, Code: tc.code, Quoted: tc.wantQuoted, Reporter: r.evs[0].Flow.Src.Addr()}
			if got != want || (got.Reporter != router && got.Reporter != router6) {
				t.Errorf("ICMP = %+v, want %+v from the router", got, want)
			}
			if r.evs[0].Flow.Dst != tc.wantQuoted.Src {
				t.Errorf("ICMP event goes to %v, want the quoted sender %v", r.evs[0].Flow.Dst, tc.wantQuoted.Src)
			}
		})
	}
	// Echo requests are not errors; a quote cut inside the IP header is a problem.
	r, s := feed(t, Options{}, ethFrames(time.Millisecond,
		ipv4(router, client.Addr(), 1, []byte{8, 0, 0, 0, 0, 1, 0, 1}),
		ipv4(router, client.Addr(), 1, icmpError(3, 3, check, 22))))
	if len(r.evs) != 0 || s.OtherPackets != 1 || problemCount(s, "icmp", "quoted packet truncated") != 1 {
		t.Errorf("echo and short quote: events %q, OtherPackets %d, problems %+v, want none, 1, one truncated quote",
			r.lines(), s.OtherPackets, s.Problems())
	}
}
