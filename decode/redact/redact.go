package redact

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"net/netip"
	"sync"
)

// Redactor maps identifying values of a capture to consistent pseudonyms
// (docs/redaction.md). The zero value is not usable; call New.
type Redactor struct {
	key     []byte   // HMAC-SHA256 key of every pseudonym
	permKey [32]byte // key of the address permutations

	mu     sync.Mutex
	addrs  map[netip.Addr]netip.Addr
	idents identTable
}

// New returns a Redactor; the same non-empty key gives the same pseudonyms
// across runs and files, an empty key a random one per process.
func New(key []byte) *Redactor {
	if len(key) == 0 {
		key = make([]byte, 32)
		rand.Read(key) // never fails: Go 1.24+ crashes instead of returning an error
	}
	r := &Redactor{key: append([]byte(nil), key...), addrs: map[netip.Addr]netip.Addr{}}
	copy(r.permKey[:], r.mac("address-permutation", nil))
	r.idents.init()
	return r
}

// mac returns HMAC-SHA256(key, domain || 0 || data): the keyed digest every
// pseudonym is derived from.
func (r *Redactor) mac(domain string, data []byte) []byte {
	m := hmac.New(sha256.New, r.key)
	m.Write([]byte(domain))
	m.Write([]byte{0})
	m.Write(data)
	return m.Sum(nil)
}

// stream returns n keyed pseudo-random bytes for value v of a domain
// (HMAC-SHA256 in counter mode).
func (r *Redactor) stream(domain string, v []byte, n int) []byte {
	out := make([]byte, 0, n+32)
	var ctr [1]byte
	for len(out) < n {
		out = append(out, r.mac(domain+string(ctr[:]), v)...)
		ctr[0]++
	}
	return out[:n]
}
