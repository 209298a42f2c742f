package wire

import (
	"bytes"
	"net/netip"
	"testing"
)

// fixtureFrame returns the payload of one frame of a capture fixture.
func fixtureFrame(t testing.TB, capture string, frame int) datagram {
	t.Helper()
	for _, d := range loadFixture(t, capture) {
		if d.Frame == frame {
			return d
		}
	}
	t.Fatalf("%s: no frame %d in fixture", capture, frame)
	return datagram{}
}

// decodeFrame decodes the STUN message of a fixture frame.
func decodeFrame(t *testing.T, capture string, frame int) *STUN {
	t.Helper()
	msg, _ := unwrapSTUN(fixtureFrame(t, capture, frame))
	m := new(STUN)
	if err := m.Decode(msg); err != nil {
		t.Fatalf("%s frame %d: Decode = %v, want nil", capture, frame, err)
	}
	return m
}

const teams = "ntop-nDPI__teams.pcap"

func TestMSTURNNames(t *testing.T) {
	tests := []struct {
		capture string
		frame   int
		name    string
		dialect Dialect
		op      Op
		class   Class
	}{
		{teams, 1238, "Allocate Request", DialectMSTURN, OpAllocate, ClassRequest},
		{teams, 1245, "Allocate Error Response", DialectMSTURN, OpAllocate, ClassError},
		{teams, 1275, "Allocate Success Response", DialectMSTURN, OpAllocate, ClassSuccess},
		{teams, 1413, "Send Request", DialectMSTURN, OpSend, ClassRequest},
		{teams, 1416, "Data Indication", DialectMSTURN, OpData, ClassIndication},
		{teams, 1404, "Binding Request", DialectRFC5389, OpBinding, ClassRequest},
		{teams, 1424, "Binding Success Response", DialectRFC5389, OpBinding, ClassSuccess},
		{"arkime__stun.pcap", 2, "Allocate Request", DialectMSTURN, OpAllocate, ClassRequest},
		{"arkime__stun.pcap", 1, "Binding Request", DialectClassic, OpBinding, ClassRequest},
		{"ntop-nDPI__stun_classic.pcap", 2, "Binding Success Response", DialectClassic, OpBinding, ClassSuccess},
		{"ntop-nDPI__stun_facebook.pcapng", 38, "ChannelBind Request", DialectRFC5389, OpChannelBind, ClassRequest},
		{"ntop-nDPI__stun_facebook.pcapng", 5, "CreatePermission Request", DialectRFC5389, OpCreatePermission, ClassRequest},
		{"ntop-nDPI__stun_facebook.pcapng", 74, "Refresh Request", DialectRFC5389, OpRefresh, ClassRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := decodeFrame(t, tt.capture, tt.frame)
			if m.Name() != tt.name || m.Dialect != tt.dialect || m.Op != tt.op || m.Class != tt.class {
				t.Errorf("%s frame %d: Name, Dialect, Op, Class = %q, %v, %v, %v; want %q, %v, %v, %v",
					tt.capture, tt.frame, m.Name(), m.Dialect, m.Op, m.Class, tt.name, tt.dialect, tt.op, tt.class)
			}
		})
	}
}

// TestMSTURNUnpaddedAllocateError checks the 401 to a Teams Allocate: its
// ERROR-CODE is 61 bytes long and the attributes after it are not padded
// (tshark, walking padded, loses them). The addresses must agree with
// those tshark decodes in the success response of the same client (frame
// 1275).
func TestMSTURNUnpaddedAllocateError(t *testing.T) {
	m := decodeFrame(t, teams, 1245)
	ok := decodeFrame(t, teams, 1275)
	if !m.Unpadded || m.ErrorCode != 401 {
		t.Fatalf("Unpadded, ErrorCode = %v, %d; want true, 401", m.Unpadded, m.ErrorCode)
	}
	if string(m.Realm) != `"rtcmedia"` || len(m.Nonce) != 20 {
		t.Errorf("Realm, len(Nonce) = %q, %d; want %q, 20 (MS swaps 0x0014/0x0015)", m.Realm, len(m.Nonce), `"rtcmedia"`)
	}
	if m.Mapped != ok.Mapped || m.XORMapped != ok.XORMapped {
		t.Errorf("Mapped, XORMapped = %v, %v; want %v, %v", m.Mapped, m.XORMapped, ok.Mapped, ok.XORMapped)
	}
	if want := netip.AddrPortFrom(ok.Mapped.Addr(), 3478); m.AlternateServer != want {
		t.Errorf("AlternateServer = %v, want %v", m.AlternateServer, want)
	}
	if !m.HasMSMuxSession || !m.HasMSVersion || m.MSVersion != 6 {
		t.Errorf("HasMSMuxSession, MSVersion = %v, %d; want true, 6", m.HasMSMuxSession, m.MSVersion)
	}
}

