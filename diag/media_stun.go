package diag

import (
	"fmt"

	"net/netip"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/wire"
	"github.com/icediag/icediag/ice"
)

// stunUnreachable reports STUN servers whose Binding requests got no
// answer, and NATed endpoints that offered no server-reflexive candidate
// (DIAGNOSES.md "stun-unreachable", RFC 8445 §5.1.1.2).
func stunUnreachable(in *Input) []Finding {
	var out []Finding
	for _, s := range in.ICE.STUNServers {
		if s.Answered == 0 && s.Errors == 0 && (s.TimedOut > 0 || s.Retransmissions > 1) {
			out = append(out, deadSTUNServer(in, s))
		}
	}
	for _, s := range in.ICE.Sessions {
		for _, side := range s.Sides {
			if f, ok := natWithoutSrflx(in, s, side); ok {
				out = append(out, f)
			}
		}
	}
	return out
}

func deadSTUNServer(in *Input, s *ice.STUNServer) Finding {
	f := Finding{Severity: Warning,
		Title: fmt.Sprintf("STUN server %s %s did not answer", s.Transport, s.Addr),
		Detail: fmt.Sprintf("%s (%d retransmissions) to %s got no response. Clients that rely on it learn no server-reflexive address and depend on relays.",
			plural(s.Requests, "Binding request"), s.Retransmissions, s.Addr),
		Remedy: "Allow UDP to the STUN server's port (3478 on an A/V Edge) from the clients, or correct the STUN server the clients are given.",
	}
	tr := transportOf(s.Transport)
	for _, m := range s.Mappings {
		f.Evidence.merge(in.Wire.stun(m.Client, s.Addr, tr, wire.OpBinding, KindSTUNRequest))
	}
	if f.Evidence.Count == 0 {
		f.Evidence.merge(firstRequestsTo(in, s.Addr, tr))
	}
	return f
}

// firstRequestsTo cites Binding requests to an address from any client.
func firstRequestsTo(in *Input, dst netip.AddrPort, tr decode.Transport) *Evidence {
	st := in.Wire.requestsTo(func(a netip.AddrPort, t decode.Transport) bool { return a == dst && t == tr })
	if r := st[dst]; r != nil {
		return &r.requests
	}
	return nil
}

// natWithoutSrflx reports a side that is behind a NAT (its relay or
// mapped addresses show a different public base than its host) yet
// offered no srflx candidate.
func natWithoutSrflx(in *Input, s *ice.Session, side *ice.Side) (Finding, bool) {
	if !side.SDP {
		return Finding{}, false
	}
	host := endAddr(side)
	if !host.IsValid() || !in.Net.IsInternal(host) {
		return Finding{}, false
	}
	var natted *ice.SideCandidate
	for _, c := range side.Candidates {
		if !c.Offered {
			continue
		}
		if c.Type == "srflx" {
			return Finding{}, false
		}
		if c.Type == "relay" && c.Base.IsValid() && !in.Net.IsInternal(c.Base.Addr()) && natted == nil {
			natted = c
		}
	}
	if natted == nil {
		return Finding{}, false
	}
	f := forSession(s, Warning)
	f.Title = fmt.Sprintf("%s: %s sits behind NAT %s but offers no server-reflexive candidate", mediaName(s), host, natted.Base.Addr())
	f.Detail = fmt.Sprintf("The agent with host address %s offered a relay candidate whose base %s shows it is behind a NAT, but no srflx candidate: direct paths through the NAT are never tried and every call needs the relay. "+
		"Either its STUN requests failed or it was given no STUN server.", host, natted.Base)
	f.Remedy = "Check that the client can reach the STUN service of the A/V Edge (UDP 3478) and that UDP from the client's network is allowed out."
	if c := in.callOf(s); c != nil {
		for _, m := range c.Messages {
			if m.HasBody {
				f.Evidence.add(in.frame(m))
				break
			}
		}
	}
	return f, true
}
