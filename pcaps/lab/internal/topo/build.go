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
	if err := n.veth(ctx, e.Name, IfEdgeExt, InternetNS, e.Name); err != nil {
		return err
	}
	if err := n.enslave(ctx, InternetNS, e.Name, internetBr); err != nil {
		return err
	}
	if err := n.addr(ctx, e.Name, IfEdgeExt, e.External.String()+"/24"); err != nil {
		return err
	}
	if err := n.defaultRoute(ctx, e.Name, netip.MustParseAddr(internetGWSrv)); err != nil {
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
	if err := n.veth(ctx, nat.Name, IfNATWAN, InternetNS, nat.Name); err != nil {
		return err
	}
	if err := n.enslave(ctx, InternetNS, nat.Name, internetBr); err != nil {
		return err
	}
	if err := n.addr(ctx, nat.Name, IfNATWAN, nat.Public.String()+"/24"); err != nil {
		return err
	}
	if err := n.defaultRoute(ctx, nat.Name, netip.MustParseAddr(internetGWCli)); err != nil {
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
