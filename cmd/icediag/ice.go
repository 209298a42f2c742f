package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

	"github.com/icediag/icediag/decode"
	"github.com/icediag/icediag/ice"
	"github.com/icediag/icediag/sipflow"
)

// iceSchema is the version of the JSON report of the ice command.
const iceSchema = "icediag.ice/1"

// iceReport is the JSON form of the ice command's output.
type iceReport struct {
	Schema string     `json:"schema"`
	Files  []string   `json:"files"`
	Model  *ice.Model `json:"model"`
}

func runICE(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("ice", "ice [flags] FILE...", stderr)
	format := fs.String("format", "text", "output format: text or json")
	callID := fs.String("call", "", "only the ICE sessions of this SIP Call-ID")
	lim := addLimitFlags(fs)
	if !parseFlags(fs, args, stderr) || !lim.valid(stderr) {
		return exitUsage
	}
	if fs.NArg() == 0 || (*format != "text" && *format != "json") {
		fs.Usage()
		return exitUsage
	}
	md, err := buildICEModelWith(fs.Args(), false, lim)
	if err != nil {
		fmt.Fprintf(stderr, "icediag: %v\n", err)
		return exitFailure
	}
	warnICEDrops(stderr, md)
	if *callID != "" {
		filterCall(md, *callID)
	}
	names := make([]string, fs.NArg())
	for i, f := range fs.Args() {
		names[i] = filepath.Base(f)
	}
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	if *format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(iceReport{Schema: iceSchema, Files: names, Model: md})
		return exitOK
	}
	writeICEText(w, md)
	return exitOK
}

// buildICEModel is buildICEModelWith the default limits.
func buildICEModel(files []string, noSIP bool) (*ice.Model, error) {
	return buildICEModelWith(files, noSIP, defaultLimits())
}

// buildICEModelWith decodes the captures and joins SIP calls with ICE,
// within the limits lim; with noSIP the SIP messages are ignored, as if the
// capture had none.
func buildICEModelWith(files []string, noSIP bool, lim *limitFlags) (*ice.Model, error) {
	b := ice.NewBuilder(ice.Options{Limits: lim.ICE()})
	tr := sipflow.NewTrackerWithLimits(lim.SIP())
	h := func(ev *decode.Event) {
		if ev.Kind == decode.KindSIP {
			if noSIP {
				return
			}
			if m, err := sipflow.ParseMessage(ev.Payload); err == nil {
				tr.Add(m, sipflow.Meta{File: ev.File, Frame: ev.Frame, Time: ev.Time,
					Src: ev.Flow.Src, Dst: ev.Flow.Dst, Transport: ev.Flow.Transport.String()})
			}
		}
		b.Add(ev)
	}
	if _, err := decode.Run(files, lim.Decode(), h); err != nil {
		return nil, err
	}
	for _, c := range tr.Calls() {
		b.AddCall(c)
	}
	return b.Finish(), nil
}

// filterCall keeps the sessions of one call and the flows they carry.
func filterCall(md *ice.Model, id string) {
	var ss []*ice.Session
	keep := map[string]bool{}
	for _, s := range md.Sessions {
		if s.CallID == id {
			ss = append(ss, s)
			keep[s.ID] = true
		}
	}
	var fl []*ice.MediaFlow
	for _, f := range md.Flows {
		if keep[f.Session] {
			fl = append(fl, f)
		}
	}
	md.Sessions, md.Flows = ss, fl
}
