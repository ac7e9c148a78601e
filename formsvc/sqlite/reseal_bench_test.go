package sqlite

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// BenchmarkResealMigration times the first Open of a database from before
// sealed values were bound to their places: 100,000 tips (a tip's usual
// text) and 10,000 reporter messages sealed the old way, as main wrote
// them, re-sealed in one transaction. Then the next Open, which finds the
// step done (docs/BENCHMARKS.md, "Keys and files").
func BenchmarkResealMigration(b *testing.B) {
	const tips, messages = 100_000, 10_000
	keys, err := formsvc.DeriveKeys(bytes.Repeat([]byte{42}, 32))
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	master := filepath.Join(dir, "legacy.db")
	writeLegacy(b, master, keys, tips, messages)
	fi, _ := os.Stat(master)
	b.Logf("legacy database: %d tips, %d messages, %.1f MB", tips, messages, float64(fi.Size())/1e6)
	var first, again time.Duration
	var walMB float64
	for i := range b.N {
		path := filepath.Join(dir, fmt.Sprintf("copy%d.db", i))
		copyFile(b, master, path)
		start := time.Now()
		db, err := Open(context.Background(), path, keys)
		if err != nil {
			b.Fatal(err)
		}
		first += time.Since(start)
		if fi, err := os.Stat(path + "-wal"); err == nil {
			walMB = max(walMB, float64(fi.Size())/1e6)
		}
		var detail string
		if err := db.read.QueryRow(`SELECT detail FROM keyed_migrations`).Scan(&detail); err != nil {
			b.Fatal(err)
		}
		if want := fmt.Sprintf("%d values sealed again, 0 left", tips+messages); !strings.HasPrefix(detail, want) {
			b.Fatalf("keyed_migrations: %q, want %q…", detail, want)
		}
		db.Close()
		start = time.Now()
		if db, err = Open(context.Background(), path, keys); err != nil {
			b.Fatal(err)
		}
		again += time.Since(start)
		db.Close()
		os.Remove(path)
	}
	b.ReportMetric(first.Seconds()/float64(b.N), "s/first-open")
	b.ReportMetric(float64(tips+messages)*float64(b.N)/first.Seconds(), "values/s")
	b.ReportMetric(float64(again.Milliseconds())/float64(b.N), "ms/next-open")
	b.ReportMetric(walMB, "MB-wal")
}

// writeLegacy makes a database at path as the previous version left it:
// every migration but 0006_keys, and values sealed with the kind alone as
// additional data.
func writeLegacy(b *testing.B, path string, keys *formsvc.Keys, tips, messages int) {
	b.Helper()
	db, err := Open(context.Background(), path, nil) // the schema, no keyed step
	if err != nil {
		b.Fatal(err)
	}
	db.Close()
	conn, err := sql.Open("sqlite", "file:"+path+"?"+Pragmas)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec(`DROP TABLE keyed_migrations; DROP TABLE key_check; DELETE FROM schema_migrations WHERE version = 6`); err != nil {
		b.Fatal(err)
	}
	text := strings.Repeat("Quán karaoke ở thôn 3 có nhiều người lạ ra vào buổi tối, nghe nói có em gái nhỏ tuổi. ", 4)
	at := time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)
	for start := 0; start < tips; start += 512 {
		tx, err := conn.Begin()
		if err != nil {
			b.Fatal(err)
		}
		for i := start; i < min(start+512, tips); i++ {
			s := formsvc.Content{Text: map[string]string{"description": text, "location": "Thôn 3, gần chợ", "category": "karaoke"}}
			plain, _ := s.MarshalBinary()
			receipt := make([]byte, 32)
			io.ReadFull(rand.Reader, receipt)
			created := at.Add(time.Duration(i) * time.Minute).Format(TimeFormat)
			if _, err := tx.Exec(`INSERT INTO submissions (kind, ref_year, ref_seq, receipt_hash, status, priority, category, created_at, updated_at, content)
				VALUES ('tip', 2026, ?, ?, 'received', 'normal', 'karaoke', ?, ?, ?)`, i+1, receipt, created, created,
				keys.Seal(plain, []byte("submission content:tip"))); err != nil {
				b.Fatal(err)
			}
			if i < messages {
				if _, err := tx.Exec(`INSERT INTO messages (submission_id, author, body, created_at) VALUES (?, 'reporter', ?, ?)`,
					i+1, keys.Seal([]byte("Tôi nhớ thêm: có xe biển số lạ đỗ trước quán."), []byte("message:tip")), created); err != nil {
					b.Fatal(err)
				}
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := conn.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
}

func copyFile(b *testing.B, from, to string) {
	b.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		b.Fatal(err)
	}
}
