package decode

import (
	"sort"

	"github.com/icediag/icediag/decode/wire"
)

// deferredEvent is a deep copy of an Event held back while the TCP
// reassembler flushes: gopacket/reassembly walks its connections in map
// order, so the events a flush releases are sorted before delivery.
type deferredEvent struct {
	ev    Event
	relay Relay
	rtp   wire.RTP
	rtcp  wire.RTCP
	tls   wire.TLSHello
	icmp  ICMPInfo
}

// flushTCP runs a reassembler flush and delivers what it released in
// capture-time order (time, then file and frame, then emission order).
func (d *Decoder) flushTCP(flush func()) {
	d.deferring = true
	flush()
	d.deferring = false
	if len(d.deferred) == 0 {
		return
	}
	sort.SliceStable(d.deferred, func(i, j int) bool {
		a, b := &d.deferred[i].ev, &d.deferred[j].ev
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Frame < b.Frame
	})
	var m wire.STUN
	for i := range d.deferred {
		x := &d.deferred[i]
		ev := &x.ev
		if ev.Relay != nil {
			ev.Relay = &x.relay
		}
		switch ev.Kind {
		case KindSTUN:
			if m.Decode(ev.Payload) != nil {
				continue
			}
			ev.STUN = &m
		case KindRTP:
			ev.RTP = &x.rtp
		case KindRTCP:
			ev.RTCP = &x.rtcp
		case KindTLS:
			ev.TLS = &x.tls
			ev.SNI = x.tls.SNI
		case KindICMP:
			ev.ICMP = &x.icmp
		}
		if d.handler != nil {
			d.handler(ev)
		}
	}
	d.deferred = d.deferred[:0]
}

// deferEvent keeps a copy of ev for flushTCP.
func (d *Decoder) deferEvent(ev *Event) {
	x := deferredEvent{ev: *ev}
	x.ev.Payload = append([]byte(nil), ev.Payload...)
	x.ev.STUN = nil
	if ev.Relay != nil {
		x.relay = *ev.Relay
	}
	if ev.RTP != nil {
		x.rtp = *ev.RTP
	}
	if ev.RTCP != nil {
		x.rtcp = *ev.RTCP
	}
	if ev.TLS != nil {
		x.tls = *ev.TLS
		x.tls.SNI = append([]byte(nil), ev.TLS.SNI...)
	}
	if ev.ICMP != nil {
		x.icmp = *ev.ICMP
	}
	d.deferred = append(d.deferred, x)
}
