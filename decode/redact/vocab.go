package redact

import (
	"net/netip"
	"strings"
)

// vocabulary are the words of the protocols and of icediag's own reports
// that Learn never takes for an identifier, whatever field they came
// from: SIP methods, header and parameter names, URI schemes, transports
// and SDP tokens (RFC 3261 §7, §20, RFC 8866 §5), codec names (RFC 3551
// §6), ICE candidate words (RFC 8839 §5.1) and common report words.
// Matching is case-insensitive.
var vocabulary = makeSet(
	// SIP methods (RFC 3261, 3262, 3265, 3311, 3428, 3515, 3903, 6086) and MS SERVICE.
	"invite", "ack", "bye", "cancel", "register", "options", "prack", "subscribe", "notify",
	"publish", "info", "refer", "message", "update", "service", "benotify", "negotiate",
	// URI schemes, transports, versions.
	"sip", "sips", "tel", "tcp", "udp", "tls", "sctp", "dtls", "ws", "wss", "sip/2.0", "http", "https",
	"urn", "mailto", "pres", "im",
	// header names and common parameters.
	"via", "from", "to", "call-id", "cseq", "contact", "route", "record-route", "max-forwards",
	"content-type", "content-length", "user-agent", "server", "allow", "supported", "require",
	"expires", "authorization", "www-authenticate", "proxy-authenticate", "proxy-authorization",
	"branch", "tag", "received", "rport", "maddr", "ttl", "transport", "user", "phone", "method",
	"lr", "ob", "gruu", "epid", "opaque", "realm", "nonce", "response", "qop", "auth", "algorithm",
	"md5", "sha-256", "sha-1", "cnonce", "digest", "ntlm", "kerberos", "tls-dsk", "negotiate",
	"gssapi-data", "targetname", "version", "crand", "cnum", "srand", "snum", "reason", "source",
	"application", "sdp", "multipart", "alternative", "mixed", "related", "boundary", "text",
	"plain", "xml", "anonymous", "unknown", "invalid", "localhost", "none", "null", "true", "false",
	// SDP tokens.
	"in", "ip4", "ip6", "rtp", "avp", "savp", "savpf", "avpf", "rtcp", "rtcp-mux", "rtcp-fb",
	"audio", "video", "data", "image", "control", "sendrecv", "sendonly", "recvonly", "inactive",
	"rtpmap", "fmtp", "ptime", "maxptime", "mid", "group", "bundle", "ssrc", "cname", "msid",
	"label", "crypto", "fingerprint", "setup", "actpass", "active", "passive", "holdconn",
	"ice-ufrag", "ice-pwd", "ice-options", "ice-lite", "trickle", "x-ssrc-range", "x-bw",
	"aes_cm_128_hmac_sha1_80", "aes_cm_128_hmac_sha1_32", "inline", "encryption", "optional",
	"required", "rejected", "x-mediabw", "x-device-caps", "x-source", "x-candidate-ipv6",
	// codecs.
	"pcmu", "pcma", "g722", "g723", "g728", "g729", "g726", "gsm", "ilbc", "opus", "silk",
	"siren", "red", "cn", "telephone-event", "h261", "h263", "h264", "vp8", "vp9", "av1",
	"x-h264uc", "x-rtvc1", "rtaudio", "x-msrta", "x-ulpfecuc", "speex", "amr", "amr-wb", "t38",
	// ICE.
	"candidate", "remote-candidates", "remote-candidate", "host", "srflx", "prflx", "relay",
	"typ", "raddr", "generation", "network-id", "network-cost", "ufrag", "tcptype", "so", "tcp-act",
	"tcp-pass", "use-candidate", "controlling", "controlled",
	// report words.
	"caller", "callee", "internal", "remote", "edge", "call", "media", "session", "error",
	"warning", "failed", "succeeded", "answered", "cancelled", "unanswered", "allocation",
	"server", "client", "request", "success", "indication", "test", "user", "admin",
)

func makeSet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// IsVocabulary reports the protocol and report words (SIP methods and
// header names, transports, SDP tokens, codec names, ICE words) that are
// never learned as identifiers, whatever field they came from.
func IsVocabulary(s string) bool { return vocabulary[lowerString(s)] }

func isVocabulary(s string) bool { return IsVocabulary(s) }

// isIPLiteral reports an IP address, bracketed or not, with or without a
// port: Text rewrites those by Addr, never as identifiers.
func isIPLiteral(s string) bool {
	if _, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return true
	}
	_, err := netip.ParseAddrPort(s)
	return err == nil
}
