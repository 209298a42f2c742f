//go:build pcapgo

package capfile

import (
	"bytes"
	"io"
	"testing"

	"github.com/google/gopacket/pcapgo"
)

// Run with: go test -tags pcapgo -run '^$' -bench Read ./decode/capfile
func init() {
	baselines["pcap"] = map[string]func(testing.TB, []byte) int{"pcapgo": readPcapgo}
	baselines["pcapng"] = map[string]func(testing.TB, []byte) int{"pcapgo": readPcapgoNg}
}

func readPcapgo(tb testing.TB, data []byte) int {
	r, err := pcapgo.NewReader(bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for {
		if _, _, err := r.ZeroCopyReadPacketData(); err == io.EOF {
			return n
		} else if err != nil {
			tb.Fatal(err)
		}
		n++
	}
}

func readPcapgoNg(tb testing.TB, data []byte) int {
	r, err := pcapgo.NewNgReader(bytes.NewReader(data), pcapgo.DefaultNgReaderOptions)
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for {
		if _, _, err := r.ZeroCopyReadPacketData(); err == io.EOF {
			return n
		} else if err != nil {
			tb.Fatal(err)
		}
		n++
	}
}
