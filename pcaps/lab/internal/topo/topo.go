// Package topo builds a lab network out of Linux network namespaces: client hosts on
// private LANs, NAT routers with a chosen mapping behaviour (RFC 4787 §4.1), an Edge
// with an external and an internal interface, and an internet segment that joins them.
//
// Every namespace, veth pair and bridge lives inside namespaces the lab creates, and
// every address comes from the private ranges (RFC 1918) or the documentation ranges
// 198.51.100.0/24 and 203.0.113.0/24 (RFC 5737). Close removes all of it.
package topo

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Mapping is a NAT's mapping behaviour as RFC 4787 §4.1 classifies it.
type Mapping string

const (
	// MappingEndpointIndependent reuses one external port for an internal
	// address and port whatever the destination (port-preserving masquerade).
	MappingEndpointIndependent Mapping = "endpoint-independent"
	// MappingSymmetric picks a new random external port for every destination
	// (address and port dependent mapping, masquerade fully-random).
	MappingSymmetric Mapping = "symmetric"
)

// Internet is the router of the internet segment: it owns the gateway addresses
// of both documentation networks.
var (
	// InternetClients is the documentation network the client NATs' public addresses are in.
	InternetClients = netip.MustParsePrefix("198.51.100.0/24")
	// InternetServers is the documentation network the Edge's public addresses are in.
	InternetServers = netip.MustParsePrefix("203.0.113.0/24")
)

// LAN is a private layer-2 segment behind a NAT router.
type LAN struct {
	// Name is the bridge name inside the NAT namespace (at most 15 characters).
	Name string
	// Prefix is the LAN's network; the router takes the first host address.
	Prefix netip.Prefix
}

// Gateway is the router's address on the LAN.
func (l LAN) Gateway() netip.Addr { return l.Prefix.Addr().Next() }

// NAT is a router between one or more LANs and the internet segment.
type NAT struct {
	Name    string
	Public  netip.Addr // address on the internet segment
	Mapping Mapping
	// Hairpin lets a LAN host reach another LAN host through the NAT's public
	// address (RFC 4787 §6). Without it such packets are dropped silently.
	Hairpin bool
	// Isolated drops forwarding between the NAT's LANs, as guest or client
	// isolation does, so that hosts on two LANs meet only through the NAT.
	Isolated bool
	// BlockUDP drops every UDP datagram from the LANs to the internet.
	BlockUDP bool
	// DropRTPInbound drops RTP (RFC 3550 version 2 first byte) sent from the
	// internet to the LANs, as a broken media firewall would; STUN still passes.
	DropRTPInbound bool
	LANs           []LAN
	// HairpinPorts maps a LAN host to the UDP port range its media uses; with
	// Hairpin these ranges are forwarded from the public address to the host.
	HairpinPorts []PortForward
}

// PortForward sends a UDP port range of the NAT's public address to a LAN host.
type PortForward struct {
	Host             netip.Addr
	PortMin, PortMax uint16
}

// Host is an end system on a LAN.
type Host struct {
	Name string
	NAT  string // name of the NAT router whose LAN it sits on
	LAN  string // name of that LAN
	Addr netip.Addr
	// IPv6 is an optional ULA (RFC 4193) on the host's interface, with no
	// router: the host has IPv6 candidates that nothing outside its LAN reaches.
	IPv6 netip.Prefix
}

// Edge is the A/V Edge: external interface on the internet segment, internal
// interface on a corporate segment, firewall rules on the external side.
type Edge struct {
	Name     string
	External netip.Addr
	Internal netip.Prefix // internal interface address with its network
	// BlockHighPorts drops UDP 50000-59999 arriving on the external interface.
	BlockHighPorts bool
	// BlockTURN drops UDP 3478 and TCP 443 arriving on the external interface.
	BlockTURN bool
	// BlockTeamsPorts drops UDP 3479-3481 arriving on the external interface,
	// the Teams-style per-modality relay ports (MS-REFERENCE.md §5).
	BlockTeamsPorts bool
	// ForwardTCP443 redirects TCP 443 to the relay's TCP listener on 3478.
	ForwardTCP443 bool
	// Pool are further external addresses of the Edge, one per other member
	// of an Edge pool whose relays the lab runs on the same node.
	Pool []netip.Addr
	// Private, when valid, puts the Edge behind its own 1:1 NAT: the
	// external interface gets this private address and network, and a NAT
	// node owns External on the internet segment and translates it to
	// Private and back (MS-REFERENCE.md §6 pattern 5).
	Private netip.Prefix
}

// ExternalOnHost is the address of the Edge's own external interface: its
// private address behind a 1:1 NAT, else External.
func (e Edge) ExternalOnHost() netip.Addr {
	if e.Private.IsValid() {
		return e.Private.Addr()
	}
	return e.External
}

// NATName is the node of the Edge's 1:1 NAT.
func (e Edge) NATName() string { return e.Name + "-nat" }

// Spec describes a whole topology.
type Spec struct {
	// Prefix starts every namespace name, so that the lab's namespaces are
	// recognisable and a stale run can be cleaned up.
	Prefix string
	NATs   []NAT
	Hosts  []Host
	Edge   Edge
}

