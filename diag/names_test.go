package diag

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"testing"
)

func TestCertCovers(t *testing.T) {
	san := &x509.Certificate{Subject: pkix.Name{CommonName: "sipedge.contoso.com"},
		DNSNames: []string{"sipedge.contoso.com", "*.tailspin.example", "Webconf.Contoso.com"}}
	cnOnly := &x509.Certificate{Subject: pkix.Name{CommonName: "sip.fabrikam.com"}}
	tests := []struct {
		name string
		cert *x509.Certificate
		host string
		want bool
	}{
		{"SAN exact", san, "sipedge.contoso.com", true},
		{"SAN case-insensitive", san, "webconf.contoso.com", true},
		{"SAN trailing dot", san, "sipedge.contoso.com.", true},
		{"SNI not named", san, "sip.contoso.com", false},
		{"wildcard one label", san, "sip.tailspin.example", true},
		{"wildcard not two labels", san, "a.sip.tailspin.example", false},
		{"wildcard not the bare domain", san, "tailspin.example", false},
		{"CN when no SAN", cnOnly, "sip.fabrikam.com", true},
		{"CN ignored with SANs", &x509.Certificate{Subject: pkix.Name{CommonName: "a.example"}, DNSNames: []string{"b.example"}}, "a.example", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := certCovers(tt.cert, tt.host); got != tt.want {
				t.Errorf("certCovers(%s, %q) = %v, want %v", tt.name, tt.host, got, tt.want)
			}
		})
	}
}

func TestInDomainAndHosting(t *testing.T) {
	tests := []struct {
		target, domain string
		in, hosting    bool
	}{
		{"sip.contoso.com", "contoso.com", true, false},
		{"contoso.com.", "contoso.com", true, false},
		{"sip.fabrikam-hosting.net", "contoso.com", false, false},
		{"notcontoso.com", "contoso.com", false, false},
		{"sipfed.online.lync.com", "contoso.com", false, true},
		{"SIPDIR.online.lync.com.", "contoso.com", false, true},
	}
	for _, tt := range tests {
		if got := inDomain(tt.target, tt.domain); got != tt.in {
			t.Errorf("inDomain(%q, %q) = %v, want %v", tt.target, tt.domain, got, tt.in)
		}
		if got := knownHostingTarget(tt.target); got != tt.hosting {
			t.Errorf("knownHostingTarget(%q) = %v, want %v", tt.target, got, tt.hosting)
		}
	}
}

func TestClassifyName(t *testing.T) {
	relays := map[string]bool{"euaz.tr.teams.microsoft.com": true}
	tests := []struct {
		name, domain string
		watched      bool
	}{
		{"_sipinternaltls._tcp.contoso.com", "contoso.com", true},
		{"_sip._tls.contoso.com", "contoso.com", true},
		{"_sipfederationtls._tcp.contoso.com", "contoso.com", true},
		{"lyncdiscoverinternal.contoso.com", "contoso.com", true},
		{"lyncdiscover.contoso.com", "contoso.com", true},
		{"sip.cybercity.dk", "cybercity.dk", true},
		{"euaz.tr.teams.microsoft.com", "euaz.tr.teams.microsoft.com", true},
		{"_sip._udp.sip.cybercity.dk", "", false},
		{"wpad.contoso.com", "", false},
		{"sipinternaltls.contoso.com", "", false},
	}
	for _, tt := range tests {
		_, domain, ok := classify(tt.name, relays)
		if ok != tt.watched || domain != tt.domain {
			t.Errorf("classify(%q) = %q, %v; want %q, %v", tt.name, domain, ok, tt.domain, tt.watched)
		}
	}
}
