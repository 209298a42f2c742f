package ua

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/stun/v4"
)

// gatherTimeout bounds candidate gathering; unanswered STUN and TURN servers
// are given up after it (RFC 8445 §5.1.1 leaves the timer to the agent).
const gatherTimeout = 8 * time.Second

// newAgent builds an ICE agent that gathers UDP host candidates on eth0 only
// (with cfg.IPv6 also on its IPv6 addresses, with cfg.ICETCP also RFC 6544
// TCP host candidates),
// server-reflexive candidates from the STUN URLs and relayed ones from the
// TURN URLs (RFC 8656 §3.1: over UDP, or TCP for "?transport=tcp").
func newAgent(cfg Config) (*ice.Agent, error) {
	urls, err := serverURLs(cfg)
	if err != nil {
		return nil, err
	}
	networks := []ice.NetworkType{ice.NetworkTypeUDP4}
	if cfg.IPv6 {
		networks = append(networks, ice.NetworkTypeUDP6)
	}
	opts := []ice.AgentOption{
		ice.WithUrls(urls),
		ice.WithNetworkTypes(networks),
		ice.WithTURNTransportProtocols([]ice.NetworkType{ice.NetworkTypeUDP4, ice.NetworkTypeTCP4}),
		ice.WithMulticastDNSMode(ice.MulticastDNSModeDisabled),
		ice.WithInterfaceFilter(func(name string) bool { return name == "eth0" }),
		ice.WithSTUNGatherTimeout(3 * time.Second),
		ice.WithFailedTimeout(cfg.ICETimeout),
	}
	if cfg.PortMin != 0 {
		opts = append(opts, ice.WithPortRange(cfg.PortMin, cfg.PortMax))
	}
	if cfg.ICETCP {
		l, err := net.ListenTCP("tcp4", &net.TCPAddr{Port: int(cfg.PortMax)})
		if err != nil {
			return nil, fmt.Errorf("ua: ICE-TCP listener: %w", err)
		}
		opts = append(opts, ice.WithNetworkTypes(append(networks, ice.NetworkTypeTCP4)),
			ice.WithTCPMux(ice.NewTCPMuxDefault(ice.TCPMuxParams{Listener: l, ReadBufferSize: 32})))
	}
	return ice.NewAgentWithOptions(opts...)
}

func serverURLs(cfg Config) ([]*stun.URI, error) {
	var urls []*stun.URI
	for _, raw := range append(append([]string{}, cfg.STUN...), cfg.TURN...) {
		u, err := stun.ParseURI(raw)
		if err != nil {
			return nil, fmt.Errorf("ua: server URL %q: %w", raw, err)
		}
		if strings.HasPrefix(raw, "turn") {
			u.Username, u.Password = cfg.TURNUser, cfg.TURNPass
		}
		urls = append(urls, u)
	}
	return urls, nil
}

// gather runs candidate gathering to its end and returns the candidate lines.
func gather(ctx context.Context, cfg Config, log io.Writer) (*ice.Agent, []string, error) {
	agent, err := newAgent(cfg)
	if err != nil {
		return nil, nil, err
	}
	done := make(chan struct{})
	var lines []string
	if err := agent.OnCandidate(func(c ice.Candidate) {
		if c == nil {
			close(done)
			return
		}
		lines = append(lines, c.Marshal())
		fmt.Fprintf(log, "%s %s: candidate %s\n", time.Now().Format("15:04:05.000"), cfg.User, c.Marshal())
	}); err != nil {
		agent.Close()
		return nil, nil, err
	}
	if err := agent.GatherCandidates(); err != nil {
		agent.Close()
		return nil, nil, err
	}
	select {
	case <-done:
	case <-time.After(gatherTimeout):
		fmt.Fprintf(log, "%s: gathering still running after %s\n", cfg.User, gatherTimeout)
	case <-ctx.Done():
		agent.Close()
		return nil, nil, ctx.Err()
	}
	cands, err := agent.GetLocalCandidates()
	if err != nil {
		agent.Close()
		return nil, nil, err
	}
	lines = lines[:0]
	for _, c := range cands {
		lines = append(lines, c.Marshal())
	}
	return agent, lines, nil
}

// defaultCandidate picks the address of the m= and c= lines: the relayed
// candidate if any, else server-reflexive, else host (RFC 8839 §4.2.1.2).
func defaultCandidate(agent *ice.Agent) (string, int) {
	cands, err := agent.GetLocalCandidates()
	if err != nil || len(cands) == 0 {
		return "0.0.0.0", 9
	}
	best := cands[0]
	rank := map[ice.CandidateType]int{ice.CandidateTypeRelay: 3, ice.CandidateTypeServerReflexive: 2, ice.CandidateTypeHost: 1}
	for _, c := range cands {
		if rank[c.Type()] > rank[best.Type()] {
			best = c
		}
	}
	return best.Address(), best.Port()
}
