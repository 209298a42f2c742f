package wire

import "encoding/binary"

// Op is the operation of a STUN/TURN/MS-TURN message, resolved from method
// and dialect (RFC 8489 §18.2, RFC 8656 §17, RFC 6062 §6.1, MS-TURN 2.2.1).
type Op uint8

// Operations.
const (
	OpUnknown              Op = iota
	OpBinding                 // 0x001 (RFC 8489)
	OpAllocate                // 0x003 (RFC 8656, MS-TURN)
	OpRefresh                 // 0x004 in RFC 8656
	OpSend                    // RFC 8656 Send indication 0x0016; MS-TURN Send request 0x0004
	OpData                    // RFC 8656 Data indication 0x0017; MS-TURN Data Indication 0x0115
	OpCreatePermission        // 0x008 (RFC 8656)
	OpChannelBind             // 0x009 (RFC 8656)
	OpConnect                 // 0x00A (RFC 6062)
	OpConnectionBind          // 0x00B (RFC 6062)
	OpConnectionAttempt       // 0x00C (RFC 6062)
	OpSetActiveDestination    // MS-TURN 0x0006/0x0106/0x0116
)

// MS-TURN message types that the RFC method/class split misreads
// (MS-TURN 2.2.1, MS-REFERENCE §1.2).
const (
	typeMSSend           = 0x0004
	typeMSDataIndication = 0x0115
	typeMSSetActiveReq   = 0x0006
	typeMSSetActiveResp  = 0x0106
	typeMSSetActiveErr   = 0x0116
)

// STUN methods (RFC 8489 §18.2, RFC 8656 §17, RFC 6062 §6.1).
const (
	methodBinding          = 0x001
	methodAllocate         = 0x003
	methodRefresh          = 0x004
	methodSend             = 0x006
	methodData             = 0x007
	methodCreatePermission = 0x008
	methodChannelBind      = 0x009
	methodConnect          = 0x00A
	methodConnectionBind   = 0x00B
	methodConnAttempt      = 0x00C
)

// detectDialect applies MS-REFERENCE §1.3 in order: the MAGIC-COOKIE
// attribute first, then the MS-only message types, then the header cookie.
func detectDialect(b []byte) Dialect {
	if hasMSCookieAttr(b) {
		return DialectMSTURN
	}
	switch binary.BigEndian.Uint16(b[0:2]) {
	case typeMSDataIndication, typeMSSetActiveReq, typeMSSetActiveResp, typeMSSetActiveErr:
		return DialectMSTURN
	}
	if binary.BigEndian.Uint32(b[4:8]) == MagicCookie {
		return DialectRFC5389
	}
	return DialectClassic
}

// operation maps a message to its Op and corrects the class of the MS Data
// Indication 0x0115, which is an indication although its bits read as an
// error response of method 5 (MS-REFERENCE §1.2).
func operation(t, method uint16, class Class, d Dialect) (Op, Class) {
	if d == DialectMSTURN {
		switch {
		case t == typeMSDataIndication:
			return OpData, ClassIndication
		case method == methodRefresh:
			return OpSend, class
		case method == methodSend && class != ClassIndication:
			return OpSetActiveDestination, class
		}
	}
	return rfcOp(method), class
}

// rfcOp maps an RFC method number to its Op.
func rfcOp(method uint16) Op {
	switch method {
	case methodBinding:
		return OpBinding
	case methodAllocate:
		return OpAllocate
	case methodRefresh:
		return OpRefresh
	case methodSend:
		return OpSend
	case methodData:
		return OpData
	case methodCreatePermission:
		return OpCreatePermission
	case methodChannelBind:
		return OpChannelBind
	case methodConnect:
		return OpConnect
	case methodConnectionBind:
		return OpConnectionBind
	case methodConnAttempt:
		return OpConnectionAttempt
	}
	return OpUnknown
}

// knownClassicType reports message types a cookie-less (RFC 3489 or legacy
// MS-TURN) peer sends: Binding and Shared Secret (RFC 3489 §11.1) and the
// MS-TURN types of MS-TURN 2.2.1.
func knownClassicType(t uint16) bool {
	switch t {
	case 0x0001, 0x0101, 0x0111, 0x0002, 0x0102, 0x0112,
		0x0003, 0x0103, 0x0113, 0x0004, 0x0104, 0x0114,
		typeMSDataIndication, typeMSSetActiveReq, typeMSSetActiveResp, typeMSSetActiveErr:
		return true
	}
	return false
}

// MS-TURN attribute wire values (MS-TURN 2.2.2, MS-ICE2 2.2.2).
const (
	attrMSMagicCookie        = 0x000F
	attrMSAlternateServer    = 0x000E
	attrMSBandwidth          = 0x0010
	attrMSDestination        = 0x0011
	attrMSRemoteAddress      = 0x0012
	attrMSNonce              = 0x0014
	attrMSRealm              = 0x0015
	attrMSVersion            = 0x8008
	attrMSXORMapped          = 0x8020
	attrMSSequenceNumber     = 0x8050
	attrMSCandidateID        = 0x8054
	attrMSServiceQuality     = 0x8055
	attrMSImplVersion        = 0x8070
	attrMSAltMapped          = 0x8090
	attrMSMuxTURNSessionID   = 0x8095
	attrMSUnknown8006        = 0x8006
	attrMSAppID              = 0x8037
	attrMSAlternateHostName  = 0x8032
	attrMSSecureTag          = 0x8039
	attrMSBandwidthAdmission = 0x8056
)

// interpretMS decodes the MS-only attributes (MS-TURN 2.2.2, MS-ICE2
// 2.2.2); it reports whether t was one of them.
func (m *STUN) interpretMS(t uint16, v []byte) bool {
	switch t {
	case attrMSVersion:
		m.MSVersion, m.HasMSVersion = u32(v)
	case attrMSImplVersion:
		m.MSImplVersion, m.HasMSImplVersion = u32(v)
	case attrMSBandwidth:
		m.Bandwidth, _ = u32(v)
	case attrMSCandidateID:
		m.MSCandidateID = v
	case attrMSServiceQuality:
		if len(v) >= 4 {
			m.MSStreamType = binary.BigEndian.Uint16(v[0:2])
			m.MSServiceQuality = binary.BigEndian.Uint16(v[2:4])
		}
	case attrMSMuxTURNSessionID:
		if len(v) == 8 {
			m.MSMuxSessionID, m.HasMSMuxSession = binary.BigEndian.Uint64(v), true
		}
	case attrMSAltMapped:
		m.MSAltMapped = plainAddr(v)
	case attrMSAlternateServer:
		m.AlternateServer = plainAddr(v)
	default:
		return false
	}
	return true
}

// u32 reads a 4-byte big-endian value.
func u32(v []byte) (uint32, bool) {
	if len(v) < 4 {
		return 0, false
	}
	return binary.BigEndian.Uint32(v), true
}
