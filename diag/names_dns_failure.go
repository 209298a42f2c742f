package diag

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/icediag/icediag/decode"
)

// dnsAnswerWait is how long the capture must go on after a query before a
// missing response counts as no answer (a resolver's first retry comes
// after 1-5 s).
const dnsAnswerWait = 3 * time.Second

// watchedName is a kind of name whose resolution a Lync, Skype for Business
// or Teams deployment depends on (seeds/001, DIAGNOSES.md "dns-failure").
type watchedName struct {
	prefix  string // owner name prefix, "" for the relay's name
	purpose string
	remedy  string // %[1]s is the domain after the prefix
}

// watchedNames lists the prefixes in the order clients try them.
var watchedNames = []watchedName{
	{"lyncdiscoverinternal.", "the internal Autodiscover host that Lync 2013 and later clients query first",
		"Publish lyncdiscoverinternal.%[1]s in the internal DNS (A or CNAME to the internal web services of the pool) with the name on the pool's web certificate; if Autodiscover is not deployed the clients fall back to the SRV records, so check those."},
	{"lyncdiscover.", "the external Autodiscover host clients and mobile devices query",
		"Publish lyncdiscover.%[1]s in public DNS (A or CNAME to the reverse proxy) and add the name to the reverse proxy certificate."},
	{"_sipinternaltls._tcp.", "the SRV record clients inside the network use to find their pool when they configure themselves",
		"Publish _sipinternaltls._tcp.%[1]s SRV 0 0 5061 <pool FQDN> in the internal DNS zone, with the target in %[1]s and on the pool certificate; outside the network this record is expected to be missing."},
	{"_sip._tls.", "the SRV record clients outside the network use to find the Access Edge",
		"Publish _sip._tls.%[1]s SRV 0 0 443 <Access Edge FQDN> in public DNS, with the target inside %[1]s and on the Access Edge certificate."},
	{"_sipfederationtls._tcp.", "the SRV record federation partners' Edge servers use to find this domain's Access Edge",
		"Publish _sipfederationtls._tcp.%[1]s SRV 0 0 5061 <Access Edge FQDN> in public DNS, and make sure the Edge's own resolvers reach public DNS."},
	{"sipinternal.", "a fallback host name clients try inside the network when no SRV record answers",
		"Harmless if an SRV record or Autodiscover answered; otherwise publish sipinternal.%[1]s or, better, the SRV records."},
	{"sipexternal.", "a fallback host name clients try from outside when no SRV record answers",
		"Harmless if an SRV record or Autodiscover answered; otherwise publish sipexternal.%[1]s or, better, the SRV records."},
	{"sip.", "the fallback host name clients try when no SRV record answers",
		"Publish sip.%[1]s (A record of the Access Edge or the pool) or, better, the SRV records, and put the name on the certificate."},
}

// relayName is the watched name of a TURN server's host name.
var relayName = watchedName{purpose: "the host name of a TURN relay the capture shows answering (the A/V Edge or a Teams relay)",
	remedy: "Check that every client's DNS server resolves the relay's name (split DNS: internal and external views must both carry the Edge's public A/V FQDN), and that the resolvers forward to public DNS."}

// classify returns the watched kind of name and the domain after its
// prefix; relays are the names that resolved to a relay's address.
func classify(name string, relays map[string]bool) (watchedName, string, bool) {
	for _, w := range watchedNames {
		if strings.HasPrefix(name, w.prefix) && len(name) > len(w.prefix) {
			return w, name[len(w.prefix):], true
		}
	}
	if relays[name] {
		return relayName, name, true
	}
	return watchedName{}, "", false
}

// nameGroup is one client's lookups of one watched name.
type nameGroup struct {
	client  netip.Addr
	name    string
	kind    watchedName
	domain  string
	lookups []*decode.DNSLookup
}

// dnsFailure reports watched names a client could not resolve: NXDOMAIN,
// SERVFAIL or another error, an SRV question answered with no record, or
// queries with no response although the capture went on (DIAGNOSES.md
// "dns-failure", RFC 1035 §4.1.1, RFC 2308).
func dnsFailure(in *Input) []Finding {
	names := in.names()
	if names == nil {
		return nil
	}
	lookups := names.DNSLookups()
	relays := relayHostNames(in, lookups)
	var order []string
	groups := map[string]*nameGroup{}
	for i := range lookups {
		l := &lookups[i]
		kind, domain, ok := classify(l.Name, relays)
		if !ok {
			continue
		}
		key := l.Client.Addr().String() + " " + l.Name
		g := groups[key]
		if g == nil {
			g = &nameGroup{client: l.Client.Addr(), name: l.Name, kind: kind, domain: domain}
			groups[key] = g
			order = append(order, key)
		}
		g.lookups = append(g.lookups, l)
	}
	var out []Finding
	for _, k := range order {
		if f, ok := in.dnsFailureFinding(groups[k], lookups); ok {
			out = append(out, f)
		}
	}
	return out
}

