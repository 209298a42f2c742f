//go:build linux

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/icediag/icediag/decode/capfile"
	"github.com/icediag/icediag/decode/synth/callgen"
)

// The soak run: calls of 7 to 21 s of media (callgen draws a length
// uniformly between half and one and a half times CallLength) starting
// every 0.5 s on average, replayed in real time for soakReplay, so that
// about 25 calls are in progress at any moment and some 340 come and go.
const (
	soakReplay     = 170 * time.Second
	soakCallGap    = 500 * time.Millisecond
	soakCallLength = 14 * time.Second
	// soakWarmUp is left out of the comparison: the longest call (21 s
	// of media after up to 3.3 s of ringing) plus --call-idle, after
	// which as many calls end as begin.
	soakWarmUp = 30 * time.Second
	// soakSample is the interval between two readings of VmRSS.
	soakSample = 5 * time.Second
	// soakGrowth bounds the peak resident set of the last third of the
	// run after warm-up against that of the first third.
	soakGrowth = 1.20
	// soakSlack is added to that bound: the Go collector lets the heap
	// reach twice its live size before it collects (GOGC=100), so a
	// sample taken just before a collection reads up to one live heap of
	// garbage more than one taken after it. With about 25 calls in
	// progress the live heap after a collection stayed between 4 and
	// 9 MiB for the whole run (GODEBUG=gctrace=1): a peak over ten
	// samples may catch 4 MiB more garbage in one third than in another.
	soakSlack = 4 << 20
	// soakCallIdle is icediag live's --call-idle.
	soakCallIdle = "2s"
)

// TestLiveSoak replays a generated capture of short, overlapping calls in
// real time onto a veth pair for about three minutes while the icediag
// binary, built without the race detector, runs icediag live --format
// jsonl --call-idle 2s on the other end. It reads the process's VmRSS
// every soakSample and asserts that finished calls are streamed while it
// runs (the count of "call" lines grows in every third of the run) and
// that memory follows the calls in progress, not the run time: the peak
// resident set of the last third after warm-up is at most soakGrowth
// times that of the first third, plus soakSlack. SIGTERM then brings the
// final report and exit code 0 or 3.
//
//	go test -run TestLiveSoak -v ./cmd/icediag
func TestLiveSoak(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create a network namespace")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs the ip command (iproute2)")
	}
	if testing.Short() {
		t.Skip("replays calls for about three minutes")
	}
	bin := buildIcediag(t, t.TempDir())
	ns := fmt.Sprintf("icediag-soak-%d", os.Getpid())
	setupNetns(t, ns)

	ctx, cancel := context.WithTimeout(context.Background(), soakReplay+2*time.Minute)
	defer cancel()
	child := exec.CommandContext(ctx, "ip", "netns", "exec", ns, bin, "live", "-i", "veth-rx",
		"--format", "jsonl", "--call-idle", soakCallIdle, "--report-every", "0")
	var stderr strings.Builder
	child.Stderr = &stderr
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	out := &soakOutput{}
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		out.read(stdout)
	}()
	pid := child.Process.Pid
	if !waitPacketSocket(pid, 20*time.Second) {
		child.Process.Kill()
		t.Fatalf("icediag live opened no packet socket within 20 s; stderr:\n%s", stderr.String())
	}

	type replayResult struct {
		sent int
		err  error
	}
	replayed := make(chan replayResult, 1)
	go func() {
		capture := soakCapture()
		defer capture.Close()
		n, err := soakReplayInNetns(ns, "veth-tx", capture, soakReplay)
		replayed <- replayResult{n, err}
	}()
	samples, res := sampleWhile(pid, out, replayed)
	if res.err != nil {
		child.Process.Kill()
		t.Fatalf("replay: %v", res.err)
	}

	child.Process.Signal(syscall.SIGTERM)
	waitErr := make(chan error, 1)
	go func() {
		<-readDone
		waitErr <- child.Wait()
	}()
	select {
	case err := <-waitErr:
		var exit *exec.ExitError
		if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == exitFindings) {
			t.Fatalf("icediag live after SIGTERM: %v\nstderr:\n%s", err, stderr.String())
		}
	case <-time.After(60 * time.Second):
		child.Process.Kill()
		t.Fatalf("icediag live did not exit within 60 s of SIGTERM\nstderr:\n%s", stderr.String())
	}

	logSamples(t, samples)
	t.Logf("replayed %d frames of %v of capture in %v; exit code %d; %s",
		res.sent, soakReplay, samples[len(samples)-1].at.Round(100*time.Millisecond), child.ProcessState.ExitCode(), out)
	out.check(t)
	checkStreaming(t, samples)
	checkFlat(t, samples)
}

// buildIcediag builds the icediag command, without the race detector
// whatever the test runs with, into dir.
func buildIcediag(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "icediag")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return bin
}

