package sipflow

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Widths of the text ladder, in characters.
const (
	minLadderColumn = 24
	maxLadderColumn = 44
	ladderTimeWidth = 11
)

// WriteText draws the ladder: a header naming each column by address:port
// and by the software or host name it announced, then one line per
// message with its time in milliseconds since the first, its frame number,
// an arrow between the columns and notes (SDP offer or answer,
// retransmission, transport). Capture text is escaped (see Printable).
func (l *Ladder) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	width := l.columnWidth()
	frameWidth := l.frameWidth()
	gutter := strings.Repeat(" ", ladderTimeWidth+2+frameWidth+2)
	fmt.Fprintf(bw, "Call %s\n", Printable(l.CallID))
	if !l.Start.IsZero() {
		fmt.Fprintf(bw, "first message %s UTC\n", l.Start.UTC().Format(timeLayout))
	}
	head := fmt.Sprintf("%*s  %*s  ", ladderTimeWidth, "ms", frameWidth, "frame")
	fmt.Fprintln(bw, strings.TrimRight(head+l.headerLine(width, func(h Host) string { return h.Addr.String() }), " "))
	if names := l.headerLine(width, hostLabel); strings.TrimSpace(names) != "" {
		fmt.Fprintln(bw, strings.TrimRight(gutter+names, " "))
	}
	for _, r := range l.Rows {
		fmt.Fprintf(bw, "%*s  %*s  %s%s\n", ladderTimeWidth, strconv.FormatFloat(millis(r.Offset), 'f', 3, 64),
			frameWidth, l.frameText(r), l.arrowLine(width, r), rowNotes(r))
	}
	return bw.Flush()
}

// hostLabel is the second header line of a column: the software the
// address announced, else its host name.
func hostLabel(h Host) string {
	if h.UserAgent != "" {
		return h.UserAgent
	}
	return h.Name
}

func (l *Ladder) multiFile() bool {
	for _, r := range l.Rows {
		if r.File != 0 {
			return true
		}
	}
	return false
}

func (l *Ladder) frameText(r LadderRow) string {
	if l.multiFile() {
		return strconv.Itoa(r.File+1) + ":" + strconv.FormatUint(r.Frame, 10)
	}
	return strconv.FormatUint(r.Frame, 10)
}

func (l *Ladder) frameWidth() int {
	n := len("frame")
	for _, r := range l.Rows {
		n = max(n, len(l.frameText(r)))
	}
	return n
}

// columnWidth fits the widest address and, within bounds, the widest
// arrow label between neighbouring columns.
func (l *Ladder) columnWidth() int {
	addr, label := 0, 0
	for _, h := range l.Columns {
		addr = max(addr, len(h.Addr.String())+2)
	}
	for _, r := range l.Rows {
		if d := r.To - r.From; d == 1 || d == -1 {
			label = max(label, utf8.RuneCountInString(Printable(r.Label))+6)
		}
	}
	return max(minLadderColumn, addr, min(label, maxLadderColumn))
}

// headerLine centres a text per column.
func (l *Ladder) headerLine(width int, text func(Host) string) string {
	line := blankLine(len(l.Columns), width)
	for i, h := range l.Columns {
		s := []rune(clip(Printable(text(h)), width-2))
		start := i*width + width/2 - len(s)/2
		copy(line[max(start, 0):], s)
	}
	return string(line)
}

func blankLine(cols, width int) []rune {
	return []rune(strings.Repeat(" ", cols*width))
}

// center returns the position of column i's life line.
func center(i, width int) int { return i*width + width/2 }

// arrowLine draws the life lines and the arrow of one message.
func (l *Ladder) arrowLine(width int, r LadderRow) string {
	line := blankLine(len(l.Columns), width)
	for i := range l.Columns {
		line[center(i, width)] = '|'
	}
	label := Printable(r.Label)
	if r.From == r.To {
		copy(line[center(r.From, width)+1:], []rune(clip(" <-> "+label, width-2)))
		return strings.TrimRight(string(line), " ")
	}
	a, b := center(r.From, width), center(r.To, width)
	lo, hi := min(a, b), max(a, b)
	for x := lo + 1; x < hi; x++ {
		line[x] = '-'
	}
	if a < b {
		line[hi-1] = '>'
	} else {
		line[lo+1] = '<'
	}
	text := []rune(clip(" "+label+" ", hi-lo-3))
	copy(line[lo+(hi-lo)/2-len(text)/2:], text)
	return string(line)
}

// rowNotes lists what the arrow does not show.
func rowNotes(r LadderRow) string {
	var notes []string
	switch r.SDP {
	case "offer", "answer":
		notes = append(notes, "SDP "+r.SDP)
	case "body":
		notes = append(notes, "body")
	}
	if r.Retransmission {
		notes = append(notes, "retransmission")
	}
	notes = append(notes, fmt.Sprintf("CSeq %d %s", r.CSeq, Printable(r.Method)), r.Transport)
	return "  " + strings.Join(notes, ", ")
}

// clip shortens s to n characters, marking the cut with "...".
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n <= 3 {
		return string(r[:max(n, 0)])
	}
	return string(r[:n-3]) + "..."
}
