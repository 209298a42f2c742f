package ice

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/wire"
)

// Allocation is a TURN allocation (RFC 8656 §7) or MS-TURN allocation
// (MS-TURN §3.2.5) as one client transport address tried it on one server:
// every Allocate attempt and its answer, the relayed and reflexive
// addresses, refreshes, permissions, channels and the data that went
// through the relay. MS-TURN responses carry the relayed address in
// MAPPED-ADDRESS and the reflexive one in 0x8020 (MS-REFERENCE §1.5).
type Allocation struct {
	ID        string         `json:"id"`
	Client    netip.AddrPort `json:"client"`
	Server    netip.AddrPort `json:"server"`
	Transport string         `json:"transport"` // UDP, TCP or TCP pseudo-TLS (MS-TURN §3.1.5)
	Dialect   string         `json:"dialect"`
	// State: "allocated", "deallocated", "failed" (only errors), "pending"
	// (requests without answer) or "unseen" (relayed traffic of an
	// allocation made before the capture started).
	State      string    `json:"state"`
	First      time.Time `json:"first"`
	Last       time.Time `json:"last"`
	Attempts   int       `json:"attempts"`
	Unanswered int       `json:"unanswered"`
	// Challenges counts 401 answers to requests without credentials: the
	// normal first round of the long-term mechanism (RFC 8489 §9.2).
	Challenges int `json:"challenges"`
	// AuthFailures are the answers that reject credentials: 401 after
	// credentials were sent, 431, 436, 441, or a loop of 438 Stale Nonce.
	AuthFailures []TURNError `json:"auth_failures,omitempty"`
	Errors       []TURNError `json:"errors,omitempty"`
	// AlternateServer is an ALTERNATE-SERVER that differs from Server (RFC
	// 8489 §10, MS-TURN 0x000E).
	AlternateServer netip.AddrPort `json:"alternate_server,omitempty"`
	Relayed         netip.AddrPort `json:"relayed,omitempty"`
	RelayedIPv6     netip.AddrPort `json:"relayed_ipv6,omitempty"`
	Mapped          netip.AddrPort `json:"mapped,omitempty"`
	Lifetime        uint32         `json:"lifetime,omitempty"`
	MSVersion       uint32         `json:"ms_version,omitempty"`
	MuxSession      uint64         `json:"mux_session,omitempty"`
	Refreshes       int            `json:"refreshes"`
	Permissions     []netip.Addr   `json:"permissions,omitempty"`
	Channels        []Channel      `json:"channels,omitempty"`
	// ActiveDestination is the MS-TURN Set Active Destination peer.
	ActiveDestination netip.AddrPort `json:"active_destination,omitempty"`
	Deallocated       time.Time      `json:"deallocated,omitzero"`
	// Relayed data: packets and bytes of payload toward and from peers.
	PacketsToPeer   int `json:"packets_to_peer"`
	BytesToPeer     int `json:"bytes_to_peer"`
	PacketsFromPeer int `json:"packets_from_peer"`
	BytesFromPeer   int `json:"bytes_from_peer"`

	requestedUDP bool
	// idleReported is set once IdleAllocations has returned it.
	idleReported bool
	succeeded    bool
	staleNonce   int
	key          allocKey // its key in Builder.allocs
}

// TURNError is one error response of a TURN transaction.
type TURNError struct {
	Op     string    `json:"op"`
	Code   uint16    `json:"code"`
	Reason string    `json:"reason,omitempty"`
	Frame  uint64    `json:"frame"`
	Time   time.Time `json:"time"`
}

// Channel is a channel binding (RFC 8656 §12).
type Channel struct {
	Number uint16         `json:"number"`
	Peer   netip.AddrPort `json:"peer"`
}

type allocKey struct {
	client, server netip.AddrPort
	transport      decode.Transport
}

// turnTx is an outstanding TURN request.
type turnTx struct {
	alloc    *Allocation
	op       wire.Op
	authed   bool
	lifetime uint32
	hasLife  bool
	peer     netip.AddrPort
	channel  uint16
	last     time.Time
	answered bool
}

// addTURN records a TURN or MS-TURN control message.
func (b *Builder) addTURN(ev *decode.Event) {
	m := ev.STUN
	switch m.Class {
	case wire.ClassRequest:
		b.turnRequest(ev)
	case wire.ClassSuccess, wire.ClassError:
		if tx := b.turnTx[m.TxID]; tx != nil && !tx.answered {
			tx.answered = true
			b.turnResponse(tx, ev)
		}
	}
}

