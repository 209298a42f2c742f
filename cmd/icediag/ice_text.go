package main

import (
	"fmt"
	"io"
	"net/netip"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/icediag/icediag/ice"
)

// writeICEText renders the ICE model as readable tables.
func writeICEText(w io.Writer, md *ice.Model) {
	fmt.Fprintf(w, "# ICE: %d sessions, %d allocations, %d STUN servers, %d media flows\n",
		len(md.Sessions), len(md.Allocations), len(md.STUNServers), len(md.Flows))
	for _, s := range md.Sessions {
		writeSession(w, md, s)
	}
	writeAllocations(w, md.Allocations)
	writeServers(w, md.STUNServers)
	writeFlows(w, md.Flows)
}

func writeSession(w io.Writer, md *ice.Model, s *ice.Session) {
	fmt.Fprintf(w, "\n## session %s  %s <-> %s  outcome=%s", s.ID, s.Sides[0].Ufrag, s.Sides[1].Ufrag, s.Outcome)
	if s.CallID != "" {
		fmt.Fprintf(w, "  call=%s media=%d(%s)", s.CallID, s.MediaIndex, s.MediaType)
	}
	if s.Form != "" {
		fmt.Fprintf(w, "  form=%s", s.Form)
	}
	fmt.Fprintf(w, "  checks=%d\n", len(s.Checks))
	for i, side := range s.Sides {
		fmt.Fprintf(w, "side %c ufrag=%s", 'A'+i, side.Ufrag)
		if side.Role != "" {
			fmt.Fprintf(w, " role=%s", side.Role)
		}
		if side.ImplVersion != 0 {
			fmt.Fprintf(w, " ms-impl-version=%d", side.ImplVersion)
		}
		fmt.Fprintf(w, " sdp=%v\n", side.SDP)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for j, c := range side.Candidates {
			src := "sdp"
			if !c.Offered {
				src = "seen:" + c.Learned
			}
			fmt.Fprintf(tw, "  %c%d\tcomp %d\t%s\t%s\t%s\t%s\t%s\t%s\n", 'A'+i, j, c.Component, c.Type, c.Transport,
				addr(c.Addr), raddr(c.Base), src, c.Allocation)
		}
		tw.Flush()
	}
	writePairs(w, s)
	for _, comp := range sortedKeys(s.Nominated) {
		fmt.Fprintf(w, "nominated comp %d: %s (%s)\n", comp, pairName(s, s.Nominated[comp]), s.NominatedBy[comp])
	}
	for _, comp := range sortedKeys(s.Selected) {
		fmt.Fprintf(w, "selected  comp %d: %s (%d media packets)\n", comp, pairName(s, s.Selected[comp]), s.Pairs[s.Selected[comp]].MediaPackets)
	}
}

func writePairs(w io.Writer, s *ice.Session) {
	if len(s.Pairs) == 0 {
		return
	}
	fmt.Fprintln(w, "pairs:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  #\tby\tcomp\ttransport\tlocal\tremote\tvia\tstate\tchecks\tsends\tfirst\trtt\tnom\tmedia")
	for i, p := range s.Pairs {
		state := string(p.State)
		if p.ErrorCode != 0 {
			state += fmt.Sprintf(" (%d)", p.ErrorCode)
		}
		nom := ""
		if p.UseCandidate {
			nom = "use-cand"
		}
		fmt.Fprintf(tw, "  %d\t%c\t%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t%d\n", i, 'A'+p.Side, p.Component,
			p.Transport, addr(p.Local), addr(p.Remote), dash(p.Via), state, p.Checks, p.Sends,
			clock(p.First), ms(p.RTT), dash(nom), p.MediaPackets)
	}
	tw.Flush()
}

