package synth

import "encoding/binary"

// MS-TURN TCP frame types (MS-TURN 2.1 framing as implemented by libnice
// socket/udp-turn-over-tcp.c; MS-REFERENCE §1.7).
const (
	MSFrameControl = 0x02 // a TURN control message follows
	MSFrameData    = 0x03 // end-to-end data (relayed RTP/RTCP) follows
)

// MSMuxChannel is the channel number of an MS multiplexed TURN packet
// (MS-TURN "Multiplexed TURN messages", MS-REFERENCE §1.7).
const MSMuxChannel = 0xFF10

// ChannelData returns an RFC 5766 §11.4 ChannelData message: channel number,
// data length, data. With stream true (TCP or TLS transport) the message is
// zero-padded to a multiple of 4 bytes (RFC 5766 §11.5). Data longer than
// 65535 bytes is truncated.
func ChannelData(ch uint16, data []byte, stream bool) []byte {
	data = data[:min(len(data), 0xFFFF)]
	b := binary.BigEndian.AppendUint16(nil, ch)
	b = binary.BigEndian.AppendUint16(b, uint16(len(data)))
	b = append(b, data...)
	for stream && len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// MuxTURN returns an MS multiplexed TURN packet: 0xFF10, a length counting
// the bytes after the length field, the 64-bit MTURN session ID, then data
// (MS-TURN "Multiplexed TURN messages", MS-REFERENCE §1.7).
func MuxTURN(session uint64, data []byte) []byte {
	data = data[:min(len(data), 0xFFFF-8)]
	b := binary.BigEndian.AppendUint16(nil, MSMuxChannel)
	b = binary.BigEndian.AppendUint16(b, uint16(8+len(data)))
	b = binary.BigEndian.AppendUint64(b, session)
	return append(b, data...)
}

// MSFrame returns one MS-TURN TCP frame: the type (MSFrameControl or
// MSFrameData), a zero byte, the payload length as a big-endian u16, then the
// payload (MS-REFERENCE §1.7). No inner RFC 4571 length is added. Payload
// longer than 65535 bytes is truncated.
func MSFrame(typ uint8, payload []byte) []byte {
	payload = payload[:min(len(payload), 0xFFFF)]
	b := []byte{typ, 0}
	b = binary.BigEndian.AppendUint16(b, uint16(len(payload)))
	return append(b, payload...)
}

// Pseudo-TLS sizes (MS-TURN pseudo-TLS section, MS-REFERENCE §1.8).
const (
	PseudoTLSClientHelloLen = 50
	PseudoTLSServerHelloLen = 83
	cipherDHAnonRC4MD5      = 0x0018 // TLS_DH_anon_WITH_RC4_128_MD5
)

// PseudoTLSClientHello returns the 50-byte MS-TURN pseudo-TLS ClientHello
// that may open a TCP 443 session (MS-REFERENCE §1.8): a TLS 1.0 handshake
// record with a ClientHello offering only TLS_DH_anon_WITH_RC4_128_MD5 and
// null compression, no session ID and no extensions.
func PseudoTLSClientHello(random [32]byte) []byte {
	b := []byte{0x16, 0x03, 0x01, 0x00, 0x2D, 0x01, 0x00, 0x00, 0x29, 0x03, 0x01}
	b = append(b, random[:]...)
	b = append(b, 0x00)                   // session_id length
	b = append(b, 0x00, 0x02, 0x00, 0x18) // one cipher suite
	return append(b, 0x01, 0x00)          // one compression method: null
}

// PseudoTLSServerHello returns the 83-byte MS-TURN pseudo-TLS answer: one TLS
// 1.0 handshake record holding a ServerHello (random, 32-byte session ID,
// TLS_DH_anon_WITH_RC4_128_MD5, null compression) and a ServerHelloDone
// (MS-REFERENCE §1.8).
func PseudoTLSServerHello(random, session [32]byte) []byte {
	b := []byte{0x16, 0x03, 0x01, 0x00, 0x4E, 0x02, 0x00, 0x00, 0x46, 0x03, 0x01}
	b = append(b, random[:]...)
	b = append(b, 0x20)
	b = append(b, session[:]...)
	b = binary.BigEndian.AppendUint16(b, cipherDHAnonRC4MD5)
	b = append(b, 0x00)                      // compression: null
	return append(b, 0x0E, 0x00, 0x00, 0x00) // ServerHelloDone
}
