package callgen

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"time"
)

// Path is how a call's media travels past the capture point.
type Path uint8

// Media paths.
const (
	// PathDirect is host-to-host UDP (RFC 8445 host candidates), IPv4 or IPv6.
	PathDirect Path = iota
	// PathTURN relays the caller through an RFC 8656 TURN server:
	// Send/Data indications during the checks, then ChannelData.
	PathTURN
	// PathMSTURN relays the caller through an MS-TURN A/V Edge: MS-TURN
	// Send requests and Data indications (MS-TURN §2.2.1, MS-REFERENCE §1.2).
	PathMSTURN
	// NumPaths is the number of paths.
	NumPaths
)

var pathNames = [NumPaths]string{"direct", "TURN", "MS-TURN"}

func (p Path) String() string {
	if p < NumPaths {
		return pathNames[p]
	}
	return "?"
}

// Fixed infrastructure addresses (RFC 1918, RFC 5737 and RFC 3849 ranges).
var (
	proxyAddr  = netip.MustParseAddr("10.0.0.5")    // SIP proxy / Front End
	proxyAddr6 = netip.MustParseAddr("2001:db8::5") // the proxy's IPv6 address
	turnAddr   = netip.MustParseAddr("192.0.2.10")  // RFC TURN server
	edgeAddr   = netip.MustParseAddr("192.0.2.20")  // MS-TURN A/V Edge external interface
	turnPort   = uint16(3478)                       // RFC 8656 §4, MS-REFERENCE §1.1
	sipPort    = uint16(5060)                       // RFC 3261 §18.1
	relayPort0 = uint16(50000)                      // A/V Edge relay range 50000-59999 (MS-REFERENCE §1.1)
)

// codec is an audio codec of 20 ms frames.
type codec struct {
	name           string
	pt             uint8
	clock          int
	minLen, maxLen int // payload bytes per 20 ms frame
}

// codecs are the codecs calls choose from: G.711 (RFC 3551), Opus
// (RFC 7587) and SILK as Lync offers it.
var codecs = []codec{
	{"PCMU", 0, 8000, 160, 160},
	{"PCMA", 8, 8000, 160, 160},
	{"opus", 111, 48000, 60, 120},
	{"SILK", 103, 16000, 40, 100},
}

// tsStep is the RTP timestamp increment of one 20 ms frame.
func (c codec) tsStep() uint32 {
	if c.name == "opus" {
		return 960 // RFC 7587 §4.1: the RTP clock is always 48 kHz
	}
	return uint32(c.clock / 50)
}

// frameInterval is the packetisation time of every stream (a=ptime:20).
const frameInterval = 20 * time.Millisecond

// callPlan is what is drawn for a call before it starts.
type callPlan struct {
	index  int
	seed   uint64
	start  time.Time
	path   Path
	v6     bool // IPv6 host candidates (direct calls)
	sipTCP bool // SIP over TCP instead of UDP
	ring   time.Duration
	length time.Duration // media duration
	codec  codec
}

// newCallPlan draws call i starting at start.
func newCallPlan(i int, start time.Time, c Config, rng *rand.Rand) callPlan {
	p := callPlan{index: i, seed: rng.Uint64(), start: start}
	switch r := rng.IntN(100); {
	case r < 30:
		p.path = PathTURN
	case r < 45:
		p.path = PathMSTURN
	default:
		p.path = PathDirect
		p.v6 = rng.IntN(5) == 0
	}
	p.sipTCP = rng.IntN(5) == 0
	p.ring = 300*time.Millisecond + time.Duration(rng.Int64N(int64(3*time.Second)))
	p.length = c.CallLength/2 + time.Duration(rng.Int64N(int64(c.CallLength)+1))
	p.codec = codecs[rng.IntN(len(codecs))]
	return p
}

// estimate is the approximate number of file bytes the call adds.
func (p *callPlan) estimate() int64 {
	ip := 20
	if p.v6 {
		ip = 40
	}
	rtp := int64(16 + 14 + ip + 8 + 12 + (p.codec.minLen+p.codec.maxLen)/2)
	perPacket := rtp
	switch p.path {
	case PathTURN:
		perPacket = 2*rtp + 4
	case PathMSTURN:
		perPacket = 2*rtp + 140 // Send requests carry ~230 bytes of attributes, Data indications ~40
	}
	packets := 2 * int64(p.length/frameInterval)
	return packets*perPacket + 24<<10 // plus SIP, checks, RTCP
}

// Per-call addresses, unique among calls in progress.
func (p *callPlan) calleeHost() netip.AddrPort {
	n := p.index % 60000
	port := 20000 + uint16(2*(n%20000))
	if p.v6 {
		return netip.AddrPortFrom(netip.MustParseAddr(fmt.Sprintf("2001:db8:2::%x", n+16)), port)
	}
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 2, byte(n / 250), byte(n%250 + 2)}), port)
}

func (p *callPlan) callerHost() netip.AddrPort {
	n := p.index % 60000
	port := 30000 + uint16(2*(n%15000))
	switch {
	case p.v6:
		return netip.AddrPortFrom(netip.MustParseAddr(fmt.Sprintf("2001:db8:1::%x", n+16)), port)
	case p.path == PathDirect:
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 1, byte(n / 250), byte(n%250 + 2)}), port)
	}
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 168, 1, byte(n%250 + 2)}), port)
}

// callerReflexive is the caller's NAT address, where a relayed caller's
// TURN traffic comes from.
func (p *callPlan) callerReflexive() netip.AddrPort {
	n := p.index % 60000
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{203, 0, 113, byte(n%250 + 1)}), 40000+uint16(n%20000))
}

// relayed is the relayed transport address the TURN server allocates.
func (p *callPlan) relayed() netip.AddrPort {
	port := relayPort0 + uint16(2*(p.index%5000))
	if p.path == PathMSTURN {
		return netip.AddrPortFrom(edgeAddr, port)
	}
	return netip.AddrPortFrom(turnAddr, port)
}

// server is the TURN server's listening address for the call's path.
func (p *callPlan) server() netip.AddrPort {
	if p.path == PathMSTURN {
		return netip.AddrPortFrom(edgeAddr, turnPort)
	}
	return netip.AddrPortFrom(turnAddr, turnPort)
}

// macFor returns a documentation-range MAC (RFC 7042 §2.1.2) for an address.
func macFor(a netip.Addr) net.HardwareAddr {
	s := a.AsSlice()
	return net.HardwareAddr{0x00, 0x00, 0x5E, 0x00, 0x53, s[len(s)-1]}
}
