package decode

import (
	"encoding/binary"
	"slices"
	"strings"
	"testing"

	"github.com/icediag/icediag/decode/capfile"
	"github.com/icediag/icediag/decode/wire"
)

// The frame numbers asserted here are those tshark 4.x shows for the same
// files (tshark -o stun.stunversion:Auto -o ip.defragment:TRUE
// -o ipv6.defragment:TRUE); see pcaps/crafted/README.md for what each
// capture holds.

// checkRelay reports a relayed event whose leg differs from want.
func checkRelay(t *testing.T, e rec, want Relay) {
	t.Helper()
	if e.Relay == nil {
		t.Errorf("frame %d %s: Relay = nil, want %+v", e.Frame, e.Kind, want)
		return
	}
	if *e.Relay != want {
		t.Errorf("frame %d %s: Relay = %+v, want %+v", e.Frame, e.Kind, *e.Relay, want)
	}
}

func noProblems(t *testing.T, s *Stats) {
	t.Helper()
	if n := s.ProblemCount(); n != 0 {
		t.Errorf("ProblemCount() = %d, want 0: %+v", n, s.Problems())
	}
}

func TestCraftedMSTURNUDP(t *testing.T) {
	r, s := runFile(t, craftedPath("msturn-udp.pcap"))
	noProblems(t, s)
	ue := UDP
	cl, srv, pr := ap("10.0.1.20:50000"), ap("203.0.113.10:3478"), ap("192.0.2.50:50010")

	// Frames 1-4: Allocate, 401, authenticated Allocate, success, all in
	// the legacy MS-TURN dialect (no cookie in the header).
	wantHead := []struct {
		name string
		err  uint16
	}{
		{"Allocate Request", 0}, {"Allocate Error Response", 401},
		{"Allocate Request", 0}, {"Allocate Success Response", 0},
	}
	for i, w := range wantHead {
		e := r.evs[i]
		if e.Frame != uint64(i+1) || e.Kind != KindSTUN || e.Name != w.name || e.ErrCode != w.err || e.Dialect != wire.DialectMSTURN {
			t.Errorf("event %d = frame %d %s %q error %d dialect %v, want frame %d STUN %q error %d ms-turn",
				i, e.Frame, e.Kind, e.Name, e.ErrCode, e.Dialect, i+1, w.name, w.err)
		}
	}

	var msturn, sends, datas int
	for i, e := range r.evs {
		if e.Kind != KindSTUN || e.Relay != nil {
			continue
		}
		if e.Dialect != wire.DialectMSTURN {
			t.Errorf("frame %d: outer %s dialect %v, want ms-turn", e.Frame, e.Name, e.Dialect)
		}
		msturn++
		if e.Op != wire.OpSend && e.Op != wire.OpData {
			continue
		}
		// The relayed payload follows its container, in the same frame.
		if i+1 >= len(r.evs) || r.evs[i+1].Frame != e.Frame || r.evs[i+1].Relay == nil {
			t.Errorf("frame %d %s: no relayed event follows", e.Frame, e.Name)
			continue
		}
		in := r.evs[i+1]
		if e.Op == wire.OpSend {
			sends++
			checkRelay(t, in, Relay{Via: ViaMSSend, Client: cl, Server: srv, Transport: ue, Peer: pr, ToPeer: true})
		} else {
			datas++
			checkRelay(t, in, Relay{Via: ViaMSDataIndication, Client: cl, Server: srv, Transport: ue, Peer: pr})
		}
	}
	// README: 64 MS-TURN messages; Send requests carry 2 checks, 1
	// response, 25 RTP and 1 RTCP; Data Indications 1 response, 1 check and
	// 25 RTP.
	if msturn != 64 || sends != 29 || datas != 27 {
		t.Errorf("MS-TURN messages = %d (Send %d, Data %d), want 64 (29, 27)", msturn, sends, datas)
	}
	var checks []uint64
	for _, e := range r.evs {
		if e.Kind == KindSTUN && e.Relay != nil {
			checks = append(checks, e.Frame)
		}
	}
	if want := []uint64{5, 6, 7, 8, 9}; !slices.Equal(checks, want) {
		t.Errorf("relayed checks in frames %v, want %v", checks, want)
	}
	if !r.evs[7].Legacy { // frame 6: the legacy duplicate of the check in frame 5
		t.Errorf("frame %d relayed check: legacy fingerprint not recognised", r.evs[7].Frame)
	}
	if got := s.EventCount(KindRTP); got != 50 {
		t.Errorf("EventCount(RTP) = %d, want 50", got)
	}
	if s.Relayed != 56 || s.EventCount(KindRTCP) != 1 {
		t.Errorf("Relayed = %d, RTCP = %d, want 56, 1", s.Relayed, s.EventCount(KindRTCP))
	}
}

