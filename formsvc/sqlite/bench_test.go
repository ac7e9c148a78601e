package sqlite_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc/storetest"
)

// BenchmarkCreateSubmission stores tips from conc goroutines at once, the
// way concurrent requests reach the group commit: rows/s is the store's
// own ceiling, without HTTP (docs/BENCHMARKS.md).
func BenchmarkCreateSubmission(b *testing.B) {
	for _, conc := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("conc=%d", conc), func(b *testing.B) {
			db := openDB(b)
			ctx := context.Background()
			var next atomic.Int64
			b.ResetTimer()
			var wg sync.WaitGroup
			for range conc {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := next.Add(1)
						if i > int64(b.N) {
							return
						}
						if err := db.CreateSubmission(ctx, tip("Buổi tối có nhiều người lạ ra vào, nghe nói có em gái còn nhỏ tuổi bị ép tiếp khách."), hash(int(i))); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkWriteHealth is what a health check costs: answered from the
// writer's last outcome (cached, the case under traffic and for every
// check within a second of the last), or by a probe through an idle
// writer (BEGIN IMMEDIATE and an empty COMMIT).
func BenchmarkWriteHealth(b *testing.B) {
	for _, c := range []struct {
		name string
		ttl  time.Duration
	}{{"cached", time.Hour}, {"probe", 0}} {
		b.Run(c.name, func(b *testing.B) {
			db := openDB(b)
			db.SetHealth(c.ttl, 10*time.Second)
			ctx := context.Background()
			for b.Loop() {
				if err := db.WriteHealth(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEachSubmission is the store's side of an export of 10,000
// records (formsvc/storetest; the same on PostgreSQL).
func BenchmarkEachSubmission(b *testing.B) {
	db := openDB(b)
	storetest.Seed(b, db, 0, 10000)
	storetest.BenchmarkEachSubmission(b, db, 10000)
}
