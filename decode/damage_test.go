package decode

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Both captures are little-endian, as their magic numbers show.
const (
	damagedPcap   = "wireshark-samples__sip-rtp-g711.pcap" // SIP and RTP over UDP, 852 frames
	damagedPcapNG = "ntop-nDPI__stun_signal.pcapng"        // STUN and RTP, 460 frames
	damageFrame   = 400                                    // the frame the damage hits
)

// pcapRecordOffset returns the byte offset of the record header of frame n
// of a little-endian pcap file.
func pcapRecordOffset(t *testing.T, b []byte, n int) int {
	t.Helper()
	off := 24
	for i := 1; i < n; i++ {
		if off+16 > len(b) {
			t.Fatalf("frame %d not in file", n)
		}
		off += 16 + int(binary.LittleEndian.Uint32(b[off+8:]))
	}
	return off
}

// pcapngEPBOffset returns the byte offset of the Enhanced Packet Block of
// frame n of a little-endian, single-section pcapng file.
func pcapngEPBOffset(t *testing.T, b []byte, n int) int {
	t.Helper()
	frame := 0
	for off := 0; off+12 <= len(b); {
		typ, size := binary.LittleEndian.Uint32(b[off:]), int(binary.LittleEndian.Uint32(b[off+4:]))
		if typ == 6 || typ == 3 {
			frame++
			if frame == n {
				return off
			}
		}
		off += size
	}
	t.Fatalf("frame %d not in file", n)
	return 0
}

// writeDamaged writes a damaged copy of a public capture and returns its path.
func writeDamaged(t *testing.T, name string, damage func([]byte) []byte) string {
	t.Helper()
	b, err := os.ReadFile(publicPath(name))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "damaged-"+name)
	if err := os.WriteFile(p, damage(b), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// linesBefore returns the Describe lines of events of file 0 before frame n.
func linesBefore(r *recorder, file int, n uint64) []string {
	var out []string
	for _, e := range r.evs {
		if e.File == file && e.Frame < n {
			out = append(out, e.Line)
		}
	}
	return out
}

func TestDamagedCaptures(t *testing.T) {
	tests := []struct {
		name   string
		file   string
		damage func(t *testing.T, b []byte) []byte
	}{
		{"pcap truncated mid record", damagedPcap, func(t *testing.T, b []byte) []byte {
			return b[:pcapRecordOffset(t, b, damageFrame)+16+10]
		}},
		{"pcap record length past the end", damagedPcap, func(t *testing.T, b []byte) []byte {
			off := pcapRecordOffset(t, b, damageFrame)
			binary.LittleEndian.PutUint32(b[off+8:], 0x7FFFFFF0)
			return b
		}},
		{"pcapng block length lies", damagedPcapNG, func(t *testing.T, b []byte) []byte {
			off := pcapngEPBOffset(t, b, damageFrame)
			binary.LittleEndian.PutUint32(b[off+4:], binary.LittleEndian.Uint32(b[off+4:])+8)
			return b
		}},
		{"pcapng truncated mid block", damagedPcapNG, func(t *testing.T, b []byte) []byte {
			return b[:pcapngEPBOffset(t, b, damageFrame)+30]
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			whole, _ := runFile(t, publicPath(tc.file))
			path := writeDamaged(t, tc.file, func(b []byte) []byte { return tc.damage(t, b) })
			r, s := runFile(t, path)
			if len(s.Files) != 1 {
				t.Fatalf("Files = %d, want 1", len(s.Files))
			}
			fe := s.Files[0].Err
			if !strings.Contains(fe, path) || !strings.Contains(fe, "frame 400") {
				t.Errorf("Files[0].Err = %q, want it to name %s and frame 400", fe, path)
			}
			if s.Files[0].Packets != damageFrame-1 {
				t.Errorf("Files[0].Packets = %d, want %d", s.Files[0].Packets, damageFrame-1)
			}
			want := linesBefore(whole, 0, damageFrame)
			if got := linesBefore(r, 0, damageFrame); !slices.Equal(got, want) || len(want) == 0 {
				t.Errorf("events before the damage: %d, want the %d of the intact file", len(got), len(want))
			}
			if got := problemCount(s, "capture", "file damaged"); got != 1 {
				t.Errorf("capture problems = %d, want 1 (all %+v)", got, s.Problems())
			}
			p := s.Problems()
			if i := slices.IndexFunc(p, func(p Problem) bool { return p.Layer == "capture" }); i < 0 ||
				!slices.Equal(p[i].Frames, []FrameRef{{File: 0, Frame: damageFrame}}) {
				t.Errorf("capture problem frames: %+v, want frame %d", p, damageFrame)
			}
		})
	}
}

// TestDamagedWithIntact gives Run a damaged and an intact capture: the
// intact one is decoded completely, as if alone.
func TestDamagedWithIntact(t *testing.T) {
	alone, _ := runFile(t, publicPath(damagedPcapNG))
	bad := writeDamaged(t, damagedPcap, func(b []byte) []byte { return b[:len(b)-7] })
	r := &recorder{}
	s, err := Run([]string{bad, publicPath(damagedPcapNG)}, Options{}, r.handle)
	if err != nil {
		t.Fatalf("Run error: %v", err)
	}
	if s.Files[0].Err == "" || s.Files[1].Err != "" {
		t.Errorf("file errors %q, %q, want only the first", s.Files[0].Err, s.Files[1].Err)
	}
	if got, want := linesBefore(r, 1, 1<<62), linesBefore(alone, 0, 1<<62); !slices.Equal(got, want) {
		t.Errorf("intact file: %d events, want %d as when decoded alone", len(got), len(want))
	}
	if s.Files[1].Packets != 460 {
		t.Errorf("intact file packets = %d, want 460", s.Files[1].Packets)
	}
}

func TestRunUnreadable(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.pcap")
	notCapture := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notCapture, []byte("not a capture file at all\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &recorder{}
	s, err := Run([]string{missing, notCapture, craftedPath("sll2-stun.pcap")}, Options{}, r.handle)
	if err != nil {
		t.Fatalf("Run with one readable file: error %v, want nil", err)
	}
	if s.Files[0].Err == "" || s.Files[1].Err == "" || s.Files[2].Err != "" {
		t.Errorf("file errors %q, %q, %q, want the first two only", s.Files[0].Err, s.Files[1].Err, s.Files[2].Err)
	}
	if got := problemCount(s, "capture", "could not be read"); got != 2 {
		t.Errorf("unreadable-file problems = %d, want 2", got)
	}
	if len(r.evs) != 49 || r.evs[0].File != 2 {
		t.Errorf("events = %d from file %d, want 49 from file 2", len(r.evs), r.evs[0].File)
	}
	if _, err := Run([]string{missing, notCapture}, Options{}, nil); err == nil {
		t.Errorf("Run with no readable file: error nil, want one")
	}
	if _, err := Run(nil, Options{}, nil); err == nil {
		t.Errorf("Run with no files: error nil, want one")
	}
}
