package truth

import (
	"encoding/binary"
	"net/netip"

	"github.com/icediag/icediag/pcaps/lab/internal/msturn"
)

// STUN/TURN constants (RFC 8489 §5-6, §14; RFC 8656 §18; RFC 8445 §16.1).
const (
	stunCookie        = 0x2112A442
	stunHeaderLen     = 20
	attrMappedAddress = 0x0001
	attrXORRelayed    = 0x0016
	attrIntegrity     = 0x0008
	attrErrorCode     = 0x0009
	attrData          = 0x0013
	attrUseCandidate  = 0x0025
	attrICEControlled = 0x8029
	attrICEControling = 0x802A
	typeBindingReq    = 0x0001
	typeBindingOK     = 0x0101
	typeAllocateReq   = 0x0003
	typeAllocateOK    = 0x0103
	typeAllocateErr   = 0x0113
	typeSendInd       = 0x0016
	typeDataInd       = 0x0017
)

// stunMsg is the part of a STUN message the checks need.
type stunMsg struct {
	ms    bool // MS-TURN dialect
	typ   uint16
	txid  [12]byte
	attrs map[uint16][]byte
}

func (m *stunMsg) has(attr uint16) bool { _, ok := m.attrs[attr]; return ok }

// errorCode returns the ERROR-CODE value (RFC 8489 §14.8), or 0.
func (m *stunMsg) errorCode() int {
	v := m.attrs[attrErrorCode]
	if len(v) < 4 {
		return 0
	}
	return int(v[2]&0x07)*100 + int(v[3])
}

// relayed returns the relayed transport address of an Allocate success:
// XOR-RELAYED-ADDRESS, IPv4, XORed with the cookie (RFC 8489 §14.2, RFC
// 8656 §14.5), or for MS-TURN the plain MAPPED-ADDRESS (MS-REFERENCE.md §1.4).
func (m *stunMsg) relayed() (netip.AddrPort, bool) {
	if m.ms {
		ap, err := msturn.ParseAddress(m.attrs[attrMappedAddress])
		return ap, err == nil
	}
	v := m.attrs[attrXORRelayed]
	if len(v) != 8 || v[1] != 0x01 {
		return netip.AddrPort{}, false
	}
	port := binary.BigEndian.Uint16(v[2:4]) ^ uint16(stunCookie>>16)
	var ip [4]byte
	binary.BigEndian.PutUint32(ip[:], binary.BigEndian.Uint32(v[4:8])^stunCookie)
	return netip.AddrPortFrom(netip.AddrFrom4(ip), port), true
}

// unit is one STUN message or RTP packet found in a frame, possibly inside a
// TURN ChannelData message or Send/Data indication.
type unit struct {
	stun *stunMsg
	rtp  bool
}

// units splits a frame's payload: one message for UDP; for TCP the RFC 8656
// §11.5 stream of STUN messages and ChannelData messages padded to 4 bytes.
func units(p Packet) []unit {
	if p.Proto == "udp" {
		return classify(p.Payload, 0)
	}
	var out []unit
	b := p.Payload
	for len(b) >= 4 {
		n := frameLen(b)
		if n == 0 || n > len(b) {
			break
		}
		out = append(out, classifyFrame(b[:n])...)
		b = b[n:]
	}
	return out
}

// frameLen returns the length of the STUN or ChannelData message at the start
// of a TCP stream segment, padding included, of an MS-TURN 0x02/0x03 frame
// or of a TLS record (MS-REFERENCE.md §1.7-1.8), or 0 if it is none of them.
func frameLen(b []byte) int {
	l := int(binary.BigEndian.Uint16(b[2:4]))
	switch {
	case (b[0] == msturn.FrameControl || b[0] == msturn.FrameData) && b[1] == 0:
		return 4 + l
	case b[0] == 0x16 && b[1] == 3 && len(b) >= 5:
		return 5 + int(binary.BigEndian.Uint16(b[3:5]))
	case b[0] < 4:
		return stunHeaderLen + l
	case b[0] >= 64 && b[0] < 80:
		return 4 + (l+3)&^3
	}
	return 0
}

// classifyFrame classifies one TCP stream unit: the payload of an MS-TURN
// frame, nothing in a TLS record, or a STUN or ChannelData message.
func classifyFrame(b []byte) []unit {
	switch {
	case (b[0] == msturn.FrameControl || b[0] == msturn.FrameData) && b[1] == 0:
		return classify(b[4:], 0)
	case b[0] == 0x16:
		return nil
	}
	return classify(b, 0)
}

// classify demultiplexes a datagram by its first byte (RFC 7983 §7).
func classify(b []byte, depth int) []unit {
	if len(b) < 4 || depth > 2 {
		return nil
	}
	switch {
	case b[0] < 4:
		return classifySTUN(b, depth)
	case b[0] >= 64 && b[0] < 80:
		l := int(binary.BigEndian.Uint16(b[2:4]))
		if 4+l > len(b) {
			return nil
		}
		return classify(b[4:4+l], depth+1)
	case b[0] >= 128 && b[0] < 192 && len(b) >= 12:
		pt := b[1] & 0x7F
		return []unit{{rtp: pt < 72 || pt > 76}}
	}
	return nil
}

func classifySTUN(b []byte, depth int) []unit {
	if msturn.Is(b) {
		return classifyMSTURN(b, depth)
	}
	m, ok := parseSTUN(b)
	if !ok {
		return nil
	}
	out := []unit{{stun: m}}
	if m.typ == typeSendInd || m.typ == typeDataInd {
		out = append(out, classify(m.attrs[attrData], depth+1)...)
	}
	return out
}

// parseSTUN reads an RFC 8489 message with the magic cookie; attributes are
// padded to 4 bytes (§14).
func parseSTUN(b []byte) (*stunMsg, bool) {
	if len(b) < stunHeaderLen || binary.BigEndian.Uint32(b[4:8]) != stunCookie {
		return nil, false
	}
	l := int(binary.BigEndian.Uint16(b[2:4]))
	if stunHeaderLen+l > len(b) {
		return nil, false
	}
	m := &stunMsg{typ: binary.BigEndian.Uint16(b[0:2]), attrs: map[uint16][]byte{}}
	copy(m.txid[:], b[8:20])
	a := b[stunHeaderLen : stunHeaderLen+l]
	for len(a) >= 4 {
		t, n := binary.BigEndian.Uint16(a[0:2]), int(binary.BigEndian.Uint16(a[2:4]))
		if 4+n > len(a) {
			return nil, false
		}
		if _, dup := m.attrs[t]; !dup {
			m.attrs[t] = a[4 : 4+n]
		}
		a = a[min(4+(n+3)&^3, len(a)):]
	}
	return m, true
}

// classifyMSTURN reads an MS-TURN message (MAGIC-COOKIE attribute first,
// 128-bit transaction ID) into the checks' form: the last 12 bytes of the
// transaction ID, and the DATA of Send requests and Data Indications.
func classifyMSTURN(b []byte, depth int) []unit {
	d, err := msturn.Decode(b)
	if err != nil {
		return nil
	}
	m := &stunMsg{typ: d.Type, attrs: map[uint16][]byte{}, ms: true}
	copy(m.txid[:], d.TxID[4:])
	for _, a := range d.Attrs {
		if _, dup := m.attrs[a.Type]; !dup {
			m.attrs[a.Type] = a.Value
		}
	}
	out := []unit{{stun: m}}
	if m.typ == msturn.TypeSendRequest || m.typ == msturn.TypeDataIndication {
		out = append(out, classify(m.attrs[attrData], depth+1)...)
	}
	return out
}
