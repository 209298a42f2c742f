package topo

import (
	"net/netip"
	"strings"
	"testing"
)

func TestNATRules(t *testing.T) {
	base := NAT{Name: "nat-a", Public: netip.MustParseAddr("198.51.100.11"), Mapping: MappingEndpointIndependent}
	tests := []struct {
		name      string
		mutate    func(*NAT)
		want, not []string
	}{
		{"endpoint-independent", func(*NAT) {}, []string{`oifname "wan" masquerade`, "meta l4proto udp drop"}, []string{"fully-random", "dnat", "snat"}},
		{"symmetric", func(n *NAT) { n.Mapping = MappingSymmetric }, []string{"masquerade fully-random"}, nil},
		{"udp blocked", func(n *NAT) { n.BlockUDP = true }, []string{`iifname != "wan" oifname "wan" meta l4proto udp drop`}, nil},
		{"isolated without hairpin", func(n *NAT) { n.Isolated = true }, []string{"ct status dnat accept", `iifname != "wan" oifname != "wan" drop`}, []string{"dnat to"}},
		{"hairpin", func(n *NAT) {
			n.Hairpin = true
			n.HairpinPorts = []PortForward{{Host: netip.MustParseAddr("10.1.1.12"), PortMin: 41000, PortMax: 41099}}
		}, []string{"ip daddr 198.51.100.11 udp dport 41000-41099 dnat to 10.1.1.12", "ct status dnat snat to 198.51.100.11"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := base
			tt.mutate(&n)
			got := NATRules(n)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("NATRules(%s) lacks %q:\n%s", tt.name, w, got)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(got, w) {
					t.Errorf("NATRules(%s) has %q:\n%s", tt.name, w, got)
				}
			}
		})
	}
}

func TestEdgeRules(t *testing.T) {
	tests := []struct {
		e    Edge
		want []string
	}{
		{Edge{ForwardTCP443: true}, []string{"tcp dport 443 redirect to :3478"}},
		{Edge{BlockHighPorts: true}, []string{`iifname "ext" udp dport 50000-59999 drop`}},
		{Edge{BlockTURN: true}, []string{`iifname "ext" udp dport 3478 drop`, `iifname "ext" tcp dport 3478 drop`}},
	}
	for _, tt := range tests {
		got := EdgeRules(tt.e)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("EdgeRules(%+v) lacks %q:\n%s", tt.e, w, got)
			}
		}
	}
}

func TestEdgeNATRules(t *testing.T) {
	e := Edge{External: netip.MustParseAddr("203.0.113.10"), Private: netip.MustParsePrefix("172.31.0.10/24")}
	got := EdgeNATRules(e)
	for _, w := range []string{`iifname "wan" ip daddr 203.0.113.10 dnat to 172.31.0.10`, `oifname "wan" ip saddr 172.31.0.10 snat to 203.0.113.10`} {
		if !strings.Contains(got, w) {
			t.Errorf("EdgeNATRules(%+v) lacks %q:\n%s", e, w, got)
		}
	}
	if e.ExternalOnHost() != e.Private.Addr() || (Edge{External: e.External}).ExternalOnHost() != e.External {
		t.Errorf("ExternalOnHost() = %v, want the private address behind the NAT and External without it", e.ExternalOnHost())
	}
}

// TestRulesLoad loads every ruleset into nft's parser (nft -c checks without
// applying); it needs nft and root and skips otherwise.
func TestRulesLoad(t *testing.T) {
	if !haveNFT() {
		t.Skip("nft -c needs root and nftables")
	}
	rulesets := []string{
		NATRules(NAT{Name: "n", Public: netip.MustParseAddr("198.51.100.11"), Mapping: MappingSymmetric, BlockUDP: true, Isolated: true,
			Hairpin: true, HairpinPorts: []PortForward{{Host: netip.MustParseAddr("10.1.0.11"), PortMin: 40000, PortMax: 40099}}}),
		EdgeRules(Edge{ForwardTCP443: true, BlockHighPorts: true, BlockTURN: true}),
		EdgeNATRules(Edge{External: netip.MustParseAddr("203.0.113.10"), Private: netip.MustParsePrefix("172.31.0.10/24")}),
	}
	for _, r := range rulesets {
		if err := nftCheck(r); err != nil {
			t.Errorf("nft -c rejects the ruleset: %v\n%s", err, r)
		}
	}
}
