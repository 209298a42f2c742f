package main

import (
	"fmt"
	"time"

	"github.com/icediag/icediag/decode/synth"
)

// buildDNSAutodiscover builds fail-dns-autodiscover.pcap on the LAN of a
// Lync client (10.0.1.20) signing in automatically with the internal DNS
// server 10.0.0.2. It tries the names in the client's order:
//  1. lyncdiscoverinternal.contoso.com A, sent twice, never answered (the
//     server drops it);
//  2. _sipinternaltls._tcp.contoso.com SRV: NXDOMAIN (the record was never
//     published internally);
//  3. _sip._tls.contoso.com SRV: SERVFAIL (the forwarder to public DNS
//     fails);
//  4. wpad.contoso.com A: NXDOMAIN (not a Lync name: no finding);
//  5. sip.contoso.com A: answered 10.0.0.5, the Front End; AAAA: NOERROR
//     with no record (normal for an IPv4-only host).
//
// Expected findings: dns-failure (warning) for the first three, each
// saying the client fell back to sip.contoso.com; none for wpad and sip.
func buildDNSAutodiscover() ([]byte, error) {
	sc := newScene("10.0.1.20")
	server := ep("10.0.0.2:53")
	port := uint16(53100)
	lookup := func(step time.Duration, id uint16, name string, qtype uint16, answer []byte, retries ...time.Duration) {
		client := ep(fmt.Sprintf("10.0.1.20:%d", port))
		port++
		sc.udp(step, client, server, dnsQuery(id, name, qtype))
		for _, r := range retries {
			sc.udp(r, client, server, dnsQuery(id, name, qtype))
		}
		if answer != nil {
			sc.udp(ms(3), server, client, answer)
		}
	}
	lookup(0, 0x4c01, "lyncdiscoverinternal.contoso.com", dnsA, nil, ms(1000))
	lookup(ms(1000), 0x4c02, "_sipinternaltls._tcp.contoso.com", dnsSRV,
		dnsAnswer(0x4c02, "_sipinternaltls._tcp.contoso.com", dnsSRV, rcodeNXDomain))
	lookup(ms(20), 0x4c03, "_sip._tls.contoso.com", dnsSRV,
		dnsAnswer(0x4c03, "_sip._tls.contoso.com", dnsSRV, rcodeServFail), ms(2000))
	lookup(ms(15), 0x4c04, "wpad.contoso.com", dnsA, dnsAnswer(0x4c04, "wpad.contoso.com", dnsA, rcodeNXDomain))
	lookup(ms(10), 0x4c05, "sip.contoso.com", dnsA, dnsAnswer(0x4c05, "sip.contoso.com", dnsA, rcodeOK, rrA("10.0.0.5")))
	lookup(ms(1), 0x4c06, "sip.contoso.com", dnsAAAA, dnsAnswer(0x4c06, "sip.contoso.com", dnsAAAA, rcodeOK))
	// the client goes on to the Front End: its TLS connection's SYN
	c := synth.NewTCPConn(ep("10.0.1.20:50430"), ep("10.0.0.5:5061"), 0x4c0a0001, 0x0fe00001)
	sc.tcp(ms(2), c.SYN())
	sc.tcp(ms(1), c.SYNACK())
	sc.tcp(ms(1), c.ACK(c.Client))
	return sc.pcap(synth.LinkTypeEthernet)
}

// buildDNSSRVHosting builds fail-dns-srv-hosting.pcap on the external NIC
// of an Access Edge (203.0.113.5) resolving federation partners through
// the public resolver 192.0.2.53:
//   - _sipfederationtls._tcp.contoso.com SRV 0 0 5061
//     sip.fabrikam-hosting.net: a target outside contoso.com that is no
//     known hosting provider (finding);
//   - _sipfederationtls._tcp.fabrikam.com SRV 100 1 5061
//     sipfed.online.lync.com: Microsoft 365, a known hosting target;
//   - _sipfederationtls._tcp.northwind.example SRV 0 0 5061
//     sip.northwind.example: inside the domain;
//   - then the A record of sip.fabrikam-hosting.net.
//
// Expected findings: dns-srv-mismatch (error) for contoso.com only.
func buildDNSSRVHosting() ([]byte, error) {
	sc := newScene("203.0.113.5")
	edge, resolver := ep("203.0.113.5:61001"), ep("192.0.2.53:53")
	ask := func(step time.Duration, id uint16, name string, qtype uint16, answers ...rr) {
		sc.udp(step, edge, resolver, dnsQuery(id, name, qtype))
		sc.udp(ms(24), resolver, edge, dnsAnswer(id, name, qtype, rcodeOK, answers...))
	}
	ask(0, 0x7a01, "_sipfederationtls._tcp.contoso.com", dnsSRV, rrSRV(0, 0, 5061, "sip.fabrikam-hosting.net"))
	ask(ms(400), 0x7a02, "_sipfederationtls._tcp.fabrikam.com", dnsSRV, rrSRV(100, 1, 5061, "sipfed.online.lync.com"))
	ask(ms(300), 0x7a03, "_sipfederationtls._tcp.northwind.example", dnsSRV, rrSRV(0, 0, 5061, "sip.northwind.example"))
	ask(ms(5), 0x7a04, "sip.fabrikam-hosting.net", dnsA, rrA("192.0.2.80"))
	return sc.pcap(synth.LinkTypeEthernet)
}

// tlsConn is one crafted TLS connection: SNI asked for, the server's
// identity (nil for a TLS 1.3 server) and how the client ends it.
type tlsConn struct {
	client, server string
	sni            string
	id             *synth.TLSIdentity
	alert          byte // TLS alert the client sends after the flight (0: none, the handshake goes on)
}

