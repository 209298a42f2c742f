package lab

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/icediag/icediag/pcaps/lab/internal/topo"
	"github.com/icediag/icediag/pcaps/lab/internal/truth"
	"github.com/icediag/icediag/pcaps/lab/internal/ua"
)

// Options control a lab run.
type Options struct {
	Out           string        // directory that receives <scenario>/ on success
	Work          string        // scratch directory; a temporary one when empty
	Exe           string        // this program, re-run inside namespaces as "ua" and "proxy"
	Log           io.Writer     // progress and subprocess output
	Timeout       time.Duration // deadline of the whole scenario
	MediaDuration time.Duration
}

// Namespace prefix of every node the lab creates.
const nsPrefix = "icl-"

// MaxCapture is the size a committed capture must stay under.
const MaxCapture = 2 << 20

// vantage is a capture point. edge is the Edge's relay address as the
// vantage sees it, for the vantage points on the Edge's external side.
type vantage struct {
	file, node, iface, desc string
	edge                    netip.Addr
}

func vantages(sc Scenario) []vantage {
	var v []vantage
	for _, h := range sc.Hosts {
		v = append(v, vantage{h.Name + "-lan.pcap", h.Name, topo.IfHost, "client LAN: " + h.Name + "'s interface", netip.Addr{}})
	}
	for _, n := range sc.NATs {
		v = append(v, vantage{n.Name + "-wan.pcap", n.Name, topo.IfNATWAN, "NAT WAN side of " + n.Name, netip.Addr{}})
	}
	e := sc.Edge
	if e.Private.IsValid() {
		v = append(v, vantage{"edge-nat-wan.pcap", e.NATName(), topo.IfNATWAN, "public side of the Edge's 1:1 NAT", e.External})
	}
	return append(v, vantage{"edge-ext.pcap", e.Name, topo.IfEdgeExt, "Edge external interface", e.ExternalOnHost()})
}

// Run runs one scenario and, when its captures prove the ground truth, writes
// them with scenario.json to opt.Out/<name>/.
func Run(ctx context.Context, sc Scenario, opt Options) error {
	ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	work, err := workDir(opt, sc.Name)
	if err != nil {
		return err
	}
	logf(opt.Log, "== %s: %s (work %s)", sc.Name, sc.Title, work)
	spec := topo.Spec{Prefix: nsPrefix, NATs: sc.NATs, Hosts: sc.Hosts, Edge: sc.Edge}
	n, err := topo.Build(ctx, spec, func(s string) { logf(opt.Log, "%s", s) })
	if err != nil {
		return err
	}
	defer n.Close()
	results, err := runCall(ctx, n, sc, opt, work)
	if err != nil {
		return err
	}
	truthSc, err := groundTruth(sc, results, opt)
	if err != nil {
		return err
	}
	return prove(truthSc, work, opt)
}

func workDir(opt Options, name string) (string, error) {
	if opt.Work != "" {
		dir := filepath.Join(opt.Work, name)
		return dir, os.MkdirAll(dir, 0o755)
	}
	return os.MkdirTemp("", "icediag-lab-"+name+"-")
}

// callResults is what the two user agents reported.
type callResults struct {
	callID         string
	caller, callee *ua.Result
}

func runCall(ctx context.Context, n *topo.Net, sc Scenario, opt Options, work string) (*callResults, error) {
	turn, err := startRelays(ctx, n, sc, opt)
	if err != nil {
		return nil, err
	}
	defer turn.stop()
	proxy, err := start(ctx, n, sc.Edge.Name, "proxy", opt.Timeout, opt.Log, opt.Exe, "proxy",
		"-addr", EdgeExternal.String(), "-bind", sc.Edge.ExternalOnHost().String())
	if err != nil {
		return nil, err
	}
	defer proxy.stop()
	if err := proxy.waitReady(ctx, 5*time.Second); err != nil {
		return nil, err
	}
	caps, err := startCaptures(ctx, n, sc, opt, work)
	if err != nil {
		stopAll(caps)
		return nil, err
	}
	res, err := call(ctx, n, sc, opt)
	time.Sleep(500 * time.Millisecond) // let the last BYE/200 and keep-alives reach every tap
	if dropErr := stopAll(caps); err == nil {
		err = dropErr
	}
	return res, err
}

