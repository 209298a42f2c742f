//go:build linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/icediag/icediag/decode/capfile"
	"github.com/icediag/icediag/decode/synth/callgen"
	"github.com/icediag/icediag/decode/synth/hostile"
)

// floodDuration is how long TestLiveFlood sends.
const floodDuration = 25 * time.Second

// floodRSSBound is the peak resident set icediag live may reach under the
// flood. Its tables are bounded (docs/limits.md): the whole offline
// analysis of the hostile corpus, whose call and SYN floods this test
// replays, keeps its heap under 160 MiB (TestHostileAnalysis). With the
// Go collector's default target of twice the live heap, the capture
// merger's 8,192 frame buffers (up to 64 KiB each with the veth's MTU,
// a few MiB for these frames), the AF_PACKET ring and the test binary
// itself, 512 MiB is that bound with margin (about 210 MiB was measured;
// floodRSSFactor scales it under the race detector).
const floodRSSBound = 512 << 20

// TestLiveFlood floods a veth pair with generated calls, a SIP call flood
// and a SYN flood, looped without pauses for floodDuration, while icediag
// live --format jsonl analyses the other end. icediag live keeps running
// (summary lines keep coming), exits cleanly on SIGTERM, reports the
// kernel's drops per interface and what its own limits dropped, and its
// peak resident set (rusage ru_maxrss) stays under floodRSSBound.
func TestLiveFlood(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create a network namespace")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs the ip command (iproute2)")
	}
	if testing.Short() {
		t.Skip("floods for 25 s")
	}
	frames := floodFrames(t)
	ns := fmt.Sprintf("icediag-flood-%d", os.Getpid())
	setupNetns(t, ns)

	args := []string{"live", "-i", "veth-rx", "--report-every", "2s", "--format", "jsonl", "--fail-on", "never"}
	args = append(args, floodLimitArgs()...)
	ctx, cancel := context.WithTimeout(context.Background(), floodDuration+90*time.Second)
	defer cancel()
	child := exec.CommandContext(ctx, "ip", "netns", "exec", ns, os.Args[0], "-test.run=^TestLiveNetnsChild$")
	child.Env = append(os.Environ(), childEnv+"="+strings.Join(args, "\x1f"))
	var stderr bytes.Buffer
	child.Stderr = &stderr
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		sc.Buffer(nil, 64<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var got floodOutput
	if !got.waitSummary(lines, 20*time.Second) {
		child.Process.Kill()
		t.Fatalf("icediag live printed no summary line within 20 s; stderr:\n%s", stderr.String())
	}
	before := got.summaries

	sent, busy, err := floodInNetns(ns, "veth-tx", frames, floodDuration)
	if err != nil {
		child.Process.Kill()
		t.Fatalf("flood: %v", err)
	}
	got.drain(lines, 3*time.Second)
	during := got.summaries - before
	hwm := vmStatus(child.Process.Pid, "VmHWM:")
	child.Process.Signal(syscall.SIGTERM)
	stopped := time.Now()
	waitErr := make(chan error, 1)
	go func() {
		for l := range lines {
			got.add(l)
		}
		waitErr <- child.Wait()
	}()
	select {
	case err := <-waitErr:
		if err != nil {
			t.Fatalf("icediag live after SIGTERM: %v\nstderr:\n%s", err, stderr.String())
		}
	case <-time.After(60 * time.Second): // the final report of a flood takes seconds under the race detector
		child.Process.Kill()
		t.Fatalf("icediag live did not exit within 60 s of SIGTERM\nstderr:\n%s", stderr.String())
	}
	exited := time.Since(stopped)
	rss := int64(child.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) << 10
	t.Logf("sent %d frames in %v (%d refused by a full queue, retried); %d summary lines while flooded; exit %v after SIGTERM; peak RSS %d MiB (VmHWM before SIGTERM %d MiB)",
		sent, floodDuration, busy, during, exited.Round(time.Millisecond), rss>>20, hwm>>20)
	got.check(t, sent)
	if during < int(floodDuration/(2*time.Second))/2 {
		t.Errorf("%d summary lines during %v of flood with --report-every 2s: icediag live stalled", during, floodDuration)
	}
	if bound := int64(floodRSSBound * floodRSSFactor); rss > bound {
		t.Errorf("peak RSS %d MiB, bound %d MiB", rss>>20, bound>>20)
	}
}

// floodLimitArgs lowers the call and connection limits when icediag live
// takes the limit flags, so that evictions are certain however many
// frames the kernel drops; with the defaults the floods still exceed them
// when most frames arrive.
func floodLimitArgs() []string {
	if liveFlagSet(io.Discard, &liveFlags{}).Lookup("max-calls") == nil {
		return nil
	}
	return []string{"--max-calls", "2000", "--max-tcp-streams", "1000"}
}

// floodFrames returns the frames to loop: a generated capture of calls
// (SIP, STUN, TURN, RTP) with the hostile corpus's flood of 50,000 INVITEs
// and of 30,000 SYNs interleaved, so that every loop brings media, new
// calls and new connections.
func floodFrames(t *testing.T) [][]byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := callgen.Write(&buf, callgen.Config{Seed: 10, Size: 24 << 20}); err != nil {
		t.Fatal(err)
	}
	calls := readFrames(t, "callgen", buf.Bytes())
	var floods [][][]byte
	for _, c := range hostile.All() {
		if c.Name == "sip-call-flood.pcap" || c.Name == "syn-flood.pcap" {
			floods = append(floods, readFrames(t, c.Name, c.Data))
		}
	}
	if len(floods) != 2 {
		t.Fatalf("hostile corpus: %d of the 2 floods found", len(floods))
	}
	var out [][]byte
	for i := 0; i < max(len(calls), len(floods[0]), len(floods[1])); i++ {
		for _, src := range [][][]byte{calls, floods[0], floods[1]} {
			if i < len(src) {
				out = append(out, src[i])
			}
		}
	}
	return out
}

