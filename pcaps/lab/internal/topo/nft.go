package topo

import (
	"fmt"
	"io"
	"strings"
)

// NATRules returns the nftables ruleset of a NAT router.
//
// Mapping (RFC 4787 §4.1): Linux masquerade keeps the source port when it is
// free, which gives endpoint-independent mapping; "fully-random" draws a new
// port for every connection tuple, which gives symmetric (address and port
// dependent) mapping. Filtering is address and port dependent (RFC 4787 §5):
// only conntrack replies come in, and the router itself answers no UDP, so an
// unsolicited datagram is dropped without an ICMP error, as home routers do.
//
// Hairpinning (RFC 4787 §6): with Hairpin, datagrams from a LAN to the public
// address are forwarded to the LAN host that owns the port range and their
// source rewritten to the public address; without it they are dropped.
func NATRules(nat NAT) string {
	var b strings.Builder
	b.WriteString("table ip lab {\n")
	writeChain(&b, "prerouting", "type nat hook prerouting priority dstnat; policy accept;", natPrerouting(nat))
	writeChain(&b, "postrouting", "type nat hook postrouting priority srcnat; policy accept;", natPostrouting(nat))
	writeChain(&b, "forward", "type filter hook forward priority filter; policy accept;", natForward(nat))
	writeChain(&b, "input", "type filter hook input priority filter; policy accept;",
		[]string{"meta l4proto udp drop"})
	b.WriteString("}\n")
	return b.String()
}

func natPrerouting(nat NAT) []string {
	if !nat.Hairpin {
		return nil
	}
	var rules []string
	for _, f := range nat.HairpinPorts {
		rules = append(rules, fmt.Sprintf("iifname != %q ip daddr %s udp dport %d-%d dnat to %s",
			IfNATWAN, nat.Public, f.PortMin, f.PortMax, f.Host))
	}
	return rules
}

func natPostrouting(nat NAT) []string {
	masq := "masquerade"
	if nat.Mapping == MappingSymmetric {
		masq = "masquerade fully-random"
	}
	rules := []string{fmt.Sprintf("oifname %q %s", IfNATWAN, masq)}
	if nat.Hairpin {
		rules = append(rules, fmt.Sprintf("iifname != %q oifname != %q ct status dnat snat to %s",
			IfNATWAN, IfNATWAN, nat.Public))
	}
	return rules
}

func natForward(nat NAT) []string {
	var rules []string
	if nat.Isolated {
		// Hairpinned packets carry the dnat status and pass; direct LAN-to-LAN packets do not.
		rules = append(rules, fmt.Sprintf("iifname != %q oifname != %q ct status dnat accept", IfNATWAN, IfNATWAN),
			fmt.Sprintf("iifname != %q oifname != %q drop", IfNATWAN, IfNATWAN))
	}
	if nat.BlockUDP {
		rules = append(rules, fmt.Sprintf("iifname != %q oifname %q meta l4proto udp drop", IfNATWAN, IfNATWAN))
	}
	if nat.DropRTPInbound {
		// @th,64,2 is the first two bits of the UDP payload: 2 is RTP/RTCP version 2.
		rules = append(rules, fmt.Sprintf("iifname %q udp length > 20 @th,64,2 2 drop", IfNATWAN))
	}
	return rules
}

// EdgeRules returns the nftables ruleset of the Edge: the TCP 443 listener
// redirected to the relay's TCP port, and the firewall cases of MS-REFERENCE.md
// §6 (#1 TURN ports blocked, #2 relay ports 50000-59999 blocked).
func EdgeRules(e Edge) string {
	var pre, in []string
	if e.ForwardTCP443 {
		pre = append(pre, "tcp dport 443 redirect to :3478")
	}
	if e.BlockHighPorts {
		in = append(in, fmt.Sprintf("iifname %q udp dport 50000-59999 drop", IfEdgeExt))
	}
	if e.BlockTeamsPorts {
		in = append(in, fmt.Sprintf("iifname %q udp dport 3479-3481 drop", IfEdgeExt))
	}
	if e.BlockTURN {
		in = append(in, fmt.Sprintf("iifname %q udp dport 3478 drop", IfEdgeExt),
			fmt.Sprintf("iifname %q tcp dport 3478 drop", IfEdgeExt))
	}
	var b strings.Builder
	b.WriteString("table ip lab {\n")
	writeChain(&b, "prerouting", "type nat hook prerouting priority dstnat; policy accept;", pre)
	writeChain(&b, "input", "type filter hook input priority filter; policy accept;", in)
	b.WriteString("}\n")
	return b.String()
}

// EdgeNATRules returns the ruleset of the Edge's own 1:1 NAT: everything to
// the public address goes to the Edge's private address, and the Edge's
// traffic leaves with the public address (a static NAT, as a perimeter
// firewall in front of an A/V Edge does).
func EdgeNATRules(e Edge) string {
	var b strings.Builder
	b.WriteString("table ip lab {\n")
	writeChain(&b, "prerouting", "type nat hook prerouting priority dstnat; policy accept;",
		[]string{fmt.Sprintf("iifname %q ip daddr %s dnat to %s", IfNATWAN, e.External, e.Private.Addr())})
	writeChain(&b, "postrouting", "type nat hook postrouting priority srcnat; policy accept;",
		[]string{fmt.Sprintf("oifname %q ip saddr %s snat to %s", IfNATWAN, e.Private.Addr(), e.External)})
	b.WriteString("}\n")
	return b.String()
}

func writeChain(b *strings.Builder, name, hook string, rules []string) {
	fmt.Fprintf(b, "\tchain %s {\n\t\t%s\n", name, hook)
	for _, r := range rules {
		fmt.Fprintf(b, "\t\t%s\n", r)
	}
	b.WriteString("\t}\n")
}

func stringReader(s string) io.Reader { return strings.NewReader(s) }
