package lab

import (
	"net/netip"
	"time"

	"github.com/icediag/icediag/pcaps/lab/internal/ua"
)

// IPv6 unique local addresses of the hosts (RFC 4193): on their LANs only,
// with no router, so IPv6 candidates never work.
var (
	AliceIPv6 = netip.MustParsePrefix("fd00:1::11/64")
	BobIPv6   = netip.MustParsePrefix("fd00:2::12/64")
)

func slowICE() Scenario {
	s := msTwoSites("slow-ice", "MS flavour: slow ICE, a late relay allocation and dead candidates",
		"Lync-style agents with UDP and TCP (TCP-ACT, TCP-PASS) host candidates and an IPv6 host candidate (a=x-candidate-ipv6, a ULA that no router carries), behind two symmetric NATs. bob allocates his relay only when the INVITE arrives and holds it back 2 s more, and the MS-TURN relay ignores each client's first two Allocate requests, so bob's 200 comes more than 3 s after the INVITE. Meanwhile nothing can work: host candidates are private, IPv6 is not routed, and only the pair through bob's relay succeeds, more than 3 s after the offer.",
		symmetric, symmetric)
	s.Hosts[0].IPv6, s.Hosts[1].IPv6 = AliceIPv6, BobIPv6
	s.MS.DropFirst = 2
	late := msUDP
	late.Delay = 2 * time.Second
	s.Callee.MSTURN = []ua.MSServer{late}
	s.Callee.AllocateOnInvite = true
	for _, a := range []*Agent{&s.Caller, &s.Callee} {
		a.ICETCP, a.IPv6 = true, true
	}
	s.Expect = Expect{ICESucceeds: true, CallerLocal: []string{"relay", "host"}, CallerRemote: []string{"relay", "prflx"},
		Relayed: true, RelayTransport: "udp", Findings: []string{"slow-ice"},
		SlowerThan: 3 * time.Second,
		OfferAttrs: []string{"x-candidate-ipv6:", " TCP-PASS ", " TCP-ACT "},
		Allocs: []AllocExpect{{Side: "caller", Transport: "udp", Port: 3478, Outcome: "success"},
			{Side: "callee", Transport: "udp", Port: 3478, Outcome: "success"}}}
	return s
}
