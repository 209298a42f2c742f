package redact

import (
	"bytes"
	"net/netip"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/wire"
)

// maxStream bounds the bytes Prepare keeps per TCP direction; a longer
// stream is rewritten segment by segment.
const maxStream = 32 << 20

// streamKey is one direction of a TCP connection, with the original
// addresses.
type streamKey = decode.Flow

// stream is one TCP direction as Prepare saw it: the bytes by sequence
// number from base, which of them were seen, and after finishPrepare the
// rewritten bytes and where zeroing began.
type stream struct {
	base     uint32
	baseSet  bool
	tooLong  bool
	data     []byte
	have     []bool
	red      []byte
	zeroFrom int
}

// fragID names the fragments of one datagram (RFC 791 §3.2).
type fragID struct {
	src, dst netip.Addr
	id       uint32
	v6       bool
}

// datagram is a fragmented IP datagram as Prepare saw it: the pieces
// until it is whole, then the original and rewritten payloads (transport
// header included) and the checksum change between them.
type datagram struct {
	proto     uint8
	pieces    map[int][]byte
	end       int // length, known once the last fragment came
	orig, red []byte
	d         delta
	zeroed    bool
}

// Prepare records one frame, before Rewrite sees it, so that TCP streams
// and fragmented datagrams are rewritten whole. It does not change b.
func (p *PacketRewriter) Prepare(link uint16, b []byte) {
	f := &p.frame
	if ParseFrame(link, b, f) != nil {
		return
	}
	l := f.Inner()
	switch {
	case l.Fragment():
		p.prepareFragment(b, l)
	case f.Flow.Transport == decode.TCP && f.End > f.Payload:
		p.prepareSegment(f, b[f.Payload:f.End])
	}
}

// dataSeq returns the sequence number of a segment's first data byte.
func dataSeq(f *Frame) uint32 {
	if f.Flags&decode.FlagSYN != 0 {
		return f.Seq + 1
	}
	return f.Seq
}

func (p *PacketRewriter) prepareSegment(f *Frame, data []byte) {
	s := p.streams[f.Flow]
	if s == nil {
		s = &stream{base: dataSeq(f), baseSet: true}
		p.streams[f.Flow] = s
	}
	off := int(int32(dataSeq(f) - s.base))
	if off < 0 || off+len(data) > maxStream {
		s.tooLong = true
		return
	}
	if need := off + len(data); need > len(s.data) {
		s.data = append(s.data, make([]byte, need-len(s.data))...)
		s.have = append(s.have, make([]bool, need-len(s.have))...)
	}
	copy(s.data[off:], data)
	for i := off; i < off+len(data); i++ {
		s.have[i] = true
	}
}

func (p *PacketRewriter) prepareFragment(b []byte, l *IPLayer) {
	k := fragID{src: l.Src(b), dst: l.Dst(b), id: l.ID, v6: l.V6}
	list := p.frags[k]
	var dg *datagram
	if n := len(list); n > 0 && list[n-1].orig == nil {
		dg = list[n-1]
	} else {
		dg = &datagram{pieces: map[int][]byte{}}
		p.frags[k] = append(list, dg)
	}
	if l.FragOff == 0 {
		dg.proto = l.Proto
	}
	dg.pieces[l.FragOff] = bytes.Clone(b[l.Payload:l.End])
	if !l.More {
		dg.end = l.FragOff + l.End - l.Payload
	}
	p.completeDatagram(dg)
}

// completeDatagram assembles a datagram whose pieces cover it and
// rewrites it.
func (p *PacketRewriter) completeDatagram(dg *datagram) {
	if dg.end == 0 {
		return
	}
	whole := make([]byte, 0, dg.end)
	for len(whole) < dg.end {
		piece, ok := dg.pieces[len(whole)]
		if !ok || len(piece) == 0 {
			return
		}
		whole = append(whole, piece...)
	}
	if len(whole) != dg.end {
		return
	}
	dg.orig, dg.red, dg.pieces = whole, bytes.Clone(whole), nil
	switch hl := 0; {
	case dg.proto == 17 && len(dg.red) >= 8:
		dg.zeroed = !p.datagram(dg.red[8:])
	case dg.proto == 6 && len(dg.red) >= 20:
		if hl = int(dg.red[12]>>4) * 4; hl >= 20 && hl <= len(dg.red) {
			dg.zeroed = p.rewriteStream(dg.red[hl:], nil) < len(dg.red)-hl
			break
		}
		clear(dg.red)
		dg.zeroed = true
	default:
		clear(dg.red)
		dg.zeroed = true
	}
	dg.d.add(dg.orig, dg.red)
}

