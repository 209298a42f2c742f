package sipflow

import (
	"net/netip"
	"time"
)

// Meta says where a SIP message was seen: capture file index, frame number,
// capture timestamp, addresses and transport ("UDP", "TCP", "TLS", "SCTP",
// "WS").
type Meta struct {
	File      int
	Frame     uint64
	Time      time.Time
	Src, Dst  netip.AddrPort
	Transport string
}
