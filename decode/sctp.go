package decode

import "net/netip"

// sctp decodes the DATA chunks of an SCTP packet (RFC 9260 §3) and emits the
// SIP messages they carry (RFC 4168). Fragmented user messages are counted,
// not reassembled.
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
			if flags&0x03 != 0x03 {
				d.problem("sctp", "fragmented user message not reassembled")
			} else if data := c[16:n]; looksLikeSIP(data) {
				d.emitSIP(fl, data)
			}
		}
		pad := (4 - n%4) % 4
		if n+pad > len(c) {
			return
		}
		c = c[n+pad:]
	}
}