// turnRequest records a request from a client to its server.
func (b *Builder) turnRequest(ev *decode.Event) {
	m := ev.STUN
	if m.Op == wire.OpSend {
		return // MS-TURN Send requests get no response (MS-REFERENCE §1.2)
	}
	if tx := b.turnTx[m.TxID]; tx != nil {
		tx.last = ev.Time
		return
	}
	if b.allocFor(ev.Flow.Src, ev.Flow.Dst, ev.Flow.Transport) == nil && len(b.allocs) >= b.opts.Limits.MaxAllocations {
		b.drop(dropAllocation)
		return
	}
	a := b.allocation(ev.Flow.Src, ev.Flow.Dst, ev.Flow.Transport, ev.Time)
	a.Last = ev.Time
	if a.Dialect == "" {
		a.Dialect = m.Dialect.String()
	}
	tx := &turnTx{alloc: a, op: m.Op, authed: len(m.Username) > 0 || m.HasIntegrity,
		lifetime: m.Lifetime, hasLife: m.HasLifetime, peer: m.XORPeer, channel: m.ChannelNumber, last: ev.Time}
	switch m.Op {
	case wire.OpAllocate:
		a.Attempts++
		if m.RequestedTransport == 17 {
			a.requestedUDP = true
		}
		if m.HasMSVersion {
			a.MSVersion = m.MSVersion
		}
	case wire.OpSetActiveDestination:
		tx.peer = m.Destination
	}
	if len(b.turnTx) < b.opts.Limits.MaxTURNTx {
		b.turnTx[m.TxID] = tx
	} else {
		b.drop(dropTURNTx)
	}
}

// turnResponse applies the answer to a request.
func (b *Builder) turnResponse(tx *turnTx, ev *decode.Event) {
	m, a := ev.STUN, tx.alloc
	a.Last = ev.Time
	if alt := m.AlternateServer; alt.IsValid() && alt != a.Server {
		a.AlternateServer = alt
	}
	if m.Class == wire.ClassError {
		b.turnError(tx, ev)
		return
	}
	switch tx.op {
	case wire.OpAllocate, wire.OpRefresh:
		b.allocSuccess(tx, m, ev.Time)
	case wire.OpCreatePermission:
		a.addPermission(tx.peer.Addr())
	case wire.OpChannelBind:
		a.Channels = append(a.Channels, Channel{Number: tx.channel, Peer: tx.peer})
		a.addPermission(tx.peer.Addr())
	case wire.OpSetActiveDestination:
		a.ActiveDestination = tx.peer
	}
}

// allocSuccess handles a success to Allocate or Refresh: a new allocation,
// a refresh, or a deallocation when the request asked for LIFETIME 0.
func (b *Builder) allocSuccess(tx *turnTx, m *wire.STUN, t time.Time) {
	a := tx.alloc
	if tx.hasLife && tx.lifetime == 0 {
		a.Deallocated, a.State = t, "deallocated"
		return
	}
	if a.succeeded || tx.op == wire.OpRefresh {
		a.Refreshes++
	}
	a.succeeded, a.State = true, "allocated"
	if m.HasLifetime {
		a.Lifetime = m.Lifetime
	}
	if m.HasMSMuxSession {
		a.MuxSession = m.MSMuxSessionID
	}
	if tx.op != wire.OpAllocate {
		return
	}
	if m.XORRelayed.IsValid() {
		a.Relayed, a.Mapped = m.XORRelayed, mappedOf(m)
	} else if m.Dialect == wire.DialectMSTURN || m.Mapped.IsValid() {
		a.Relayed, a.Mapped = m.Mapped, m.XORMapped
	}
	if m.MSAltMapped.IsValid() {
		a.RelayedIPv6 = m.MSAltMapped
	}
}

