package ice

import (
	"net/netip"
	"time"

	"github.com/icediag/icediag/decode"
)

// maxSSRCs bounds the SSRCs remembered per flow.
const maxSSRCs = 16

// MediaFlow is the media of one direction of one path (RFC 3550 RTP and
// RTCP, RFC 6347 DTLS): a direct 5-tuple, or a relay leg plus the peer
// (Server set; Src or Dst is then the TURN client's address and the other
// the peer, invalid when the container names none). Session and Pair name
// the candidate pair whose addresses carry it.
type MediaFlow struct {
	Src          netip.AddrPort `json:"src"`
	Dst          netip.AddrPort `json:"dst"`
	Server       netip.AddrPort `json:"relay_server,omitempty"`
	Via          string         `json:"via,omitempty"`
	Transport    string         `json:"transport"`
	RTPPackets   int            `json:"rtp_packets"`
	RTCPPackets  int            `json:"rtcp_packets"`
	DTLSPackets  int            `json:"dtls_packets"`
	Bytes        int            `json:"bytes"`
	First        time.Time      `json:"first"`
	Last         time.Time      `json:"last"`
	LongestGap   time.Duration  `json:"longest_gap"`
	SSRCs        []uint32       `json:"ssrcs,omitempty"`
	PayloadTypes []uint8        `json:"payload_types,omitempty"`
	Session      string         `json:"session,omitempty"`
	Pair         int            `json:"pair"`
	// Frames samples the flow's frames, for the evidence of findings.
	Frames decode.FrameSample `json:"-"`
}

// Packets returns the flow's packet count.
func (f *MediaFlow) Packets() int { return f.RTPPackets + f.RTCPPackets + f.DTLSPackets }

type flowKey struct {
	src, dst, server netip.AddrPort
	transport        decode.Transport
}

// flowState is a MediaFlow with the payload-type set kept as a bitmap so
// that the per-packet path does not allocate.
type flowState struct {
	MediaFlow
	pts     [2]uint64
	comp    int
	relayed bool
	client  netip.AddrPort
	key     flowKey // its key in Builder.flows
}

// addMedia counts one RTP, RTCP or DTLS packet.
func (b *Builder) addMedia(ev *decode.Event) {
	k := flowKey{src: ev.Flow.Src, dst: ev.Flow.Dst, transport: ev.Flow.Transport}
	if r := ev.Relay; r != nil {
		k = flowKey{src: r.Peer, dst: r.Client, server: r.Server, transport: r.Transport}
		if r.ToPeer {
			k.src, k.dst = r.Client, r.Peer
		}
	}
	slot := &b.flowCache[slotOf(&k)]
	f := *slot
	if f == nil || f.key != k {
		f = b.flows[k]
		if f == nil {
			if len(b.flows) >= b.opts.Limits.MaxFlows {
				b.drop(dropFlow)
				return
			}
			f = b.newFlow(k, ev)
		}
		*slot = f
	}
	if gap := ev.Time.Sub(f.Last); gap > f.LongestGap {
		f.LongestGap = gap
	}
	f.Last = ev.Time
	f.Frames.Add(ev.FrameRef)
	f.Bytes += len(ev.Payload)
	switch ev.Kind {
	case decode.KindRTP:
		f.RTPPackets++
		if p := ev.RTP; p != nil {
			f.pts[p.PayloadType>>6&1] |= 1 << (p.PayloadType & 63)
			f.addSSRC(p.SSRC)
		}
	case decode.KindRTCP:
		f.RTCPPackets++
	default:
		f.DTLSPackets++
	}
}

func (b *Builder) newFlow(k flowKey, ev *decode.Event) *flowState {
	f := &flowState{MediaFlow: MediaFlow{Src: k.src, Dst: k.dst, Server: k.server,
		Transport: k.transport.String(), First: ev.Time, Last: ev.Time, Pair: -1}, key: k}
	if r := ev.Relay; r != nil {
		f.Via, f.relayed, f.client = r.Via.String(), true, r.Client
	}
	b.flows[k] = f
	b.flowOrder = append(b.flowOrder, f)
	return f
}

func (f *flowState) addSSRC(s uint32) {
	for _, x := range f.SSRCs {
		if x == s {
			return
		}
	}
	if len(f.SSRCs) < maxSSRCs {
		f.SSRCs = append(f.SSRCs, s)
	}
}

// flowCache is a direct-mapped cache in front of Builder.flows. The RTP of
// a few hundred concurrent flows interleaves packet by packet, so most
// media packets find their flow here instead of hashing the 3-address key.
type flowCache [flowCacheSize]*flowState

const flowCacheSize = 1 << 12

// slotOf returns the cache slot of a flow key.
func slotOf(k *flowKey) int { return int(slotHash(k.src, k.dst, k.server) % flowCacheSize) }

