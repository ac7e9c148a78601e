package formsvc_test

import (
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/phototest"
)

// BenchmarkCleanPhoto12MP cleans an ordinary phone photo (4000x3000,
// 4:2:0, about 3.6 MB) held upright and turned (EXIF orientation 6), and
// BenchmarkCleanPhoto50MP one of a high-resolution mode (8160x6120).
// Run: go test -run '^$' -bench CleanPhoto -benchmem ./formsvc/
func BenchmarkCleanPhoto12MP(b *testing.B) { benchmarkCleanPhoto(b, 4000, 3000) }

func BenchmarkCleanPhoto50MP(b *testing.B) { benchmarkCleanPhoto(b, 8160, 6120) }

func benchmarkCleanPhoto(b *testing.B, w, h int) {
	for _, o := range []struct {
		name string
		o    int
	}{{"upright", 1}, {"turned", 6}} {
		in := phototest.PhoneJPEG(w, h, o.o)
		b.Run(o.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				if _, err := formsvc.CleanPhoto(b.Context(), in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
