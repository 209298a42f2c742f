package redact

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/icediag/icediag/decode/capfile"
)

// seedFrames adds up to max frames of every crafted capture in pcaps/
// (pcaps/README.md) to a fuzz corpus, with their link types.
func seedFrames(f *testing.F, max int) {
	f.Helper()
	paths, _ := filepath.Glob(filepath.Join("..", "..", "pcaps", "crafted", "*.pcap*"))
	for _, path := range paths {
		c, err := capfile.Open(path)
		if err != nil {
			f.Fatal(err)
		}
		var p capfile.Packet
		for n := 0; n < max && c.Next(&p) == nil; n++ {
			f.Add(p.LinkType, bytes.Clone(p.Data))
		}
		c.Close()
	}
}

// FuzzPacketRewriter feeds arbitrary frames to the packet rewriter, once
// prepared (stream and fragment context) and once on their own: it must
// never panic and never change a frame's length.
func FuzzPacketRewriter(f *testing.F) {
	seedFrames(f, 40)
	r := New([]byte("fuzz"))
	f.Fuzz(func(t *testing.T, link uint16, frame []byte) {
		p := r.NewPacketRewriter([]string{"abcdefghijklmnopqrstuv"})
		p.Prepare(link, frame)
		b := bytes.Clone(frame)
		p.Rewrite(link, b)
		if len(b) != len(frame) {
			t.Fatalf("Rewrite changed the length from %d to %d", len(frame), len(b))
		}
		c := bytes.Clone(frame)
		r.Packet(link, c)
		if len(c) != len(frame) {
			t.Fatalf("Packet changed the length from %d to %d", len(frame), len(c))
		}
	})
}

// FuzzParseFrame checks that the frame parser never panics and that what
// it reports lies within the frame.
func FuzzParseFrame(f *testing.F) {
	seedFrames(f, 10)
	f.Fuzz(func(t *testing.T, link uint16, frame []byte) {
		var fr Frame
		if ParseFrame(link, frame, &fr) != nil {
			return
		}
		for i := 0; i < fr.NIPs; i++ {
			l := fr.IPs[i]
			if l.Off < 0 || l.Payload < l.Off || l.End < l.Payload || l.End > len(frame) {
				t.Fatalf("IP layer %d = %+v outside a frame of %d bytes", i, l, len(frame))
			}
		}
		if fr.L4 >= 0 && (fr.Payload < fr.L4 || fr.End < fr.Payload || fr.End > len(frame)) {
			t.Fatalf("transport %d [%d:%d] outside a frame of %d bytes", fr.L4, fr.Payload, fr.End, len(frame))
		}
		QuotedFlow(frame, &fr)
	})
}
