package wire

import (
	"encoding/binary"
	"net/netip"
)

// STUN header constants (RFC 8489 §5, MS-TURN 2.2.1).
const (
	stunHeaderLen = 20
	// MagicCookie is the RFC 5389/8489 magic cookie at header offset 4.
	MagicCookie uint32 = 0x2112A442
	// MSMagicCookie is the value of the MS-TURN MAGIC-COOKIE attribute
	// (0x000F), which must be the first attribute (MS-TURN 2.2.2.8).
	MSMagicCookie uint32 = 0x72C64BC6
	// MaxAttrs is the number of attributes a STUN decode keeps; a message
	// with more fails with ErrTooMany.
	MaxAttrs = 64
)

// Class is the STUN message class (RFC 8489 §5).
type Class uint8

// Message classes.
const (
	ClassRequest    Class = 0
	ClassIndication Class = 1
	ClassSuccess    Class = 2
	ClassError      Class = 3
)

// Dialect is the STUN dialect a message is written in (MS-REFERENCE §1.3).
type Dialect uint8

// Dialects.
const (
	// DialectRFC5389: magic cookie in the header, no MAGIC-COOKIE attribute
	// (RFC 5389/8489, TURN RFC 5766/8656, MS-ICE2 connectivity checks).
	DialectRFC5389 Dialect = iota
	// DialectClassic: RFC 3489 header with a 128-bit transaction ID and no
	// MS attribute (classic STUN, MS-ICE v1 checks).
	DialectClassic
	// DialectMSTURN: MS-TURN, MAGIC-COOKIE attribute 0x000F first (with or
	// without the header cookie) or an MS-only message type (MS-TURN 2.2).
	DialectMSTURN
)

// String returns "rfc5389", "classic" or "ms-turn".
func (d Dialect) String() string {
	switch d {
	case DialectRFC5389:
		return "rfc5389"
	case DialectClassic:
		return "classic"
	case DialectMSTURN:
		return "ms-turn"
	}
	return "unknown"
}

// Attr is one STUN attribute. Value aliases the decoded buffer; Offset is the
// offset of the attribute header in STUN.Raw.
type Attr struct {
	Type   uint16
	Value  []byte
	Offset int
}

// STUN is a decoded STUN, TURN or MS-TURN message (RFC 8489, RFC 8656,
// RFC 8445 §16, MS-TURN 2.2, MS-ICE2). Decode fills it in place: every
// slice aliases the input until the next Decode, the Attrs backing array is
// reused, and nothing is allocated.
type STUN struct {
	Raw     []byte // the message: header and attributes
	Type    uint16 // message type as on the wire
	Length  uint16 // header length field
	Method  uint16 // 12-bit method (RFC 8489 §5)
	Class   Class
	Op      Op      // the operation, dialect-aware (MS 0x0004 is Send)
	Dialect Dialect // see MS-REFERENCE §1.3
	TxID    [16]byte
	Attrs   []Attr
	// Unpadded reports that attributes are laid out without 4-byte padding
	// (legacy MS-TURN / MS-ICE, MS-REFERENCE §1.3 rule 5).
	Unpadded bool

	Username, Realm, Nonce, Software, ErrorReason, Data []byte
	HasData                                             bool

	Priority                                      uint32
	HasPriority, UseCandidate                     bool
	Controlling, Controlled                       bool
	TieBreaker                                    uint64
	ErrorCode                                     uint16 // class*100+number, 0 if none
	XORMapped, Mapped, XORRelayed, XORPeer        netip.AddrPort
	AlternateServer, ResponseOrigin, OtherAddress netip.AddrPort
	Destination, RemoteAddress, MSAltMapped       netip.AddrPort
	PeerCount                                     int // XOR-PEER-ADDRESS count
	Lifetime                                      uint32
	HasLifetime                                   bool
	ChannelNumber                                 uint16
	RequestedTransport                            uint8 // IP protocol number
	HasIntegrity, HasIntegritySHA256              bool
	HasFingerprint, FingerprintOK                 bool
	FingerprintLegacy                             bool // MS-ICE2 legacy CRC table
	IntegrityOffset                               int  // MESSAGE-INTEGRITY header offset, -1 if none
	MSVersion, MSImplVersion, Bandwidth           uint32
	HasMSVersion, HasMSImplVersion                bool
	MSCandidateID                                 []byte
	MSStreamType, MSServiceQuality                uint16
	MSMuxSessionID                                uint64
	HasMSMuxSession                               bool
}

