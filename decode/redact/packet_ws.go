package redact

import (
	"bytes"
)

// SIP over WebSocket (RFC 7118): an HTTP upgrade, then WebSocket frames
// (RFC 6455 §5.2) whose text payloads are SIP messages. A client masks
// every frame with a 4-byte key (§5.3); the rewriter unmasks a payload,
// rewrites its text and masks it again with the same key, so the frame
// keeps its header, key and length.

// wsHead returns the length of the HTTP head (request or response line
// and headers, through the empty line) at the start of b when it upgrades
// the connection to WebSocket (RFC 6455 §4), or 0.
func wsHead(b []byte) int {
	if !bytes.HasPrefix(b, []byte("GET ")) && !bytes.HasPrefix(b, []byte("HTTP/")) {
		return 0
	}
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 {
		return 0
	}
	end += 4
	if !bytes.Contains(bytes.ToLower(b[:end]), []byte("websocket")) {
		return 0
	}
	return end
}

// wsFrameLen returns the header length, payload length and whether the
// frame at the start of b is whole (RFC 6455 §5.2).
func wsFrameLen(b []byte) (hdr, n int, ok bool) {
	if len(b) < 2 {
		return 0, 0, false
	}
	n, hdr = int(b[1]&0x7F), 2
	switch n {
	case 126:
		if len(b) < 4 {
			return 0, 0, false
		}
		n, hdr = int(be.Uint16(b[2:])), 4
	case 127:
		if len(b) < 10 || be.Uint64(b[2:]) > uint64(len(b)) {
			return 0, 0, false
		}
		n, hdr = int(be.Uint64(b[2:])), 10
	}
	if b[1]&0x80 != 0 {
		hdr += 4
	}
	if hdr+n > len(b) {
		return 0, 0, false
	}
	return hdr, n, true
}

// rewriteWebSocket rewrites a stream that starts with a WebSocket
// upgrade: the HTTP head as text, then each whole frame's payload. It
// returns the offset from which the rest was zeroed (len(b) when nothing
// was), or -1 when b does not start with an upgrade.
func (p *PacketRewriter) rewriteWebSocket(b []byte, have []bool) int {
	i := wsHead(b)
	if i == 0 || !covered(have, 0, i) {
		return -1
	}
	p.r.Bytes(b[:i])
	for i < len(b) {
		hdr, n, ok := wsFrameLen(b[i:])
		if !ok || !covered(have, i, i+hdr+n) {
			break
		}
		p.wsPayload(b[i:i+hdr+n], hdr, n)
		i += hdr + n
	}
	clear(b[i:])
	return i
}

// wsPayload rewrites the payload of one frame: text (a SIP message) by
// the text pseudonyms, unmasked and masked again; control frames and
// binary payloads are kept.
func (p *PacketRewriter) wsPayload(f []byte, hdr, n int) {
	op := f[0] & 0x0F
	if op != 1 && op != 2 && op != 0 {
		return // close, ping, pong: no names
	}
	payload := f[hdr : hdr+n]
	var key []byte
	if f[1]&0x80 != 0 {
		key = f[hdr-4 : hdr]
		wsMask(payload, key)
	}
	if looksLikeText(payload) {
		p.r.Bytes(payload)
	}
	if key != nil {
		wsMask(payload, key)
	}
}

// wsMask applies (or removes) the RFC 6455 §5.3 masking in place.
func wsMask(b, key []byte) {
	for i := range b {
		b[i] ^= key[i&3]
	}
}
