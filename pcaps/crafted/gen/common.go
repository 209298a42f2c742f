package main

import (
	"bytes"
	"net"
	"net/netip"
	"time"

	"github.com/icediag/icediag/decode/synth"
)

// capture names one output file and the function that builds its bytes.
type capture struct {
	name  string
	build func() ([]byte, error)
}

// captures lists every generated file in generation order.
var captures = []capture{
	{"msturn-udp.pcap", buildMSTURNUDP},
	{"msturn-tcp443-pseudotls.pcap", buildMSTURNTCP},
	{"msturn-multiplexed.pcap", buildMultiplexed},
	{"sip-udp-fragmented-invite.pcap", buildSIPUDP4},
	{"sip-udp6-fragmented-invite.pcap", buildSIPUDP6},
	{"sip-tcp-segmented.pcap", buildSIPTCP},
	{"sll2-stun.pcap", buildSLL2},
	{"two-interfaces.pcapng", buildTwoInterfaces},
	{"fail-udp3478-blocked.pcap", buildUDP3478Blocked},
	{"fail-high-ports-blocked.pcap", buildHighPortsBlocked},
	{"fail-teams-relay-ports.pcap", buildTeamsRelayPorts},
	{"fail-turn-unreachable.pcap", buildTURNUnreachable},
	{"fail-turn-auth.pcap", buildTURNAuthFailed},
	{"fail-turn-auth-pool.pcap", buildTURNAuthPool},
	{"fail-relay-address-private.pcap", buildRelayPrivate},
	{"fail-pseudotls-inspected.pcap", buildPseudoTLSInspected},
	{"fail-pseudotls-reset.pcap", buildPseudoTLSReset},
	{"fail-hairpin.pcap", buildHairpin},
	{"fail-hairpin-edge-pool.pcap", buildHairpinEdgePool},
	{"fail-ice-diag23.pcap", buildICEFailedDiag},
	{"fail-one-way-media.pcap", buildOneWayMedia},
	{"fail-media-stops.pcap", buildMediaStops},
	{"fail-no-media.pcap", buildNoMedia},
	{"slow-ice.pcap", buildSlowICE},
	{"fail-check-integrity.pcap", buildCheckIntegrity},
	{"role-conflict.pcap", buildRoleConflict},
	{"stun-unreachable.pcap", buildSTUNUnreachable},
	{"media-port-outside-range.pcap", buildPortRange},
	{"ok-edge-call.pcap", buildHealthyEdge},
	{"ok-direct-call.pcap", buildHealthyDirect},
	{"server-diagnostics.pcap", buildServerDiagnostics},
	{"fail-dns-autodiscover.pcap", buildDNSAutodiscover},
	{"fail-dns-srv-hosting.pcap", buildDNSSRVHosting},
	{"fail-tls-certificate.pcap", buildTLSCertificates},
}

// start is the capture time of the first frame of every file.
var start = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// Addresses shared by the stories (documentation and private ranges only).
var (
	macClient  = net.HardwareAddr{0x00, 0x00, 0x5E, 0x00, 0x53, 0x14}
	macGateway = net.HardwareAddr{0x00, 0x00, 0x5E, 0x00, 0x53, 0x01}
	macEdgeInt = net.HardwareAddr{0x00, 0x00, 0x5E, 0x00, 0x53, 0x0A}
	macFE      = net.HardwareAddr{0x00, 0x00, 0x5E, 0x00, 0x53, 0x05}
)

// ep parses a literal endpoint.
func ep(s string) synth.Endpoint { return netip.MustParseAddrPort(s) }

// timeline collects frames with capture times advancing by explicit steps.
type timeline struct {
	now    time.Time
	frames []synth.Frame
}

// newTimeline starts a timeline at start.
func newTimeline() *timeline { return &timeline{now: start} }

// add advances the clock by step and records frames on interface 0, each
// 50 µs after the previous one.
func (tl *timeline) add(step time.Duration, frames ...[]byte) {
	tl.addOn(0, step, frames...)
}

// addOn is add for a given pcapng interface.
func (tl *timeline) addOn(iface int, step time.Duration, frames ...[]byte) {
	tl.now = tl.now.Add(step)
	for i, f := range frames {
		if i > 0 {
			tl.now = tl.now.Add(50 * time.Microsecond)
		}
		tl.frames = append(tl.frames, synth.Frame{Time: tl.now, Iface: iface, Data: f})
	}
}

// pcap encodes the timeline as a libpcap file of the given link type.
func (tl *timeline) pcap(linkType uint32) ([]byte, error) {
	var b bytes.Buffer
	err := synth.WritePcap(&b, linkType, tl.frames)
	return b.Bytes(), err
}

// ethFrom returns a function that wraps IP packets in Ethernet frames, with
// the client MAC as source when the packet comes from client.
func ethFrom(client netip.Addr) func(ip []byte) []byte {
	return func(ip []byte) []byte {
		src, dst := macGateway, macClient
		if srcAddr(ip) == client {
			src, dst = macClient, macGateway
		}
		return synth.Ethernet(src, dst, nil, ip)
	}
}

// srcAddr returns the source address of an IPv4 or IPv6 packet.
func srcAddr(ip []byte) netip.Addr {
	if len(ip) >= 40 && ip[0]>>4 == 6 {
		a, _ := netip.AddrFromSlice(ip[8:24])
		return a
	}
	if len(ip) >= 20 {
		a, _ := netip.AddrFromSlice(ip[12:16])
		return a
	}
	return netip.Addr{}
}

// mapAll applies f to every packet.
func mapAll(f func([]byte) []byte, pkts [][]byte) [][]byte {
	out := make([][]byte, len(pkts))
	for i, p := range pkts {
		out[i] = f(p)
	}
	return out
}

// fixed32 returns 32 deterministic "random" bytes derived from seed.
func fixed32(seed string) [32]byte {
	var r [32]byte
	a, b := synth.NewTxID(seed+"/a", false), synth.NewTxID(seed+"/b", false)
	copy(r[:16], a[:])
	copy(r[16:], b[:])
	return r
}
