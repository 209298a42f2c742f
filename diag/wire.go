package diag

import (
	"net/netip"
	"sort"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/wire"
)

// Frame kinds: what a cited frame carries. Tests re-read every cited frame
// and check that it holds a message of this kind.
const (
	KindSIPRequest  = "SIP request"
	KindSIPResponse = "SIP response"
	KindSTUNRequest = "STUN request"  // RFC 8489 §6 request class
	KindSTUNSuccess = "STUN success"  // success response class
	KindSTUNError   = "STUN error"    // error response class
	KindMedia       = "media"         // RTP, RTCP or DTLS (RFC 3550, RFC 6347), direct or relayed
	KindTCPSYN      = "TCP SYN"       // RFC 9293 §3.5 connection attempt
	KindTCPRST      = "TCP RST"       // RFC 9293 §3.5.2 reset
	KindTLSHello    = "TLS hello"     // a real TLS ClientHello/ServerHello
	KindPseudoTLS   = "pseudo-TLS"    // MS-TURN §3.1.5 hello (MS-REFERENCE §1.8)
	KindICMPError   = "ICMP error"    // an ICMP error quoting one of our packets
	KindTLSAlert    = "TLS alert"     // a TLS alert record where a hello was expected
	maxWireEntries  = 1 << 18         // bound on the index keys
	wireOpNone      = wire.OpUnknown  // key op of non-STUN entries
	wireClassNone   = wire.Class(255) // key class of non-STUN entries
)

// frameKind is the index of a Kind* name, so that the per-packet map key
// holds no string.
type frameKind uint8

// frameKinds lists the Kind* names; the index is the frameKind.
var frameKinds = [...]string{"", KindSIPRequest, KindSIPResponse, KindSTUNRequest, KindSTUNSuccess, KindSTUNError,
	KindMedia, KindTCPSYN, KindTCPRST, KindTLSHello, KindPseudoTLS, KindICMPError, KindTLSAlert}

// kindOf returns the frameKind of a Kind* name (0 for an unknown one).
func kindOf(name string) frameKind {
	for i, n := range frameKinds {
		if n == name {
			return frameKind(i)
		}
	}
	return 0
}

// wireKey names one kind of message on one directed 5-tuple. For relayed
// media Server is the TURN server and Src/Dst the client and the peer.
type wireKey struct {
	src, dst, server netip.AddrPort
	transport        decode.Transport
	kind             frameKind
	op               wire.Op
	class            wire.Class
}

// kindMedia is the frameKind of KindMedia, the most frequent.
var kindMedia = kindOf(KindMedia)

// wireEntry is the evidence of one key, with the destination written out
// once for all its frames.
type wireEntry struct {
	ev  Evidence
	dst string
}

// Wire indexes the frames the media rules cite: STUN requests and
// responses per 5-tuple and method, TCP SYNs and RSTs, TLS and pseudo-TLS
// hellos, media per direction and ICMP errors. Feed it every event with
// Add, in capture order. It keeps copies only.
type Wire struct {
	entries map[wireKey]*wireEntry
	files   []string
	// last is the entry most recently added to: media arrives in runs on
	// one flow, so the map look-up is mostly skipped.
	lastKey   wireKey
	lastEntry *wireEntry
	// synAcked holds the client->server flows whose SYN got a SYN-ACK.
	synAcked map[decode.Flow]bool
}

// NewWire returns an empty index; files are the input names (base names)
// used in frame references when there are several.
func NewWire(files []string) *Wire {
	return &Wire{entries: map[wireKey]*wireEntry{}, files: files, synAcked: map[decode.Flow]bool{}}
}

