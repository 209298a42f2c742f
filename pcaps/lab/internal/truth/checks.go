package truth

import (
	"fmt"
	"net/netip"
	"slices"
)

// Checks is what one capture must show.
type Checks struct {
	SIP         *SIPCheck        `json:"sip,omitempty"`
	Allocations []AllocCheck     `json:"allocations,omitempty"`
	Nomination  *NominationCheck `json:"nomination,omitempty"`
	Media       []FlowCheck      `json:"media,omitempty"`
	MSTURN      *MSTURNCheck     `json:"ms_turn,omitempty"`
	PseudoTLS   []PseudoTLSCheck `json:"pseudo_tls,omitempty"`
	ByeHeader   *ByeHeaderCheck  `json:"bye_header,omitempty"`
	SlowICE     *SlowICECheck    `json:"slow_ice,omitempty"`
	// OfferAttrs are strings that SDP media attributes of the call's INVITE hold.
	OfferAttrs []string `json:"offer_attrs,omitempty"`
}

// MSTURNCheck asserts that tshark's classicstun dissector decodes the MS-TURN
// messages as MS-TURN (MS-REFERENCE.md §1.2): every UDP datagram that holds
// one is a classicstun frame, and the listed message types appear.
type MSTURNCheck struct {
	Types []uint16 `json:"types"`
}

// SIPCheck lists the requests and responses of the call that must appear.
type SIPCheck struct {
	Methods  []string `json:"methods"`
	Statuses []int    `json:"statuses"`
}

// TCP flags (RFC 9293 §3.1).
const (
	tcpSYN = 0x002
	tcpACK = 0x010
)

// Allocation outcomes. AllocNoResponse over TCP also covers a connection
// whose SYNs were never answered.
const (
	AllocSuccess    = "success"
	AllocError      = "error"
	AllocNoResponse = "no-response"
)

// AllocCheck is a TURN Allocate exchange (RFC 8656 §7) with one server.
type AllocCheck struct {
	Client    string `json:"client"` // source address of the requests at this vantage point
	Server    string `json:"server"` // address:port the requests go to
	Transport string `json:"transport"`
	Outcome   string `json:"outcome"`
	ErrorCode int    `json:"error_code,omitempty"` // for AllocError, after credentials were sent
	// RelayedIn, for AllocSuccess, is the network the relayed address of
	// every success lies in: XOR-RELAYED-ADDRESS (RFC 8656 §14.5), or the
	// MS-TURN MAPPED-ADDRESS; tshark must decode the same address.
	RelayedIn string `json:"relayed_in,omitempty"`
}

// NominationCheck is the outcome of the connectivity checks: a Binding request
// with USE-CANDIDATE (RFC 8445 §7.2.2) and its success response, or checks
// that never got a success response.
type NominationCheck struct {
	Succeeded bool `json:"succeeded"`
}

// FlowCheck is RTP on one 5-tuple, direct or inside TURN messages. A zero port
// matches any port.
type FlowCheck struct {
	Direction  string `json:"direction"`
	Transport  string `json:"transport"`
	Src        string `json:"src"`
	Dst        string `json:"dst"`
	Relayed    bool   `json:"relayed"`
	MinPackets int    `json:"min_packets"`
	MaxPackets int    `json:"max_packets"` // -1: no upper bound
}