// soakCapture returns the capture to replay as callgen writes it: the
// frames are generated while they are replayed, up to soakAhead chunks of
// callgen's 1 MiB writes ahead of the replay, not held whole in memory or
// on disk. Closing it stops the generator.
func soakCapture() io.ReadCloser {
	p := &chunkPipe{chunks: make(chan []byte, soakAhead), done: make(chan struct{})}
	go func() {
		defer close(p.chunks)
		// More calls than the replay reaches (callgen estimates 440 KB
		// of frames for a call of this length); the replay stops
		// reading after soakReplay.
		calls := int64(soakReplay / soakCallGap * 3 / 2)
		callgen.Write(p, callgen.Config{Seed: 7, Size: calls * 440 << 10,
			CallGap: soakCallGap, CallLength: soakCallLength})
	}()
	return p
}

// soakAhead is how many chunks the generator may write ahead of the replay.
const soakAhead = 16

// chunkPipe is an in-memory pipe with a queue of chunks between its writer
// and its reader, so that the writer works ahead while the reader waits.
type chunkPipe struct {
	chunks chan []byte
	done   chan struct{}
	rest   []byte
	once   sync.Once
}

var errPipeClosed = errors.New("chunk pipe closed")

// Write queues a copy of b; it fails once the reader has closed the pipe.
func (p *chunkPipe) Write(b []byte) (int, error) {
	select {
	case p.chunks <- append([]byte(nil), b...):
		return len(b), nil
	case <-p.done:
		return 0, errPipeClosed
	}
}

// Read returns queued bytes; io.EOF once the writer has finished.
func (p *chunkPipe) Read(b []byte) (int, error) {
	if len(p.rest) == 0 {
		c, ok := <-p.chunks
		if !ok {
			return 0, io.EOF
		}
		p.rest = c
	}
	n := copy(b, p.rest)
	p.rest = p.rest[n:]
	return n, nil
}

// Close stops the writer.
func (p *chunkPipe) Close() error {
	p.once.Do(func() { close(p.done) })
	return nil
}

// waitPacketSocket waits until a packet socket is open in the network
// namespace of pid, which holds no other: icediag live is capturing.
func waitPacketSocket(pid int, limit time.Duration) bool {
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/packet", pid))
		if err == nil && strings.Count(string(b), "\n") > 1 {
			time.Sleep(200 * time.Millisecond)
			return true
		}
	}
	return false
}

// soakReading is one reading taken during the replay.
type soakReading struct {
	at    time.Duration // since the replay started
	rss   int64         // VmRSS, bytes
	calls int           // "call" lines printed so far
}

// sampleWhile reads VmRSS of pid and the streamed call count every
// soakSample until the replay reports its result, and once more then
// unless the last reading is under a second old.
func sampleWhile[R any](pid int, out *soakOutput, done <-chan R) ([]soakReading, R) {
	start := time.Now()
	tick := time.NewTicker(soakSample)
	defer tick.Stop()
	var samples []soakReading
	take := func() {
		samples = append(samples, soakReading{time.Since(start), vmStatus(pid, "VmRSS:"), out.callCount()})
	}
	for {
		select {
		case r := <-done:
			if len(samples) == 0 || time.Since(start)-samples[len(samples)-1].at > time.Second {
				take()
			}
			return samples, r
		case <-tick.C:
			take()
		}
	}
}

