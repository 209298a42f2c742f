package live

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/net/bpf"
)

// PortRange is an inclusive range of TCP ports.
type PortRange struct{ Lo, Hi uint16 }

// TCPPorts are the TCP ports the built-in filter keeps (either end): SIP
// over TCP and TLS (5060-5099: RFC 3261 §18, the Lync/Skype for Business
// front-end and mediation ports and the usual trunk ports), SIP over
// WebSocket (80, 443, 8080, 8443: RFC 7118), TURN and MS-TURN over TCP and
// TLS (443, 3478-3481: RFC 8656 §3, MS-TURN §2.1; 4434 is a Teams relay
// port), and the Edge media range (50000-59999) where ICE-TCP candidates
// live.
var TCPPorts = []PortRange{{80, 80}, {443, 443}, {3478, 3481}, {4434, 4434}, {5060, 5099},
	{8080, 8080}, {8443, 8443}, {50000, 59999}}

// BuiltinFilterDescription says in one paragraph what the built-in
// filter keeps; --help and docs/live.md show it.
const BuiltinFilterDescription = "all UDP; TCP with either port 80, 443, 3478-3481, 4434, " +
	"5060-5099, 8080, 8443 or 50000-59999; every IPv4 and IPv6 fragment; ICMP and ICMPv6 errors " +
	"(unreachable, time exceeded, parameter problem, packet too big); SCTP; " +
	"IP-in-IP, IPv6-in-IPv4 and GRE tunnels whole; 802.1Q/802.1ad tagged frames " +
	"whole. IPv6 packets with extension headers other than a fragment header " +
	"are kept whole."

// BuiltinFilterExpr is the built-in filter as a tcpdump expression, which
// the libpcap and Npcap backends compile; it keeps what the BPF program of
// BuiltinFilter keeps.
func BuiltinFilterExpr() string {
	var ports []string
	for _, r := range TCPPorts {
		if r.Lo == r.Hi {
			ports = append(ports, "tcp port "+strconv.Itoa(int(r.Lo)))
		} else {
			ports = append(ports, fmt.Sprintf("tcp portrange %d-%d", r.Lo, r.Hi))
		}
	}
	return "udp or " + strings.Join(ports, " or ") +
		" or (ip[6:2] & 0x3fff != 0) or ip6[6] == 44" +
		" or icmp[0] == 3 or icmp[0] == 4 or icmp[0] == 11 or icmp[0] == 12" +
		" or (icmp6 and ip6[40] < 128)" +
		" or ip proto 132 or ip6 proto 132 or ip proto 4 or ip proto 41 or ip proto 47" +
		" or ip6 proto 4 or ip6 proto 41 or ip6 proto 47" +
		" or ip6[6] == 0 or ip6[6] == 43 or ip6[6] == 60 or vlan"
}

// LINKTYPE_* values the built-in filter handles.
const (
	LinkTypeEthernet = 1
	LinkTypeRaw      = 101
)

// IP protocol numbers the filter tests.
const (
	protoICMP   = 1
	protoIPIP   = 4
	protoTCP    = 6
	protoUDP    = 17
	protoIPv6   = 41
	protoGRE    = 47
	protoICMPv6 = 58
	protoFrag6  = 44
	protoSCTP   = 132
)

// BuiltinFilter returns the built-in filter as a classic BPF program for
// frames of the given link type (Ethernet or raw IP), ready for
// SO_ATTACH_FILTER (packet(7), Documentation/networking/filter.rst).
func BuiltinFilter(linkType uint16) ([]bpf.RawInstruction, error) {
	a := newAssembler()
	switch linkType {
	case LinkTypeEthernet:
		a.ethernet()
	case LinkTypeRaw:
		a.rawIP()
	default:
		return nil, fmt.Errorf("%w %d for the built-in filter", ErrLinkType, linkType)
	}
	off := uint32(0)
	if linkType == LinkTypeEthernet {
		off = 14
	}
	a.ipv4(off)
	a.ipv6(off)
	a.label("accept")
	a.emit(bpf.RetConstant{Val: 0xffffffff})
	a.label("drop")
	a.emit(bpf.RetConstant{Val: 0})
	prog, err := a.assemble()
	if err != nil {
		return nil, err
	}
	return bpf.Assemble(prog)
}