// play records the connection: TCP handshake, ClientHello, the server's
// flight cut into 700-byte records carried in 500-byte segments, then the
// client's alert or its ChangeCipherSpec, and FIN.
func (t tlsConn) play(sc *scene, seed string, isn uint32) {
	c := synth.NewTCPConn(ep(t.client), ep(t.server), isn, isn^0x5E5E0000)
	sc.tcp(ms(3), c.SYN())
	sc.tcp(ms(18), c.SYNACK())
	sc.tcp(ms(1)/5, c.ACK(c.Client))
	sc.tcp(ms(1), c.Send(c.Client, clientHello(fixed32(seed+"/client-random"), t.sni))...)
	if t.id == nil {
		flight := serverHello13(fixed32(seed+"/server-random"), fixed32(seed+"/session"))
		flight = append(flight, tlsRecord(0x14, 0x0303, []byte{1})...)
		enc := fixed32(seed + "/encrypted")
		flight = append(flight, tlsRecord(0x17, 0x0303, append(enc[:], enc[:]...))...)
		sc.tcp(ms(19), c.Send(c.Server, flight)...)
	} else {
		flight := synth.TLSServerFlight(*t.id, fixed32(seed+"/client-random"), fixed32(seed+"/server-random"), fixed32(seed+"/session"))
		sc.tcp(ms(19), c.Send(c.Server, splitRecords(flight, 700), 500, 500, 500)...)
	}
	if t.alert != 0 {
		sc.tcp(ms(2), c.Send(c.Client, tlsRecord(0x15, 0x0303, []byte{2, t.alert}))...)
	} else {
		sc.tcp(ms(2), c.Send(c.Client, tlsRecord(0x14, 0x0303, []byte{1}))...)
	}
	sc.tcp(ms(1), c.FIN(c.Client))
	sc.tcp(ms(18), c.FIN(c.Server))
	sc.tcp(ms(1)/5, c.ACK(c.Client))
}

// buildTLSCertificates builds fail-tls-certificate.pcap on the external
// NIC of an Access Edge (203.0.113.5) that federates over 5061 and serves
// remote users on 443. Each server's flight (ServerHello, Certificate,
// ServerKeyExchange, ServerHelloDone) is cut into several records and TCP
// segments, so the certificate must be reassembled:
//  1. to partner 192.0.2.30:5061 asking for sip.contoso.com: the
//     certificate names sipedge.contoso.com and webconf.contoso.com only;
//     the Edge sends a bad_certificate alert;
//  2. to partner 192.0.2.40:5061 asking for sip.fabrikam.com: the
//     certificate expired on 2025-02-01; certificate_expired alert;
//  3. remote user 198.51.100.7 to this Edge's 443 asking for
//     sip.tailspin.example: CN *.tailspin.example (a wildcard on the
//     Access Edge) with the SAN list covering the name;
//  4. to partner 192.0.2.60:5061 asking for sip.northwind.example: a
//     single self-signed certificate naming it;
//  5. to partner 192.0.2.70:5061 asking for sip.woodgrove.example: a valid
//     CA-issued certificate naming it (no finding);
//  6. to partner 192.0.2.75:5061 asking for sip.litware.example: TLS 1.3,
//     certificate encrypted (no finding).
//
// Expected findings: tls-certificate-problem: name mismatch (error),
// expired (error), wildcard CN on the Access Edge (warning), self-signed
// (warning).
func buildTLSCertificates() ([]byte, error) {
	year := func(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }
	specs := []certSpec{
		{seed: "cert/contoso", cn: "sipedge.contoso.com", sans: []string{"sipedge.contoso.com", "webconf.contoso.com"}, notBefore: year(2025, 9), notAfter: year(2026, 9)},
		{seed: "cert/fabrikam", cn: "sip.fabrikam.com", sans: []string{"sip.fabrikam.com"}, notBefore: year(2024, 2), notAfter: year(2025, 2)},
		{seed: "cert/tailspin", cn: "*.tailspin.example", sans: []string{"*.tailspin.example", "tailspin.example"}, notBefore: year(2025, 11), notAfter: year(2026, 11)},
		{seed: "cert/northwind", cn: "sip.northwind.example", sans: []string{"sip.northwind.example"}, notBefore: year(2026, 1), notAfter: year(2027, 1), selfSigned: true},
		{seed: "cert/woodgrove", cn: "sip.woodgrove.example", sans: []string{"sip.woodgrove.example"}, notBefore: year(2025, 6), notAfter: year(2026, 6)},
	}
	ids := make([]synth.TLSIdentity, len(specs))
	for i, s := range specs {
		id, err := identity(s)
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	conns := []tlsConn{
		{"203.0.113.5:61010", "192.0.2.30:5061", "sip.contoso.com", &ids[0], 42},
		{"203.0.113.5:61011", "192.0.2.40:5061", "sip.fabrikam.com", &ids[1], 45},
		{"198.51.100.7:50440", "203.0.113.5:443", "sip.tailspin.example", &ids[2], 0},
		{"203.0.113.5:61012", "192.0.2.60:5061", "sip.northwind.example", &ids[3], 0},
		{"203.0.113.5:61013", "192.0.2.70:5061", "sip.woodgrove.example", &ids[4], 0},
		{"203.0.113.5:61014", "192.0.2.75:5061", "sip.litware.example", nil, 0},
	}
	sc := newScene("203.0.113.5")
	for i, t := range conns {
		t.play(sc, fmt.Sprintf("tls-certificate/%d", i), 0x7C000001+uint32(i)<<20)
	}
	return sc.pcap(synth.LinkTypeEthernet)
}