// Add indexes one event.
func (w *Wire) Add(ev *decode.Event) {
	if w == nil || ev == nil {
		return
	}
	fl := ev.Flow
	switch ev.Kind {
	case decode.KindSTUN:
		if ev.STUN != nil && ev.Relay == nil {
			w.addSTUN(fl, ev)
		}
	case decode.KindRTP, decode.KindRTCP, decode.KindDTLS:
		w.addMedia(ev)
	case decode.KindTCPControl:
		w.addTCP(fl, ev)
	case decode.KindTLS:
		kind := KindTLSHello
		if ev.TLS != nil && ev.TLS.IsAlert {
			kind = KindTLSAlert
		}
		w.put(wireKey{src: fl.Src, dst: fl.Dst, transport: fl.Transport, kind: kindOf(kind)}, ev)
	case decode.KindPseudoTLS:
		w.put(wireKey{src: fl.Src, dst: fl.Dst, transport: fl.Transport, kind: kindOf(KindPseudoTLS)}, ev)
	case decode.KindICMP:
		if ev.ICMP != nil {
			q := ev.ICMP.Quoted
			w.put(wireKey{src: q.Src, dst: q.Dst, transport: q.Transport, kind: kindOf(KindICMPError)}, ev)
		}
	}
}

func (w *Wire) addSTUN(fl decode.Flow, ev *decode.Event) {
	m := ev.STUN
	kind := KindSTUNRequest
	switch m.Class {
	case wire.ClassSuccess:
		kind = KindSTUNSuccess
	case wire.ClassError:
		kind = KindSTUNError
	case wire.ClassIndication:
		return
	}
	w.put(wireKey{src: fl.Src, dst: fl.Dst, transport: fl.Transport, kind: kindOf(kind), op: m.Op, class: m.Class}, ev)
}

func (w *Wire) addMedia(ev *decode.Event) {
	k := wireKey{src: ev.Flow.Src, dst: ev.Flow.Dst, transport: ev.Flow.Transport, kind: kindMedia}
	if r := ev.Relay; r != nil {
		k = wireKey{src: r.Peer, dst: r.Client, server: r.Server, transport: r.Transport, kind: kindMedia}
		if r.ToPeer {
			k.src, k.dst = r.Client, r.Peer
		}
	}
	w.put(k, ev)
}

func (w *Wire) addTCP(fl decode.Flow, ev *decode.Event) {
	f := ev.TCPFlags
	switch {
	case f&decode.FlagSYN != 0 && f&decode.FlagACK == 0:
		w.put(wireKey{src: fl.Src, dst: fl.Dst, transport: fl.Transport, kind: kindOf(KindTCPSYN)}, ev)
	case f&decode.FlagSYN != 0:
		if len(w.synAcked) < maxWireEntries {
			w.synAcked[fl.Reverse()] = true
		}
	case f&decode.FlagRST != 0:
		w.put(wireKey{src: fl.Src, dst: fl.Dst, transport: fl.Transport, kind: kindOf(KindTCPRST)}, ev)
	}
}

func (w *Wire) put(k wireKey, ev *decode.Event) {
	e := w.lastEntry
	if e == nil || k != w.lastKey {
		e = w.entries[k]
		if e == nil {
			if len(w.entries) >= maxWireEntries {
				return
			}
			e = &wireEntry{}
			if k.dst.IsValid() {
				e.dst = k.dst.String()
			}
			w.entries[k] = e
		}
		w.lastKey, w.lastEntry = k, e
	}
	name := ""
	if len(w.files) > 1 && ev.File < len(w.files) {
		name = w.files[ev.File]
	}
	e.ev.add(Frame{File: name, Frame: ev.Frame, Kind: frameKinds[k.kind], Dst: e.dst})
}

// get returns the evidence of one key (nil when none).
func (w *Wire) get(k wireKey) *Evidence {
	if w == nil {
		return nil
	}
	if e := w.entries[k]; e != nil {
		return &e.ev
	}
	return nil
}

