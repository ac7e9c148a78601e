package postgres_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/storetest"
	"github.com/hoaphong/phongchongmaidam/internal/pgtest"
)

// The restore drill of the README, with PostgreSQL's own tools: pg_dump
// of a live database (a consistent snapshot, while the service runs),
// pg_restore into a new one, and the service on the copy with the same key
// file: every receipt still opens its record with its photo and messages,
// and references go on from where they were, never again from 1.
func TestBackupAndRestoreDrill(t *testing.T) {
	ctx := context.Background()
	c := pgtest.Shared(t)
	keys := storetest.Keys(t)
	srcDSN := pgtest.NewDatabase(t)
	src := open(t, srcDSN, keys)
	var subs []*formsvc.Submission
	for i := range 3 {
		s := storetest.Tip("bản gốc")
		if i == 0 {
			s.Photos = []formsvc.Photo{{ContentType: "image/jpeg", Data: []byte("ẢNH-GỐC")}}
		}
		if err := src.CreateSubmission(ctx, s, storetest.Hash(i)); err != nil {
			t.Fatal(err)
		}
		if err := src.AddMessage(ctx, s, &formsvc.Message{Author: formsvc.AuthorReporter, Body: "lời nhắn", CreatedAt: s.CreatedAt}); err != nil {
			t.Fatal(err)
		}
		subs = append(subs, s)
	}

	dump := filepath.Join(c.Dir, "formsvc.dump") // the cluster's user writes it
	if _, err := c.Tool(ctx, "pg_dump", "--format=custom", "--file="+dump, "--dbname="+srcDSN); err != nil {
		t.Fatal(err)
	}
	dstDSN := pgtest.NewDatabase(t)
	if _, err := c.Tool(ctx, "pg_restore", "--no-owner", "--exit-on-error", "--dbname="+dstDSN, dump); err != nil {
		t.Fatal(err)
	}
	dst := open(t, dstDSN, keys)
	for i, want := range subs {
		got, err := dst.SubmissionByReceipt(ctx, storetest.Hash(i))
		if err != nil {
			t.Fatalf("receipt %d after restore: %v", i, err)
		}
		if got.Ref != want.Ref || got.Content.Text["description"] != want.Content.Text["description"] {
			t.Errorf("record %d after restore: %s %q, want %s", i, got.Ref, got.Content.Text["description"], want.Ref)
		}
		msgs, err := dst.Messages(ctx, got)
		if err != nil || len(msgs) != 1 || msgs[0].Body != "lời nhắn" {
			t.Errorf("messages of %s after restore: %v %v", got.Ref, msgs, err)
		}
		if i == 0 {
			photos, err := dst.Photos(ctx, got)
			if err != nil || len(photos) != 1 || string(photos[0].Data) != "ẢNH-GỐC" {
				t.Errorf("photo after restore: %v %v", photos, err)
			}
		}
	}
	next := storetest.Tip("sau khi khôi phục")
	if err := dst.CreateSubmission(ctx, next, storetest.Hash(99)); err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		if s.Ref == next.Ref {
			t.Errorf("the restored database gave %s again", next.Ref)
		}
	}
}
