package callgen

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"

	"github.com/icediag/icediag/decode/synth"
)

// RFC 8656 TURN methods and attributes that synth does not name.
const (
	typeRefreshRequest          = 0x0004 // §7.2
	typeRefreshSuccess          = 0x0104
	typeCreatePermissionRequest = 0x0008 // §9
	typeCreatePermissionSuccess = 0x0108
	typeChannelBindRequest      = 0x0009 // §11
	typeChannelBindSuccess      = 0x0109
	attrChannelNumber           = 0x000C // §18.1
	attrRequestedTransport      = 0x0019 // §18.11
	protoUDP                    = 17
	firstChannel                = 0x4000 // §12: channels 0x4000-0x4FFF
	turnLifetime                = 600    // §3.2 default allocation lifetime
	softwareName                = "icediag-bench"
)

// txid draws a transaction ID. The RFC 5389 cookie goes in the first four
// bytes for both dialects, as newer MS clients send it (MS-REFERENCE §1.2).
func txid(rng *rand.Rand) [16]byte {
	var id [16]byte
	binary.BigEndian.PutUint32(id[0:4], synth.MagicCookie)
	for i := 4; i < 16; i += 4 {
		binary.BigEndian.PutUint32(id[i:], rng.Uint32())
	}
	return id
}

// check returns an ICE connectivity check from a to b (RFC 8445 §7.2.2):
// USERNAME "b-ufrag:a-ufrag", PRIORITY, the role attribute, USE-CANDIDATE
// when nominating, MESSAGE-INTEGRITY with b's password and FINGERPRINT.
// MS-ICE2 checks add MS-IMPLEMENTATION-VERSION (MS-REFERENCE §2.4).
func check(id [16]byte, a, b iceAgent, prio uint32, nominate, ms bool) []byte {
	role := uint16(synth.AttrICEControlled)
	if a.controlling {
		role = synth.AttrICEControlling
	}
	m := synth.NewMsg(synth.TypeBindingRequest, id, false).
		Add(synth.AttrUsername, []byte(b.ufrag+":"+a.ufrag)).
		Add(synth.AttrPriority, synth.U32(prio)).
		Add(role, synth.U64(a.tieBreaker))
	if nominate {
		m.Add(synth.AttrUseCandidate, nil)
	}
	if ms {
		m.Add(synth.AttrMSImplementationVersion, synth.U32(2))
	}
	return m.AddIntegrity([]byte(b.pwd)).AddFingerprint().Bytes()
}

// checkResponse is b's Binding success response reporting the check's
// source as mapped (RFC 8445 §7.3.1.2).
func checkResponse(id [16]byte, b iceAgent, mapped netip.AddrPort) []byte {
	return synth.NewMsg(synth.TypeBindingSuccess, id, false).
		AddXORAddr(synth.AttrXORMappedAddress, mapped).
		AddIntegrity([]byte(b.pwd)).
		AddFingerprint().Bytes()
}

// turnCreds are a relayed client's long-term credentials (RFC 8489 §9.2).
type turnCreds struct {
	user, realm, nonce, password string
	ms                           bool // MS-TURN attribute numbering
}

func (t turnCreds) key() []byte { return synth.LongTermKey(t.user, t.realm, t.password) }

// add appends USERNAME, REALM and NONCE in the dialect's numbering
// (MS-TURN swaps REALM and NONCE, MS-REFERENCE §1.3 rule 4).
func (t turnCreds) add(m *synth.Msg) *synth.Msg {
	m.Add(synth.AttrUsername, []byte(t.user))
	if t.ms {
		return m.Add(synth.AttrMSNonce, []byte(t.nonce)).Add(synth.AttrMSRealm, []byte(t.realm))
	}
	return m.Add(synth.AttrRFCRealm, []byte(t.realm)).Add(synth.AttrRFCNonce, []byte(t.nonce))
}