// Net is a built topology. Close removes every namespace it created.
type Net struct {
	Spec       Spec
	namespaces []string
	log        func(string)
}

// NS returns the namespace name of a node.
func (n *Net) NS(node string) string { return n.Spec.Prefix + node }

// InternetNS is the node name of the internet router.
const InternetNS = "inet"

// CorpNS is the node name of the corporate network behind the Edge.
const CorpNS = "corp"

// Build creates the topology. On error it removes what it had created.
func Build(ctx context.Context, spec Spec, log func(string)) (*Net, error) {
	if os.Geteuid() != 0 {
		return nil, errors.New("topo: building namespaces needs root")
	}
	n := &Net{Spec: spec, log: log}
	n.removeStale(ctx)
	steps := []func(context.Context) error{n.buildInternet, n.buildEdge, n.buildNATs, n.buildHosts}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			n.Close()
			return nil, err
		}
	}
	return n, nil
}

// Close deletes every namespace of the topology, which also removes their veth
// pairs, bridges and rules, and ends processes left in them by the kernel's
// own teardown of their sockets. It uses a fresh deadline so it still runs after
// the build context has expired.
func (n *Net) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i := len(n.namespaces) - 1; i >= 0; i-- {
		if err := run(ctx, "ip", "netns", "del", n.namespaces[i]); err != nil {
			n.logf("cleanup: %v", err)
		}
	}
	n.namespaces = nil
}

// removeStale deletes namespaces with this topology's prefix left by a run that
// was killed before its cleanup.
func (n *Net) removeStale(ctx context.Context) {
	out, err := exec.CommandContext(ctx, "ip", "netns", "list").Output()
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(out), "\n") {
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		if name != "" && strings.HasPrefix(name, n.Spec.Prefix) {
			n.logf("removing stale namespace %s", name)
			_ = run(ctx, "ip", "netns", "del", name)
		}
	}
}

func (n *Net) logf(format string, args ...any) {
	if n.log != nil {
		n.log(fmt.Sprintf(format, args...))
	}
}

// addNS creates a namespace with loopback up, IPv6 off (no router solicitations
// in the captures) and forwarding as asked.
func (n *Net) addNS(ctx context.Context, node string, forward bool) error {
	ns := n.NS(node)
	if err := run(ctx, "ip", "netns", "add", ns); err != nil {
		return err
	}
	n.namespaces = append(n.namespaces, ns)
	fwd := "0"
	if forward {
		fwd = "1"
	}
	cmds := [][]string{
		{"ip", "-n", ns, "link", "set", "lo", "up"},
		{"ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"},
		{"ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"},
		{"ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_forward=" + fwd},
	}
	return runAll(ctx, cmds)
}

// veth creates a veth pair with one end in each namespace, both up.
func (n *Net) veth(ctx context.Context, nodeA, ifA, nodeB, ifB string) error {
	a, b := n.NS(nodeA), n.NS(nodeB)
	return runAll(ctx, [][]string{
		{"ip", "link", "add", ifA, "netns", a, "type", "veth", "peer", "name", ifB, "netns", b},
		{"ip", "-n", a, "link", "set", ifA, "up"},
		{"ip", "-n", b, "link", "set", ifB, "up"},
	})
}

// bridge creates a bridge in a namespace, up, optionally with an address.
func (n *Net) bridge(ctx context.Context, node, name string, addrs ...string) error {
	ns := n.NS(node)
	cmds := [][]string{
		{"ip", "-n", ns, "link", "add", name, "type", "bridge"},
		{"ip", "-n", ns, "link", "set", name, "up"},
	}
	for _, a := range addrs {
		cmds = append(cmds, []string{"ip", "-n", ns, "addr", "add", a, "dev", name})
	}
	return runAll(ctx, cmds)
}

func (n *Net) enslave(ctx context.Context, node, ifname, bridge string) error {
	return run(ctx, "ip", "-n", n.NS(node), "link", "set", ifname, "master", bridge)
}

func (n *Net) addr(ctx context.Context, node, ifname, cidr string) error {
	return run(ctx, "ip", "-n", n.NS(node), "addr", "add", cidr, "dev", ifname)
}

func (n *Net) defaultRoute(ctx context.Context, node string, gw netip.Addr) error {
	return run(ctx, "ip", "-n", n.NS(node), "route", "add", "default", "via", gw.String())
}

// Exec runs a command inside a node's namespace and returns its combined output.
func (n *Net) Exec(ctx context.Context, node string, args ...string) ([]byte, error) {
	full := append([]string{"netns", "exec", n.NS(node)}, args...)
	out, err := exec.CommandContext(ctx, "ip", full...).CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("%s in %s: %w: %s", strings.Join(args, " "), node, err, out)
	}
	return out, nil
}

// Command prepares a long-running command inside a node's namespace.
func (n *Net) Command(ctx context.Context, node string, args ...string) *exec.Cmd {
	full := append([]string{"netns", "exec", n.NS(node)}, args...)
	return exec.CommandContext(ctx, "ip", full...)
}

func run(ctx context.Context, name string, args ...string) error {
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

func runAll(ctx context.Context, cmds [][]string) error {
	for _, c := range cmds {
		if err := run(ctx, c[0], c[1:]...); err != nil {
			return err
		}
	}
	return nil
}
