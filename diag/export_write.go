package diag

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/icediag/icediag/decode/capfile"
)

// Rewriter rewrites the frames of an export in place without changing
// their length (redaction). Prepare sees every selected frame in capture
// order before the first Rewrite (to learn TCP streams and fragmented
// datagrams whole); Rewrite then sees them again in the same order. The
// frame slices are valid only during the call.
type Rewriter interface {
	Prepare(link uint16, frame []byte)
	Rewrite(link uint16, frame []byte) error
	// InterfaceName returns what to call an output interface instead of
	// name (an input file's base name, with the capture interface's).
	InterfaceName(name string) string
}

// ExportStats counts what WriteExport wrote.
type ExportStats struct {
	// Frames were written; Interfaces are the pcapng interfaces declared
	// (one per input file and capture interface).
	Frames, Interfaces int
	// RewriteErrors counts frames the Rewriter reported it could not
	// rewrite fully (they are written as it left them).
	RewriteErrors int
}

// ifaceKey names one capture interface of one input file.
type ifaceKey struct{ file, iface int }

// WriteExport reads the captures at paths again and writes the frames of
// set to w as pcapng (draft-ietf-opsawg-pcapng): one section, an
// Interface Description Block per input file and interface with the
// original link type, and an Enhanced Packet Block per frame with its
// original timestamp and length, in capture order. When rw is not nil
// every frame passes through it first.
func WriteExport(paths []string, set *FrameSet, w io.Writer, rw Rewriter) (ExportStats, error) {
	return writeFrames(paths, set, w, rw, inputName)
}

// inputName names an output interface after its input file and the
// capture interface's name.
func inputName(path string, in *capfile.Interface) string {
	name := filepath.Base(path)
	if in != nil && in.Name != "" {
		name += ":" + in.Name
	}
	return name
}

// keptName keeps the capture interface's name (an export being rewritten).
func keptName(path string, in *capfile.Interface) string {
	if in != nil && in.Name != "" {
		return in.Name
	}
	return filepath.Base(path)
}

// writeFrames is WriteExport with a naming of the output interfaces.
func writeFrames(paths []string, set *FrameSet, w io.Writer, rw Rewriter, naming func(string, *capfile.Interface) string) (ExportStats, error) {
	var st ExportStats
	if rw != nil {
		err := eachSelected(paths, set, func(_ int, p *capfile.Packet, _ []capfile.Interface) error {
			rw.Prepare(p.LinkType, p.Data)
			return nil
		})
		if err != nil {
			return st, err
		}
	}
	pw, err := capfile.NewPcapngWriter(w)
	if err != nil {
		return st, err
	}
	ifaces := map[ifaceKey]int{}
	var buf []byte
	err = eachSelected(paths, set, func(file int, p *capfile.Packet, known []capfile.Interface) error {
		id, err := exportIface(pw, ifaces, ifaceKey{file, p.Interface}, p, naming(paths[file], ifaceOf(known, p.Interface)), rw)
		if err != nil {
			return err
		}
		st.Interfaces = len(ifaces)
		buf = append(buf[:0], p.Data...)
		if rw != nil && rw.Rewrite(p.LinkType, buf) != nil {
			st.RewriteErrors++
		}
		st.Frames++
		return pw.WritePacket(id, p.Timestamp, buf, max(p.Length, len(buf)))
	})
	if err != nil {
		return st, err
	}
	return st, pw.Flush()
}

// RewriteExport reads a capture written by WriteExport (or any capture)
// at path, passes every frame through rw (Prepare over all frames first,
// then Rewrite) and writes the result to w as WriteExport does, with the
// interface names rw gives.
func RewriteExport(path string, w io.Writer, rw Rewriter) (ExportStats, error) {
	set, err := allFrames(path)
	if err != nil {
		return ExportStats{}, err
	}
	return writeFrames([]string{path}, set, w, rw, keptName)
}

// allFrames returns the set of every frame of one capture.
func allFrames(path string) (*FrameSet, error) {
	fs := &FrameSet{Files: [][]uint64{nil}}
	err := eachPacket([]string{path}, func(_ int, p *capfile.Packet) error {
		fs.Files[0] = append(fs.Files[0], p.Frame)
		fs.Count++
		return nil
	})
	return fs, err
}

// ifaceOf returns interface i of a file, nil when unknown.
func ifaceOf(known []capfile.Interface, i int) *capfile.Interface {
	if i >= 0 && i < len(known) {
		return &known[i]
	}
	return nil
}

// exportIface returns the output interface of a packet, declaring it on
// first use with the input's link type and the given name (through the
// Rewriter, when there is one).
func exportIface(pw *capfile.PcapngWriter, ifaces map[ifaceKey]int, k ifaceKey, p *capfile.Packet, name string, rw Rewriter) (int, error) {
	if id, ok := ifaces[k]; ok {
		return id, nil
	}
	if rw != nil {
		name = rw.InterfaceName(name)
	}
	id, err := pw.AddInterface(p.LinkType, 0, name)
	if err != nil {
		return 0, err
	}
	ifaces[k] = id
	return id, nil
}

// eachSelected calls fn with every packet of set, in capture order, with
// the interfaces its file declared so far.
func eachSelected(paths []string, set *FrameSet, fn func(file int, p *capfile.Packet, ifaces []capfile.Interface) error) error {
	files := make([]*capfile.File, len(paths))
	for i, path := range paths {
		f, err := capfile.Open(path)
		if err != nil {
			closeAll(files)
			return err
		}
		files[i] = f
	}
	defer closeAll(files)
	m := capfile.NewMerger(files)
	next := make([]int, len(paths)) // position in set.Files per file
	var p capfile.Packet
	for {
		k, err := m.Next(&p)
		if err == io.EOF {
			return nil
		}
		if err != nil || k >= len(set.Files) {
			continue
		}
		l := set.Files[k]
		for next[k] < len(l) && l[next[k]] < p.Frame {
			next[k]++
		}
		if next[k] >= len(l) || l[next[k]] != p.Frame {
			continue
		}
		if err := fn(k, &p, files[k].Interfaces()); err != nil {
			return fmt.Errorf("%s frame %d: %w", paths[k], p.Frame, err)
		}
	}
}

func closeAll(files []*capfile.File) {
	for _, f := range files {
		if f != nil {
			f.Close()
		}
	}
}
