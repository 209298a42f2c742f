package diag

import (
	"time"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/ice"
	"github.com/icediag/icediag/sipflow"
)

// Session is one analysis fed event by event, as a live capture needs it:
// every decode event goes to the SIP capture (RFC 3261 transactions and
// dialogs), the ICE builder (RFC 8445 checks, RFC 8656 and MS-TURN
// allocations, media) and the frame index the media rules cite. Input
// joins the calls to the ICE model and returns what Build takes, the same
// Input an offline analysis of the same events builds.
//
// A Session is used by one goroutine; Input ends it.
type Session struct {
	capture *sipflow.Capture
	builder *ice.Builder
	wire    *Wire
	files   []string
	net     *Network
	policy  RetirePolicy
	onCall  func(CallResult)

	retired    []*callPart
	auth       authTally
	packer     packer
	folded     int
	lastRetire time.Time // capture time of the last look for calls to fold
	nextRetire time.Time // lastRetire + retireEvery
}

// SessionOptions bound what a Session keeps (docs/limits.md). The zero
// value means the defaults.
type SessionOptions struct {
	// SIP bounds the calls and transactions tracked.
	SIP sipflow.Limits
	// ICE bounds the ICE builder's tables.
	ICE ice.Limits
	// Retire says when finished calls are folded into the report.
	Retire RetirePolicy
	// Net is what the user said about the network (nil for nothing); the
	// relays the capture shows are added to it as calls are analysed.
	Net *Network
	// OnCall, when set, is called with each call as it is folded.
	OnCall func(CallResult)
}

// NewSession starts a session. files are the input names (base names)
// frame references carry when there are several; a live capture that
// rotates its output passes the names its files will have.
func NewSession(files []string, opts SessionOptions) *Session {
	c := sipflow.NewCapture()
	c.Tracker = sipflow.NewTrackerWithLimits(opts.SIP)
	net := opts.Net
	if net == nil {
		net = &Network{}
	}
	return &Session{capture: c, builder: ice.NewBuilder(ice.Options{Limits: opts.ICE}), wire: NewWire(files),
		files: files, net: net, policy: opts.Retire.withDefaults(), onCall: opts.OnCall}
}

// Add consumes one decode event; it is a decode.Handler.
func (s *Session) Add(ev *decode.Event) {
	s.capture.AddEvent(ev)
	s.builder.Add(ev)
	s.wire.Add(ev)
	s.maybeRetire(ev.Time)
}

// Calls returns the SIP calls tracked so far.
func (s *Session) Calls() []*sipflow.Call { return s.capture.Calls() }

// NumCalls returns how many calls were seen so far, cheaply (for progress
// displays).
func (s *Session) NumCalls() int { return s.capture.NumCalls() + s.folded }

// Folded returns how many finished calls were folded into the report so
// far.
func (s *Session) Folded() int { return s.folded }

// Input finishes the session: files are the input names, st what the
// decoder counted (after its Finish) and network what the user said
// about the network (nil for nothing). The Session must not be used
// afterwards.
func (s *Session) Input(files []string, st *decode.Stats, network *Network) *Input {
	calls := s.capture.Calls()
	for _, c := range calls {
		s.builder.AddCall(c)
	}
	model := s.builder.Finish()
	if st != nil {
		st.AddProblem("sip", "call table full, calls dropped (finished ones first)", uint64(s.capture.EvictedCalls))
		st.AddProblem("sip", "transaction table full, oldest non-call transactions dropped", uint64(s.capture.EvictedTransactions))
		for _, d := range model.Dropped {
			st.AddProblem("ice", d.What, uint64(d.Count))
		}
	}
	if network == nil {
		network = s.net
	}
	return &Input{Files: files, Stats: st, Calls: calls, Transactions: s.capture.Transactions(),
		ICE: model, Wire: s.wire, Net: network, Provisioning: s.capture.Provisioning(), retired: s.retired, auth: &s.auth}
}
