package decode

import (
	"net/netip"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/reassembly"
)

// TCP reassembly defaults. Pages are gopacket/reassembly's 1900-byte
// buffers for out-of-order data.
const (
	DefaultTCPPagesPerConn = 256              // ~480 KiB waiting per connection
	DefaultTCPPagesTotal   = 16384            // ~30 MiB waiting in all
	DefaultMaxTCPStreams   = 10000            // connections followed at once
	tcpPressureIdle        = 10 * time.Second // idle time after which a full table closes a connection
	tcpFlushEvery          = time.Second
	tcpGapWait             = 5 * time.Second // how long a hole may wait for its retransmission
	tcpIdleClose           = 10 * time.Minute
)

// tcpState drives gopacket/reassembly by capture time.
type tcpState struct {
	asm       *reassembly.Assembler
	layer     layers.TCP
	ctx       tcpContext
	lastFlush time.Time
	// streams are the connections the reassembler tracks, by their two
	// ends in a fixed order; at most maxStreams.
	streams      map[connKey]struct{}
	maxStreams   int
	lastPressure time.Time // last flush forced by a full table
}

// connKey names a TCP connection independent of direction.
type connKey struct{ a, b netip.AddrPort }

func makeConnKey(x, y netip.AddrPort) connKey {
	if x.Compare(y) > 0 {
		x, y = y, x
	}
	return connKey{x, y}
}

// tcpContext carries the capture time and the frame of the segment being
// assembled. reassembly hands the CaptureInfo of each segment back with the
// bytes it holds, so the frame reference travels in InterfaceIndex.
type tcpContext struct{ ci gopacket.CaptureInfo }

func (c *tcpContext) GetCaptureInfo() gopacket.CaptureInfo { return c.ci }

// packFrame and unpackFrame store a FrameRef in CaptureInfo.InterfaceIndex:
// 16 bits of file index, 47 bits of frame number.
func packFrame(r FrameRef) int {
	return int(uint64(r.File)<<47 | r.Frame&(1<<47-1))
}

func unpackFrame(v int) FrameRef {
	u := uint64(v)
	return FrameRef{File: int(u >> 47), Frame: u & (1<<47 - 1)}
}

func newTCPState(d *Decoder, o Options) *tcpState {
	pool := reassembly.NewStreamPool(&streamFactory{d: d})
	asm := reassembly.NewAssembler(pool)
	asm.MaxBufferedPagesPerConnection = o.TCPPagesPerConn
	asm.MaxBufferedPagesTotal = o.TCPPagesTotal
	return &tcpState{asm: asm, streams: make(map[connKey]struct{}), maxStreams: o.MaxTCPStreams}
}

// tcp decodes a TCP header (RFC 9293 §3.1) and feeds the segment to the
// reassembler.
func (d *Decoder) tcp(src, dst netip.Addr, b []byte) {
	if len(b) < 20 {
		d.problem("tcp", "header truncated")
		return
	}
	off := int(b[12]>>4) * 4
	if off < 20 || off > len(b) {
		d.problem("tcp", "bad data offset")
		return
	}
	d.stats.TCPPackets++
	// gopacket's own decoder fills the unexported port fields that
	// TransportFlow (the reassembler's connection key) reads.
	t := &d.tcpState.layer
	if err := t.DecodeFromBytes(b, gopacket.NilDecodeFeedback); err != nil {
		d.problem("tcp", "bad header")
		return
	}
	fl := Flow{Src: netip.AddrPortFrom(src, uint16(t.SrcPort)), Dst: netip.AddrPortFrom(dst, uint16(t.DstPort)), Transport: TCP}
	if t.SYN || t.FIN || t.RST {
		ev := d.event(fl, nil, KindTCPControl, nil)
		ev.TCPFlags = tcpFlags(t)
		d.emit(ev)
	}
	if !d.admitTCP(fl) {
		return
	}
	var netFlow gopacket.Flow
	if src.Is4() {
		s, d4 := src.As4(), dst.As4()
		netFlow = gopacket.NewFlow(layers.EndpointIPv4, s[:], d4[:])
	} else {
		s, d6 := src.As16(), dst.As16()
		netFlow = gopacket.NewFlow(layers.EndpointIPv6, s[:], d6[:])
	}
	ts := d.tcpState
	ci := gopacket.CaptureInfo{Timestamp: d.curTime, InterfaceIndex: packFrame(d.cur), CaptureLength: len(b), Length: len(b)}
	ctx := &ts.ctx
	if len(t.Payload) > 0 {
		// reassembly keeps the context of segments it buffers out of
		// order, so a segment with data needs a context of its own.
		ctx = &tcpContext{}
	}
	ctx.ci = ci
	ts.asm.AssembleWithContext(netFlow, t, ctx)
	if d.curTime.Sub(ts.lastFlush) >= tcpFlushEvery {
		ts.lastFlush = d.curTime
		opt := reassembly.FlushOptions{T: d.curTime.Add(-tcpGapWait), TC: d.curTime.Add(-tcpIdleClose)}
		d.flushTCP(func() { ts.asm.FlushWithOptions(opt) })
	}
}

