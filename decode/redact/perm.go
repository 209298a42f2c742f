package redact

import (
	"crypto/sha256"
	"encoding/binary"
	"math/bits"
)

// feistelRounds is the number of rounds of the keyed permutation; six
// balanced rounds are ample for a pseudonym that only has to look random
// (Luby-Rackoff needs four for a pseudorandom permutation).
const feistelRounds = 6

// cycle is a keyed permutation of [0, n) that is a single cycle: x goes
// to the element that follows it in a keyed order of [0, n). It is a
// bijection without fixed points for n >= 2, so no value is its own
// pseudonym. tweak separates the permutations of different domains.
func (r *Redactor) cycle(tweak string, n, x uint64) uint64 {
	if n < 2 || x >= n {
		return x
	}
	pos := r.walk(tweak, n, x, false)
	return r.walk(tweak, n, (pos+1)%n, true)
}

// walk applies the Feistel permutation of the smallest even bit width
// that holds n (forward or inverse), cycle-walking until the result is
// below n (Black and Rogaway, "Ciphers with arbitrary finite domains").
func (r *Redactor) walk(tweak string, n, x uint64, forward bool) uint64 {
	w := bits.Len64(n - 1)
	if w < 2 {
		w = 2
	}
	w += w & 1
	for {
		x = r.feistel(tweak, w, x, forward)
		if x < n {
			return x
		}
	}
}

// feistel is a balanced Feistel network on w-bit values (w even, <= 64).
func (r *Redactor) feistel(tweak string, w int, x uint64, forward bool) uint64 {
	h := uint(w / 2)
	mask := uint64(1)<<h - 1
	left, right := x>>h&mask, x&mask
	for i := 0; i < feistelRounds; i++ {
		round := i
		if !forward {
			round = feistelRounds - 1 - i
		}
		if forward {
			left, right = right, left^r.roundFunc(tweak, w, round, right)&mask
		} else {
			left, right = right^r.roundFunc(tweak, w, round, left)&mask, left
		}
	}
	return left<<h | right
}

// roundFunc is the keyed round function: SHA-256 over the derived key, the
// domain, the round and the half block.
func (r *Redactor) roundFunc(tweak string, w, round int, v uint64) uint64 {
	var buf [64 + 16]byte
	b := append(buf[:0], r.permKey[:]...)
	b = binary.BigEndian.AppendUint16(b, uint16(w<<8|round))
	b = binary.BigEndian.AppendUint64(b, v)
	b = append(b, tweak...)
	sum := sha256.Sum256(b)
	return binary.BigEndian.Uint64(sum[:8])
}
