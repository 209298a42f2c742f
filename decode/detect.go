package decode

import (
	"bytes"

	"github.com/icediag/icediag/decode/wire"
)

const (
	stunCookie    = 0x2112A442
	msCookieAttr  = 0x000F
	msCookieValue = 0x72C64BC6
	maxResyncScan = 64 << 10
)

// stunStart reports whether b starts with a STUN header that a stream can be
// framed on: top two bits zero, a length that is a multiple of 4 (RFC 8489
// §5) or unpadded MS-TURN, and the RFC 5389 cookie or the MS-TURN
// MAGIC-COOKIE attribute first (MS-REFERENCE §1.3).
func stunStart(b []byte) bool {
	if len(b) < 20 || b[0]&0xC0 != 0 {
		return false
	}
	if be.Uint32(b[4:]) == stunCookie {
		return be.Uint16(b[2:])%4 == 0
	}
	return len(b) >= 28 && be.Uint16(b[20:]) == msCookieAttr && be.Uint32(b[24:]) == msCookieValue
}

// rfc4571Start reports whether b starts with an RFC 4571 length followed by
// a STUN message or an RTP/RTCP packet of that length.
func rfc4571Start(b []byte) bool {
	if len(b) < 14 {
		return false
	}
	n := int(be.Uint16(b))
	if n < 12 {
		return false
	}
	p := b[2:]
	if stunStart(p) {
		return int(be.Uint16(p[2:]))+20 == n
	}
	return p[0]&0xC0 == 0x80
}

// msFrameStart reports whether b starts with an MS-TURN TCP frame header:
// type 0x02 (control, a STUN message follows) or 0x03 (data), a zero byte
// and a non-zero length (MS-REFERENCE §1.7).
func msFrameStart(b []byte) bool {
	if len(b) < 5 || (b[0] != 2 && b[0] != 3) || b[1] != 0 || be.Uint16(b[2:]) == 0 {
		return false
	}
	if b[0] == 2 {
		return b[4]&0xC0 == 0
	}
	return true
}

// detect chooses the framing of a stream from its first bytes, or finds its
// footing again after a gap. It returns how many bytes to skip and false
// when it needs more bytes to decide.
func (sd *streamDir) detect(b []byte) (int, bool) {
	if sd.lost && sd.mode != modeUnknown {
		return sd.resync(b)
	}
	if n := leadingNewlines(b); n > 0 {
		return n, true // CRLF keep-alives before the first message (RFC 5626 §3.5.1)
	}
	if len(b) < 4 {
		return 0, false
	}
	d := sd.s.d
	switch {
	case b[0] == 22 && b[1] == 3:
		return sd.detectTLS(b)
	case b[0] == 21 && b[1] == 3 && sd.s.pseudoTLS && len(b) >= 7:
		sd.tlsAlert(b)
		sd.mode = modeOpaque
		return 0, true
	case msFrameStart(b):
		sd.mode = modeMSTURN
	case stunStart(b):
		sd.mode = modeSTUN
	case b[0]&0xC0 == 0 && len(b) < 28:
		return 0, false // maybe STUN; wait for the header
	case rfc4571Start(b):
		sd.mode = modeRFC4571
	case looksLikeSIP(b):
		sd.mode = modeSIP
	case bytes.HasPrefix(b, []byte("GET ")) || bytes.HasPrefix(b, []byte("HTTP/1.")):
		sd.mode = modeHTTP
	default:
		if i := sipResync(b); i >= 0 {
			sd.mode = modeSIP
			sd.countJoin()
			return i, true
		}
		if isText(b[:min(len(b), 512)]) && sd.textSkipped <= maxResyncScan {
			// The tail of a text message (a SIP body): drop whole lines
			// until a start line comes.
			nl := bytes.LastIndexByte(b, '\n')
			if nl < 0 {
				if len(b) > maxSIPStartLine {
					sd.mode = modeOpaque
					return len(b), true
				}
				return 0, false
			}
			sd.countJoin()
			sd.textSkipped += nl + 1
			return nl + 1, true
		}
		sd.mode = modeOpaque
		d.stats.OtherPayloads++
	}
	sd.lost = false
	return 0, true
}

// detectTLS tells the MS-TURN pseudo-TLS hellos (MS-REFERENCE §1.8) from
// real TLS. After the pseudo hellos the stream carries MS-TURN framing.
func (sd *streamDir) detectTLS(b []byte) (int, bool) {
	const clientLen, serverLen = 50, 83
	d := sd.s.d
	if len(b) < 5 {
		return 0, false
	}
	need := 5 + int(be.Uint16(b[3:]))
	if len(b) < need && need <= clientLen+serverLen {
		return 0, false
	}
	switch {
	case wire.IsPseudoTLSClientHello(b):
		sd.s.pseudoTLS = true
		d.emit(d.event(sd.flow, nil, KindPseudoTLS, b[:clientLen]))
		sd.mode, sd.lost = modeMSTURN, false
		return clientLen, true
	case wire.IsPseudoTLSServerHello(b):
		d.emit(d.event(sd.flow, nil, KindPseudoTLS, b[:serverLen]))
		sd.mode, sd.lost = modeMSTURN, false
		return serverLen, true
	}
	sd.mode, sd.lost = modeTLS, false
	return 0, true
}

