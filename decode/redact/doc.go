// Package redact maps the identifying values of a capture (IP addresses,
// SIP users, hosts, domains and display names, ICE credentials, TURN
// realms and nonces, authentication tokens, SDP keys) to consistent,
// keyed pseudonyms, so that a report or a capture can leave the company
// that recorded it (docs/redaction.md).
//
// Every pseudonym has the length in bytes of the value it replaces, so a
// SIP message, an SDP body or a STUN attribute can be rewritten in place
// without touching Content-Length, STUN lengths or TCP sequence numbers.
// Pseudonyms are derived with HMAC-SHA256 (RFC 2104) from a key: the same
// key gives the same pseudonyms across runs and files.
//
// Addresses keep what diagnosis depends on: an RFC 1918, RFC 6598, RFC
// 4193 (ULA), link-local or documentation address stays in its range, a
// public address stays public, and two addresses share a /24 (IPv4) or /64
// (IPv6) exactly when their pseudonyms do. Ports are kept.
//
// A Redactor is safe for concurrent use.
package redact