// vmStatus returns a size field (VmRSS:, VmHWM:) of /proc/PID/status in
// bytes; 0 when it cannot be read.
func vmStatus(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func logSamples(t *testing.T, samples []soakReading) {
	t.Helper()
	var b strings.Builder
	for _, s := range samples {
		fmt.Fprintf(&b, "\n  %6.1f s  VmRSS %6.1f MiB  calls streamed %4d", s.at.Seconds(), float64(s.rss)/(1<<20), s.calls)
	}
	t.Logf("samples (time since the replay started, resident set, call lines so far):%s", b.String())
}

// soakThirds splits the samples taken after soakWarmUp into three equal
// spans of time.
func soakThirds(samples []soakReading) [3][]soakReading {
	var thirds [3][]soakReading
	if len(samples) == 0 {
		return thirds
	}
	end := samples[len(samples)-1].at
	span := (end - soakWarmUp) / 3
	for _, s := range samples {
		if s.at < soakWarmUp || span <= 0 {
			continue
		}
		i := min(int((s.at-soakWarmUp)/span), 2)
		thirds[i] = append(thirds[i], s)
	}
	return thirds
}

// checkStreaming asserts that calls were streamed in every third of the
// run after warm-up.
func checkStreaming(t *testing.T, samples []soakReading) {
	t.Helper()
	thirds := soakThirds(samples)
	prev := 0
	for i, th := range thirds {
		if len(th) == 0 {
			t.Fatalf("no sample in third %d of the run", i+1)
		}
		last := th[len(th)-1].calls
		if last <= prev {
			t.Errorf("calls streamed by the end of third %d: %d, by the end of the one before: %d; want more", i+1, last, prev)
		}
		prev = last
	}
	if min := int(soakReplay / soakCallGap / 2); prev < min {
		t.Errorf("%d calls streamed while replaying about %d; want at least %d", prev, soakReplay/soakCallGap, min)
	}
}

// checkFlat asserts that the peak resident set of the last third after
// warm-up is within soakGrowth (plus soakSlack) of the first third's.
func checkFlat(t *testing.T, samples []soakReading) {
	t.Helper()
	thirds := soakThirds(samples)
	peak := func(s []soakReading) int64 {
		var m int64
		for _, x := range s {
			m = max(m, x.rss)
		}
		return m
	}
	first, last := peak(thirds[0]), peak(thirds[2])
	if first == 0 {
		t.Fatal("no resident set read in the first third")
	}
	bound := int64(float64(first)*soakGrowth) + soakSlack
	t.Logf("peak VmRSS: first third %s, middle %s, last third %s; bound %s",
		mib(uint64(first)), mib(uint64(peak(thirds[1]))), mib(uint64(last)), mib(uint64(bound)))
	if last > bound {
		t.Errorf("peak VmRSS of the last third %s > %s (first third %s x %.2f + %d MiB): memory grows with the run",
			mib(uint64(last)), mib(uint64(bound)), mib(uint64(first)), soakGrowth, soakSlack>>20)
	}
}

// soakOutput is what icediag live --format jsonl printed.
type soakOutput struct {
	mu       sync.Mutex
	calls    int // "call" lines
	findings int // "finding" lines
	capture  bool
	iface    bool
	bad      []string // lines that are not JSON objects with a type
}

// read takes the output lines until r ends.
func (o *soakOutput) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var head struct{ Type string }
		err := json.Unmarshal(sc.Bytes(), &head)
		o.mu.Lock()
		switch {
		case err != nil || head.Type == "":
			o.bad = append(o.bad, sc.Text())
		case head.Type == "call":
			o.calls++
		case head.Type == "finding":
			o.findings++
		case head.Type == "capture":
			o.capture = true
		case head.Type == "interface":
			o.iface = true
		}
		o.mu.Unlock()
	}
}

func (o *soakOutput) callCount() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.calls
}

func (o *soakOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return fmt.Sprintf("%d call lines, %d finding lines in all", o.calls, o.findings)
}

// check asserts that the final report arrived whole.
func (o *soakOutput) check(t *testing.T) {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.bad) > 0 {
		t.Errorf("%d output lines are not typed JSON objects, first %.200q", len(o.bad), o.bad[0])
	}
	if !o.capture || !o.iface {
		t.Errorf("final report incomplete: capture line %v, interface line %v", o.capture, o.iface)
	}
}

// soakReplayInNetns sends the frames of the pcap capture read from src out
// of iface inside ns with their original timing, for at most d. It runs on a
// thread of its own that enters the namespace and is discarded afterwards.
func soakReplayInNetns(ns, iface string, src io.Reader, d time.Duration) (int, error) {
	type result struct {
		n   int
		err error
	}
	done := make(chan result)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		n, err := soakReplayOnThread(ns, iface, src, d)
		done <- result{n, err}
	}()
	r := <-done
	return r.n, r.err
}

func soakReplayOnThread(ns, iface string, src io.Reader, d time.Duration) (int, error) {
	nsf, err := os.Open("/var/run/netns/" + ns)
	if err != nil {
		return 0, err
	}
	defer nsf.Close()
	if err := unix.Setns(int(nsf.Fd()), unix.CLONE_NEWNET); err != nil {
		return 0, fmt.Errorf("setns: %w", err)
	}
	ifi, err := net.InterfaceByName(iface)
	if err != nil {
		return 0, err
	}
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	sa := &unix.SockaddrLinklayer{Ifindex: ifi.Index}
	f, err := capfile.NewReader("callgen", src)
	if err != nil {
		return 0, err
	}
	var p capfile.Packet
	var first time.Time
	start := time.Now()
	n := 0
	for {
		err := f.Next(&p)
		if errors.Is(err, io.EOF) {
			return n, fmt.Errorf("the capture ended after %v, before the %v of the run", p.Timestamp.Sub(first), d)
		}
		if err != nil {
			return n, err
		}
		if first.IsZero() {
			first = p.Timestamp
		}
		offset := p.Timestamp.Sub(first)
		if offset > d {
			return n, nil
		}
		if wait := time.Until(start.Add(offset)); wait > time.Millisecond {
			time.Sleep(wait)
		}
		if err := soakSend(fd, p.Data, sa); err != nil {
			return n, fmt.Errorf("frame %d of %d bytes: %w", p.Frame, len(p.Data), err)
		}
		n++
	}
}

// soakSend sends one frame, retrying while the queue is full.
func soakSend(fd int, data []byte, sa *unix.SockaddrLinklayer) error {
	for {
		err := unix.Sendto(fd, data, 0, sa)
		if !errors.Is(err, unix.ENOBUFS) && !errors.Is(err, unix.EAGAIN) {
			return err
		}
		time.Sleep(100 * time.Microsecond)
	}
}
