package wire

// opNames are the operation names used in message names.
var opNames = [...]string{
	OpUnknown:              "Unknown",
	OpBinding:              "Binding",
	OpAllocate:             "Allocate",
	OpRefresh:              "Refresh",
	OpSend:                 "Send",
	OpData:                 "Data",
	OpCreatePermission:     "CreatePermission",
	OpChannelBind:          "ChannelBind",
	OpConnect:              "Connect",
	OpConnectionBind:       "ConnectionBind",
	OpConnectionAttempt:    "ConnectionAttempt",
	OpSetActiveDestination: "Set Active Destination",
}

var classNames = [...]string{
	ClassRequest:    "Request",
	ClassIndication: "Indication",
	ClassSuccess:    "Success Response",
	ClassError:      "Error Response",
}

// messageNames holds "<op> <class>" for every Op and Class, built once so
// that Name does not allocate.
var messageNames = func() (t [len(opNames)][4]string) {
	for op := range opNames {
		for c := range classNames {
			t[op][c] = opNames[op] + " " + classNames[c]
		}
	}
	return t
}()

// String returns the operation name, e.g. "Allocate".
func (o Op) String() string {
	if int(o) < len(opNames) {
		return opNames[o]
	}
	return opNames[OpUnknown]
}

// String returns the class name, e.g. "Success Response".
func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return "Unknown"
}

// Name returns the message name, such as "Binding Request", "Allocate Error
// Response", "Send Request" (MS-TURN 0x0004) or "Data Indication" (MS-TURN
// 0x0115). It does not allocate.
func (m *STUN) Name() string {
	if int(m.Op) < len(messageNames) && int(m.Class) < 4 {
		return messageNames[m.Op][m.Class]
	}
	return "Unknown"
}

// attrNames are the attribute names shared by all dialects (RFC 8489 §18.3,
// RFC 8656 §18, RFC 8445 §16.1, RFC 5780 §7, RFC 6062 §6.2, RFC 3489 §11.2,
// MS-TURN 2.2.2, MS-ICE2 2.2.2, MS-TURNBWM 2.2); see MS-REFERENCE §1.4.
var attrNames = map[uint16]string{
	0x0001: "MAPPED-ADDRESS",
	0x0002: "RESPONSE-ADDRESS",
	0x0003: "CHANGE-REQUEST",
	0x0004: "SOURCE-ADDRESS",
	0x0005: "CHANGED-ADDRESS",
	0x0006: "USERNAME",
	0x0007: "PASSWORD",
	0x0008: "MESSAGE-INTEGRITY",
	0x0009: "ERROR-CODE",
	0x000A: "UNKNOWN-ATTRIBUTES",
	0x000B: "REFLECTED-FROM",
	0x000C: "CHANNEL-NUMBER",
	0x000D: "LIFETIME",
	0x0013: "DATA",
	0x0016: "XOR-RELAYED-ADDRESS",
	0x0017: "REQUESTED-ADDRESS-FAMILY",
	0x0018: "EVEN-PORT",
	0x0019: "REQUESTED-TRANSPORT",
	0x001A: "DONT-FRAGMENT",
	0x001C: "MESSAGE-INTEGRITY-SHA256",
	0x001D: "PASSWORD-ALGORITHM",
	0x001E: "USERHASH",
	0x0020: "XOR-MAPPED-ADDRESS",
	0x0022: "RESERVATION-TOKEN",
	0x0024: "PRIORITY",
	0x0025: "USE-CANDIDATE",
	0x0026: "PADDING",
	0x0027: "RESPONSE-PORT",
	0x002A: "CONNECTION-ID",
	0x8000: "ADDITIONAL-ADDRESS-FAMILY",
	0x8001: "ADDRESS-ERROR-CODE",
	0x8002: "PASSWORD-ALGORITHMS",
	0x8003: "ALTERNATE-DOMAIN",
	0x8004: "ICMP",
	0x8006: "MS-TURN-UNKNOWN-8006",
	0x8008: "MS-VERSION",
	0x8020: "XOR-MAPPED-ADDRESS-MS",
	0x8022: "SOFTWARE",
	0x8023: "ALTERNATE-SERVER",
	0x8028: "FINGERPRINT",
	0x8029: "ICE-CONTROLLED",
	0x802A: "ICE-CONTROLLING",
	0x802B: "RESPONSE-ORIGIN",
	0x802C: "OTHER-ADDRESS",
	0x8032: "MS-ALTERNATE-HOST-NAME",
	0x8037: "MS-APP-ID",
	0x8039: "MS-SECURE-TAG",
	0x8050: "MS-SEQUENCE-NUMBER",
	0x8054: "CANDIDATE-IDENTIFIER",
	0x8055: "MS-SERVICE-QUALITY",
	0x8056: "BANDWIDTH-ADMISSION-CONTROL",
	0x8057: "BANDWIDTH-RESERVATION-IDENTIFIER",
	0x8058: "BANDWIDTH-RESERVATION-AMOUNT",
	0x8059: "REMOTE-SITE-ADDRESS",
	0x805A: "REMOTE-RELAY-SITE-ADDRESS",
	0x805B: "LOCAL-SITE-ADDRESS",
	0x805C: "LOCAL-RELAY-SITE-ADDRESS",
	0x805D: "REMOTE-SITE-ADDRESS-RESPONSE",
	0x805E: "REMOTE-RELAY-SITE-ADDRESS-RESPONSE",
	0x805F: "LOCAL-SITE-ADDRESS-RESPONSE",
	0x8060: "LOCAL-RELAY-SITE-ADDRESS-RESPONSE",
	0x8061: "SIP-DIALOG-ID",
	0x8062: "SIP-CALL-ID",
	0x8068: "LOCATION-PROFILE",
	0x8070: "MS-IMPLEMENTATION-VERSION",
	0x8090: "MS-ALTERNATE-MAPPED-ADDRESS",
	0x8095: "MULTIPLEXED-TURN-SESSION-ID",
}

// AttrName returns the name of attribute type t in dialect d, or "" when
// the type is unknown. MS-TURN numbers differ from the RFC registry for
// 0x000E-0x0015 (MS-REFERENCE §1.3 rule 4, §1.4): NONCE is 0x0014 and REALM
// 0x0015 in MS-TURN, the reverse of RFC 8489.
func AttrName(t uint16, d Dialect) string {
	if n := dialectAttrName(t, d); n != "" {
		return n
	}
	return attrNames[t]
}

func dialectAttrName(t uint16, d Dialect) string {
	ms := d == DialectMSTURN
	switch t {
	case 0x000E:
		return "ALTERNATE-SERVER-MS"
	case 0x000F:
		return "MAGIC-COOKIE"
	case 0x0010:
		return "BANDWIDTH"
	case 0x0011:
		return "DESTINATION-ADDRESS"
	case 0x0012:
		return pick(ms, "REMOTE-ADDRESS", "XOR-PEER-ADDRESS")
	case 0x0014:
		return pick(ms, "NONCE", "REALM")
	case 0x0015:
		return pick(ms, "REALM", "NONCE")
	}
	return ""
}

func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}
