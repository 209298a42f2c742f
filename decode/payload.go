package decode

import (
	"net/netip"

	"github.com/icediag/icediag/decode/wire"
)

// maxRelayDepth bounds TURN payloads nested in TURN payloads. A real relay
// leg carries one level (a check or RTP inside a Send/Data indication);
// deeper nesting is followed a little and then counted as a problem.
const maxRelayDepth = 3

// datagram decodes one UDP payload.
func (d *Decoder) datagram(fl Flow, b []byte) {
	if dnsPort(fl) {
		d.dns(fl, b) // dns_table.go
		return
	}
	if looksLikeSIP(b) {
		d.emitSIP(fl, b)
		return
	}
	d.content(fl, nil, b, 0)
}

// content classifies one datagram, stream frame or relayed payload by its
// first bytes (RFC 7983) and emits the events it holds.
func (d *Decoder) content(fl Flow, rl *Relay, b []byte, depth int) {
	if len(b) == 0 {
		return
	}
	switch c := wire.Classify(b); c {
	case wire.ContentSTUN:
		d.stun(fl, rl, b, depth)
	case wire.ContentChannelData:
		d.channelData(fl, b, depth, fl.Transport != UDP)
	case wire.ContentMuxTURN:
		d.muxTURN(fl, b, depth)
	case wire.ContentRTP, wire.ContentRTCP:
		if rl == nil && fl.Transport == UDP && (notMediaPort(fl.Src.Port()) || notMediaPort(fl.Dst.Port())) {
			d.stats.OtherPayloads++
			return
		}
		d.media(fl, rl, b, c == wire.ContentRTCP)
	case wire.ContentDTLS:
		d.emit(d.event(fl, rl, KindDTLS, b))
	default:
		if rl != nil {
			d.emit(d.event(fl, rl, KindData, b))
			return
		}
		d.stats.OtherPayloads++
	}
}

// media decodes an RTP or RTCP packet (RFC 3550, RFC 5761 §4 demultiplexing).
func (d *Decoder) media(fl Flow, rl *Relay, b []byte, rtcp bool) {
	if rtcp {
		if err := d.rtcp.Decode(b); err != nil {
			d.notMedia(rl, "rtcp", err)
			return
		}
		ev := d.event(fl, rl, KindRTCP, b)
		ev.RTCP = &d.rtcp
		d.emit(ev)
		return
	}
	if err := d.rtp.Decode(b); err != nil {
		d.notMedia(rl, "rtp", err)
		return
	}
	ev := d.event(fl, rl, KindRTP, b)
	ev.RTP = &d.rtp
	d.emit(ev)
}

// notMediaPort names well-known UDP services whose payloads can pass the
// RTP first-byte test by chance (a DNS ID of 0x80xx, an NTP header). A port
// is only a hint, but a DNS server port on one side outweighs a first byte.
func notMediaPort(p uint16) bool {
	switch p {
	case 53, 67, 68, 123, 137, 138, 161, 162, 500, 514, 1900, 4500, 5353, 5355:
		return true
	}
	return false
}

// notMedia handles a payload whose first byte said RTP/RTCP but whose header
// does not parse. Outside a relay that is most often another protocol
// (QUIC, proprietary UDP) and not a decode problem; inside a relay leg it is.
func (d *Decoder) notMedia(rl *Relay, layer string, err error) {
	if rl == nil {
		d.stats.OtherPayloads++
		return
	}
	d.problem(layer, wire.Reason(err))
}

// stun decodes a STUN/TURN/MS-TURN message, learns TURN servers and channel
// bindings from it, emits it, and then decodes the payload it relays.
func (d *Decoder) stun(fl Flow, rl *Relay, b []byte, depth int) {
	m := &d.stunBufs[depth]
	if err := m.Decode(b); err != nil {
		d.problem("stun", wire.Reason(err))
		return
	}
	ev := d.event(fl, rl, KindSTUN, b)
	ev.STUN = m
	if rl == nil {
		d.learnTURN(fl, m)
	}
	d.emit(ev)
	if m.HasData {
		d.relayedSTUN(fl, m, depth) // nested relays end at maxRelayDepth
	}
}

// learnTURN remembers servers and channel bindings from TURN control
// messages (RFC 8656 §7, §11; MS-TURN §3.2.5).
func (d *Decoder) learnTURN(fl Flow, m *wire.STUN) {
	switch m.Op {
	case wire.OpAllocate, wire.OpRefresh, wire.OpCreatePermission, wire.OpChannelBind, wire.OpSetActiveDestination:
	default:
		return
	}
	if m.Op == wire.OpRefresh && m.Dialect == wire.DialectMSTURN {
		return // 0x0004 is the MS Send request, not Refresh
	}
	var client, server netip.AddrPort
	if m.Class == wire.ClassRequest {
		client, server = fl.Src, fl.Dst
	} else {
		client, server = fl.Dst, fl.Src
	}
	d.relays.learnServer(server)
	if m.Class != wire.ClassRequest {
		return
	}
	switch m.Op {
	case wire.OpChannelBind:
		if m.ChannelNumber != 0 && m.XORPeer.IsValid() {
			d.relays.leg(client, server, fl.Transport, true).bind(m.ChannelNumber, m.XORPeer)
		}
	case wire.OpSetActiveDestination:
		if l := d.relays.leg(client, server, fl.Transport, true); l != nil {
			l.activeDest = m.Destination
		}
	}
}

