package synth

import (
	"encoding/binary"
)

// Magic values of the two STUN dialects.
const (
	// MagicCookie is the RFC 5389 §6 header cookie 0x2112A442.
	MagicCookie = 0x2112A442
	// MSMagicCookie is the value of the MS-TURN MAGIC-COOKIE attribute
	// (MS-TURN 2.2.2.8), which must be the first attribute of every MS-TURN
	// message.
	MSMagicCookie = 0x72C64BC6
	// fingerprintXOR is XORed into the CRC-32 of FINGERPRINT (RFC 5389 §15.5).
	fingerprintXOR = 0x5354554E
)

// STUN/TURN message types. Binding types are RFC 5389 §6; Allocate, Send,
// Data Indication and Set Active Destination are the MS-TURN 2.2.1 values
// (draft-rosenberg-midcom-turn-08 numbering, MS-REFERENCE §1.2).
const (
	TypeBindingRequest         = 0x0001
	TypeBindingSuccess         = 0x0101
	TypeBindingError           = 0x0111
	TypeAllocateRequest        = 0x0003
	TypeAllocateSuccess        = 0x0103
	TypeAllocateError          = 0x0113
	TypeMSSendRequest          = 0x0004
	TypeMSDataIndication       = 0x0115
	TypeMSSetActiveDestRequest = 0x0006
	TypeMSSetActiveDestSuccess = 0x0106
	TypeMSSetActiveDestError   = 0x0116
	TypeRFCSendIndication      = 0x0016 // RFC 5766 §13
	TypeRFCDataIndication      = 0x0017 // RFC 5766 §13
)

// STUN/TURN attribute types. Values up to 0x0015 follow the MS-TURN 2.2.2
// list (so NONCE is 0x0014 and REALM 0x0015, swapped against RFC 5389); the
// RFC 5389 numbering is given by AttrRFCRealm and AttrRFCNonce. ICE
// attributes are RFC 8445 §16.1; MS additions are MS-TURN 2.2.2.x and
// MS-ICE2 (MS-REFERENCE §1.4).
const (
	AttrMappedAddress            = 0x0001
	AttrUsername                 = 0x0006
	AttrMessageIntegrity         = 0x0008
	AttrErrorCode                = 0x0009
	AttrUnknownAttributes        = 0x000A
	AttrLifetime                 = 0x000D
	AttrMSAlternateServer        = 0x000E
	AttrMagicCookie              = 0x000F
	AttrBandwidth                = 0x0010
	AttrDestinationAddress       = 0x0011
	AttrRemoteAddress            = 0x0012
	AttrData                     = 0x0013
	AttrMSNonce                  = 0x0014
	AttrMSRealm                  = 0x0015
	AttrRFCRealm                 = 0x0014
	AttrRFCNonce                 = 0x0015
	AttrXORPeerAddress           = 0x0012 // RFC 5766 §14.3
	AttrXORRelayedAddress        = 0x0016 // RFC 5766 §14.5
	AttrXORMappedAddress         = 0x0020
	AttrPriority                 = 0x0024
	AttrUseCandidate             = 0x0025
	AttrMSVersion                = 0x8008
	AttrMSXORMappedAddress       = 0x8020
	AttrSoftware                 = 0x8022
	AttrFingerprint              = 0x8028
	AttrICEControlled            = 0x8029
	AttrICEControlling           = 0x802A
	AttrMSSequenceNumber         = 0x8050
	AttrCandidateIdentifier      = 0x8054
	AttrMSServiceQuality         = 0x8055
	AttrMSImplementationVersion  = 0x8070
	AttrMSAlternateMappedAddress = 0x8090
	AttrMultiplexedTURNSessionID = 0x8095
)

// MS-VERSION values (MS-TURN 2.2.2.17, MS-REFERENCE §1.6).
const (
	MSVersionICE            = 1
	MSVersionICE2           = 2
	MSVersionICE2SHA256     = 3
	MSVersionICE2IPv6       = 4
	MSVersionMuxUDP         = 5
	MSVersionMuxUDPAndTCP   = 6
	MSStreamAudio           = 1 // MS-SERVICE-QUALITY stream types (MS-TURN 2.2.2.x)
	MSStreamVideo           = 2
	MSServiceBestEffort     = 0
	MSServiceReliable       = 1
	msSequenceConnectionLen = 20
)

// U32 returns v as 4 big-endian bytes, the value of LIFETIME, PRIORITY,
// MS-VERSION and similar attributes.
func U32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// U64 returns v as 8 big-endian bytes, the value of ICE-CONTROLLING,
// ICE-CONTROLLED and MULTIPLEXED-TURN-SESSION-ID.
func U64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// MSSequenceNumber returns an MS-SEQUENCE-NUMBER value (MS-TURN 2.2.2.21): a
// 20-byte connection ID followed by a 32-bit sequence number.
func MSSequenceNumber(connID [20]byte, seq uint32) []byte {
	return binary.BigEndian.AppendUint32(append([]byte(nil), connID[:]...), seq)
}

// MSServiceQuality returns an MS-SERVICE-QUALITY value (MS-TURN
// MS-Service Quality): stream type then service quality, 16 bits each.
func MSServiceQuality(stream, quality uint16) []byte {
	return binary.BigEndian.AppendUint16(binary.BigEndian.AppendUint16(nil, stream), quality)
}

// PadNUL returns s NUL-padded to a multiple of 4 bytes, the form MS-ICE2
// uses for USERNAME and CANDIDATE-IDENTIFIER (MS-REFERENCE §2.4).
func PadNUL(s string) []byte {
	b := []byte(s)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}