// Run evaluates the checks on a capture's packets and returns each failure.
func (c Checks) Run(pkts []Packet, callID string) []error {
	var errs []error
	if c.SIP != nil {
		errs = append(errs, c.SIP.run(pkts, callID)...)
	}
	for _, a := range c.Allocations {
		if err := a.run(pkts); err != nil {
			errs = append(errs, err)
		}
	}
	if c.Nomination != nil {
		if err := c.Nomination.run(pkts); err != nil {
			errs = append(errs, err)
		}
	}
	for _, f := range c.Media {
		if err := f.run(pkts); err != nil {
			errs = append(errs, err)
		}
	}
	if c.MSTURN != nil {
		if err := c.MSTURN.run(pkts); err != nil {
			errs = append(errs, err)
		}
	}
	for _, t := range c.PseudoTLS {
		if err := t.run(pkts); err != nil {
			errs = append(errs, err)
		}
	}
	if c.SlowICE != nil {
		if err := c.SlowICE.run(pkts, callID); err != nil {
			errs = append(errs, err)
		}
	}
	if len(c.OfferAttrs) > 0 {
		if err := offerAttrsRun(pkts, callID, c.OfferAttrs); err != nil {
			errs = append(errs, err)
		}
	}
	if c.ByeHeader != nil {
		if err := c.ByeHeader.run(pkts, callID); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

func (c *MSTURNCheck) run(pkts []Packet) error {
	seen := map[uint16]bool{}
	var ms, missed int
	for _, p := range pkts {
		for _, t := range p.ClassicSTUN {
			seen[t] = true
		}
		if p.Proto != "udp" {
			continue
		}
		if us := units(p); len(us) > 0 && us[0].stun != nil && us[0].stun.ms {
			ms++
			if len(p.ClassicSTUN) == 0 {
				missed++
			}
		}
	}
	if missed > 0 {
		return fmt.Errorf("%d of %d MS-TURN datagrams not decoded by tshark's classicstun", missed, ms)
	}
	for _, t := range c.Types {
		if !seen[t] {
			return fmt.Errorf("classicstun shows no MS-TURN message of type %#04x (%d MS-TURN datagrams)", t, ms)
		}
	}
	return nil
}

func (s *SIPCheck) run(pkts []Packet, callID string) []error {
	var methods []string
	var statuses []int
	for _, p := range pkts {
		if !slices.Contains(p.CallIDs, callID) {
			continue
		}
		methods = append(methods, p.Methods...)
		statuses = append(statuses, p.Statuses...)
	}
	var errs []error
	for _, m := range s.Methods {
		if !slices.Contains(methods, m) {
			errs = append(errs, fmt.Errorf("SIP %s of Call-ID %s not found (saw %v)", m, callID, methods))
		}
	}
	for _, code := range s.Statuses {
		if !slices.Contains(statuses, code) {
			errs = append(errs, fmt.Errorf("SIP %d of Call-ID %s not found (saw %v)", code, callID, statuses))
		}
	}
	return errs
}

func (a AllocCheck) run(pkts []Packet) error {
	server, err := netip.ParseAddrPort(a.Server)
	if err != nil {
		return err
	}
	client, err := netip.ParseAddr(a.Client)
	if err != nil {
		return err
	}
	requests := map[[12]byte]bool{} // txid -> carried MESSAGE-INTEGRITY
	var ok, errCodes = 0, []int{}
	var syn, synAck int
	for _, p := range pkts {
		if p.Proto != a.Transport || !(p.Dst == server && p.Src.Addr() == client || p.Src == server && p.Dst.Addr() == client) {
			continue
		}
		switch p.TCPFlags & (tcpSYN | tcpACK) {
		case tcpSYN:
			syn++
		case tcpSYN | tcpACK:
			synAck++
		}
		for _, u := range units(p) {
			m := u.stun
			switch {
			case m == nil:
			case m.typ == typeAllocateReq && p.Dst == server:
				requests[m.txid] = m.has(attrIntegrity)
			case m.typ == typeAllocateOK && p.Src == server:
				ok++
				if err := a.relayedIn(m, p); err != nil {
					return err
				}
			case m.typ == typeAllocateErr && p.Src == server && requests[m.txid]:
				errCodes = append(errCodes, m.errorCode())
			}
		}
	}
	got := fmt.Sprintf("%d requests, %d successes, errors after credentials %v", len(requests), ok, errCodes)
	switch {
	case len(requests) == 0 && a.Outcome == AllocNoResponse && syn > 0 && synAck == 0:
		return nil // the TCP connection for the Allocate was never answered
	case len(requests) == 0:
		return fmt.Errorf("no Allocate request to %s/%s (%d SYN, %d SYN-ACK)", a.Transport, a.Server, syn, synAck)
	case a.Outcome == AllocSuccess && ok > 0,
		a.Outcome == AllocNoResponse && ok == 0 && len(errCodes) == 0,
		a.Outcome == AllocError && ok == 0 && slices.Contains(errCodes, a.ErrorCode):
		return nil
	}
	return fmt.Errorf("Allocate to %s/%s: want %s %d, got %s", a.Transport, a.Server, a.Outcome, a.ErrorCode, got)
}

func (n *NominationCheck) run(pkts []Packet) error {
	checks := map[[12]byte]bool{} // txid -> USE-CANDIDATE
	var answered, nominated int
	for _, p := range pkts {
		for _, u := range units(p) {
			m := u.stun
			if m == nil {
				continue
			}
			if m.typ == typeBindingReq && (m.has(attrICEControling) || m.has(attrICEControlled)) {
				checks[m.txid] = m.has(attrUseCandidate)
			}
			if use, known := checks[m.txid]; known && m.typ == typeBindingOK {
				answered++
				if use {
					nominated++
				}
			}
		}
	}
	switch {
	case len(checks) == 0:
		return fmt.Errorf("no ICE connectivity check")
	case n.Succeeded && nominated == 0:
		return fmt.Errorf("no success response to a USE-CANDIDATE check (%d checks, %d answered)", len(checks), answered)
	case !n.Succeeded && answered > 0:
		return fmt.Errorf("ICE should have failed but %d of %d checks were answered", answered, len(checks))
	}
	return nil
}

func (f FlowCheck) run(pkts []Packet) error {
	src, err1 := netip.ParseAddrPort(f.Src)
	dst, err2 := netip.ParseAddrPort(f.Dst)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("flow %s -> %s: bad address", f.Src, f.Dst)
	}
	n := 0
	for _, p := range pkts {
		if p.Proto != f.Transport || !match(src, p.Src) || !match(dst, p.Dst) {
			continue
		}
		for _, u := range units(p) {
			if u.rtp {
				n++
			}
		}
	}
	if n < f.MinPackets || (f.MaxPackets >= 0 && n > f.MaxPackets) {
		return fmt.Errorf("RTP %s %s %s -> %s: %d packets, want %d..%d", f.Direction, f.Transport, f.Src, f.Dst, n, f.MinPackets, f.MaxPackets)
	}
	return nil
}

func match(want, got netip.AddrPort) bool {
	return want.Addr() == got.Addr() && (want.Port() == 0 || want.Port() == got.Port())
}

// relayedIn checks the relayed address of an Allocate success against
// RelayedIn, as the checks decode it and as tshark does.
func (a AllocCheck) relayedIn(m *stunMsg, p Packet) error {
	if a.RelayedIn == "" {
		return nil
	}
	want, err := netip.ParsePrefix(a.RelayedIn)
	if err != nil {
		return err
	}
	got, ok := m.relayed()
	if !ok || !want.Contains(got.Addr()) {
		return fmt.Errorf("frame %d: Allocate success from %s relays on %v, want an address in %s", p.Frame, a.Server, got, want)
	}
	if !slices.Contains(p.STUNAddrs, got.Addr()) {
		return fmt.Errorf("frame %d: tshark decodes %v in the Allocate success, not the relayed %s", p.Frame, p.STUNAddrs, got.Addr())
	}
	return nil
}