// turnError classifies an error response (RFC 8489 §9.2.4, RFC 8656 §7.3,
// MS-REFERENCE §1.9).
func (b *Builder) turnError(tx *turnTx, ev *decode.Event) {
	m, a := ev.STUN, tx.alloc
	e := TURNError{Op: tx.op.String(), Code: m.ErrorCode, Reason: string(m.ErrorReason), Frame: ev.Frame, Time: ev.Time}
	switch {
	case m.ErrorCode == 401 && !tx.authed:
		a.Challenges++
	case m.ErrorCode == 401, m.ErrorCode == 431, m.ErrorCode == 436, m.ErrorCode == 441:
		a.AuthFailures = append(a.AuthFailures, e)
	case m.ErrorCode == 438:
		a.staleNonce++
		if a.staleNonce >= 3 {
			a.AuthFailures = append(a.AuthFailures, e)
		}
	default:
		a.Errors = append(a.Errors, e)
	}
}

func (a *Allocation) addPermission(ip netip.Addr) {
	if !ip.IsValid() {
		return
	}
	for _, p := range a.Permissions {
		if p == ip {
			return
		}
	}
	a.Permissions = append(a.Permissions, ip)
}

// allocation returns the allocation of a client/server leg, creating it.
func (b *Builder) allocation(client, server netip.AddrPort, t decode.Transport, now time.Time) *Allocation {
	k := allocKey{client, server, t}
	a := b.allocs[k]
	if a == nil {
		a = &Allocation{ID: "a" + strconv.Itoa(len(b.allocOrder)+1), Client: client, Server: server,
			Transport: t.String(), First: now, Last: now, key: k}
		b.allocs[k] = a
		b.allocOrder = append(b.allocOrder, a)
	}
	return a
}

// allocCache is a direct-mapped cache in front of Builder.allocs for the
// relayed packets, which come from many allocations interleaved.
type allocCache [256]*Allocation

// allocSlot returns the cache slot of a relay leg.
func allocSlot(k *allocKey) int {
	return int(slotHash(k.client, k.server, netip.AddrPort{}) % uint32(len(allocCache{})))
}

// allocFor returns the allocation of a relay leg, or nil.
func (b *Builder) allocFor(client, server netip.AddrPort, t decode.Transport) *Allocation {
	return b.allocs[allocKey{client, server, t}]
}

// relayTransport is the transport of the relayed candidate: UDP when the
// client asked for it (RFC 8656 §7.2 REQUESTED-TRANSPORT), else the
// client leg's (MS-TURN TCP relays, MS-REFERENCE §2.3 TCP-ACT/TCP-PASS).
func (a *Allocation) relayTransport() string {
	if a.requestedUDP {
		return "UDP"
	}
	return a.Transport
}

// addRelayed counts a payload that travelled through a relay leg.
func (b *Builder) addRelayed(ev *decode.Event) {
	r := ev.Relay
	k := allocKey{r.Client, r.Server, r.Transport}
	slot := &b.allocCache[allocSlot(&k)]
	a := *slot
	if a == nil || a.key != k {
		a = b.allocs[k]
		*slot = a
	}
	if a == nil {
		if len(b.allocs) >= b.opts.Limits.MaxAllocations {
			b.drop(dropAllocation)
			return
		}
		a = b.allocation(r.Client, r.Server, r.Transport, ev.Time)
		a.State = "unseen"
	}
	a.Last = ev.Time
	if r.ToPeer {
		a.PacketsToPeer++
		a.BytesToPeer += len(ev.Payload)
		return
	}
	a.PacketsFromPeer++
	a.BytesFromPeer += len(ev.Payload)
}

// finishAllocations settles states and numbers allocations by first
// request.
func (b *Builder) finishAllocations() []*Allocation {
	for _, tx := range b.turnTx {
		if !tx.answered && tx.op == wire.OpAllocate {
			tx.alloc.Unanswered++
		}
	}
	out := make([]*Allocation, 0, len(b.allocOrder))
	for _, a := range b.allocOrder {
		b.settleAllocation(a)
		out = append(out, a)
	}
	return out
}

// settleAllocation names the transport of an allocation over TCP with the
// MS pseudo-TLS hello and gives it its final state.
func (b *Builder) settleAllocation(a *Allocation) {
	if b.pseudoTLS[allocKey{a.Client, a.Server, decode.TCP}] && a.Transport == "TCP" {
		a.Transport = "TCP pseudo-TLS"
	}
	if a.State == "" {
		a.State = "pending"
		if len(a.Errors)+len(a.AuthFailures)+a.Challenges > 0 {
			a.State = "failed"
		}
	}
}