// resync looks for the next message boundary after a gap.
func (sd *streamDir) resync(b []byte) (int, bool) {
	switch sd.mode {
	case modeSIP:
		if looksLikeSIP(b) {
			sd.lost = false
			return 0, true
		}
		if i := sipResync(b); i >= 0 {
			sd.lost = false
			return i, true
		}
		if nl := bytes.LastIndexByte(b, '\n'); nl >= 0 {
			return nl + 1, true // drop whole lines; keep a partial one
		}
		return 0, false
	case modeSTUN, modeMSTURN, modeRFC4571:
		limit := min(len(b), maxResyncScan)
		for p := 0; p+4 <= limit; p++ {
			if sd.startsFrame(b[p:]) {
				n, ok, bad := sd.size(b[p:])
				if bad || !ok || n <= 0 || p+n > len(b) {
					continue
				}
				if p+n == len(b) || sd.startsFrame(b[p+n:]) {
					sd.lost = false
					return p, true
				}
			}
		}
		if len(b) > maxResyncScan {
			return len(b) - 4, true
		}
		return 0, false
	}
	sd.mode, sd.lost = modeOpaque, false
	return len(b), true
}

func (sd *streamDir) startsFrame(b []byte) bool {
	switch sd.mode {
	case modeSTUN:
		return stunStart(b)
	case modeMSTURN:
		return msFrameStart(b)
	case modeRFC4571:
		return rfc4571Start(b)
	}
	return false
}

// countJoin counts, once per direction, a stream whose capture began in
// the middle of a message.
func (sd *streamDir) countJoin() {
	if !sd.joinCounted {
		sd.joinCounted = true
		sd.s.d.problem("tcp", "stream joined mid-message, bytes skipped")
	}
}

func leadingNewlines(b []byte) int {
	n := 0
	for n < len(b) && (b[n] == '\r' || b[n] == '\n') {
		n++
	}
	return n
}

func isText(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\r' && c != '\n' && c != '\t' || c > 0x7E {
			return false
		}
	}
	return true
}

// tlsAlert emits the TLS alert record a direction starts with where the
// MS pseudo-TLS ServerHello was expected (MS-REFERENCE §6 pattern 4: a
// TLS-inspecting proxy refusing the hello).
func (sd *streamDir) tlsAlert(b []byte) {
	d := sd.s.d
	d.tls = wire.TLSHello{RecordVersion: be.Uint16(b[1:]), IsAlert: true, AlertLevel: b[5], AlertDescription: b[6]}
	ev := d.event(sd.flow, nil, KindTLS, b[:7])
	ev.TLS = &d.tls
	d.emit(ev)
}

// tlsHello emits the hello a TLS stream starts with.
func (d *Decoder) tlsHello(fl Flow, rec []byte) {
	h := &d.tls
	if err := h.Decode(rec); err != nil {
		d.problem("tls", wire.Reason(err))
		return
	}
	ev := d.event(fl, nil, KindTLS, rec)
	ev.TLS = h
	ev.SNI = h.SNI
	d.emit(ev)
}

// wsFrameSize returns the size of the WebSocket frame at the start of b
// (RFC 6455 §5.2).
func wsFrameSize(b []byte) (int, bool) {
	if len(b) < 2 {
		return 0, false
	}
	n, hdr := int(b[1]&0x7F), 2
	switch n {
	case 126:
		if len(b) < 4 {
			return 0, false
		}
		n, hdr = int(be.Uint16(b[2:])), 4
	case 127:
		if len(b) < 10 {
			return 0, false
		}
		v := be.Uint64(b[2:])
		if v > maxSIPBody {
			v = maxSIPBody + 1 // larger than the stream buffer: dropped by feed
		}
		n, hdr = int(v), 10
	}
	if b[1]&0x80 != 0 {
		hdr += 4
	}
	if len(b) < hdr+n {
		return 0, false
	}
	return hdr + n, true
}

// wsFrame decodes a WebSocket frame and emits the SIP message it carries
// (RFC 7118).
func (sd *streamDir) wsFrame(f []byte) {
	op := f[0] & 0x0F
	if op != 1 && op != 2 {
		return // control frames, continuations
	}
	hdr := 2
	switch f[1] & 0x7F {
	case 126:
		hdr = 4
	case 127:
		hdr = 10
	}
	payload := f[hdr:]
	if f[1]&0x80 != 0 {
		key := f[hdr : hdr+4]
		payload = f[hdr+4:]
		sd.ws = append(sd.ws[:0], payload...)
		for i := range sd.ws {
			sd.ws[i] ^= key[i&3]
		}
		payload = sd.ws
	}
	if f[0]&0x80 == 0 {
		sd.s.d.problem("websocket", "fragmented message not reassembled")
		return
	}
	if looksLikeSIP(payload) {
		sd.s.d.emitSIP(sd.flow, payload)
	}
}
