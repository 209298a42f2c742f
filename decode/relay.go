package decode

import "net/netip"

// maxRelays bounds the TURN client/server legs tracked at once.
const maxRelays = 65536

// wellKnownTURNPorts are the ports a TURN server listens on in practice:
// 3478 (RFC 8656), 3479-3481 (Teams transport relays), 443 (MS-TURN over TCP,
// TURN over TLS fallback), 5349 (TURN over TLS), 80 (TURN over TCP behind
// proxies). Ports are only a hint, used when the capture did not show the
// Allocate that would name the server.
func wellKnownTURNPort(p uint16) bool {
	switch p {
	case 3478, 3479, 3480, 3481, 443, 5349, 80:
		return true
	}
	return false
}

type relayKey struct {
	client, server netip.AddrPort
	transport      Transport
}

// relayLeg is what the decoder remembers of one client-server leg so that
// later ChannelData and MS data frames can be tagged with their peer.
type relayLeg struct {
	channels   []channelBinding
	activeDest netip.AddrPort // MS-TURN Set Active Destination
}

type channelBinding struct {
	ch   uint16
	peer netip.AddrPort
}

// relays tracks TURN servers and the legs through them.
type relays struct {
	servers map[netip.AddrPort]struct{}
	legs    map[relayKey]*relayLeg
	// version changes whenever servers or legs change, so that lookups
	// can be cached per flow.
	version uint64
	cache   [legCacheSize]legCache
}

// legCacheSize is the number of slots of relays.cache, a power of two.
const legCacheSize = 256

// legCache remembers the answer for one flow. relays.cache is direct-mapped
// by the flow's ports: the relayed media of many calls interleaves, and
// each packet would otherwise cost two or three map look-ups.
type legCache struct {
	flow           Flow
	version        uint64
	client, server netip.AddrPort
	toServer       bool
	leg            *relayLeg
}

// lookup orients f and finds its leg (nil when none was learned), cached
// per flow until a server or leg is learned.
func (r *relays) lookup(f Flow) (client, server netip.AddrPort, toServer bool, leg *relayLeg) {
	h := uint32(f.Src.Port())*0x9E3779B1 + uint32(f.Dst.Port())*0x85EBCA77 + uint32(f.Transport)
	c := &r.cache[(h^h>>16)%legCacheSize]
	if c.version == r.version && c.flow == f && c.version != 0 {
		return c.client, c.server, c.toServer, c.leg
	}
	client, server, toServer = r.orient(f)
	leg = r.leg(client, server, f.Transport, false)
	*c = legCache{flow: f, version: r.version, client: client, server: server, toServer: toServer, leg: leg}
	return client, server, toServer, leg
}

func newRelays() *relays {
	return &relays{servers: make(map[netip.AddrPort]struct{}), legs: make(map[relayKey]*relayLeg), version: 1}
}

// learnServer records that a answers TURN.
func (r *relays) learnServer(a netip.AddrPort) {
	if _, ok := r.servers[a]; !ok && len(r.servers) < maxRelays {
		r.servers[a] = struct{}{}
		r.version++
	}
}

// orient tells which end of f is the TURN client: toServer is true when f
// goes from the client to the server.
func (r *relays) orient(f Flow) (client, server netip.AddrPort, toServer bool) {
	if _, ok := r.servers[f.Dst]; ok {
		return f.Src, f.Dst, true
	}
	if _, ok := r.servers[f.Src]; ok {
		return f.Dst, f.Src, false
	}
	switch {
	case wellKnownTURNPort(f.Dst.Port()) && !wellKnownTURNPort(f.Src.Port()):
		return f.Src, f.Dst, true
	case wellKnownTURNPort(f.Src.Port()) && !wellKnownTURNPort(f.Dst.Port()):
		return f.Dst, f.Src, false
	case f.Dst.Port() < f.Src.Port():
		return f.Src, f.Dst, true
	}
	return f.Dst, f.Src, false
}

func (r *relays) leg(client, server netip.AddrPort, t Transport, create bool) *relayLeg {
	k := relayKey{client, server, t}
	l := r.legs[k]
	if l == nil && create && len(r.legs) < maxRelays {
		l = &relayLeg{}
		r.legs[k] = l
		r.version++
	}
	return l
}

func (l *relayLeg) bind(ch uint16, peer netip.AddrPort) {
	for i := range l.channels {
		if l.channels[i].ch == ch {
			l.channels[i].peer = peer
			return
		}
	}
	if len(l.channels) < 0x4000 {
		l.channels = append(l.channels, channelBinding{ch, peer})
	}
}

func (l *relayLeg) peer(ch uint16) netip.AddrPort {
	if l == nil {
		return netip.AddrPort{}
	}
	for _, b := range l.channels {
		if b.ch == ch {
			return b.peer
		}
	}
	return netip.AddrPort{}
}
