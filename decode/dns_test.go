package decode

import (
	"encoding/hex"
	"errors"
	"net/netip"
	"testing"

	"github.com/icediag/icediag/decode/synth"
	"github.com/icediag/icediag/decode/wire"
)

// Real DNS messages (UDP payloads) from the public captures: the frame
// numbers are those Wireshark shows.
var (
	// ntop-nDPI__teams.pcap #714: A query for euaz.tr.teams.microsoft.com.
	dnsTeamsQuery = "54aa01000001000000000000046575617a027472057465616d73096d6963726f736f667403636f6d0000010001"
	// ntop-nDPI__teams.pcap #728: its answer, two CNAMEs and the A record of
	// the Teams relay 52.114.250.123, all owner names compressed.
	dnsTeamsAnswer = "54aa81800001000300000000046575617a027472057465616d73096d6963726f736f667403636f6d0000010001c00c0005000100000ba00022046575617a027472057465616d730e747261666669636d616e61676572036e657400c0390005000100000000003012622d74722d7465616d732d65756e6f2d30350b6e6f7274686575726f706508636c6f756461707005617a757265c024c067000100010000000a00043472fa7b"
	// ntop-nDPI__teams.pcap #249: NXDOMAIN for a PTR query, with an SOA in
	// the authority section.
	dnsTeamsNX = "a74b818300010000000100000162075f646e732d7364045f756470046e746f70036f726700000c0001c01b000600010000003b002905646e73646fc01b0a706f73746d6173746572c01b7866f3640000a8c000001c200024ea0000000258"
	// ntop-nDPI__teams.pcap #720: AAAA answer through a CNAME.
	dnsTeamsAAAA = "f401818000010002000000000f74726f75746572322d617373652d610774726f75746572057465616d73096d6963726f736f667403636f6d00001c0001c00c0005000100000d8b001e0f74726f75746572322d617373652d6108636c6f7564617070036e657400c049001c00010000000500102a010111f1007000000000006fdd54a1"
	// sngrep__aaa.pcap #9: A answer for sip.cybercity.dk with NS and glue.
	dnsSngrepAnswer = "b2d081800001000100020001037369700963796265726369747902646b0000010001c00c000100010000012c0004d4f22123c01000020001000000890006036e7332c010c01000020001000000890006036e7331c010c05000010001000000890004d4f229f8"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDNSDecodeReal(t *testing.T) {
	tests := []struct {
		name, msg    string
		resp         bool
		rcode        uint8
		qname        string
		qtype        uint16
		nAns         int
		lastTarget   string
		lastAddr     string
		firstCNAME   string
		answerOwner0 string
	}{
		{"teams query", dnsTeamsQuery, false, 0, "euaz.tr.teams.microsoft.com", DNSTypeA, 0, "", "", "", ""},
		{"teams relay answer", dnsTeamsAnswer, true, 0, "euaz.tr.teams.microsoft.com", DNSTypeA, 3, "", "52.114.250.123", "euaz.tr.teams.trafficmanager.net", "euaz.tr.teams.microsoft.com"},
		{"teams NXDOMAIN", dnsTeamsNX, true, DNSRcodeNXDomain, "b._dns-sd._udp.ntop.org", DNSTypePTR, 0, "", "", "", ""},
		{"teams AAAA", dnsTeamsAAAA, true, 0, "trouter2-asse-a.trouter.teams.microsoft.com", DNSTypeAAAA, 2, "", "2a01:111:f100:7000::6fdd:54a1", "trouter2-asse-a.cloudapp.net", "trouter2-asse-a.trouter.teams.microsoft.com"},
		{"sngrep answer", dnsSngrepAnswer, true, 0, "sip.cybercity.dk", DNSTypeA, 1, "", "212.242.33.35", "", "sip.cybercity.dk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m DNSMessage
			if err := m.Decode(unhex(t, tt.msg)); err != nil {
				t.Fatalf("Decode(%s) = %v, want nil", tt.name, err)
			}
			if m.Response != tt.resp || m.Rcode != tt.rcode {
				t.Errorf("Decode(%s) response, rcode = %v, %d, want %v, %d", tt.name, m.Response, m.Rcode, tt.resp, tt.rcode)
			}
			if len(m.Questions) != 1 || m.Questions[0].Name != tt.qname || m.Questions[0].Type != tt.qtype {
				t.Fatalf("Decode(%s) questions = %+v, want %s %s", tt.name, m.Questions, tt.qname, DNSTypeName(tt.qtype))
			}
			if len(m.Answers) != tt.nAns {
				t.Fatalf("Decode(%s) answers = %d, want %d", tt.name, len(m.Answers), tt.nAns)
			}
			if tt.nAns == 0 {
				return
			}
			if m.Answers[0].Name != tt.answerOwner0 {
				t.Errorf("Decode(%s) first owner = %q, want %q", tt.name, m.Answers[0].Name, tt.answerOwner0)
			}
			if tt.firstCNAME != "" && m.Answers[0].Target != tt.firstCNAME {
				t.Errorf("Decode(%s) first CNAME = %q, want %q", tt.name, m.Answers[0].Target, tt.firstCNAME)
			}
			if last := m.Answers[len(m.Answers)-1]; last.Addr != netip.MustParseAddr(tt.lastAddr) {
				t.Errorf("Decode(%s) last address = %v, want %s", tt.name, last.Addr, tt.lastAddr)
			}
		})
	}
}

