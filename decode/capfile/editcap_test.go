package capfile

import (
	"io"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestEditcapFormats converts real captures with Wireshark's editcap into
// each format it writes that this package reads, and compares every frame
// with tshark's reading of the converted file.
func TestEditcapFormats(t *testing.T) {
	editcap, err := exec.LookPath("editcap")
	if err != nil {
		t.Skip("editcap not installed")
	}
	formats := map[string]string{"pcap": "pcap", "nsecpcap": "pcap-ns", "modpcap": "pcap", "pcapng": "pcapng"}
	for _, src := range testdataFiles(t) {
		for ecf, want := range formats {
			t.Run(filepath.Base(src)+"/"+ecf, func(t *testing.T) {
				dst := filepath.Join(t.TempDir(), "out")
				if out, err := exec.Command(editcap, "-F", ecf, src, dst).CombinedOutput(); err != nil {
					t.Fatalf("editcap -F %s: %v: %s", ecf, err, out)
				}
				f, err := Open(dst)
				if err != nil {
					t.Fatalf("Open(editcap -F %s) = %v", ecf, err)
				}
				defer f.Close()
				if f.Format() != want {
					t.Errorf("Format() = %q, want %q", f.Format(), want)
				}
				got, err := readAll(t, f)
				if err != io.EOF {
					t.Fatalf("Next = %v after %d frames", err, len(got))
				}
				compareTshark(t, got, tsharkRecords(t, dst))
			})
		}
	}
}

// TestEditcapVariants reads the pcap variants of old patched libpcaps,
// whose record headers are longer without a distinct magic number (Nokia,
// Red Hat 6.1) or with the modified one (SuSE 6.3), as tshark does.
func TestEditcapVariants(t *testing.T) {
	editcap, err := exec.LookPath("editcap")
	if err != nil {
		t.Skip("editcap not installed")
	}
	src := filepath.Join("testdata", pcapFile)
	for _, ecf := range []string{"nokiapcap", "rh6_1pcap", "suse6_3pcap"} {
		t.Run(ecf, func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "out")
			if out, err := exec.Command(editcap, "-F", ecf, src, dst).CombinedOutput(); err != nil {
				t.Fatalf("editcap: %v: %s", err, out)
			}
			f, err := Open(dst)
			if err != nil {
				t.Fatalf("Open(editcap -F %s) = %v", ecf, err)
			}
			defer f.Close()
			got, err := readAll(t, f)
			if err != io.EOF {
				t.Fatalf("Next = %v after %d frames, want io.EOF", err, len(got))
			}
			compareTshark(t, got, tsharkRecords(t, dst))
		})
	}
}