func TestCraftedMSTURNPseudoTLS(t *testing.T) {
	r, s := runFile(t, craftedPath("msturn-tcp443-pseudotls.pcap"))
	noProblems(t, s)
	cl, srv, pr := ap("10.0.1.20:50003"), ap("203.0.113.10:443"), ap("192.0.2.50:50010")

	hellos := r.ofKind(KindPseudoTLS)
	if len(hellos) != 2 {
		t.Fatalf("pseudo-TLS events = %d, want 2", len(hellos))
	}
	for i, w := range []struct {
		frame uint64
		src   string
		size  int
	}{{4, cl.String(), 50}, {5, srv.String(), 83}} {
		h := hellos[i]
		if h.Frame != w.frame || h.Flow.Src.String() != w.src || len(h.Payload) != w.size {
			t.Errorf("pseudo-TLS %d = frame %d from %v, %d bytes, want frame %d from %s, %d bytes",
				i, h.Frame, h.Flow.Src, len(h.Payload), w.frame, w.src, w.size)
		}
	}

	// Control frames (0x02): client 6, server 5; the authenticated
	// Allocate is split across frames 8 and 9 and completes in 9.
	var cliCtl, srvCtl []uint64
	for _, e := range r.ofKind(KindSTUN) {
		if e.Relay != nil {
			continue
		}
		if e.Flow.Src == cl {
			cliCtl = append(cliCtl, e.Frame)
		} else {
			srvCtl = append(srvCtl, e.Frame)
		}
	}
	if want := []uint64{6, 9, 12, 13, 16, 17}; !slices.Equal(cliCtl, want) {
		t.Errorf("client control frames at %v, want %v", cliCtl, want)
	}
	if want := []uint64{7, 10, 14, 15, 18}; !slices.Equal(srvCtl, want) {
		t.Errorf("server control frames at %v, want %v", srvCtl, want)
	}

	// Data frames (0x03): client 9 (8 RTP, 1 RTCP), server 6, three per
	// segment in frames 23 and 28; the peer is the active destination.
	var up, down []uint64
	for _, e := range r.evs {
		if e.Relay == nil || e.Relay.Via != ViaMSDataFrame {
			continue
		}
		if e.Flow.Src == cl {
			up = append(up, e.Frame)
			checkRelay(t, e, Relay{Via: ViaMSDataFrame, Client: cl, Server: srv, Transport: TCP, Peer: pr, ToPeer: true})
		} else {
			down = append(down, e.Frame)
			checkRelay(t, e, Relay{Via: ViaMSDataFrame, Client: cl, Server: srv, Transport: TCP, Peer: pr})
		}
	}
	if want := []uint64{19, 20, 21, 22, 24, 25, 26, 27, 29}; !slices.Equal(up, want) {
		t.Errorf("client data frames at %v, want %v", up, want)
	}
	if want := []uint64{23, 23, 23, 28, 28, 28}; !slices.Equal(down, want) {
		t.Errorf("server data frames at %v, want %v", down, want)
	}
	var seqs []uint16
	for _, e := range r.ofKind(KindRTP) {
		if e.Flow.Src == srv {
			seqs = append(seqs, e.Seq)
		}
	}
	if want := []uint16{9000, 9001, 9002, 9003, 9004, 9005}; !slices.Equal(seqs, want) {
		t.Errorf("server RTP sequence numbers %v, want %v", seqs, want)
	}
	if got := r.frames(KindTCPControl); !slices.Equal(got, []uint64{1, 2, 30, 31}) {
		t.Errorf("TCP control frames %v, want [1 2 30 31]", got)
	}
}

func TestCraftedMSTURNMultiplexed(t *testing.T) {
	r, s := runFile(t, craftedPath("msturn-multiplexed.pcap"))
	noProblems(t, s)
	cl := ap("10.0.1.30:50004")
	stun := r.ofKind(KindSTUN)
	if len(stun) != 4 || stun[3].Name != "Allocate Success Response" || stun[3].Mux != 0x00C0FFEE12345678 {
		t.Fatalf("STUN events %d, last %q session %#x, want 4 ending in the success with session 0xc0ffee12345678",
			len(stun), stun[len(stun)-1].Name, stun[len(stun)-1].Mux)
	}
	counts := map[string]int{}
	for _, e := range r.ofKind(KindRTP) {
		toServer := e.Flow.Src == cl
		server := e.Flow.Dst
		if !toServer {
			server = e.Flow.Src
		}
		checkRelay(t, e, Relay{Via: ViaMuxTURN, Client: cl, Server: server, Transport: UDP, ToPeer: toServer})
		dir := "from "
		if toServer {
			dir = "to "
		}
		counts[dir+server.String()]++
	}
	want := map[string]int{"to 203.0.113.20:3479": 15, "from 203.0.113.20:3479": 15, "to 203.0.113.20:3480": 5}
	if len(counts) != len(want) {
		t.Errorf("multiplexed RTP legs %v, want %v", counts, want)
	}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("multiplexed RTP %s = %d, want %d", k, counts[k], n)
		}
	}
}

