package diag

import (
	"fmt"

	"github.com/icediag/icediag/sipflow"
)

// serverRemedies are the ms-diagnostics codes that name a deployment fault
// (DIAGNOSES.md "server-diagnostics", MS-REFERENCE §3.1), with what to
// change. Remedies follow the field articles in the seeds (Edge roles,
// DNS SRV for federation, certificates, sign-in).
var serverRemedies = map[int]struct {
	severity Severity
	remedy   string
}{
	1001: {Warning, "Public IM connectivity is not allowed for this user or the Edge: enable public provider federation in the external access policy and on the Access Edge if it is wanted."},
	1002: {Warning, "Federation is not allowed for this user or domain: enable federation in the external access policy, and allow the partner domain (or open federation) on the Access Edge."},
	1008: {Error, "The server could not resolve the DNS SRV record of the destination domain: publish _sipfederationtls._tcp.<domain> (federation) or _sip._tls.<domain> (clients) in public DNS, and check the Edge's external DNS resolvers."},
	1009: {Error, "The destination's SRV record points to a host outside its SIP domain: the SRV target must be in the same domain (or a hosting provider's known name); publish a matching SRV target and certificate."},
	1010: {Error, "TLS with the next hop failed certificate validation: check that the next hop's certificate chains to a CA this server trusts, is valid, and names the FQDN used to reach it (subject or SAN)."},
	1012: {Warning, "The user is not allowed to communicate outside the enterprise: enable external access for the user's policy if it is wanted."},
	1013: {Error, "The clocks of client and server differ too much for authentication: synchronise time (NTP) on the client, the domain controllers and the pool."},
	1014: {Error, "The server could not resolve the DNS A record of the next hop: publish the host record the SRV target names, and check the Edge's DNS resolvers."},
	4003: {Warning, "The user is not enabled for remote access: enable remote user access in the external access policy and on the Edge if users outside the network should sign in."},
}

// diagnosticRemedy returns the remedy for a server code, if it names one.
func diagnosticRemedy(code int) string {
	return serverRemedies[code].remedy
}

// serverDiagnostics reports ms-diagnostics codes that name a deployment
// fault, wherever they appear (DIAGNOSES.md "server-diagnostics").
func serverDiagnostics(in *Input) []Finding {
	var out []Finding
	seen := map[string]bool{}
	for _, t := range allTransactions(in) {
		for _, d := range t.Diagnostics {
			if d.IsClient() {
				continue
			}
			r, ok := serverRemedies[d.Code]
			if !ok {
				continue
			}
			key := fmt.Sprint(t.CallID, d.Code, d.Source)
			if seen[key] {
				continue
			}
			seen[key] = true
			f := Finding{
				Severity: r.severity,
				CallID:   t.CallID,
				Title:    fmt.Sprintf("%s %d on %s to %s: %s", d.Header, d.Code, t.Method, t.ToURI, codeText(d)),
				Detail:   describeDiagnostic(d) + fmt.Sprintf(" It came with the %d %s answering the %s.", t.FinalStatus, t.FinalReason, t.Method),
				Remedy:   r.remedy,
			}
			for _, m := range t.Messages {
				if !m.Request && m.StatusCode == t.FinalStatus {
					f.Evidence.add(in.frame(m))
				}
			}
			out = append(out, f)
		}
	}
	return out
}

func codeText(d sipflow.Diagnostic) string {
	if d.Known != "" {
		return d.Known
	}
	return d.Reason
}
