package callgen

import (
	"bytes"
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/decode/capfile"
)

// small is a configuration of short calls that fits in a few megabytes.
func small(seed uint64, size int64) Config {
	return Config{Seed: seed, Size: size, CallLength: 8 * time.Second, CallGap: 150 * time.Millisecond}
}

// generate writes a capture in memory.
func generate(tb testing.TB, c Config) ([]byte, Summary) {
	tb.Helper()
	var buf bytes.Buffer
	sum, err := Write(&buf, c)
	if err != nil {
		tb.Fatalf("Write(%+v) = %v", c, err)
	}
	if sum.Bytes != int64(buf.Len()) {
		tb.Fatalf("Write(%+v) reported %d bytes, wrote %d", c, sum.Bytes, buf.Len())
	}
	return buf.Bytes(), sum
}

// decodeAll runs the decoder over a capture held in memory and checks that
// capture times never go back.
func decodeAll(tb testing.TB, data []byte) *decode.Stats {
	tb.Helper()
	f, err := capfile.NewReader("bench", bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	d := decode.New(nil, decode.Options{})
	var p capfile.Packet
	var last time.Time
	for f.Next(&p) == nil {
		if p.Timestamp.Before(last) {
			tb.Fatalf("frame %d at %v is before the previous frame at %v", p.Frame, p.Timestamp, last)
		}
		last = p.Timestamp
		d.Decode(0, &p)
	}
	d.Finish()
	return d.Stats()
}

// checkCounts compares what the decoder delivered with what was generated.
func checkCounts(tb testing.TB, sum Summary, st *decode.Stats) {
	tb.Helper()
	for _, p := range st.Problems() {
		tb.Errorf("decode problem %s/%s x%d at %v", p.Layer, p.Reason, p.Count, p.Frames)
	}
	tests := []struct {
		what      string
		got, want uint64
	}{
		{"frames", st.Packets, uint64(sum.Frames)},
		{"SIP", st.EventCount(decode.KindSIP), uint64(sum.SIP)},
		{"STUN", st.EventCount(decode.KindSTUN), uint64(sum.STUN)},
		{"RTP", st.EventCount(decode.KindRTP), uint64(sum.RTP)},
		{"RTCP", st.EventCount(decode.KindRTCP), uint64(sum.RTCP)},
		{"TCP control", st.EventCount(decode.KindTCPControl), uint64(sum.TCPControl)},
		{"relayed payloads", st.RelayedPayloads, uint64(sum.Relayed)},
		{"duplicates", st.Duplicates, 0},
		{"other payloads", st.OtherPayloads, 0},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			tb.Errorf("decoded %s = %d, want %d", tt.what, tt.got, tt.want)
		}
	}
}

func TestDecodeCounts(t *testing.T) {
	for _, seed := range []uint64{0, 7, 1 << 40} {
		t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) {
			data, sum := generate(t, small(seed, 6<<20))
			for p, n := range sum.Calls {
				if n == 0 {
					t.Errorf("Write(seed %d) made no %v call: %+v", seed, Path(p), sum)
				}
			}
			if sum.RTP < sum.Frames/2 {
				t.Errorf("Write(seed %d): %d RTP packets in %d frames, want mostly RTP", seed, sum.RTP, sum.Frames)
			}
			checkCounts(t, sum, decodeAll(t, data))
		})
	}
}

func TestDeterministic(t *testing.T) {
	tests := []struct {
		name string
		a, b Config
		same bool
	}{
		{"same seed", small(3, 1<<20), small(3, 1<<20), true},
		{"other seed", small(3, 1<<20), small(4, 1<<20), false},
		{"other start", small(3, 1<<20), Config{Seed: 3, Size: 1 << 20, CallLength: 8 * time.Second,
			CallGap: 150 * time.Millisecond, Start: DefaultStart.Add(time.Hour)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := generate(t, tt.a)
			b, _ := generate(t, tt.b)
			if same := sha256.Sum256(a) == sha256.Sum256(b); same != tt.same {
				t.Errorf("Write(%+v) and Write(%+v) equal = %v, want %v", tt.a, tt.b, same, tt.same)
			}
		})
	}
}