// TestCraftedFragmentedInvite checks IPv4 and IPv6 reassembly: the 5.3 KB
// INVITE arrives in 4 fragments (frames 1-4) and becomes one SIP event at
// the last fragment; 5 datagrams in 12 fragments are rebuilt.
func TestCraftedFragmentedInvite(t *testing.T) {
	for _, tc := range []struct {
		name string
		size int // tshark: udp.length of frame 4 minus the UDP header
	}{
		{"sip-udp-fragmented-invite.pcap", 5304 - 8},
		{"sip-udp6-fragmented-invite.pcap", 5311 - 8},
	} {
		name := tc.name
		t.Run(name, func(t *testing.T) {
			r, s := runFile(t, craftedPath(name))
			noProblems(t, s)
			if want := []uint64{4, 5, 7, 9, 10, 12, 14, 15, 16, 17}; !slices.Equal(r.frames(KindSIP), want) {
				t.Errorf("SIP frames %v, want %v", r.frames(KindSIP), want)
			}
			if s.Fragments != 12 || s.Reassembled != 5 {
				t.Errorf("Fragments, Reassembled = %d, %d, want 12, 5", s.Fragments, s.Reassembled)
			}
			inv := r.ofKind(KindSIP)[0]
			if !strings.HasPrefix(inv.Payload, "INVITE sip:bob@example.com SIP/2.0\r\n") || len(inv.Payload) != tc.size {
				t.Errorf("INVITE event: %d bytes starting %.40q, want %d starting with the request line", len(inv.Payload), inv.Payload, tc.size)
			}
			if n, ok, bad := sipMessageSize([]byte(inv.Payload)); !ok || bad || n != len(inv.Payload) {
				t.Errorf("sipMessageSize(INVITE) = %d, %v, %v, want %d, true, false", n, ok, bad, len(inv.Payload))
			}
			if !lastFragment(t, craftedPath(name), 4) {
				t.Errorf("frame 4 is not the last fragment of the INVITE")
			}
		})
	}
}

// lastFragment reports whether frame n of an Ethernet capture is a
// non-first IP fragment with More Fragments clear.
func lastFragment(t *testing.T, path string, n uint64) bool {
	t.Helper()
	f, err := capfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var p capfile.Packet
	for f.Next(&p) == nil {
		if p.Frame != n {
			continue
		}
		ip := p.Data[14:]
		if ip[0]>>4 == 4 {
			w := binary.BigEndian.Uint16(ip[6:])
			return w&0x2000 == 0 && w&0x1FFF != 0
		}
		if ip[6] != 44 { // IPv6 Fragment header right after the base header
			return false
		}
		w := binary.BigEndian.Uint16(ip[42:])
		return w&1 == 0 && w>>3 != 0
	}
	return false
}

func TestCraftedSIPTCPSegmented(t *testing.T) {
	r, s := runFile(t, craftedPath("sip-tcp-segmented.pcap"))
	noProblems(t, s)
	want := []struct {
		frame uint64
		start string
	}{
		{7, "INVITE sip:bob@example.com SIP/2.0"}, // segments 4-7
		{9, "SIP/2.0 100 Trying"},                 // shares frame 9 with the 183's head
		{11, "SIP/2.0 183 Session Progress"},
		{16, "SIP/2.0 200 OK"}, // after the keep-alive ping (13) and pong (14)
		{17, "ACK sip:"},
		{19, "INVITE sip:"},
		{21, "SIP/2.0 200 OK"},
		{24, "ACK sip:"}, // ACK and BYE in one segment
		{24, "BYE sip:"},
		{25, "SIP/2.0 200 OK"}, // compact form
	}
	sip := r.ofKind(KindSIP)
	if len(sip) != len(want) {
		t.Fatalf("SIP events = %d, want %d:\n%s", len(sip), len(want), strings.Join(r.lines(), "\n"))
	}
	for i, w := range want {
		if sip[i].Frame != w.frame || !strings.HasPrefix(sip[i].Payload, w.start) {
			t.Errorf("SIP event %d = frame %d %.40q, want frame %d %q", i, sip[i].Frame, sip[i].Payload, w.frame, w.start)
		}
		if n, ok, bad := sipMessageSize([]byte(sip[i].Payload)); !ok || bad || n != len(sip[i].Payload) {
			t.Errorf("SIP event %d (frame %d) is not exactly one message: size %d ok %v bad %v, have %d bytes",
				i, sip[i].Frame, n, ok, bad, len(sip[i].Payload))
		}
	}
	last := sip[len(sip)-1].Payload
	if !strings.Contains(last, "\r\nl: 0\r\n") && !strings.Contains(last, "\r\nl:0\r\n") {
		t.Errorf("final 200 does not use the compact l: header: %q", last)
	}
	if len(sip[0].Payload) != 4429+strings.Index(sip[0].Payload, "\r\n\r\n")+4 {
		t.Errorf("INVITE is %d bytes, want headers plus the 4429-byte body", len(sip[0].Payload))
	}
}

