package lab

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/icediag/icediag/pcaps/lab/internal/topo"
)

// ReadyMarker is the line a lab subprocess writes to stderr once it is serving.
const ReadyMarker = "icediag-lab: ready"

// proc is a process started inside a namespace. It gets SIGINT when stopped or
// when its deadline passes, and SIGKILL 3 s later.
type proc struct {
	name   string
	cancel context.CancelFunc
	done   chan error
	ready  chan struct{}
	stdout bytes.Buffer
	// dropped is tcpdump's "packets dropped by kernel" count, read at its end.
	dropped int
}

func (p *proc) scan(stderr io.Reader, log io.Writer) {
	var once sync.Once
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(line, ReadyMarker) || strings.Contains(line, "listening on") {
			once.Do(func() { close(p.ready) })
		}
		if n, ok := strings.CutSuffix(line, " packets dropped by kernel"); ok {
			p.dropped, _ = strconv.Atoi(n)
		}
		fmt.Fprintf(log, "[%s] %s\n", p.name, line)
	}
}

// start runs args in node's namespace with a deadline, copying its stderr lines
// to log with a prefix.
func start(ctx context.Context, n *topo.Net, node, name string, deadline time.Duration, log io.Writer, args ...string) (*proc, error) {
	pctx, cancel := context.WithTimeout(ctx, deadline)
	cmd := n.Command(pctx, node, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 3 * time.Second
	p := &proc{name: name, cancel: cancel, done: make(chan error, 1), ready: make(chan struct{})}
	cmd.Stdout = &p.stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		cancel()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		p.scan(stderr, log)
		p.done <- cmd.Wait() // only after the pipe is drained (os/exec)
		cancel()
	}()
	return p, nil
}

// waitReady waits for the ready line, the process's end or the timeout.
func (p *proc) waitReady(ctx context.Context, timeout time.Duration) error {
	select {
	case <-p.ready:
		return nil
	case err := <-p.done:
		p.done <- err
		return fmt.Errorf("%s ended before it was ready: %v", p.name, err)
	case <-time.After(timeout):
		return fmt.Errorf("%s not ready after %s", p.name, timeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// wait waits for the process to end by itself.
func (p *proc) wait() error {
	err := <-p.done
	p.done <- err
	return err
}

// stop interrupts the process and waits for it.
func (p *proc) stop() {
	p.cancel()
	_ = p.wait()
}
