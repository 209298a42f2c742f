// Package ua is the lab's user agent: it gathers host, server-reflexive and relayed
// candidates with pion/ice (RFC 8445 §5.1), calls or answers through the SIP proxy
// with the candidates in the SDP (RFC 8839), runs the connectivity checks, and then
// sends RTP (RFC 3550) over the selected pair.
package ua

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/icediag/icediag/pcaps/lab/internal/sip"
	"github.com/pion/ice/v4"
)

// Roles of a user agent in a call.
const (
	RoleCaller = "caller"
	RoleCallee = "callee"
)

// Config is what one user agent needs for one call.
type Config struct {
	Role          string         `json:"role"`
	User          string         `json:"user"`
	Peer          string         `json:"peer"`
	Domain        string         `json:"domain"`
	Proxy         netip.AddrPort `json:"proxy"`
	SIPTransport  string         `json:"sip_transport"`
	SIPPort       int            `json:"sip_port"`
	CallID        string         `json:"call_id"`
	STUN          []string       `json:"stun"`
	TURN          []string       `json:"turn"`
	TURNUser      string         `json:"turn_user"`
	TURNPass      string         `json:"turn_pass"`
	PortMin       uint16         `json:"port_min"`
	PortMax       uint16         `json:"port_max"`
	SendRTP       bool           `json:"send_rtp"`
	MediaDuration time.Duration  `json:"media_duration"`
	ICETimeout    time.Duration  `json:"ice_timeout"`
	// MS makes the agent Microsoft-flavoured: Lync-style SIP bodies and
	// headers, and relayed candidates from the MS-TURN servers in MSTURN.
	MS     bool       `json:"ms,omitempty"`
	MSTURN []MSServer `json:"ms_turn,omitempty"`
	// AllocateOnInvite makes an MS callee allocate its relays only when the
	// INVITE arrives, between 180 and 200, as a client that allocates late.
	AllocateOnInvite bool `json:"allocate_on_invite,omitempty"`
	// ICETCP adds RFC 6544 host candidates: passive on a TCP listener at
	// PortMax, and active ones.
	ICETCP bool `json:"ice_tcp,omitempty"`
	// IPv6 adds UDP host candidates on the interface's IPv6 addresses.
	IPv6 bool `json:"ipv6,omitempty"`
}

// Candidate is one candidate as the agent knew it.
type Candidate struct {
	Type          string `json:"type"`
	Protocol      string `json:"protocol"`
	Address       string `json:"address"`
	Port          int    `json:"port"`
	RelayProtocol string `json:"relay_protocol,omitempty"`
	Related       string `json:"related,omitempty"`
}

// Pair is the selected candidate pair.
type Pair struct {
	Local  Candidate `json:"local"`
	Remote Candidate `json:"remote"`
}

// Result is what the user agent reports after the call.
type Result struct {
	Role        string   `json:"role"`
	User        string   `json:"user"`
	CallID      string   `json:"call_id"`
	SIPLocal    string   `json:"sip_local"`
	Local       []string `json:"local_candidates"`
	Remote      []string `json:"remote_candidates"`
	ICE         string   `json:"ice"`
	Selected    *Pair    `json:"selected,omitempty"`
	RTPSent     int      `json:"rtp_sent"`
	RTPReceived int      `json:"rtp_received"`
	Errors      []string `json:"errors,omitempty"`
}

// ICE outcomes of a Result.
const (
	ICEConnected = "connected"
	ICEFailed    = "failed"
)

