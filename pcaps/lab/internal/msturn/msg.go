// Package msturn is the lab's MS-TURN dialect (MS-TURN, [MS-TURN] 2.2 and 3.1;
// MS-REFERENCE.md §1): a 20-byte header with a 128-bit transaction ID and no
// cookie, the MAGIC-COOKIE attribute first in every message, attributes not
// padded to 4 bytes, NONCE 0x0014 and REALM 0x0015, Allocate with a 401
// challenge, Send requests and Data Indications, Set Active Destination, and
// over TCP the 0x02/0x03 framing after an optional pseudo-TLS hello.
//
// It holds a relay server (Server) and a client (Client) that serves as a
// relayed ICE candidate's packet connection.
package msturn

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// MagicCookie is the value of the MAGIC-COOKIE attribute ([MS-TURN] 2.2.2.8).
const MagicCookie = 0x72C64BC6

// HeaderLen is the size of the message header: type, length and the 128-bit
// transaction ID ([MS-TURN] 2.2.1).
const HeaderLen = 20

// Message types ([MS-TURN] 2.2.1; MS-REFERENCE.md §1.2).
const (
	TypeAllocateRequest       = 0x0003
	TypeAllocateResponse      = 0x0103
	TypeAllocateError         = 0x0113
	TypeSendRequest           = 0x0004
	TypeDataIndication        = 0x0115
	TypeSetActiveDestRequest  = 0x0006
	TypeSetActiveDestResponse = 0x0106
	TypeSetActiveDestError    = 0x0116
)

// Attribute types ([MS-TURN] 2.2.2; MS-REFERENCE.md §1.4).
const (
	AttrMappedAddress      = 0x0001
	AttrUsername           = 0x0006
	AttrMessageIntegrity   = 0x0008
	AttrErrorCode          = 0x0009
	AttrLifetime           = 0x000D
	AttrMagicCookie        = 0x000F
	AttrDestinationAddress = 0x0011
	AttrRemoteAddress      = 0x0012
	AttrData               = 0x0013
	AttrNonce              = 0x0014
	AttrRealm              = 0x0015
	AttrMSVersion          = 0x8008
	AttrXORMappedAddress   = 0x8020
	AttrMSSequenceNumber   = 0x8050
)

// Version is the MS-VERSION the lab's client and server speak: 2, MS-ICE2
// ([MS-TURN] 2.2.2.17; MS-REFERENCE.md §1.6).
const Version = 2

// Errors of Decode.
var (
	ErrShort     = errors.New("msturn: message shorter than its header or length")
	ErrNoCookie  = errors.New("msturn: first attribute is not MAGIC-COOKIE")
	ErrAttribute = errors.New("msturn: attribute runs past the message end")
	ErrTopBits   = errors.New("msturn: the two top bits of the type are not 0")
)

// Attr is one attribute. Value aliases the decoded buffer.
type Attr struct {
	Type  uint16
	Value []byte
}

// Message is one MS-TURN message.
type Message struct {
	Type  uint16
	TxID  [16]byte
	Attrs []Attr
	// integrityAt is the offset of MESSAGE-INTEGRITY in the decoded bytes, or -1.
	integrityAt int
}

// New returns a message of a type with MAGIC-COOKIE as its first attribute
// ([MS-TURN] 3.1.10).
func New(typ uint16, txid [16]byte) *Message {
	m := &Message{Type: typ, TxID: txid, integrityAt: -1}
	m.Add(AttrMagicCookie, binary.BigEndian.AppendUint32(nil, MagicCookie))
	return m
}

// Add appends an attribute.
func (m *Message) Add(typ uint16, v []byte) { m.Attrs = append(m.Attrs, Attr{typ, v}) }

// Get returns the first attribute of a type.
func (m *Message) Get(typ uint16) ([]byte, bool) {
	for _, a := range m.Attrs {
		if a.Type == typ {
			return a.Value, true
		}
	}
	return nil, false
}

// Encode renders the message with unpadded attributes.
func (m *Message) Encode() []byte {
	n := 0
	for _, a := range m.Attrs {
		n += 4 + len(a.Value)
	}
	b := make([]byte, HeaderLen, HeaderLen+n)
	binary.BigEndian.PutUint16(b[0:2], m.Type)
	binary.BigEndian.PutUint16(b[2:4], uint16(n))
	copy(b[4:20], m.TxID[:])
	for _, a := range m.Attrs {
		b = binary.BigEndian.AppendUint16(b, a.Type)
		b = binary.BigEndian.AppendUint16(b, uint16(len(a.Value)))
		b = append(b, a.Value...)
	}
	return b
}

// Is reports whether b starts like an MS-TURN message: two zero top bits and
// MAGIC-COOKIE as the first attribute (MS-REFERENCE.md §1.3 rule 1).
func Is(b []byte) bool {
	return len(b) >= HeaderLen+8 && b[0]&0xC0 == 0 &&
		binary.BigEndian.Uint16(b[20:22]) == AttrMagicCookie && binary.BigEndian.Uint16(b[22:24]) == 4 &&
		binary.BigEndian.Uint32(b[24:28]) == MagicCookie
}

