package capfile

import "io"

// Merger interleaves several captures of one incident (for example an Edge
// server's internal and external interfaces) in timestamp order. A damaged
// file stops only that file; its error is kept and the others continue.
type Merger struct {
	files []*File
	heads []Packet
	state []headState
	errs  []error
}

type headState uint8

const (
	headEmpty headState = iota // next packet not read yet
	headReady                  // heads[i] holds the file's next packet
	headDone                   // file ended or failed
)

// NewMerger merges files; file indexes returned by Next index this slice.
func NewMerger(files []*File) *Merger {
	return &Merger{
		files: files,
		heads: make([]Packet, len(files)),
		state: make([]headState, len(files)),
	}
}

// Next fills p with the earliest pending packet of all files and returns the
// index of its file. Equal timestamps go by file order, then frame number.
// p.Data stays valid until the next call. Next returns io.EOF when every
// file has ended or failed; failures are reported by Errors.
func (m *Merger) Next(p *Packet) (file int, err error) {
	if len(m.files) == 1 {
		return m.next1(p)
	}
	best := -1
	for i := range m.files {
		if m.state[i] == headEmpty {
			m.advance(i)
		}
		if m.state[i] == headReady && (best < 0 || m.heads[i].Timestamp.Before(m.heads[best].Timestamp)) {
			best = i
		}
	}
	if best < 0 {
		return -1, io.EOF
	}
	*p = m.heads[best]
	m.state[best] = headEmpty
	return best, nil
}

// next1 is Next for a single file: its packets go straight to p, without
// the copy through heads.
func (m *Merger) next1(p *Packet) (int, error) {
	if m.state[0] == headDone {
		return -1, io.EOF
	}
	err := m.files[0].Next(p)
	if err == nil {
		return 0, nil
	}
	m.state[0] = headDone
	if err != io.EOF {
		m.errs = append(m.errs, err)
	}
	return -1, io.EOF
}

// advance reads the next packet of file i.
func (m *Merger) advance(i int) {
	err := m.files[i].Next(&m.heads[i])
	switch err {
	case nil:
		m.state[i] = headReady
	case io.EOF:
		m.state[i] = headDone
	default:
		m.state[i] = headDone
		m.errs = append(m.errs, err)
	}
}

// Errors returns the errors that stopped files, in the order they happened.
func (m *Merger) Errors() []error {
	return append([]error(nil), m.errs...)
}
