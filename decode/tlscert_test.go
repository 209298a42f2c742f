package decode

import (
	"errors"
	"testing"

	"github.com/icediag/icediag/decode/synth"
	"github.com/icediag/icediag/decode/wire"
)

// certMessages returns the Certificate messages the decoder emitted for a
// capture.
func certMessages(t testing.TB, path string) [][]byte {
	t.Helper()
	var out [][]byte
	_, err := Run([]string{path}, Options{}, func(ev *Event) {
		if ev.Kind == KindTLSCertificate {
			out = append(out, append([]byte(nil), ev.Payload...))
		}
	})
	if err != nil {
		t.Fatalf("Run(%q) = %v", path, err)
	}
	return out
}

func TestCertificateMessage(t *testing.T) {
	real := certMessages(t, publicPath("ntop-nDPI__teams.pcap"))
	if len(real) != 36 {
		t.Fatalf("certificate messages in ntop-nDPI__teams.pcap = %d, want 36", len(real))
	}
	chain, bad, err := ParseCertificateChain(real[0])
	if err != nil || bad != 0 || len(chain) != 2 {
		t.Fatalf("ParseCertificateChain(teams #26) = %d certs, %d bad, %v; want 2, 0, nil", len(chain), bad, err)
	}
	if cn := chain[0].Subject.CommonName; cn != "teams.microsoft.com" {
		t.Errorf("leaf CN = %q, want teams.microsoft.com", cn)
	}
	if chain[0].Issuer.String() != chain[1].Subject.String() {
		t.Errorf("leaf issuer %q is not the second certificate %q", chain[0].Issuer, chain[1].Subject)
	}
	u24 := func(n int) []byte { return []byte{byte(n >> 16), byte(n >> 8), byte(n)} }
	msg := func(list []byte) []byte {
		b := append([]byte{11}, u24(len(list)+3)...)
		return append(append(b, u24(len(list))...), list...)
	}
	var many []byte
	for range MaxChainLength + 1 {
		many = append(many, 0, 0, 1, 0x30)
	}
	tests := []struct {
		name string
		msg  []byte
		n    int
		want error
	}{
		{"real", real[0], 2, nil},
		{"empty list", msg(nil), 0, nil},
		{"short", []byte{11, 0, 0}, 0, errCertHeader},
		{"not a certificate", append([]byte{12}, real[0][1:]...), 0, errCertType},
		{"length past end", real[0][:len(real[0])-1], 0, errCertLen},
		{"list length off", append(append([]byte{11}, u24(5)...), 0, 0, 1, 0, 0), 0, errCertList},
		{"zero-length entry", msg([]byte{0, 0, 0}), 0, errCertEntry},
		{"entry past list", msg([]byte{0, 0, 9, 1}), 0, errCertEntry},
		{"too many", msg(many), 0, errCertMany},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ders, err := CertificateMessage(tt.msg)
			if !errors.Is(err, tt.want) || len(ders) != tt.n {
				t.Errorf("CertificateMessage(%s) = %d certs, %v; want %d, %v", tt.name, len(ders), err, tt.n, tt.want)
			}
		})
	}
}

// TestServerCertificatesCrafted reads the crafted certificate capture,
// whose flights span records and segments: five TLS 1.2 certificates with
// the names the clients asked for, nothing from the TLS 1.3 server.
func TestServerCertificatesCrafted(t *testing.T) {
	r, st := runFile(t, craftedPath("fail-tls-certificate.pcap"))
	if got := r.frames(KindTLSCertificate); len(got) != 5 {
		t.Errorf("certificate events at frames %v, want 5", got)
	}
	want := []struct{ server, sni, cn string }{
		{"192.0.2.30:5061", "sip.contoso.com", "sipedge.contoso.com"},
		{"192.0.2.40:5061", "sip.fabrikam.com", "sip.fabrikam.com"},
		{"203.0.113.5:443", "sip.tailspin.example", "*.tailspin.example"},
		{"192.0.2.60:5061", "sip.northwind.example", "sip.northwind.example"},
		{"192.0.2.70:5061", "sip.woodgrove.example", "sip.woodgrove.example"},
	}
	got := st.Names.ServerCertificates()
	if len(got) != len(want) {
		t.Fatalf("ServerCertificates() = %d, want %d", len(got), len(want))
	}
	for i, w := range want {
		c := got[i]
		if c.Server.String() != w.server || c.SNI != w.sni || c.Chain[0].Subject.CommonName != w.cn || c.Version != 0x0303 {
			t.Errorf("certificate %d = %s %q %q v%04x, want %+v", i, c.Server, c.SNI, c.Chain[0].Subject.CommonName, c.Version, w)
		}
	}
	if n := len(got[3].Chain); n != 1 {
		t.Errorf("self-signed chain length = %d, want 1", n)
	}
	if n := problemCount(st, "tls", ""); n != 0 {
		t.Errorf("tls problems = %d, want 0", n)
	}
}

