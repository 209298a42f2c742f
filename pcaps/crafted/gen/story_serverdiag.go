package main

import (
	"fmt"

	"github.com/icediag/icediag/decode/synth"
)

// buildServerDiagnostics builds server-diagnostics.pcap between a Lync
// client in the branch office (10.0.1.20) and its Front End pool
// (10.0.0.5, SIP over UDP 5060, as a lab or legacy deployment runs it in the
// clear). Two deployment faults show in ms-diagnostics headers
// (MS-REFERENCE §3.1):
//  1. Alice calls a federated partner, bob@fabrikam.example. The INVITE is
//     answered 100 Trying, then 504 Server Time-out carrying
//     `ms-diagnostics: 1008;reason="Unable to resolve DNS SRV record"` from
//     the Edge: the partner's _sipfederationtls._tcp SRV record cannot be
//     resolved. Alice acknowledges the 504.
//  2. Carol signs in from outside through the Edge; her REGISTER is refused
//     403 Forbidden with `ms-diagnostics-public: 4003;reason="From URI not
//     enabled for remote access"`.
//
// Expected findings: server-diagnostics (1008, error; 4003, warning) and
// sip-call-failed for the 504.
func buildServerDiagnostics() ([]byte, error) {
	sc := newScene("10.0.1.20", "10.0.1.21")
	alice, carol, fe := ep("10.0.1.20:50200"), ep("10.0.1.21:50210"), ep("10.0.0.5:5060")
	const callID = "8f1c2d3e4b5a69788796a5b4c3d2e1f0"
	via := func(host, branch string) string {
		return fmt.Sprintf("Via: SIP/2.0/UDP %s;branch=z9hG4bK%s", host, branch)
	}
	inviteHeaders := []string{
		via("10.0.1.20:50200", "fed1"), "Max-Forwards: 70",
		`From: "Alice" <sip:alice@contoso.example>;tag=a11ce;epid=01a2b3c4d5`,
		"To: <sip:bob@fabrikam.example>",
		"Call-ID: " + callID, "CSeq: 1 INVITE",
		"Contact: <sip:alice@contoso.example;opaque=user:epid:01a2b3c4d5;gruu>",
		"User-Agent: UCCAPI/15.0.4569.1503 OC/15.0.4569.1503 (Microsoft Lync)",
		"Content-Type: application/sdp",
	}
	sdp := sdpV19("10.0.1.20", "10.0.1.20", aliceMedia())
	sc.udp(ms(0), alice, fe, sipMsg{start: "INVITE sip:bob@fabrikam.example SIP/2.0", headers: inviteHeaders, body: sdp}.bytes())
	respHeaders := func(status string, extra ...string) []string {
		h := []string{via("10.0.1.20:50200", "fed1") + ";received=10.0.1.20",
			`From: "Alice" <sip:alice@contoso.example>;tag=a11ce;epid=01a2b3c4d5`}
		if status != "100 Trying" {
			h = append(h, "To: <sip:bob@fabrikam.example>;tag=5e9a2b1c")
		} else {
			h = append(h, "To: <sip:bob@fabrikam.example>")
		}
		h = append(h, "Call-ID: "+callID, "CSeq: 1 INVITE")
		return append(h, extra...)
	}
	sc.udp(ms(4), fe, alice, sipMsg{start: "SIP/2.0 100 Trying", headers: respHeaders("100 Trying")}.bytes())
	sc.udp(ms(2100), fe, alice, sipMsg{start: "SIP/2.0 504 Server time-out", headers: respHeaders("504",
		`ms-diagnostics: 1008;reason="Unable to resolve DNS SRV record";source="sip-edge.contoso.example";Domain="fabrikam.example"`,
		"Server: RTC/6.0")}.bytes())
	ack := []string{via("10.0.1.20:50200", "fed1"), "Max-Forwards: 70",
		`From: "Alice" <sip:alice@contoso.example>;tag=a11ce;epid=01a2b3c4d5`,
		"To: <sip:bob@fabrikam.example>;tag=5e9a2b1c", "Call-ID: " + callID, "CSeq: 1 ACK"}
	sc.udp(ms(3), alice, fe, sipMsg{start: "ACK sip:bob@fabrikam.example SIP/2.0", headers: ack}.bytes())

	const regID = "c0a1b2c3d4e5f60718293a4b5c6d7e8f"
	reg := []string{via("10.0.1.21:50210", "reg1"), "Max-Forwards: 70",
		`From: <sip:carol@contoso.example>;tag=ca401;epid=9f8e7d6c5b`,
		"To: <sip:carol@contoso.example>", "Call-ID: " + regID, "CSeq: 1 REGISTER",
		"Contact: <sip:10.0.1.21:50210;transport=udp>;methods=\"INVITE, MESSAGE, INFO, OPTIONS, BYE, CANCEL, NOTIFY, ACK, REFER, BENOTIFY\";proxy=replace",
		"User-Agent: UCCAPI/15.0.4569.1503 OC/15.0.4569.1503 (Microsoft Lync)",
		"Supported: gruu-10, adhoclist, msrtc-event-categories"}
	sc.udp(ms(500), carol, fe, sipMsg{start: "REGISTER sip:contoso.example SIP/2.0", headers: reg}.bytes())
	regResp := []string{via("10.0.1.21:50210", "reg1") + ";received=10.0.1.21",
		`From: <sip:carol@contoso.example>;tag=ca401;epid=9f8e7d6c5b`,
		"To: <sip:carol@contoso.example>;tag=7ab3c9d1", "Call-ID: " + regID, "CSeq: 1 REGISTER",
		`ms-diagnostics-public: 4003;reason="From URI not enabled for remote access"`,
		"Server: RTC/6.0"}
	sc.udp(ms(6), fe, carol, sipMsg{start: "SIP/2.0 403 Forbidden", headers: regResp}.bytes())
	return sc.pcap(synth.LinkTypeEthernet)
}
