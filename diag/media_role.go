package diag

import "fmt"

// roleConflict reports 487 Role Conflict answers to connectivity checks
// (DIAGNOSES.md "role-conflict", RFC 8445 §7.3.1.1): both agents thought
// they were controlling (or controlled). ICE repairs this by itself; when
// it repeats, the agents disagree about who offered.
func roleConflict(in *Input) []Finding {
	var out []Finding
	for _, s := range in.ICE.Sessions {
		bad := errorChecks(s, 487)
		if len(bad) == 0 {
			continue
		}
		sev := Info
		if len(bad) > 1 {
			sev = Warning
		}
		f := forSession(s, sev)
		for _, c := range bad {
			in.addCheck(&f.Evidence, c)
		}
		f.Title = fmt.Sprintf("%s: %s answered with 487 Role Conflict", mediaName(s), plural(len(bad), "check"))
		f.Detail = fmt.Sprintf("Both agents claimed the same ICE role (ICE-CONTROLLING or ICE-CONTROLLED) with the first check to %s; one switched role after the 487. "+
			"Once is harmless; repeated conflicts delay or break nomination.", bad[0].Remote)
		f.Remedy = "Usually nothing to change. When it repeats, look for a B2BUA or gateway that makes both sides believe they sent the offer (both controlling) or the answer."
		out = append(out, f)
	}
	return out
}
