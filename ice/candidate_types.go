package ice

import "strings"

// CandType is a candidate type (RFC 8445 §5.1.1, cand-type in §5.1 of RFC
// 8839). ICE draft-06 lines (MS-ICE v1) carry no type: Unknown.
type CandType uint8

// Candidate types. Unknown is the zero value.
const (
	Unknown CandType = iota // no or unrecognised "typ" value
	Host                    // "host": an address of a local interface
	Srflx                   // "srflx": server reflexive, learnt from STUN
	Prflx                   // "prflx": peer reflexive, learnt from a check
	Relay                   // "relay": a TURN / MS-TURN relayed address
)

// String returns the SDP token ("host", "srflx", ...) or "unknown".
func (t CandType) String() string {
	switch t {
	case Host:
		return "host"
	case Srflx:
		return "srflx"
	case Prflx:
		return "prflx"
	case Relay:
		return "relay"
	}
	return "unknown"
}

// parseCandType maps an RFC 8839 §5.1 cand-type token to a CandType.
func parseCandType(s string) CandType {
	switch strings.ToLower(s) {
	case "host":
		return Host
	case "srflx":
		return Srflx
	case "prflx":
		return Prflx
	case "relay":
		return Relay
	}
	return Unknown
}

// Transport is a candidate's transport protocol (RFC 8445 §5.1; TCP per
// RFC 6544 and Microsoft's TCP-ACT/TCP-PASS, MS-REFERENCE §2.3).
type Transport uint8

// Transports.
const (
	UDP Transport = iota
	TCP
)

// String returns "UDP" or "TCP".
func (t Transport) String() string {
	if t == TCP {
		return "TCP"
	}
	return "UDP"
}

// TCPType is the role of a TCP candidate (RFC 6544 §4.5 tcptype, or the
// Microsoft transport tokens TCP-ACT and TCP-PASS).
type TCPType uint8

// TCP candidate roles. TCPNone is used for UDP and for draft-06 TCP
// candidates, which are both active and passive (MS-REFERENCE §2.2).
const (
	TCPNone    TCPType = iota
	TCPActive          // tcptype active / TCP-ACT: opens connections
	TCPPassive         // tcptype passive / TCP-PASS: accepts connections
	TCPSO              // tcptype so: simultaneous open
)

// String returns the RFC 6544 token ("active", "passive", "so") or "".
func (t TCPType) String() string {
	switch t {
	case TCPActive:
		return "active"
	case TCPPassive:
		return "passive"
	case TCPSO:
		return "so"
	}
	return ""
}

// parseTCPType maps an RFC 6544 §4.5 tcptype value.
func parseTCPType(s string) (TCPType, bool) {
	switch strings.ToLower(s) {
	case "active":
		return TCPActive, true
	case "passive":
		return TCPPassive, true
	case "so":
		return TCPSO, true
	}
	return TCPNone, false
}

// parseTransport maps a transport token: RFC 8445 "UDP", RFC 6544 "TCP"
// and the Microsoft MS-ICE2 tokens "TCP-ACT" / "TCP-PASS"; ms reports the
// latter.
func parseTransport(s string) (tr Transport, tt TCPType, ms, ok bool) {
	switch strings.ToUpper(s) {
	case "UDP":
		return UDP, TCPNone, false, true
	case "TCP":
		return TCP, TCPNone, false, true
	case "TCP-ACT":
		return TCP, TCPActive, true, true
	case "TCP-PASS":
		return TCP, TCPPassive, true, true
	}
	return UDP, TCPNone, false, false
}

// Form is the dialect a candidate line or a check username was written in.
type Form uint8

// Candidate dialects.
const (
	// FormRFC5245 is RFC 5245 §15.1 / RFC 8445 §5.1 (WebRTC, Lync ICE v19).
	FormRFC5245 Form = iota
	// FormMSICE2 is the Microsoft MS-ICE2 variant: TCP-ACT/TCP-PASS
	// transports or a=x-candidate-ipv6 (MS-REFERENCE §2.3).
	FormMSICE2
	// FormDraft6 is ICE draft-06 (MS-ICE v1, OCS 2007): credentials and a
	// q-value inside each candidate line (MS-REFERENCE §2.2).
	FormDraft6
)

// String returns "RFC5245", "MS-ICE2" or "draft-06".
func (f Form) String() string {
	switch f {
	case FormMSICE2:
		return "MS-ICE2"
	case FormDraft6:
		return "draft-06"
	}
	return "RFC5245"
}

// Ext is one extension attribute of a candidate line (RFC 8839 §5.1
// extension-att-name / extension-att-value) that the grammar does not
// decode into a field of Candidate.
type Ext struct {
	Name, Value string
}
