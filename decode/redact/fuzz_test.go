package redact

import (
	"testing"
)

// FuzzText checks that Text never panics and keeps the length of any
// input, with identifiers learned from the input itself as a SIP message.
func FuzzText(f *testing.F) {
	for _, s := range []string{
		"INVITE sip:bob@contoso.com SIP/2.0\r\nFrom: \"Alice\" <sip:alice@fabrikam.com>;tag=abc\r\nCall-ID: 1234abcd@10.0.0.1\r\n\r\nv=0\r\no=alice 1 1 IN IP4 10.0.1.20\r\na=ice-ufrag:Xy7Q\r\na=candidate:d5lFvGToRDKh 1 1Riht1AWk UDP 0.830 192.168.66.57 31848\r\n",
		"[2001:db8::1]:5060 fe80::1%eth0 ::ffff:10.0.0.1 64:ff9b::1.2.3.4",
		"fec0:0:0:0:216:d3ff:fe0d:22c:5060",
		"010.001.002.003 999.1.1.1 1.2.3.4.5",
		"sip:+1425@[::1] tel:+49-30-1234 sips:a@b.c",
		"\xff\xfe\x00sip:\xc3\xa9@x",
	} {
		f.Add(s)
	}
	for _, m := range msMessages {
		f.Add(m.msg)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := New([]byte("fuzz"))
		r.LearnSIP([]byte(s))
		r.LearnSDP([]byte(s))
		r.LearnXML([]byte(s))
		out := r.Text(s)
		if len(out) != len(s) {
			t.Fatalf("Text(%q) = %q, %d bytes, want %d", s, out, len(out), len(s))
		}
		if again := r.Text(s); again != out {
			t.Fatalf("Text(%q) = %q, then %q", s, out, again)
		}
	})
}
