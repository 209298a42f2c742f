package callgen

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sort"
	"time"

	"github.com/icediag/icediag/decode/synth"
)

// msgKind is what a delivered payload is, for the Summary counts.
type msgKind uint8

const (
	kindSTUN msgKind = iota
	kindRTP
	kindRTCP
)

// relayHop is the time a TURN server takes to forward a packet between the
// client leg and the peer leg.
const relayHop = 250 * time.Microsecond

// call builds the frames of one call. The signalling, checks and RTCP are
// built when the call starts (the script); the RTP streams are built lazily
// by two media sources.
type call struct {
	p   *callPlan
	rng *rand.Rand
	sum *Summary

	caller, callee iceAgent
	// callerMedia is where the caller's packets are seen: its host address
	// for direct calls, its NAT address on the TURN client leg otherwise.
	callerMedia, calleeHost netip.AddrPort
	server, relayed         netip.AddrPort
	creds                   turnCreds
	bound                   bool // the RFC TURN channel is bound: media uses ChannelData
	channel                 uint16
	msSeq                   uint32
	connID                  [20]byte
	rtt                     time.Duration // client-leg round trip

	dialog *dialog
	tcp    *synth.TCPConn
	script []timed

	mediaStart, mediaEnd time.Time
}

func newCall(p *callPlan, sum *Summary) *call {
	rng := rand.New(rand.NewPCG(p.seed, uint64(p.index)))
	c := &call{p: p, rng: rng, sum: sum, calleeHost: p.calleeHost(), server: p.server(), relayed: p.relayed()}
	c.rtt = time.Duration(20+rng.IntN(60)) * time.Millisecond
	c.channel = firstChannel + uint16(rng.IntN(0x100))
	for i := range c.connID {
		c.connID[i] = byte(rng.Uint32())
	}
	c.agents()
	c.dialog = newDialog(rng, p, netip.AddrPortFrom(c.calleeHost.Addr(), sipPort))
	if p.sipTCP {
		ua := netip.AddrPortFrom(c.calleeHost.Addr(), 49152+uint16(p.index%16000))
		c.dialog.ua = ua
		c.tcp = synth.NewTCPConn(ua, c.dialog.proxy, rng.Uint32(), rng.Uint32())
	}
	c.build()
	return c
}

// agents draws both parties' ICE credentials and candidates. The caller
// (the offerer) is the controlling agent (RFC 8445 §6.1.1).
func (c *call) agents() {
	p := c.p
	host := p.callerHost()
	calleeCands := []candidate{{foundation: "1", typ: "host", addr: c.calleeHost, priority: priority("host", 65535)}}
	if p.path == PathDirect {
		c.callerMedia = host
		// The second candidate does not answer: a server-reflexive address
		// behind a NAT without hairpinning, or for IPv6 the host address of
		// a second interface that is not routed.
		second := candidate{foundation: "2", typ: "srflx", related: host, priority: priority("srflx", 65535),
			addr: netip.AddrPortFrom(netip.AddrFrom4([4]byte{198, 51, 100, byte(p.index%250 + 1)}), host.Port())}
		if p.v6 {
			second = candidate{foundation: "2", typ: "host", priority: priority("host", 65534),
				addr: netip.AddrPortFrom(netip.MustParseAddr(fmt.Sprintf("2001:db8:3::%x", p.index%60000+16)), host.Port())}
		}
		c.caller = newAgent(c.rng, true,
			candidate{foundation: "1", typ: "host", addr: host, priority: priority("host", 65535)}, second)
		c.callee = newAgent(c.rng, false, calleeCands...)
		return
	}
	c.callerMedia = p.callerReflexive()
	c.creds = turnCreds{user: token(c.rng, 40), realm: "icediag.example", nonce: token(c.rng, 32),
		password: token(c.rng, 24), ms: p.path == PathMSTURN}
	if c.creds.ms {
		c.creds.realm = "SIP Communications Service" // MS-REFERENCE §1.4
	}
	c.caller = newAgent(c.rng, true,
		candidate{foundation: "3", typ: "relay", addr: c.relayed, related: c.callerMedia, priority: priority("relay", 65535)},
		candidate{foundation: "1", typ: "host", addr: host, priority: priority("host", 65535)},
		candidate{foundation: "2", typ: "srflx", addr: c.callerMedia, related: host, priority: priority("srflx", 65535)})
	c.callee = newAgent(c.rng, false, calleeCands...)
}