// procs are processes stopped together, in reverse order.
type procs []*proc

func (ps procs) stop() {
	for i := len(ps) - 1; i >= 0; i-- {
		ps[i].stop()
	}
}

// startRelays starts the Edge's relays: coturn, or for the MS flavour the
// MS-TURN relay of each pool member and the TLS-inspecting proxy on 443.
func startRelays(ctx context.Context, n *topo.Net, sc Scenario, opt Options) (procs, error) {
	if sc.MS == nil {
		p, err := startCoturn(ctx, n, sc, opt)
		if err != nil {
			return nil, err
		}
		return procs{p}, nil
	}
	return startMSRelays(ctx, n, sc, opt)
}

// startCoturn runs coturn on the Edge's own external address. Behind a 1:1
// NAT that is the private address and coturn is given no --external-ip, so
// it hands out private relayed addresses (MS-REFERENCE.md §6 pattern 5).
func startCoturn(ctx context.Context, n *topo.Net, sc Scenario, opt Options) (*proc, error) {
	ext := sc.Edge.ExternalOnHost().String()
	args := []string{"turnserver", "-n", "--no-cli", "--no-tls", "--no-dtls",
		"--listening-ip=" + ext, "--listening-ip=" + EdgeInternal.Addr().String(),
		"--relay-ip=" + ext, "--listening-port=3478",
		"--min-port=50000", "--max-port=59999", "--lt-cred-mech", "--realm=" + Domain,
		"--user=alice:" + TURNPass, "--user=bob:" + TURNPass, "--fingerprint",
		"--no-rfc5780", "--no-stun-backward-compatibility", "--log-file=stdout", "--simple-log",
		"--pidfile=/tmp/icediag-lab-turnserver.pid", "--no-software-attribute"}
	p, err := start(ctx, n, sc.Edge.Name, "coturn", opt.Timeout, opt.Log, args...)
	if err != nil {
		return nil, err
	}
	for i := 0; i < 50; i++ {
		out, _ := n.Exec(ctx, sc.Edge.Name, "ss", "-Hlnu", "sport = :3478")
		if len(out) > 0 {
			return p, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.stop()
	return nil, fmt.Errorf("coturn did not open UDP 3478: %s", p.stdout.String())
}

func startCaptures(ctx context.Context, n *topo.Net, sc Scenario, opt Options, work string) ([]*proc, error) {
	var caps []*proc
	for _, v := range vantages(sc) {
		p, err := start(ctx, n, v.node, "tcpdump "+v.file, opt.Timeout, opt.Log,
			"tcpdump", "-i", v.iface, "-n", "-U", "--immediate-mode", "-s", "65535", "-B", "65536", "-w", filepath.Join(work, v.file), "ip")
		if err != nil {
			return caps, err
		}
		caps = append(caps, p)
		if err := p.waitReady(ctx, 5*time.Second); err != nil {
			return caps, err
		}
	}
	return caps, nil
}

// stopAll stops the captures and fails if one of them lost packets: a capture
// with holes could not prove anything.
func stopAll(ps []*proc) error {
	var errs []error
	for _, p := range ps {
		p.stop()
		if p.dropped > 0 {
			errs = append(errs, fmt.Errorf("%s: %d packets dropped by the kernel", p.name, p.dropped))
		}
	}
	return errors.Join(errs...)
}

func call(ctx context.Context, n *topo.Net, sc Scenario, opt Options) (*callResults, error) {
	r := &callResults{callID: token() + "@" + Domain}
	calleeCfg := uaConfig(sc, sc.Callee, ua.RoleCallee, sc.Caller.Host, r.callID, opt)
	callee, err := startUA(ctx, n, sc.Callee.Host, calleeCfg, opt)
	if err != nil {
		return nil, err
	}
	defer callee.stop()
	if err := callee.waitReady(ctx, 15*time.Second); err != nil {
		return nil, err
	}
	callerCfg := uaConfig(sc, sc.Caller, ua.RoleCaller, sc.Callee.Host, r.callID, opt)
	caller, err := startUA(ctx, n, sc.Caller.Host, callerCfg, opt)
	if err != nil {
		return nil, err
	}
	defer caller.stop()
	if r.caller, err = uaResult(caller); err != nil {
		return nil, err
	}
	if r.callee, err = uaResult(callee); err != nil {
		return nil, err
	}
	return r, nil
}

func uaConfig(sc Scenario, a Agent, role, peer, callID string, opt Options) ua.Config {
	cfg := ua.Config{Role: role, User: a.Host, Peer: peer, Domain: Domain,
		Proxy:        netip.AddrPortFrom(EdgeExternal, SIPPort),
		SIPTransport: sc.SIPTransport, SIPPort: SIPPort, CallID: callID,
		STUN: []string{STUNURL}, TURN: a.TURN, TURNUser: a.Host, TURNPass: a.TURNPass,
		SendRTP: a.SendRTP, MediaDuration: opt.MediaDuration, ICETimeout: 12 * time.Second}
	if sc.MS != nil {
		cfg.MS, cfg.MSTURN, cfg.STUN, cfg.TURN = true, a.MSTURN, nil, nil
	}
	cfg.AllocateOnInvite, cfg.ICETCP, cfg.IPv6 = a.AllocateOnInvite, a.ICETCP, a.IPv6
	cfg.PortMin, cfg.PortMax = alicePortMin, alicePortMax
	if a.Host == "bob" {
		cfg.PortMin, cfg.PortMax = bobPortMin, bobPortMax
	}
	return cfg
}

func startUA(ctx context.Context, n *topo.Net, node string, cfg ua.Config, opt Options) (*proc, error) {
	b, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	return start(ctx, n, node, "ua "+node, opt.Timeout, opt.Log, opt.Exe, "ua", "-config", string(b))
}

func uaResult(p *proc) (*ua.Result, error) {
	if err := p.wait(); err != nil {
		return nil, fmt.Errorf("%s: %w", p.name, err)
	}
	var r ua.Result
	if err := json.Unmarshal(p.stdout.Bytes(), &r); err != nil {
		return nil, fmt.Errorf("%s result: %w", p.name, err)
	}
	if len(r.Errors) > 0 {
		return nil, fmt.Errorf("%s: %s", p.name, strings.Join(r.Errors, "; "))
	}
	return &r, nil
}

func token() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func logf(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "%s %s\n", time.Now().Format("15:04:05.000"), fmt.Sprintf(format, args...))
}

// prove verifies the captures against the ground truth, then copies them with
// scenario.json to the output directory.
func prove(s *truth.Scenario, work string, opt Options) error {
	if err := s.Save(work); err != nil {
		return err
	}
	if errs := s.Verify(work); len(errs) > 0 {
		return fmt.Errorf("%s: captures do not prove the ground truth (kept in %s): %w", s.Name, work, errors.Join(errs...))
	}
	dst := filepath.Join(opt.Out, s.Name)
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, c := range append([]truth.Capture{{File: "scenario.json"}}, s.Captures...) {
		if err := copyFile(filepath.Join(work, c.File), filepath.Join(dst, c.File)); err != nil {
			return err
		}
	}
	logf(opt.Log, "%s: %d captures proved and written to %s", s.Name, len(s.Captures), dst)
	return os.RemoveAll(work)
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if len(b) >= MaxCapture {
		return fmt.Errorf("%s is %s bytes, over the %d limit", src, strconv.Itoa(len(b)), MaxCapture)
	}
	return os.WriteFile(dst, b, 0o644)
}
