package diag

import (
	"net/netip"
	"strings"

	"github.com/icediag/icediag/decode"
)

// Frame kinds of the "Names, certificates, DNS" rules: the decode event
// kinds of the frames they cite.
var (
	KindDNS            = decode.KindDNS.String()            // RFC 1035 §4.1 query or response
	KindTLSCertificate = decode.KindTLSCertificate.String() // RFC 5246 §7.4.2 server Certificate message
)

// names returns what the decoder recorded of DNS lookups and TLS server
// certificates (decode.Names), nil when the input has no decoder counts.
func (in *Input) names() *decode.Names {
	if in.Stats == nil {
		return nil
	}
	return &in.Stats.Names
}

// nameFrame names a frame the Names table recorded, with its kind and the
// destination of the packet.
func (in *Input) nameFrame(ref decode.FrameRef, kind string, dst netip.AddrPort) Frame {
	return Frame{File: in.fileName(ref.File), Frame: ref.Frame, Kind: kind, Dst: dst.String()}
}

// lookupEvidence adds the query and response frames of a lookup.
func (in *Input) lookupEvidence(e *Evidence, l *decode.DNSLookup) {
	if l.Queries > 0 {
		e.add(in.nameFrame(l.Query, KindDNS, l.Server))
	}
	if l.Answered {
		e.add(in.nameFrame(l.Response, KindDNS, l.Client))
	}
}

// inDomain reports whether host is domain or a name below it (RFC 1034
// §3.1), comparing case-insensitively.
func inDomain(host, domain string) bool {
	host, domain = strings.ToLower(strings.TrimSuffix(host, ".")), strings.ToLower(strings.TrimSuffix(domain, "."))
	return domain != "" && (host == domain || strings.HasSuffix(host, "."+domain))
}

// srvService splits an SRV owner name into the service prefix it starts
// with (one of prefixes, e.g. "_sip._tls.") and the domain after it.
func srvService(name string, prefixes ...string) (prefix, domain string, ok bool) {
	for _, p := range prefixes {
		if strings.HasPrefix(name, p) && len(name) > len(p) {
			return p, name[len(p):], true
		}
	}
	return "", "", false
}
