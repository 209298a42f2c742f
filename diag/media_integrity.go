package diag

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/icediag/icediag/ice"
)

// checkIntegrityFailed reports connectivity checks answered with 401
// Unauthorized or 431 Integrity Check Failure, and success responses whose
// MESSAGE-INTEGRITY fails with the SDP's ice-pwd (DIAGNOSES.md
// "check-integrity-failed", RFC 8445 §7.2.5.1, §7.3.1.1, RFC 8489 §14.5):
// ufrag or ice-pwd changed between the SDP and the agent.
func checkIntegrityFailed(in *Input) []Finding {
	var out []Finding
	for _, s := range in.ICE.Sessions {
		rejected := errorChecks(s, 401, 431)
		forged := integrityChecks(s)
		if len(rejected)+len(forged) == 0 {
			continue
		}
		f := forSession(s, Error)
		var peers []netip.AddrPort
		for _, c := range append(append([]*ice.Check(nil), rejected...), forged...) {
			peers = append(peers, c.Remote)
			in.addCheck(&f.Evidence, c)
		}
		var what []string
		if len(rejected) > 0 {
			what = append(what, fmt.Sprintf("%s answered with 401 or 431: the receiving agent could not verify MESSAGE-INTEGRITY with its ice-pwd, or did not know the ufrag",
				plural(len(rejected), "check")))
		}
		if len(forged) > 0 {
			what = append(what, fmt.Sprintf("%s answered with a success response whose MESSAGE-INTEGRITY does not verify with the answering side's ice-pwd from the SDP, so the checking agent discards it",
				plural(len(forged), "check")))
		}
		f.Title = fmt.Sprintf("%s: connectivity checks to %s failed on credentials", mediaName(s), addrList(peers))
		f.Detail = strings.Join(what, "; ") + ". The ufrag/ice-pwd in the SDP the peer received differ from those the agent uses; an SBC or a SIP ALG that rewrites SDP is the usual cause."
		if !sessionHasSDP(s) {
			f.Detail += " The capture has no SDP for this session, so success responses could not be verified."
		}
		f.Remedy = "Turn off SIP ALG / SIP inspection on firewalls and routers between the endpoints, and check that SBCs pass a=ice-ufrag and a=ice-pwd through unchanged (or terminate ICE themselves)."
		f.MSEquivalent = "ICEWarn 0x400 (message-integrity failure in connectivity-check request)"
		out = append(out, f)
	}
	return out
}

// integrityChecks returns the checks whose success response failed
// MESSAGE-INTEGRITY with the SDP's ice-pwd.
func integrityChecks(s *ice.Session) []*ice.Check {
	var out []*ice.Check
	for _, c := range s.Checks {
		if c.Result == ice.ResultIntegrity {
			out = append(out, c)
		}
	}
	return out
}

// sessionHasSDP reports whether both sides of a session were described in
// SDP.
func sessionHasSDP(s *ice.Session) bool {
	return s.Sides[0] != nil && s.Sides[1] != nil && s.Sides[0].Pwd != "" && s.Sides[1].Pwd != ""
}

// errorChecks returns the checks answered with one of the codes.
func errorChecks(s *ice.Session, codes ...uint16) []*ice.Check {
	var out []*ice.Check
	for _, c := range s.Checks {
		if c.Result != ice.ResultError {
			continue
		}
		for _, code := range codes {
			if c.ErrorCode == code {
				out = append(out, c)
				break
			}
		}
	}
	return out
}
