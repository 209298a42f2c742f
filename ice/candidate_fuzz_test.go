package ice

import (
	"strings"
	"testing"
)

// candidateSeeds are real candidate lines: the capture SDPs
// (testdata/README.md), the MS-REFERENCE §2.2-2.3 examples and browser forms.
var candidateSeeds = []string{
	"candidate:3826373926 1 udp 2122260223 10.10.24.139 55695 typ host generation 0 network-id 1 network-cost 10",
	"candidate:302099698 1 udp 1686052607 69.17.142.250 55695 typ srflx raddr 10.10.24.139 rport 55695 generation 0 network-id 1 network-cost 10",
	"candidate:2861705686 1 tcp 1518280447 10.10.24.139 9 typ host tcptype active generation 0 network-id 1 network-cost 10",
	"a=candidate:1 2 UDP 659134 192.168.10.41 64509 typ host",
	"a=x-candidate-ipv6:3 1 UDP 33553407 2001:0:5ef5:79fd:34b2:244d:fa66:7cf9 2936 typ host",
	"candidate:4 1 TCP-ACT 1684797951 198.51.100.7 50010 typ srflx raddr 192.168.66.57 rport 50010",
	"a=candidate:d5lFvGToRDKh/UhyFNN9rharqthzUrF2FIRP+boPcnE 1 1Riht1AWk/x7TSyhrZQfDA UDP 0.830 192.168.66.57 31848",
	"candidate:3436378122 1 udp 2113937151 152aa36b-1063-48ea-9d3d-0785d6d70eca.local 45909 typ host generation 0 ufrag c7ST network-cost 999",
}

func FuzzParseCandidate(f *testing.F) {
	for _, s := range candidateSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCandidate(s)
		if c.Raw != s {
			t.Fatalf("ParseCandidate(%q).Raw = %q", s, c.Raw)
		}
		if err != nil {
			return
		}
		_ = c.String()
		if c.Addr.IsValid() && c.Host != "" {
			t.Fatalf("ParseCandidate(%q): both Addr %v and Host %q", s, c.Addr, c.Host)
		}
		if c.Component < 1 || c.Component > 256 {
			t.Fatalf("ParseCandidate(%q).Component = %d", s, c.Component)
		}
		if c.Form == FormDraft6 && c.QValue == "" {
			t.Fatalf("ParseCandidate(%q): draft-06 without q-value", s)
		}
	})
}

func FuzzParseRemoteCandidates(f *testing.F) {
	f.Add("1 192.0.2.1 5000 2 192.0.2.1 5001")
	f.Add("a=remote-candidates:1 2001:0:5ef5:79fd:34b2:244d:fa66:7cf9 2936")
	f.Fuzz(func(t *testing.T, s string) {
		rs, err := ParseRemoteCandidates(s)
		if err == nil && len(rs)*3 != len(strings.Fields(strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "a="), "remote-candidates:"))) {
			t.Fatalf("ParseRemoteCandidates(%q) = %d entries, not a third of the fields", s, len(rs))
		}
	})
}
