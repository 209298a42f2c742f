package ice

// PriorityParts is a candidate priority split into its RFC 8445 §5.1.2.1
// terms: priority = 2^24*TypePref + 2^8*LocalPref + (256 - Component).
type PriorityParts struct {
	TypePref  int // 0-126; RFC 8445 recommends host 126, prflx 110, srflx 100, relay 0
	LocalPref int // 0-65535
	Component int // 1-256
}

// SplitPriority splits a candidate or PRIORITY-attribute value into its
// RFC 8445 §5.1.2.1 terms. Lync's priorities follow the same formula
// (MS-REFERENCE §2.3); its table gives type preference 11 for the UDP relay
// priority 184547839, but 0x0AFFF9FF splits into 10, 65529, 1.
func SplitPriority(p uint32) PriorityParts {
	return PriorityParts{
		TypePref:  int(p >> 24),
		LocalPref: int(p >> 8 & 0xFFFF),
		Component: 256 - int(p&0xFF),
	}
}

// Priority joins the terms back into a priority (RFC 8445 §5.1.2.1).
// Out-of-range terms are truncated to their bit widths.
func (pp PriorityParts) Priority() uint32 {
	return uint32(pp.TypePref&0xFF)<<24 | uint32(pp.LocalPref&0xFFFF)<<8 |
		uint32((256-pp.Component)&0xFF)
}
