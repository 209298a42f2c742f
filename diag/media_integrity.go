package diag

import (
	"fmt"
	"net/netip"

	"github.com/icediag/icediag/ice"
)

// checkIntegrityFailed reports connectivity checks answered with 401
// Unauthorized or 431 Integrity Check Failure (DIAGNOSES.md
// "check-integrity-failed", RFC 8445 §7.3.1.1, RFC 8489 §14.5): the
// receiver did not accept the short-term credentials, so ufrag or ice-pwd
// changed between the SDP and the agent.
func checkIntegrityFailed(in *Input) []Finding {
	var out []Finding
	for _, s := range in.ICE.Sessions {
		bad := errorChecks(s, 401, 431)
		if len(bad) == 0 {
			continue
		}
		f := forSession(s, Error)
		var peers []netip.AddrPort
		for _, c := range bad {
			peers = append(peers, c.Remote)
			in.addCheck(&f.Evidence, c)
		}
		f.Title = fmt.Sprintf("%s: connectivity checks to %s rejected with %d (credentials)", mediaName(s), addrList(peers), bad[0].ErrorCode)
		f.Detail = fmt.Sprintf("%s were answered with 401 or 431: the receiving agent could not verify MESSAGE-INTEGRITY with its ice-pwd, or did not know the ufrag. "+
			"The ufrag/ice-pwd in the SDP the peer received differ from those the agent uses; an SBC or a SIP ALG that rewrites SDP is the usual cause. "+
			"This capture does not recompute MESSAGE-INTEGRITY, so responses that pass with a wrong key are not detected.", plural(len(bad), "check"))
		f.Remedy = "Turn off SIP ALG / SIP inspection on firewalls and routers between the endpoints, and check that SBCs pass a=ice-ufrag and a=ice-pwd through unchanged (or terminate ICE themselves)."
		f.MSEquivalent = "ICEWarn 0x400 (message-integrity failure in connectivity-check request)"
		out = append(out, f)
	}
	return out
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
