package formsvc_test

import (
	"bytes"
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// BenchmarkSeal is what sealing costs the store's writer, which now seals
// each value for its row inside its transaction: a tip's text, and a
// photo (docs/BENCHMARKS.md, "Keys and files").
func BenchmarkSeal(b *testing.B) {
	k, err := formsvc.DeriveKeys(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		size int
	}{{"tip-1KB", 1 << 10}, {"photo-1MB", 1 << 20}} {
		b.Run(c.name, func(b *testing.B) {
			plain := bytes.Repeat([]byte{'x'}, c.size)
			aad := []byte("formsvc aad v2\x00photos.data\x0012345\x0042\x00tip")
			b.SetBytes(int64(c.size))
			for b.Loop() {
				k.Seal(plain, aad)
			}
		})
	}
}
