package synth

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/binary"
	"hash/crc32"
	"net/netip"
)

// Dialect selects the STUN wire rules a Msg follows.
type Dialect uint8

// STUN dialects.
const (
	// DialectRFC5389 is RFC 5389 STUN: the magic cookie in header bytes 4-7
	// and attributes padded to 4 bytes. MS-ICE2 connectivity checks use it
	// (MS-REFERENCE §2.4).
	DialectRFC5389 Dialect = iota
	// DialectMSTURN is MS-TURN (MS-TURN 2.2): a 128-bit transaction ID with
	// no header cookie, the MAGIC-COOKIE attribute first and unpadded
	// attributes (MS-REFERENCE §1.2, §1.3 rule 5).
	DialectMSTURN
)

// Msg builds one STUN, TURN or MS-TURN message byte by byte. Attributes are
// written in the order they are added; MESSAGE-INTEGRITY and FINGERPRINT are
// computed over what precedes them when they are added.
type Msg struct {
	// Type is the 16-bit message type.
	Type uint16
	// TxID is header bytes 4-19: for RFC 5389 the magic cookie then the
	// 96-bit transaction ID, for MS-TURN the 128-bit transaction ID.
	TxID [16]byte
	// Dialect selects padding and the MAGIC-COOKIE attribute.
	Dialect Dialect
	// Pad is the value of RFC 5389 padding bytes: zero normally; RFC 5769
	// vectors pad with 0x20 (receivers ignore it, RFC 5389 §15).
	Pad  byte
	body []byte
}

// NewMsg starts a message. With ms false it is RFC 5389: TxID[0:4] is
// overwritten with the magic cookie. With ms true it is MS-TURN: TxID is
// kept as given (newer MS clients start it with 0x2112A442, legacy ones do
// not) and the MAGIC-COOKIE attribute is added first (MS-TURN 2.2.2.8).
func NewMsg(typ uint16, txid [16]byte, ms bool) *Msg {
	m := &Msg{Type: typ, TxID: txid}
	if !ms {
		binary.BigEndian.PutUint32(m.TxID[0:4], MagicCookie)
		return m
	}
	m.Dialect = DialectMSTURN
	return m.Add(AttrMagicCookie, U32(MSMagicCookie))
}

// Add appends an attribute with a raw value, padded to 4 bytes with zeros in
// the RFC 5389 dialect and unpadded in the MS-TURN dialect. Values longer
// than 65535 bytes are truncated.
func (m *Msg) Add(t uint16, v []byte) *Msg {
	if len(v) > 0xFFFF {
		v = v[:0xFFFF]
	}
	m.body = binary.BigEndian.AppendUint16(m.body, t)
	m.body = binary.BigEndian.AppendUint16(m.body, uint16(len(v)))
	m.body = append(m.body, v...)
	if m.Dialect == DialectRFC5389 {
		for len(m.body)%4 != 0 {
			m.body = append(m.body, m.Pad)
		}
	}
	return m
}

// AddAddr appends an address attribute in the plain MAPPED-ADDRESS layout
// (RFC 5389 §15.1): reserved byte, family (1 IPv4, 2 IPv6), port, address.
// MS-TURN uses it for MAPPED-ADDRESS, DESTINATION-ADDRESS and REMOTE-ADDRESS.
func (m *Msg) AddAddr(t uint16, a netip.AddrPort) *Msg {
	return m.Add(t, addrValue(a, nil))
}

// AddXORAddr appends an address attribute XORed with header bytes 4-19: the
// port with bytes 4-5, IPv4 with bytes 4-7 and IPv6 with bytes 4-19. For RFC
// 5389 that is XOR-MAPPED-ADDRESS (§15.2, cookie plus transaction ID); for
// MS-TURN 0x8020 it is the txid[0:4] / full-txid rule (MS-REFERENCE §1.5).
func (m *Msg) AddXORAddr(t uint16, a netip.AddrPort) *Msg {
	return m.Add(t, addrValue(a, m.TxID[:]))
}

