package wire

import "testing"

// TestZeroAllocs proves that the per-packet decoders allocate nothing, on
// success and on failure (errors are preallocated).
func TestZeroAllocs(t *testing.T) {
	msAlloc := fixtureFrame(t, teams, 1245).Payload
	binding := fixtureFrame(t, teams, 1404).Payload
	mux := fixtureFrame(t, teams, 1424).Payload
	rtp := []byte{0x90, 0x08, 0, 1, 0, 0, 0, 0xa0, 1, 2, 3, 4, 0xbe, 0xde, 0, 1, 1, 2, 3, 4, 9}
	rtcp := []byte{0x80, 201, 0, 1, 1, 2, 3, 4, 0x80, 202, 0, 0}
	hello := pseudoTLSServer(7)
	bad := stunMsg(0x0101, true, []byte{0, 1, 0xff, 0xff, 0, 1, 0x11, 0xfc})
	var (
		m   STUN
		cd  ChannelData
		x   MuxTURN
		f   MSFrame
		r   RTP
		rc  RTCP
		h   TLSHello
		buf = make([]byte, 0, 64)
		cdb = []byte{0x40, 0, 0, 0}
		mfb = []byte{2, 0, 0, 0}
	)
	m.Attrs = make([]Attr, 0, MaxAttrs)
	tests := []struct {
		name string
		fn   func()
	}{
		{"STUN MS-TURN", func() { _ = m.Decode(msAlloc); _ = m.Name(); _ = Reason(m.Decode(bad)) }},
		{"STUN binding", func() { _ = m.Decode(binding); buf = m.AppendTxID(buf[:0]) }},
		{"Classify", func() { _ = Classify(binding); _ = Classify(mux); _ = Classify(rtp); _ = IsSTUN(msAlloc) }},
		{"MuxTURN", func() { _ = x.Decode(mux) }},
		{"ChannelData", func() { _ = cd.Decode(cdb) }},
		{"MSFrame", func() { _ = f.Decode(mfb) }},
		{"RTP", func() { _ = r.Decode(rtp) }},
		{"RTCP", func() { _ = rc.Decode(rtcp) }},
		{"TLSHello", func() { _ = h.Decode(hello) }},
		{"AttrName", func() { _ = AttrName(0x0014, DialectMSTURN) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := testing.AllocsPerRun(100, tt.fn); n != 0 {
				t.Errorf("%s: %v allocations per run, want 0", tt.name, n)
			}
		})
	}
}

func BenchmarkSTUNDecode(b *testing.B) {
	for _, frame := range []int{1245, 1404, 1416} {
		msg := fixtureFrame(b, teams, frame).Payload
		b.Run(map[int]string{1245: "ms-allocate-error", 1404: "ice-binding", 1416: "ms-data-indication"}[frame], func(b *testing.B) {
			var m STUN
			b.ReportAllocs()
			b.SetBytes(int64(len(msg)))
			for b.Loop() {
				if err := m.Decode(msg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRTPDecode(b *testing.B) {
	pkt := []byte{0x80, 0x08, 0, 1, 0, 0, 0, 0xa0, 0xd2, 0xbd, 0x4e, 0x3e, 1, 2, 3, 4}
	var r RTP
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Decode(pkt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClassify(b *testing.B) {
	pkt := fixtureFrame(b, teams, 1404).Payload
	b.ReportAllocs()
	for b.Loop() {
		_ = Classify(pkt)
	}
}
