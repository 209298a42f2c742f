package diag

import "strings"

// knownHostingTargets are SRV targets outside a customer's SIP domain that
// federation partners and auto-configuring clients accept anyway, because
// Skype for Business and Lync servers list them as hosting providers out of
// the box. The one list of them; sources:
//   - Microsoft 365 (Skype for Business Online) DNS records a customer
//     domain publishes: _sip._tls.<domain> SRV 100 1 443
//     sipdir.online.lync.com and _sipfederationtls._tcp.<domain> SRV 100 1
//     5061 sipfed.online.lync.com ("External Domain Name System records for
//     Office 365", Microsoft Learn);
//   - the field article on many SIP domains (../seeds/001): a federation SRV
//     record in another domain works only for sipfed.online.lync.com,
//     which most deployments have configured as a hosting provider.
var knownHostingTargets = []string{
	"sipdir.online.lync.com",
	"sipfed.online.lync.com",
}

// knownHostingTarget reports whether an SRV target is a known hosting
// provider's name.
func knownHostingTarget(target string) bool {
	target = strings.ToLower(strings.TrimSuffix(target, "."))
	for _, h := range knownHostingTargets {
		if target == h {
			return true
		}
	}
	return false
}
