package decode

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/icediag/icediag/decode/capfile"
	"github.com/icediag/icediag/decode/synth"
)

// fuzzLinks are the link types a fuzz input can pick with its first byte.
var fuzzLinks = []uint16{LinkEthernet, LinkSLL, LinkSLL2, LinkNull, LinkLoop, LinkRaw, LinkIPv4, LinkIPv6}

// fuzzHang is how long one fuzz input may take before it counts as a hang.
const fuzzHang = 10 * time.Second

// fuzzInput encodes frames of one link type as a fuzz input: the link
// index, then each frame as a big-endian u16 length and its bytes.
func fuzzInput(link uint16, frames ...[]byte) []byte {
	b := []byte{byte(slices.Index(fuzzLinks, link))}
	for _, f := range frames {
		b = binary.BigEndian.AppendUint16(b, uint16(len(f)))
		b = append(b, f...)
	}
	return b
}

// fuzzFrames splits a fuzz input back into frames; a length running past
// the end takes what is left.
func fuzzFrames(in []byte) (uint16, [][]byte) {
	if len(in) == 0 {
		return LinkEthernet, nil
	}
	link := fuzzLinks[int(in[0])%len(fuzzLinks)]
	var frames [][]byte
	for b := in[1:]; len(b) >= 2; {
		n := min(int(binary.BigEndian.Uint16(b)), len(b)-2)
		frames = append(frames, b[2:2+n])
		b = b[2+n:]
	}
	return link, frames
}

// captureSeeds returns fuzz seeds from a capture: its first frames one by
// one, and its first frames in sequence so that TCP state builds up.
func captureSeeds(path string) [][]byte {
	f, err := capfile.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var seeds [][]byte
	var seq [][]byte
	var link uint16
	var p capfile.Packet
	for i := 0; i < 16 && f.Next(&p) == nil; i++ {
		if slices.Index(fuzzLinks, p.LinkType) < 0 || len(p.Data) > 0xFFFF {
			continue
		}
		data := append([]byte(nil), p.Data...)
		if i < 4 {
			seeds = append(seeds, fuzzInput(p.LinkType, data))
		}
		if len(seq) == 0 {
			link = p.LinkType
		}
		if p.LinkType == link {
			seq = append(seq, data)
		}
	}
	if len(seq) > 1 {
		seeds = append(seeds, fuzzInput(link, seq...))
	}
	return seeds
}

// FuzzDecodeFrame feeds arbitrary bytes to a Decoder as a sequence of frames
// of one link type. The decoder must not panic, and its counters must stay
// consistent with what it delivered.
func FuzzDecodeFrame(f *testing.F) {
	for _, dir := range []string{filepath.Join("..", "pcaps", "crafted"), filepath.Join("..", "pcaps", "public")} {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			for _, s := range captureSeeds(filepath.Join(dir, e.Name())) {
				f.Add(s)
			}
		}
	}
	v4 := synth.UDP(client, turnSrv, synth.ChannelData(0x4000, rtpPacket(1), false))
	v6 := synth.UDP(ap("[2001:db8:1::20]:50000"), ap("[2001:db8:2::50]:50010"), bindingRequest("fuzz"))
	f.Add(fuzzInput(LinkSLL, synth.SLL(v4, synth.PacketHost)))
	f.Add(fuzzInput(LinkSLL2, synth.SLL2(v6, 2, synth.PacketHost)))
	f.Add(fuzzInput(LinkNull, synth.Null(v6)))
	f.Add(fuzzInput(LinkRaw, synth.Fragment(synth.UDP(sipUA, sipProxy, sipMessage("INVITE", 3000)), 1000)...))
	f.Add(fuzzInput(LinkEthernet, eth(ipv4(tunA, tunB, 47, gre(0x1000, 0x22EB, erspan3(true, eth(v4)))))))
	f.Fuzz(func(t *testing.T, in []byte) {
		// The fuzzing engine does not report inputs that hang; crash the
		// worker instead so that the input is saved as a failure.
		watchdog := time.AfterFunc(fuzzHang, func() { panic("decoding did not finish within " + fuzzHang.String()) })
		defer watchdog.Stop()
		link, frames := fuzzFrames(in)
		var events, relayed uint64
		d := New(func(ev *Event) {
			events++
			if ev.Relay != nil {
				relayed++
			}
		}, Options{})
		for i, fr := range frames {
			d.Decode(0, &capfile.Packet{Data: fr, Timestamp: captureStart.Add(time.Duration(i) * 700 * time.Millisecond),
				CaptureLength: len(fr), Length: len(fr), LinkType: link, Frame: uint64(i + 1)})
		}
		d.Finish()
		s := d.Stats()
		var counted uint64
		for _, n := range s.Events {
			counted += n
		}
		if counted != events || s.Relayed != relayed || s.Packets != uint64(len(frames)) {
			t.Errorf("Stats: %d events, %d relayed, %d packets; handler saw %d, %d of %d frames",
				counted, s.Relayed, s.Packets, events, relayed, len(frames))
		}
	})
}
