package formsvc

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestPasswordHashesAreBounded: with every hash slot taken, a check waits
// (here until its context ends) and answers EUNAVAILABLE instead of
// taking another 64 MiB; once a slot is free it answers.
func TestPasswordHashesAreBounded(t *testing.T) {
	hash, err := HashPassword(context.Background(), "mat-khau-du-dai-2026")
	if err != nil {
		t.Fatal(err)
	}
	if err := hashGate.Acquire(context.Background(), hashSlots); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := CheckPassword(ctx, "mat-khau-du-dai-2026", hash); ErrorCode(err) != EUNAVAILABLE {
		t.Errorf("with every slot taken: err = %v, want EUNAVAILABLE", err)
	}
	if err := CheckNoPassword(ctx, "x"); ErrorCode(err) != EUNAVAILABLE {
		t.Errorf("unknown user, every slot taken: err = %v, want EUNAVAILABLE", err)
	}
	hashGate.Release(hashSlots)

	// Eight at once: they wait their turn (here as long as it takes, so that
	// a busy machine cannot fail the test), and all answer.
	defer func(d time.Duration) { hashWait = d }(hashWait)
	hashWait = 10 * time.Minute
	var wg sync.WaitGroup
	var answered atomic.Int32
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, err := CheckPassword(context.Background(), "mat-khau-du-dai-2026", hash); ok && err == nil {
				answered.Add(1)
			}
		}()
	}
	wg.Wait()
	if answered.Load() != 8 {
		t.Errorf("%d of 8 checks at once answered, want all (they queue)", answered.Load())
	}
}