// relayHostNames returns the names whose answers hold the address of a relay.
func relayHostNames(in *Input, lookups []decode.DNSLookup) map[string]bool {
	out := map[string]bool{}
	for _, l := range lookups {
		for _, r := range l.Answers {
			if r.Addr.IsValid() && in.Net.IsEdge(r.Addr) {
				out[l.Name] = true
			}
		}
	}
	return out
}

// resolved reports whether a lookup got records back.
func resolved(l *decode.DNSLookup) bool {
	return l.Answered && l.Rcode == decode.DNSRcodeNoError && len(l.Answers) > 0
}

// failures describes what went wrong in a group's lookups ("" when nothing
// did, or the name resolved at least once).
func (in *Input) failures(g *nameGroup) (string, bool) {
	rcodes := map[string]int{}
	empty, silent, silentQueries := 0, 0, 0
	for _, l := range g.lookups {
		switch {
		case resolved(l):
			return "", false
		case l.Answered && l.Rcode != decode.DNSRcodeNoError:
			rcodes[decode.DNSRcodeName(l.Rcode)]++
		case l.Answered && l.Type == decode.DNSTypeSRV:
			empty++
		case !l.Answered && in.Stats.Last.Sub(l.QueryTime) >= dnsAnswerWait:
			silent++
			silentQueries += l.Queries
		}
	}
	var parts []string
	codes := make([]string, 0, len(rcodes))
	for c := range rcodes {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		parts = append(parts, countOf(rcodes[c], c+" response", c+" responses"))
	}
	if empty > 0 {
		parts = append(parts, countOf(empty, "empty SRV answer", "empty SRV answers"))
	}
	if silent > 0 {
		parts = append(parts, "no response to "+countOf(silentQueries, "query", "queries"))
	}
	return strings.Join(parts, ", "), len(parts) > 0
}

// countOf writes n and the singular or plural noun.
func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func (in *Input) dnsFailureFinding(g *nameGroup, all []decode.DNSLookup) (Finding, bool) {
	what, ok := in.failures(g)
	if !ok {
		return Finding{}, false
	}
	first := g.lookups[0]
	f := Finding{Severity: Warning, Remedy: fmt.Sprintf(g.kind.remedy, g.domain),
		Title: fmt.Sprintf("DNS lookup of %s by %s failed: %s", g.name, g.client, what)}
	types := map[string]bool{}
	var typeList []string
	for _, l := range g.lookups {
		if t := decode.DNSTypeName(l.Type); !types[t] {
			types[t] = true
			typeList = append(typeList, t)
		}
		in.lookupEvidence(&f.Evidence, l)
	}
	f.Detail = fmt.Sprintf("%s asked %s for %s (%s), %s. It never got a record back: %s.",
		g.client, first.Server, g.name, strings.Join(typeList, ", "), g.kind.purpose, what)
	if !serverAnswers(all, first.Client.Addr(), first.Server) {
		f.Detail += fmt.Sprintf(" The capture shows no DNS response from %s to this client at all: either the server does not answer or the capture does not see that direction.", first.Server)
	}
	if fb := fallback(all, g); fb != nil {
		f.Detail += fmt.Sprintf(" The client then resolved %s (frame %d), so it could fall back; the failed lookup still costs time at every sign-in and may send it to a different server.", fb.Name, fb.Response.Frame)
	}
	if g.kind.prefix == srvFederation {
		f.MSEquivalent = "ms-diagnostics 1008 (Unable to resolve DNS SRV record) or 1014 (Unable to resolve DNS A record) at the Edge"
	}
	return f, true
}

// serverAnswers reports whether server sent client any DNS response.
func serverAnswers(all []decode.DNSLookup, client netip.Addr, server netip.AddrPort) bool {
	for i := range all {
		if all[i].Answered && all[i].Client.Addr() == client && all[i].Server == server {
			return true
		}
	}
	return false
}

// fallback returns the first lookup by the same client, after the group's
// first lookup, of another watched Lync name that resolved.
func fallback(all []decode.DNSLookup, g *nameGroup) *decode.DNSLookup {
	start := g.lookups[0].QueryTime
	for i := range all {
		l := &all[i]
		if l.Client.Addr() != g.client || l.Name == g.name || !resolved(l) || l.ResponseTime.Before(start) {
			continue
		}
		if _, _, ok := classify(l.Name, nil); ok {
			return l
		}
	}
	return nil
}