// dnsSRVAnswer is an SRV answer as a resolver sends it for a federation
// lookup (RFC 2782), the owner name a compression pointer.
func dnsSRVAnswer() []byte {
	b := []byte{0x7a, 0x01, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0}
	b = append(b, "\x11_sipfederationtls\x04_tcp\x07contoso\x03com\x00"...)
	b = append(b, 0, 33, 0, 1)
	target := "\x03sip\x10fabrikam-hosting\x03net\x00"
	b = append(b, 0xC0, 12, 0, 33, 0, 1, 0, 0, 0x0e, 0x10, 0, byte(6+len(target)), 0, 0, 0, 0, 0x13, 0xC5)
	return append(b, target...)
}

func TestDNSDecodeSRV(t *testing.T) {
	var m DNSMessage
	if err := m.Decode(dnsSRVAnswer()); err != nil {
		t.Fatalf("Decode(SRV answer) = %v", err)
	}
	want := DNSRecord{Name: "_sipfederationtls._tcp.contoso.com", Type: DNSTypeSRV, Class: 1, TTL: 3600, Target: "sip.fabrikam-hosting.net", Port: 5061}
	if len(m.Answers) != 1 || m.Answers[0] != want {
		t.Errorf("Decode(SRV answer) answers = %+v, want %+v", m.Answers, want)
	}
}

func TestDNSDecodeErrors(t *testing.T) {
	header := func(qd, an uint16) []byte {
		return []byte{0, 1, 0x81, 0x80, byte(qd >> 8), byte(qd), byte(an >> 8), byte(an), 0, 0, 0, 0}
	}
	tests := []struct {
		name string
		msg  []byte
		want error
	}{
		{"short header", []byte{0, 1, 2}, errDNSHeader},
		{"question missing", header(1, 0), errDNSName},
		{"pointer loop", append(header(1, 0), 0xC0, 12), errDNSPtr},
		{"forward pointer", append(header(1, 0), 0xC0, 14, 0, 0), errDNSPtr},
		{"label type 0x40", append(header(1, 0), 0x41, 'a', 0), errDNSLabel},
		{"label past end", append(header(1, 0), 9, 'a', 'b'), errDNSName},
		{"question type cut", append(header(1, 0), 1, 'a', 0, 0), errDNSQType},
		{"answer cut", append(append(header(1, 1), 1, 'a', 0, 0, 1, 0, 1), 0xC0, 12, 0, 1), errDNSRR},
		{"rdata past end", append(append(header(1, 1), 1, 'a', 0, 0, 1, 0, 1), 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 0, 0, 9, 1), errDNSRData},
		{"A of 3 bytes", append(append(header(1, 1), 1, 'a', 0, 0, 1, 0, 1), 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 0, 0, 3, 1, 2, 3), errDNSRDType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m DNSMessage
			if err := m.Decode(tt.msg); !errors.Is(err, tt.want) {
				t.Errorf("Decode(%x) = %v, want %v", tt.msg, err, tt.want)
			}
		})
	}
	long := header(1, 0)
	for range 40 {
		long = append(long, 7, 'a', 'a', 'a', 'a', 'a', 'a', 'a')
	}
	var m DNSMessage
	if err := m.Decode(append(long, 0, 0, 1, 0, 1)); !errors.Is(err, wire.ErrBadLength) {
		t.Errorf("Decode(320-byte name) = %v, want %v", err, wire.ErrBadLength)
	}
}

func TestDNSNameEscapes(t *testing.T) {
	msg := []byte{0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'a', '.', 0x07, 0, 0, 1, 0, 1}
	var m DNSMessage
	if err := m.Decode(msg); err != nil {
		t.Fatal(err)
	}
	if got, want := m.Questions[0].Name, `a\046\007`; got != want {
		t.Errorf("Decode name = %q, want %q", got, want)
	}
}

