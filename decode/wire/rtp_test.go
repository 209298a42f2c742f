package wire

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// TestRTPMatchesTshark compares RTP and RTCP headers with tshark on the
// heplify call and the nDPI compound-RTCP capture.
func TestRTPMatchesTshark(t *testing.T) {
	for _, name := range mediaCaptures {
		t.Run(name, func(t *testing.T) {
			rows := loadTshark(t, name)
			n := 0
			for _, d := range loadFixture(t, name) {
				row := rows[d.Frame]
				if row == nil {
					continue
				}
				n++
				if row["rtcp.pt"] != "" {
					checkRTCP(t, d, row)
				} else {
					checkRTP(t, d, row)
				}
			}
			if n != len(rows) {
				t.Errorf("checked %d frames, tshark has %d", n, len(rows))
			}
		})
	}
}

func checkRTP(t *testing.T, d datagram, row map[string]string) {
	t.Helper()
	var r RTP
	if err := r.Decode(d.Payload); err != nil {
		t.Fatalf("frame %d: Decode = %v", d.Frame, err)
	}
	if Classify(d.Payload) != ContentRTP {
		t.Errorf("frame %d: Classify = %v, want rtp", d.Frame, Classify(d.Payload))
	}
	got := fmt.Sprintf("%d %d %d %d %d 0x%08x %d %d", r.Version, r.PayloadType, b2i(r.Marker), r.Seq, r.Timestamp, r.SSRC, r.CSRCCount, b2i(r.Extension))
	want := strings.Join([]string{row["rtp.version"], row["rtp.p_type"], row["rtp.marker"], row["rtp.seq"],
		row["rtp.timestamp"], row["rtp.ssrc"], row["rtp.cc"], row["rtp.ext"]}, " ")
	if got != want {
		t.Errorf("frame %d: RTP = %s, want %s", d.Frame, got, want)
	}
}

func checkRTCP(t *testing.T, d datagram, row map[string]string) {
	t.Helper()
	var r RTCP
	if err := r.Decode(d.Payload); err != nil {
		t.Fatalf("frame %d: Decode = %v", d.Frame, err)
	}
	if Classify(d.Payload) != ContentRTCP {
		t.Errorf("frame %d: Classify = %v, want rtcp", d.Frame, Classify(d.Payload))
	}
	pts := strings.Split(row["rtcp.pt"], ",")
	if r.Count != len(pts) {
		t.Errorf("frame %d: Count = %d, want %d", d.Frame, r.Count, len(pts))
	}
	for i, p := range pts {
		if want, _ := strconv.Atoi(p); i < len(r.Types) && int(r.Types[i]) != want {
			t.Errorf("frame %d: Types[%d] = %d, want %d", d.Frame, i, r.Types[i], want)
		}
	}
	if want := first(row["rtcp.senderssrc"]); fmt.Sprintf("0x%08x", r.SSRC) != want {
		t.Errorf("frame %d: SSRC = 0x%08x, want %s", d.Frame, r.SSRC, want)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestRTPDecodeErrors(t *testing.T) {
	base := []byte{0x80, 0x08, 0, 1, 0, 0, 0, 0xa0, 1, 2, 3, 4}
	tests := []struct {
		name string
		in   []byte
		err  error
		hdr  int
	}{
		{"minimal", base, nil, 12},
		{"short", base[:11], ErrTruncated, 0},
		{"version 1", append([]byte{0x40}, base[1:]...), ErrBadValue, 0},
		{"csrc past end", append([]byte{0x82}, base[1:]...), ErrTruncated, 0},
		{"extension", append(append([]byte{0x90}, base[1:]...), 0xbe, 0xde, 0, 1, 1, 2, 3, 4), nil, 20},
		{"extension past end", append(append([]byte{0x90}, base[1:]...), 0xbe, 0xde, 0, 2, 1, 2, 3, 4), ErrBadLength, 0},
		{"padding", append(append([]byte{0xa0}, base[1:]...), 9, 0, 2), nil, 12},
		{"padding too long", append(append([]byte{0xa0}, base[1:]...), 9, 0, 4), ErrBadLength, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r RTP
			err := r.Decode(tt.in)
			if !errors.Is(err, tt.err) || (err == nil && r.HeaderLen != tt.hdr) {
				t.Errorf("Decode(%x) = %v, HeaderLen %d; want %v, %d", tt.in, err, r.HeaderLen, tt.err, tt.hdr)
			}
		})
	}
}

func TestRTCPDecodeErrors(t *testing.T) {
	rr := []byte{0x80, 201, 0, 1, 1, 2, 3, 4}
	tests := []struct {
		name string
		in   []byte
		err  error
	}{
		{"receiver report", rr, nil},
		{"empty", nil, ErrTruncated},
		{"bad version", append([]byte{0x40}, rr[1:]...), ErrBadValue},
		{"bad type", append([]byte{0x80, 100}, rr[2:]...), ErrBadValue},
		{"length past end", append([]byte{0x80, 201, 0, 2}, rr[4:]...), ErrBadLength},
		{"trailing bytes (heplify frame 529)", append(append([]byte{}, rr...), 0, 0), nil},
		{"second header bad", append(append([]byte{}, rr...), 0x80, 201, 0, 5), ErrBadLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r RTCP
			if err := r.Decode(tt.in); !errors.Is(err, tt.err) {
				t.Errorf("Decode(%x) = %v, want %v", tt.in, err, tt.err)
			}
		})
	}
}
