package ua

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/icediag/icediag/pcaps/lab/internal/msturn"
	"github.com/icediag/icediag/pcaps/lab/internal/sip"
	"github.com/pion/ice/v4"
)

// MSServer is one MS-TURN server address the Microsoft-flavoured agent tries,
// in order, for a relayed candidate (MS-REFERENCE.md §1.1, §5).
type MSServer struct {
	Transport string         `json:"transport"` // "udp" or "tcp"
	Server    netip.AddrPort `json:"server"`
	PseudoTLS bool           `json:"pseudo_tls,omitempty"` // TCP: start with the pseudo-TLS hello
	// Delay holds the allocation back, as a client that allocates late does.
	Delay time.Duration `json:"delay,omitempty"`
	// User and Pass override the agent's TURN credentials for this server.
	User string `json:"user,omitempty"`
	Pass string `json:"pass,omitempty"`
}

// Relay priorities of the MS fixtures (MS-REFERENCE.md §2.3): type preference
// 11 for a UDP relay, 10 for a relay reached over TCP.
const (
	msRelayPriorityUDP = 184547839
	msRelayPriorityTCP = 174847999
)

// msAllocTimeout bounds one MS-TURN Allocate exchange, retransmissions included.
const msAllocTimeout = 3 * time.Second

// ICEWarn bits the agent can vouch for (MS-REFERENCE.md §3.4, Table A).
const (
	iceWarnTURNUnreachable = 0x1
	iceWarnUDPAlloc        = 0x2
	iceWarnTCPAlloc        = 0x8
	iceWarnLocal           = 0x20
	iceWarnUDPNAT          = 0x40
	iceWarnUDPTURN         = 0x80
	iceWarnCredentials     = 0x4000
	iceWarnPseudoTLS       = 0x800000
)

// msRelay is one allocation in use as a relayed candidate.
type msRelay struct {
	client *msturn.Client
	cand   *ice.CandidateRelay
}

// msGather allocates on the MS-TURN servers, at most one relay per client
// transport, and adds each as a relayed candidate whose packets go through
// the allocation (pion's AddVirtualCandidate).
func (c *call) msGather(ctx context.Context) {
	done := map[string]bool{}
	for _, s := range c.cfg.MSTURN {
		if done[s.Transport] {
			continue
		}
		if s.Delay > 0 {
			c.logf("holding the %s allocation back for %s", s.Transport, s.Delay)
			time.Sleep(s.Delay)
		}
		r, err := c.msAllocate(ctx, s)
		if err != nil {
			c.iceWarn |= warnFor(s, err)
			c.logf("MS-TURN %s %s: %v", s.Transport, s.Server, err)
			continue
		}
		done[s.Transport] = true
		c.relays = append(c.relays, r)
		c.logf("MS-TURN %s %s: relayed %s, reflexive %s", s.Transport, s.Server, r.client.Relayed, r.client.Mapped)
	}
	if len(done) == 0 && len(c.cfg.MSTURN) > 0 {
		c.iceWarn |= iceWarnTURNUnreachable
	}
	if cands, err := c.agent.GetLocalCandidates(); err == nil {
		c.res.Local = c.res.Local[:0]
		for _, cand := range cands {
			c.res.Local = append(c.res.Local, cand.Marshal())
		}
	}
}

func warnFor(s MSServer, err error) int {
	switch {
	case errors.Is(err, msturn.ErrAuth):
		return iceWarnCredentials
	case errors.Is(err, msturn.ErrPseudoTLS):
		return iceWarnPseudoTLS | iceWarnTCPAlloc
	case s.Transport == "tcp":
		return iceWarnTCPAlloc
	}
	return iceWarnUDPAlloc
}