// stun returns the frames of STUN messages of one method and kind on a
// directed 5-tuple.
func (w *Wire) stun(src, dst netip.AddrPort, tr decode.Transport, op wire.Op, kind string) *Evidence {
	class := map[string]wire.Class{KindSTUNRequest: wire.ClassRequest, KindSTUNSuccess: wire.ClassSuccess,
		KindSTUNError: wire.ClassError}[kind]
	return w.get(wireKey{src: src, dst: dst, transport: tr, kind: kindOf(kind), op: op, class: class})
}

// simple returns the frames of a non-STUN kind on a directed 5-tuple.
func (w *Wire) simple(src, dst netip.AddrPort, tr decode.Transport, kind string) *Evidence {
	return w.get(wireKey{src: src, dst: dst, transport: tr, kind: kindOf(kind)})
}

// media returns the media frames of one direction, direct (server
// invalid) or through a relay.
func (w *Wire) media(src, dst, server netip.AddrPort, tr decode.Transport) *Evidence {
	return w.get(wireKey{src: src, dst: dst, server: server, transport: tr, kind: kindMedia})
}

// synAnswered reports whether a SYN on the flow got a SYN-ACK.
func (w *Wire) synAnswered(fl decode.Flow) bool { return w != nil && w.synAcked[fl] }

// unansweredSYNs returns the SYN evidence of every connection attempt
// that got no SYN-ACK, keyed by flow, with the flows in a stable order.
func (w *Wire) unansweredSYNs() ([]decode.Flow, map[decode.Flow]*Evidence) {
	out := map[decode.Flow]*Evidence{}
	var flows []decode.Flow
	if w == nil {
		return nil, out
	}
	for k, e := range w.entries {
		fl := decode.Flow{Src: k.src, Dst: k.dst, Transport: k.transport}
		if k.kind == kindOf(KindTCPSYN) && !w.synAcked[fl] {
			out[fl] = &e.ev
			flows = append(flows, fl)
		}
	}
	sortFlows(flows)
	return flows, out
}

// requestsTo returns, per destination of the given transport, the STUN
// request evidence and whether any response came back, for requests whose
// destination matches keep.
func (w *Wire) requestsTo(keep func(netip.AddrPort, decode.Transport) bool) map[netip.AddrPort]*reqStat {
	out := map[netip.AddrPort]*reqStat{}
	if w == nil {
		return out
	}
	for k, e := range w.entries {
		if k.kind != kindOf(KindSTUNRequest) || !keep(k.dst, k.transport) {
			continue
		}
		st := out[k.dst]
		if st == nil {
			st = &reqStat{}
			out[k.dst] = st
		}
		st.requests.merge(&e.ev)
		for _, kind := range []string{KindSTUNSuccess, KindSTUNError} {
			if r := w.stun(k.dst, k.src, k.transport, k.op, kind); r != nil {
				st.responses.merge(r)
			}
		}
	}
	return out
}

// reqStat is the requests toward one address and the responses from it.
type reqStat struct{ requests, responses Evidence }

// keysOf returns the keys of one kind in a stable order.
func (w *Wire) keysOf(kind string) []wireKey {
	var out []wireKey
	if w == nil {
		return nil
	}
	for k := range w.entries {
		if k.kind == kindOf(kind) {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return lessKey(out[i], out[j]) })
	return out
}

func lessKey(a, b wireKey) bool {
	if c := a.src.Compare(b.src); c != 0 {
		return c < 0
	}
	if c := a.dst.Compare(b.dst); c != 0 {
		return c < 0
	}
	if c := a.server.Compare(b.server); c != 0 {
		return c < 0
	}
	if a.transport != b.transport {
		return a.transport < b.transport
	}
	if a.op != b.op {
		return a.op < b.op
	}
	return a.class < b.class
}

// sortFlows orders flows by source, destination and transport.
func sortFlows(fs []decode.Flow) {
	sort.Slice(fs, func(i, j int) bool {
		return lessKey(wireKey{src: fs[i].Src, dst: fs[i].Dst, transport: fs[i].Transport},
			wireKey{src: fs[j].Src, dst: fs[j].Dst, transport: fs[j].Transport})
	})
}
