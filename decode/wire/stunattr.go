package wire

import (
	"encoding/binary"
	"net/netip"
)

// RFC attribute types (RFC 8489 §18.3, RFC 8656 §18, RFC 8445 §16.1,
// RFC 5780 §7, RFC 6062 §6.2).
const (
	attrMappedAddress      = 0x0001
	attrUsername           = 0x0006
	attrMessageIntegrity   = 0x0008
	attrErrorCode          = 0x0009
	attrChannelNumber      = 0x000C
	attrLifetime           = 0x000D
	attrXORPeerAddress     = 0x0012
	attrData               = 0x0013
	attrRealm              = 0x0014
	attrNonce              = 0x0015
	attrXORRelayedAddress  = 0x0016
	attrRequestedTransport = 0x0019
	attrIntegritySHA256    = 0x001C
	attrXORMappedAddress   = 0x0020
	attrPriority           = 0x0024
	attrUseCandidate       = 0x0025
	attrSoftware           = 0x8022
	attrAlternateServer    = 0x8023
	attrFingerprint        = 0x8028
	attrICEControlled      = 0x8029
	attrICEControlling     = 0x802A
	attrResponseOrigin     = 0x802B
	attrOtherAddress       = 0x802C
)

// interpret fills the typed fields from m.Attrs. Attribute values that are
// malformed leave their field at the zero value; the message still decodes.
func (m *STUN) interpret() {
	for i := range m.Attrs {
		a := &m.Attrs[i]
		if m.interpretDialect(a.Type, a.Value) {
			continue
		}
		if m.interpretRFC(a.Type, a.Value) || m.interpretICE(a.Type, a.Value) {
			continue
		}
		if m.interpretMS(a.Type, a.Value) {
			continue
		}
		m.interpretSecurity(a, i)
	}
}

// interpretDialect handles the types whose meaning differs between MS-TURN
// and RFC TURN: 0x0011/0x0012 (MS DESTINATION-ADDRESS/REMOTE-ADDRESS vs RFC
// XOR-PEER-ADDRESS) and the swapped 0x0014/0x0015 (MS-REFERENCE §1.3 rule 4).
func (m *STUN) interpretDialect(t uint16, v []byte) bool {
	ms := m.Dialect == DialectMSTURN
	switch {
	case t == attrMSDestination && m.Dialect != DialectRFC5389:
		m.Destination = plainAddr(v)
	case t == attrMSRemoteAddress && ms:
		m.RemoteAddress = plainAddr(v)
	case t == attrXORPeerAddress:
		m.PeerCount++
		if m.PeerCount == 1 {
			m.XORPeer = m.xorAddr(v)
		}
	case t == attrRealm: // MS NONCE
		m.setRealmOrNonce(v, !ms)
	case t == attrNonce: // MS REALM
		m.setRealmOrNonce(v, ms)
	default:
		return false
	}
	return true
}

func (m *STUN) setRealmOrNonce(v []byte, realm bool) {
	if realm {
		m.Realm = v
	} else {
		m.Nonce = v
	}
}

// interpretRFC decodes the RFC 8489 and RFC 8656 attributes.
func (m *STUN) interpretRFC(t uint16, v []byte) bool {
	switch t {
	case attrMappedAddress:
		m.Mapped = plainAddr(v)
	case attrXORMappedAddress, attrMSXORMapped:
		m.XORMapped = m.xorAddr(v)
	case attrXORRelayedAddress:
		m.XORRelayed = m.xorAddr(v)
	case attrAlternateServer:
		m.AlternateServer = plainAddr(v)
	case attrResponseOrigin:
		m.ResponseOrigin = plainAddr(v)
	case attrOtherAddress:
		m.OtherAddress = plainAddr(v)
	case attrUsername:
		m.Username = v
	case attrSoftware:
		m.Software = v
	case attrErrorCode:
		m.ErrorCode, m.ErrorReason = errorCode(v)
	case attrData:
		m.Data, m.HasData = v, true
	case attrLifetime:
		m.Lifetime, m.HasLifetime = u32(v)
	case attrChannelNumber:
		if len(v) >= 2 {
			m.ChannelNumber = binary.BigEndian.Uint16(v)
		}
	case attrRequestedTransport:
		if len(v) >= 1 {
			m.RequestedTransport = v[0]
		}
	default:
		return false
	}
	return true
}

