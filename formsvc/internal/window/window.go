// Package window counts events per key over a sliding window: the current
// window's count plus the previous window's, weighted by how much of it
// still overlaps (httprate's estimate). The counts live in a
// formsvc.RateCounter: this process's memory (Memory) for one instance, the
// database for several (formsvc/postgres), with a count in memory in front
// of a shared one so that a client over its limit on this instance is
// refused without asking the database. The intake (formsvc/web) and the
// login guard (formsvc/console) both count with it.
package window

import (
	"context"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// Count counts per key over windows of Per; N is the limit its users
// compare the rate with. Windows start at multiples of Per since the Unix
// epoch, the same for every instance.
type Count struct {
	N      int
	Per    time.Duration
	name   string // prefix of keys in the counter, one per Count
	now    func() time.Time
	local  formsvc.RateCounter
	shared formsvc.RateCounter // nil: local only
}

// New makes a count of limit n over windows of per, on the clock now,
// named name (a prefix of its keys; unique among the counts of one
// counter). shared is the counter instances share; nil counts in this
// process only.
func New(name string, n int, per time.Duration, now func() time.Time, shared formsvc.RateCounter) *Count {
	return &Count{N: n, Per: per, name: name + ":", now: now, local: NewMemory(now), shared: shared}
}

func (c *Count) window(t time.Time) time.Time { return t.UTC().Truncate(c.Per) }

func (c *Count) rate(cur, prev int, now, w time.Time) float64 {
	return float64(prev)*float64(c.Per-now.Sub(w))/float64(c.Per) + float64(cur)
}

// counter is where the whole count is: shared when there is one.
func (c *Count) counter() formsvc.RateCounter {
	if c.shared != nil {
		return c.shared
	}
	return c.local
}

// Rate is key's count over the sliding window ending now.
func (c *Count) Rate(ctx context.Context, key string) (float64, error) {
	now := c.now().UTC()
	w := c.window(now)
	cur, prev, err := c.counter().Counts(ctx, c.name+key, w, c.Per)
	if err != nil {
		return 0, err
	}
	return c.rate(cur, prev, now, w), nil
}

// Over reports whether key's rate has reached N, counting nothing (an
// unknown key stays unknown): this process's memory first, then the shared
// counter when there is one and memory says no.
func (c *Count) Over(ctx context.Context, key string) (bool, error) {
	now := c.now().UTC()
	w := c.window(now)
	over := func(rc formsvc.RateCounter) (bool, error) {
		cur, prev, err := rc.Counts(ctx, c.name+key, w, c.Per)
		return err == nil && c.rate(cur, prev, now, w) >= float64(c.N), err
	}
	if o, _ := over(c.local); o || c.shared == nil { // memory never fails
		return o, nil
	}
	return over(c.shared)
}

// Add counts n for key and returns the window it was counted in.
func (c *Count) Add(ctx context.Context, key string, n int) (time.Time, error) {
	w := c.window(c.now())
	if c.shared != nil {
		c.local.AddCount(ctx, c.name+key, w, c.Per, n)
	}
	_, _, err := c.counter().AddCount(ctx, c.name+key, w, c.Per, n)
	return w, err
}

// Undo takes back one counted in window w, if w is still the current
// window: a past window's count stays as it was.
func (c *Count) Undo(ctx context.Context, key string, w time.Time) error {
	if !c.window(c.now()).Equal(w) {
		return nil
	}
	_, err := c.Add(ctx, key, -1)
	return err
}

// Take counts one event for key if the rate stays within N, and reports
// whether it did. It counts first and takes back what went over, so that
// events at the same moment, on this instance or another, see each other.
// With a shared counter, the count in this process's memory decides
// first: a key over N here is refused without asking the shared counter.
func (c *Count) Take(ctx context.Context, key string) (bool, error) {
	now := c.now().UTC()
	w := c.window(now)
	k := c.name + key
	ok, err := c.take(ctx, c.local, k, now, w)
	if err != nil || !ok || c.shared == nil {
		return ok, err
	}
	if ok, err = c.take(ctx, c.shared, k, now, w); !ok || err != nil {
		c.local.AddCount(ctx, k, w, c.Per, -1)
	}
	return ok, err
}

func (c *Count) take(ctx context.Context, rc formsvc.RateCounter, k string, now, w time.Time) (bool, error) {
	cur, prev, err := rc.AddCount(ctx, k, w, c.Per, 1)
	if err != nil {
		return false, err
	}
	if c.rate(cur, prev, now, w) <= float64(c.N) {
		return true, nil
	}
	_, _, err = rc.AddCount(ctx, k, w, c.Per, -1)
	return false, err
}
