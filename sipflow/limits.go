package sipflow

// Limits bound the state a Tracker keeps, so that a flood of distinct
// Call-IDs or transactions costs a counter, not memory (docs/limits.md).
type Limits struct {
	// MaxCalls is the most calls tracked at once. When a new call would
	// exceed it, the oldest finished call (ended by BYE, CANCEL or an error
	// response) is dropped, else the oldest call.
	MaxCalls int
	// MaxTransactions is the most non-call transactions (REGISTER,
	// SUBSCRIBE, OPTIONS, ...) kept; the oldest are dropped first.
	MaxTransactions int
}

// Defaults of Limits.
const (
	DefaultMaxCalls        = 20000
	DefaultMaxTransactions = 50000
	// maxMethods bounds the distinct request methods Capture counts; others
	// are counted under otherMethod.
	maxMethods  = 64
	otherMethod = "(other)"
	// evictScan bounds how many of the oldest calls are searched for a
	// finished one before the oldest is dropped.
	evictScan = 256
)

func (l Limits) withDefaults() Limits {
	if l.MaxCalls <= 0 {
		l.MaxCalls = DefaultMaxCalls
	}
	if l.MaxTransactions <= 0 {
		l.MaxTransactions = DefaultMaxTransactions
	}
	return l
}

// NewTrackerWithLimits returns an empty Tracker with the given limits.
func NewTrackerWithLimits(l Limits) *Tracker {
	t := NewTracker()
	t.limits = l.withDefaults()
	return t
}

// finished reports whether a call has ended: nothing more is expected of it.
func (c *Call) finished() bool {
	return !c.End.IsZero() || c.FinalStatus >= 300
}

// makeRoomForCall drops a call when the table is full.
func (t *Tracker) makeRoomForCall() {
	if len(t.calls) < t.limits.MaxCalls {
		return
	}
	victim := -1
	for i := 0; i < len(t.callOrder) && i < evictScan; i++ {
		if t.callOrder[i].finished() {
			victim = i
			break
		}
	}
	if victim < 0 {
		victim = 0
	}
	c := t.callOrder[victim]
	t.callOrder = append(t.callOrder[:victim], t.callOrder[victim+1:]...)
	delete(t.calls, c.CallID)
	for _, tx := range c.Transactions {
		delete(t.transactions, tx.ID)
	}
	t.EvictedCalls++
}

// makeRoomForTransaction drops the oldest non-call transaction when the
// list is full.
func (t *Tracker) makeRoomForTransaction() {
	for len(t.other) >= t.limits.MaxTransactions {
		delete(t.transactions, t.other[0].ID)
		t.other[0] = nil
		t.other = t.other[1:]
		t.EvictedTransactions++
	}
}
