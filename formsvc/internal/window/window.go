// Package window counts events per key over a sliding window: the current
// window's count plus the previous window's, weighted by how much of it
// still overlaps (httprate's estimate), kept in an httprate.LimitCounter
// so that the counts could live elsewhere than in this process. The intake
// (formsvc/web) and the login guard (formsvc/console) both count with it.
package window

import (
	"time"

	"github.com/go-chi/httprate"
)

// Count counts per key over windows of Per; N is the limit its users
// compare the rate with.
type Count struct {
	N       int
	Per     time.Duration
	offset  time.Duration // windows start when the count was made
	now     func() time.Time
	counter httprate.LimitCounter
}

// New makes a count of limit n over windows of per, on the clock now.
func New(n int, per time.Duration, now func() time.Time) *Count {
	start := now().UTC()
	return &Count{N: n, Per: per, now: now, offset: start.Sub(start.Truncate(per)),
		counter: httprate.NewLocalLimitCounter(per)}
}

func (c *Count) window(t time.Time) time.Time {
	return t.Add(-c.offset).Truncate(c.Per).Add(c.offset)
}

// Rate is key's count over the sliding window ending now.
func (c *Count) Rate(key string) float64 {
	now := c.now().UTC()
	cur := c.window(now)
	n, prev, _ := c.counter.Get(key, cur, cur.Add(-c.Per))
	return float64(prev)*float64(c.Per-now.Sub(cur))/float64(c.Per) + float64(n)
}

// Add counts n for key and returns the window it was counted in.
func (c *Count) Add(key string, n int) time.Time {
	cur := c.window(c.now().UTC())
	c.counter.IncrementBy(key, cur, n)
	return cur
}

// Undo takes back one counted in window w, if w is still the current
// window (the counter keeps only the current one writable).
func (c *Count) Undo(key string, w time.Time) {
	if cur := c.window(c.now().UTC()); cur.Equal(w) {
		if n, _, _ := c.counter.Get(key, cur, cur.Add(-c.Per)); n > 0 {
			c.counter.IncrementBy(key, cur, -1)
		}
	}
}