// allocate returns the unauthenticated Allocate, its 401 challenge, the
// authenticated Allocate and its success response (RFC 8656 §7.1-7.3,
// MS-TURN §3.1.4 for ms).
func (t turnCreds) allocate(rng *rand.Rand, relayed, mapped netip.AddrPort) [4][]byte {
	var out [4][]byte
	id := txid(rng)
	first := synth.NewMsg(synth.TypeAllocateRequest, id, t.ms)
	chal := synth.NewMsg(synth.TypeAllocateError, id, t.ms).AddErrorCode(401, "Unauthorized")
	if t.ms {
		first.Add(synth.AttrMSVersion, synth.U32(synth.MSVersionICE2))
		chal.Add(synth.AttrMSNonce, []byte(t.nonce)).Add(synth.AttrMSRealm, []byte(t.realm))
	} else {
		first.Add(attrRequestedTransport, []byte{protoUDP, 0, 0, 0})
		chal.Add(synth.AttrRFCRealm, []byte(t.realm)).Add(synth.AttrRFCNonce, []byte(t.nonce))
	}
	out[0], out[1] = first.Bytes(), chal.Bytes()
	id = txid(rng)
	req := synth.NewMsg(synth.TypeAllocateRequest, id, t.ms)
	resp := synth.NewMsg(synth.TypeAllocateSuccess, id, t.ms)
	if t.ms {
		req.Add(synth.AttrMSVersion, synth.U32(synth.MSVersionICE2))
		resp.Add(synth.AttrMSVersion, synth.U32(synth.MSVersionICE2)).
			AddAddr(synth.AttrMappedAddress, relayed).
			AddXORAddr(synth.AttrMSXORMappedAddress, mapped)
	} else {
		req.Add(attrRequestedTransport, []byte{protoUDP, 0, 0, 0})
		resp.AddXORAddr(synth.AttrXORRelayedAddress, relayed).
			AddXORAddr(synth.AttrXORMappedAddress, mapped)
	}
	out[2] = t.add(req).AddIntegrity(t.key()).Bytes()
	out[3] = resp.Add(synth.AttrLifetime, synth.U32(turnLifetime)).AddIntegrity(t.key()).Bytes()
	return out
}

// request returns an authenticated RFC TURN request of type typ with the
// given attributes, and its success response (RFC 8656 §9, §11).
func (t turnCreds) request(rng *rand.Rand, typ, okType uint16, attrs func(*synth.Msg)) (req, resp []byte) {
	id := txid(rng)
	m := synth.NewMsg(typ, id, t.ms)
	attrs(m)
	req = t.add(m).AddIntegrity(t.key()).Bytes()
	resp = synth.NewMsg(okType, id, t.ms).AddIntegrity(t.key()).Bytes()
	return req, resp
}

// release returns the request that ends the allocation (LIFETIME 0: an RFC
// Refresh, RFC 8656 §7.2, or an MS-TURN Allocate) and its response.
func (t turnCreds) release(rng *rand.Rand) (req, resp []byte) {
	typ, okType := uint16(typeRefreshRequest), uint16(typeRefreshSuccess)
	if t.ms {
		typ, okType = synth.TypeAllocateRequest, synth.TypeAllocateSuccess
	}
	return t.request(rng, typ, okType, func(m *synth.Msg) { m.Add(synth.AttrLifetime, synth.U32(0)) })
}

// sendIndication wraps data for the peer: an RFC Send indication (RFC 8656
// §11.1) or an MS-TURN Send request (MS-TURN §2.2.1, no response).
func (t turnCreds) sendIndication(rng *rand.Rand, seq *uint32, connID [20]byte, peer netip.AddrPort, data []byte) []byte {
	if !t.ms {
		return synth.NewMsg(synth.TypeRFCSendIndication, txid(rng), false).
			AddXORAddr(synth.AttrXORPeerAddress, peer).
			Add(synth.AttrData, data).Bytes()
	}
	m := t.add(synth.NewMsg(synth.TypeMSSendRequest, txid(rng), true))
	*seq++
	return m.Add(synth.AttrMSSequenceNumber, synth.MSSequenceNumber(connID, *seq)).
		AddAddr(synth.AttrDestinationAddress, peer).
		Add(synth.AttrData, data).
		AddIntegrity(t.key()).Bytes()
}

// dataIndication wraps data from the peer: an RFC Data indication (RFC 8656
// §11.4) or an MS-TURN Data indication 0x0115 with REMOTE-ADDRESS.
func (t turnCreds) dataIndication(rng *rand.Rand, peer netip.AddrPort, data []byte) []byte {
	if !t.ms {
		return synth.NewMsg(synth.TypeRFCDataIndication, txid(rng), false).
			AddXORAddr(synth.AttrXORPeerAddress, peer).
			Add(synth.AttrData, data).Bytes()
	}
	return synth.NewMsg(synth.TypeMSDataIndication, txid(rng), true).
		AddAddr(synth.AttrRemoteAddress, peer).
		Add(synth.AttrData, data).Bytes()
}