// finishPrepare rewrites the prepared streams.
func (p *PacketRewriter) finishPrepare() {
	p.prepared = true
	for _, s := range p.streams {
		if s.tooLong {
			s.data, s.have = nil, nil
			continue
		}
		s.red = bytes.Clone(s.data)
		s.zeroFrom = p.rewriteStream(s.red, s.have)
		s.data, s.have = nil, nil
	}
}

// segment rewrites one TCP segment's payload: from its prepared stream,
// or on its own. It reports whether something was zeroed.
func (p *PacketRewriter) segment(b []byte, f *Frame) bool {
	data := b[f.Payload:f.End]
	if len(data) == 0 {
		return false
	}
	s := p.streams[f.Flow]
	if s == nil || s.red == nil {
		return p.rewriteStream(data, nil) < len(data)
	}
	off := int(int32(dataSeq(f) - s.base))
	if off < 0 || off+len(data) > len(s.red) {
		clear(data)
		return true
	}
	copy(data, s.red[off:off+len(data)])
	return s.zeroFrom < off+len(data)
}

// fragment rewrites one IP fragment from its prepared datagram; without
// one its payload is zeroed (the UDP header of a first fragment kept).
func (p *PacketRewriter) fragment(b []byte, f *Frame, l *IPLayer) bool {
	data := b[l.Payload:l.End]
	if dg := p.datagramOf(b, l); dg != nil {
		copy(data, dg.red[l.FragOff:l.FragOff+len(data)])
		return dg.zeroed
	}
	if l.FragOff == 0 && f.L4 == l.Payload && len(data) > 8 {
		data = data[8:]
	}
	clear(data)
	return true
}

// datagramOf finds the prepared datagram a fragment belongs to: same
// addresses and ID, and the same original bytes at its offset.
func (p *PacketRewriter) datagramOf(b []byte, l *IPLayer) *datagram {
	k := fragID{src: l.Src(b), dst: l.Dst(b), id: l.ID, v6: l.V6}
	data := b[l.Payload:l.End]
	if p.orig != nil && len(p.orig) == len(b) {
		data = p.orig[l.Payload:l.End]
	}
	for _, dg := range p.frags[k] {
		if dg.orig != nil && l.FragOff+len(data) <= len(dg.orig) && bytes.Equal(dg.orig[l.FragOff:l.FragOff+len(data)], data) {
			return dg
		}
	}
	return nil
}

// fragDelta adds to d the change of a fragmented datagram, for the
// checksum in its first fragment.
func (p *PacketRewriter) fragDelta(d delta, b []byte, f *Frame, l *IPLayer) delta {
	if dg := p.datagramOf(b, l); dg != nil {
		d.old = fold(uint32(d.old) + uint32(dg.d.old))
		d.new = fold(uint32(d.new) + uint32(dg.d.new))
		return d
	}
	d.add(p.orig[f.L4:l.End], b[f.L4:l.End])
	return d
}

