package postgres_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc/internal/window"
	"github.com/hoaphong/phongchongmaidam/formsvc/postgres"
	"github.com/hoaphong/phongchongmaidam/formsvc/storetest"
	"github.com/hoaphong/phongchongmaidam/internal/pgtest"
)

// Two instances counting one key at the same moment: a limit of 10 lets
// exactly 10 of 64 attempts through, whichever instance each goes to,
// and what was refused is not counted.
func TestRateCountsAreSharedByInstances(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	a, b := open(t, dsn, storetest.Keys(t)), open(t, dsn, storetest.Keys(t))
	counts := []*window.Count{
		window.New("test", 10, time.Hour, time.Now, a.SharedState()),
		window.New("test", 10, time.Hour, time.Now, b.SharedState()),
	}
	var taken atomic.Int32
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			ok, err := counts[i%2].Take(ctx, "client")
			if err != nil {
				t.Error(err)
			}
			if ok {
				taken.Add(1)
			}
		})
	}
	wg.Wait()
	if taken.Load() != 10 {
		t.Errorf("%d attempts taken through two instances, want 10", taken.Load())
	}
	if rate, err := counts[0].Rate(ctx, "client"); err != nil || rate != 10 {
		t.Errorf("rate %v, %v; want 10 (refused attempts taken back)", rate, err)
	}
	if rate, _ := counts[1].Rate(ctx, "other"); rate != 0 {
		t.Errorf("another key's rate %v, want 0", rate)
	}
}

// A token is spent once across instances, even when 16 spend it at once.
func TestTokensAreSpentOnceAcrossInstances(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	dbs := []*postgres.DB{open(t, dsn, storetest.Keys(t)), open(t, dsn, storetest.Keys(t))}
	h := sha256.Sum256([]byte("token"))
	var first atomic.Int32
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			ok, err := dbs[i%2].SharedState().SpendOnce(ctx, h, time.Now().Add(time.Minute))
			if err != nil {
				t.Error(err)
			}
			if ok {
				first.Add(1)
			}
		})
	}
	wg.Wait()
	if first.Load() != 1 {
		t.Errorf("token spent first %d times, want once", first.Load())
	}
}

// Expired counts and tokens are deleted by the clean-up, live ones kept.
func TestSharedStateCleanup(t *testing.T) {
	defer postgres.SetSharedCleanup(50 * time.Millisecond)()
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	db := open(t, dsn, storetest.Keys(t))
	st := db.SharedState()
	old := time.Now().Add(-time.Hour).Truncate(time.Minute)
	if _, _, err := st.AddCount(ctx, "old", old, time.Minute, 1); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.AddCount(ctx, "live", time.Now().Truncate(time.Hour), time.Hour, 1); err != nil {
		t.Fatal(err)
	}
	st.SpendOnce(ctx, sha256.Sum256([]byte("old")), time.Now().Add(-time.Second))
	st.SpendOnce(ctx, sha256.Sum256([]byte("live")), time.Now().Add(time.Hour))
	c := conn(t, dsn)
	deadline := time.Now().Add(10 * time.Second)
	for {
		var counts, tokens int
		if err := c.QueryRow(ctx, `SELECT (SELECT count(*) FROM rate_counts), (SELECT count(*) FROM spent_tokens)`).Scan(&counts, &tokens); err != nil {
			t.Fatal(err)
		}
		if counts == 1 && tokens == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d counts and %d tokens after 10s, want the expired ones gone", counts, tokens)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// BenchmarkTake is the cost of one per-client limit check: in memory (one
// instance on SQLite) and in PostgreSQL (several instances), for one key
// and for a new key each time (a flood from many addresses); and of a look
// that counts nothing (Over: an IPv6 client's /48, before its /64).
func BenchmarkTake(b *testing.B) {
	ctx := context.Background()
	db := open(b, pgtest.NewDatabase(b), storetest.Keys(b))
	for _, c := range []struct {
		name   string
		shared bool
		many   bool
		look   bool // Over (a look that counts nothing) instead of Take
	}{{"memory/one-key", false, false, false}, {"memory/many-keys", false, true, false},
		{"postgres/one-key", true, false, false}, {"postgres/many-keys", true, true, false},
		{"memory/look", false, false, true}, {"postgres/look", true, false, true}} {
		b.Run(c.name, func(b *testing.B) {
			var count *window.Count
			if c.shared {
				count = window.New("bench", 1<<30, time.Hour, time.Now, db.SharedState())
			} else {
				count = window.New("bench", 1<<30, time.Hour, time.Now, nil)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				key := "one"
				if c.many {
					key = fmt.Sprint(i)
					i++
				}
				check := count.Take
				if c.look {
					check = count.Over
				}
				if _, err := check(ctx, key); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
