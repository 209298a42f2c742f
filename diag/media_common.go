package diag

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/wire"
	"github.com/icediag/icediag/ice"
	"github.com/icediag/icediag/sipflow"
)

// Edge relay port range of an on-premises A/V Edge (MS-REFERENCE §1.1).
const (
	edgeLowPort  = 50000
	edgeHighPort = 59999
)

// callOf returns the call a session belongs to, or nil.
func (in *Input) callOf(s *ice.Session) *sipflow.Call {
	return in.sipCall(s.CallID)
}

// forSession starts a finding that belongs to a session (and its call).
func forSession(s *ice.Session, sev Severity) Finding {
	f := Finding{Severity: sev, CallID: s.CallID}
	if s.CallID == "" {
		f.Session = s.ID
	}
	return f
}

// checkFrame cites the request of a connectivity check.
func (in *Input) checkFrame(c *ice.Check) Frame {
	return Frame{File: in.fileName(c.File), Frame: c.Frame, Kind: KindSTUNRequest, Dst: c.Remote.String()}
}

// responseFrame cites the first response of an answered check.
func (in *Input) responseFrame(c *ice.Check) Frame {
	kind := KindSTUNSuccess
	if c.Result == ice.ResultError {
		kind = KindSTUNError
	}
	return Frame{File: in.fileName(c.File), Frame: c.ResponseFrame, Kind: kind}
}

// addCheck cites a check and, when it was answered, its response.
func (in *Input) addCheck(e *Evidence, c *ice.Check) {
	e.add(in.checkFrame(c))
	if c.ResponseFrame != 0 {
		e.add(in.responseFrame(c))
	}
}

// transportOf turns an allocation's transport name into a decode value.
func transportOf(s string) decode.Transport {
	if strings.HasPrefix(s, "TCP") {
		return decode.TCP
	}
	return decode.UDP
}

// allocRequests cites the Allocate requests of an allocation.
func (in *Input) allocRequests(a *ice.Allocation) *Evidence {
	return in.Wire.stun(a.Client, a.Server, transportOf(a.Transport), wire.OpAllocate, KindSTUNRequest)
}

// allocAnswers cites the Allocate responses (success and error).
func (in *Input) allocAnswers(a *ice.Allocation) Evidence {
	var e Evidence
	tr := transportOf(a.Transport)
	e.merge(in.Wire.stun(a.Server, a.Client, tr, wire.OpAllocate, KindSTUNSuccess))
	e.merge(in.Wire.stun(a.Server, a.Client, tr, wire.OpAllocate, KindSTUNError))
	return e
}

// turnErrorFrame cites one error response of an allocation.
func turnErrorFrame(e ice.TURNError, a *ice.Allocation) Frame {
	return Frame{Frame: e.Frame, Kind: KindSTUNError, Dst: a.Client.String()}
}

// candAt returns the candidate i of a side, or nil.
func candAt(s *ice.Side, i int) *ice.SideCandidate {
	if s == nil || i < 0 || i >= len(s.Candidates) {
		return nil
	}
	return s.Candidates[i]
}

// pairEnds returns the local and remote candidates of a pair (nil when
// unknown).
func pairEnds(s *ice.Session, p *ice.Pair) (*ice.SideCandidate, *ice.SideCandidate) {
	return candAt(s.Sides[p.Side], p.LocalCand), candAt(s.Sides[1-p.Side], p.RemoteCand)
}

// candWord names a candidate's type for text ("relay", "srflx", ...).
func candWord(c *ice.SideCandidate) string {
	if c == nil || c.Type == "" || c.Type == "observed" {
		return "address"
	}
	return c.Type
}

// pairText renders a pair: "UDP host 10.0.1.20:50000 -> srflx 192.0.2.50:50010".
func pairText(s *ice.Session, p *ice.Pair) string {
	l, r := pairEnds(s, p)
	return fmt.Sprintf("%s %s %s -> %s %s", p.Transport, candWord(l), p.Local, candWord(r), p.Remote)
}

