package main

// The frame counts tshark must find in the DNS and certificate captures
// (pcaps/crafted/README.md); TestTsharkFailureCaptures checks them.
func init() {
	failureCounts["fail-dns-autodiscover.pcap"] = []frameCount{
		{"dns.flags.response == 0", 8},
		{`dns.qry.name == "lyncdiscoverinternal.contoso.com" && dns.flags.response == 1`, 0},
		{"dns.flags.rcode == 3", 2},
		{"dns.flags.rcode == 2", 1},
		{"dns.a == 10.0.0.5", 1},
	}
	failureCounts["fail-dns-srv-hosting.pcap"] = []frameCount{
		{"dns.flags.response == 1", 4},
		{`dns.srv.target == "sip.fabrikam-hosting.net" && dns.srv.port == 5061`, 1},
		{`dns.srv.target == "sipfed.online.lync.com"`, 1},
	}
	failureCounts["fail-tls-certificate.pcap"] = []frameCount{
		{"tls.handshake.type == 2", 6},
		{"tls.handshake.type == 11", 5},
		{`tls.handshake.extensions_server_name == "sip.contoso.com"`, 1},
		{`x509ce.dNSName == "webconf.contoso.com"`, 1},
		{"tls.alert_message.desc == 42", 1},
		{"tls.alert_message.desc == 45", 1},
		{"tls.handshake.extensions.supported_version == 0x0304", 1},
	}
}
