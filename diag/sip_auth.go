package diag

import (
	"fmt"
	"sort"
	"strings"

	"github.com/icediag/icediag/sipflow"
)

// allTransactions returns the non-call transactions and those of every call.
func allTransactions(in *Input) []*sipflow.Transaction {
	out := append([]*sipflow.Transaction(nil), in.Transactions...)
	for _, c := range in.Calls {
		out = append(out, c.Transactions...)
	}
	return out
}

type authKey struct{ method, from string }

// authGroup is the INVITE or REGISTER requests of one From URI: how often
// they were challenged, whether one succeeded, the schemes offered.
type authGroup struct {
	challenges int
	succeeded  bool
	schemes    []string
	callID     string
	ev         Evidence
	server     string
}

// authTally groups transactions by method and From URI in first-seen
// order. A Session keeps one for the calls it folded, so that a user
// challenged on many calls is reported once, as for the whole capture.
type authTally struct {
	groups map[authKey]*authGroup
	order  []authKey
}

// maxAuthGroups bounds the From URIs an authTally holds.
const maxAuthGroups = 10000

// add tallies the REGISTER and INVITE transactions of ts.
func (a *authTally) add(in *Input, ts []*sipflow.Transaction) {
	if a.groups == nil {
		a.groups = map[authKey]*authGroup{}
	}
	for _, t := range ts {
		if t.Method != "REGISTER" && t.Method != "INVITE" {
			continue
		}
		k := authKey{t.Method, t.FromURI}
		g := a.groups[k]
		if g == nil {
			if len(a.groups) >= maxAuthGroups {
				continue
			}
			g = &authGroup{callID: t.CallID}
			a.groups[k] = g
			a.order = append(a.order, k)
		}
		switch {
		case t.FinalStatus >= 200 && t.FinalStatus < 300:
			g.succeeded = true
		case t.FinalStatus == 401 || t.FinalStatus == 407:
			g.challenges++
			for _, s := range t.Challenges {
				if !containsString(g.schemes, s) {
					g.schemes = append(g.schemes, s)
				}
			}
			for _, m := range t.Messages {
				if !m.Request && m.StatusCode == t.FinalStatus {
					g.ev.add(in.frame(m))
					g.server = m.Meta.Src.String()
					break
				}
			}
		}
	}
}

// clone returns a copy that add can extend without touching a.
func (a *authTally) clone() *authTally {
	c := &authTally{groups: map[authKey]*authGroup{}, order: append([]authKey(nil), a.order...)}
	for k, g := range a.groups {
		cp := *g
		cp.schemes = append([]string(nil), g.schemes...)
		cp.ev.Frames = append([]Frame(nil), g.ev.Frames...)
		c.groups[k] = &cp
	}
	return c
}

// sipAuthFailed reports REGISTER or INVITE requests that were challenged
// (401/407) again and again without ever succeeding (DIAGNOSES.md
// "sip-auth-failed"). One challenge followed by success is the normal
// sign-in and is not reported.
func sipAuthFailed(in *Input) []Finding {
	tally := &authTally{}
	if in.auth != nil {
		tally = in.auth.clone()
	}
	tally.add(in, allTransactions(in))
	groups, order := tally.groups, tally.order
	var out []Finding
	for _, k := range order {
		g := groups[k]
		if g.succeeded || g.challenges < 2 {
			continue
		}
		sort.Strings(g.schemes)
		schemes := strings.Join(g.schemes, ", ")
		if schemes == "" {
			schemes = "none named"
		}
		f := Finding{
			Severity: Error,
			Title:    fmt.Sprintf("%s of %s challenged %d times by %s, never accepted", k.method, k.from, g.challenges, g.server),
			Detail: fmt.Sprintf("Every %s from %s was answered with 401/407 (%d challenges) and none succeeded in the capture. "+
				"Authentication schemes the server offered: %s.", k.method, k.from, g.challenges, schemes),
			Remedy: "Check the user's credentials and that the client supports a scheme the server offers. " +
				"For Lync/Skype for Business: NTLM/Kerberos need a reachable domain controller and correct time; " +
				"TLS-DSK needs the client's certificate from the pool's certificate provisioning service; " +
				"a clock skew of more than a few minutes breaks all of them (ms-diagnostics 1013).",
			Evidence: g.ev,
		}
		if k.method == "INVITE" {
			f.CallID = g.callID
		}
		out = append(out, f)
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