// addrValue encodes an address attribute value, XORed with key when key is
// not nil.
func addrValue(a netip.AddrPort, key []byte) []byte {
	ip := a.Addr().Unmap()
	fam, raw := byte(1), ip.AsSlice()
	if ip.Is6() {
		fam = 2
	}
	v := []byte{0, fam, byte(a.Port() >> 8), byte(a.Port())}
	v = append(v, raw...)
	if key != nil {
		for i := 2; i < len(v); i++ {
			if i < 4 {
				v[i] ^= key[i-2]
			} else {
				v[i] ^= key[i-4]
			}
		}
	}
	return v
}

// AddErrorCode appends ERROR-CODE (RFC 5389 §15.6): two reserved bytes, the
// class (hundreds), the number (code mod 100), then the reason phrase.
func (m *Msg) AddErrorCode(code int, reason string) *Msg {
	v := []byte{0, 0, byte(code/100) & 0x07, byte(code % 100)}
	return m.Add(AttrErrorCode, append(v, reason...))
}

// AddIntegrity appends MESSAGE-INTEGRITY (RFC 5389 §15.4): HMAC-SHA1 with
// key over the header, whose length field counts up to and including this
// attribute, and all attributes before it. For ICE checks the key is the
// peer's ice-pwd; for long-term credentials it is LongTermKey. MS-TURN
// messages use the same computation (MS-REFERENCE §2.4 notes that some MS
// stacks deviate; receivers do not validate strictly).
func (m *Msg) AddIntegrity(key []byte) *Msg {
	mac := hmac.New(sha1.New, key)
	mac.Write(m.header(len(m.body) + 24))
	mac.Write(m.body)
	return m.Add(AttrMessageIntegrity, mac.Sum(nil))
}

// AddFingerprint appends FINGERPRINT (RFC 5389 §15.5): CRC-32 of the message
// before it, with the length field counting the attribute, XOR 0x5354554E.
func (m *Msg) AddFingerprint() *Msg {
	return m.Add(AttrFingerprint, U32(m.crc(crc32.IEEETable)^fingerprintXOR))
}

// AddMSLegacyFingerprint appends FINGERPRINT computed with the CRC-32 table
// of older Microsoft stacks, in which entry 0x8BBEB8EA reads 0x08BBE8EA
// (MS-ICE2 3.1.4.8.2 as cited by libnice; MS-REFERENCE §2.4). An MS-ICE2
// agent sends such a legacy duplicate of each check.
func (m *Msg) AddMSLegacyFingerprint() *Msg {
	return m.Add(AttrFingerprint, U32(m.crc(legacyTable)^fingerprintXOR))
}

// crc computes the CRC-32 over the header (length counting an 8-byte
// FINGERPRINT) and the attributes so far, with the given table.
func (m *Msg) crc(tab *crc32.Table) uint32 {
	c := crc32.Update(0, tab, m.header(len(m.body)+8))
	return crc32.Update(c, tab, m.body)
}

// Bytes returns the encoded message: the 20-byte header then the attributes.
func (m *Msg) Bytes() []byte {
	return append(m.header(len(m.body)), m.body...)
}

// header returns the 20-byte header with the given length field.
func (m *Msg) header(length int) []byte {
	h := make([]byte, 4, 20)
	binary.BigEndian.PutUint16(h[0:2], m.Type)
	binary.BigEndian.PutUint16(h[2:4], uint16(length))
	return append(h, m.TxID[:]...)
}

// LongTermKey returns the RFC 5389 §15.4 long-term credential key,
// MD5(username ":" realm ":" password).
func LongTermKey(username, realm, password string) []byte {
	sum := md5.Sum([]byte(username + ":" + realm + ":" + password))
	return sum[:]
}

// NewTxID returns a deterministic transaction ID derived from seed (the
// first 16 bytes of SHA-1 of it). With cookie true its first four bytes are
// the RFC 5389 magic cookie, as newer MS clients and RFC 5389 agents send.
func NewTxID(seed string, cookie bool) [16]byte {
	var id [16]byte
	sum := sha1.Sum([]byte(seed))
	copy(id[:], sum[:])
	if cookie {
		binary.BigEndian.PutUint32(id[0:4], MagicCookie)
	}
	return id
}
