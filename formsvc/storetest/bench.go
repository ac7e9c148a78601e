package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// Seed stores n tips in db from 16 goroutines at once (so that commits
// are shared where the store can), with hashes from first on.
func Seed(tb testing.TB, db Store, first, n int) {
	tb.Helper()
	ctx := context.Background()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1))
				if i > n {
					return
				}
				s := Tip(fmt.Sprintf("Buổi tối có nhiều người lạ ra vào, nghe nói có em gái còn nhỏ tuổi bị ép tiếp khách (%d).", i))
				if err := db.CreateSubmission(ctx, s, Hash(first+i)); err != nil {
					tb.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkEachSubmission streams every record of db (seeded with n by
// the caller), opened, and reports records/s: the store's side of an
// export, without an encoder (formsvc/export has those).
func BenchmarkEachSubmission(b *testing.B, db Store, n int) {
	ctx := context.Background()
	all := formsvc.CaseFilter{Kinds: []formsvc.Kind{formsvc.KindTip, formsvc.KindSupport}}
	got := 0
	for b.Loop() {
		got = 0
		if err := db.EachSubmission(ctx, all, func(*formsvc.Submission) error { got++; return nil }, nil); err != nil {
			b.Fatal(err)
		}
	}
	if got != n {
		b.Fatalf("streamed %d records, want %d", got, n)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkCreateSubmission stores tips from 1, 16 and 64 goroutines at
// once, as concurrent requests reach the store, each level on a fresh
// store from open: rows/s is the store's own ceiling, without HTTP
// (docs/BENCHMARKS.md).
func BenchmarkCreateSubmission(b *testing.B, open func(b *testing.B) Store) {
	for _, conc := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("conc=%d", conc), func(b *testing.B) {
			db := open(b)
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
						if err := db.CreateSubmission(ctx, Tip("Buổi tối có nhiều người lạ ra vào, nghe nói có em gái còn nhỏ tuổi bị ép tiếp khách."), Hash(int(i))); err != nil {
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

// BenchmarkReads measures what officers and reporters read, on db seeded
// with n tips by the caller (Seed from 0): a receipt lookup (the follow-up
// page), the first inbox page (50 newest of a role's records with the
// count), a case by its reference, and a year's counting facts (the
// 6-monthly and annual reports).
func BenchmarkReads(b *testing.B, db Store, n int) {
	ctx := context.Background()
	tips := []formsvc.Kind{formsvc.KindTip}
	b.Run("receipt", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i = i%n + 1
			if _, err := db.SubmissionByReceipt(ctx, Hash(i)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("inbox-page", func(b *testing.B) {
		for b.Loop() {
			page, total, err := db.Cases(ctx, formsvc.CaseFilter{Kinds: tips, Limit: 50}, time.Now().Add(-72*time.Hour))
			if err != nil || len(page) != 50 || total != n {
				b.Fatalf("%d of %d, %v", len(page), total, err)
			}
		}
	})
	b.Run("case-by-ref", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i = i%n + 1
			if _, err := db.CaseByRef(ctx, fmt.Sprintf("TB-2026-%04d", i), tips); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("report-year", func(b *testing.B) {
		year := formsvc.CaseFilter{Kinds: tips, From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
		for b.Loop() {
			got := 0
			if err := db.EachFacts(ctx, year, func(formsvc.Facts) error { got++; return nil }); err != nil || got != n {
				b.Fatalf("%d facts, %v", got, err)
			}
		}
	})
}