// readFrames returns the frames of an Ethernet capture held in data.
func readFrames(t *testing.T, name string, data []byte) [][]byte {
	t.Helper()
	f, err := capfile.NewReader(name, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	var p capfile.Packet
	for f.Next(&p) == nil {
		out = append(out, append([]byte(nil), p.Data...))
	}
	if len(out) == 0 {
		t.Fatalf("%s: no frames", name)
	}
	return out
}

// floodInNetns sends frames out of iface inside ns, looping, as fast as
// the queue takes them, for d. A full queue (ENOBUFS) is retried after
// yielding; busy counts those refusals.
func floodInNetns(ns, iface string, frames [][]byte, d time.Duration) (sent, busy int, err error) {
	type result struct {
		sent, busy int
		err        error
	}
	done := make(chan result)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		s, b, err := floodOnThread(ns, iface, frames, d)
		done <- result{s, b, err}
	}()
	r := <-done
	return r.sent, r.busy, r.err
}

func floodOnThread(ns, iface string, frames [][]byte, d time.Duration) (sent, busy int, err error) {
	nsf, err := os.Open("/var/run/netns/" + ns)
	if err != nil {
		return 0, 0, err
	}
	defer nsf.Close()
	if err := unix.Setns(int(nsf.Fd()), unix.CLONE_NEWNET); err != nil {
		return 0, 0, fmt.Errorf("setns: %w", err)
	}
	ifi, err := net.InterfaceByName(iface)
	if err != nil {
		return 0, 0, err
	}
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, 0, err
	}
	defer unix.Close(fd)
	sa := &unix.SockaddrLinklayer{Ifindex: ifi.Index}
	deadline := time.Now().Add(d)
	for i := 0; ; i++ {
		if i%1024 == 0 && time.Now().After(deadline) {
			return sent, busy, nil
		}
		err := unix.Sendto(fd, frames[i%len(frames)], 0, sa)
		switch {
		case err == nil:
			sent++
		case errors.Is(err, unix.ENOBUFS) || errors.Is(err, unix.EAGAIN):
			busy++
			runtime.Gosched()
		default:
			return sent, busy, fmt.Errorf("frame %d of %d bytes: %w", i%len(frames), len(frames[i%len(frames)]), err)
		}
	}
}

// floodOutput is what icediag live --format jsonl printed.
type floodOutput struct {
	summaries int
	capture   *struct {
		Packets  uint64 `json:"packets"`
		Problems []struct {
			Layer, Reason string
			Count         uint64
		} `json:"problems"`
	}
	iface map[string]any // the "interface" line of veth-rx
	bad   []string       // lines that are not JSON objects with a type
}

// add takes one output line.
func (o *floodOutput) add(l string) {
	var head struct{ Type string }
	if json.Unmarshal([]byte(l), &head) != nil || head.Type == "" {
		o.bad = append(o.bad, l)
		return
	}
	switch head.Type {
	case "summary":
		o.summaries++
	case "capture":
		json.Unmarshal([]byte(l), &o.capture)
	case "interface":
		json.Unmarshal([]byte(l), &o.iface)
	}
}

// waitSummary reads lines until the first summary line or the timeout.
func (o *floodOutput) waitSummary(lines <-chan string, d time.Duration) bool {
	timeout := time.After(d)
	for o.summaries == 0 {
		select {
		case l, ok := <-lines:
			if !ok {
				return false
			}
			o.add(l)
		case <-timeout:
			return false
		}
	}
	return true
}

// drain reads the lines printed while the flood ran and for d more.
func (o *floodOutput) drain(lines <-chan string, d time.Duration) {
	timeout := time.After(d)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				return
			}
			o.add(l)
		case <-timeout:
			return
		}
	}
}

// check asserts the final report: frames analysed, the kernel counters of
// the interface, and a limit's evictions named among the problems.
func (o *floodOutput) check(t *testing.T, sent int) {
	t.Helper()
	if len(o.bad) > 0 {
		t.Errorf("%d output lines are not typed JSON objects, first %.200q", len(o.bad), o.bad[0])
	}
	if o.capture == nil {
		t.Fatal("no capture line in the final report")
	}
	if o.capture.Packets == 0 || o.capture.Packets > uint64(sent) {
		t.Errorf("analysed %d frames of %d sent", o.capture.Packets, sent)
	}
	if o.iface == nil || o.iface["name"] != "veth-rx" {
		t.Fatalf("no interface line for veth-rx in the final report: %v", o.iface)
	}
	received, rok := o.iface["received"].(float64)
	dropped, dok := o.iface["kernel_dropped"].(float64)
	if !rok || !dok || float64(o.capture.Packets)+dropped > received {
		t.Errorf("interface line %v: want received at least the %d analysed plus kernel_dropped", o.iface, o.capture.Packets)
	}
	var limits []string
	for _, p := range o.capture.Problems {
		if strings.Contains(p.Reason, "table full") {
			limits = append(limits, fmt.Sprintf("%s: %s: %d", p.Layer, p.Reason, p.Count))
		}
	}
	if len(limits) == 0 {
		t.Errorf("the report names no limit reached; problems %+v", o.capture.Problems)
	}
	t.Logf("analysed %d frames; kernel: %.0f received, %.0f dropped; limits: %s",
		o.capture.Packets, received, dropped, strings.Join(limits, "; "))
}