// resetRelay resets rl to a relay leg. It zeroes rl and assigns field by
// field: a composite literal is built on the stack and then copied, and
// for every relayed packet that copy stalls on the stores just made.
func resetRelay(rl *Relay, via Via, client, server netip.AddrPort, t Transport, toPeer bool) {
	*rl = Relay{}
	rl.Via, rl.Client, rl.Server, rl.Transport, rl.ToPeer = via, client, server, t, toPeer
}

// relayedSTUN decodes the DATA a Send or Data indication (or the MS Send
// request and Data indication) carries.
func (d *Decoder) relayedSTUN(fl Flow, m *wire.STUN, depth int) {
	rl := &d.relayBufs[depth]
	*rl = Relay{Transport: fl.Transport}
	switch {
	case m.Op == wire.OpSend && m.Dialect == wire.DialectMSTURN:
		rl.Via, rl.Peer, rl.ToPeer = ViaMSSend, m.Destination, true
	case m.Op == wire.OpData && m.Dialect == wire.DialectMSTURN:
		rl.Via, rl.Peer = ViaMSDataIndication, m.RemoteAddress
	case m.Op == wire.OpSend:
		rl.Via, rl.Peer, rl.ToPeer = ViaSendIndication, m.XORPeer, true
	case m.Op == wire.OpData:
		rl.Via, rl.Peer = ViaDataIndication, m.XORPeer
	default:
		return // DATA in another method: nothing relayed
	}
	if rl.ToPeer {
		rl.Client, rl.Server = fl.Src, fl.Dst
	} else {
		rl.Client, rl.Server = fl.Dst, fl.Src
	}
	d.relayed(fl, rl, m.Data, depth)
}

func (d *Decoder) relayed(fl Flow, rl *Relay, b []byte, depth int) {
	if depth+1 >= maxRelayDepth {
		d.problem("turn", "relayed payload nested too deep")
		return
	}
	d.stats.RelayedPayloads++
	d.content(fl, rl, b, depth+1)
}

// channelData decodes a ChannelData message (RFC 8656 §12.4) and the
// payload it carries.
func (d *Decoder) channelData(fl Flow, b []byte, depth int, stream bool) {
	var cd wire.ChannelData
	if err := cd.Decode(b); err != nil {
		d.problem("turn", wire.Reason(err))
		return
	}
	client, server, toServer, leg := d.relays.lookup(fl)
	rl := &d.relayBufs[depth]
	resetRelay(rl, ViaChannelData, client, server, fl.Transport, toServer)
	rl.Channel, rl.Peer = cd.Channel, leg.peer(cd.Channel)
	d.relayed(fl, rl, cd.Data, depth)
}

// muxTURN decodes an MS multiplexed TURN packet (0xFF10, MS-REFERENCE §1.7).
func (d *Decoder) muxTURN(fl Flow, b []byte, depth int) {
	var mx wire.MuxTURN
	if err := mx.Decode(b); err != nil {
		d.problem("turn", wire.Reason(err))
		return
	}
	client, server, toServer, _ := d.relays.lookup(fl)
	rl := &d.relayBufs[depth]
	resetRelay(rl, ViaMuxTURN, client, server, fl.Transport, toServer)
	d.relayed(fl, rl, mx.Data, depth)
}

// msDataFrame decodes an MS-TURN TCP end-to-end data frame (type 0x03),
// whose peer is the active destination the client set.
func (d *Decoder) msDataFrame(fl Flow, payload []byte, depth int) {
	client, server, toServer, leg := d.relays.lookup(fl)
	rl := &d.relayBufs[depth]
	resetRelay(rl, ViaMSDataFrame, client, server, fl.Transport, toServer)
	if leg != nil {
		rl.Peer = leg.activeDest
	}
	// Some stacks put an RFC 4571 length before the relayed packet
	// (MS-REFERENCE §1.7, the Cussen plugin's reading): strip it when it
	// matches exactly.
	if len(payload) > 2 && int(be.Uint16(payload)) == len(payload)-2 && wire.Classify(payload) == wire.ContentUnknown {
		payload = payload[2:]
	}
	d.relayed(fl, rl, payload, depth)
}

func (d *Decoder) emitSIP(fl Flow, b []byte) {
	d.emit(d.event(fl, nil, KindSIP, b))
}

// event prepares the reused Event for one message of the current frame.
func (d *Decoder) event(fl Flow, rl *Relay, k Kind, b []byte) *Event {
	ev := &d.ev
	*ev = Event{} // then field by field: see resetRelay
	ev.FrameRef, ev.Time, ev.Flow, ev.Relay = d.cur, d.curTime, fl, rl
	ev.Kind, ev.Payload, ev.Truncated = k, b, d.curTrunc
	return ev
}

func (d *Decoder) emit(ev *Event) {
	d.stats.Events[ev.Kind]++
	if ev.Relay != nil {
		d.stats.Relayed++
	}
	if d.deferring {
		d.deferEvent(ev)
		return
	}
	if d.handler != nil {
		d.handler(ev)
	}
}
