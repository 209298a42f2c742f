package wire

import (
	"bytes"
	"encoding/binary"
)

// TLS constants (RFC 8446 §5.1, §4).
const (
	tlsRecordHandshake = 22
	tlsClientHello     = 1
	tlsServerHello     = 2
	tlsCertificate     = 11
	tlsExtServerName   = 0
)

// Exact MS pseudo-TLS hello shapes (MS-TURN pseudo-TLS, MS-REFERENCE §1.8,
// §7.5): fixed prefixes and the bytes after the random values.
var (
	pseudoClientPrefix = []byte{0x16, 0x03, 0x01, 0x00, 0x2d, 0x01, 0x00, 0x00, 0x29, 0x03, 0x01}
	pseudoClientTail   = []byte{0x00, 0x00, 0x02, 0x00, 0x18, 0x01, 0x00}
	pseudoServerPrefix = []byte{0x16, 0x03, 0x01, 0x00, 0x4e, 0x02, 0x00, 0x00, 0x46, 0x03, 0x01}
	pseudoServerTail   = []byte{0x00, 0x18, 0x00, 0x0e, 0x00, 0x00, 0x00}
)

// Sizes of the pseudo-TLS hellos.
const (
	PseudoTLSClientHelloLen = 50
	PseudoTLSServerHelloLen = 83
)

// IsPseudoTLSClientHello reports whether b starts with the 50-byte MS-TURN
// pseudo-TLS ClientHello: TLS 1.0, no session ID, the single cipher suite
// TLS_DH_anon_WITH_RC4_128_MD5 and null compression (MS-REFERENCE §1.8).
func IsPseudoTLSClientHello(b []byte) bool {
	return len(b) >= PseudoTLSClientHelloLen &&
		bytes.Equal(b[:len(pseudoClientPrefix)], pseudoClientPrefix) &&
		bytes.Equal(b[43:50], pseudoClientTail)
}

// IsPseudoTLSServerHello reports whether b starts with the 83-byte MS-TURN
// pseudo-TLS ServerHello plus ServerHelloDone in one record (MS-REFERENCE
// §1.8): a 32-byte session ID, cipher 0x0018, null compression.
func IsPseudoTLSServerHello(b []byte) bool {
	return len(b) >= PseudoTLSServerHelloLen &&
		bytes.Equal(b[:len(pseudoServerPrefix)], pseudoServerPrefix) &&
		b[43] == 0x20 && bytes.Equal(b[76:83], pseudoServerTail)
}

// TLSRecordSize returns 5 plus the record length when b starts with a TLS
// record header (content type 20-24, major version 3), RFC 8446 §5.1.
func TLSRecordSize(b []byte) (int, bool) {
	if len(b) < 5 || b[0] < 20 || b[0] > 24 || b[1] != 3 {
		return 0, false
	}
	return 5 + int(binary.BigEndian.Uint16(b[3:5])), true
}

// TLSHello summarises the first handshake flight of a TLS stream (RFC 8446
// §4.1.2-4.1.3, RFC 5246 §7.4): the record and hello versions, the hello
// type, the ClientHello server name (RFC 6066 §3) and cipher-suite count,
// the ServerHello cipher, and whether a Certificate message follows in the
// same flight (it does not in TLS 1.3, where it is encrypted). SNI aliases
// the decoded buffer until the next Decode.
type TLSHello struct {
	RecordVersion, HelloVersion uint16
	HandshakeType               uint8
	SNI                         []byte
	CipherSuite                 uint16
	NumCipherSuites             int
	HasCertificate, PseudoTLS   bool
	// IsAlert marks an alert record (RFC 5246 §7.2) where a hello was
	// expected, e.g. a TLS server refusing the MS pseudo-TLS ClientHello;
	// AlertLevel and AlertDescription are its two bytes, HandshakeType is 0.
	IsAlert                      bool
	AlertLevel, AlertDescription uint8
}

var (
	errTLSRecord    = perr("tls", "record header", 0, ErrTruncated)
	errTLSType      = perr("tls", "content type", 0, ErrBadValue)
	errTLSHandshake = perr("tls", "handshake header", 5, ErrTruncated)
	errTLSHelloType = perr("tls", "handshake type", 5, ErrBadValue)
	errTLSHello     = perr("tls", "hello body", -1, ErrTruncated)
)

