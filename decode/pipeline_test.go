package decode

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/icediag/icediag/decode/capfile"
	"github.com/icediag/icediag/decode/synth"
	"github.com/icediag/icediag/decode/synth/callgen"
	"github.com/icediag/icediag/decode/wire"
)

// deliveries records what a run delivers: every event serialised in full
// (json follows the Relay, STUN, RTP, RTCP, TLS and ICMP pointers and
// writes every byte slice), and each Progress call with the number of
// events delivered before it.
type deliveries struct {
	t        *testing.T
	events   []string
	progress [][3]uint64
}

func (d *deliveries) handle(ev *Event) {
	d.events = append(d.events, serialize(d.t, ev))
}

// serialize writes ev in full. The time goes apart: a damaged capture can
// hold timestamps that encoding/json refuses (years past 9999).
func serialize(t *testing.T, ev *Event) string {
	c := *ev
	c.Time = time.Time{}
	b, err := json.Marshal(&c)
	if err != nil {
		t.Fatalf("json.Marshal(event) error: %v", err)
	}
	return fmt.Sprintf("%d %v %s", ev.Time.UnixNano(), ev.Time.Location(), b)
}

func (d *deliveries) mark(frames, bytes uint64) {
	d.progress = append(d.progress, [3]uint64{uint64(len(d.events)), frames, bytes})
}

// sequentialRun decodes paths on the calling goroutine only, as Run does
// with one processor.
func sequentialRun(t *testing.T, paths []string) (*deliveries, *Stats, error) {
	t.Helper()
	r := &deliveries{t: t}
	d := New(r.handle, Options{Progress: r.mark})
	err := d.RunFiles(paths)
	return r, d.Stats(), err
}

// pipelinedRun decodes paths with the reading goroutine beside the handler.
func pipelinedRun(t *testing.T, paths []string) (*deliveries, *Stats, error) {
	t.Helper()
	r := &deliveries{t: t}
	s, err := runPipelined(paths, Options{Progress: r.mark}, r.handle)
	return r, s, err
}

// samePipelined fails t unless the pipelined run of paths delivers exactly
// what the sequential run does: events, Progress calls, Stats and error.
func samePipelined(t *testing.T, paths ...string) {
	t.Helper()
	want, ws, werr := sequentialRun(t, paths)
	got, gs, gerr := pipelinedRun(t, paths)
	if i := firstDiff(got.events, want.events); i >= 0 {
		t.Fatalf("pipelined run of %v: event %d of %d/%d differs:\n got %s\nwant %s",
			paths, i, len(got.events), len(want.events), at(got.events, i), at(want.events, i))
	}
	if !slices.Equal(got.progress, want.progress) {
		t.Errorf("pipelined run of %v: Progress calls %v, want %v", paths, got.progress, want.progress)
	}
	if !reflect.DeepEqual(gs, ws) {
		t.Errorf("pipelined run of %v: Stats %+v, want %+v", paths, gs, ws)
	}
	if (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) {
		t.Errorf("pipelined run of %v: error %v, want %v", paths, gerr, werr)
	}
}

func firstDiff(a, b []string) int {
	for i := range max(len(a), len(b)) {
		if i >= len(a) || i >= len(b) || a[i] != b[i] {
			return i
		}
	}
	return -1
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "(none)"
}

// realCaptures returns every crafted and public capture of the repository.
func realCaptures(t *testing.T) []string {
	t.Helper()
	var paths []string
	for _, dir := range []string{filepath.Join("..", "pcaps", "crafted"), filepath.Join("..", "pcaps", "public")} {
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if !e.IsDir() && e.Name() != "README.md" {
				paths = append(paths, filepath.Join(dir, e.Name()))
			}
		}
	}
	return paths
}

// TestPipelineSameEvents: on every real capture, one at a time and all
// merged as one incident, the pipelined run delivers the sequential run's
// events byte for byte, with the same Stats.
func TestPipelineSameEvents(t *testing.T) {
	paths := realCaptures(t)
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) { samePipelined(t, p) })
	}
	t.Run("merged", func(t *testing.T) { samePipelined(t, paths...) })
	t.Run("missing file", func(t *testing.T) {
		samePipelined(t, filepath.Join(t.TempDir(), "none.pcap"), craftedPath("ok-edge-call.pcap"))
	})
	t.Run("no file readable", func(t *testing.T) { samePipelined(t, filepath.Join(t.TempDir(), "none.pcap")) })
}