// TestDNSLookupsCrafted checks the Names table of the crafted
// autodiscovery capture: retransmissions fold into one lookup, responses
// pair with their query, unanswered queries stay open.
func TestDNSLookupsCrafted(t *testing.T) {
	r, st := runFile(t, craftedPath("fail-dns-autodiscover.pcap"))
	if got := len(r.ofKind(KindDNS)); got != 13 {
		t.Errorf("DNS events = %d, want 13", got)
	}
	type want struct {
		name    string
		queries int
		answer  bool
		rcode   uint8
		records int
	}
	wants := []want{
		{"lyncdiscoverinternal.contoso.com", 2, false, 0, 0},
		{"_sipinternaltls._tcp.contoso.com", 1, true, DNSRcodeNXDomain, 0},
		{"_sip._tls.contoso.com", 2, true, DNSRcodeServFail, 0},
		{"wpad.contoso.com", 1, true, DNSRcodeNXDomain, 0},
		{"sip.contoso.com", 1, true, 0, 1},
		{"sip.contoso.com", 1, true, 0, 0},
	}
	got := st.Names.DNSLookups()
	if len(got) != len(wants) {
		t.Fatalf("DNSLookups() = %d lookups, want %d", len(got), len(wants))
	}
	for i, w := range wants {
		l := got[i]
		if l.Name != w.name || l.Queries != w.queries || l.Answered != w.answer || l.Rcode != w.rcode || len(l.Answers) != w.records {
			t.Errorf("lookup %d = %s q=%d answered=%v rcode=%d records=%d, want %+v", i, l.Name, l.Queries, l.Answered, l.Rcode, len(l.Answers), w)
		}
	}
	if a := got[4].Answers[0].Addr; a != netip.MustParseAddr("10.0.0.5") {
		t.Errorf("sip.contoso.com A = %v, want 10.0.0.5", a)
	}
}

// TestDNSLookupsPublic checks the table on a real capture: every query of
// ntop-nDPI__teams.pcap is answered, and the Teams relay's name resolves to
// the relay the capture shows.
func TestDNSLookupsPublic(t *testing.T) {
	_, st := runFile(t, publicPath("ntop-nDPI__teams.pcap"))
	got := st.Names.DNSLookups()
	if len(got) != 22 {
		t.Fatalf("DNSLookups() = %d, want 22", len(got))
	}
	relay := false
	for _, l := range got {
		if !l.Answered {
			t.Errorf("lookup of %s (frame %d) unanswered, want every one answered", l.Name, l.Query.Frame)
		}
		for _, a := range l.Answers {
			relay = relay || l.Name == "euaz.tr.teams.microsoft.com" && a.Addr == netip.MustParseAddr("52.114.250.123")
		}
	}
	if !relay {
		t.Error("euaz.tr.teams.microsoft.com did not resolve to 52.114.250.123")
	}
	if n := problemCount(st, "dns", ""); n != 0 {
		t.Errorf("dns problems = %d, want 0", n)
	}
}

func TestDNSLookupBound(t *testing.T) {
	var frames []frame
	for i := range MaxDNSLookups + 10 {
		q := []byte{byte(i >> 8), byte(i), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'x', 0, 0, 1, 0, 1}
		frames = append(frames, ethFrames(0, synth.UDP(ap("10.0.1.20:53000"), ap("10.0.0.2:53"), q))...)
	}
	_, st := feed(t, Options{}, frames)
	if got := len(st.Names.DNSLookups()); got != MaxDNSLookups {
		t.Errorf("lookups kept = %d, want %d", got, MaxDNSLookups)
	}
	if n := problemCount(st, "dns", "lookup table full"); n != 10 {
		t.Errorf("lookups dropped = %d, want 10", n)
	}
}

// FuzzDNSDecode checks that the DNS decoder never panics and that what it
// returns respects its bounds. Seeds: the real messages above.
func FuzzDNSDecode(f *testing.F) {
	for _, s := range []string{dnsTeamsQuery, dnsTeamsAnswer, dnsTeamsNX, dnsTeamsAAAA, dnsSngrepAnswer} {
		f.Add(unhex(f, s))
	}
	f.Add(dnsSRVAnswer())
	f.Fuzz(func(t *testing.T, b []byte) {
		var m DNSMessage
		if err := m.Decode(b); err != nil {
			return
		}
		if len(m.Questions) > MaxDNSQuestions || len(m.Answers) > MaxDNSAnswers {
			t.Fatalf("Decode kept %d questions, %d answers", len(m.Questions), len(m.Answers))
		}
		for _, q := range m.Questions {
			if len(q.Name) > 4*maxDNSName {
				t.Fatalf("name of %d bytes", len(q.Name))
			}
		}
	})
}
