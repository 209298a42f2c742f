package decode

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/icediag/icediag/decode/capfile"
	"github.com/icediag/icediag/decode/synth"
)

// decTTL returns a copy of an IP packet as the next router forwards it: TTL
// (or hop limit) one less and, for IPv4, the header checksum rewritten.
func decTTL(ip []byte) []byte {
	c := append([]byte(nil), ip...)
	if c[0]>>4 == 6 {
		c[7]--
		return c
	}
	c[8]--
	ihl := int(c[0]&0x0F) * 4
	c[10], c[11] = 0, 0
	var sum uint32
	for i := 0; i < ihl; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(c[i:]))
	}
	for sum > 0xFFFF {
		sum = sum>>16 + sum&0xFFFF
	}
	binary.BigEndian.PutUint16(c[10:], ^uint16(sum))
	return c
}

func TestDedup(t *testing.T) {
	check := synth.UDP(client, peer, bindingRequest("dedup-1"))
	other := synth.UDP(client, peer, bindingRequest("dedup-2"))
	check6 := synth.UDP(ap("[2001:db8:1::20]:50000"), ap("[2001:db8:2::50]:50010"), bindingRequest("dedup-6"))
	at := func(d time.Duration, ip []byte) frame { return frame{LinkEthernet, captureStart.Add(d), eth(ip)} }
	tests := []struct {
		name     string
		opt      Options
		frames   []frame
		wantSTUN uint64
		wantDups uint64
	}{
		{"same packet 200µs later", Options{}, []frame{at(0, check), at(200*time.Microsecond, check)}, 1, 1},
		{"same packet exactly 1 ms later", Options{}, []frame{at(0, check), at(time.Millisecond, check)}, 1, 1},
		{"STUN retransmission 250 ms later", Options{}, []frame{at(0, check), at(250*time.Millisecond, check)}, 2, 0},
		{"TTL decremented copy", Options{}, []frame{at(0, check), at(50*time.Microsecond, decTTL(check))}, 1, 1},
		{"hop limit decremented IPv6 copy", Options{}, []frame{at(0, check6), at(50*time.Microsecond, decTTL(check6))}, 1, 1},
		{"copy seen before the original (merged interfaces)", Options{}, []frame{at(300*time.Microsecond, check), at(0, check)}, 1, 1},
		{"different checks 10µs apart", Options{}, []frame{at(0, check), at(10*time.Microsecond, other)}, 2, 0},
		{"same packet on another VLAN", Options{}, []frame{at(0, check), {LinkEthernet, captureStart.Add(10 * time.Microsecond), eth(check, 20)}}, 1, 1},
		{"removal disabled", Options{DedupWindow: -1}, []frame{at(0, check), at(200*time.Microsecond, check)}, 2, 0},
		{"wider window", Options{DedupWindow: time.Second}, []frame{at(0, check), at(250*time.Millisecond, check)}, 1, 1},
	}
	for _, tc := range tests {
		for _, inPlace := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/in place %v", tc.name, inPlace), func(t *testing.T) {
				r, s := feedFile(t, tc.opt, inPlace, tc.frames)
				if got := s.EventCount(KindSTUN); got != tc.wantSTUN {
					t.Errorf("EventCount(STUN) = %d, want %d", got, tc.wantSTUN)
				}
				if s.Duplicates != tc.wantDups {
					t.Errorf("Duplicates = %d, want %d", s.Duplicates, tc.wantDups)
				}
				if len(r.evs) > 0 && r.evs[0].Frame != 1 {
					t.Errorf("first event in frame %d, want 1 (the copy is the one dropped)", r.evs[0].Frame)
				}
			})
		}
	}
}

// feedFile is feed with the frames' bytes marked as staying in place for
// the run (as a mapped capture file's do) or not.
func feedFile(t *testing.T, o Options, inPlace bool, frames []frame) (*recorder, *Stats) {
	t.Helper()
	r := &recorder{}
	d := New(r.handle, o)
	d.inPlace = []bool{inPlace}
	for i, f := range frames {
		d.Decode(0, &capfile.Packet{Data: f.data, Timestamp: f.t, CaptureLength: len(f.data),
			Length: len(f.data), LinkType: f.link, Frame: uint64(i + 1)})
	}
	d.Finish()
	return r, d.Stats()
}

// TestDedupAcrossFiles: a capture and a gzip copy of it, merged, are one
// capture seen twice, whether the plain file is mapped (its packets kept
// in place, the gzip copy's hashed) or everything is read ahead (hashed).
func TestDedupAcrossFiles(t *testing.T) {
	plain, _ := copiesCapture(t)
	gz := filepath.Join(t.TempDir(), "copies.pcap.gz")
	var zb bytes.Buffer
	z := gzip.NewWriter(&zb)
	if _, err := z.Write(mustReadFile(t, plain)); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(gz, zb.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// 7 frames with 4 copies among them, twice: 3 distinct packets.
	_, seq, err := sequentialRun(t, []string{plain, gz})
	if err != nil || seq.Duplicates != 11 {
		t.Errorf("sequential: Duplicates = %d (%v), want 11", seq.Duplicates, err)
	}
	samePipelined(t, plain, gz)
}

func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDedupKeepsDistinctPackets checks that the fragments of one datagram,
// captured back to back, are not mistaken for copies of each other.
func TestDedupKeepsDistinctPackets(t *testing.T) {
	invite := synth.UDP(sipUA, sipProxy, sipMessage("INVITE", 3000))
	frags := synth.Fragment(invite, 1500)
	r, s := feed(t, Options{}, ethFrames(10*time.Microsecond, frags...))
	if s.Duplicates != 0 || len(r.ofKind(KindSIP)) != 1 {
		t.Errorf("fragments 10µs apart: Duplicates = %d, SIP events = %d, want 0, 1", s.Duplicates, len(r.ofKind(KindSIP)))
	}
}

// TestDedupPipelined: a capture with copies of packets (as from a SPAN
// port) gives the same events and duplicate count in a pipelined run as in
// a sequential one.
func TestDedupPipelined(t *testing.T) {
	path, n := copiesCapture(t)
	samePipelined(t, path)
	if _, s, _ := pipelinedRun(t, []string{path}); s.Duplicates != n {
		t.Errorf("pipelined Duplicates = %d, want %d", s.Duplicates, n)
	}
}

// copiesCapture writes a capture of 7 frames, 4 of them copies of earlier
// ones (a TTL-decremented copy, one on another VLAN, IPv6 ones), and
// returns its path and the number of copies.
func copiesCapture(t *testing.T) (string, uint64) {
	t.Helper()
	check := synth.UDP(client, peer, bindingRequest("dedup-p1"))
	other := synth.UDP(client, peer, bindingRequest("dedup-p2"))
	check6 := synth.UDP(ap("[2001:db8:1::20]:50000"), ap("[2001:db8:2::50]:50010"), bindingRequest("dedup-p6"))
	var buf bytes.Buffer
	w, err := capfile.NewPcapWriter(&buf, LinkEthernet, 0, true, binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	frames := [][]byte{eth(check), eth(decTTL(check)), eth(other), eth(check, 20), eth(check6), eth(decTTL(check6)), eth(other)}
	for i, f := range frames {
		if err := w.WritePacket(captureStart.Add(time.Duration(i)*100*time.Microsecond), f, len(f)); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "copies.pcap")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, 4
}
