package diag

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"sort"
	"time"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/capfile"
	"github.com/icediag/icediag/decode/redact"
)

// fragWindow is how long fragments of one datagram are grouped (the
// decoder's reassembly timeout is shorter, RFC 791 suggests 15 s).
const fragWindow = 30 * time.Second

// FrameSet is what an export writes: per input file, the frame numbers
// (1-based, as analyze numbers them) in increasing order.
type FrameSet struct {
	Files [][]uint64
	// Count is the number of frames.
	Count int
}

// Has reports whether frame ref is in the set.
func (fs *FrameSet) Has(ref decode.FrameRef) bool {
	if ref.File < 0 || ref.File >= len(fs.Files) {
		return false
	}
	l := fs.Files[ref.File]
	i := sort.Search(len(l), func(i int) bool { return l[i] >= ref.Frame })
	return i < len(l) && l[i] == ref.Frame
}

// fragKey names the fragments of one IP datagram (RFC 791 §3.2, RFC 8200
// §4.5).
type fragKey struct {
	src, dst netip.Addr
	id       uint32
	v6       bool
}

// group is the frames of one fragmented datagram or one TCP connection;
// it is taken whole when one of them is selected.
type group struct {
	frames   []decode.FrameRef
	selected bool
	last     time.Time
}

// scan is the state of one Scan.
type scan struct {
	sel   *Selection
	out   map[decode.FrameRef]bool
	frags map[fragKey]*group
	tcp   map[Conn]*group
	frame redact.Frame
}

// Scan reads the captures at paths (in the order analyze read them, merged
// by time) and returns the frames the selection takes.
func (s *Selection) Scan(paths []string) (*FrameSet, error) {
	sc := &scan{sel: s, out: map[decode.FrameRef]bool{}, frags: map[fragKey]*group{}, tcp: map[Conn]*group{}}
	err := eachPacket(paths, func(file int, p *capfile.Packet) error {
		sc.add(decode.FrameRef{File: file, Frame: p.Frame}, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, g := range sc.frags {
		sc.close(g)
	}
	for _, g := range sc.tcp {
		sc.close(g)
	}
	fs := &FrameSet{Files: make([][]uint64, len(paths))}
	for ref := range sc.out {
		fs.Files[ref.File] = append(fs.Files[ref.File], ref.Frame)
		fs.Count++
	}
	for _, l := range fs.Files {
		sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	}
	return fs, nil
}

// eachPacket reads the captures merged by time, as decode.Run does, and
// calls fn with each packet and the index of its file. A file that cannot
// be opened is an error; damage part-way ends only that file.
func eachPacket(paths []string, fn func(file int, p *capfile.Packet) error) error {
	var files []*capfile.File
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	for _, path := range paths {
		f, err := capfile.Open(path)
		if err != nil {
			return err
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return errors.New("no capture files given")
	}
	m := capfile.NewMerger(files)
	var p capfile.Packet
	for {
		k, err := m.Next(&p)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			continue
		}
		if err := fn(k, &p); err != nil {
			return fmt.Errorf("%s frame %d: %w", paths[k], p.Frame, err)
		}
	}
}

// add decides about one frame.
func (sc *scan) add(ref decode.FrameRef, p *capfile.Packet) {
	f := &sc.frame
	if redact.ParseFrame(p.LinkType, p.Data, f) != nil {
		return
	}
	l := f.Inner()
	exact := sc.sel.sipFrames[ref]
	switch {
	case l.Fragment():
		g := sc.fragGroup(p.Data, l, p.Timestamp)
		g.frames = append(g.frames, ref)
		if exact || (l.FragOff == 0 && sc.sel.matches(f.Flow, p.Timestamp)) {
			g.selected = true
		}
	case f.Flow.Transport == decode.TCP || f.Flow.Transport == decode.SCTP:
		c := ConnOf(f.Flow)
		if !sc.sel.sipConns[c] && sc.sel.conns[c] == nil {
			return
		}
		g := sc.tcpGroup(c, f, p.Timestamp)
		g.frames = append(g.frames, ref)
		if exact || sc.sel.sipConns[c] || sc.sel.matches(f.Flow, p.Timestamp) {
			g.selected = true
		}
	case exact || sc.sel.matches(f.Flow, p.Timestamp):
		sc.out[ref] = true
	default:
		if q, _, ok := redact.QuotedFlow(p.Data, f); ok && sc.sel.matches(q, p.Timestamp) {
			sc.out[ref] = true
		}
	}
}

// matches reports whether a directed flow is one of the selection's
// 5-tuples at time t.
func (s *Selection) matches(f decode.Flow, t time.Time) bool {
	w := s.conns[ConnOf(f)]
	return w != nil && w.contains(t)
}

// fragGroup returns the group of a fragment's datagram, closing one that
// ended more than fragWindow ago (the IP ID was reused).
func (sc *scan) fragGroup(b []byte, l *redact.IPLayer, t time.Time) *group {
	k := fragKey{src: l.Src(b), dst: l.Dst(b), id: l.ID, v6: l.V6}
	g := sc.frags[k]
	if g != nil && t.Sub(g.last) > fragWindow {
		sc.close(g)
		g = nil
	}
	if g == nil {
		g = &group{}
		sc.frags[k] = g
	}
	g.last = t
	return g
}

// tcpGroup returns the group of a TCP connection; a SYN after the
// connection's last segment of an earlier one starts a new group.
func (sc *scan) tcpGroup(c Conn, f *redact.Frame, t time.Time) *group {
	g := sc.tcp[c]
	syn := f.Flags&decode.FlagSYN != 0 && f.Flags&decode.FlagACK == 0
	if g != nil && syn && len(g.frames) > 0 && t.Sub(g.last) > time.Second {
		sc.close(g)
		g = nil
	}
	if g == nil {
		g = &group{}
		sc.tcp[c] = g
	}
	g.last = t
	return g
}

// close adds a group's frames when it was selected and empties it.
func (sc *scan) close(g *group) {
	if g.selected {
		for _, r := range g.frames {
			sc.out[r] = true
		}
	}
	g.frames, g.selected = nil, false
}