// rewriteStream rewrites the bytes of one TCP direction in place by the
// framing its first bytes show, as the decoder frames streams: SIP text,
// MS-TURN pseudo-TLS hellos and 0x02/0x03 frames (MS-REFERENCE §1.7-1.8),
// STUN and ChannelData (RFC 8656 §12.5), RFC 4571 framing, TLS records
// (only handshakes are rewritten, as text, for the server name), SIP over
// WebSocket (packet_ws.go). have,
// when not nil, says which bytes the capture held. It returns the offset
// from which the rest was zeroed (len(b) when nothing was).
func (p *PacketRewriter) rewriteStream(b []byte, have []bool) int {
	if n := p.rewriteWebSocket(b, have); n >= 0 {
		return n
	}
	i := 0
	for i < len(b) {
		if have != nil && !have[i] || b[i] != '\r' && b[i] != '\n' && looksLikeText(b[i:]) {
			break
		}
		n := p.streamMessage(b[i:])
		if n <= 0 || i+n > len(b) || !covered(have, i, i+n) {
			break
		}
		i += n
	}
	if i < len(b) {
		if looksLikeText(b[i:]) {
			p.r.Bytes(b[i:])
			return len(b)
		}
		clear(b[i:])
	}
	return i
}

// covered reports whether have marks every byte of [from, to) as seen.
func covered(have []bool, from, to int) bool {
	if have == nil {
		return true
	}
	for _, h := range have[from:to] {
		if !h {
			return false
		}
	}
	return true
}

// streamMessage rewrites the message at the start of b and returns its
// length, 0 when none can be framed.
func (p *PacketRewriter) streamMessage(b []byte) int {
	switch {
	case len(b) == 0:
		return 0
	case b[0] == '\r' || b[0] == '\n':
		return 1
	case wire.IsPseudoTLSClientHello(b):
		return 50
	case wire.IsPseudoTLSServerHello(b):
		return 83
	case len(b) >= 5 && b[0] >= 20 && b[0] <= 23 && b[1] == 3:
		n := 5 + int(be.Uint16(b[3:]))
		if n <= len(b) && b[0] == 22 {
			p.r.Bytes(b[5:n])
		}
		return n
	case len(b) >= 4 && (b[0] == 2 || b[0] == 3) && b[1] == 0:
		n := 4 + int(be.Uint16(b[2:]))
		if n > len(b) || !p.msFrame(b[0], b[4:n]) {
			return 0
		}
		return n
	}
	return p.stunFramed(b)
}

// msFrame rewrites the payload of an MS-TURN TCP frame: a STUN message
// (type 0x02) or relayed data (0x03), which some stacks precede with an
// RFC 4571 length.
func (p *PacketRewriter) msFrame(typ byte, b []byte) bool {
	if typ == 2 {
		return p.rewriteSTUN(b, 0)
	}
	if len(b) > 2 && int(be.Uint16(b)) == len(b)-2 && wire.Classify(b) == wire.ContentUnknown {
		b = b[2:]
	}
	return p.content(b, 1)
}

// stunFramed rewrites a STUN message or ChannelData (padded to 4 bytes on
// streams, RFC 8656 §12.5) or an RFC 4571 frame at the start of b.
func (p *PacketRewriter) stunFramed(b []byte) int {
	if len(b) < 4 {
		return 0
	}
	switch c := wire.Classify(b); {
	case c == wire.ContentSTUN || b[0]&0xC0 == 0 && len(b) >= 20 && be.Uint32(b[4:]) == wire.MagicCookie:
		n, ok := wire.STUNSize(b)
		if !ok || n > len(b) || !p.rewriteSTUN(b[:n], 0) {
			return p.rfc4571(b)
		}
		if pad := (4 - n%4) % 4; n+pad <= len(b) && be.Uint16(b[2:])%4 == 0 {
			n += pad
		}
		return n
	case c == wire.ContentChannelData || b[0]&0xC0 == 0x40:
		// Classify wants the datagram's exact length; on a stream the
		// next message follows (RFC 8656 §12.5), so test the channel range.
		n := 4 + int(be.Uint16(b[2:]))
		if n > len(b) || !p.content(b[4:n], 1) {
			return 0
		}
		return min((n+3)&^3, len(b))
	}
	return p.rfc4571(b)
}

// rfc4571 rewrites an RFC 4571 frame (a 16-bit length, then a STUN or
// RTP/RTCP packet).
func (p *PacketRewriter) rfc4571(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	n := 2 + int(be.Uint16(b))
	if n <= 2 || n > len(b) || wire.Classify(b[2:n]) == wire.ContentUnknown || !p.content(b[2:n], 0) {
		return 0
	}
	return n
}
