package diag

import (
	"sort"
	"strconv"

	"github.com/icediag/icediag/decode"
)

// Severity of a finding (DIAGNOSES.md): error means the call or a media path
// failed, warning that it worked but degraded or is misconfigured.
type Severity string

// Severities, in rising order.
const (
	Info    Severity = "info"
	Warning Severity = "warning"
	Error   Severity = "error"
)

// Rank orders severities: info 1, warning 2, error 3, anything else 0.
func (s Severity) Rank() int {
	switch s {
	case Info:
		return 1
	case Warning:
		return 2
	case Error:
		return 3
	}
	return 0
}

// Frame names a frame of an input file as Wireshark numbers it, with what
// it carries (Kind*: "STUN request", "SIP response", ...) and, for packets,
// the destination transport address.
type Frame struct {
	File  string `json:"file"`
	Frame uint64 `json:"frame"`
	Kind  string `json:"kind,omitempty"`
	Dst   string `json:"dst,omitempty"`
}

func (f Frame) String() string { return f.File + "#" + strconv.FormatUint(f.Frame, 10) }

// Evidence is the frames that prove a finding: the first few and the last
// few, and how many there were in all.
type Evidence struct {
	Frames []Frame `json:"frames"`
	Count  int     `json:"count"`
}

// maxEvidence is how many frames a finding lists from each end.
const maxEvidence = decode.SampleFrames

// add records one proving frame.
func (e *Evidence) add(f Frame) {
	e.Count++
	if len(e.Frames) < 2*maxEvidence {
		e.Frames = append(e.Frames, f)
		return
	}
	// keep the first maxEvidence and a window of the last ones
	copy(e.Frames[maxEvidence:], e.Frames[maxEvidence+1:])
	e.Frames[len(e.Frames)-1] = f
}

// merge adds the frames of o, keeping the frames in capture order and
// the first and last few.
func (e *Evidence) merge(o *Evidence) {
	if o == nil || o.Count == 0 {
		return
	}
	all := append(append([]Frame(nil), e.Frames...), o.Frames...)
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].File != all[j].File {
			return all[i].File < all[j].File
		}
		return all[i].Frame < all[j].Frame
	})
	if len(all) > 2*maxEvidence {
		all = append(all[:maxEvidence:maxEvidence], all[len(all)-maxEvidence:]...)
	}
	e.Frames, e.Count = all, e.Count+o.Count
}

// Finding is one diagnosis (DIAGNOSES.md): what went wrong, the evidence,
// what to change, and what Lync would have reported.
type Finding struct {
	ID           string   `json:"id"`
	Severity     Severity `json:"severity"`
	CallID       string   `json:"call_id,omitempty"`
	Session      string   `json:"session,omitempty"`
	Title        string   `json:"title"`
	Detail       string   `json:"detail"`
	Remedy       string   `json:"remedy"`
	Evidence     Evidence `json:"evidence"`
	MSEquivalent string   `json:"ms_equivalent,omitempty"`
}

// sortFindings orders findings deterministically: by call (global last), by
// severity (highest first), then by id and title.
func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.CallID != b.CallID {
			return a.CallID < b.CallID
		}
		if a.Session != b.Session {
			return a.Session < b.Session
		}
		if a.Severity.Rank() != b.Severity.Rank() {
			return a.Severity.Rank() > b.Severity.Rank()
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.Title < b.Title
	})
}
