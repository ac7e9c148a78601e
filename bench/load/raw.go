package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"path/filepath"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
)

// rawResult is the SQLite ceiling: rows per second.
type rawResult struct {
	Rows    int64
	Commits int64
	Elapsed time.Duration
}

func (r rawResult) PerSecond() float64 { return float64(r.Rows) / r.Elapsed.Seconds() }

// rawCeiling inserts submission rows as fast as SQLite takes them: the
// service's schema and pragmas (WAL, synchronous=FULL), database/sql
// directly, batch rows per transaction, one goroutine, no HTTP, no
// validation, no per-row savepoint or reference lookup. Each row carries a
// sealed content of the size a tip has, sealed beforehand.
func rawCeiling(ctx context.Context, dir string, batch int, d time.Duration, maxRows int64) (rawResult, error) {
	path := filepath.Join(dir, "raw.db")
	keys, err := formsvc.DeriveKeys(make([]byte, 32))
	if err != nil {
		return rawResult{}, err
	}
	// The schema, by the service's own migrations.
	db, err := sqlite.Open(ctx, path, keys)
	if err != nil {
		return rawResult{}, err
	}
	db.Close()

	conn, err := sql.Open("sqlite", sqlite.FileURI(path)+"?"+sqlite.Pragmas)
	if err != nil {
		return rawResult{}, err
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	var sync string
	if err := conn.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil || sync != "2" {
		return rawResult{}, fmt.Errorf("synchronous = %q (%v), want 2 (FULL)", sync, err)
	}
	c := formsvc.Content{Text: map[string]string{
		"category":    "karaoke",
		"location":    "Quán karaoke gần chợ, thôn 3, xã Hòa Phong",
		"description": "Buổi tối có nhiều người lạ ra vào, nghe nói có em gái còn nhỏ tuổi bị ép tiếp khách. Lần 12345.",
		"observed_at": "2026-01-15", "contact": "",
	}, Bools: map[string]bool{"minors_involved": true, "coercion_suspected": false}}
	plain, _ := c.MarshalBinary()
	sealed := keys.Seal(plain, []byte("submission content:tip"))
	now := time.Now().UTC().Format(sqlite.TimeFormat)

	var r rawResult
	start := time.Now()
	deadline := start.Add(d)
	for time.Now().Before(deadline) && r.Rows < maxRows && ctx.Err() == nil {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return r, err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO submissions
			(kind, ref_year, ref_seq, receipt_hash, status, priority, category, created_at, updated_at, content)
			VALUES ('tip', 2026, ?, ?, 'received', 'normal', 'karaoke', ?, ?, ?)`)
		if err != nil {
			tx.Rollback()
			return r, err
		}
		for range batch {
			hash := make([]byte, 32)
			rand.Read(hash)
			if _, err := stmt.ExecContext(ctx, r.Rows+1, hash, now, now, sealed); err != nil {
				tx.Rollback()
				return r, err
			}
			r.Rows++
		}
		stmt.Close()
		if err := tx.Commit(); err != nil {
			return r, err
		}
		r.Commits++
	}
	r.Elapsed = time.Since(start)
	return r, nil
}
