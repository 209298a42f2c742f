package diag

import (
	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/ice"
	"github.com/icediag/icediag/sipflow"
)

// Input is everything the rules look at: what the decoder counted, the
// calls and transactions sipflow built, the ICE model the ice Builder
// built from the same events, the frame index of those events and what
// the user said about the network. ICE, Wire and Net may be nil.
type Input struct {
	// Files are the input file names (base names). Frames name their file
	// only when there are several.
	Files        []string
	Stats        *decode.Stats
	Calls        []*sipflow.Call
	Transactions []*sipflow.Transaction
	ICE          *ice.Model
	Wire         *Wire
	Net          *Network
	// Provisioning lists the media port ranges the server provisioned
	// (ucMinMediaPort..ucMaxMediaPort).
	Provisioning []sipflow.ProvisionedRange
	// retired are the calls a Session folded before the end.
	retired []*callPart
	// auth tallies the challenges of the calls folded before the end.
	auth *authTally
	// part marks the Input of one call a Session folds: the report's
	// allocations, relays and STUN servers are made at the end, not for
	// each part.
	part bool
}

// frame names the frame a SIP message was seen in.
func (in *Input) frame(m sipflow.MsgRef) Frame {
	kind := KindSIPResponse
	if m.Request {
		kind = KindSIPRequest
	}
	return Frame{File: in.fileName(m.Meta.File), Frame: m.Meta.Frame, Kind: kind, Dst: m.Meta.Dst.String()}
}

// fileName is the name frames of file i carry: empty with a single input.
func (in *Input) fileName(i int) string {
	if len(in.Files) > 1 && i >= 0 && i < len(in.Files) {
		return in.Files[i]
	}
	return ""
}

// mediaEvidence returns the sampled frames of one media flow.
func (in *Input) mediaEvidence(fl *ice.MediaFlow) *Evidence {
	frames := fl.Frames.Frames()
	ev := &Evidence{Count: fl.Frames.Count, Frames: make([]Frame, 0, len(frames))}
	dst := fl.Dst.String()
	for _, r := range frames {
		ev.Frames = append(ev.Frames, Frame{File: in.fileName(r.File), Frame: r.Frame, Kind: KindMedia, Dst: dst})
	}
	return ev
}

// prepare fills what the rules share: the network with the relays the
// capture shows, and an empty model when there is none.
func (in *Input) prepare() {
	if in.Net == nil {
		in.Net = &Network{}
	}
	if in.ICE == nil {
		in.ICE = &ice.Model{}
	}
	in.Net.learnRelays(in.ICE)
}

// rule is one diagnosis: a function from the input to its findings.
type rule struct {
	id  string
	run func(in *Input) []Finding
}

// rules lists every rule in the order they run. Each lives in a file of
// its own concern (sip_*.go for signalling, media_*.go for the media
// path and ICE, names_*.go for DNS and certificates).
var rules = []rule{
	{"sip-call-failed", sipCallFailed},
	{"sip-auth-failed", sipAuthFailed},
	{"sip-transaction-timeout", sipTransactionTimeout},
	{"server-diagnostics", serverDiagnostics},
	{"sdp-rejected", sdpRejected},
	{"high-ports-blocked", highPortsBlocked},
	{"turn-udp-blocked", turnUDPBlocked},
	{"teams-relay-ports-unreachable", teamsRelayPortsUnreachable},
	{"turn-unreachable", turnUnreachable},
	{"turn-auth-failed", turnAuthFailed},
	{"relay-address-private", relayAddressPrivate},
	{"hairpin-failure", hairpinFailure},
	{"ice-failed", iceFailed},
	{"media-over-tcp", mediaOverTCP},
	{"stun-unreachable", stunUnreachable},
	{"pseudo-tls-intercepted", pseudoTLSIntercepted},
	{"check-integrity-failed", checkIntegrityFailed},
	{"role-conflict", roleConflict},
	{"one-way-media", oneWayMedia},
	{"no-media-after-ice", noMediaAfterICE},
	{"slow-ice", slowICE},
	{"media-port-outside-range", mediaPortOutsideRange},
	{"client-reported-diagnostics", clientReportedDiagnostics},
	{"tls-certificate-problem", tlsCertificateProblem},
	{"dns-srv-mismatch", dnsSRVMismatch},
	{"dns-failure", dnsFailure},
}

// Analyze runs every rule and returns the findings in a deterministic order.
func Analyze(in *Input) []Finding { return runRules(in, nil) }

// runRules runs every rule not in skip and orders the findings.
func runRules(in *Input, skip map[string]bool) []Finding {
	in.prepare()
	var out []Finding
	for _, r := range rules {
		if skip[r.id] {
			continue
		}
		for _, f := range r.run(in) {
			f.ID = r.id
			out = append(out, f)
		}
	}
	sortFindings(out)
	return out
}

// RuleIDs returns the ids of every rule.
func RuleIDs() []string {
	ids := make([]string, len(rules))
	for i, r := range rules {
		ids[i] = r.id
	}
	return ids
}