// TestServerCertificatesPublic checks the table on the real captures with
// TLS: every handshake with a certificate is read, connections to the same
// server with the same certificate and name fold together.
func TestServerCertificatesPublic(t *testing.T) {
	tests := []struct {
		capture       string
		entries, conn int
	}{
		{"ntop-nDPI__teams.pcap", 21, 36},
		{"ntop-nDPI__webex.pcap", 20, 28},
		{"ntop-nDPI__lru_ipv6_caches.pcapng", 1, 3},
	}
	for _, tt := range tests {
		t.Run(tt.capture, func(t *testing.T) {
			_, st := runFile(t, publicPath(tt.capture))
			certs := st.Names.ServerCertificates()
			conns := 0
			for _, c := range certs {
				conns += c.Connections
			}
			if len(certs) != tt.entries || conns != tt.conn {
				t.Errorf("ServerCertificates() = %d entries, %d connections; want %d, %d", len(certs), conns, tt.entries, tt.conn)
			}
		})
	}
}

// TestHandshakeBound feeds a server flight whose Certificate message would
// exceed MaxHandshakeBytes: it is counted and not read.
func TestHandshakeBound(t *testing.T) {
	cli, srv := ap("10.0.1.20:50500"), ap("192.0.2.30:5061")
	c := synth.NewTCPConn(cli, srv, 1000, 9000)
	hello := make([]byte, 4+38)
	hello[0], hello[3], hello[4], hello[5] = 1, 38, 3, 3
	rec := func(body []byte) []byte {
		return append([]byte{22, 3, 3, byte(len(body) >> 8), byte(len(body))}, body...)
	}
	server := make([]byte, 4+38)
	server[0], server[3], server[4], server[5] = 2, 38, 3, 3
	flight := rec(append(server, 11, 0x01, 0x20, 0x00)) // Certificate of 73728 bytes follows
	for range 5 {
		flight = append(flight, rec(make([]byte, 16000))...)
	}
	pkts := append(c.Handshake(), c.Send(cli, rec(hello))...)
	pkts = append(pkts, c.Send(srv, flight)...)
	r, st := feed(t, Options{}, ethFrames(0, pkts...))
	if n := problemCount(st, "tls", "handshake larger than 64 KiB"); n != 1 {
		t.Errorf("handshakes over the bound = %d, want 1", n)
	}
	if got := r.frames(KindTLSCertificate); len(got) != 0 {
		t.Errorf("certificate events = %v, want none", got)
	}
}

// FuzzCertificateMessage checks that the Certificate message parser and
// the X.509 parsing behind it never panic. Seeds: real messages of the
// public and crafted captures.
func FuzzCertificateMessage(f *testing.F) {
	for _, m := range certMessages(f, publicPath("ntop-nDPI__lru_ipv6_caches.pcapng")) {
		f.Add(m)
	}
	for _, m := range certMessages(f, craftedPath("fail-tls-certificate.pcap")) {
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ders, err := CertificateMessage(b)
		if err != nil {
			var pe *wire.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("CertificateMessage error %v is not a ParseError", err)
			}
			return
		}
		if len(ders) > MaxChainLength {
			t.Fatalf("CertificateMessage returned %d certificates", len(ders))
		}
		chain, bad, err := ParseCertificateChain(b)
		if err != nil || len(chain)+bad > len(ders) {
			t.Fatalf("ParseCertificateChain = %d + %d bad, %v of %d", len(chain), bad, err, len(ders))
		}
	})
}
