package decode

import (
	"testing"
	"time"

	"github.com/icediag/icediag/decode/synth"
	"github.com/icediag/icediag/decode/wire"
)

// RFC 8656 message types and attributes the synth constants do not name.
const (
	typeChannelBindRequest = 0x0009
	typeChannelBindSuccess = 0x0109
	attrChannelNumber      = 0x000C
)

// channelBind returns an RFC 8656 §11 ChannelBind request or success for
// channel ch and peer.
func channelBind(typ, ch uint16, seed string) []byte {
	m := synth.NewMsg(typ, synth.NewTxID(seed, true), false)
	if typ == typeChannelBindRequest {
		m.Add(attrChannelNumber, []byte{byte(ch >> 8), byte(ch), 0, 0}).AddXORAddr(synth.AttrXORPeerAddress, peer)
	}
	return m.AddFingerprint().Bytes()
}

func TestChannelDataPeer(t *testing.T) {
	tcpCl := ap("10.0.1.20:50003")
	tcpSrv := synth.NewTCPConn(tcpCl, turnSrv, 7000, 8000)
	tcpSegs := tcpSrv.Handshake()
	tcpSegs = append(tcpSegs, tcpSrv.Send(tcpCl, channelBind(typeChannelBindRequest, 0x4001, "cb-tcp"))...)
	tcpSegs = append(tcpSegs, tcpSrv.Send(turnSrv, channelBind(typeChannelBindSuccess, 0, "cb-tcp"))...)
	// An RTP packet of 172 bytes is padded to 176 on a stream; two in one segment.
	tcpSegs = append(tcpSegs, tcpSrv.Send(tcpCl, append(synth.ChannelData(0x4001, rtpPacket(1), true), synth.ChannelData(0x4001, rtpPacket(2), true)...))...)
	tcpSegs = append(tcpSegs, tcpSrv.Send(turnSrv, synth.ChannelData(0x4001, synth.RTP(0, 7, 0, 0xB0B0, 161), true))...)

	tests := []struct {
		name    string
		packets [][]byte
		want    []Relay // relay legs of the RTP events, in order
	}{
		{"UDP after ChannelBind", [][]byte{
			synth.UDP(client, turnSrv, channelBind(typeChannelBindRequest, 0x4000, "cb-1")),
			synth.UDP(turnSrv, client, channelBind(typeChannelBindSuccess, 0, "cb-1")),
			synth.UDP(client, turnSrv, synth.ChannelData(0x4000, rtpPacket(1), false)),
			synth.UDP(turnSrv, client, synth.ChannelData(0x4000, rtpPacket(2), false)),
			synth.UDP(client, turnSrv, synth.ChannelData(0x4002, rtpPacket(3), false)), // never bound
		}, []Relay{
			{Via: ViaChannelData, Client: client, Server: turnSrv, Transport: UDP, Peer: peer, Channel: 0x4000, ToPeer: true},
			{Via: ViaChannelData, Client: client, Server: turnSrv, Transport: UDP, Peer: peer, Channel: 0x4000},
			{Via: ViaChannelData, Client: client, Server: turnSrv, Transport: UDP, Channel: 0x4002, ToPeer: true},
		}},
		{"UDP without ChannelBind", [][]byte{
			synth.UDP(client, turnSrv, synth.ChannelData(0x4000, rtpPacket(1), false)),
		}, []Relay{
			{Via: ViaChannelData, Client: client, Server: turnSrv, Transport: UDP, Channel: 0x4000, ToPeer: true},
		}},
		{"TCP with padding", tcpSegs, []Relay{
			{Via: ViaChannelData, Client: tcpCl, Server: turnSrv, Transport: TCP, Peer: peer, Channel: 0x4001, ToPeer: true},
			{Via: ViaChannelData, Client: tcpCl, Server: turnSrv, Transport: TCP, Peer: peer, Channel: 0x4001, ToPeer: true},
			{Via: ViaChannelData, Client: tcpCl, Server: turnSrv, Transport: TCP, Peer: peer, Channel: 0x4001},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, s := feed(t, Options{}, ethFrames(10*time.Millisecond, tc.packets...))
			rtp := r.ofKind(KindRTP)
			if len(rtp) != len(tc.want) {
				t.Fatalf("RTP events = %d, want %d (problems %+v)", len(rtp), len(tc.want), s.Problems())
			}
			for i, w := range tc.want {
				checkRelay(t, rtp[i], w)
			}
			if s.ProblemCount() != 0 {
				t.Errorf("problems %+v, want none", s.Problems())
			}
		})
	}
}

