package window_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc/internal/window"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// Take lets N through per window and takes back what it refused; the
// previous window weighs by how much of it still overlaps.
func TestTake(t *testing.T) {
	ctx := context.Background()
	c := &clock{time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	n := window.New("t", 3, time.Minute, c.now, nil)
	for i := range 5 {
		ok, err := n.Take(ctx, "k")
		if err != nil || ok != (i < 3) {
			t.Fatalf("take %d: %v, %v", i+1, ok, err)
		}
	}
	if r, _ := n.Rate(ctx, "k"); r != 3 {
		t.Errorf("rate %v, want 3: refusals are not counted", r)
	}
	c.t = c.t.Add(90 * time.Second) // half of the last window still counts: 1.5
	if ok, _ := n.Take(ctx, "k"); !ok {
		t.Error("refused at 1.5 of 3")
	}
	if ok, _ := n.Take(ctx, "k"); ok {
		t.Error("taken at 2.5+1 of 3")
	}
	w, _ := n.Add(ctx, "other", 1)
	c.t = c.t.Add(time.Minute)
	n.Undo(ctx, "other", w) // a past window stays as it was
	if r, _ := n.Rate(ctx, "other"); r != 0.5 {
		t.Errorf("rate after an undo of a past window %v, want 0.5", r)
	}
}

// failing is a shared counter that is down.
type failing struct{ calls int }

var errDown = errors.New("down")

func (f *failing) AddCount(context.Context, string, time.Time, time.Duration, int) (int, int, error) {
	f.calls++
	return 0, 0, errDown
}
func (f *failing) Counts(context.Context, string, time.Time, time.Duration) (int, int, error) {
	f.calls++
	return 0, 0, errDown
}

// With a shared counter the shared count decides, and its error is the
// caller's; a key already over its limit in this process's memory is
// refused without asking the shared counter.
func TestTakeShared(t *testing.T) {
	ctx := context.Background()
	c := &clock{time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	shared := window.NewMemory(c.now)
	n := window.New("t", 2, time.Minute, c.now, shared)
	other := window.New("t", 2, time.Minute, c.now, shared) // another instance
	if ok, _ := other.Take(ctx, "k"); !ok {
		t.Fatal("first take refused")
	}
	if ok, _ := n.Take(ctx, "k"); !ok {
		t.Fatal("second take refused")
	}
	if ok, _ := n.Take(ctx, "k"); ok {
		t.Error("third take through two instances let through")
	}
	f := &failing{}
	down := window.New("t", 1, time.Minute, c.now, f)
	if _, err := down.Take(ctx, "k"); !errors.Is(err, errDown) {
		t.Errorf("take with the shared counter down: %v, want its error", err)
	}
	calls := f.calls
	m := window.New("t", 0, time.Minute, c.now, f) // over in memory at once
	if ok, err := m.Take(ctx, "k"); ok || err != nil || f.calls != calls {
		t.Errorf("take over the limit in memory: %v, %v, %d calls to the shared counter; want a refusal without one", ok, err, f.calls-calls)
	}
}

// Over looks without counting: at N it says so, in memory first, then on
// the shared counter (another instance's takes count); the shared
// counter's error is the caller's, unless memory already knows.
func TestOver(t *testing.T) {
	ctx := context.Background()
	c := &clock{time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	shared := window.NewMemory(c.now)
	n := window.New("t", 2, time.Minute, c.now, shared)
	other := window.New("t", 2, time.Minute, c.now, shared)
	for i := range 3 {
		if over, err := n.Over(ctx, "k"); over != (i == 2) || err != nil {
			t.Fatalf("after %d takes: over %v, %v", i, over, err)
		}
		if i < 2 {
			other.Take(ctx, "k") // on the other instance
		}
	}
	if r, _ := n.Rate(ctx, "k"); r != 2 {
		t.Errorf("rate %v after looking three times, want the 2 taken", r)
	}
	f := &failing{}
	down := window.New("t", 1, time.Minute, c.now, f)
	if _, err := down.Over(ctx, "k"); !errors.Is(err, errDown) {
		t.Errorf("over with the shared counter down: %v, want its error", err)
	}
	calls := f.calls
	if over, err := window.New("t", 0, time.Minute, c.now, f).Over(ctx, "k"); !over || err != nil || f.calls != calls {
		t.Errorf("over at 0 of 0: %v, %v, %d calls to the shared counter; want over without one", over, err, f.calls-calls)
	}
}
