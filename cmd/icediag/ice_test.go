package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// iceCases are the inputs of the ice golden files: every capture of pcaps/
// that shows ICE or TURN, plus the crafted Lync call merged with each
// crafted MS-TURN media capture (they share one clock, and their ufrags
// Hq3b/k7Pd join them).
//
// Selected pair and outcome were checked by hand with tshark:
//   - skype-conference-call: `tshark -Y rtp -T fields -e ip.src -e udp.srcport -e ip.dst -e udp.dstport`
//     shows RTP only on 192.168.2.20:49282 -> 104.46.40.49:60642, the pair whose
//     USE-CANDIDATE check (frame 7) got its success in frame 23: succeeded.
//   - teams: `-Y "stun.att.username"` shows checks to 192.168.0.4:50005 never answered (host
//     pair failed) while 93.71.110.205:16332 answers (frame 1409); RTP from 93.71.110.205:16332
//     to 192.168.1.6:50016 (`-Y rtp`) is the selected pair: succeeded.
//   - sll2-stun, msturn-udp, msturn-tcp443, two-interfaces: RTP (`-Y rtp`, `-d udp.port==...`) flows on the
//     nominated pair (host pair, or the relayed address to the peer inside Send/Data).
//   - adult_content, stun_facebook: checks inside Send/ChannelData succeed (`-Y "stun.type == 0x0101"`).
//   - zeek webrtc-stun: success responses in frames 2 and 6, then DTLS on the same 5-tuple.
func iceCases(t *testing.T) [][]string {
	t.Helper()
	var out [][]string
	for _, c := range captures(t) {
		out = append(out, []string{c})
	}
	sip := filepath.Join("..", "..", "pcaps", "crafted", "sip-udp-fragmented-invite.pcap")
	for _, m := range []string{"msturn-udp.pcap", "msturn-tcp443-pseudotls.pcap", "two-interfaces.pcapng"} {
		out = append(out, []string{sip, filepath.Join("..", "..", "pcaps", "crafted", m)})
	}
	return out
}

func goldenName(files []string) string {
	var parts []string
	for _, f := range files {
		parts = append(parts, strings.TrimSuffix(filepath.Base(f), filepath.Ext(f)))
	}
	return strings.Join(parts, "+") + ".golden"
}

func TestICEGolden(t *testing.T) {
	for _, files := range iceCases(t) {
		name := goldenName(files)
		t.Run(name, func(t *testing.T) {
			md, err := buildICEModel(files, false)
			if err != nil {
				t.Fatalf("buildICEModel(%v): %v", files, err)
			}
			if len(md.Sessions)+len(md.Allocations)+len(md.STUNServers) == 0 {
				t.Skip("no ICE or TURN in this capture")
			}
			var out, errb bytes.Buffer
			if code := run(context.Background(), append([]string{"ice"}, files...), &out, &errb); code != exitOK {
				t.Fatalf("icediag ice %v = %d, want 0 (%s)", files, code, errb.String())
			}
			path := filepath.Join("testdata", "ice", name)
			if *update {
				if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./cmd/icediag -run ICEGolden -update)", err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("icediag ice %v differs from %s (run with -update and review the diff)", files, path)
			}
		})
	}
}

// TestICEJSON checks the JSON report: schema version, the session joined
// to the crafted call and --call filtering.
func TestICEJSON(t *testing.T) {
	files := iceCases(t)[len(iceCases(t))-3]
	tests := []struct {
		call     string
		sessions int
	}{
		{"", 2},
		{"5f1c0e6a2d4b4f0c9a7e3b1d8c6f2a4e", 2},
		{"no-such-call", 0},
	}
	for _, tt := range tests {
		t.Run(tt.call, func(t *testing.T) {
			args := append([]string{"ice", "--format", "json"}, files...)
			if tt.call != "" {
				args = append(args, "--call", tt.call)
			}
			var out, errb bytes.Buffer
			if code := run(context.Background(), args, &out, &errb); code != exitOK {
				t.Fatalf("run(%v) = %d (%s)", args, code, errb.String())
			}
			var rep struct {
				Schema string `json:"schema"`
				Model  struct {
					Sessions []struct {
						CallID  string `json:"call_id"`
						Outcome string `json:"outcome"`
					} `json:"sessions"`
				} `json:"model"`
			}
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Fatalf("json.Unmarshal: %v", err)
			}
			if rep.Schema != iceSchema || len(rep.Model.Sessions) != tt.sessions {
				t.Errorf("schema %q sessions %d, want %q %d", rep.Schema, len(rep.Model.Sessions), iceSchema, tt.sessions)
			}
		})
	}
}

func TestICEUsage(t *testing.T) {
	tests := [][]string{{"ice"}, {"ice", "--format", "xml", "x.pcap"}, {"ice", "--bogus"}}
	for _, args := range tests {
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, &out, &errb); code != exitUsage {
			t.Errorf("run(%q) = %d, want %d", args, code, exitUsage)
		}
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"ice", "no-such-file.pcap"}, &out, &errb); code != exitFailure {
		t.Errorf("run(ice no-such-file.pcap) = %d, want %d", code, exitFailure)
	}
}
