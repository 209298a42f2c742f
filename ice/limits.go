package ice

// Limits bound what a Builder remembers, so that a flood of ufrags, STUN
// transactions or 5-tuples costs a counter, not memory (docs/limits.md).
// What a full table refuses is counted in Model.Dropped.
type Limits struct {
	MaxSessions    int // ICE sessions (ufrag pairs)
	MaxChecks      int // connectivity-check transactions
	MaxQueries     int // STUN server queries
	MaxAllocations int // TURN allocations (client, server, transport)
	MaxTURNTx      int // TURN transactions awaiting their answer
	MaxFlows       int // media flows (5-tuple and relay leg, per direction)
}

// Default limits.
const (
	DefaultMaxSessions    = 20000
	DefaultMaxChecks      = 200000
	DefaultMaxQueries     = 50000
	DefaultMaxAllocations = 20000
	DefaultMaxTURNTx      = 50000
	DefaultMaxFlows       = 100000
)

func (l Limits) withDefaults() Limits {
	set := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	set(&l.MaxSessions, DefaultMaxSessions)
	set(&l.MaxChecks, DefaultMaxChecks)
	set(&l.MaxQueries, DefaultMaxQueries)
	set(&l.MaxAllocations, DefaultMaxAllocations)
	set(&l.MaxTURNTx, DefaultMaxTURNTx)
	set(&l.MaxFlows, DefaultMaxFlows)
	return l
}

// Drop counts what a full table refused.
type Drop struct {
	What  string `json:"what"`
	Count int    `json:"count"`
}

// Reasons a Builder drops something.
const (
	dropSession    = "ICE session table full, checks of new ufrag pairs not followed"
	dropCheck      = "check table full, new checks not followed"
	dropQuery      = "STUN query table full, new queries not followed"
	dropAllocation = "allocation table full, new allocations not followed"
	dropTURNTx     = "TURN transaction table full, answers not matched"
	dropFlow       = "media flow table full, new flows not counted"
)

// drop counts one refusal.
func (b *Builder) drop(what string) {
	if b.dropped == nil {
		b.dropped = map[string]int{}
	}
	b.dropped[what]++
}

// drops returns the refusals in a fixed order.
func (b *Builder) drops() []Drop {
	var out []Drop
	for _, what := range []string{dropSession, dropCheck, dropQuery, dropAllocation, dropTURNTx, dropFlow} {
		if n := b.dropped[what]; n > 0 {
			out = append(out, Drop{What: what, Count: n})
		}
	}
	return out
}