// Decode parses one message. Attributes are walked unpadded; when that does not
// end exactly at the message end, 4-byte padding is tried (MS-REFERENCE.md
// §1.3 rule 5). Attribute values alias b.
func Decode(b []byte) (*Message, error) {
	if len(b) < HeaderLen {
		return nil, ErrShort
	}
	if b[0]&0xC0 != 0 {
		return nil, ErrTopBits
	}
	l := int(binary.BigEndian.Uint16(b[2:4]))
	if HeaderLen+l > len(b) {
		return nil, ErrShort
	}
	if !Is(b[:HeaderLen+l]) {
		return nil, ErrNoCookie
	}
	m := &Message{Type: binary.BigEndian.Uint16(b[0:2]), integrityAt: -1}
	copy(m.TxID[:], b[4:20])
	if err := m.walk(b[:HeaderLen+l], 1); err != nil {
		if err := m.walk(b[:HeaderLen+l], 4); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Message) walk(b []byte, align int) error {
	m.Attrs, m.integrityAt = m.Attrs[:0], -1
	off := HeaderLen
	for off < len(b) {
		if off+4 > len(b) {
			return ErrAttribute
		}
		t, n := binary.BigEndian.Uint16(b[off:]), int(binary.BigEndian.Uint16(b[off+2:]))
		if off+4+n > len(b) {
			return ErrAttribute
		}
		if t == AttrMessageIntegrity && m.integrityAt < 0 {
			m.integrityAt = off
		}
		m.Attrs = append(m.Attrs, Attr{t, b[off+4 : off+4+n]})
		off += 4 + (n+align-1)/align*align
	}
	if off != len(b) {
		return ErrAttribute
	}
	return nil
}

// LongTermKey is the MESSAGE-INTEGRITY key of the long-term credential
// mechanism: MD5(username ":" realm ":" password) (RFC 5389 §15.4, which
// [MS-TURN] 3.1.4 follows).
func LongTermKey(user, realm, pass string) []byte {
	k := md5.Sum([]byte(user + ":" + realm + ":" + pass))
	return k[:]
}

// AddIntegrity appends MESSAGE-INTEGRITY: HMAC-SHA1 over the message up to the
// attribute, with the length field already counting it (RFC 5389 §15.4).
func (m *Message) AddIntegrity(key []byte) {
	b := m.Encode()
	binary.BigEndian.PutUint16(b[2:4], uint16(len(b)-HeaderLen+24))
	mac := hmac.New(sha1.New, key)
	mac.Write(b)
	m.Add(AttrMessageIntegrity, mac.Sum(nil))
}

// CheckIntegrity verifies the MESSAGE-INTEGRITY of raw, the bytes m was decoded
// from, with key. A message without it fails.
func (m *Message) CheckIntegrity(raw, key []byte) bool {
	at := m.integrityAt
	if at < HeaderLen || at+24 > len(raw) {
		return false
	}
	b := append([]byte{}, raw[:at]...)
	binary.BigEndian.PutUint16(b[2:4], uint16(at-HeaderLen+24))
	mac := hmac.New(sha1.New, key)
	mac.Write(b)
	return hmac.Equal(mac.Sum(nil), raw[at+4:at+24])
}

// Address renders MAPPED-ADDRESS, DESTINATION-ADDRESS and REMOTE-ADDRESS: a
// reserved byte, family 0x01, port and IPv4 address ([MS-TURN] 2.2.2.1).
func Address(ap netip.AddrPort) []byte {
	b := []byte{0, 1, byte(ap.Port() >> 8), byte(ap.Port())}
	a := ap.Addr().Unmap().As4()
	return append(b, a[:]...)
}

// ParseAddress reads an IPv4 address attribute value.
func ParseAddress(v []byte) (netip.AddrPort, error) {
	if len(v) != 8 || v[1] != 1 {
		return netip.AddrPort{}, fmt.Errorf("msturn: address attribute of %d bytes is not IPv4 (% x)", len(v), v)
	}
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte(v[4:8])), binary.BigEndian.Uint16(v[2:4])), nil
}

// XORAddress renders the MS XOR-MAPPED-ADDRESS 0x8020: the port XORed with the
// first 16 bits of the transaction ID, the IPv4 address with its first 32 bits
// (MS-REFERENCE.md §1.5).
func XORAddress(ap netip.AddrPort, txid [16]byte) []byte {
	b := Address(ap)
	xorAddress(b, txid)
	return b
}

// ParseXORAddress reads an MS XOR-MAPPED-ADDRESS value.
func ParseXORAddress(v []byte, txid [16]byte) (netip.AddrPort, error) {
	if len(v) != 8 {
		return netip.AddrPort{}, fmt.Errorf("msturn: XOR address of %d bytes", len(v))
	}
	b := append([]byte{}, v...)
	xorAddress(b, txid)
	return ParseAddress(b)
}

// xorAddress XORs the port of an address value with txid[0:2] and the IPv4
// address with txid[0:4].
func xorAddress(b []byte, txid [16]byte) {
	b[2] ^= txid[0]
	b[3] ^= txid[1]
	for i := 0; i < 4; i++ {
		b[4+i] ^= txid[i]
	}
}

// ErrorCode renders ERROR-CODE: class and number, then the reason (RFC 5389 §15.6).
func ErrorCode(code int, reason string) []byte {
	return append([]byte{0, 0, byte(code / 100), byte(code % 100)}, reason...)
}

// Code returns the ERROR-CODE of a message, or 0.
func (m *Message) Code() int {
	v, ok := m.Get(AttrErrorCode)
	if !ok || len(v) < 4 {
		return 0
	}
	return int(v[2]&7)*100 + int(v[3])
}

// U32 renders a 32-bit attribute value (LIFETIME, MS-VERSION).
func U32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
