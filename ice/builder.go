package ice

import (
	"net/netip"
	"time"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/wire"
)

// DefaultPendingWindow is how close to the end of the capture an
// unanswered request must have been sent to count as "unanswered at
// capture end" rather than timed out: a little more than the 3.9 s of the
// first STUN retransmission schedule over UDP (RFC 8489 §6.2.1, Rc = 7).
const DefaultPendingWindow = 5 * time.Second

// Options tune a Builder.
type Options struct {
	// PendingWindow: see DefaultPendingWindow; zero means the default.
	PendingWindow time.Duration
	// Limits bound the tables; zero fields mean the defaults.
	Limits Limits
}

// Builder joins decoded events and SIP calls into a Model. Feed it events
// in capture order with Add and calls with AddCall (in any order), then
// call Finish once. A Builder keeps copies of what it needs, never the
// event's slices.
type Builder struct {
	opts       Options
	start, end time.Time
	seen       bool

	sessions  map[ufragPair]*session
	sessOrder []*session
	checks    map[[16]byte]*Check
	queries   map[[16]byte]*stunQuery

	allocs     map[allocKey]*Allocation
	allocOrder []*Allocation
	allocSnaps map[*Allocation]allocSnap // see snapshotAllocations
	allocCache allocCache
	turnTx     map[[16]byte]*turnTx
	pseudoTLS  map[allocKey]bool

	servers     map[netip.AddrPort]*STUNServer
	serverOrder []*STUNServer

	flows     map[flowKey]*flowState
	flowOrder []*flowState
	flowCache *flowCache

	media []*mediaDesc

	// nextSession numbers sessions across TakeCall and Finish.
	nextSession int

	dropped map[string]int
}

// NewBuilder returns an empty Builder.
func NewBuilder(opts Options) *Builder {
	if opts.PendingWindow <= 0 {
		opts.PendingWindow = DefaultPendingWindow
	}
	opts.Limits = opts.Limits.withDefaults()
	return &Builder{
		opts:      opts,
		sessions:  map[ufragPair]*session{},
		checks:    map[[16]byte]*Check{},
		queries:   map[[16]byte]*stunQuery{},
		allocs:    map[allocKey]*Allocation{},
		turnTx:    map[[16]byte]*turnTx{},
		pseudoTLS: map[allocKey]bool{},
		servers:   map[netip.AddrPort]*STUNServer{},
		flows:     map[flowKey]*flowState{},
		flowCache: new(flowCache),
	}
}

// Add consumes one event. Events must come in capture order.
func (b *Builder) Add(ev *decode.Event) {
	if ev == nil {
		return
	}
	if !b.seen || ev.Time.Before(b.start) {
		b.start = ev.Time
	}
	if !b.seen || ev.Time.After(b.end) {
		b.end = ev.Time
	}
	b.seen = true
	if ev.Relay != nil {
		b.addRelayed(ev)
	}
	switch ev.Kind {
	case decode.KindSTUN:
		if ev.STUN != nil {
			b.addSTUN(ev)
		}
	case decode.KindRTP, decode.KindRTCP, decode.KindDTLS:
		b.addMedia(ev)
	case decode.KindPseudoTLS:
		k := allocKey{ev.Flow.Src, ev.Flow.Dst, ev.Flow.Transport}
		b.pseudoTLS[k] = true
		b.pseudoTLS[allocKey{ev.Flow.Dst, ev.Flow.Src, ev.Flow.Transport}] = true
	}
}

// addSTUN dispatches a STUN message: Binding requests and responses are
// checks or STUN server queries, the rest is TURN.
func (b *Builder) addSTUN(ev *decode.Event) {
	m := ev.STUN
	if m.Op != wire.OpBinding {
		if ev.Relay == nil {
			b.addTURN(ev)
		}
		return
	}
	switch m.Class {
	case wire.ClassRequest:
		b.bindingRequest(ev)
	case wire.ClassSuccess, wire.ClassError:
		b.bindingResponse(ev)
	}
}

// Finish computes the model. The Builder must not be used afterwards.
func (b *Builder) Finish() *Model {
	md := &Model{Start: b.start, End: b.end}
	md.Allocations = b.finishAllocations()
	md.STUNServers = b.finishServers()
	md.Sessions = b.finishSessions()
	md.Flows = b.finishFlows(md.Sessions)
	md.Dropped = b.drops()
	if md.Sessions == nil {
		md.Sessions = []*Session{}
	}
	return md
}

// resultAtEnd classifies a request that got no response.
func (b *Builder) resultAtEnd(last time.Time) CheckResult {
	if b.end.Sub(last) < b.opts.PendingWindow {
		return ResultUnanswered
	}
	return ResultTimeout
}