// pairFailure says why a pair did not succeed.
func pairFailure(p *ice.Pair) string {
	switch p.State {
	case ice.PairNeverTried:
		return "never tried"
	case ice.PairUnanswered:
		return "no answer before the capture ended"
	}
	if p.ErrorCode != 0 {
		return fmt.Sprintf("error %d", p.ErrorCode)
	}
	return fmt.Sprintf("no answer to %d transmissions", p.Sends)
}

// checksOf returns the checks of a session that belong to a pair.
func checksOf(s *ice.Session, p *ice.Pair) []*ice.Check {
	var out []*ice.Check
	for _, c := range s.Checks {
		if c.Side == p.Side && c.Component == p.Component && c.Local == p.Local && c.Remote == p.Remote &&
			c.Transport == p.Transport {
			out = append(out, c)
		}
	}
	return out
}

// failed reports whether a pair was tried and got nowhere: every check
// failed, or checks retransmitted without answer were still outstanding
// when the capture ended.
func failed(p *ice.Pair) bool {
	return p.State == ice.PairFailed || (p.State == ice.PairUnanswered && p.Sends > 1)
}

// noAnswer reports whether a pair failed for want of any answer (no
// error response).
func noAnswer(p *ice.Pair) bool { return failed(p) && p.ErrorCode == 0 }

// allocationByRelayed finds the allocation whose relayed address is addr.
func (in *Input) allocationByRelayed(addr netip.AddrPort) *ice.Allocation {
	for _, a := range in.ICE.Allocations {
		if addr.IsValid() && (a.Relayed == addr || a.RelayedIPv6 == addr) {
			return a
		}
	}
	return nil
}

// allocationByID finds an allocation by its ID.
func (in *Input) allocationByID(id string) *ice.Allocation {
	for _, a := range in.ICE.Allocations {
		if a.ID == id {
			return a
		}
	}
	return nil
}

// pairAllocation returns the allocation that carries a pair's local end:
// the one named by the candidate, else the one whose relayed address it is.
func (in *Input) pairAllocation(s *ice.Session, p *ice.Pair) *ice.Allocation {
	if l, _ := pairEnds(s, p); l != nil && l.Allocation != "" {
		if a := in.allocationByID(l.Allocation); a != nil {
			return a
		}
	}
	return in.allocationByRelayed(p.Local)
}

// selectedPair returns the pair carrying media on component 1 (else the
// lowest component), falling back to the nominated pair.
func selectedPair(s *ice.Session) (*ice.Pair, bool) {
	for _, m := range []map[int]int{s.Selected, s.Nominated} {
		if p, ok := lowestComponent(s, m); ok {
			return p, true
		}
	}
	return nil, false
}

func lowestComponent(s *ice.Session, m map[int]int) (*ice.Pair, bool) {
	best := -1
	for comp, i := range m {
		if i >= 0 && i < len(s.Pairs) && (best < 0 || comp < best) {
			best = comp
		}
	}
	if best < 0 {
		return nil, false
	}
	return s.Pairs[m[best]], true
}

// mediaName names the media line of a session for titles.
func mediaName(s *ice.Session) string {
	if s.MediaType != "" {
		return s.MediaType
	}
	return "session " + s.ID
}

// hostsOf returns the distinct IPs in a list of addresses, in order.
func addrList(as []netip.AddrPort) string {
	seen := map[netip.AddrPort]bool{}
	var parts []string
	for _, a := range as {
		if a.IsValid() && !seen[a] {
			seen[a] = true
			parts = append(parts, a.String())
		}
	}
	if len(parts) > 4 {
		parts = append(parts[:4], fmt.Sprintf("and %d more", len(parts)-4))
	}
	return strings.Join(parts, ", ")
}

// plural returns "n thing" or "n things".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