// Preallocated STUN decode errors.
var (
	errSTUNHeader    = perr("stun", "header", 0, ErrTruncated)
	errSTUNType      = perr("stun", "message type", 0, ErrBadValue)
	errSTUNLength    = perr("stun", "message length", 2, ErrTruncated)
	errSTUNAttrHdr   = perr("stun", "attribute header", -1, ErrTruncated)
	errSTUNAttrLen   = perr("stun", "attribute length", -1, ErrBadLength)
	errSTUNTooMany   = perr("stun", "attributes", -1, ErrTooMany)
	errSTUNAttrValue = perr("stun", "attribute value", -1, ErrBadValue)
)

// IsSTUN is a cheap demultiplexing test (RFC 7983 §7, RFC 8489 §6): the top
// two bits are zero and the length field fits the input, and either the
// magic cookie is at offset 4, or the MS-TURN MAGIC-COOKIE attribute comes
// first, or the message is a plausible classic (RFC 3489) one: a known type,
// a length that is exactly the rest of the datagram and a first attribute
// that fits.
func IsSTUN(b []byte) bool {
	if len(b) < stunHeaderLen || b[0]&0xC0 != 0 {
		return false
	}
	n := int(binary.BigEndian.Uint16(b[2:4]))
	if stunHeaderLen+n > len(b) {
		return false
	}
	// No multiple-of-4 check: MS-ICE2 checks carry the cookie with
	// unpadded attributes (MS-REFERENCE §2.4).
	if binary.BigEndian.Uint32(b[4:8]) == MagicCookie {
		return true
	}
	if hasMSCookieAttr(b) {
		return true
	}
	return isClassicSTUN(b, n)
}

// isClassicSTUN accepts a cookie-less message of a known type whose length
// is the whole datagram and whose first attribute fits.
func isClassicSTUN(b []byte, n int) bool {
	if stunHeaderLen+n != len(b) || !knownClassicType(binary.BigEndian.Uint16(b[0:2])) {
		return false
	}
	if n == 0 {
		return true
	}
	if n < 4 {
		return false
	}
	return 4+int(binary.BigEndian.Uint16(b[22:24])) <= n
}

// hasMSCookieAttr reports whether the first attribute is MAGIC-COOKIE
// (type 0x000F, length 4, value 0x72C64BC6), MS-TURN 2.2.2.8.
func hasMSCookieAttr(b []byte) bool {
	return len(b) >= 28 && binary.BigEndian.Uint16(b[20:22]) == attrMSMagicCookie &&
		binary.BigEndian.Uint16(b[22:24]) == 4 &&
		binary.BigEndian.Uint32(b[24:28]) == MSMagicCookie
}

// STUNSize returns 20 plus the header length when b holds a complete STUN
// header, for framing STUN on streams (RFC 8489 §6.2.2). It does not check
// that the rest of the message is present.
func STUNSize(b []byte) (int, bool) {
	if len(b) < stunHeaderLen || b[0]&0xC0 != 0 {
		return 0, false
	}
	return stunHeaderLen + int(binary.BigEndian.Uint16(b[2:4])), true
}

// Decode parses one STUN message from b. It resets every field first.
// Bytes after 20+Length are ignored. On error the header fields (Type,
// Length, Method, Class, Op, Dialect, TxID) are valid whenever the 20-byte
// header was complete. All slices alias b until the next Decode.
func (m *STUN) Decode(b []byte) error {
	m.reset()
	if len(b) < stunHeaderLen {
		return errSTUNHeader
	}
	m.Type = binary.BigEndian.Uint16(b[0:2])
	m.Length = binary.BigEndian.Uint16(b[2:4])
	copy(m.TxID[:], b[4:20])
	m.Method, m.Class = splitType(m.Type)
	end := stunHeaderLen + int(m.Length)
	// Only the message's own bytes decide the dialect.
	m.Dialect = detectDialect(b[:min(end, len(b))])
	m.Op, m.Class = operation(m.Type, m.Method, m.Class, m.Dialect)
	if m.Type&0xC000 != 0 {
		return errSTUNType
	}
	if end > len(b) {
		return errSTUNLength
	}
	m.Raw = b[:end]
	if err := m.walkAttrs(); err != nil {
		return err
	}
	m.interpret()
	return nil
}

