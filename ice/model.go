package ice

import (
	"net/netip"
	"time"
)

// Model is what a capture shows of ICE: one Session per ufrag pair (RFC
// 8445 §7.2.2, MS-ICE2 usernames as in MS-REFERENCE §2.4), the TURN and
// MS-TURN allocations (RFC 8656 §7, MS-TURN §3.2), the STUN servers that
// were asked for reflexive addresses (RFC 8489 §3) and the media flows
// (RFC 3550) with the pair that carries each. Start and End are the times
// of the first and last event the Builder saw.
type Model struct {
	Start       time.Time     `json:"start"`
	End         time.Time     `json:"end"`
	Sessions    []*Session    `json:"sessions"`
	Allocations []*Allocation `json:"allocations"`
	STUNServers []*STUNServer `json:"stun_servers"`
	Flows       []*MediaFlow  `json:"media_flows"`
	// Dropped counts what full tables refused (Limits).
	Dropped []Drop `json:"dropped,omitempty"`
}

// Outcome is the result of one ICE session as the capture shows it.
type Outcome string

// Session outcomes.
const (
	// OutcomeSucceeded: at least one connectivity check got a success
	// response (RFC 8445 §7.2.5.3).
	OutcomeSucceeded Outcome = "succeeded"
	// OutcomeFailed: checks were sent and every one failed with an error
	// response or timed out (RFC 8445 §7.2.5.2).
	OutcomeFailed Outcome = "failed"
	// OutcomeNoChecks: the SDP offered candidates but no check was seen.
	OutcomeNoChecks Outcome = "no-checks"
	// OutcomeUnknown: checks were still outstanding when the capture ended.
	OutcomeUnknown Outcome = "unknown"
)

// Session is one ICE session: the two agents identified by their ufrags,
// what each offered in SDP (if the call was captured) or was seen to use,
// the connectivity checks between them, the pair table, the nominated and
// the selected pair, and the outcome.
//
// Sides[0] is the agent that sent the first check (the offerer when no
// check was seen), Sides[1] its peer. ID is "s1", "s2", ... in order of the
// first check (sessions known only from SDP follow in order of the offer).
type Session struct {
	ID    string   `json:"id"`
	Sides [2]*Side `json:"sides"`
	Form  string   `json:"form"` // RFC5245, MS-ICE2 or draft-06 (the USERNAME dialect)
	// CallID, MediaIndex and MediaType name the SDP media line whose
	// ufrags are this session's; empty/-1 without SIP.
	CallID     string    `json:"call_id,omitempty"`
	MediaIndex int       `json:"media_index"`
	MediaType  string    `json:"media_type,omitempty"`
	First      time.Time `json:"first"`
	Last       time.Time `json:"last"`
	Checks     []*Check  `json:"checks"`
	Pairs      []*Pair   `json:"pairs"`
	// Nominated is the index in Pairs of the nominated pair per component
	// (USE-CANDIDATE that succeeded, RFC 8445 §8.1.1, or an MS re-INVITE's
	// a=remote-candidates, MS-REFERENCE §2.5); Selected the pair that
	// carries media. Components without one are absent.
	Nominated map[int]int `json:"nominated"`
	Selected  map[int]int `json:"selected"`
	// NominatedBy says where the nomination came from per component:
	// "use-candidate" or "remote-candidates".
	NominatedBy map[int]string `json:"nominated_by"`
	Outcome     Outcome        `json:"outcome"`
}

// Side is one agent of a session.
type Side struct {
	Ufrag string `json:"ufrag"`
	// Pwd is the SDP ice-pwd, when the SDP was seen.
	Pwd string `json:"pwd,omitempty"`
	// Role is "controlling" or "controlled" as its checks said
	// (ICE-CONTROLLING/ICE-CONTROLLED, RFC 8445 §16.1), "" when unknown.
	Role string `json:"role,omitempty"`
	// ImplVersion is the MS-IMPLEMENTATION-VERSION its checks carried
	// (MS-ICE2, MS-REFERENCE §1.4), 0 when absent.
	ImplVersion uint32 `json:"ms_impl_version,omitempty"`
	// SDP reports that the side's candidates came from an SDP body.
	SDP        bool             `json:"sdp"`
	Candidates []*SideCandidate `json:"candidates"`
	// RemoteCandidates is the a=remote-candidates list of an MS re-INVITE
	// sent by this side (MS-REFERENCE §2.5).
	RemoteCandidates []RemoteCandidate `json:"remote_candidates,omitempty"`
}

// SideCandidate is a candidate of one side: offered in SDP (Offered set,
// Line the SDP value) or only observed on the wire.
type SideCandidate struct {
	Component  int            `json:"component"`
	Transport  string         `json:"transport"` // UDP, TCP, TCP-active, ...
	Type       string         `json:"type"`      // host, srflx, prflx, relay, unknown
	Addr       netip.AddrPort `json:"addr"`
	Base       netip.AddrPort `json:"raddr,omitempty"` // raddr/rport
	Priority   uint32         `json:"priority,omitempty"`
	Foundation string         `json:"foundation,omitempty"`
	Offered    bool           `json:"offered"`
	// Observed reports that checks or media used the address; Learned
	// says how an unoffered one was found: "check-source",
	// "check-destination", "mapped" (XOR-MAPPED-ADDRESS of a success
	// response) or "relayed" (the relayed address of an allocation).
	Observed bool   `json:"observed"`
	Learned  string `json:"learned,omitempty"`
	// Allocation is the ID of the TURN allocation that produced a relay
	// candidate ("a1", ...), when the capture shows it.
	Allocation string `json:"allocation,omitempty"`
	Line       string `json:"line,omitempty"`
}