// Run places or answers one call and reports it. ready is closed once the agent
// has gathered and registered. Only setup errors are returned; call failures
// are part of the Result.
func Run(ctx context.Context, cfg Config, ready func(), log io.Writer) (*Result, error) {
	res := &Result{Role: cfg.Role, User: cfg.User, CallID: cfg.CallID}
	agent, local, err := gather(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	defer closeWithin(agent, 2*time.Second)
	res.Local = local
	conn, err := sip.Dial(ctx, cfg.SIPTransport, cfg.SIPPort, cfg.Proxy)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	u := sip.NewUA(cfg.User, cfg.Domain, "icediag-lab/1 pion-ice/v4", conn, cfg.Proxy)
	res.SIPLocal = conn.LocalAddr(cfg.Proxy).String()
	if err := u.Register(ctx); err != nil {
		return nil, err
	}
	c := &call{cfg: cfg, agent: agent, ua: u, res: res, log: log, session: uint64(time.Now().Unix())}
	if cfg.MS {
		if !c.allocatesOnInvite() {
			c.msGather(ctx)
		}
		defer c.msClose()
		u.Agent = "UCCAPI/16.0.0.0 OC/16.0.0.0 (icediag lab, MS-TURN)"
		if cfg.Role == RoleCaller {
			u.OfferType = MSContentType
		}
		u.Reoffer = func(*sip.Message) []byte { b, _ := c.offer(); return b }
	}
	ready()
	if cfg.Role == RoleCaller {
		err = c.place(ctx)
	} else {
		err = c.answer(ctx)
	}
	if err != nil {
		res.Errors = append(res.Errors, err.Error())
	}
	return res, nil
}

// WriteResult writes a Result as indented JSON.
func WriteResult(w io.Writer, r *Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

type call struct {
	cfg     Config
	agent   *ice.Agent
	ua      *sip.UA
	res     *Result
	log     io.Writer
	session uint64
	relays  []*msRelay
	iceWarn int // MS: ICEWarn bits of what failed (MS-REFERENCE.md §3.4)
}

func (c *call) logf(format string, args ...any) {
	fmt.Fprintf(c.log, "%s %s: %s\n", time.Now().Format("15:04:05.000"), c.cfg.User, fmt.Sprintf(format, args...))
}

func (c *call) offerData() (Offer, error) {
	ufrag, pwd, err := c.agent.GetLocalUserCredentials()
	if err != nil {
		return Offer{}, err
	}
	o := Offer{Ufrag: ufrag, Pwd: pwd, Candidates: c.res.Local}
	if c.cfg.MS {
		o.Candidates = withActiveTCP(o.Candidates)
	}
	o.Addr, o.Port = defaultCandidate(c.agent)
	return o, nil
}

// offer is the INVITE's offer or the 200's answer: RFC 8839 SDP, or for the MS
// flavour the Lync-style multipart offer and a single MS-ICE2 answer.
func (c *call) offer() ([]byte, error) {
	o, err := c.offerData()
	if err != nil {
		return nil, err
	}
	switch {
	case c.cfg.MS && c.cfg.Role == RoleCaller:
		return MSMultipart(o, c.session), nil
	case c.cfg.MS:
		return msV19(o, c.session), nil
	}
	return o.Marshal(c.session), nil
}

func (c *call) place(ctx context.Context) error {
	offer, err := c.offer()
	if err != nil {
		return err
	}
	d, answer, err := c.ua.Invite(ctx, c.cfg.Peer, c.cfg.CallID, offer, func(m *sip.Message) {
		c.logf("got %d %s", m.Status, m.Reason)
	})
	if err != nil {
		return err
	}
	remote, err := c.addRemote(answer)
	if err != nil {
		return err
	}
	ictx, cancel := context.WithTimeout(ctx, c.cfg.ICETimeout)
	conn, err := c.agent.Dial(ictx, remote.Ufrag, remote.Pwd)
	cancel()
	reason := ""
	var extra []sip.Header
	if err != nil {
		c.res.ICE, reason = ICEFailed, `SIP;cause=488;text="ICE connectivity checks failed"`
		c.logf("ICE failed: %v", err)
		if c.cfg.MS {
			extra = append(extra, c.msDiagnostics())
		}
	} else {
		c.connected()
		if c.cfg.MS {
			c.msActivate(ctx)
			if err := c.msReinvite(ctx, d); err != nil {
				return err
			}
		}
		c.media(ctx, conn, c.cfg.MediaDuration)
	}
	c.logf("sending BYE (RTP sent %d, received %d)", c.res.RTPSent, c.res.RTPReceived)
	if err := c.ua.Bye(ctx, d, reason, extra...); err != nil {
		return err
	}
	c.logf("BYE answered")
	return nil
}

func (c *call) answer(ctx context.Context) error {
	inv, err := c.ua.AwaitInvite(ctx)
	if err != nil {
		return err
	}
	c.res.CallID = inv.Get("Call-ID")
	iceDone := make(chan *ice.Conn, 1)
	d, err := c.ua.Answer(ctx, inv, func() ([]byte, error) {
		if c.allocatesOnInvite() {
			c.msGather(ctx)
		}
		remote, err := c.addRemote(V19Part(inv.Get("Content-Type"), inv.Body))
		if err != nil {
			return nil, err
		}
		go c.accept(ctx, remote, iceDone)
		return c.offer()
	})
	if err != nil {
		return err
	}
	byeCtx, stop := context.WithCancel(ctx)
	mediaDone := make(chan struct{})
	go func() {
		defer close(mediaDone)
		if conn := <-iceDone; conn != nil {
			c.media(byeCtx, conn, c.cfg.MediaDuration+c.cfg.ICETimeout)
		}
	}()
	err = c.ua.AwaitBye(ctx, d)
	stop()
	<-mediaDone
	return err
}

func (c *call) allocatesOnInvite() bool {
	return c.cfg.MS && c.cfg.AllocateOnInvite && c.cfg.Role == RoleCallee
}

func (c *call) accept(ctx context.Context, remote Offer, done chan<- *ice.Conn) {
	ictx, cancel := context.WithTimeout(ctx, c.cfg.ICETimeout)
	defer cancel()
	conn, err := c.agent.Accept(ictx, remote.Ufrag, remote.Pwd)
	if err != nil {
		c.res.ICE = ICEFailed
		c.logf("ICE failed: %v", err)
		done <- nil
		return
	}
	c.connected()
	if c.cfg.MS {
		c.msActivate(ctx)
	}
	done <- conn
}

func (c *call) addRemote(body []byte) (Offer, error) {
	o, err := ParseOffer(body)
	if err != nil {
		return o, err
	}
	lines := o.Candidates
	if c.cfg.MS {
		lines = msRemoteLines(lines)
	}
	for _, line := range lines {
		cand, err := ice.UnmarshalCandidate(line)
		if err != nil {
			c.logf("remote candidate %q: %v", line, err)
			continue
		}
		if err := c.agent.AddRemoteCandidate(cand); err != nil {
			return o, err
		}
		c.res.Remote = append(c.res.Remote, line)
	}
	if len(c.res.Remote) == 0 {
		return o, errors.New("ua: no usable remote candidate")
	}
	return o, nil
}

func (c *call) connected() {
	c.res.ICE = ICEConnected
	p, err := c.agent.GetSelectedCandidatePair()
	if err != nil || p == nil {
		return
	}
	c.res.Selected = &Pair{Local: describe(p.Local), Remote: describe(p.Remote)}
	c.logf("ICE connected: %s %s:%d -> %s %s:%d", p.Local.Type(), p.Local.Address(), p.Local.Port(),
		p.Remote.Type(), p.Remote.Address(), p.Remote.Port())
}

func describe(c ice.Candidate) Candidate {
	d := Candidate{Type: c.Type().String(), Protocol: c.NetworkType().NetworkShort(), Address: c.Address(), Port: c.Port()}
	if r, ok := c.(*ice.CandidateRelay); ok {
		d.RelayProtocol = r.RelayProtocol()
	}
	if rel := c.RelatedAddress(); rel != nil && rel.Address != "" {
		d.Related = fmt.Sprintf("%s:%d", rel.Address, rel.Port)
	}
	return d
}

// closeWithin closes the agent but gives up waiting after d: a TURN over TCP
// connection attempt to a dropped port can hold Close for minutes.
func closeWithin(agent *ice.Agent, d time.Duration) {
	done := make(chan struct{})
	go func() { _ = agent.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
	}
}
