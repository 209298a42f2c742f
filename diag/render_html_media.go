package diag

import (
	"fmt"
	"math"
	"time"
)

// Media timeline geometry.
const (
	mediaLeft  = 16
	mediaPlotW = 1000
	mediaTop   = 34 // room for the axis labels
	mediaLaneH = 40
	mediaQuiet = time.Second // a silence worth marking
)

// mediaTimeline is the SVG of the media of one call or session: one lane
// per direction and path (RFC 3550 flows), on the scene's time axis, with
// the answer and the BYE marked and the silences around the media
// hatched.
type mediaTimeline struct {
	Width, Height int
	Ticks         []mediaTick
	Marks         []mediaMark
	Lanes         []mediaLane
}

type mediaTick struct {
	X     int
	Label string
}

type mediaMark struct {
	X     int
	End   bool // label left of the line, near the right edge
	Label string
	Class string
}

type mediaLane struct {
	Y, BarY    int
	X, W       int
	Label      string
	Stats      string
	Gaps       []mediaGap
	GapText    string
	GapWarning bool
}

type mediaGap struct {
	X, W  int
	Title string
}

// mediaTimeline draws the flows of the scene's sessions, or returns nil
// when none passed the capture point.
func (sc *scene) mediaTimeline() *mediaTimeline {
	flows := sc.flows()
	if len(flows) == 0 {
		return nil
	}
	t0, t1 := sc.first, sc.last
	if !sc.hasBounds {
		t0, t1 = flows[0].first, flows[0].last
	}
	for _, f := range flows {
		t0, t1 = minTime(t0, f.first), maxTime(t1, f.last)
	}
	if !t1.After(t0) {
		t1 = t0.Add(time.Second)
	}
	span := t1.Sub(t0)
	x := func(t time.Time) int {
		return mediaLeft + int(math.Round(float64(t.Sub(t0))/float64(span)*mediaPlotW))
	}
	v := &mediaTimeline{Width: mediaLeft*2 + mediaPlotW, Ticks: ticks(span, x, t0)}
	if !sc.answer.IsZero() {
		v.Marks = append(v.Marks, mark(x(sc.answer), "answered", "answer"))
	}
	if !sc.bye.IsZero() {
		v.Marks = append(v.Marks, mark(x(sc.bye), "BYE", "bye"))
	}
	y := mediaTop
	for _, f := range flows {
		v.Lanes = append(v.Lanes, sc.lane(f, x, y))
		y += mediaLaneH
	}
	v.Height = y + 8
	return v
}

func mark(x int, label, class string) mediaMark {
	return mediaMark{X: x, Label: label, Class: class, End: x > mediaLeft+mediaPlotW-80}
}

// flowSpan is a flow of the report with its times read back.
type flowSpan struct {
	FlowReport
	first, last time.Time
	gap         time.Duration
}

func (sc *scene) flows() []flowSpan {
	in := map[string]bool{}
	for _, id := range sc.sessions {
		in[id] = true
	}
	var out []flowSpan
	for i, f := range sc.r.Flows {
		a, ok1 := parseStamp(f.First)
		b, ok2 := parseStamp(f.Last)
		if !in[f.Session] || !ok1 || !ok2 {
			continue
		}
		fs := flowSpan{FlowReport: f, first: a, last: b}
		if i < len(sc.r.Timeline.Flows) {
			fs.gap = time.Duration(sc.r.Timeline.Flows[i].LongestGapMS) * time.Millisecond
		}
		out = append(out, fs)
	}
	return out
}

// lane draws one flow: its bar, the silence between the answer and its
// first packet and between its last packet and the BYE, and its longest
// gap.
func (sc *scene) lane(f flowSpan, x func(time.Time) int, y int) mediaLane {
	l := mediaLane{Y: y + 12, BarY: y + 18, X: x(f.first), W: max(x(f.last)-x(f.first), 2)}
	l.Label = f.Src + " → " + f.Dst
	if f.Relay != "" {
		l.Label += " via " + f.Relay
	}
	l.Stats = fmt.Sprintf("%s, %d packets, %d bytes", f.Transport, f.Packets, f.Bytes)
	if !sc.answer.IsZero() && f.first.Sub(sc.answer) > mediaQuiet {
		l.Gaps = append(l.Gaps, mediaGap{X: x(sc.answer), W: x(f.first) - x(sc.answer),
			Title: "no media for " + seconds(f.first.Sub(sc.answer)) + " after the answer"})
	}
	if !sc.bye.IsZero() && sc.bye.Sub(f.last) > mediaQuiet {
		l.Gaps = append(l.Gaps, mediaGap{X: x(f.last), W: x(sc.bye) - x(f.last),
			Title: "no media for " + seconds(sc.bye.Sub(f.last)) + " before the BYE"})
	}
	if f.gap > 0 {
		l.GapText = "longest gap " + seconds(f.gap)
		l.GapWarning = f.gap > mediaQuiet
	}
	return l
}

// ticks puts labels on the time axis at most ten 1-2-5 steps apart.
func ticks(span time.Duration, x func(time.Time) int, t0 time.Time) []mediaTick {
	step := tickStep(span)
	var out []mediaTick
	for d := time.Duration(0); d <= span; d += step {
		out = append(out, mediaTick{X: x(t0.Add(d)), Label: "+" + trimSeconds(d)})
	}
	return out
}

func tickStep(span time.Duration) time.Duration {
	for step := time.Millisecond; ; step *= 10 {
		for _, m := range []time.Duration{1, 2, 5} {
			if span/(step*m) <= 10 {
				return step * m
			}
		}
	}
}

func trimSeconds(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%d s", d/time.Second)
	}
	return fmt.Sprintf("%g s", d.Seconds())
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
