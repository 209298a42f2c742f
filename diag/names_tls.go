package diag

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/icediag/icediag/decode"
)

// certProblem is one thing wrong with a server certificate.
type certProblem struct {
	severity            Severity
	title, detail, cure string
	ms                  string
	withHello           bool // cite the ClientHello frames too
}

// tlsCertificateProblem reports server certificates of TLS 1.0-1.2
// handshakes in the clear that do not name what the client asked for (SNI,
// RFC 6066 §3; RFC 6125 §6.4), are expired or not yet valid at capture time
// (RFC 5280 §4.1.2.5), carry a wildcard common name on an Access Edge, or
// are self-signed (DIAGNOSES.md "tls-certificate-problem"). TLS 1.3
// certificates are encrypted and not seen.
func tlsCertificateProblem(in *Input) []Finding {
	names := in.names()
	if names == nil {
		return nil
	}
	edges := srvTargets(names.DNSLookups())
	var out []Finding
	for _, c := range names.ServerCertificates() {
		for _, p := range in.certProblems(&c, edges) {
			out = append(out, in.certFinding(&c, p))
		}
	}
	return out
}

// certProblems checks one certificate.
func (in *Input) certProblems(c *decode.ServerCertificate, edges map[string]bool) []certProblem {
	leaf := c.Chain[0]
	var out []certProblem
	if p, ok := validity(leaf, c.First, c.Last); ok {
		out = append(out, p)
	}
	if p, ok := nameMismatch(c); ok {
		out = append(out, p)
	}
	if strings.HasPrefix(leaf.Subject.CommonName, "*") && in.accessEdge(c, edges) {
		out = append(out, certProblem{severity: Warning,
			title:  fmt.Sprintf("Access Edge %s presents a wildcard certificate (CN %s)", c.Server, leaf.Subject.CommonName),
			detail: fmt.Sprintf("The server %s looks like an external Access Edge (%s) and its certificate's subject common name is the wildcard %q. Lync and Skype for Business Edge servers authenticate each other by the common name in mutual TLS; OCS partners, Lync Phone Edition and several desk phones reject a wildcard there.", c.Server, in.edgeReason(c, edges), leaf.Subject.CommonName),
			cure:   "Issue the Access Edge a SAN certificate whose common name and first SAN are its external FQDN (e.g. sip.<domain>), with sip.<domain> of every SIP domain in the SANs; wildcards belong, if anywhere, in extra SAN entries of the reverse proxy."})
	}
	if len(c.Chain) == 1 && bytes.Equal(leaf.RawIssuer, leaf.RawSubject) {
		out = append(out, certProblem{severity: Warning,
			title:  fmt.Sprintf("%s presents a self-signed certificate (%s)", c.Server, certName(leaf)),
			detail: fmt.Sprintf("The server %s sent a single certificate whose issuer is its own subject (%s): no CA vouches for it, so every client and partner must have been told to trust this very certificate, or the handshake fails.", c.Server, certName(leaf)),
			cure:   "Replace it with a certificate from a CA the peers trust: a public CA for an Access Edge or reverse proxy, the enterprise CA for internal pools; send the intermediate certificates with it."})
	}
	return out
}

// validity checks the leaf's validity period against the capture times
// of the handshakes.
func validity(leaf *x509.Certificate, first, last time.Time) (certProblem, bool) {
	const day = 24 * time.Hour
	switch {
	case last.After(leaf.NotAfter):
		return certProblem{severity: Error,
			title:  fmt.Sprintf("certificate %s expired on %s", certName(leaf), leaf.NotAfter.UTC().Format(time.DateOnly)),
			detail: fmt.Sprintf("The certificate (%s) was valid until %s; the handshake at %s came %d day(s) later. Clients and federation partners refuse an expired certificate.", certName(leaf), leaf.NotAfter.UTC().Format(time.RFC3339), last.UTC().Format(time.RFC3339), int(last.Sub(leaf.NotAfter)/day)),
			cure:   "Renew the certificate, assign the new one to the service (Skype for Business Deployment Wizard or Set-CsCertificate, or the web server), and restart the service.",
			ms:     "ms-diagnostics 1010 (Certificate trust with next-hop server could not be established) on server-to-server TLS"}, true
	case first.Before(leaf.NotBefore):
		return certProblem{severity: Error,
			title:  fmt.Sprintf("certificate %s not valid before %s", certName(leaf), leaf.NotBefore.UTC().Format(time.DateOnly)),
			detail: fmt.Sprintf("The certificate (%s) becomes valid only at %s, after the handshake at %s: either it was issued with a future start date or the clocks (the capturing host's, or the peers') are wrong.", certName(leaf), leaf.NotBefore.UTC().Format(time.RFC3339), first.UTC().Format(time.RFC3339)),
			cure:   "Check the clocks of server, client and capturing host (NTP); if they are right, wait for or reissue the certificate with a valid start date.",
			ms:     "ms-diagnostics 1010 or 1013 (time skew)"}, true
	}
	return certProblem{}, false
}

