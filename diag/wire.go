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

// wireKey names one kind of message on one directed 5-tuple.
type wireKey struct {
	src, dst  netip.AddrPort
	transport decode.Transport
	kind      frameKind
	op        wire.Op
	class     wire.Class
}

// wireEntry is the evidence of one key: the frames are kept as numbers,
// and made into Frames with their strings only when a rule asks (get).
type wireEntry struct {
	key    wireKey
	frames decode.FrameSample
}

// evidence returns the entry's frames as Evidence; files are the input
// names, used when there are several.
func (e *wireEntry) evidence(files []string) *Evidence {
	kind, dst := frameKinds[e.key.kind], ""
	if e.key.dst.IsValid() {
		dst = e.key.dst.String()
	}
	refs := e.frames.Frames()
	ev := &Evidence{Count: e.frames.Count, Frames: make([]Frame, 0, len(refs))}
	for _, r := range refs {
		name := ""
		if len(files) > 1 && r.File >= 0 && r.File < len(files) {
			name = files[r.File]
		}
		ev.Frames = append(ev.Frames, Frame{File: name, Frame: r.Frame, Kind: kind, Dst: dst})
	}
	return ev
}

// Wire indexes the frames the media rules cite: STUN requests and
// responses per 5-tuple and method, TCP SYNs and RSTs, TLS and pseudo-TLS
// hellos and ICMP errors (media frames are sampled by the ICE flows).
// Feed it every event with Add, in capture order. It keeps copies only.
type Wire struct {
	// entries holds the entries by kind, so that a rule walks only the
	// kind it asks for; count is their number.
	entries [len(frameKinds)]map[wireKey]*wireEntry
	count   int
	files   []string
	// synAcked holds the client->server flows whose SYN got a SYN-ACK.
	synAcked map[decode.Flow]bool
}

// NewWire returns an empty index; files are the input names (base names)
// used in frame references when there are several.
func NewWire(files []string) *Wire {
	w := &Wire{files: files, synAcked: map[decode.Flow]bool{}}
	for i := range w.entries {
		w.entries[i] = map[wireKey]*wireEntry{}
	}
	return w
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
	e := w.entries[k.kind][k]
	if e == nil {
		if w.count >= maxWireEntries {
			return
		}
		e = &wireEntry{key: k}
		w.entries[k.kind][k] = e
		w.count++
	}
	e.frames.Add(ev.FrameRef)
}

// remove drops the entry of one key.
func (w *Wire) remove(k wireKey) {
	if _, ok := w.entries[k.kind][k]; ok {
		delete(w.entries[k.kind], k)
		w.count--
	}
}

// get returns the evidence of one key (nil when none).
func (w *Wire) get(k wireKey) *Evidence {
	if w == nil {
		return nil
	}
	if e := w.entries[k.kind][k]; e != nil {
		return e.evidence(w.files)
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
	for k, e := range w.entries[kindOf(KindTCPSYN)] {
		fl := decode.Flow{Src: k.src, Dst: k.dst, Transport: k.transport}
		if !w.synAcked[fl] {
			out[fl] = e.evidence(w.files)
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
	for k, e := range w.entries[kindOf(KindSTUNRequest)] {
		if !keep(k.dst, k.transport) {
			continue
		}
		st := out[k.dst]
		if st == nil {
			st = &reqStat{}
			out[k.dst] = st
		}
		st.requests.merge(e.evidence(w.files))
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
	for k := range w.entries[kindOf(kind)] {
		out = append(out, k)
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
