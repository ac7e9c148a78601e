package export_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/export"
	"github.com/hoaphong/phongchongmaidam/formsvc/move"
	"github.com/hoaphong/phongchongmaidam/formsvc/postgres"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
	"github.com/hoaphong/phongchongmaidam/internal/pgtest"
)

const benchRecords = 100_000

// benchDB is an SQLite database of 100,000 tips with realistic text,
// made once.
func benchDB(b *testing.B, keys *formsvc.Keys) *sqlite.DB {
	b.Helper()
	dir, err := os.MkdirTemp("", "export-bench-*")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "db"), keys)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	cats := []string{"karaoke", "massage", "lodging", "cafe_bar", "online", "street", "other"}
	var wg sync.WaitGroup
	work := make(chan int)
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				s := &formsvc.Submission{Kind: formsvc.KindTip, Status: "received", Priority: "normal", Category: cats[i%len(cats)],
					CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
					Content: formsvc.Content{
						Text: map[string]string{"category": cats[i%len(cats)], "location": fmt.Sprintf("Số nhà %d, thôn Đông, xã Hòa Phong", i),
							"description": "Buổi tối có nhiều người lạ ra vào, nghi có người bị ép tiếp khách; quán mở cửa đến hai giờ sáng và có phòng kín ở tầng hai.",
							"observed_at": "2026-01-01", "contact": "=cmd|' /C calc'!A0"},
						Bools: map[string]bool{"minors_involved": i%10 == 0}}}
				if err := db.CreateSubmission(context.Background(), s, []byte(fmt.Sprintf("bench-receipt-%08d", i))); err != nil {
					b.Error(err)
				}
			}
		}()
	}
	for i := range benchRecords {
		work <- i
	}
	close(work)
	wg.Wait()
	return db
}

// peakHeap samples the heap in use while f runs, with runtime/metrics
// (which, unlike ReadMemStats, does not stop the world).
func peakHeap(f func()) (peak uint64) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64()+sample[1].Value.Uint64())
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	return peak
}

// benchPostgres is a PostgreSQL database (on the throwaway cluster of
// internal/pgtest) holding the same 100,000 tips as lite, moved
// there as formsvc migrate moves a commune's database (formsvc/move): row
// for row, the same ids and sealed values.
func benchPostgres(b *testing.B, lite *sqlite.DB, keys *formsvc.Keys) *postgres.DB {
	b.Helper()
	ctx := context.Background()
	dsn := pgtest.NewDatabase(b)
	db, err := postgres.Open(ctx, dsn, keys) // the schema, and the key recorded
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	src, err := sql.Open("sqlite", "file:"+lite.Path+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	if _, err := move.Copy(ctx, src, pool); err != nil {
		b.Fatal(err)
	}
	// Fresh statistics, as autovacuum would have made them by the time an
	// officer exports a province's records.
	if _, err := pool.Exec(ctx, `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	return db
}

// exporter is what the benchmark needs of a store.
type exporter interface {
	EachSubmission(ctx context.Context, f formsvc.CaseFilter, fn func(*formsvc.Submission) error, skip func(*formsvc.Submission, error)) error
}

// BenchmarkExport100k exports 100,000 decrypted records in each format,
// from SQLite and from PostgreSQL (the same records), and reports rows
// per second and the peak heap in use.
//
//	go test -run '^$' -bench Export100k -benchtime 3x ./formsvc/export/
func BenchmarkExport100k(b *testing.B) {
	keys, _ := formsvc.DeriveKeys(make([]byte, 32))
	lite := benchDB(b, keys)
	pg := benchPostgres(b, lite, keys)
	sp := spec(b)
	for _, store := range []struct {
		name string
		db   exporter
	}{{"sqlite", lite}, {"postgres", pg}} {
		for _, format := range export.Formats {
			b.Run(store.name+"/"+format, func(b *testing.B) {
				var peak uint64
				rows := 0
				b.ResetTimer()
				start := time.Now()
				for range b.N {
					runtime.GC()
					p := peakHeap(func() {
						enc, err := export.New(format, io.Discard, sp, formsvc.KindTip)
						if err != nil {
							b.Fatal(err)
						}
						sum, err := export.Write(enc, sp, func(fn func(*formsvc.Submission) error, skip func(*formsvc.Submission, error)) error {
							return store.db.EachSubmission(context.Background(), formsvc.CaseFilter{Kinds: []formsvc.Kind{formsvc.KindTip}}, fn, skip)
						}, nil)
						if err != nil || sum.Records != benchRecords {
							b.Fatalf("exported %d, %v", sum.Records, err)
						}
						rows += sum.Records
					})
					peak = max(peak, p)
				}
				b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			})
		}
	}
}
