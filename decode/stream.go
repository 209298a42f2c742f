package decode

import (
	"bytes"

	"github.com/google/gopacket/reassembly"

	"github.com/icediag/icediag/decode/wire"
)

// DefaultMaxStreamBuffer bounds the bytes one direction of a TCP connection
// may hold while waiting for the rest of a message.
const DefaultMaxStreamBuffer = 256 << 10

// streamMode is the framing a TCP byte stream uses.
type streamMode uint8

const (
	modeUnknown   streamMode = iota
	modeSIP                  // SIP over TCP, Content-Length framing (RFC 3261 §18.3)
	modeSTUN                 // STUN and ChannelData back to back (RFC 8656 §12.5)
	modeRFC4571              // 2-byte length prefix (RFC 4571, RFC 6544 ICE-TCP)
	modeMSTURN               // MS-TURN TCP framing 0x02/0x03 (MS-REFERENCE §1.7)
	modeTLS                  // real TLS: hellos decoded, then opaque records
	modeHTTP                 // HTTP headers before a WebSocket upgrade
	modeWebSocket            // WebSocket frames (RFC 6455) carrying SIP (RFC 7118)
	modeOpaque               // nothing we can read
)

// streamDir is one direction of a TCP connection.
type streamDir struct {
	s    *tcpStream
	flow Flow
	mode streamMode
	buf  []byte // bytes of an incomplete message carried to the next segment
	// lost is set after a gap: the framing must find its footing again.
	lost bool
	ws   []byte // scratch for unmasking WebSocket payloads
	// lastFrame is the frame of the last byte fed, for problems found
	// when the stream ends.
	lastFrame FrameRef
	// textSkipped counts text bytes dropped while looking for the first
	// SIP start line of a stream joined mid-message.
	textSkipped int
	joinCounted bool
	// cert reads the handshake of a TLS stream for the server certificate
	// (tlscert.go).
	cert *certReader
}

// feed takes the next reassembled bytes of this direction. skip is what
// gopacket/reassembly reports: -1 at an unknown start, 0 when contiguous,
// >0 when bytes are missing before data.
func (sd *streamDir) feed(data []byte, skip int, sg reassembly.ScatterGather) {
	d := sd.s.d
	sd.lastFrame = sd.frameAt(sg, len(data)-1)
	if skip > 0 {
		d.problemAt("tcp", "bytes missing in stream (gap)", sd.frameAt(sg, 0))
		sd.buf = sd.buf[:0]
		sd.lost = true
	}
	carried := len(sd.buf)
	work := data
	if carried > 0 {
		sd.buf = append(sd.buf, data...)
		work = sd.buf
	}
	used := sd.frames(work, carried, sg)
	rest := work[used:]
	switch {
	case len(rest) == 0:
		sd.buf = sd.buf[:0]
	case len(rest) > d.opt.MaxStreamBuffer:
		d.problemAt("tcp", "message larger than the stream buffer, dropped", sd.frameAt(sg, len(data)-1))
		sd.buf = sd.buf[:0]
		sd.lost = true
	default:
		sd.buf = append(sd.buf[:0], rest...) // copy: rest may alias the reassembler's pages
	}
}

// frameAt returns the frame and time of the segment holding byte off of the
// current chunk.
func (sd *streamDir) frameAt(sg reassembly.ScatterGather, off int) FrameRef {
	if off < 0 {
		off = 0
	}
	return unpackFrame(sg.CaptureInfo(off).InterfaceIndex)
}

// frames cuts complete messages off the front of b and dispatches them. It
// returns how many bytes it consumed. carried is how many bytes of b came
// from earlier chunks, to map positions back to segments.
func (sd *streamDir) frames(b []byte, carried int, sg reassembly.ScatterGather) int {
	used := 0
	for used < len(b) {
		if sd.mode == modeUnknown || sd.lost {
			skip, ok := sd.detect(b[used:])
			if !ok {
				return used
			}
			used += skip
			if sd.mode == modeOpaque {
				return len(b)
			}
			continue
		}
		n, ok, bad := sd.size(b[used:])
		if ok && n <= 0 {
			bad = true
		}
		if ok && n > len(b)-used {
			if n > sd.s.d.opt.MaxStreamBuffer {
				bad = true // a length no buffer will ever hold: framing is off
			} else {
				return used // wait for the rest of the message
			}
		}
		if bad {
			sd.s.d.problemAt("tcp", "framing lost in "+sd.mode.String()+" stream", sd.frameAt(sg, used-carried))
			sd.lost = true
			used += sd.skipBad(b[used:])
			continue
		}
		if !ok {
			return used
		}
		sd.dispatch(b[used:used+n], sg, used+n-1-carried)
		used += n
	}
	return used
}

