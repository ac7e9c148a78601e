package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

func TestPurgeDeletesOnlyOldClosedRecords(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	type rec struct {
		name     string
		status   string
		closedAt time.Time
		gone     bool
	}
	recs := []rec{
		{"closed long ago", "closed", now.AddDate(-2, 0, 0), true},
		{"closed recently", "closed", now.AddDate(0, -1, 0), false},
		{"open and old", "verifying", time.Time{}, false},
	}
	ids := map[string]*formsvc.Submission{}
	for i, r := range recs {
		s := tip(r.name)
		s.CreatedAt = now.AddDate(-3, 0, 0)
		s.Photos = []formsvc.Photo{{ContentType: "image/jpeg", Data: []byte("x")}}
		if err := db.CreateSubmission(ctx, s, hash(i)); err != nil {
			t.Fatal(err)
		}
		if err := db.AddMessage(ctx, s, &formsvc.Message{Author: formsvc.AuthorReporter, Body: "b", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		if !r.closedAt.IsZero() || r.status != "received" {
			var closed any
			if !r.closedAt.IsZero() {
				closed = r.closedAt.Format("2006-01-02T15:04:05.000Z")
			}
			err := db.Exec(ctx, `UPDATE submissions SET status = ?, closed_at = ? WHERE id = ?`, r.status, closed, s.ID)
			if err != nil {
				t.Fatal(err)
			}
		}
		ids[r.name] = s
	}
	n, err := db.PurgeClosed(ctx, now.AddDate(-1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("purged %d, want 1", n)
	}
	for i, r := range recs {
		_, err := db.SubmissionByReceipt(ctx, hash(i))
		if gone := formsvc.ErrorCode(err) == formsvc.ENOTFOUND; gone != r.gone {
			t.Errorf("%s: gone = %v, want %v", r.name, gone, r.gone)
		}
	}
	rows, err := db.Query(ctx, `SELECT (SELECT count(*) FROM photos), (SELECT count(*) FROM messages)`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var photos, msgs int
	rows.Next()
	rows.Scan(&photos, &msgs)
	if photos != 2 || msgs != 2 {
		t.Errorf("photos, messages left = %d, %d; want 2, 2 (the purged record's went with it)", photos, msgs)
	}
}
