package redact

import (
	"net/netip"
	"strings"
	"testing"
)

func TestTextAddresses(t *testing.T) {
	r := New([]byte("text"))
	p4 := func(s string) string { return r.Addr(netip.MustParseAddr(s)).String() }
	for _, tc := range []struct {
		in, want string
	}{
		{"10.0.1.20:50000", p4("10.0.1.20") + ":50000"},
		{"c=IN IP4 203.0.113.10", "c=IN IP4 " + p4("203.0.113.10")},
		{"via 8.8.8.8.", "via " + p4("8.8.8.8") + "."},
		{"[2001:db8::1]:5060", "[" + p4("2001:db8::1") + "]:5060"},
		{"fe80::1%eth0", p4("fe80::1") + "%eth0"},
		{"sip:192.168.1.50;transport=tcp", "sip:" + p4("192.168.1.50") + ";transport=tcp"},
		{"::ffff:10.0.0.1", "::ffff:" + p4("10.0.0.1")},
		// not addresses: versions with more parts, times, fingerprints, MACs
		{"version 1.2.3.4.5", "version 1.2.3.4.5"},
		{"12:34:56.789", "12:34:56.789"},
		{"AB:CD:EF:01:23:45:67:89:AB:CD", "AB:CD:EF:01:23:45:67:89:AB:CD"},
		{"00:11:22:33:44:55", "00:11:22:33:44:55"},
		{"999.1.1.1", "999.1.1.1"},
		{"0.0.0.0 127.0.0.1 255.255.255.255 ::1", "0.0.0.0 127.0.0.1 255.255.255.255 ::1"},
	} {
		if got := r.Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestTextKeepsShape checks literals whose text differs from the
// canonical form: leading zeros, upper case, uncompressed IPv6.
func TestTextKeepsShape(t *testing.T) {
	r := New([]byte("shape"))
	for _, in := range []string{
		"010.001.002.003", "2001:0DB8:0000:0000:0000:FF00:0042:8329", "2001:db8:0:0:1:0:0:1",
		"fec0:0:0:0:216:d3ff:fe0d:22c:5060", "[FD00::A]:443", "64:ff9b::192.0.2.33",
	} {
		got := r.Text(in)
		if len(got) != len(in) || got == in {
			t.Errorf("Text(%q) = %q, want a different text of the same length", in, got)
		}
		for i := range in {
			if isDigit(in[i]) != isHex(got[i]) && isDigit(in[i]) || (in[i] == ':') != (got[i] == ':') || (in[i] == '.') != (got[i] == '.') {
				t.Errorf("Text(%q) = %q: shape differs at %d", in, got, i)
				break
			}
		}
	}
}

func TestTextIdentifiers(t *testing.T) {
	r := New([]byte("ids"))
	r.LearnString(KindUser, "alice")
	r.LearnString(KindHost, "contoso.com")
	r.LearnString(KindDisplay, "Alice Smith")
	r.LearnString(KindToken, "Xy7QpZ")
	for _, tc := range []struct {
		in        string
		gone      []string
		untouched []string
	}{
		{`"Alice Smith" <sip:alice@contoso.com>;tag=1`, []string{"Alice", "alice", "contoso"}, []string{"sip:", ";tag=1"}},
		{"ALICE logged in from CONTOSO.COM", []string{"ALICE", "CONTOSO"}, []string{"logged in from", ".COM"}},
		{"ufrag Xy7QpZ:remote", []string{"Xy7QpZ"}, []string{"ufrag", ":remote"}},
		{"malice xy7qpz aliceb", nil, []string{"malice", "xy7qpz", "aliceb"}}, // inside words; tokens match case-sensitively
		{"INVITE sip SIP/2.0 IN IP4 candidate typ host", nil, []string{"INVITE sip SIP/2.0 IN IP4 candidate typ host"}},
	} {
		got := r.Text(tc.in)
		if len(got) != len(tc.in) {
			t.Errorf("Text(%q) = %q, length %d, want %d", tc.in, got, len(got), len(tc.in))
		}
		for _, g := range tc.gone {
			if strings.Contains(got, g) {
				t.Errorf("Text(%q) = %q, still holds %q", tc.in, got, g)
			}
		}
		for _, u := range tc.untouched {
			if !strings.Contains(got, u) {
				t.Errorf("Text(%q) = %q, want %q kept", tc.in, got, u)
			}
		}
	}
}

func TestLearnRefusesVocabularyAndShortValues(t *testing.T) {
	r := New([]byte("v"))
	for _, s := range []string{"ab", "INVITE", "udp", "candidate", "5060", "50000", "IN", "PCMU", "telephone-event", "audio"} {
		if got := r.LearnString(KindToken, s); got != s {
			t.Errorf("LearnString(%q) = %q, want it refused", s, got)
		}
	}
	in := "INVITE udp 5060 50000 PCMU telephone-event audio"
	if got := r.Text(in); got != in {
		t.Errorf("Text(%q) = %q after refused learning, want unchanged", in, got)
	}
	if got := r.LearnString(KindUser, "4930123456"); got == "4930123456" || len(got) != 10 {
		t.Errorf("LearnString(phone number) = %q, want a 10-digit pseudonym", got)
	}
}

func TestPseudonymShapes(t *testing.T) {
	r := New([]byte("shapes"))
	for _, tc := range []struct {
		k     Kind
		in    string
		check func(in, out string) bool
		what  string
	}{
		{KindHost, "lyncpool.contoso.com", func(in, out string) bool {
			return strings.HasSuffix(out, ".com") && strings.Count(out, ".") == 2 && len(strings.Split(out, ".")[0]) == 8
		}, "same labels, .com kept"},
		{KindHost, "sip.fabrikam.co.uk", func(in, out string) bool {
			return strings.HasPrefix(out, "sip.anon") && strings.HasSuffix(out, ".co.uk")
		}, "role word and co.uk kept, anon marker"},
		{KindToken, "8f7e6d5c4b3a2910", func(in, out string) bool { return isHexString([]byte(out)) }, "hex stays hex"},
		{KindToken, "AB:CD:EF:01:23", func(in, out string) bool {
			return isHexString([]byte(out)) && out[2] == ':' && !strings.ContainsAny(out, "abcdef")
		}, "upper hex with colons"},
		{KindToken, "d5lFvGToRDKh/UhyFNN9rharqthzUrF2FIRP+boPcnE=", func(in, out string) bool {
			return strings.HasSuffix(out, "=") && strings.Trim(out, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") == ""
		}, "base64 stays base64"},
		{KindDisplay, "Jörg Müller", func(in, out string) bool { return isPrintable([]byte(out)) }, "printable ASCII"},
		{KindUser, "+14255550100", func(in, out string) bool { return out[0] == '+' && allDigits(out[1:]) }, "phone stays phone"},
	} {
		out := r.LearnString(tc.k, tc.in)
		if len(out) != len(tc.in) || out == tc.in || !tc.check(tc.in, out) {
			t.Errorf("LearnString(%d, %q) = %q, want %s of the same length", tc.k, tc.in, out, tc.what)
		}
	}
}

func TestSecret(t *testing.T) {
	r := New([]byte("s"))
	for _, in := range [][]byte{[]byte("f4e8a9b1c2d3"), {0x00, 0xFF, 0x10, 0x20, 0x30}, []byte("YWJjZGVm")} {
		out := r.Secret(in)
		if len(out) != len(in) || string(out) == string(in) || string(r.Secret(in)) != string(out) {
			t.Errorf("Secret(%q) = %q, want a stable different value of the same length", in, out)
		}
	}
}

func TestFileName(t *testing.T) {
	r := New([]byte("f"))
	for _, in := range []string{"contoso-call.pcapng", "../captures/acme/edge.pcap.gz", "x"} {
		out := r.FileName(in)
		if out == in && len(in) > 1 || strings.Count(out, "/") != strings.Count(in, "/") {
			t.Errorf("FileName(%q) = %q, want a pseudonym with the same directories", in, out)
		}
		if _, ext := splitExt(in); !strings.HasSuffix(out, ext) {
			t.Errorf("FileName(%q) = %q, want extension %q kept", in, out, ext)
		}
	}
}