func writeAllocations(w io.Writer, as []*ice.Allocation) {
	if len(as) == 0 {
		return
	}
	fmt.Fprintln(w, "\n## TURN allocations")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "id\tclient\tserver\ttransport\tdialect\tstate\tattempts\t401-challenges\tauth-failures\terrors\trelayed\tmapped\tlifetime\trefreshes\tto-peer\tfrom-peer")
	for _, a := range as {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%d\t%d\t%d pkts/%d B\t%d pkts/%d B\n", a.ID,
			addr(a.Client), addr(a.Server), a.Transport, dash(a.Dialect), a.State, a.Attempts, a.Challenges,
			turnErrors(a.AuthFailures), turnErrors(a.Errors), addr(a.Relayed), addr(a.Mapped), a.Lifetime,
			a.Refreshes, a.PacketsToPeer, a.BytesToPeer, a.PacketsFromPeer, a.BytesFromPeer)
	}
	tw.Flush()
	for _, a := range as {
		var extra []string
		if a.AlternateServer.IsValid() {
			extra = append(extra, "alternate-server "+a.AlternateServer.String())
		}
		for _, p := range a.Permissions {
			extra = append(extra, "permission "+p.String())
		}
		for _, c := range a.Channels {
			extra = append(extra, fmt.Sprintf("channel 0x%04x -> %s", c.Number, c.Peer))
		}
		if a.ActiveDestination.IsValid() {
			extra = append(extra, "active-destination "+a.ActiveDestination.String())
		}
		if !a.Deallocated.IsZero() {
			extra = append(extra, "deallocated at "+clock(a.Deallocated))
		}
		if len(extra) > 0 {
			fmt.Fprintf(w, "%s: %s\n", a.ID, strings.Join(extra, "; "))
		}
	}
}

func writeServers(w io.Writer, ss []*ice.STUNServer) {
	if len(ss) == 0 {
		return
	}
	fmt.Fprintln(w, "\n## STUN servers")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "server\ttransport\trequests\tretrans\tanswered\terrors\tunanswered\ttimed-out\trtt\tmappings")
	for _, s := range ss {
		var mp []string
		for _, m := range s.Mappings {
			mp = append(mp, m.Client.String()+" => "+m.Mapped.String())
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", addr(s.Addr), s.Transport, s.Requests,
			s.Retransmissions, s.Answered, s.Errors, s.Unanswered, s.TimedOut, ms(s.RTT), dash(strings.Join(mp, ", ")))
	}
	tw.Flush()
}

func writeFlows(w io.Writer, fs []*ice.MediaFlow) {
	if len(fs) == 0 {
		return
	}
	fmt.Fprintln(w, "\n## media flows")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "src\tdst\trelay\ttransport\trtp\trtcp\tdtls\tbytes\tfirst\tlast\tlongest-gap\tssrcs\tpt\tpair")
	for _, f := range fs {
		relay := "-"
		if f.Server.IsValid() {
			relay = f.Server.String() + " " + f.Via
		}
		pair := "-"
		if f.Session != "" {
			pair = fmt.Sprintf("%s#%d", f.Session, f.Pair)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", addr(f.Src), addr(f.Dst), relay,
			f.Transport, f.RTPPackets, f.RTCPPackets, f.DTLSPackets, f.Bytes, clock(f.First), clock(f.Last),
			ms(f.LongestGap), ssrcs(f.SSRCs), pts(f.PayloadTypes), pair)
	}
	tw.Flush()
}

func pairName(s *ice.Session, i int) string {
	p := s.Pairs[i]
	return fmt.Sprintf("#%d %s %s -> %s %s", i, p.Transport, addr(p.Local), addr(p.Remote), p.State)
}

func turnErrors(es []ice.TURNError) string {
	if len(es) == 0 {
		return "-"
	}
	var out []string
	for _, e := range es {
		out = append(out, fmt.Sprintf("%s %d #%d", e.Op, e.Code, e.Frame))
	}
	return strings.Join(out, ",")
}

func addr(a netip.AddrPort) string {
	if !a.IsValid() {
		return "-"
	}
	return a.String()
}

func raddr(a netip.AddrPort) string {
	if !a.IsValid() {
		return ""
	}
	return "raddr " + a.String()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func clock(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("15:04:05.000000")
}

func ms(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}

func ssrcs(xs []uint32) string {
	var out []string
	for _, x := range xs {
		out = append(out, fmt.Sprintf("0x%08x", x))
	}
	return dash(strings.Join(out, ","))
}

func pts(xs []uint8) string {
	var out []string
	for _, x := range xs {
		out = append(out, fmt.Sprint(x))
	}
	return dash(strings.Join(out, ","))
}

func sortedKeys(m map[int]int) []int {
	var ks []int
	for k := range m {
		ks = append(ks, k)
	}
	sort.Ints(ks)
	return ks
}
