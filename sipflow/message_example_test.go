package sipflow_test

import (
	"fmt"

	"github.com/icediag/icediag/sipflow"
)

func ExampleParseMessage() {
	raw := "BYE sip:bob@fabrikam.com SIP/2.0\r\n" +
		"v: SIP/2.0/TLS 10.0.1.20:51230;branch=z9hG4bK9F8E7D6C\r\n" +
		"f: \"Alice\"<sip:alice@contoso.com>;tag=4c1f6e2a1d\r\n" +
		"t: <sip:bob@fabrikam.com>;tag=8e2b7c41a9\r\n" +
		"i: 0f1e2d3c4b5a\r\n" +
		"CSeq: 3 BYE\r\n" +
		"ms-client-diagnostics: 23;reason=\"media connectivity failure\";ICEWarn=\"0x80012b\"\r\n" +
		"l: 0\r\n\r\n"
	m, err := sipflow.ParseMessage([]byte(raw))
	if err != nil {
		fmt.Println(err)
		return
	}
	n, method := m.CSeq()
	fmt.Println(m.Method, m.CallID(), n, method, m.From().Display, m.To().Tag())
	for _, d := range m.Diagnostics() {
		fmt.Println(d.Code, d.Known)
		for _, b := range sipflow.DecodeICEWarn(d.MediaDebug[0].ICEWarn) {
			fmt.Printf("%#x %s\n", b.Bit, b.Meaning)
		}
	}
	// Output:
	// BYE 0f1e2d3c4b5a 3 BYE Alice 8e2b7c41a9
	// 23 Call failed to establish due to a media connectivity failure when one endpoint is internal and the other is remote
	// 0x1 TURN server unreachable (check TCP 443 / UDP 3478)
	// 0x2 UDP allocation on TURN failed
	// 0x8 TCP allocation on TURN failed
	// 0x20 Local connectivity failed (local UDP for A/V, local TCP for app sharing / file transfer)
	// 0x100 TCP NAT connectivity failed
	// 0x800000 Pseudo-TLS failure (proxy SSL inspection)
}
