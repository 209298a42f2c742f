package live

import (
	"fmt"

	"golang.org/x/net/bpf"
)

// assembler builds a classic BPF program with symbolic jump targets: a
// conditional jump names the labels of its true and false branches ("" is
// the next instruction) and assemble resolves them into the 8-bit skips
// of the instruction set.
type assembler struct {
	prog   []bpf.Instruction
	labels map[string]int
	fixups []fixup
}

type fixup struct {
	at          int
	true, false string
	always      bool
}

func newAssembler() *assembler { return &assembler{labels: map[string]int{}} }

func (a *assembler) emit(in bpf.Instruction) { a.prog = append(a.prog, in) }

func (a *assembler) label(name string) { a.labels[name] = len(a.prog) }

// jump emits a conditional jump on the A register.
func (a *assembler) jump(cond bpf.JumpTest, val uint32, t, f string) {
	a.fixups = append(a.fixups, fixup{at: len(a.prog), true: t, false: f})
	a.emit(bpf.JumpIf{Cond: cond, Val: val})
}

func (a *assembler) jumpEq(val uint32, t, f string) { a.jump(bpf.JumpEqual, val, t, f) }

// jumpTo emits an unconditional jump.
func (a *assembler) jumpTo(target string) {
	a.fixups = append(a.fixups, fixup{at: len(a.prog), true: target, always: true})
	a.emit(bpf.Jump{})
}

// assemble resolves the labels; every jump must go forward.
func (a *assembler) assemble() ([]bpf.Instruction, error) {
	for _, fx := range a.fixups {
		t, err := a.skip(fx.at, fx.true)
		if err != nil {
			return nil, err
		}
		if fx.always {
			a.prog[fx.at] = bpf.Jump{Skip: uint32(t)}
			continue
		}
		f, err := a.skip(fx.at, fx.false)
		if err != nil {
			return nil, err
		}
		in := a.prog[fx.at].(bpf.JumpIf)
		in.SkipTrue, in.SkipFalse = t, f
		a.prog[fx.at] = in
	}
	return a.prog, nil
}

// skip is how many instructions a jump at index at skips to reach label.
func (a *assembler) skip(at int, label string) (uint8, error) {
	if label == "" {
		return 0, nil
	}
	to, ok := a.labels[label]
	if !ok {
		return 0, fmt.Errorf("bpf: undefined label %q", label)
	}
	n := to - at - 1
	if n < 0 || n > 255 {
		return 0, fmt.Errorf("bpf: jump from %d to %q (%d) out of range", at, label, to)
	}
	return uint8(n), nil
}
