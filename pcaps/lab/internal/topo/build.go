package topo

import (
	"context"
	"fmt"
	"net/netip"
)

// Interface names used inside the namespaces. The capture vantage points are
// named after them: a host's "eth0", a NAT's "wan", the Edge's "ext".
const (
	IfHost        = "eth0"
	IfNATWAN      = "wan"
	IfEdgeExt     = "ext"
	IfEdgeInt     = "int"
	IfEdgeNATLAN  = "lan"
	internetBr    = "br0"
	internetGWCli = "198.51.100.254"
	internetGWSrv = "203.0.113.254"
)

func (n *Net) buildInternet(ctx context.Context) error {
	if err := n.addNS(ctx, InternetNS, true); err != nil {
		return err
	}
	return n.bridge(ctx, InternetNS, internetBr, internetGWCli+"/24", internetGWSrv+"/24")
}

func (n *Net) buildEdge(ctx context.Context) error {
	e := n.Spec.Edge
	if err := n.addNS(ctx, e.Name, false); err != nil {
		return err
	}
	if err := n.addNS(ctx, CorpNS, false); err != nil {
		return err
	}
	if err := n.edgeUplink(ctx, e); err != nil {
		return err
	}
	if err := n.veth(ctx, e.Name, IfEdgeInt, CorpNS, e.Name); err != nil {
		return err
	}
	if err := n.addr(ctx, e.Name, IfEdgeInt, e.Internal.String()); err != nil {
		return err
	}
	corp := netip.PrefixFrom(e.Internal.Masked().Addr().Next(), e.Internal.Bits())
	if err := n.addr(ctx, CorpNS, e.Name, corp.String()); err != nil {
		return err
	}
	return n.nft(ctx, e.Name, EdgeRules(e))
}

// edgeUplink joins the Edge's external interface to the internet segment,
// directly or, with a private address, through the Edge's own 1:1 NAT node.
func (n *Net) edgeUplink(ctx context.Context, e Edge) error {
	if !e.Private.IsValid() {
		if err := n.uplink(ctx, e.Name, IfEdgeExt, e.External); err != nil {
			return err
		}
		for _, a := range e.Pool {
			if err := n.addr(ctx, e.Name, IfEdgeExt, a.String()+"/24"); err != nil {
				return err
			}
		}
		return nil
	}
	nat := e.NATName()
	if err := n.addNS(ctx, nat, true); err != nil {
		return err
	}
	if err := n.uplink(ctx, nat, IfNATWAN, e.External); err != nil {
		return err
	}
	if err := n.veth(ctx, e.Name, IfEdgeExt, nat, IfEdgeNATLAN); err != nil {
		return err
	}
	if err := n.addr(ctx, e.Name, IfEdgeExt, e.Private.String()); err != nil {
		return err
	}
	gw := netip.PrefixFrom(e.Private.Masked().Addr().Next(), e.Private.Bits())
	if err := n.addr(ctx, nat, IfEdgeNATLAN, gw.String()); err != nil {
		return err
	}
	if err := n.defaultRoute(ctx, e.Name, gw.Addr()); err != nil {
		return err
	}
	return n.nft(ctx, nat, EdgeNATRules(e))
}

// uplink puts a node's interface on the internet bridge with a public
// address and a default route to the internet router.
func (n *Net) uplink(ctx context.Context, node, ifname string, public netip.Addr) error {
	if err := n.veth(ctx, node, ifname, InternetNS, node); err != nil {
		return err
	}
	if err := n.enslave(ctx, InternetNS, node, internetBr); err != nil {
		return err
	}
	if err := n.addr(ctx, node, ifname, public.String()+"/24"); err != nil {
		return err
	}
	gw := internetGWCli
	if InternetServers.Contains(public) {
		gw = internetGWSrv
	}
	return n.defaultRoute(ctx, node, netip.MustParseAddr(gw))
}

func (n *Net) buildNATs(ctx context.Context) error {
	for _, nat := range n.Spec.NATs {
		if err := n.buildNAT(ctx, nat); err != nil {
			return fmt.Errorf("nat %s: %w", nat.Name, err)
		}
	}
	return nil
}

func (n *Net) buildNAT(ctx context.Context, nat NAT) error {
	if err := n.addNS(ctx, nat.Name, true); err != nil {
		return err
	}
	if err := n.uplink(ctx, nat.Name, IfNATWAN, nat.Public); err != nil {
		return err
	}
	for _, lan := range nat.LANs {
		gw := netip.PrefixFrom(lan.Gateway(), lan.Prefix.Bits())
		if err := n.bridge(ctx, nat.Name, lan.Name, gw.String()); err != nil {
			return err
		}
	}
	return n.nft(ctx, nat.Name, NATRules(nat))
}

func (n *Net) buildHosts(ctx context.Context) error {
	for _, h := range n.Spec.Hosts {
		if err := n.buildHost(ctx, h); err != nil {
			return fmt.Errorf("host %s: %w", h.Name, err)
		}
	}
	return nil
}

func (n *Net) buildHost(ctx context.Context, h Host) error {
	lan, err := n.lan(h.NAT, h.LAN)
	if err != nil {
		return err
	}
	if err := n.addNS(ctx, h.Name, false); err != nil {
		return err
	}
	if err := n.veth(ctx, h.Name, IfHost, h.NAT, h.Name); err != nil {
		return err
	}
	if err := n.enslave(ctx, h.NAT, h.Name, lan.Name); err != nil {
		return err
	}
	if err := n.addr(ctx, h.Name, IfHost, netip.PrefixFrom(h.Addr, lan.Prefix.Bits()).String()); err != nil {
		return err
	}
	if h.IPv6.IsValid() {
		if err := n.ipv6(ctx, h); err != nil {
			return err
		}
	}
	return n.defaultRoute(ctx, h.Name, lan.Gateway())
}

func (n *Net) lan(natName, lanName string) (LAN, error) {
	for _, nat := range n.Spec.NATs {
		if nat.Name != natName {
			continue
		}
		for _, l := range nat.LANs {
			if l.Name == lanName {
				return l, nil
			}
		}
	}
	return LAN{}, fmt.Errorf("no LAN %s on NAT %s", lanName, natName)
}

// nft loads a ruleset into a node's namespace.
func (n *Net) nft(ctx context.Context, node, ruleset string) error {
	if ruleset == "" {
		return nil
	}
	cmd := n.Command(ctx, node, "nft", "-f", "-")
	cmd.Stdin = stringReader(ruleset)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("nft in %s: %w: %s\n%s", node, err, out, ruleset)
	}
	return nil
}

// ipv6 turns IPv6 on for the host's interface only, without router
// solicitations or duplicate address detection, and adds its ULA.
func (n *Net) ipv6(ctx context.Context, h Host) error {
	ns := n.NS(h.Name)
	return runAll(ctx, [][]string{
		{"ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf." + IfHost + ".accept_ra=0"},
		{"ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf." + IfHost + ".router_solicitations=0"},
		{"ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf." + IfHost + ".disable_ipv6=0"},
		{"ip", "-n", ns, "addr", "add", h.IPv6.String(), "dev", IfHost, "nodad"},
	})
}
