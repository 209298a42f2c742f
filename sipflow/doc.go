// Package sipflow turns SIP messages into calls: an own SIP parser (RFC 3261
// with compact forms), multipart bodies (Lync's multipart/alternative offers),
// SDP (pion/sdp with a lenient fallback) reduced to ICE descriptions per media
// line, Microsoft diagnostics headers, QoE reports, transactions and dialogs.
package sipflow