func TestSize(t *testing.T) {
	tests := []struct {
		cfg      Config
		min, max int64
	}{
		{small(1, 2<<20), 2 << 20 * 8 / 10, 2 << 20 * 12 / 10},
		{small(1, 12<<20), 12 << 20 * 9 / 10, 12 << 20 * 11 / 10},
		// Default calls of about a minute: one call is the whole capture.
		{Config{Seed: 1, Size: 1}, 1, 6 << 20},
	}
	for _, tt := range tests {
		t.Run(strconv.FormatInt(tt.cfg.Size, 10), func(t *testing.T) {
			_, sum := generate(t, tt.cfg)
			if sum.Bytes < tt.min || sum.Bytes > tt.max {
				t.Errorf("Write(%+v) wrote %d bytes, want %d-%d", tt.cfg, sum.Bytes, tt.min, tt.max)
			}
		})
	}
}

// TestTshark checks that Wireshark reads every frame and finds the same SIP
// messages, and that its only complaints are about MS-TURN's unpadded
// attributes (MS-REFERENCE §1.3 rule 5).
func TestTshark(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed")
	}
	data, sum := generate(t, small(11, 3<<20))
	path := filepath.Join(t.TempDir(), "bench.pcap")
	if err := writeFile(path, data); err != nil {
		t.Fatal(err)
	}
	frames := tsharkLines(t, tshark, path, "", "frame.number", "sip.CSeq")
	if len(frames) != sum.Frames {
		t.Errorf("tshark read %d frames, want %d", len(frames), sum.Frames)
	}
	sip := 0
	for _, f := range frames {
		if f[1] != "" {
			sip++
		}
	}
	// Warnings and errors (expert severities warn 0x600000, error 0x800000).
	for _, f := range tsharkLines(t, tshark, path, "_ws.expert.severity >= 0x600000", "frame.number", "ip.src", "ip.dst", "_ws.expert.message") {
		msturn := f[1] == edgeAddr.String() || f[2] == edgeAddr.String()
		if !msturn || f[3] != "Packet length is not multiple of 4 bytes" {
			t.Errorf("tshark frame %s (%s -> %s): %s", f[0], f[1], f[2], f[3])
		}
	}
	if sip != sum.SIP {
		t.Errorf("tshark found %d SIP messages, want %d", sip, sum.SIP)
	}
}

func writeFile(path string, data []byte) error { return os.WriteFile(path, data, 0o644) }

// tsharkLines runs tshark over path with a display filter and returns the
// given fields of each frame.
func tsharkLines(t *testing.T, tshark, path, filter string, fields ...string) [][]string {
	t.Helper()
	args := []string{"-n", "-r", path, "-T", "fields"}
	if filter != "" {
		args = append(args, "-Y", filter)
	}
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	out, err := exec.Command(tshark, args...).Output()
	if err != nil {
		t.Fatalf("tshark %v: %v", args, err)
	}
	var lines [][]string
	for _, l := range strings.Split(string(out), "\n") {
		if l == "" {
			continue
		}
		f := strings.Split(l, "\t")
		if len(f) != len(fields) {
			t.Fatalf("tshark line %q: want %d fields", l, len(fields))
		}
		lines = append(lines, f)
	}
	return lines
}

// FuzzWrite generates small captures from arbitrary configurations and
// checks that the decoder reads them without a problem and delivers exactly
// the messages the Summary counts.
func FuzzWrite(f *testing.F) {
	f.Add(uint64(0), uint16(256), uint8(8), uint16(150))
	f.Add(uint64(7), uint16(1024), uint8(2), uint16(10))
	f.Add(uint64(1<<40), uint16(64), uint8(30), uint16(2000))
	f.Fuzz(func(t *testing.T, seed uint64, sizeKB uint16, lengthS uint8, gapMS uint16) {
		c := Config{
			Seed:       seed,
			Size:       int64(sizeKB%1024+1) << 10,
			CallLength: time.Duration(lengthS%30+1) * time.Second,
			CallGap:    time.Duration(gapMS%5000+1) * time.Millisecond,
		}
		data, sum := generate(t, c)
		checkCounts(t, sum, decodeAll(t, data))
	})
}
