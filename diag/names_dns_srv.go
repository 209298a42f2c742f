package diag

import (
	"fmt"
	"strings"

	"github.com/icediag/icediag/decode"
)

// SRV services whose target must lie in the SIP domain they serve: the
// federation record an Edge looks up for a partner domain, and the record
// external clients look up to sign in (seeds/001, DIAGNOSES.md
// "dns-srv-mismatch").
const (
	srvFederation = "_sipfederationtls._tcp."
	srvClientTLS  = "_sip._tls."
)

// srvMismatch is one SRV owner name whose answer names a target outside its
// domain, with the lookups that showed it.
type srvMismatch struct {
	owner, service, domain, target string
	port                           uint16
	lookups                        []*decode.DNSLookup
}

// dnsSRVMismatch reports SRV answers for _sipfederationtls._tcp.<domain>
// and _sip._tls.<domain> whose target is neither in <domain> nor a known
// hosting provider (DIAGNOSES.md "dns-srv-mismatch", RFC 2782,
// ms-diagnostics 1009).
func dnsSRVMismatch(in *Input) []Finding {
	names := in.names()
	if names == nil {
		return nil
	}
	var order []string
	found := map[string]*srvMismatch{}
	lookups := names.DNSLookups()
	for i := range lookups {
		l := &lookups[i]
		service, domain, ok := srvService(l.Name, srvFederation, srvClientTLS)
		if !ok || !l.Answered || l.Rcode != decode.DNSRcodeNoError {
			continue
		}
		for _, r := range l.Answers {
			if r.Type != decode.DNSTypeSRV || !strings.EqualFold(strings.TrimSuffix(r.Name, "."), l.Name) {
				continue
			}
			target := strings.ToLower(strings.TrimSuffix(r.Target, "."))
			if target == "" || inDomain(target, domain) || knownHostingTarget(target) {
				continue
			}
			key := l.Name + " " + target
			m := found[key]
			if m == nil {
				m = &srvMismatch{owner: l.Name, service: service, domain: domain, target: target, port: r.Port}
				found[key] = m
				order = append(order, key)
			}
			if len(m.lookups) == 0 || m.lookups[len(m.lookups)-1] != l {
				m.lookups = append(m.lookups, l)
			}
		}
	}
	out := make([]Finding, 0, len(order))
	for _, k := range order {
		out = append(out, in.srvMismatchFinding(found[k]))
	}
	return out
}

func (in *Input) srvMismatchFinding(m *srvMismatch) Finding {
	first := m.lookups[0]
	f := Finding{Severity: Error, MSEquivalent: "ms-diagnostics 1009 (Conflicting SRV and host domains in DNS)",
		Title: fmt.Sprintf("SRV %s points to %s:%d, outside %s", m.owner, m.target, m.port, m.domain)}
	f.Detail = fmt.Sprintf("The DNS server %s answered %s's SRV query for %s with the target %s port %d (%s in the capture). "+
		"The target is not %s or a name below it, and not a known hosting provider's name (%s). ",
		first.Server.Addr(), first.Client.Addr(), m.owner, m.target, m.port, countOf(len(m.lookups), "answer", "answers"), m.domain, strings.Join(knownHostingTargets, ", "))
	if m.service == srvFederation {
		f.Detail += fmt.Sprintf("Federation partners' Edge servers look this record up to reach %s and refuse a target in another domain, so federation and presence with %s fail from their side.", m.domain, m.domain)
		f.Remedy = fmt.Sprintf("Publish _sipfederationtls._tcp.%s with a target inside %s (the Access Edge's external FQDN, e.g. sip.%s, port 5061) whose A record points to the Edge and which the Edge certificate names; if the domain is hosted by a provider, use the provider's documented record or have partners add the provider as a hosting provider.", m.domain, m.domain, m.domain)
	} else {
		f.Detail += fmt.Sprintf("Clients that configure themselves from this record refuse a server outside %s, or ask the user whether to trust it, so automatic sign-in from outside fails or prompts.", m.domain)
		f.Remedy = fmt.Sprintf("Publish _sip._tls.%s with a target inside %s (e.g. sip.%s, port 443) that resolves to the Access Edge and is named on its certificate, or the hosting provider's documented target.", m.domain, m.domain, m.domain)
	}
	for _, l := range m.lookups {
		in.lookupEvidence(&f.Evidence, l)
	}
	return f
}