// Decode parses the handshake records at the start of a TLS stream. A
// record cut short by the end of b is parsed as far as it goes; a hello
// message longer than its record is reported as truncated.
func (h *TLSHello) Decode(b []byte) error {
	*h = TLSHello{}
	if len(b) < 5 {
		return errTLSRecord
	}
	if b[0] != tlsRecordHandshake || b[1] != 3 {
		return errTLSType
	}
	h.RecordVersion = binary.BigEndian.Uint16(b[1:3])
	h.PseudoTLS = IsPseudoTLSClientHello(b) || IsPseudoTLSServerHello(b)
	first := true
	for off := 0; len(b)-off >= 5 && b[off] == tlsRecordHandshake; {
		n := int(binary.BigEndian.Uint16(b[off+3 : off+5]))
		body := b[off+5 : off+5+min(n, len(b)-off-5)]
		if err := h.handshakes(body, first); err != nil {
			return err
		}
		first = false
		off += 5 + n
	}
	return nil
}

// handshakes walks the handshake messages of one record.
func (h *TLSHello) handshakes(body []byte, first bool) error {
	for len(body) > 0 {
		if len(body) < 4 {
			if first {
				return errTLSHandshake
			}
			return nil
		}
		t := body[0]
		n := int(body[1])<<16 | int(body[2])<<8 | int(body[3])
		msg := body[4:]
		if n < len(msg) {
			msg = msg[:n]
		}
		if first {
			if err := h.hello(t, msg, n); err != nil {
				return err
			}
			first = false
		} else if t == tlsCertificate {
			h.HasCertificate = true
		}
		if n > len(body)-4 {
			return nil
		}
		body = body[4+n:]
	}
	return nil
}

// hello decodes the first handshake message, which must be a hello.
func (h *TLSHello) hello(t uint8, msg []byte, n int) error {
	h.HandshakeType = t
	if t != tlsClientHello && t != tlsServerHello {
		return errTLSHelloType
	}
	if len(msg) < n {
		return errTLSHello
	}
	if t == tlsClientHello {
		return h.clientHello(msg)
	}
	return h.serverHello(msg)
}

// helloPrefix reads version, random and session ID, returning the rest.
func (h *TLSHello) helloPrefix(m []byte) ([]byte, bool) {
	if len(m) < 35 {
		return nil, false
	}
	h.HelloVersion = binary.BigEndian.Uint16(m[0:2])
	sid := int(m[34])
	if 35+sid > len(m) {
		return nil, false
	}
	return m[35+sid:], true
}

// clientHello decodes a ClientHello (RFC 8446 §4.1.2).
func (h *TLSHello) clientHello(m []byte) error {
	rest, ok := h.helloPrefix(m)
	if !ok || len(rest) < 2 {
		return errTLSHello
	}
	cs := int(binary.BigEndian.Uint16(rest[0:2]))
	if 2+cs+1 > len(rest) {
		return errTLSHello
	}
	h.NumCipherSuites = cs / 2
	rest = rest[2+cs:]
	comp := int(rest[0])
	if 1+comp > len(rest) {
		return errTLSHello
	}
	rest = rest[1+comp:]
	if len(rest) < 2 {
		return nil // no extensions (TLS 1.0 style)
	}
	h.SNI = serverName(extensions(rest))
	return nil
}

// serverHello decodes a ServerHello (RFC 8446 §4.1.3).
func (h *TLSHello) serverHello(m []byte) error {
	rest, ok := h.helloPrefix(m)
	if !ok || len(rest) < 3 {
		return errTLSHello
	}
	h.CipherSuite = binary.BigEndian.Uint16(rest[0:2])
	return nil
}

// extensions returns the extension block after its 2-byte length, clipped
// to what is present.
func extensions(b []byte) []byte {
	n := int(binary.BigEndian.Uint16(b[0:2]))
	return b[2 : 2+min(n, len(b)-2)]
}

// serverName finds the host_name of the server_name extension (RFC 6066 §3).
func serverName(ext []byte) []byte {
	for len(ext) >= 4 {
		t := binary.BigEndian.Uint16(ext[0:2])
		n := int(binary.BigEndian.Uint16(ext[2:4]))
		if 4+n > len(ext) {
			return nil
		}
		if t == tlsExtServerName {
			return hostName(ext[4 : 4+n])
		}
		ext = ext[4+n:]
	}
	return nil
}

// hostName reads the first host_name entry of a ServerNameList.
func hostName(v []byte) []byte {
	if len(v) < 5 || v[2] != 0 {
		return nil
	}
	n := int(binary.BigEndian.Uint16(v[3:5]))
	if 5+n > len(v) {
		return nil
	}
	return v[5 : 5+n]
}
