package main

import (
	"fmt"

	"github.com/icediag/icediag/decode/synth"
)

// turnSession is one MS-TURN allocation as seen by its client (MS-TURN
// 3.1-3.2; MS-REFERENCE §1). Requests carry MRAS-style long-term
// credentials; MESSAGE-INTEGRITY uses synth.LongTermKey(user, realm,
// password).
type turnSession struct {
	name       string // seed of the transaction IDs
	cookie     bool   // transaction IDs start with 0x2112A442 (newer clients)
	version    uint32 // MS-VERSION sent and answered
	user       string
	realm      string
	nonce      string
	password   string
	server     synth.Endpoint
	relayed    synth.Endpoint // MAPPED-ADDRESS of the Allocate response
	reflexive  synth.Endpoint // 0x8020 XOR-MAPPED-ADDRESS of the response
	connID     [20]byte       // MS-SEQUENCE-NUMBER connection ID
	muxSession uint64         // MULTIPLEXED-TURN-SESSION-ID, 0 when not multiplexed
	seq        uint32
	n          int
}

// txid returns the next transaction ID of the session.
func (s *turnSession) txid() [16]byte {
	s.n++
	return synth.NewTxID(fmt.Sprintf("%s/%d", s.name, s.n), s.cookie)
}

// key returns the MESSAGE-INTEGRITY key.
func (s *turnSession) key() []byte { return synth.LongTermKey(s.user, s.realm, s.password) }

// withCreds adds USERNAME, NONCE and REALM in MS numbering.
func (s *turnSession) withCreds(m *synth.Msg) *synth.Msg {
	return m.Add(synth.AttrUsername, []byte(s.user)).
		Add(synth.AttrMSNonce, []byte(s.nonce)).
		Add(synth.AttrMSRealm, []byte(s.realm))
}

// nextSeq returns the next MS-SEQUENCE-NUMBER value.
func (s *turnSession) nextSeq() []byte {
	v := synth.MSSequenceNumber(s.connID, s.seq)
	s.seq++
	return v
}

// allocateNoAuth returns the first Allocate request, without credentials,
// and the server's 401 carrying NONCE, REALM and ALTERNATE-SERVER.
func (s *turnSession) allocateNoAuth() (req, resp []byte) {
	id := s.txid()
	req = synth.NewMsg(synth.TypeAllocateRequest, id, true).
		Add(synth.AttrMSVersion, synth.U32(s.version)).Bytes()
	resp = synth.NewMsg(synth.TypeAllocateError, id, true).
		AddErrorCode(401, "Unauthorized").
		Add(synth.AttrMSNonce, []byte(s.nonce)).
		Add(synth.AttrMSRealm, []byte(s.realm)).
		AddAddr(synth.AttrMSAlternateServer, s.server).
		Add(synth.AttrMSVersion, synth.U32(s.version)).Bytes()
	return req, resp
}

// allocateAuth returns the authenticated Allocate and its success response
// with the relayed MAPPED-ADDRESS, the reflexive 0x8020 address, LIFETIME,
// MS-SEQUENCE-NUMBER and, when multiplexed, MULTIPLEXED-TURN-SESSION-ID.
func (s *turnSession) allocateAuth(stream uint16) (req, resp []byte) {
	id := s.txid()
	m := synth.NewMsg(synth.TypeAllocateRequest, id, true).
		Add(synth.AttrMSVersion, synth.U32(s.version))
	req = s.withCreds(m).
		Add(synth.AttrMSServiceQuality, synth.MSServiceQuality(stream, synth.MSServiceBestEffort)).
		AddIntegrity(s.key()).Bytes()
	r := synth.NewMsg(synth.TypeAllocateSuccess, id, true).
		Add(synth.AttrMSVersion, synth.U32(s.version)).
		AddAddr(synth.AttrMappedAddress, s.relayed).
		AddXORAddr(synth.AttrMSXORMappedAddress, s.reflexive).
		Add(synth.AttrLifetime, synth.U32(480)).
		Add(synth.AttrMSSequenceNumber, synth.MSSequenceNumber(s.connID, 0))
	if s.muxSession != 0 {
		r.Add(synth.AttrMultiplexedTURNSessionID, synth.U64(s.muxSession))
	}
	return req, r.AddIntegrity(s.key()).Bytes()
}

// send returns an MS-TURN Send request (0x0004) carrying data to dst in
// DESTINATION-ADDRESS and DATA; it has no response (MS-REFERENCE §1.2).
func (s *turnSession) send(dst synth.Endpoint, data []byte) []byte {
	m := s.withCreds(synth.NewMsg(synth.TypeMSSendRequest, s.txid(), true))
	return m.Add(synth.AttrMSSequenceNumber, s.nextSeq()).
		AddAddr(synth.AttrDestinationAddress, dst).
		Add(synth.AttrData, data).
		AddIntegrity(s.key()).Bytes()
}

// dataIndication returns a Data Indication (0x0115) carrying data from the
// peer at remote in REMOTE-ADDRESS and DATA.
func (s *turnSession) dataIndication(remote synth.Endpoint, data []byte) []byte {
	return synth.NewMsg(synth.TypeMSDataIndication, s.txid(), true).
		AddAddr(synth.AttrRemoteAddress, remote).
		Add(synth.AttrData, data).Bytes()
}

// setActiveDestination returns a Set Active Destination request (0x0006)
// for dst and its success response (0x0106).
func (s *turnSession) setActiveDestination(dst synth.Endpoint) (req, resp []byte) {
	id := s.txid()
	m := s.withCreds(synth.NewMsg(synth.TypeMSSetActiveDestRequest, id, true))
	req = m.Add(synth.AttrMSSequenceNumber, s.nextSeq()).
		AddAddr(synth.AttrDestinationAddress, dst).
		AddIntegrity(s.key()).Bytes()
	resp = synth.NewMsg(synth.TypeMSSetActiveDestSuccess, id, true).
		AddIntegrity(s.key()).Bytes()
	return req, resp
}