func (c *call) msAllocate(ctx context.Context, s MSServer) (*msRelay, error) {
	actx, cancel := context.WithTimeout(ctx, msAllocTimeout)
	defer cancel()
	user, pass := c.cfg.TURNUser, c.cfg.TURNPass
	if s.User != "" {
		user, pass = s.User, s.Pass
	}
	cl, err := msturn.Dial(actx, s.Transport, s.Server, user, pass, s.PseudoTLS)
	if err != nil {
		return nil, err
	}
	if err := cl.Allocate(actx); err != nil {
		cl.Close()
		return nil, err
	}
	prio := uint32(msRelayPriorityUDP)
	if s.Transport == "tcp" {
		prio = msRelayPriorityTCP
	}
	cand, err := ice.NewCandidateRelay(&ice.CandidateRelayConfig{Network: "udp4",
		Address: cl.Relayed.Addr().String(), Port: int(cl.Relayed.Port()), Component: 1, Priority: prio,
		RelAddr: cl.Mapped.Addr().String(), RelPort: int(cl.Mapped.Port()), RelayProtocol: s.Transport})
	if err != nil {
		cl.Close()
		return nil, err
	}
	if err := c.agent.AddVirtualCandidate(cand, cl); err != nil {
		cl.Close()
		return nil, err
	}
	return &msRelay{client: cl, cand: cand}, nil
}

// msActivate names the selected remote candidate as the active destination of
// the allocation the selected local candidate belongs to ([MS-TURN] 3.1.6).
func (c *call) msActivate(ctx context.Context) {
	p, err := c.agent.GetSelectedCandidatePair()
	if err != nil || p == nil {
		return
	}
	for _, r := range c.relays {
		if r.cand.Address() != p.Local.Address() || r.cand.Port() != p.Local.Port() {
			continue
		}
		dst, err := netip.ParseAddrPort(fmt.Sprintf("%s:%d", p.Remote.Address(), p.Remote.Port()))
		if err != nil {
			return
		}
		actx, cancel := context.WithTimeout(ctx, msAllocTimeout)
		if err := r.client.SetActiveDestination(actx, dst); err != nil {
			c.logf("Set Active Destination %s: %v", dst, err)
		}
		cancel()
	}
}

func (c *call) msClose() {
	for _, r := range c.relays {
		r.client.Close()
	}
}

// msReinvite is the caller's second INVITE after ICE: the same offer with
// a=remote-candidates naming the selected pair's remote end (MS-REFERENCE.md §2.5).
func (c *call) msReinvite(ctx context.Context, d *sip.Dialog) error {
	p, err := c.agent.GetSelectedCandidatePair()
	if err != nil || p == nil {
		return fmt.Errorf("ua: no selected pair for the re-INVITE: %v", err)
	}
	o, err := c.offerData()
	if err != nil {
		return err
	}
	o.RemoteCandidates = []string{RemoteCandidatesLine(p.Remote.Address(), p.Remote.Port())}
	_, err = c.ua.Reinvite(ctx, d, MSMultipart(o, c.session))
	return err
}

// msDiagnostics is the BYE's ms-client-diagnostics after a media connectivity
// failure (MS-REFERENCE.md §3.2): the code by the two ends' locations, and
// the ICEWarn bits of what this agent saw fail.
func (c *call) msDiagnostics() sip.Header {
	code, reason := 24, "Call failed to establish due to a media connectivity failure when both endpoints are remote"
	warn := c.iceWarn | iceWarnLocal | iceWarnUDPNAT
	localMR := ""
	if len(c.relays) > 0 {
		warn |= iceWarnUDPTURN
		localMR = c.relays[0].client.Relayed.String()
	}
	v := fmt.Sprintf(`%d;reason="%s";UserType="Caller";MediaType="audio";ICEWarn=0x%x;LocalSite=%s;LocalMR=%s;PortRange=%d:%d;LocalLocation=1;RemoteLocation=1;FederationType=0`,
		code, reason, warn, c.localSite(), localMR, c.cfg.PortMin, c.cfg.PortMax)
	return sip.Header{Name: "ms-client-diagnostics", Value: v}
}

func (c *call) localSite() string {
	for _, l := range c.res.Local {
		if f := strings.Fields(l); len(f) >= 8 && f[7] == "host" {
			return f[4] + ":" + f[5]
		}
	}
	return ""
}

// msRemoteLines turns the peer's MS-ICE2 candidate lines into pion's form.
func msRemoteLines(lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		out = append(out, FromMSCandidate(l))
	}
	return out
}
