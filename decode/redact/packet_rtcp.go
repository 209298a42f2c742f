package redact

// RTCP packet types whose text the rewriter reaches (RFC 3550 §6.5, §6.6).
const (
	rtcpSDES = 202
	rtcpBYE  = 203
)

// rewriteRTCP rewrites the text of an RTCP compound packet in place: the
// SDES items (CNAME is often user@host, NAME and EMAIL name people, RFC
// 3550 §6.5) and the BYE reason (§6.6). Encrypted SRTCP does not walk
// and is left alone.
func (p *PacketRewriter) rewriteRTCP(b []byte) {
	for off := 0; off+4 <= len(b); {
		if b[off]>>6 != 2 {
			return
		}
		n := (int(be.Uint16(b[off+2:])) + 1) * 4
		if off+n > len(b) {
			return
		}
		pkt := b[off : off+n]
		switch pkt[1] {
		case rtcpSDES:
			p.sdes(pkt[4:], int(pkt[0]&0x1F))
		case rtcpBYE:
			if at := 4 + 4*int(pkt[0]&0x1F); at < len(pkt) {
				if l := int(pkt[at]); at+1+l <= len(pkt) {
					p.text(pkt[at+1 : at+1+l])
				}
			}
		}
		off += n
	}
}

// sdes rewrites the items of count SDES chunks (SSRC, then items of type,
// length, text, ended by a zero type and padded to 4 bytes).
func (p *PacketRewriter) sdes(b []byte, count int) {
	off := 0
	for c := 0; c < count && off+4 <= len(b); c++ {
		off += 4
		for off < len(b) && b[off] != 0 {
			if off+2 > len(b) || off+2+int(b[off+1]) > len(b) {
				return
			}
			p.text(b[off+2 : off+2+int(b[off+1])])
			off += 2 + int(b[off+1])
		}
		off = (off + 4) &^ 3 // the end item and the padding
	}
}
