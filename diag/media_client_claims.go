package diag

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/icediag/icediag/ice"
	"github.com/icediag/icediag/sipflow"
)

// iceWarnClaim sets one ICEWarn bit (MS-REFERENCE §3.4 Table A) against
// the allocations, the pseudo-TLS handshakes and the checks of the call.
func (in *Input) iceWarnClaim(c *sipflow.Call, bit sipflow.ICEWarnBit) claim {
	what := fmt.Sprintf("ICEWarn 0x%x %s", bit.Bit, bit.Meaning)
	switch bit.Bit {
	case 0x1:
		return allocClaim(what, in.ICE.Allocations, func(*ice.Allocation) bool { return true })
	case 0x2:
		return allocClaim(what, in.ICE.Allocations, func(a *ice.Allocation) bool { return a.Transport == "UDP" })
	case 0x8:
		return allocClaim(what, in.ICE.Allocations, func(a *ice.Allocation) bool { return a.Transport != "UDP" })
	case 0x4000:
		return authClaim(what, in.ICE.Allocations)
	case 0x800000:
		return in.pseudoTLSClaim(what)
	case 0x400:
		return in.checkCodeClaim(what, c, 401, 431)
	case 0x20, 0x40, 0x80, 0x100, 0x200:
		return in.pathClaim(what, c, bit.Bit)
	}
	return claim{what, verdictNotVisible, "packets do not show this"}
}

// allocClaim: the client says allocations of this kind failed.
func allocClaim(what string, as []*ice.Allocation, keep func(*ice.Allocation) bool) claim {
	seen, failedN := 0, 0
	for _, a := range as {
		if !keep(a) || a.Attempts == 0 {
			continue
		}
		seen++
		if a.State == "allocated" || a.State == "deallocated" {
			return claim{what, verdictContradict, fmt.Sprintf("allocation %s on %s %s succeeded", a.ID, a.Transport, a.Server)}
		}
		failedN++
	}
	if seen == 0 {
		return claim{what, verdictNotVisible, "no such Allocate in the capture"}
	}
	return claim{what, verdictAgrees, fmt.Sprintf("%s without success", plural(failedN, "allocation"))}
}

func authClaim(what string, as []*ice.Allocation) claim {
	ok := ""
	for _, a := range as {
		if len(a.AuthFailures) > 0 {
			return claim{what, verdictAgrees, fmt.Sprintf("%s rejected credentials with %d", a.Server, a.AuthFailures[0].Code)}
		}
		if a.State == "allocated" && ok == "" {
			ok = a.Server.String()
		}
	}
	if ok != "" {
		return claim{what, verdictContradict, ok + " accepted the credentials"}
	}
	return claim{what, verdictNotVisible, "no authenticated Allocate in the capture"}
}

func (in *Input) pseudoTLSClaim(what string) claim {
	keys := in.Wire.keysOf(KindPseudoTLS)
	if len(keys) == 0 {
		return claim{what, verdictNotVisible, "no pseudo-TLS handshake in the capture"}
	}
	if len(pseudoTLSIntercepted(in)) > 0 {
		return claim{what, verdictAgrees, "a pseudo-TLS hello got no pseudo-TLS answer"}
	}
	return claim{what, verdictContradict, "the pseudo-TLS handshake completed"}
}

func (in *Input) checkCodeClaim(what string, c *sipflow.Call, codes ...uint16) claim {
	checks := 0
	for _, s := range in.ICE.Sessions {
		if s.CallID != c.CallID {
			continue
		}
		checks += len(s.Checks)
		if bad := errorChecks(s, codes...); len(bad) > 0 {
			return claim{what, verdictAgrees, fmt.Sprintf("check to %s answered with %d", bad[0].Remote, bad[0].ErrorCode)}
		}
	}
	if checks == 0 {
		return claim{what, verdictNotVisible, "no checks of this call in the capture"}
	}
	return claim{what, verdictContradict, fmt.Sprintf("none of %s got such an error", plural(checks, "check"))}
}

// pathClaim checks a connectivity-failure bit against the pairs of the
// call: 0x20 host, 0x40 UDP NAT (srflx), 0x80 UDP relay, 0x100 TCP NAT,
// 0x200 TCP relay.
func (in *Input) pathClaim(what string, c *sipflow.Call, bit uint32) claim {
	tried, okPair := 0, ""
	for _, s := range in.ICE.Sessions {
		if s.CallID != c.CallID {
			continue
		}
		for _, p := range s.Pairs {
			if p.State == ice.PairNeverTried || !pairMatchesBit(in, s, p, bit) {
				continue
			}
			tried++
			if p.State == ice.PairSucceeded && okPair == "" {
				okPair = pairText(s, p)
			}
		}
	}
	switch {
	case tried == 0:
		return claim{what, verdictNotVisible, "no such pair was checked in the capture"}
	case okPair != "":
		return claim{what, verdictContradict, okPair + " succeeded"}
	}
	return claim{what, verdictAgrees, fmt.Sprintf("%s of this kind failed", plural(tried, "pair"))}
}

