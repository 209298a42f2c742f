package truth

import (
	"bytes"
	"fmt"
	"net/netip"
	"slices"

	"github.com/icediag/icediag/pcaps/lab/internal/msturn"
)

// TLS record content types (RFC 5246 §6.2.1) and the alert a TLS server
// sends when it shares no cipher suite with the client (§7.2.2).
const (
	tlsAlert            = 21
	tlsHandshake        = 22
	tlsHandshakeFailure = 40
)

// PseudoTLSCheck is a TCP connection on which the client sent the MS-TURN
// pseudo-TLS ClientHello (MS-REFERENCE.md §1.8) and the server answered
// with something else than the pseudo-TLS ServerHello: a real TLS server's
// alert, as tshark's TLS dissector decodes it.
type PseudoTLSCheck struct {
	Client string `json:"client"` // client address at this vantage point
	Server string `json:"server"` // address:port of the TCP server
	// Alert is the TLS alert description the server sent (40: handshake_failure).
	Alert int `json:"alert"`
}

func (c PseudoTLSCheck) run(pkts []Packet) error {
	server, err := netip.ParseAddrPort(c.Server)
	if err != nil {
		return err
	}
	client, err := netip.ParseAddr(c.Client)
	if err != nil {
		return err
	}
	var hellos, pseudoAnswers int
	var alerts []int
	for _, p := range pkts {
		switch {
		case p.Proto != "tcp":
		case p.Dst == server && p.Src.Addr() == client:
			if msturn.IsClientHello(p.Payload) && slices.Contains(p.TLSHandshakes, 1) {
				hellos++
			}
		case p.Src == server && p.Dst.Addr() == client:
			if bytes.HasPrefix(p.Payload, []byte{tlsHandshake}) && msturn.IsServerHello(p.Payload[:min(len(p.Payload), msturn.ServerHelloLen)]) {
				pseudoAnswers++
			}
			if len(p.Payload) > 0 && p.Payload[0] == tlsAlert {
				alerts = append(alerts, p.TLSAlerts...)
			}
		}
	}
	switch {
	case hellos == 0:
		return fmt.Errorf("no pseudo-TLS ClientHello from %s to %s that tshark decodes as a ClientHello", c.Client, c.Server)
	case pseudoAnswers > 0:
		return fmt.Errorf("%s answered %d pseudo-TLS hellos with the pseudo-TLS ServerHello", c.Server, pseudoAnswers)
	case !slices.Contains(alerts, c.Alert):
		return fmt.Errorf("%s: TLS alerts %v to %s, want %d", c.Server, alerts, c.Client, c.Alert)
	}
	return nil
}

// ByeHeaderCheck is a header the call's BYE must carry, by name and the
// start of its value: for the MS flavour, ms-client-diagnostics with the
// code (MS-REFERENCE.md §3.2).
type ByeHeaderCheck struct {
	Header string `json:"header"` // "name: value-prefix"
}

func (c ByeHeaderCheck) run(pkts []Packet, callID string) error {
	for _, p := range pkts {
		if slices.Contains(p.CallIDs, callID) && slices.Contains(p.Methods, "BYE") &&
			bytes.Contains(bytes.ToLower(p.Payload), bytes.ToLower([]byte("\r\n"+c.Header))) {
			return nil
		}
	}
	return fmt.Errorf("no BYE of Call-ID %s with %q", callID, c.Header)
}