// admitTCP enforces MaxTCPStreams: a segment of a connection not yet tracked
// is refused while the table is full, after closing connections idle for
// tcpPressureIdle (at most once a second of capture time). A SYN flood of half-open connections thus costs a counter,
// not memory.
func (d *Decoder) admitTCP(fl Flow) bool {
	ts := d.tcpState
	if len(ts.streams) < ts.maxStreams {
		return true
	}
	if _, ok := ts.streams[makeConnKey(fl.Src, fl.Dst)]; ok {
		return true
	}
	if d.curTime.Sub(ts.lastPressure) >= tcpFlushEvery {
		ts.lastPressure = d.curTime
		opt := reassembly.FlushOptions{T: d.curTime.Add(-tcpPressureIdle), TC: d.curTime.Add(-tcpPressureIdle)}
		d.flushTCP(func() { ts.asm.FlushWithOptions(opt) })
		if len(ts.streams) < ts.maxStreams {
			return true
		}
	}
	d.problem("tcp", "connection table full, new connection not followed")
	return false
}

func tcpFlags(t *layers.TCP) uint8 {
	var f uint8
	if t.FIN {
		f |= FlagFIN
	}
	if t.SYN {
		f |= FlagSYN
	}
	if t.RST {
		f |= FlagRST
	}
	if t.ACK {
		f |= FlagACK
	}
	return f
}

// finish pushes out everything still buffered at the end of the capture.
func (ts *tcpState) finish() { ts.asm.FlushAll() }

// framed reports whether a mode frames messages icediag reads, so that
// bytes left over at the end are a message cut off.
func framed(m streamMode) bool {
	return m == modeSIP || m == modeSTUN || m == modeRFC4571 || m == modeMSTURN || m == modeWebSocket
}

type streamFactory struct{ d *Decoder }

func (f *streamFactory) New(netFlow, tcpFlow gopacket.Flow, t *layers.TCP, ac reassembly.AssemblerContext) reassembly.Stream {
	src, _ := netip.AddrFromSlice(netFlow.Src().Raw())
	dst, _ := netip.AddrFromSlice(netFlow.Dst().Raw())
	fl := Flow{
		Src:       netip.AddrPortFrom(src, uint16(t.SrcPort)),
		Dst:       netip.AddrPortFrom(dst, uint16(t.DstPort)),
		Transport: TCP,
	}
	s := &tcpStream{d: f.d, key: makeConnKey(fl.Src, fl.Dst)}
	s.dirs[0] = streamDir{s: s, flow: fl}
	s.dirs[1] = streamDir{s: s, flow: fl.Reverse()}
	f.d.tcpState.streams[s.key] = struct{}{}
	return s
}

// tcpStream is one TCP connection: two byte streams, each with its own
// framing state.
type tcpStream struct {
	d    *Decoder
	key  connKey
	dirs [2]streamDir // [0] from the side that sent the first segment seen
	// pseudoTLS is set once the client sent the MS-TURN pseudo-TLS
	// ClientHello; the server's answer decides what follows.
	pseudoTLS bool
	sawHello  [2]bool
}

func (s *tcpStream) Accept(t *layers.TCP, ci gopacket.CaptureInfo, dir reassembly.TCPFlowDirection, nextSeq reassembly.Sequence, start *bool, ac reassembly.AssemblerContext) bool {
	*start = true // captures start mid-connection; take what there is
	return true
}

func (s *tcpStream) ReassembledSG(sg reassembly.ScatterGather, ac reassembly.AssemblerContext) {
	n, _ := sg.Lengths()
	dir, _, _, skip := sg.Info()
	if n == 0 {
		return
	}
	i := 0
	if dir == reassembly.TCPDirServerToClient {
		i = 1
	}
	s.dirs[i].feed(sg.Fetch(n), skip, sg)
}

func (s *tcpStream) ReassemblyComplete(ac reassembly.AssemblerContext) bool {
	for i := range s.dirs {
		sd := &s.dirs[i]
		if len(sd.buf) > 0 && framed(sd.mode) {
			s.d.problemAt("tcp", "stream ended inside a message", sd.lastFrame)
			sd.buf = sd.buf[:0]
		}
	}
	delete(s.d.tcpState.streams, s.key)
	return true // remove the connection
}