// sendIndication returns an RFC 8656 §10 Send (or Data) indication carrying
// data for peer.
func sendIndication(typ uint16, data []byte, seed string) []byte {
	return synth.NewMsg(typ, synth.NewTxID(seed, true), false).
		AddXORAddr(synth.AttrXORPeerAddress, peer).Add(synth.AttrData, data).AddFingerprint().Bytes()
}

func TestSendDataIndication(t *testing.T) {
	packets := [][]byte{
		synth.UDP(client, turnSrv, sendIndication(synth.TypeRFCSendIndication, bindingRequest("si-1"), "send-1")),
		synth.UDP(turnSrv, client, sendIndication(synth.TypeRFCDataIndication, rtpPacket(9), "data-1")),
	}
	r, s := feed(t, Options{}, ethFrames(10*time.Millisecond, packets...))
	if len(r.evs) != 4 {
		t.Fatalf("events = %d, want 4:\n%v", len(r.evs), r.lines())
	}
	if r.evs[0].Op != wire.OpSend || r.evs[2].Op != wire.OpData || r.evs[0].Relay != nil {
		t.Errorf("containers: %q, %q, want Send and Data indications", r.evs[0].Name, r.evs[2].Name)
	}
	checkRelay(t, r.evs[1], Relay{Via: ViaSendIndication, Client: client, Server: turnSrv, Transport: UDP, Peer: peer, ToPeer: true})
	checkRelay(t, r.evs[3], Relay{Via: ViaDataIndication, Client: client, Server: turnSrv, Transport: UDP, Peer: peer})
	if r.evs[1].Kind != KindSTUN || r.evs[1].Name != "Binding Request" || r.evs[3].Kind != KindRTP || r.evs[3].Seq != 9 {
		t.Errorf("relayed: %s %q and %s seq %d, want the Binding request and RTP seq 9", r.evs[1].Kind, r.evs[1].Name, r.evs[3].Kind, r.evs[3].Seq)
	}
	if s.Relayed != 2 || s.RelayedPayloads != 2 {
		t.Errorf("Relayed, RelayedPayloads = %d, %d, want 2, 2", s.Relayed, s.RelayedPayloads)
	}
}

// TestRelayDepthLimit nests ChannelData in ChannelData: two levels are
// followed, a third is counted as a problem and not decoded.
func TestRelayDepthLimit(t *testing.T) {
	nest := func(levels int) []byte {
		b := rtpPacket(1)
		for i := 0; i < levels; i++ {
			b = synth.ChannelData(0x4000+uint16(i), b, false)
		}
		return b
	}
	tests := []struct {
		name      string
		payload   []byte
		wantRTP   int
		wantDeep  uint64
		wantChann uint16 // channel of the innermost leg when RTP is decoded
	}{
		{"one level", nest(1), 1, 0, 0x4000},
		{"two levels", nest(2), 1, 0, 0x4000},
		{"three levels", nest(3), 0, 1, 0},
		{"Send indication with ChannelData", sendIndication(synth.TypeRFCSendIndication, nest(1), "deep-1"), 1, 0, 0x4000},
		{"Send indication with two ChannelData", sendIndication(synth.TypeRFCSendIndication, nest(2), "deep-2"), 0, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, s := feed(t, Options{}, ethFrames(time.Millisecond, synth.UDP(client, turnSrv, tc.payload)))
			rtp := r.ofKind(KindRTP)
			if len(rtp) != tc.wantRTP {
				t.Fatalf("RTP events = %d, want %d", len(rtp), tc.wantRTP)
			}
			if got := problemCount(s, "turn", "nested too deep"); got != tc.wantDeep {
				t.Errorf("depth problems = %d, want %d", got, tc.wantDeep)
			}
			if len(rtp) == 1 && (rtp[0].Relay == nil || rtp[0].Relay.Channel != tc.wantChann) {
				t.Errorf("RTP relay %+v, want channel %#x", rtp[0].Relay, tc.wantChann)
			}
		})
	}
}

// TestRelayedMalformedMedia checks that a payload that says RTP but does not
// parse is a problem inside a relay leg and only "other" outside one.
func TestRelayedMalformedMedia(t *testing.T) {
	bad := []byte{0x8F, 0x00, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1} // RTP header announcing 15 CSRCs it does not carry
	r, s := feed(t, Options{}, ethFrames(time.Millisecond,
		synth.UDP(client, peer, bad),
		synth.UDP(client, turnSrv, synth.ChannelData(0x4000, bad, false))))
	if len(r.evs) != 0 {
		t.Errorf("events %v, want none", r.lines())
	}
	if s.OtherPayloads != 1 || problemCount(s, "rtp", "") != 1 {
		t.Errorf("OtherPayloads = %d, rtp problems = %d, want 1, 1 (%+v)", s.OtherPayloads, problemCount(s, "rtp", ""), s.Problems())
	}
}
