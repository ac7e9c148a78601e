package window

import (
	"context"
	"sync"
	"time"

	"github.com/go-chi/httprate"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// spentMax bounds the tokens Memory remembers (some 60 bytes each): past
// it, expired ones are dropped, and if none has expired a new token is
// refused (SpendOnce answers false) rather than memory grown.
const spentMax = 100_000

// Memory is the formsvc.SharedState of one instance, in its memory:
// httprate's local counters, one per window length, which keep only the
// current and the previous window; and the spent tokens until they expire.
type Memory struct {
	now      func() time.Time
	mu       sync.Mutex // makes AddCount's add and read one step
	counters map[time.Duration]httprate.LimitCounter
	spent    map[[32]byte]time.Time
}

var _ formsvc.SharedState = (*Memory)(nil)

// NewMemory makes an empty Memory on the clock now (nil: time.Now).
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{now: now, counters: map[time.Duration]httprate.LimitCounter{}, spent: map[[32]byte]time.Time{}}
}

// counter is the counter of windows of per; m.mu is held.
func (m *Memory) counter(per time.Duration) httprate.LimitCounter {
	c, ok := m.counters[per]
	if !ok {
		c = httprate.NewLocalLimitCounter(per)
		m.counters[per] = c
	}
	return c
}

// AddCount implements formsvc.RateCounter; it never fails.
func (m *Memory) AddCount(_ context.Context, key string, w time.Time, per time.Duration, n int) (int, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.counter(per)
	c.IncrementBy(key, w, n)
	return c.Get(key, w, w.Add(-per))
}

// Counts implements formsvc.RateCounter; it never fails.
func (m *Memory) Counts(_ context.Context, key string, w time.Time, per time.Duration) (int, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counter(per).Get(key, w, w.Add(-per))
}

// SpendOnce implements formsvc.OnceSet; it never fails.
func (m *Memory) SpendOnce(_ context.Context, hash [32]byte, expires time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, used := m.spent[hash]; used {
		return false, nil
	}
	if len(m.spent) >= spentMax {
		now := m.now()
		for h, e := range m.spent {
			if now.After(e) {
				delete(m.spent, h)
			}
		}
		if len(m.spent) >= spentMax {
			return false, nil
		}
	}
	m.spent[hash] = expires
	return true, nil
}