// slotHash mixes the ports and the last address bytes of up to three
// endpoints, for the direct-mapped caches of flows and allocations.
func slotHash(a, b, c netip.AddrPort) uint32 {
	h := uint32(a.Port())*0x9E3779B1 + uint32(b.Port())*0x85EBCA77 + uint32(c.Port())*0xC2B2AE3D +
		uint32(lastByte(a.Addr()))<<8 + uint32(lastByte(b.Addr()))
	return h ^ h>>15
}

// forget empties the slot of a removed flow.
func (c *flowCache) forget(f *flowState) {
	if i := slotOf(&f.key); c[i] == f {
		c[i] = nil
	}
}

// lastByte returns the last byte of an address (0 for the zero Addr).
func lastByte(a netip.Addr) byte {
	if !a.IsValid() {
		return 0
	}
	b := a.As16()
	return b[15]
}

// pathKey is an unordered address pair used to find the pair of a flow.
type pathKey struct{ a, b netip.AddrPort }

func makePathKey(x, y netip.AddrPort) pathKey {
	if x.Compare(y) > 0 {
		x, y = y, x
	}
	return pathKey{x, y}
}

// pairRef names a pair of a session.
type pairRef struct {
	s *Session
	i int
}

// finishFlows links flows to pairs and counts media per pair.
func (b *Builder) finishFlows(sessions []*Session) []*MediaFlow {
	return b.linkFlows(b.flowOrder, sessions)
}

// linkFlows links flows to the pairs of sessions, counts media per pair
// and selects each session's pairs.
func (b *Builder) linkFlows(flows []*flowState, sessions []*Session) []*MediaFlow {
	index := map[pathKey][]pairRef{}
	for _, s := range sessions {
		for i, p := range s.Pairs {
			k := makePathKey(p.Local, p.Remote)
			index[k] = append(index[k], pairRef{s, i})
		}
	}
	out := make([]*MediaFlow, 0, len(flows))
	for _, f := range flows {
		f.fillPayloadTypes()
		b.linkFlow(f, index)
		out = append(out, &f.MediaFlow)
	}
	for _, s := range sessions {
		selectPairs(s)
	}
	return out
}

// linkFlow finds the pairs whose addresses carry f and counts its packets
// on each; the flow names the first.
func (b *Builder) linkFlow(f *flowState, index map[pathKey][]pairRef) {
	k, ok := b.flowPath(f)
	if !ok {
		return
	}
	refs := index[k]
	for j, r := range refs {
		p := r.s.Pairs[r.i]
		p.MediaPackets += f.Packets()
		if f.Last.After(p.MediaLast) {
			p.MediaLast = f.Last
		}
		if j == 0 {
			f.Session, f.Pair = r.s.ID, r.i
		}
	}
}

// selectPairs sets the selected pair per component: the pair media flows
// on at the end, that is the one whose media lasted longest (an agent that
// nominates again moves its media to the new pair, RFC 8445 §8.1.1); on a
// tie the one with more media, then the nominated one.
func selectPairs(s *Session) {
	best := map[int]int{}
	for i, p := range s.Pairs {
		if p.MediaPackets == 0 {
			continue
		}
		j, ok := best[p.Component]
		if !ok || laterMedia(p, s.Pairs[j], s.Nominated[p.Component] == i) {
			best[p.Component] = i
		}
	}
	s.Selected = best
}

// laterMedia reports whether pair p carries media at the end rather than q.
func laterMedia(p, q *Pair, pNominated bool) bool {
	if !p.MediaLast.Equal(q.MediaLast) {
		return p.MediaLast.After(q.MediaLast)
	}
	if p.MediaPackets != q.MediaPackets {
		return p.MediaPackets > q.MediaPackets
	}
	return pNominated
}

// fillPayloadTypes lists the payload types of the flow's bitmap.
func (f *flowState) fillPayloadTypes() {
	f.PayloadTypes = f.PayloadTypes[:0]
	for pt := range 128 {
		if f.pts[pt>>6]&(1<<(pt&63)) != 0 {
			f.PayloadTypes = append(f.PayloadTypes, uint8(pt))
		}
	}
}

// flowPath returns the candidate path a flow's packets travel: its
// 5-tuple, or for a relay leg the allocation's relayed address and the
// peer; ok is false for a relay leg whose allocation is unknown.
func (b *Builder) flowPath(f *flowState) (pathKey, bool) {
	x, y := f.Src, f.Dst
	if f.relayed {
		a := b.allocFor(f.client, f.Server, decode.UDP)
		if a == nil {
			a = b.allocFor(f.client, f.Server, decode.TCP)
		}
		if a == nil || !a.Relayed.IsValid() {
			return pathKey{}, false
		}
		if x == f.client {
			x = a.Relayed
		} else {
			y = a.Relayed
		}
	}
	return makePathKey(x, y), true
}