// deallocate returns the Allocate with LIFETIME 0 that releases the
// allocation and its success response.
func (s *turnSession) deallocate() (req, resp []byte) {
	id := s.txid()
	m := synth.NewMsg(synth.TypeAllocateRequest, id, true).
		Add(synth.AttrMSVersion, synth.U32(s.version))
	req = s.withCreds(m).
		Add(synth.AttrLifetime, synth.U32(0)).
		Add(synth.AttrMSSequenceNumber, s.nextSeq()).
		AddIntegrity(s.key()).Bytes()
	resp = synth.NewMsg(synth.TypeAllocateSuccess, id, true).
		Add(synth.AttrLifetime, synth.U32(0)).
		AddIntegrity(s.key()).Bytes()
	return req, resp
}

// iceAgent holds one side's MS-ICE2 credentials (RFC 5245 ice-ufrag and
// ice-pwd) and candidate foundation.
type iceAgent struct {
	ufrag, pwd, foundation string
	tieBreaker             uint64
	controlling            bool
}

// check returns an MS-ICE2 Binding request from a to b (MS-REFERENCE §2.4):
// cookie in the transaction ID, USERNAME "remote:local" NUL-padded,
// PRIORITY, ICE-CONTROLLING or ICE-CONTROLLED, USE-CANDIDATE when
// nominating, CANDIDATE-IDENTIFIER, MS-IMPLEMENTATION-VERSION 2,
// MESSAGE-INTEGRITY with b's password, and FINGERPRINT (legacy CRC when
// legacy is set).
func check(seed string, a, b iceAgent, prio uint32, nominate, legacy bool) ([]byte, [16]byte) {
	id := synth.NewTxID(seed, true)
	role := uint16(synth.AttrICEControlled)
	if a.controlling {
		role = synth.AttrICEControlling
	}
	m := synth.NewMsg(synth.TypeBindingRequest, id, false).
		Add(synth.AttrUsername, synth.PadNUL(b.ufrag+":"+a.ufrag)).
		Add(synth.AttrPriority, synth.U32(prio)).
		Add(role, synth.U64(a.tieBreaker))
	if nominate {
		m.Add(synth.AttrUseCandidate, nil)
	}
	m.Add(synth.AttrCandidateIdentifier, synth.PadNUL(a.foundation)).
		Add(synth.AttrMSImplementationVersion, synth.U32(2)).
		AddIntegrity([]byte(b.pwd))
	if legacy {
		return m.AddMSLegacyFingerprint().Bytes(), id
	}
	return m.AddFingerprint().Bytes(), id
}

// checkPair returns a check and its legacy-FINGERPRINT duplicate (same
// transaction, MS-REFERENCE §2.4). The legacy CRC differs from the standard
// one only when the faulty table entry is used, so the seed is extended
// until the two FINGERPRINT values differ, as they do on the wire whenever
// the duplicate is distinguishable.
func checkPair(seed string, a, b iceAgent, prio uint32, nominate bool) (req, dup []byte, id [16]byte) {
	for n := 0; ; n++ {
		s := fmt.Sprintf("%s#%d", seed, n)
		req, id = check(s, a, b, prio, nominate, false)
		dup, _ = check(s, a, b, prio, nominate, true)
		if string(req) != string(dup) {
			return req, dup, id
		}
	}
}

// checkResponse returns the Binding success response of responder b to a
// check with transaction ID id, reporting the request's source as mapped.
func checkResponse(id [16]byte, b iceAgent, mapped synth.Endpoint) []byte {
	return synth.NewMsg(synth.TypeBindingSuccess, id, false).
		AddXORAddr(synth.AttrXORMappedAddress, mapped).
		Add(synth.AttrMSImplementationVersion, synth.U32(2)).
		AddIntegrity([]byte(b.pwd)).
		AddFingerprint().Bytes()
}

// rtpStream numbers the packets of one RTP stream.
type rtpStream struct {
	pt      uint8
	ssrc    uint32
	seq     uint16
	ts      uint32
	tsStep  uint32
	payload int
	sent    uint32
}

// next returns the stream's next packet.
func (r *rtpStream) next() []byte {
	p := synth.RTP(r.pt, r.seq, r.ts, r.ssrc, r.payload)
	r.seq++
	r.ts += r.tsStep
	r.sent++
	return p
}

// Credentials and agents shared by the MS-TURN stories.
var (
	aliceICE = iceAgent{ufrag: "Hq3b", pwd: "x9R2Vb8TnQp4Lz7KwYc1Fd6S", foundation: "3", tieBreaker: 0x5A17C0DE5A17C0DE, controlling: true}
	bobICE   = iceAgent{ufrag: "k7Pd", pwd: "3GsTq8XvNm2LyR5bWcH9Jf0A", foundation: "1", tieBreaker: 0x0B0BCAFE0B0BCAFE}
)

// mrasUser is an opaque MRAS-issued TURN user name (MS-REFERENCE §1.4).
const (
	mrasUser     = "AgAAJFDyZ0cB2rhMmYlNVZbJ2tp1CMs9dHu8LqQJNpoAAAAAmq3k0g=="
	mrasPassword = "Wm9vYmFyQmF6UXV4TXJhc1Bhc3N3b3Jk"
	msRealm      = "SIP Communications Service"
	msNonce      = "c4f8e0a6b2d94e1f8a7c3b5d6e9f0a1b"
)
