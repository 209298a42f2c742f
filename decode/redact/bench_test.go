package redact

import (
	"strings"
	"testing"
)

// benchText is report-like text: addresses, URIs, words and learned
// identifiers.
var benchText = strings.Repeat(`{"src": "10.0.1.20:50000", "dst": "203.0.113.10:3478", "from": "\"Alice Smith\" <sip:alice@contoso.com>",`+
	` "title": "TURN server 203.0.113.10 rejected the credentials (401 Unauthorized)", "ufrag": "Xy7Q", "v6": "[2001:db8::1]:5061"}`+"\n", 200)

// BenchmarkText measures Text on report-like text after learning a few
// hundred identifiers.
func BenchmarkText(b *testing.B) {
	r := New([]byte("bench"))
	r.LearnString(KindDisplay, "Alice Smith")
	r.LearnString(KindToken, "Xy7Q")
	for i := 0; i < 500; i++ {
		r.LearnString(KindToken, "token"+strings.Repeat("x", i%40)+string(rune('a'+i%26)))
	}
	orig := []byte(benchText)
	buf := make([]byte, len(orig))
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		copy(buf, orig)
		r.Bytes(buf)
	}
}
