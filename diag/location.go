package diag

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/icediag/icediag/ice"
	"github.com/icediag/icediag/sipflow"
)

// Location is where an address sits as DIAGNOSES.md "Terms" defines it;
// the four words decide the ms-client-diagnostics equivalent 21-25
// (MS-REFERENCE §3.2).
type Location string

// Locations.
const (
	LocUnknown  Location = "unknown"
	LocInternal Location = "internal" // RFC 1918, RFC 6598, ULA (RFC 4193) or --internal
	LocEdge     Location = "edge"     // answers TURN Allocate, or --edge
	LocRemote   Location = "remote"   // public and not an edge
)

// privateRanges are the internal ranges of DIAGNOSES.md "Terms": RFC 1918,
// RFC 6598 shared address space and RFC 4193 unique local IPv6.
var privateRanges = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("fc00::/7"),
}

// Network is what the user told about the network (--internal, --edge)
// plus the relays the capture shows answering TURN Allocate requests.
type Network struct {
	Internal []netip.Prefix
	Edges    []netip.Addr
	relays   map[netip.Addr]bool
}

// ParseNetwork reads --internal CIDRs and --edge addresses ("ip" or
// "ip:port"; the port is ignored; unspecified and loopback addresses are
// refused).
func ParseNetwork(internal, edges []string) (*Network, error) {
	n := &Network{}
	for _, s := range internal {
		p, err := netip.ParsePrefix(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("--internal %q: want a CIDR such as 10.20.0.0/16", s)
		}
		n.Internal = append(n.Internal, p.Masked())
	}
	for _, s := range edges {
		a, err := parseHost(strings.TrimSpace(s))
		if err != nil || a.IsUnspecified() || a.IsLoopback() {
			return nil, fmt.Errorf("--edge %q: want an IP address", s)
		}
		n.Edges = append(n.Edges, a)
	}
	return n, nil
}

func parseHost(s string) (netip.Addr, error) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr(), nil
	}
	return netip.ParseAddr(s)
}

// learnRelays marks every server that answered an Allocate as an edge.
func (n *Network) learnRelays(md *ice.Model) {
	n.relays = map[netip.Addr]bool{}
	if md == nil {
		return
	}
	for _, a := range md.Allocations {
		if answered(a) {
			n.relays[a.Server.Addr()] = true
			if a.Relayed.IsValid() {
				n.relays[a.Relayed.Addr()] = true
			}
		}
	}
}

// answered reports whether any Allocate of a got a response.
func answered(a *ice.Allocation) bool {
	switch a.State {
	case "allocated", "deallocated":
		return true
	}
	return a.Challenges+len(a.AuthFailures)+len(a.Errors) > 0
}

// IsEdge reports whether addr is a relay (user-named or answering TURN).
func (n *Network) IsEdge(a netip.Addr) bool {
	if n == nil {
		return false
	}
	a = a.Unmap()
	for _, e := range n.Edges {
		if e.Unmap() == a {
			return true
		}
	}
	return n.relays[a]
}