func pairMatchesBit(in *Input, s *ice.Session, p *ice.Pair, bit uint32) bool {
	l, _ := pairEnds(s, p)
	relay := in.pairAllocation(s, p) != nil || (l != nil && l.Type == "relay")
	udp := p.Transport == "UDP"
	switch bit {
	case 0x20:
		return udp && l != nil && l.Type == "host"
	case 0x40:
		return udp && !relay && l != nil && (l.Type == "srflx" || l.Type == "prflx")
	case 0x80:
		return udp && relay
	case 0x100:
		return !udp && !relay
	}
	return !udp && relay
}

// relayClaim checks a LocalMR/RemoteMR address against the relays seen.
func (in *Input) relayClaim(mr string) claim {
	what := "media relay " + mr
	a, err := parseHost(strings.TrimSpace(mr))
	if err != nil {
		return claim{what, verdictNotVisible, "not an address"}
	}
	note := ""
	if in.Net.IsInternal(a) {
		note = "; it is a private address, see relay-address-private"
	}
	for _, al := range in.ICE.Allocations {
		if al.Server.Addr() == a || al.Relayed.Addr() == a {
			return claim{what, verdictAgrees, fmt.Sprintf("allocation %s used it%s", al.ID, note)}
		}
	}
	if len(in.ICE.Allocations) == 0 {
		return claim{what, verdictNotVisible, "no TURN traffic in the capture" + note}
	}
	return claim{what, verdictContradict, "the capture shows TURN only to " + relayNames(in.ICE.Allocations) + note}
}

func relayNames(as []*ice.Allocation) string {
	var xs []netip.AddrPort
	for _, a := range as {
		xs = append(xs, a.Server)
	}
	return addrList(xs)
}

// portRangeClaim checks the client's PortRange against its host
// candidates.
func (in *Input) portRangeClaim(c *sipflow.Call, r [2]int) claim {
	what := fmt.Sprintf("port range %d-%d", r[0], r[1])
	n, out := 0, ""
	for _, s := range in.ICE.Sessions {
		if s.CallID != c.CallID {
			continue
		}
		for _, side := range s.Sides {
			for _, cand := range side.Candidates {
				if cand.Type != "host" || !cand.Offered {
					continue
				}
				n++
				if p := int(cand.Addr.Port()); (p < r[0] || p > r[1]) && out == "" {
					out = cand.Addr.String()
				}
			}
		}
	}
	switch {
	case n == 0:
		return claim{what, verdictNotVisible, "no host candidates of this call"}
	case out != "":
		return claim{what, verdictContradict, "a host candidate uses " + out + " (it may belong to the other end)"}
	}
	return claim{what, verdictAgrees, "every host candidate is inside it"}
}

// qoeFinding sets a QoE report's connectivity lines against the sessions
// of the call (MS-QoE §2.2.1.7: Connectivity/Ice FAILED, DIRECT, RELAY).
func qoeFinding(in *Input, c *sipflow.Call, q *sipflow.QoEReport) (Finding, bool) {
	var claims []claim
	sev := Info
	for _, l := range q.Lines {
		if l.Ice == "" {
			continue
		}
		if strings.EqualFold(l.Ice, "FAILED") {
			sev = Error
		}
		claims = append(claims, in.qoeLineClaim(c, l))
		for _, bit := range sipflow.DecodeICEWarn(l.IceWarningFlags) {
			claims = append(claims, in.iceWarnClaim(c, bit))
		}
	}
	if len(claims) == 0 {
		return Finding{}, false
	}
	f := Finding{CallID: c.CallID, Severity: sev, MSEquivalent: "QoE Connectivity/Ice and IceWarningFlags"}
	f.Title = fmt.Sprintf("QoE report for the call: %s", qoeSummary(q))
	var b strings.Builder
	for _, cl := range claims {
		b.WriteString(cl.String() + " ")
	}
	f.Detail = strings.TrimSpace(b.String())
	f.Remedy = "Use the QoE claims that the packets confirm; the rest happened where this capture could not see."
	for _, m := range c.Messages {
		if m.Request && m.Method == "SERVICE" {
			f.Evidence.add(in.frame(m))
		}
	}
	return f, true
}

func qoeSummary(q *sipflow.QoEReport) string {
	var parts []string
	for _, l := range q.Lines {
		if l.Ice != "" {
			parts = append(parts, fmt.Sprintf("%s %s", orUnknown(l.Label), l.Ice))
		}
	}
	return strings.Join(parts, ", ")
}

// qoeLineClaim checks Connectivity/Ice against the sessions of the call.
func (in *Input) qoeLineClaim(c *sipflow.Call, l sipflow.QoEMediaLine) claim {
	what := fmt.Sprintf("%s ICE %s", orUnknown(l.Label), l.Ice)
	for _, s := range in.ICE.Sessions {
		if s.CallID != c.CallID || s.Outcome == ice.OutcomeNoChecks {
			continue
		}
		got := "FAILED"
		if p, ok := selectedPair(s); ok && s.Outcome == ice.OutcomeSucceeded {
			got = "DIRECT"
			if in.pairAllocation(s, p) != nil {
				got = "RELAY"
			}
		} else if s.Outcome != ice.OutcomeFailed {
			continue
		}
		if strings.EqualFold(got, l.Ice) {
			return claim{what, verdictAgrees, "the checks show " + got}
		}
		return claim{what, verdictContradict, "the checks of " + mediaName(s) + " show " + got}
	}
	return claim{what, verdictNotVisible, "no checks of this call in the capture"}
}