// interpretICE decodes the RFC 8445 §16.1 connectivity-check attributes.
func (m *STUN) interpretICE(t uint16, v []byte) bool {
	switch t {
	case attrPriority:
		m.Priority, m.HasPriority = u32(v)
	case attrUseCandidate:
		m.UseCandidate = true
	case attrICEControlling, attrICEControlled:
		if len(v) < 8 {
			return true
		}
		m.TieBreaker = binary.BigEndian.Uint64(v)
		m.Controlling = t == attrICEControlling
		m.Controlled = t == attrICEControlled
	default:
		return false
	}
	return true
}

// interpretSecurity records MESSAGE-INTEGRITY(-SHA256) and checks
// FINGERPRINT (RFC 8489 §14.5-14.7).
func (m *STUN) interpretSecurity(a *Attr, i int) {
	switch a.Type {
	case attrMessageIntegrity:
		if !m.HasIntegrity {
			m.HasIntegrity, m.IntegrityOffset = true, a.Offset
		}
	case attrIntegritySHA256:
		m.HasIntegritySHA256 = true
	case attrFingerprint:
		m.HasFingerprint = true
		if i == len(m.Attrs)-1 {
			m.FingerprintOK, m.FingerprintLegacy = checkFingerprint(m.Raw[:a.Offset], a.Value)
		}
	}
}

// errorCode decodes ERROR-CODE (RFC 8489 §14.8): class in the low 3 bits of
// byte 2, number in byte 3, then the reason phrase.
func errorCode(v []byte) (uint16, []byte) {
	if len(v) < 4 {
		return 0, nil
	}
	return uint16(v[2]&0x07)*100 + uint16(v[3]), v[4:]
}

// plainAddr decodes the MAPPED-ADDRESS layout (RFC 8489 §14.1): reserved,
// family (1 IPv4, 2 IPv6), port, address. Malformed values give the zero
// AddrPort.
func plainAddr(v []byte) netip.AddrPort {
	if len(v) < 4 {
		return netip.AddrPort{}
	}
	port := binary.BigEndian.Uint16(v[2:4])
	switch {
	case v[1] == 1 && len(v) >= 8:
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte(v[4:8])), port)
	case v[1] == 2 && len(v) >= 20:
		return netip.AddrPortFrom(netip.AddrFrom16([16]byte(v[4:20])), port)
	}
	return netip.AddrPort{}
}

// xorAddr decodes an XOR address (RFC 8489 §14.2, MS-TURN 0x8020 as in
// MS-REFERENCE §1.5). Both dialects XOR with header bytes 4..19: the port
// with bytes 4-5, IPv4 with bytes 4-7, IPv6 with all 16. For RFC 5389
// messages those bytes are the cookie and transaction ID; for legacy MS
// they are the 128-bit transaction ID.
func (m *STUN) xorAddr(v []byte) netip.AddrPort {
	if len(v) < 4 {
		return netip.AddrPort{}
	}
	port := binary.BigEndian.Uint16(v[2:4]) ^ binary.BigEndian.Uint16(m.TxID[0:2])
	switch {
	case v[1] == 1 && len(v) >= 8:
		var a [4]byte
		for i := range a {
			a[i] = v[4+i] ^ m.TxID[i]
		}
		return netip.AddrPortFrom(netip.AddrFrom4(a), port)
	case v[1] == 2 && len(v) >= 20:
		var a [16]byte
		for i := range a {
			a[i] = v[4+i] ^ m.TxID[i]
		}
		return netip.AddrPortFrom(netip.AddrFrom16(a), port)
	}
	return netip.AddrPort{}
}
