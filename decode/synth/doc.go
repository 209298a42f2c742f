// Package synth builds packets and small capture files for tests and for the
// crafted captures in pcaps/crafted: Ethernet/SLL2 frames, IPv4/IPv6 with
// fragmentation, UDP and TCP segments, and STUN/TURN/MS-TURN messages in both
// dialects.
package synth
