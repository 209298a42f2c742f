//go:build linux

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/icediag/icediag/decode/capfile"
	"github.com/icediag/icediag/decode/live"
	"github.com/icediag/icediag/diag"
)

// netnsCaptures are replayed together; their findings do not depend on
// the gaps between frames, which the replay compresses.
var netnsCaptures = []string{
	"sngrep__aaa.pcap",
	"ntop-nDPI__FAX-Call-t38-CA-TDM-SIP-FB-1.pcap",
	"wireshark-samples__sip-rtp-g711.pcap",
	"ntop-nDPI__webex.pcap",
}

const childEnv = "ICEDIAG_LIVE_CHILD_ARGS"

// TestLiveNetnsChild is the icediag process of TestLiveNetnsReplay,
// started inside the namespace; it does nothing otherwise.
func TestLiveNetnsChild(t *testing.T) {
	args := os.Getenv(childEnv)
	if args == "" {
		t.Skip("runs only as the child of TestLiveNetnsReplay")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	code := run(ctx, strings.Split(args, "\x1f"), os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// TestLiveNetnsReplay creates a network namespace with a veth pair,
// replays public captures onto one end with AF_PACKET (frames unchanged,
// gaps compressed), runs icediag live on the other end and checks its
// findings against icediag analyze of the original captures, and its
// whole report against analyze of the file it wrote.
func TestLiveNetnsReplay(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create a network namespace")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs the ip command (iproute2)")
	}
	var paths []string
	for _, c := range netnsCaptures {
		paths = append(paths, filepath.Join("..", "..", "pcaps", "public", c))
	}
	ns := fmt.Sprintf("icediag-live-%d", os.Getpid())
	setupNetns(t, ns)

	dir := t.TempDir()
	written := filepath.Join(dir, "live.pcapng")
	args := []string{"live", "-i", "veth-rx", "--duration", "90s", "--report-every", "0",
		"--format", "json", "--fail-on", "never", "--write", written}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	child := exec.CommandContext(ctx, "ip", "netns", "exec", ns, os.Args[0], "-test.run=^TestLiveNetnsChild$")
	child.Env = append(os.Environ(), childEnv+"="+strings.Join(args, "\x1f"))
	var stdout, stderr bytes.Buffer
	child.Stdout, child.Stderr = &stdout, &stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	waitForFile(t, written, 20*time.Second)
	time.Sleep(300 * time.Millisecond)

	sent, err := replayInNetns(ns, "veth-tx", paths)
	if err != nil {
		child.Process.Kill()
		t.Fatalf("replay: %v", err)
	}
	time.Sleep(time.Second)
	child.Process.Signal(syscall.SIGTERM)
	if err := child.Wait(); err != nil {
		t.Fatalf("icediag live: %v\nstderr:\n%s", err, stderr.String())
	}
	t.Logf("replayed %d frames; icediag live said:\n%s", sent, stderr.String())

	got, err := diag.ReadJSON(bytes.NewReader(stdout.Bytes()))
	if err != nil {
		t.Fatalf("live report: %v\n%s", err, stdout.String())
	}
	if kept := keptByFilter(t, paths); got.Capture.Packets != uint64(kept) {
		t.Errorf("live captured %d frames, replayed %d of which the built-in filter keeps %d", got.Capture.Packets, sent, kept)
	}
	want := analyzeJSON(t, paths...)
	if g, w := findingKeys(got), findingKeys(want); !equalStrings(g, w) {
		t.Errorf("live findings differ from analyze of the captures:\n--- live\n%s\n--- analyze\n%s",
			strings.Join(g, "\n"), strings.Join(w, "\n"))
	}
	if len(want.Findings) == 0 {
		t.Error("the replayed captures have no findings: the comparison proves nothing")
	}
	var again bytes.Buffer
	if code := runAnalyze(context.Background(), []string{"--fail-on", "never", "--format", "json", written}, &again, io.Discard); code != exitOK {
		t.Fatalf("analyze %s = %d", written, code)
	}
	if again.String() != stdout.String() {
		os.WriteFile(filepath.Join(os.TempDir(), "icediag-netns-live.json"), stdout.Bytes(), 0o644)
		os.WriteFile(filepath.Join(os.TempDir(), "icediag-netns-analyze.json"), again.Bytes(), 0o644)
		t.Errorf("live report differs from analyze of the file it wrote (both saved as %s/icediag-netns-*.json)", os.TempDir())
	}
}

// setupNetns creates ns with the veth pair veth-tx/veth-rx, IPv6 off (no
// router solicitations) and a large MTU; cleanup deletes the namespace.
func setupNetns(t *testing.T, ns string) {
	t.Helper()
	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	ip("netns", "add", ns)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	exec.Command("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1").Run()
	ip("-n", ns, "link", "add", "veth-tx", "type", "veth", "peer", "name", "veth-rx")
	for _, l := range []string{"veth-tx", "veth-rx"} {
		ip("-n", ns, "link", "set", l, "mtu", "65000", "up")
	}
}

func waitForFile(t *testing.T, path string, limit time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return
		}
	}
	t.Fatalf("icediag live did not start writing %s within %v", path, limit)
}