// TestPipelineGenerated runs a generated capture of many calls (TURN and
// MS-TURN relays, SIP over TCP, RTP) large enough for several batches,
// arena refills and Progress calls.
func TestPipelineGenerated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "calls.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := callgen.Write(f, callgen.Config{Seed: 3, Size: 6 << 20}); err != nil {
		t.Fatalf("callgen.Write: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	samePipelined(t, path)
	got, _, _ := pipelinedRun(t, []string{path})
	if len(got.progress) < 2 || len(got.events) < 4*pipeBatchEvents {
		t.Errorf("generated capture: %d Progress calls, %d events; want several of each", len(got.progress), len(got.events))
	}
}

// TestPipelineCopiesEveryField guards copyEvent: a field added to Event or
// a byte slice added to wire.STUN or wire.TLSHello must be copied there
// too, or handlers would read the decoder's reused buffers.
func TestPipelineCopiesEveryField(t *testing.T) {
	tests := []struct {
		typ  reflect.Type
		want []string // fields that point into decoder memory
	}{
		{reflect.TypeFor[Event](), []string{"Relay", "Payload", "STUN", "RTP", "RTCP", "TLS", "ICMP", "SNI"}},
		{reflect.TypeFor[wire.STUN](), []string{"Raw", "Attrs", "Username", "Realm", "Nonce", "Software", "ErrorReason", "Data", "MSCandidateID"}},
		{reflect.TypeFor[wire.Attr](), []string{"Value"}},
		{reflect.TypeFor[wire.TLSHello](), []string{"SNI"}},
		{reflect.TypeFor[Relay](), nil},
		{reflect.TypeFor[ICMPInfo](), nil},
		{reflect.TypeFor[wire.RTP](), nil},
		{reflect.TypeFor[wire.RTCP](), nil},
	}
	for _, tt := range tests {
		t.Run(tt.typ.Name(), func(t *testing.T) {
			var got []string
			for i := range tt.typ.NumField() {
				switch f := tt.typ.Field(i); f.Type.Kind() {
				case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface, reflect.Chan, reflect.Func:
					got = append(got, f.Name)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("reference fields of %v = %v, want %v (update pipeSlot.copyEvent)", tt.typ, got, tt.want)
			}
		})
	}
}

// TestPipelineCopyIsolated: an event copied into a batch keeps its bytes
// when the decoder's buffers are overwritten afterwards: copied into the
// arena, or into buffers of their own when the arena is too small, the
// STUN attributes with the message they lie in and a slice outside it on
// its own.
func TestPipelineCopyIsolated(t *testing.T) {
	for _, arena := range []int{64, 4096} {
		t.Run(fmt.Sprintf("arena %d", arena), func(t *testing.T) {
			raw := bindingRequest("a")
			var m wire.STUN
			if err := m.Decode(raw); err != nil {
				t.Fatalf("Decode(binding request) error: %v", err)
			}
			outside := []byte("not in the message")
			m.Software = outside
			tls := wire.TLSHello{SNI: []byte("edge.example.com")}
			ev := Event{Kind: KindSTUN, Payload: raw, STUN: &m, TLS: &tls, SNI: tls.SNI, Relay: &Relay{Channel: 0x4001}}
			want := serialize(t, &ev)
			b := &pipeBatch{dec: New(nil, Options{}), slots: make([]pipeSlot, 1), arena: make([]byte, 0, arena)}
			s := &b.slots[0]
			s.copyEvent(&ev, b)
			for _, buf := range [][]byte{raw, tls.SNI, outside} {
				for i := range buf {
					buf[i] = 0xEE
				}
			}
			m, ev.Relay.Channel = wire.STUN{}, 0
			if got := serialize(t, &s.ev); got != want {
				t.Errorf("copy after the source changed = %s, want %s", got, want)
			}
		})
	}
}

// TestPipelineHandlerPanic: a panic in the handler reaches Run's caller,
// and the reading goroutine stops instead of waiting forever.
func TestPipelineHandlerPanic(t *testing.T) {
	before := runtime.NumGoroutine()
	var got any
	func() {
		defer func() { got = recover() }()
		runPipelined([]string{craftedPath("ok-edge-call.pcap")}, Options{}, func(*Event) { panic("handler") })
	}()
	if got != "handler" {
		t.Fatalf("recover() = %v, want the handler's panic", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("goroutines after the panic = %d, want %d", n, before)
	}
}

// TestPipelineProgressOnCaller: Progress and the handler run on the
// goroutine that called Run (a handler may call t.FailNow).
func TestPipelineProgressOnCaller(t *testing.T) {
	self := goroutineID()
	var others int
	check := func() {
		if goroutineID() != self {
			others++
		}
	}
	_, err := runPipelined([]string{publicPath("heplify__rtp_rtcp_sip_ipv4_udp.pcap")},
		Options{Progress: func(uint64, uint64) { check() }}, func(*Event) { check() })
	if err != nil || others != 0 {
		t.Errorf("runPipelined: %d calls on another goroutine, error %v; want 0, nil", others, err)
	}
}

// goroutineID returns the current goroutine's number from its stack header.
func goroutineID() string {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	for i := len("goroutine "); i < len(buf); i++ {
		if buf[i] == ' ' {
			return string(buf[:i])
		}
	}
	return string(buf)
}

// FuzzPipeline reads arbitrary bytes as a capture file both ways: the
// pipelined run must deliver what the sequential run does and never panic.
func FuzzPipeline(f *testing.F) {
	for _, p := range []string{craftedPath("sip-tcp-segmented.pcap"), craftedPath("msturn-multiplexed.pcap"),
		craftedPath("two-interfaces.pcapng"), craftedPath("sip-udp-fragmented-invite.pcap"),
		publicPath("arkime__turn.pcap"), craftedPath("fail-pseudotls-inspected.pcap")} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[:min(len(b), 8<<10)])
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, capture []byte) {
		path := filepath.Join(dir, "in.pcap")
		if err := os.WriteFile(path, capture, 0o600); err != nil {
			t.Fatal(err)
		}
		samePipelined(t, path)
	})
}