// nameMismatch checks that the certificate names the server name the
// client asked for.
func nameMismatch(c *decode.ServerCertificate) (certProblem, bool) {
	leaf := c.Chain[0]
	if c.SNI == "" || isIPLiteral(c.SNI) || certCovers(leaf, c.SNI) {
		return certProblem{}, false
	}
	p := certProblem{severity: Error, withHello: true,
		title:  fmt.Sprintf("certificate of %s does not name %s", c.Server, c.SNI),
		detail: fmt.Sprintf("The client %s asked for %s (server name indication) and %s answered with a certificate for %s. The client refuses the connection or prompts the user, since the name it resolved is not on the certificate.", c.Client.Addr(), c.SNI, c.Server, certNames(leaf)),
		cure:   fmt.Sprintf("Add %s to the certificate's subject alternative names (for an Access Edge: its external FQDN as CN and first SAN, plus sip.<domain> of every SIP domain), or point DNS at a name the certificate holds.", c.SNI)}
	if c.Server.Port() == 5061 {
		p.ms = "ms-diagnostics 1010 (Certificate trust with next-hop server could not be established)"
	}
	return p, true
}

// certCovers reports whether the certificate names host: its DNS subject
// alternative names, or its common name when it has none (legacy
// certificates, which Windows still accepts); a wildcard matches exactly
// one leftmost label (RFC 6125 §6.4.3).
func certCovers(leaf *x509.Certificate, host string) bool {
	names := leaf.DNSNames
	if len(names) == 0 && leaf.Subject.CommonName != "" {
		names = []string{leaf.Subject.CommonName}
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, n := range names {
		n = strings.ToLower(strings.TrimSuffix(n, "."))
		if n == host {
			return true
		}
		if rest, ok := strings.CutPrefix(n, "*."); ok {
			if i := strings.IndexByte(host, '.'); i > 0 && host[i+1:] == rest {
				return true
			}
		}
	}
	return false
}

// isIPLiteral reports whether s is an IP address (RFC 6066 §3 forbids them
// as server names; clients that send one check the address instead).
func isIPLiteral(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

// accessEdge reports whether the certificate's server looks like an
// external Access Edge: a public address and SIP over TLS on 5061, a
// server name whose first label is sip/sipexternal/access, or a name an SRV
// record for clients or federation targets.
func (in *Input) accessEdge(c *decode.ServerCertificate, edges map[string]bool) bool {
	return !in.Net.IsInternal(c.Server.Addr()) && in.edgeReason(c, edges) != ""
}

// edgeReason says why a server counts as an Access Edge ("" if not).
func (in *Input) edgeReason(c *decode.ServerCertificate, edges map[string]bool) string {
	switch {
	case c.SNI != "" && edges[c.SNI]:
		return "an SRV record for SIP clients or federation names " + c.SNI
	case c.Server.Port() == 5061:
		return "TLS on the SIP port 5061 of a public address"
	}
	label, _, _ := strings.Cut(c.SNI, ".")
	switch label {
	case "sip", "sipexternal", "access":
		return "clients reach it as " + c.SNI
	}
	return ""
}

// srvTargets returns the targets of the _sip._tls and
// _sipfederationtls._tcp answers in the capture.
func srvTargets(lookups []decode.DNSLookup) map[string]bool {
	out := map[string]bool{}
	for _, l := range lookups {
		if _, _, ok := srvService(l.Name, srvFederation, srvClientTLS); !ok {
			continue
		}
		for _, r := range l.Answers {
			if r.Type == decode.DNSTypeSRV && r.Target != "" {
				out[strings.ToLower(strings.TrimSuffix(r.Target, "."))] = true
			}
		}
	}
	return out
}

// certName names a certificate by its subject common name, or its first
// DNS name.
func certName(c *x509.Certificate) string {
	switch {
	case c.Subject.CommonName != "":
		return "CN " + c.Subject.CommonName
	case len(c.DNSNames) > 0:
		return "SAN " + c.DNSNames[0]
	}
	return "without a subject name"
}

// certNames lists what a certificate names: common name and SANs.
func certNames(c *x509.Certificate) string {
	s := "CN " + c.Subject.CommonName
	if c.Subject.CommonName == "" {
		s = "no CN"
	}
	if len(c.DNSNames) == 0 {
		return s + " and no DNS SAN"
	}
	list := c.DNSNames
	more := ""
	if len(list) > 6 {
		list, more = list[:6], fmt.Sprintf(" and %d more", len(c.DNSNames)-6)
	}
	return s + ", SAN " + strings.Join(list, ", ") + more
}

// certFinding turns one problem of one certificate into a finding.
func (in *Input) certFinding(c *decode.ServerCertificate, p certProblem) Finding {
	f := Finding{Severity: p.severity, Title: "TLS: " + p.title, Remedy: p.cure, MSEquivalent: p.ms}
	f.Detail = p.detail + fmt.Sprintf(" Seen on %s from %s (TLS %s).", countOf(c.Connections, "handshake", "handshakes"), c.Server, tlsVersionName(c.Version))
	if p.withHello {
		f.Evidence.merge(in.Wire.simple(c.Client, c.Server, decode.TCP, KindTLSHello))
	}
	var certs Evidence
	for _, seen := range c.Seen {
		certs.add(in.nameFrame(seen.Frame, KindTLSCertificate, seen.Client))
	}
	certs.Count = c.Connections
	f.Evidence.merge(&certs)
	return f
}

// tlsVersionName names a TLS protocol version (RFC 5246 Appendix E).
func tlsVersionName(v uint16) string {
	switch v {
	case 0x0300:
		return "SSL 3.0"
	case 0x0301:
		return "1.0"
	case 0x0302:
		return "1.1"
	case 0x0303:
		return "1.2"
	}
	return fmt.Sprintf("0x%04x", v)
}
