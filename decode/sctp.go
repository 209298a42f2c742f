package decode

import "net/netip"

// maxSCTPMessage bounds a user message rebuilt from DATA chunk fragments.
const maxSCTPMessage = 256 << 10

// sctpKey names one SCTP stream of one association direction.
type sctpKey struct {
	flow   Flow
	stream uint16
}

// sctp decodes the DATA chunks of an SCTP packet (RFC 9260 §3.3.1), joins
// fragmented user messages (B/E flags, in TSN order as they arrive) and
// emits the SIP messages they carry (RFC 4168).
func (d *Decoder) sctp(src, dst netip.Addr, b []byte) {
	if len(b) < 12 {
		d.problem("sctp", "header truncated")
		return
	}
	fl := Flow{
		Src:       netip.AddrPortFrom(src, be.Uint16(b)),
		Dst:       netip.AddrPortFrom(dst, be.Uint16(b[2:])),
		Transport: SCTP,
	}
	for c := b[12:]; len(c) >= 4; {
		typ, flags, n := c[0], c[1], int(be.Uint16(c[2:]))
		if n < 4 || n > len(c) {
			d.problem("sctp", "chunk length past end of packet")
			return
		}
		if typ == 0 && n >= 16 { // DATA
			d.stats.SCTPChunks++
			d.sctpData(fl, flags, be.Uint16(c[8:]), c[16:n])
		}
		pad := (4 - n%4) % 4
		if n+pad > len(c) {
			return
		}
		c = c[n+pad:]
	}
}

func (d *Decoder) sctpData(fl Flow, flags uint8, stream uint16, data []byte) {
	const begin, end = 0x02, 0x01
	if flags&(begin|end) == begin|end {
		d.sctpMessage(fl, data)
		return
	}
	if d.sctpParts == nil {
		d.sctpParts = make(map[sctpKey][]byte)
	}
	k := sctpKey{fl, stream}
	buf, ok := d.sctpParts[k]
	switch {
	case flags&begin != 0:
		buf = append(buf[:0], data...)
	case !ok:
		d.problem("sctp", "fragment without its first part")
		return
	default:
		buf = append(buf, data...)
	}
	if len(buf) > maxSCTPMessage {
		d.problem("sctp", "fragmented user message too large")
		delete(d.sctpParts, k)
		return
	}
	if flags&end != 0 {
		delete(d.sctpParts, k)
		d.sctpMessage(fl, buf)
		return
	}
	if len(d.sctpParts) >= maxRelays && !ok {
		d.problem("sctp", "too many streams with fragments")
		return
	}
	d.sctpParts[k] = buf
}

func (d *Decoder) sctpMessage(fl Flow, data []byte) {
	if looksLikeSIP(data) {
		d.emitSIP(fl, data)
	}
}