// sources returns the call's frame sources: the script and the two RTP
// directions.
func (c *call) sources() []source {
	return []source{
		&scriptSource{frames: c.script},
		c.newMedia(true),
		c.newMedia(false),
	}
}

// frame returns an Ethernet frame carrying payload in UDP from src to dst.
func frame(src, dst netip.AddrPort, payload []byte) []byte {
	return synth.Ethernet(macFor(src.Addr()), macFor(dst.Addr()), nil, synth.UDP(src, dst, payload))
}

// add appends a frame to the script.
func (c *call) add(at time.Time, data []byte) {
	c.script = append(c.script, timed{at: at, data: data})
}

// direct appends one STUN message sent straight from src to dst.
func (c *call) direct(at time.Time, src, dst netip.AddrPort, msg []byte) {
	c.sum.STUN++
	c.add(at, frame(src, dst, msg))
}

// count adds one message of kind k to the summary.
func (c *call) count(k msgKind) {
	switch k {
	case kindSTUN:
		c.sum.STUN++
	case kindRTP:
		c.sum.RTP++
	case kindRTCP:
		c.sum.RTCP++
	}
}

// deliver returns the frames that carry payload from one party to the other
// at time at on every leg the capture sees. On a relayed call that is the
// client leg (wrapped in ChannelData or a Send/Data indication) and the peer
// leg between the relayed address and the callee (plain).
func (c *call) deliver(fromCaller bool, payload []byte, at time.Time, k msgKind) []timed {
	c.count(k)
	if c.p.path == PathDirect {
		src, dst := c.callerMedia, c.calleeHost
		if !fromCaller {
			src, dst = dst, src
		}
		return []timed{{at, frame(src, dst, payload)}}
	}
	c.count(k)
	c.sum.Relayed++
	wrapped := c.wrap(fromCaller, payload)
	if fromCaller {
		return []timed{
			{at, frame(c.callerMedia, c.server, wrapped)},
			{at.Add(relayHop), frame(c.relayed, c.calleeHost, payload)},
		}
	}
	return []timed{
		{at, frame(c.calleeHost, c.relayed, payload)},
		{at.Add(relayHop), frame(c.server, c.callerMedia, wrapped)},
	}
}

// wrap encapsulates payload on the TURN client leg.
func (c *call) wrap(fromCaller bool, payload []byte) []byte {
	if c.bound {
		c.sum.ChannelData++
		return synth.ChannelData(c.channel, payload, false)
	}
	c.sum.STUN++
	if fromCaller {
		return c.creds.sendIndication(c.rng, &c.msSeq, c.connID, c.calleeHost, payload)
	}
	return c.creds.dataIndication(c.rng, c.calleeHost, payload)
}

// send appends delivered frames to the script.
func (c *call) send(fromCaller bool, payload []byte, at time.Time, k msgKind) {
	c.script = append(c.script, c.deliver(fromCaller, payload, at, k)...)
}

// sortScript puts the script in capture-time order.
func (c *call) sortScript() {
	sort.SliceStable(c.script, func(i, j int) bool { return c.script[i].at.Before(c.script[j].at) })
}

// scriptSource yields a call's prebuilt frames in one batch.
type scriptSource struct{ frames []timed }

func (s *scriptSource) next() []timed {
	f := s.frames
	s.frames = nil
	return f
}
