// Package wire parses the media-path wire formats that icediag reads out of
// UDP datagrams and TCP streams: STUN (RFC 5389/8489) with ICE attributes
// (RFC 8445), TURN (RFC 5766/8656), Microsoft's MS-TURN dialect and MS-ICE2
// attributes, ChannelData and MS multiplexed TURN, RTP/RTCP headers, TLS and
// MS pseudo-TLS hellos.
//
// Parsers decode into caller-owned structs; fields that are slices alias the
// input buffer until the next Decode call. No parser panics on any input.
package wire