func TestCraftedSLL2(t *testing.T) {
	r, s := runFile(t, craftedPath("sll2-stun.pcap"))
	noProblems(t, s)
	a, b := ap("10.0.1.20:50000"), ap("10.0.2.30:50010")
	ra, rb := ap("10.0.1.20:50001"), ap("10.0.2.30:50011") // RTCP ports
	if got := r.frames(KindSTUN); !slices.Equal(got, []uint64{1, 2, 3, 4, 5, 6, 7}) {
		t.Errorf("STUN frames %v, want 1-7", got)
	}
	// Frames 1 and 2 are the same check 1 ms apart, the second with the
	// legacy fingerprint: both are delivered, neither is a duplicate.
	stun := r.ofKind(KindSTUN)
	if stun[0].Legacy || !stun[1].Legacy || s.Duplicates != 0 {
		t.Errorf("legacy pair: legacy = %v, %v, duplicates %d, want false, true, 0", stun[0].Legacy, stun[1].Legacy, s.Duplicates)
	}
	for _, e := range r.evs {
		want := Flow{a, b, UDP}
		if e.Kind == KindRTCP {
			want = Flow{ra, rb, UDP}
		}
		if e.Relay != nil || (e.Flow != want && e.Flow != want.Reverse()) {
			t.Errorf("frame %d %s: flow %v relay %v, want direct %v either way", e.Frame, e.Kind, e.Flow, e.Relay, want)
		}
	}
	if s.EventCount(KindRTP) != 40 || s.EventCount(KindRTCP) != 2 {
		t.Errorf("RTP, RTCP = %d, %d, want 40, 2", s.EventCount(KindRTP), s.EventCount(KindRTCP))
	}
}

func TestCraftedTwoInterfaces(t *testing.T) {
	path := craftedPath("two-interfaces.pcapng")
	r, s := runFile(t, path)
	noProblems(t, s)
	link, section := frameInterfaces(t, path)
	seen := map[[2]int]int{} // (link type, section) -> events
	for _, e := range r.evs {
		seen[[2]int{int(link[e.Frame]), section[e.Frame]}]++
	}
	// Section 2 repeats both interfaces but only the internal one (802.1Q
	// Ethernet) carries the deallocation.
	for _, k := range [][2]int{{LinkEthernet, 0}, {LinkSLL, 0}, {LinkEthernet, 1}} {
		if seen[k] == 0 {
			t.Errorf("no event from link type %d in section %d (events per link/section: %v)", k[0], k[1], seen)
		}
	}
	// The check leaves the internal NIC inside a Send (frame 5) and the
	// external NIC as plain UDP from the relayed address (frame 6).
	var relayed, plain *rec
	for i := range r.evs {
		e := &r.evs[i]
		if e.Kind == KindSTUN && e.Name == "Binding Request" {
			if e.Relay != nil {
				relayed = e
			} else {
				plain = e
			}
		}
	}
	if relayed == nil || plain == nil {
		t.Fatalf("Binding request missing: relayed %v, plain %v", relayed, plain)
	}
	if relayed.Frame != 5 || plain.Frame != 6 || relayed.Relay.Peer != plain.Flow.Dst || plain.Flow.Src != ap("203.0.113.10:52010") {
		t.Errorf("check: relayed frame %d to %v, plain frame %d %v->%v, want 5 and 6 to the same peer from 203.0.113.10:52010",
			relayed.Frame, relayed.Relay.Peer, plain.Frame, plain.Flow.Src, plain.Flow.Dst)
	}
	last := r.evs[len(r.evs)-1]
	if last.Frame != 50 || last.Name != "Allocate Success Response" || section[50] != 1 {
		t.Errorf("last event frame %d %q section %d, want frame 50 Allocate Success Response in section 1", last.Frame, last.Name, section[50])
	}
}

// frameInterfaces returns, for every frame of a capture, its link type and
// pcapng section.
func frameInterfaces(t *testing.T, path string) (map[uint64]uint16, map[uint64]int) {
	t.Helper()
	f, err := capfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	link, section := map[uint64]uint16{}, map[uint64]int{}
	var p capfile.Packet
	for f.Next(&p) == nil {
		link[p.Frame] = p.LinkType
		section[p.Frame] = f.Interfaces()[p.Interface].Section
	}
	return link, section
}