// CheckResult is what became of a connectivity check or a STUN request.
type CheckResult string

// Check results.
const (
	ResultSuccess    CheckResult = "success"    // success response (RFC 8489 §6.3.3)
	ResultError      CheckResult = "error"      // error response with ErrorCode (RFC 8489 §6.3.4)
	ResultUnanswered CheckResult = "unanswered" // no response, sent less than PendingWindow before the capture ended
	ResultTimeout    CheckResult = "timeout"    // no response although the capture went on
	// ResultIntegrity is a success response whose MESSAGE-INTEGRITY does
	// not verify with the answering agent's SDP ice-pwd (RFC 8445 §7.2.5.1):
	// the agent discards it, so the check failed. Typical of a SIP ALG or
	// SBC that rewrote the SDP.
	ResultIntegrity CheckResult = "integrity-failed"
)

// Check is one connectivity check: a Binding request with USERNAME (RFC
// 8445 §7.2.2) and its transmissions and responses, matched by
// transaction ID in both directions, also through TURN relays.
type Check struct {
	TxID string `json:"txid"`
	// Side is the index in Session.Sides of the agent that sent the
	// request; Local and Remote are its source and destination. For a
	// check relayed through TURN, Local is the allocation's relayed
	// address (or the TURN server when the allocation was not seen) and
	// Remote the peer (Via names the container).
	Side      int            `json:"side"`
	Component int            `json:"component"`
	Transport string         `json:"transport"`
	Local     netip.AddrPort `json:"local"`
	Remote    netip.AddrPort `json:"remote"`
	Via       string         `json:"via,omitempty"`
	Frame     uint64         `json:"frame"`
	File      int            `json:"file,omitempty"`
	First     time.Time      `json:"first"`
	Last      time.Time      `json:"last"`
	// Sends counts transmissions; Retransmissions those after the first on
	// the same leg; LegacyDuplicates the MS-ICE2 copies with the legacy
	// FINGERPRINT (MS-REFERENCE §2.4), which are not retransmissions;
	// OtherLegs copies of the same request seen on another leg of the
	// path (both sides of a TURN server).
	Sends            int `json:"sends"`
	Retransmissions  int `json:"retransmissions"`
	LegacyDuplicates int `json:"legacy_duplicates,omitempty"`
	OtherLegs        int `json:"other_legs,omitempty"`
	// Request attributes (RFC 8445 §16.1, MS-ICE2).
	Priority     uint32 `json:"priority,omitempty"`
	UseCandidate bool   `json:"use_candidate,omitempty"`
	Role         string `json:"role,omitempty"`
	TieBreaker   uint64 `json:"tie_breaker,omitempty"`
	CandidateID  string `json:"ms_candidate_id,omitempty"`
	ImplVersion  uint32 `json:"ms_impl_version,omitempty"`
	// Result, and for answered checks the first response.
	Result        CheckResult    `json:"result"`
	ResponseFrame uint64         `json:"response_frame,omitempty"`
	RTT           time.Duration  `json:"rtt,omitempty"`
	ErrorCode     uint16         `json:"error_code,omitempty"`
	ErrorReason   string         `json:"error_reason,omitempty"`
	Mapped        netip.AddrPort `json:"mapped,omitempty"`
	Responses     int            `json:"responses"`
	// LaterErrors are the distinct error codes of further responses to
	// the same transaction (answers to retransmissions).
	LaterErrors []uint16 `json:"later_errors,omitempty"`
	// ResponseImplVersion is the responder's MS-IMPLEMENTATION-VERSION.
	ResponseImplVersion uint32 `json:"response_ms_impl_version,omitempty"`
	state               checkState
	// response is a copy of the success response while its integrity
	// is still to be verified.
	response []byte
}

// PairState is the state of a candidate pair as the capture shows it.
type PairState string

// Pair states (RFC 8445 §6.1.2.6, reduced to what a capture can tell).
const (
	PairSucceeded  PairState = "succeeded"
	PairFailed     PairState = "failed"     // every check got an error response or timed out
	PairUnanswered PairState = "unanswered" // checks still outstanding at capture end
	PairNeverTried PairState = "never-tried"
)

// Pair is one entry of an agent's check list (RFC 8445 §6.1.2): the
// checks Side sent from Local to Remote on one component and transport.
// LocalCand and RemoteCand index Sides[Side].Candidates and
// Sides[1-Side].Candidates (-1 when the address matches no candidate).
type Pair struct {
	Side       int            `json:"side"`
	Component  int            `json:"component"`
	Transport  string         `json:"transport"`
	Local      netip.AddrPort `json:"local"`
	Remote     netip.AddrPort `json:"remote"`
	Via        string         `json:"via,omitempty"`
	LocalCand  int            `json:"local_candidate"`
	RemoteCand int            `json:"remote_candidate"`
	State      PairState      `json:"state"`
	ErrorCode  uint16         `json:"error_code,omitempty"`
	Checks     int            `json:"checks"`
	Sends      int            `json:"sends"`
	First      time.Time      `json:"first,omitzero"`
	Last       time.Time      `json:"last,omitzero"`
	// RTT is the smallest round-trip time of its answered checks.
	RTT          time.Duration `json:"rtt,omitempty"`
	UseCandidate bool          `json:"use_candidate,omitempty"`
	// MediaPackets counts media packets on the pair's 5-tuple, both
	// directions; MediaLast is the time of the last one.
	MediaPackets int       `json:"media_packets,omitempty"`
	MediaLast    time.Time `json:"media_last,omitzero"`
}