// ethernet dispatches on the EtherType of an Ethernet II frame.
func (a *assembler) ethernet() {
	a.emit(bpf.LoadAbsolute{Off: 12, Size: 2})
	a.jumpEq(0x8100, "accept", "")
	a.jumpEq(0x88a8, "accept", "")
	a.jumpEq(0x0800, "ipv4", "")
	a.jumpEq(0x86dd, "ipv6", "drop")
}

// rawIP dispatches on the IP version nibble of a raw IP frame.
func (a *assembler) rawIP() {
	a.emit(bpf.LoadAbsolute{Off: 0, Size: 1})
	a.emit(bpf.ALUOpConstant{Op: bpf.ALUOpShiftRight, Val: 4})
	a.jumpEq(4, "ipv4", "")
	a.jumpEq(6, "ipv6", "drop")
}

// ipv4 keeps fragments (RFC 791 §3.1: MF flag or a fragment offset),
// UDP, SCTP, tunnels, ICMP errors (RFC 792) and TCP on the ports of
// interest.
func (a *assembler) ipv4(off uint32) {
	a.label("ipv4")
	a.emit(bpf.LoadAbsolute{Off: off + 6, Size: 2})
	a.jump(bpf.JumpBitsSet, 0x3fff, "accept", "")
	a.emit(bpf.LoadAbsolute{Off: off + 9, Size: 1})
	for _, p := range []uint32{protoUDP, protoSCTP, protoIPIP, protoIPv6, protoGRE} {
		a.jumpEq(p, "accept", "")
	}
	a.jumpEq(protoICMP, "icmp4", "")
	a.jumpEq(protoTCP, "", "drop")
	a.emit(bpf.LoadMemShift{Off: off})
	a.emit(bpf.LoadIndirect{Off: off, Size: 2})
	a.ports("v4src")
	a.emit(bpf.LoadIndirect{Off: off + 2, Size: 2})
	a.ports("v4dst")
	a.jumpTo("drop")
	a.label("icmp4")
	a.emit(bpf.LoadMemShift{Off: off})
	a.emit(bpf.LoadIndirect{Off: off, Size: 1})
	for _, t := range []uint32{3, 4, 11, 12} { // unreachable, source quench, time exceeded, parameter problem
		a.jumpEq(t, "accept", "")
	}
	a.jumpTo("drop")
}

// ipv6 keeps UDP, fragments (RFC 8200 §4.5), SCTP, tunnels, packets with
// other extension headers, ICMPv6 errors (types below 128, RFC 4443 §2.1)
// and TCP on the ports of interest.
func (a *assembler) ipv6(off uint32) {
	a.label("ipv6")
	a.emit(bpf.LoadAbsolute{Off: off + 6, Size: 1})
	for _, p := range []uint32{protoUDP, protoFrag6, protoSCTP, protoIPIP, protoIPv6, protoGRE, 0, 43, 60} {
		a.jumpEq(p, "accept", "")
	}
	a.jumpEq(protoICMPv6, "icmp6", "")
	a.jumpEq(protoTCP, "", "drop")
	a.emit(bpf.LoadAbsolute{Off: off + 40, Size: 2})
	a.ports("v6src")
	a.emit(bpf.LoadAbsolute{Off: off + 42, Size: 2})
	a.ports("v6dst")
	a.jumpTo("drop")
	a.label("icmp6")
	a.emit(bpf.LoadAbsolute{Off: off + 40, Size: 1})
	a.jump(bpf.JumpLessThan, 128, "accept", "drop")
}

// ports jumps to accept when the A register holds a port of TCPPorts and
// falls through otherwise.
func (a *assembler) ports(prefix string) {
	for i, r := range TCPPorts {
		next := fmt.Sprintf("%s-%d", prefix, i)
		if r.Lo == r.Hi {
			a.jumpEq(uint32(r.Lo), "accept", next)
		} else {
			a.jump(bpf.JumpGreaterOrEqual, uint32(r.Lo), "", next)
			a.jump(bpf.JumpGreaterThan, uint32(r.Hi), next, "accept")
		}
		a.label(next)
	}
}
