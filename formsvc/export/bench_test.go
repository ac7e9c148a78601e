package export_test

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/export"
	"github.com/hoaphong/phongchongmaidam/formsvc/internal/teststore"
)

const benchRecords = 100_000

// benchDB is a database of 100,000 tips with realistic text, made once.
func benchDB(b *testing.B) *teststore.DB {
	b.Helper()
	keys, _ := formsvc.DeriveKeys(make([]byte, 32))
	db := teststore.Open(b, keys)
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

// BenchmarkExport100k exports 100,000 decrypted records in each format
// and reports rows per second and the peak heap in use.
//
//	go test -run '^$' -bench Export100k -benchtime 3x ./formsvc/export/
func BenchmarkExport100k(b *testing.B) {
	db := benchDB(b)
	sp := spec(b)
	for _, format := range export.Formats {
		b.Run(format, func(b *testing.B) {
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
						return db.EachSubmission(context.Background(), formsvc.CaseFilter{Kinds: []formsvc.Kind{formsvc.KindTip}}, fn, skip)
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
