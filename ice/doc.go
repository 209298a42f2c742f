// Package ice joins what endpoints offered (SDP candidates) with what the wire
// shows (connectivity checks, TURN allocations, media) into one model per ICE
// session, with or without readable SIP.
package ice