// skipBad returns how many bytes to drop after a framing error so that the
// resynchronisation starts past the message that could not be framed: the
// rest of the line for SIP, one byte for binary framings.
func (sd *streamDir) skipBad(b []byte) int {
	if sd.mode == modeSIP {
		if nl := bytes.IndexByte(b, '\n'); nl >= 0 {
			return nl + 1
		}
		return len(b)
	}
	return 1
}

func (m streamMode) String() string {
	switch m {
	case modeSIP:
		return "SIP"
	case modeSTUN:
		return "STUN"
	case modeRFC4571:
		return "RFC 4571"
	case modeMSTURN:
		return "MS-TURN"
	case modeTLS:
		return "TLS"
	case modeHTTP:
		return "HTTP"
	case modeWebSocket:
		return "WebSocket"
	}
	return "unknown"
}

// size returns the length of the message at the start of b in the current
// mode.
func (sd *streamDir) size(b []byte) (n int, ok, bad bool) {
	switch sd.mode {
	case modeSIP:
		if b[0] == '\r' || b[0] == '\n' { // CRLF keep-alives (RFC 5626 §3.5.1)
			n = 0
			for n < len(b) && (b[n] == '\r' || b[n] == '\n') {
				n++
			}
			return n, true, false
		}
		if !looksLikeSIP(b) {
			if bytes.IndexByte(b[:min(len(b), maxSIPStartLine)], '\n') < 0 && len(b) < maxSIPStartLine {
				return 0, false, false
			}
			return 0, false, true
		}
		return sipMessageSize(b)
	case modeSTUN:
		switch {
		case b[0] < 0x40:
			n, ok = wire.STUNSize(b)
		case b[0] < 0x80:
			n, ok = wire.ChannelDataSize(b, true)
		default:
			return 0, false, true
		}
		return n, ok, false
	case modeRFC4571:
		n, ok = wire.RFC4571Size(b)
		return n, ok, false
	case modeMSTURN:
		if b[0] != 2 && b[0] != 3 {
			return 0, false, true
		}
		n, ok = wire.MSFrameSize(b)
		return n, ok, false
	case modeTLS:
		if b[0] < 20 || b[0] > 23 {
			return 0, false, true
		}
		n, ok = wire.TLSRecordSize(b)
		return n, ok, false
	case modeHTTP:
		i, sep := headerEnd(b)
		if i < 0 {
			return 0, false, len(b) > maxSIPHeader
		}
		return i + sep, true, false
	case modeWebSocket:
		n, ok = wsFrameSize(b)
		return n, ok, false
	}
	return len(b), true, false
}

// dispatch hands one framed message to the decoders. last is the offset in
// the current chunk of the message's last byte.
func (sd *streamDir) dispatch(msg []byte, sg reassembly.ScatterGather, last int) {
	d := sd.s.d
	saveRef, saveTime, saveTrunc := d.cur, d.curTime, d.curTrunc
	ci := sg.CaptureInfo(max(last, 0))
	d.cur, d.curTime, d.curTrunc = unpackFrame(ci.InterfaceIndex), ci.Timestamp, false
	defer func() { d.cur, d.curTime, d.curTrunc = saveRef, saveTime, saveTrunc }()

	switch sd.mode {
	case modeSIP:
		if msg[0] != '\r' && msg[0] != '\n' {
			d.emitSIP(sd.flow, msg)
		}
	case modeSTUN:
		d.content(sd.flow, nil, msg, 0)
	case modeRFC4571:
		d.content(sd.flow, nil, msg[2:], 0)
	case modeMSTURN:
		var f wire.MSFrame
		if err := f.Decode(msg); err != nil {
			d.problem("ms-turn", wire.Reason(err))
			return
		}
		if f.Type == 2 {
			d.content(sd.flow, nil, f.Payload, 0)
		} else {
			d.msDataFrame(sd.flow, f.Payload, 0)
		}
	case modeTLS:
		if msg[0] == 22 && !sd.s.sawHello[sd.side()] {
			sd.s.sawHello[sd.side()] = true
			d.tlsHello(sd.flow, msg)
		}
		sd.certRecord(msg)
	case modeHTTP:
		if bytes.Contains(bytes.ToLower(msg), []byte("websocket")) {
			sd.mode = modeWebSocket
		} else {
			sd.mode = modeOpaque
		}
	case modeWebSocket:
		sd.wsFrame(msg)
	}
}

func (sd *streamDir) side() int {
	if sd == &sd.s.dirs[0] {
		return 0
	}
	return 1
}