// replayInNetns sends the frames of the captures, merged by timestamp as
// analyze merges them, out of iface inside ns. It runs on a thread of its
// own that enters the namespace and is discarded afterwards.
func replayInNetns(ns, iface string, paths []string) (int, error) {
	type result struct {
		n   int
		err error
	}
	done := make(chan result)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		n, err := replayOnThread(ns, iface, paths)
		done <- result{n, err}
	}()
	r := <-done
	return r.n, r.err
}

func replayOnThread(ns, iface string, paths []string) (int, error) {
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
	var files []*capfile.File
	for _, p := range paths {
		f, err := capfile.Open(p)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		files = append(files, f)
	}
	m := capfile.NewMerger(files)
	var p capfile.Packet
	var prev time.Time
	n := 0
	for {
		_, err := m.Next(&p)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if !prev.IsZero() {
			time.Sleep(compressGap(p.Timestamp.Sub(prev)))
		}
		prev = p.Timestamp
		if err := unix.Sendto(fd, p.Data, 0, sa); err != nil {
			return n, fmt.Errorf("frame %d of %d bytes: %w", p.Frame, len(p.Data), err)
		}
		n++
	}
}

// compressGap shortens the gap before a frame: a hundredth, between 2 and
// 10 ms; gaps under 2 ms stay as they are so that what fell inside or
// outside the decoder's 1 ms duplicate window still does.
func compressGap(d time.Duration) time.Duration {
	const lo, hi = 2 * time.Millisecond, 10 * time.Millisecond
	if d < lo {
		return max(d, 0)
	}
	return min(max(d/100, lo), hi)
}

// keptByFilter counts the frames of the captures the built-in filter
// keeps, running its program in the BPF virtual machine.
func keptByFilter(t *testing.T, paths []string) int {
	t.Helper()
	raw, err := live.BuiltinFilter(live.LinkTypeEthernet)
	if err != nil {
		t.Fatal(err)
	}
	prog, _ := bpf.Disassemble(raw)
	vm, err := bpf.NewVM(prog)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, path := range paths {
		f, err := capfile.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		var p capfile.Packet
		for f.Next(&p) == nil {
			if k, _ := vm.Run(p.Data); k > 0 {
				n++
			}
		}
		f.Close()
	}
	return n
}

// findingKeys lists findings by what does not depend on frame numbers or
// timing: rule, severity, call and title. tls-certificate-problem is left
// out: it judges certificates at capture time, and a replay is captured
// today.
func findingKeys(r *diag.Report) []string {
	var out []string
	for _, f := range r.Findings {
		if f.ID == "tls-certificate-problem" {
			continue
		}
		out = append(out, strings.Join([]string{f.ID, string(f.Severity), f.CallID, f.Title}, " | "))
	}
	sort.Strings(out)
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
