package diag

import (
	"fmt"

	"github.com/icediag/icediag/decode"
)

// pseudoTLSIntercepted reports TCP connections on which a client sent the
// MS-TURN pseudo-TLS ClientHello and the server answered with a real TLS
// hello, a reset or nothing, instead of the pseudo-TLS ServerHello
// (DIAGNOSES.md "pseudo-tls-intercepted", MS-TURN §3.1.5, MS-REFERENCE
// §1.8 and §6 pattern 4).
func pseudoTLSIntercepted(in *Input) []Finding {
	var out []Finding
	for _, k := range in.Wire.keysOf(KindPseudoTLS) {
		if k.dst.Port() != 443 && !in.Net.IsEdge(k.dst.Addr()) {
			continue // the server's own hello, or not toward a relay
		}
		if in.Wire.simple(k.dst, k.src, k.transport, KindPseudoTLS) != nil {
			continue // answered the MS way
		}
		out = append(out, pseudoTLSFinding(in, decode.Flow{Src: k.src, Dst: k.dst, Transport: k.transport}))
	}
	return out
}

func pseudoTLSFinding(in *Input, fl decode.Flow) Finding {
	w := in.Wire
	f := Finding{Severity: Error, MSEquivalent: "ICEWarn 0x800000 (pseudo-TLS failure)",
		Remedy: "Exempt the A/V Edge's public address (TCP 443) from TLS inspection on the proxy or firewall: the MS-TURN pseudo-TLS handshake is not real TLS and breaks when a middlebox terminates it. Where possible allow UDP 3478 so that TCP 443 is not needed."}
	f.Evidence.merge(w.simple(fl.Src, fl.Dst, fl.Transport, KindPseudoTLS))
	switch {
	case w.simple(fl.Dst, fl.Src, fl.Transport, KindTLSHello) != nil:
		f.Title = fmt.Sprintf("Pseudo-TLS to %s answered by a real TLS server", fl.Dst)
		f.Detail = fmt.Sprintf("The client %s opened TCP to the relay %s with the MS-TURN pseudo-TLS ClientHello; the answer was a genuine TLS ServerHello, not the fixed pseudo-TLS reply. A proxy or firewall is terminating or inspecting TLS on this port.", fl.Src, fl.Dst)
		f.Evidence.merge(w.simple(fl.Dst, fl.Src, fl.Transport, KindTLSHello))
	case w.simple(fl.Dst, fl.Src, fl.Transport, KindTLSAlert) != nil:
		f.Title = fmt.Sprintf("Pseudo-TLS to %s refused with a TLS alert", fl.Dst)
		f.Detail = fmt.Sprintf("The client %s opened TCP to the relay %s with the MS-TURN pseudo-TLS ClientHello; the answer was a TLS alert record, not the fixed pseudo-TLS reply. A real TLS server (a TLS-inspecting proxy or firewall) took the connection and refused the hello it does not understand.", fl.Src, fl.Dst)
		f.Evidence.merge(w.simple(fl.Dst, fl.Src, fl.Transport, KindTLSAlert))
	case w.simple(fl.Dst, fl.Src, fl.Transport, KindTCPRST) != nil:
		f.Title = fmt.Sprintf("Pseudo-TLS to %s answered by a TCP reset", fl.Dst)
		f.Detail = fmt.Sprintf("The client %s sent the MS-TURN pseudo-TLS ClientHello to %s and the connection was reset from the server side. A firewall with application inspection typically does this to a hello it does not recognise.", fl.Src, fl.Dst)
		f.Evidence.merge(w.simple(fl.Dst, fl.Src, fl.Transport, KindTCPRST))
	default:
		f.Title = fmt.Sprintf("Pseudo-TLS to %s not answered", fl.Dst)
		f.Detail = fmt.Sprintf("The client %s sent the MS-TURN pseudo-TLS ClientHello to %s and no ServerHello came back. ", fl.Src, fl.Dst)
		if w.synAnswered(fl) {
			f.Detail += "The server had accepted the TCP connection, so something on the path swallows the hello."
		} else {
			f.Detail += "The capture shows no packet from the server on this connection; it may not see that direction."
		}
	}
	return f
}