// reset clears m but keeps the Attrs backing array.
func (m *STUN) reset() {
	attrs := m.Attrs[:0]
	*m = STUN{Attrs: attrs, IntegrityOffset: -1}
}

// splitType extracts method and class from a message type (RFC 8489 §5).
func splitType(t uint16) (uint16, Class) {
	method := t&0x000F | (t&0x00E0)>>1 | (t&0x3E00)>>2
	class := Class((t>>4)&1 | (t>>7)&2)
	return method, class
}

// walkAttrs splits the attributes, trying the layout the dialect prefers
// first (padded for RFC 5389, unpadded for MS and classic) and the other
// one when the first does not end exactly at the message end (MS-REFERENCE
// §1.3 rule 5). The error of the preferred layout is returned.
func (m *STUN) walkAttrs() error {
	unpadded := m.Dialect != DialectRFC5389
	err := m.walk(unpadded)
	if err == nil {
		m.Unpadded = unpadded && !m.alignedAttrs()
		return nil
	}
	if err2 := m.walk(!unpadded); err2 == nil {
		m.Unpadded = !unpadded && !m.alignedAttrs()
		return nil
	}
	m.Attrs = m.Attrs[:0]
	return err
}

// alignedAttrs reports whether every attribute length is a multiple of 4,
// in which case padded and unpadded layouts coincide.
func (m *STUN) alignedAttrs() bool {
	for i := range m.Attrs {
		if len(m.Attrs[i].Value)%4 != 0 {
			return false
		}
	}
	return true
}

// walk splits m.Raw into attributes with or without 4-byte padding.
func (m *STUN) walk(unpadded bool) error {
	m.Attrs = m.Attrs[:0]
	b := m.Raw
	off := stunHeaderLen
	for off < len(b) {
		if len(b)-off < 4 {
			return errSTUNAttrHdr
		}
		t := binary.BigEndian.Uint16(b[off : off+2])
		n := int(binary.BigEndian.Uint16(b[off+2 : off+4]))
		if n > len(b)-off-4 {
			return errSTUNAttrLen
		}
		if len(m.Attrs) == MaxAttrs {
			return errSTUNTooMany
		}
		m.Attrs = append(m.Attrs, Attr{Type: t, Value: b[off+4 : off+4+n], Offset: off})
		off += 4 + n
		if !unpadded {
			pad := (4 - n%4) % 4
			if pad > len(b)-off {
				return errSTUNAttrLen
			}
			off += pad
		}
	}
	return nil
}

// Attr returns the value of the first attribute of type t.
func (m *STUN) Attr(t uint16) ([]byte, bool) {
	for i := range m.Attrs {
		if m.Attrs[i].Type == t {
			return m.Attrs[i].Value, true
		}
	}
	return nil, false
}

// HasCookie reports whether the RFC 5389 magic cookie is in the header.
func (m *STUN) HasCookie() bool {
	return binary.BigEndian.Uint32(m.TxID[0:4]) == MagicCookie
}

const hexDigits = "0123456789abcdef"

// AppendTxID appends the transaction ID in lower-case hex as tshark shows
// it: the 12-byte stun.id for messages with the magic cookie in the header
// (RFC 8489 §5), the 16-byte classicstun.id for cookie-less ones. tshark
// 4.0 decodes an MS Data Indication (0x0115) with the cookie as stun too.
func (m *STUN) AppendTxID(dst []byte) []byte {
	id := m.TxID[:]
	if m.HasCookie() {
		id = id[4:]
	}
	for _, c := range id {
		dst = append(dst, hexDigits[c>>4], hexDigits[c&0x0F])
	}
	return dst
}