// TestMSTURNRelay follows one relayed check: the Send request carries a
// Binding request to the peer in DATA, the Data Indication from the same
// peer carries its answer.
func TestMSTURNRelay(t *testing.T) {
	send := decodeFrame(t, teams, 1413)
	data := decodeFrame(t, teams, 1416)
	if !send.HasData || !data.HasData {
		t.Fatalf("HasData = %v, %v; want true, true", send.HasData, data.HasData)
	}
	if !send.Destination.IsValid() || send.Destination != data.RemoteAddress {
		t.Errorf("Send DESTINATION-ADDRESS %v, Data Indication REMOTE-ADDRESS %v; want equal", send.Destination, data.RemoteAddress)
	}
	var inner STUN
	if Classify(data.Data) != ContentSTUN {
		t.Fatalf("Classify(Data Indication DATA) = %v, want stun", Classify(data.Data))
	}
	if err := inner.Decode(data.Data); err != nil || inner.Op != OpBinding {
		t.Errorf("inner Decode = %v, %v; want nil, Binding", err, inner.Name())
	}
}

func TestMSICE2Attributes(t *testing.T) {
	m := decodeFrame(t, teams, 1404)
	if !m.HasMSImplVersion || !m.HasPriority || !m.Controlling || !m.FingerprintOK || m.FingerprintLegacy {
		t.Errorf("HasMSImplVersion, HasPriority, Controlling, FingerprintOK, FingerprintLegacy = %v, %v, %v, %v, %v; want true, true, true, true, false",
			m.HasMSImplVersion, m.HasPriority, m.Controlling, m.FingerprintOK, m.FingerprintLegacy)
	}
	c := decodeFrame(t, "ntop-nDPI__skype-conference-call.pcap", 1)
	v, ok := c.Attr(attrMSCandidateID)
	if !ok || !bytes.Equal(c.MSCandidateID, v) || len(v) == 0 {
		t.Errorf("MSCandidateID = %q, attribute 0x8054 = %q", c.MSCandidateID, v)
	}
}

func TestMuxTURNTeams(t *testing.T) {
	d := fixtureFrame(t, teams, 1424)
	var x MuxTURN
	if err := x.Decode(d.Payload); err != nil {
		t.Fatalf("MuxTURN.Decode = %v, want nil", err)
	}
	if got := Classify(d.Payload); got != ContentMuxTURN {
		t.Errorf("Classify = %v, want mux-turn", got)
	}
	// The session ID is the one the client announced in MULTIPLEXED-TURN-
	// SESSION-ID of its Binding request through the same relay (frame 1422).
	req := decodeFrame(t, teams, 1422)
	if !req.HasMSMuxSession || req.MSMuxSessionID != x.SessionID {
		t.Errorf("SessionID = %x, Binding request 0x8095 = %x", x.SessionID, req.MSMuxSessionID)
	}
}

// TestAppendTxIDDataIndicationWithCookie: tshark 4.0.17 decodes an MS Data
// Indication that carries the header cookie as stun, with the 12-byte
// stun.id (checked by patching the cookie into Teams frame 1416 and running
// tshark on it).
func TestAppendTxIDDataIndicationWithCookie(t *testing.T) {
	b := append([]byte(nil), fixtureFrame(t, teams, 1416).Payload...)
	copy(b[4:8], []byte{0x21, 0x12, 0xa4, 0x42})
	var m STUN
	if err := m.Decode(b); err != nil || m.Name() != "Data Indication" {
		t.Fatalf("Decode = %v, %q; want nil, Data Indication", err, m.Name())
	}
	if got, want := string(m.AppendTxID(nil)), "53f1d813305855947dbe126b"; got != want {
		t.Errorf("AppendTxID = %s, want %s", got, want)
	}
}
