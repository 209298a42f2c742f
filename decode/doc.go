// Package decode turns capture files (and, later, live interfaces) into typed
// protocol events: SIP messages, STUN/TURN/MS-TURN messages, ChannelData,
// RTP/RTCP, TLS and MS pseudo-TLS hellos, ICMP errors.
//
// It is the only package of icediag that imports gopacket. Everything
// downstream (sipflow, ice, diag) works on the Event values it delivers.
//
// The data flow is: capfile (pcap, pcapng, gzip, several files merged by
// time) → link layer (Ethernet/802.1Q, SLL, SLL2, raw IP, BSD null) → IPv4 and
// IPv6 with fragment reassembly and duplicate removal → UDP, TCP (reassembly
// and framing), SCTP → content classification (RFC 7983) → wire parsers
// (decode/wire) → Event. Payloads relayed through TURN (Send/Data indications,
// ChannelData, MS-TURN data frames) are decoded recursively and tagged with
// the relay leg they came through.
package decode
