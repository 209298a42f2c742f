package diag

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Cell outcomes of the candidate-pair matrix, best first.
const (
	cellSucceeded  = "succeeded"
	cellError      = "error"
	cellUnanswered = "unanswered"
	cellNeverTried = "never-tried"
)

// matrixView is the candidate-pair matrix of one component of one ICE
// session (RFC 8445 §6.1.2.2 forms the pairs): agent A's candidates as
// rows, agent B's as columns, each cell coloured by the best outcome of
// the checks either agent sent on that pair.
type matrixView struct {
	Session   string
	Component int
	SideA     string
	SideB     string
	Cols      []matrixCol
	Rows      []matrixRow
	Unmatched int
	Truncated string
}

type matrixCol struct {
	Key, Label string
}

type matrixRow struct {
	Key, Label string
	Cells      []matrixCell
}

type matrixCell struct {
	Class    string
	Mark     string
	Title    string
	Selected bool
}

// cellState accumulates the pairs of one cell.
type cellState struct {
	outcome   string
	dirs      [2]bool
	codes     []string
	checks    int
	selected  bool
	nominated bool
	media     int
}

func (sc *scene) matrices() []matrixView {
	r, ids := sc.r, sc.sessions
	var out []matrixView
	for _, id := range ids {
		d, ok := r.Timeline.ICE[id]
		if !ok {
			continue
		}
		for _, comp := range components(d) {
			out = append(out, buildMatrix(id, comp, d, sc.agentName(d, 0), sc.agentName(d, 1)))
		}
	}
	return out
}

// components lists the components that have candidates on both sides.
func components(d ICEDetail) []int {
	var have [2]map[int]bool
	for i := range have {
		have[i] = map[int]bool{}
		for _, c := range d.Sides[i].Candidates {
			have[i][c.Component] = true
		}
	}
	var out []int
	for c := range have[0] {
		if have[1][c] {
			out = append(out, c)
		}
	}
	sort.Ints(out)
	return out
}

func buildMatrix(id string, comp int, d ICEDetail, a, b string) matrixView {
	m := matrixView{Session: id, Component: comp, SideA: sideName(d.Sides[0], a), SideB: sideName(d.Sides[1], b)}
	rows, cols := candIndex(d.Sides[0], comp), candIndex(d.Sides[1], comp)
	cells := map[[2]int]*cellState{}
	for _, p := range d.Pairs {
		if p.Component != comp || p.Side < 0 || p.Side > 1 {
			continue
		}
		a, b := p.Local, p.Remote
		if p.Side == 1 {
			a, b = b, a
		}
		if _, ok := rows[a]; !ok {
			m.Unmatched++
			continue
		}
		if _, ok := cols[b]; !ok {
			m.Unmatched++
			continue
		}
		k := [2]int{a, b}
		if cells[k] == nil {
			cells[k] = &cellState{outcome: cellNeverTried}
		}
		cells[k].add(p)
	}
	colOrder := sortedIdx(cols)
	for _, j := range colOrder {
		m.Cols = append(m.Cols, matrixCol{Key: "B" + strconv.Itoa(j+1), Label: candLabel(d.Sides[1].Candidates[j])})
	}
	for _, i := range sortedIdx(rows) {
		row := matrixRow{Key: "A" + strconv.Itoa(i+1), Label: candLabel(d.Sides[0].Candidates[i])}
		for _, j := range colOrder {
			row.Cells = append(row.Cells, cells[[2]int{i, j}].view(row.Key, "B"+strconv.Itoa(j+1)))
		}
		m.Rows = append(m.Rows, row)
	}
	if n := d.Truncated["candidates"] + d.Truncated["pairs"]; n > 0 {
		m.Truncated = fmt.Sprintf("%d candidates or pairs beyond the report's bounds are left out", n)
	}
	return m
}

// add folds one pair into the cell: success beats an error response,
// which beats no response.
func (c *cellState) add(p PairDetail) {
	if p.Checks > 0 {
		c.dirs[p.Side] = true
	}
	c.checks += p.Checks
	c.media += p.MediaPackets
	c.selected = c.selected || p.Selected
	c.nominated = c.nominated || p.Nominated
	o := cellNeverTried
	switch {
	case p.State == "succeeded":
		o = cellSucceeded
	case p.ErrorCode != 0:
		o = cellError
		c.codes = append(c.codes, strconv.Itoa(int(p.ErrorCode)))
	case p.State == "failed" || p.State == "unanswered":
		o = cellUnanswered
	}
	if rank(o) < rank(c.outcome) {
		c.outcome = o
	}
}

func rank(o string) int {
	switch o {
	case cellSucceeded:
		return 0
	case cellError:
		return 1
	case cellUnanswered:
		return 2
	}
	return 3
}

func (c *cellState) view(a, b string) matrixCell {
	if c == nil {
		return matrixCell{Class: cellNeverTried, Title: a + " × " + b + ": never tried"}
	}
	v := matrixCell{Class: c.outcome, Selected: c.selected}
	switch c.outcome {
	case cellSucceeded:
		v.Mark = "✓"
	case cellError:
		v.Mark = strings.Join(c.codes, " ")
	case cellUnanswered:
		v.Mark = "…"
	}
	switch {
	case c.dirs[0] && c.dirs[1]:
		v.Mark += " ⇄"
	case c.dirs[0]:
		v.Mark += " →"
	case c.dirs[1]:
		v.Mark += " ←"
	}
	if c.selected {
		v.Mark = "★ " + v.Mark
	} else if c.nominated {
		v.Mark = "N " + v.Mark
	}
	v.Title = fmt.Sprintf("%s × %s: %s, %d checks, %d media packets", a, b, c.outcome, c.checks, c.media)
	if c.selected {
		v.Title += ", selected"
	}
	if c.nominated {
		v.Title += ", nominated"
	}
	return v
}

func candIndex(s ICESide, comp int) map[int]bool {
	out := map[int]bool{}
	for i, c := range s.Candidates {
		if c.Component == comp {
			out[i] = true
		}
	}
	return out
}

func sortedIdx(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for i := range m {
		out = append(out, i)
	}
	sort.Ints(out)
	return out
}

// candLabel reads "relay UDP 203.0.113.10:53010 (a1)".
func candLabel(c CandidateDetail) string {
	s := c.Type + " " + c.Transport + " " + c.Address
	if c.Allocation != "" {
		s += " (" + c.Allocation + ")"
	}
	if !c.Offered && c.Learned != "" {
		s += " [" + c.Learned + "]"
	}
	return s
}

// agentName names side i of a session after the host its host
// candidates sit on ("caller", "agent A").
func (sc *scene) agentName(d ICEDetail, i int) string {
	for _, c := range d.Sides[i].Candidates {
		if a, ok := hostOf(c.Address); ok && c.Type == "host" && sc.names[a] != "" {
			return sc.names[a]
		}
	}
	return "agent " + string(rune('A'+i))
}

func sideName(s ICESide, name string) string {
	if s.Role != "" {
		name += ", " + s.Role
	}
	if s.Ufrag != "" {
		name += ", ufrag " + clip(s.Ufrag, 24)
	}
	return name
}