// IsInternal reports whether addr is internal: in a user-named internal
// network when the user named any (then private addresses elsewhere, such
// as a home network behind NAT, count as remote), else in a private range.
func (n *Network) IsInternal(a netip.Addr) bool {
	a = a.Unmap()
	if a.IsLinkLocalUnicast() {
		return true
	}
	if n != nil && len(n.Internal) > 0 {
		return n.named(a)
	}
	for _, p := range privateRanges {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// named reports whether a is in a user-named internal network.
func (n *Network) named(a netip.Addr) bool {
	for _, p := range n.Internal {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Locate classifies an address. Relays are placed by IsInternal too when
// asked directly; Locate names them edge.
func (n *Network) Locate(a netip.Addr) Location {
	switch {
	case !a.IsValid() || a.IsLoopback() || a.IsUnspecified():
		return LocUnknown
	case n.IsEdge(a):
		return LocEdge
	case n.IsInternal(a):
		return LocInternal
	}
	return LocRemote
}

// endAddr is the address that places an ICE agent: its first offered host
// candidate, else the first non-relay address its checks came from or
// went to.
func endAddr(s *ice.Side) netip.Addr {
	if s == nil {
		return netip.Addr{}
	}
	for _, c := range s.Candidates {
		if c.Offered && c.Type == "host" && c.Addr.IsValid() {
			return c.Addr.Addr()
		}
	}
	for _, c := range s.Candidates {
		if c.Observed && c.Type != "relay" && (c.Learned == "check-source" || c.Learned == "check-destination") {
			return c.Addr.Addr()
		}
	}
	return netip.Addr{}
}

// endLocation places one agent; an agent is never an edge itself, so an
// address that is also a relay counts as unknown.
func (n *Network) endLocation(s *ice.Side) (Location, netip.Addr) {
	a := endAddr(s)
	loc := n.Locate(a)
	if loc == LocEdge {
		loc = LocUnknown
	}
	return loc, a
}

// Ends is where the two agents of a session sit, and whether the call is
// federated (From and To in different SIP domains).
type Ends struct {
	Loc       [2]Location
	Addr      [2]netip.Addr
	Federated bool
}

// endsOf places the sides of a session; c may be nil.
func (n *Network) endsOf(s *ice.Session, c *sipflow.Call) Ends {
	var e Ends
	for i := range 2 {
		e.Loc[i], e.Addr[i] = n.endLocation(s.Sides[i])
	}
	if c != nil {
		e.Federated = federated(c)
		n.splitSites(&e, s, c)
	}
	return e
}

// splitSites refines two private ends behind different public NAT
// addresses: they are at different sites, and when the capture shows the
// SIP signalling of only one of them from its private address, that one
// is internal and the other is a remote user behind its own NAT.
func (n *Network) splitSites(e *Ends, s *ice.Session, c *sipflow.Call) {
	if e.Loc[0] != LocInternal || e.Loc[1] != LocInternal || len(n.Internal) > 0 {
		return
	}
	p0, p1 := n.publicOf(s.Sides[0]), n.publicOf(s.Sides[1])
	if !p0.IsValid() || !p1.IsValid() || p0 == p1 {
		return
	}
	in0, in1 := signals(c, e.Addr[0]), signals(c, e.Addr[1])
	switch {
	case in0 && !in1:
		e.Loc[1] = LocRemote
	case in1 && !in0:
		e.Loc[0] = LocRemote
	}
}

// publicOf returns the public NAT address of a side: its srflx candidate,
// else the base of a relay candidate.
func (n *Network) publicOf(side *ice.Side) netip.Addr {
	for _, c := range side.Candidates {
		if c.Type == "srflx" && !n.IsInternal(c.Addr.Addr()) {
			return c.Addr.Addr()
		}
	}
	for _, c := range side.Candidates {
		if c.Type == "relay" && c.Base.IsValid() && !n.IsInternal(c.Base.Addr()) {
			return c.Base.Addr()
		}
	}
	return netip.Addr{}
}

// signals reports whether a SIP message of the call was sent from or to a.
func signals(c *sipflow.Call, a netip.Addr) bool {
	for _, m := range c.Messages {
		if m.Meta.Src.Addr() == a || m.Meta.Dst.Addr() == a {
			return true
		}
	}
	return false
}

// federated reports whether From and To name different SIP domains.
func federated(c *sipflow.Call) bool {
	a, b := uriDomain(c.Caller.URI), uriDomain(c.Callee.URI)
	return a != "" && b != "" && !strings.EqualFold(a, b)
}

// uriDomain returns the host part of a SIP URI.
func uriDomain(uri string) string {
	if i := strings.IndexByte(uri, '@'); i >= 0 {
		uri = uri[i+1:]
	} else if j := strings.IndexByte(uri, ':'); j >= 0 {
		uri = uri[j+1:]
	}
	if k := strings.IndexAny(uri, ";:>?"); k >= 0 {
		uri = uri[:k]
	}
	return strings.ToLower(uri)
}

// Code is the ms-client-diagnostics code Lync reports for a media
// connectivity failure between these ends (MS-REFERENCE §3.2): 21 unknown
// type, 22 both internal, 23 internal and remote, 24 both remote, 25
// federated with both internal.
func (e Ends) Code() int {
	a, b := e.Loc[0], e.Loc[1]
	switch {
	case a == LocUnknown || b == LocUnknown:
		return 21
	case a == LocInternal && b == LocInternal && e.Federated:
		return 25
	case a == LocInternal && b == LocInternal:
		return 22
	case a == LocRemote && b == LocRemote:
		return 24
	}
	return 23
}

// describe renders the ends for a title: "internal 10.0.1.20 and remote
// 192.0.2.50 (federated)".
func (e Ends) describe() string {
	s := endWord(e.Loc[0], e.Addr[0]) + " and " + endWord(e.Loc[1], e.Addr[1])
	if e.Federated {
		s += " (federated)"
	}
	return s
}

func endWord(l Location, a netip.Addr) string {
	if !a.IsValid() {
		return "an end of unknown location"
	}
	return string(l) + " " + a.String()
}

// codeReason is the reason text of the connectivity codes (MS-REFERENCE
// §3.2; 24 is paraphrased there).
func codeReason(code int) string {
	switch code {
	case 22:
		return "media connectivity failure when both endpoints are internal"
	case 23:
		return "media connectivity failure when one endpoint is internal and the other is remote"
	case 24:
		return "media connectivity failure when both endpoints are remote"
	case 25:
		return "federated call, media connectivity failure where both endpoints are internal"
	}
	return "media connectivity failure where one endpoint is of unknown type"
}
