package wire

import (
	"bytes"
	"testing"
)

// seedFrames adds every fixture payload (and what it wraps) to a corpus.
func seedFrames(f *testing.F) {
	f.Helper()
	for _, name := range append(append([]string{}, stunCaptures...), mediaCaptures...) {
		for _, d := range loadFixture(f, name) {
			f.Add(d.Payload)
			if msg, ch := unwrapSTUN(d); ch != 0 {
				f.Add(msg)
			}
		}
	}
	for _, tt := range rfc5769 {
		f.Add(mustHex(f, tt.hex))
	}
	f.Add(pseudoTLSClient(1))
	f.Add(pseudoTLSServer(2))
	for _, d := range loadFixture(f, "ntop-nDPI__teams.pcap.tls") {
		f.Add(d.Payload)
	}
}

func FuzzSTUNDecode(f *testing.F) {
	seedFrames(f)
	var m STUN
	f.Fuzz(func(t *testing.T, b []byte) {
		err := m.Decode(b)
		_ = m.Name()
		if id := m.AppendTxID(nil); len(b) >= 20 && len(id) != 24 && len(id) != 32 {
			t.Fatalf("AppendTxID = %q, want 24 or 32 hex digits", id)
		}
		if err != nil {
			_ = Reason(err)
			return
		}
		if len(m.Raw) != 20+int(m.Length) || len(m.Attrs) > MaxAttrs {
			t.Fatalf("Decode(%x): %d raw bytes for length %d, %d attributes", b, len(m.Raw), m.Length, len(m.Attrs))
		}
		for _, a := range m.Attrs {
			if a.Offset < 20 || a.Offset+4+len(a.Value) > len(m.Raw) || !bytes.Equal(m.Raw[a.Offset+4:a.Offset+4+len(a.Value)], a.Value) {
				t.Fatalf("Decode(%x): attribute %#04x at %d outside the message", b, a.Type, a.Offset)
			}
		}
		m.VerifyIntegrity([]byte("key"))
		if !IsSTUN(m.Raw) && m.Dialect != DialectClassic {
			t.Fatalf("Decode(%x) ok in dialect %v but IsSTUN false", b, m.Dialect)
		}
	})
}

func FuzzChannelData(f *testing.F) {
	seedFrames(f)
	var c ChannelData
	f.Fuzz(func(t *testing.T, b []byte) {
		if c.Decode(b) != nil {
			return
		}
		if int(c.Length) != len(c.Data) || c.Channel < 0x4000 || c.Channel > 0x7FFF {
			t.Fatalf("Decode(%x) = channel %#04x, length %d, %d data bytes", b, c.Channel, c.Length, len(c.Data))
		}
		if n, ok := ChannelDataSize(b, true); !ok || n < 4+len(c.Data) || n%4 != 0 {
			t.Fatalf("ChannelDataSize(%x, true) = %d, %v", b, n, ok)
		}
	})
}

func FuzzMuxTURN(f *testing.F) {
	seedFrames(f)
	var x MuxTURN
	f.Fuzz(func(t *testing.T, b []byte) {
		if x.Decode(b) != nil {
			return
		}
		if Classify(b) != ContentMuxTURN || 12+len(x.Data) > len(b) {
			t.Fatalf("Decode(%x) ok but Classify = %v, %d data bytes", b, Classify(b), len(x.Data))
		}
	})
}

func FuzzMSFrame(f *testing.F) {
	seedFrames(f)
	f.Add([]byte{2, 0, 0, 4, 1, 2, 3, 4})
	var fr MSFrame
	f.Fuzz(func(t *testing.T, b []byte) {
		err := fr.Decode(b)
		n, ok := MSFrameSize(b)
		if err == nil && (!ok || n != 4+len(fr.Payload) || n > len(b)) {
			t.Fatalf("Decode(%x) ok with %d payload bytes, MSFrameSize = %d, %v", b, len(fr.Payload), n, ok)
		}
	})
}

func FuzzTLSHello(f *testing.F) {
	seedFrames(f)
	var h TLSHello
	f.Fuzz(func(t *testing.T, b []byte) {
		if h.Decode(b) != nil {
			return
		}
		if len(h.SNI) > len(b) || (h.PseudoTLS && !IsPseudoTLSClientHello(b) && !IsPseudoTLSServerHello(b)) {
			t.Fatalf("Decode(%x) = %+v", b, h)
		}
	})
}

func FuzzRTP(f *testing.F) {
	seedFrames(f)
	var r RTP
	f.Fuzz(func(t *testing.T, b []byte) {
		if r.Decode(b) != nil {
			return
		}
		if r.Version != 2 || r.HeaderLen < 12 || r.HeaderLen > len(b) {
			t.Fatalf("Decode(%x) = %+v", b, r)
		}
	})
}

func FuzzRTCP(f *testing.F) {
	seedFrames(f)
	var r RTCP
	f.Fuzz(func(t *testing.T, b []byte) {
		if r.Decode(b) != nil {
			return
		}
		if r.Count < 1 || r.Trailing > 3 || r.FirstType != r.Types[0] {
			t.Fatalf("Decode(%x) = %+v", b, r)
		}
	})
}

func FuzzClassify(f *testing.F) {
	seedFrames(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		c := Classify(b)
		_ = c.String()
		if c == ContentSTUN && !IsSTUN(b) {
			t.Fatalf("Classify(%x) = stun but IsSTUN false", b)
		}
		if c == ContentChannelData {
			var cd ChannelData
			if err := cd.Decode(b); err != nil {
				t.Fatalf("Classify(%x) = channeldata but Decode = %v", b, err)
			}
		}
	})
}
