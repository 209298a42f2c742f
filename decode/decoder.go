package decode

import (
	"time"

	"github.com/icediag/icediag/decode/capfile"
	"github.com/icediag/icediag/decode/wire"
)

// Options tune the decoder. The zero value means the defaults.
type Options struct {
	// DedupWindow is the time within which an identical IP packet counts as
	// a duplicate; negative disables duplicate removal.
	DedupWindow         time.Duration
	FragmentTimeout     time.Duration
	MaxPendingFragments int
	MaxStreamBuffer     int
	TCPPagesPerConn     int
	TCPPagesTotal       int
	MaxTCPStreams       int
	// Capture bounds what the capture-file readers accept (record size,
	// gzip expansion); zero fields mean the capfile defaults.
	Capture capfile.Limits
	// Progress, when set, is called by RunFiles every ProgressEvery frames
	// (and once at the end) with the frames and bytes read so far. It is
	// for displays; analysis never depends on it.
	Progress func(frames, bytes uint64)
}

// ProgressEvery is how many frames pass between Progress calls.
const ProgressEvery = 1 << 14

func (o Options) withDefaults() Options {
	if o.DedupWindow == 0 {
		o.DedupWindow = DefaultDedupWindow
	}
	if o.FragmentTimeout <= 0 {
		o.FragmentTimeout = DefaultFragmentTimeout
	}
	if o.MaxPendingFragments <= 0 {
		o.MaxPendingFragments = DefaultMaxPendingFragments
	}
	if o.MaxStreamBuffer <= 0 {
		o.MaxStreamBuffer = DefaultMaxStreamBuffer
	}
	if o.TCPPagesPerConn <= 0 {
		o.TCPPagesPerConn = DefaultTCPPagesPerConn
	}
	if o.TCPPagesTotal <= 0 {
		o.TCPPagesTotal = DefaultTCPPagesTotal
	}
	if o.MaxTCPStreams <= 0 {
		o.MaxTCPStreams = DefaultMaxTCPStreams
	}
	return o
}

// Decoder turns captured frames into Events. It is not safe for concurrent
// use; one goroutine feeds it frames in capture order.
type Decoder struct {
	opt     Options
	handler Handler
	stats   Stats

	// the frame being decoded
	cur       FrameRef
	curTime   time.Time
	curTrunc  bool
	skipFrame bool
	// curInPlace: the frame's bytes stay valid until the run ends (its
	// file is capfile.File.Stable), as inPlace records by input file.
	curInPlace bool
	inPlace    []bool

	// the capture files of a run (run.go), open until closeFiles
	files     []*capfile.File
	fileIndex []int // files[j] is input file fileIndex[j]
	keepOpen  bool  // runFiles leaves the files open for the caller to close
	aheadOn   bool  // a read-ahead goroutine reads the files (readahead.go)

	// reused per message
	ev        Event
	stunBufs  [maxRelayDepth + 1]wire.STUN
	relayBufs [maxRelayDepth + 1]Relay
	rtp       wire.RTP
	rtcp      wire.RTCP
	tls       wire.TLSHello
	icmpInfo  ICMPInfo

	frag     *defragger
	dedup    deduper
	tcpState *tcpState
	relays   *relays

	sctpParts map[sctpKey][]byte

	// events held back while the TCP reassembler flushes (order.go)
	deferring bool
	deferred  []deferredEvent
}

// New returns a decoder that calls h for every event.
func New(h Handler, o Options) *Decoder {
	o = o.withDefaults()
	d := &Decoder{opt: o, handler: h}
	d.frag = newDefragger(o.FragmentTimeout, o.MaxPendingFragments)
	d.dedup = newDeduper(o.DedupWindow)
	d.tcpState = newTCPState(d, o)
	d.relays = newRelays()
	return d
}

// Decode decodes one captured frame of input file file.
func (d *Decoder) Decode(file int, p *capfile.Packet) {
	d.cur = FrameRef{File: file, Frame: p.Frame}
	d.curTime = p.Timestamp
	d.curTrunc = p.CaptureLength < p.Length
	d.curInPlace = file >= 0 && file < len(d.inPlace) && d.inPlace[file]
	d.skipFrame = false
	s := &d.stats
	s.Packets++
	s.Bytes += uint64(len(p.Data))
	if s.First.IsZero() || p.Timestamp.Before(s.First) {
		s.First = p.Timestamp
	}
	if p.Timestamp.After(s.Last) {
		s.Last = p.Timestamp
	}
	d.frame(p.LinkType, p.Data)
}

// Finish flushes what is still buffered (TCP streams, fragments) at the end
// of the input. Call it once, after the last Decode.
func (d *Decoder) Finish() {
	d.flushTCP(d.tcpState.finish)
	d.frag.finish(d)
}

// Stats returns what the decoder counted so far.
func (d *Decoder) Stats() *Stats { return &d.stats }

// problem counts a decode problem at the current frame.
func (d *Decoder) problem(layer, reason string) { d.stats.problem(layer, reason, d.cur) }

// problemAt counts a decode problem at a given frame.
func (d *Decoder) problemAt(layer, reason string, at FrameRef) { d.stats.problem(layer, reason, at) }
