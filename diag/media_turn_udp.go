package diag

import (
	"fmt"
	"net/netip"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/ice"
)

// turnUDPBlocked reports a client whose Allocate over UDP 3478 was never
// answered while its Allocate over TCP (443, pseudo-TLS or plain framing)
// to a relay was (DIAGNOSES.md "turn-udp-blocked", MS-REFERENCE §6
// pattern 1).
func turnUDPBlocked(in *Input) []Finding {
	var out []Finding
	for _, a := range in.ICE.Allocations {
		if a.Transport != "UDP" || a.Server.Port() != 3478 || answered(a) || a.Unanswered == 0 {
			continue
		}
		tcp := in.tcpAllocationOf(a.Client.Addr())
		if tcp == nil {
			continue
		}
		f := Finding{Severity: Warning,
			Title: fmt.Sprintf("TURN over UDP from %s to %s not answered; TCP %d to %s works", a.Client, a.Server,
				tcp.Server.Port(), tcp.Server.Addr()),
			Detail: fmt.Sprintf("The client %s sent %s over UDP to the relay %s and got no response, while its Allocate over %s to %s succeeded (allocation %s). "+
				"Media through this relay then runs over TCP, with more latency.", a.Client,
				plural(a.Attempts, "Allocate request"), a.Server, tcp.Transport, tcp.Server, tcp.ID),
			Remedy:       "Allow UDP 3478 from the clients (and the Internet, for remote users) to the A/V Edge's external address and back; on the Edge itself check that the A/V service listens on UDP 3478.",
			MSEquivalent: "ICEWarn 0x1 (TURN server unreachable), 0x2 (UDP allocation on TURN failed); code 23 when media then fails",
		}
		f.Evidence.merge(in.allocRequests(a))
		ans := in.allocAnswers(tcp)
		f.Evidence.merge(&ans)
		out = append(out, f)
	}
	return out
}

// tcpAllocationOf returns an answered TCP allocation of a client host.
func (in *Input) tcpAllocationOf(client netip.Addr) *ice.Allocation {
	for _, a := range in.ICE.Allocations {
		if a.Client.Addr() == client && transportOf(a.Transport) == decode.TCP && answered(a) && (a.State == "allocated" || a.State == "deallocated") {
			return a
		}
	}
	return nil
}
