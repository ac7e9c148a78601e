package sqlite_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
)

func testKeys(t testing.TB) *formsvc.Keys {
	t.Helper()
	k, err := formsvc.DeriveKeys(bytes.Repeat([]byte{42}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func openDB(t testing.TB) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"), testKeys(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func tip(text string) *formsvc.Submission {
	return &formsvc.Submission{
		Kind: formsvc.KindTip, Status: formsvc.StatusReceived, Priority: formsvc.PriorityNormal,
		Category: "karaoke", CreatedAt: time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC),
		Content: formsvc.Content{Text: map[string]string{"description": text, "location": "Thôn 3"}},
	}
}

func hash(i int) []byte {
	return formsvc.NewReceiptHasher(bytes.Repeat([]byte{1}, 32)).Hash(formsvc.Receipt(fmt.Sprintf("%016d", i)))
}

func TestOpenSetsDurablePragmasAndMigratesOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "formsvc.db")
	for range 2 { // the second open finds the schema in place
		db, err := sqlite.Open(context.Background(), path, testKeys(t))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.Query(context.Background(), "SELECT count(*) FROM schema_migrations")
		if err != nil {
			t.Fatal(err)
		}
		var n int
		rows.Next()
		rows.Scan(&n)
		rows.Close()
		if n < 1 {
			t.Errorf("schema_migrations has %d rows", n)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Fatalf("database file: %v", err)
	}
}

func TestConcurrentWritesShareCommitsAndAllLand(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	const n = 300
	var wg sync.WaitGroup
	errs := make(chan error, n)
	refs := make(chan string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := tip(fmt.Sprintf("tin %d", i))
			if err := db.CreateSubmission(ctx, s, hash(i)); err != nil {
				errs <- err
				return
			}
			refs <- s.Ref
		}()
	}
	wg.Wait()
	close(errs)
	close(refs)
	for err := range errs {
		t.Error(err)
	}
	seen := map[string]bool{}
	for r := range refs {
		if seen[r] {
			t.Errorf("reference %s given twice", r)
		}
		seen[r] = true
	}
	rows, err := db.Query(ctx, "SELECT count(*), count(DISTINCT ref_seq) FROM submissions")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var count, distinct int
	rows.Next()
	rows.Scan(&count, &distinct)
	if count != n || distinct != n {
		t.Errorf("stored %d rows with %d distinct references, want %d", count, distinct, n)
	}
}

func TestContentAndPhotosAreEncryptedAtRest(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "test.db")
	db, err := sqlite.Open(context.Background(), path, testKeys(t))
	if err != nil {
		t.Fatal(err)
	}
	const marker = "MARKER-noi-dung-bi-mat-7731"
	s := tip(marker)
	s.Photos = []formsvc.Photo{{ContentType: "image/png", Data: []byte("PHOTO-MARKER-5512")}}
	if err := db.CreateSubmission(context.Background(), s, hash(1)); err != nil {
		t.Fatal(err)
	}
	photos, err := db.Photos(context.Background(), s)
	if err != nil || len(photos) != 1 || string(photos[0].Data) != "PHOTO-MARKER-5512" {
		t.Fatalf("Photos = %v, %v", photos, err)
	}
	// Search the WAL while it still holds the commit, then the main file.
	wal, _ := os.ReadFile(path + "-wal")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	main, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"database": main, "wal": wal} {
		for _, m := range []string{marker, "PHOTO-MARKER-5512", "Thôn 3"} {
			if bytes.Contains(b, []byte(m)) {
				t.Errorf("%s file holds %q in clear", name, m)
			}
		}
	}
	if !bytes.Contains(main, []byte("karaoke")) {
		t.Errorf("the category, a counting field, should stay queryable in clear")
	}
}

func TestWriteAfterCloseFails(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "x.db"), testKeys(t))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := db.CreateSubmission(context.Background(), tip("muộn"), hash(1)); err != sqlite.ErrClosed {
		t.Errorf("error = %v, want ErrClosed", err)
	}
}

// TestGroupWithAFailingWriteKeepsTheOthers holds the writer with a slow
// write while submissions queue up, so that they share one group commit;
// some reuse a taken receipt. The group, first run without savepoints,
// fails, runs again with them, and keeps every other submission.
func TestGroupWithAFailingWriteKeepsTheOthers(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	if err := db.CreateSubmission(ctx, tip("đã có"), hash(0)); err != nil {
		t.Fatal(err)
	}
	release, _ := db.HoldWriter(ctx)
	const n = 40
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := hash(i + 1)
			if i%10 == 3 {
				h = hash(0) // taken
			}
			errs[i] = db.CreateSubmission(ctx, tip(fmt.Sprintf("tin %d", i)), h)
		}()
	}
	waitQueued(t, db, n) // every submission, behind the held write
	release()
	wg.Wait()
	taken := 0
	for i, err := range errs {
		switch {
		case i%10 == 3 && err != formsvc.ErrReceiptTaken:
			t.Errorf("submission %d reused a receipt: error = %v, want ErrReceiptTaken", i, err)
		case i%10 == 3:
			taken++
		case err != nil:
			t.Errorf("submission %d: %v", i, err)
		}
	}
	rows, err := db.Query(ctx, "SELECT count(*), count(DISTINCT ref_seq), max(ref_seq) FROM submissions")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var count, distinct, maxSeq int
	rows.Next()
	rows.Scan(&count, &distinct, &maxSeq)
	if want := 1 + n - taken; count != want || distinct != want || maxSeq != want {
		t.Errorf("stored %d rows, %d distinct references up to %d; want %d, gapless", count, distinct, maxSeq, want)
	}
	if commits, writes := db.WriteStats(); writes != int64(2+n) || commits != 3 {
		t.Errorf("%d writes in %d commits, want %d writes in 3 (one group for the queued ones)", writes, commits, 2+n)
	}
}
