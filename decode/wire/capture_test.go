package wire

import (
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// datagram is one transport payload extracted from a capture.
type datagram struct {
	Frame   int
	Proto   string // "udp" or "tcp"
	Payload []byte
}

// readCapture returns the UDP and TCP payloads of a pcap or pcapng file, by
// frame number (1-based, as tshark counts).
func readCapture(t testing.TB, path string) []datagram {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	recs, err := splitCapture(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []datagram
	for i, r := range recs {
		if d, ok := transportPayload(r.data, r.link); ok {
			d.Frame = i + 1
			out = append(out, d)
		}
	}
	return out
}

// transportPayload returns the UDP or TCP payload of one frame.
func transportPayload(data []byte, link layers.LinkType) (datagram, bool) {
	p := gopacket.NewPacket(data, link, gopacket.DecodeOptions{Lazy: true, NoCopy: true})
	if u, ok := p.Layer(layers.LayerTypeUDP).(*layers.UDP); ok {
		return datagram{Proto: "udp", Payload: u.Payload}, len(u.Payload) > 0
	}
	if tc, ok := p.Layer(layers.LayerTypeTCP).(*layers.TCP); ok {
		return datagram{Proto: "tcp", Payload: tc.Payload}, len(tc.Payload) > 0
	}
	return datagram{}, false
}

// loadFixture reads testdata/frames/<name>.txt: "frame proto hex" lines.
func loadFixture(t testing.TB, name string) []datagram {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "frames", name+".txt"))
	if err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	var out []datagram
	for i, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("%s line %d: %d fields, want 3", name, i+1, len(f))
		}
		frame, err1 := strconv.Atoi(f[0])
		payload, err2 := hex.DecodeString(f[2])
		if err1 != nil || err2 != nil {
			t.Fatalf("%s line %d: bad frame or hex", name, i+1)
		}
		out = append(out, datagram{Frame: frame, Proto: f[1], Payload: payload})
	}
	return out
}

// loadTshark reads testdata/tshark/<name>.tsv into rows keyed by frame
// number; each row maps a field name to its raw tshark value.
func loadTshark(t testing.TB, name string) map[int]map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "tshark", name+".tsv"))
	if err != nil {
		t.Fatalf("tshark fixture %s: %v", name, err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	var header []string
	rows := map[int]map[string]string{}
	for _, line := range lines {
		if strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if header == nil {
			header = cols
			continue
		}
		row := map[string]string{}
		for i, c := range cols {
			if i < len(header) {
				row[header[i]] = c
			}
		}
		frame, err := strconv.Atoi(row["frame.number"])
		if err != nil {
			t.Fatalf("%s: bad frame number %q", name, row["frame.number"])
		}
		rows[frame] = row
	}
	return rows
}

// first returns the first comma-separated occurrence of a tshark field.
func first(v string) string {
	if i := strings.IndexByte(v, ','); i >= 0 {
		return v[:i]
	}
	return v
}