// TestBaselines: on a generated capture both baselines read every frame
// the capture holds, and the parsing one finds a UDP or TCP header in each
// frame the decoder counted as UDP or TCP; a pcapng file is refused.
func TestBaselines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "calls.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := callgen.Write(f, callgen.Config{Seed: 5, Size: 2 << 20})
	if cerr := f.Close(); err != nil || cerr != nil {
		t.Fatalf("callgen.Write: %v, %v", err, cerr)
	}
	st, err := Run([]string{path}, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	read, err := ReadBaseline(path)
	if err != nil || read.Packets != uint64(sum.Frames) || read.Bytes != st.Bytes || read.Transport != 0 {
		t.Errorf("ReadBaseline = %+v, %v; want %d packets, %d bytes", read, err, sum.Frames, st.Bytes)
	}
	parsed, err := ParseBaseline(path)
	if want := st.UDPPackets + st.TCPPackets; err != nil || parsed.Packets != read.Packets || parsed.Transport != want {
		t.Errorf("ParseBaseline = %+v, %v; want %d packets, %d with UDP/TCP", parsed, err, read.Packets, want)
	}
	if _, err := ReadBaseline(craftedPath("two-interfaces.pcapng")); err == nil {
		t.Errorf("ReadBaseline(pcapng) error = nil, want an error")
	}
}

// TestFileCutWhileRead: a mapped capture cut shorter while it is decoded
// ends the run with an error naming the file, sequential or pipelined,
// whether the decoder or the handler is the first to touch the lost bytes.
func TestFileCutWhileRead(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("files are mapped on Linux only")
	}
	runs := []struct {
		name string
		run  func(t *testing.T, path string, h Handler) (*Stats, error)
	}{
		{"sequential", func(t *testing.T, path string, h Handler) (*Stats, error) {
			d := New(h, Options{})
			err := d.RunFiles([]string{path})
			return d.Stats(), err
		}},
		{"pipelined", func(t *testing.T, path string, h Handler) (*Stats, error) {
			return runPipelined([]string{path}, Options{}, h)
		}},
	}
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "growing.pcap")
			var buf bytes.Buffer
			w, err := capfile.NewPcapWriter(&buf, LinkEthernet, 0, true, binary.LittleEndian)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 3000 {
				f := eth(synth.UDP(client, peer, bindingRequest(fmt.Sprintf("cut-%d", i))))
				if err := w.WritePacket(captureStart.Add(time.Duration(i)*time.Millisecond), f, len(f)); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			var events int
			var sum byte
			h := func(ev *Event) {
				if events == 0 {
					if err := os.Truncate(path, 4096); err != nil {
						t.Error(err)
					}
				}
				events++
				for _, c := range ev.Payload { // the handler reads the bytes too
					sum += c
				}
			}
			st, err := r.run(t, path, h)
			if err == nil || !strings.Contains(err.Error(), "cut shorter") || !strings.Contains(err.Error(), path) {
				t.Fatalf("after %d events: err = %v, want the file named as cut shorter", events, err)
			}
			if st.Files[0].Err == "" {
				t.Errorf("Stats.Files[0].Err is empty")
			}
		})
	}
}
