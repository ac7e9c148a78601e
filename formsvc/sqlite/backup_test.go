package sqlite_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
)

// TestBackupWhileWritingRestoresEverythingCommittedBefore takes a backup
// while writers keep storing submissions, then opens the copy with the same
// key, as a restore would: every submission committed before the backup
// started is there and readable, the references in the copy have no gap (a
// consistent snapshot), and SQLite finds the file sound.
func TestBackupWhileWritingRestoresEverythingCommittedBefore(t *testing.T) {
	dir := t.TempDir()
	keys := testKeys(t)
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "live.db"), keys)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	const before = 300
	for i := range before {
		if err := db.CreateSubmission(ctx, tip(fmt.Sprintf("trước sao lưu %d", i)), hash(i)); err != nil {
			t.Fatal(err)
		}
	}

	var next atomic.Int64
	next.Store(before)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var during atomic.Int64
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				i := int(next.Add(1))
				if err := db.CreateSubmission(ctx, tip(fmt.Sprintf("trong lúc sao lưu %d", i)), hash(i)); err != nil {
					t.Error(err)
					return
				}
				during.Add(1)
			}
		}()
	}
	// Let the writers get going, back up, and keep them writing a while.
	waitFor(t, func() bool { return during.Load() >= 50 })
	copyPath := filepath.Join(dir, "backups", "formsvc-backup.db")
	if err := os.Mkdir(filepath.Dir(copyPath), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, copyPath, false); err != nil {
		t.Fatal(err)
	}
	atBackup := during.Load()
	waitFor(t, func() bool { return during.Load() >= atBackup+50 })
	close(stop)
	wg.Wait()

	restored, err := sqlite.Open(ctx, copyPath, keys)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	for i := range before {
		s, err := restored.SubmissionByReceipt(ctx, hash(i))
		if err != nil {
			t.Fatalf("submission %d, committed before the backup: %v", i, err)
		}
		if got, want := s.Content.Text["description"], fmt.Sprintf("trước sao lưu %d", i); got != want {
			t.Fatalf("submission %d reads %q, want %q", i, got, want)
		}
	}
	var n, distinct, maxSeq int
	queryRow(t, restored, "SELECT count(*), count(DISTINCT ref_seq), max(ref_seq) FROM submissions", &n, &distinct, &maxSeq)
	var live int
	queryRow(t, db, "SELECT count(*) FROM submissions", &live)
	if n < before || n != distinct || n != maxSeq || n >= live {
		t.Errorf("the copy holds %d submissions (%d references, up to %d); want all %d from before, gapless, fewer than the %d now live",
			n, distinct, maxSeq, before, live)
	}
	var check string
	queryRow(t, restored, "PRAGMA integrity_check", &check)
	if check != "ok" {
		t.Errorf("integrity_check = %q", check)
	}
	t.Logf("%d submissions before the backup, %d in the copy, %d live at the end", before, n, live)
}

// waitFor waits until cond holds, for at most 30 seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("gave up waiting after 30 s")
		}
	}
}

func queryRow(t *testing.T, db *sqlite.DB, q string, dest ...any) {
	t.Helper()
	rows, err := db.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatalf("%s: no row", q)
	}
	if err := rows.Scan(dest...); err != nil {
		t.Fatal(err)
	}
}

// TestBackupWithoutTheKeyRevealsNothing: the copy's bytes hold no text of a
// stored tip, and the copy opened with another key finds no receipt and
// cannot decrypt a record.
func TestBackupWithoutTheKeyRevealsNothing(t *testing.T) {
	dir := t.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "live.db"), testKeys(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	const marker = "MARKER-sao-luu-quan-karaoke-4471"
	s := tip(marker)
	s.Content.Text["contact"] = "MARKER-LIEN-LAC-0912999888"
	s.Photos = []formsvc.Photo{{ContentType: "image/png", Data: []byte("MARKER-ANH-2291")}}
	if err := db.CreateSubmission(ctx, s, hash(1)); err != nil {
		t.Fatal(err)
	}
	// An officer signed in: the session's token must not travel.
	if err := db.SessionStore().Commit("SESSION-MARKER-token-8812", []byte("SESSION-MARKER-data"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var live int
	queryRow(t, db, "SELECT count(*) FROM sessions", &live)
	if live != 1 {
		t.Fatalf("%d sessions in the live database, want 1", live)
	}
	copyPath := filepath.Join(dir, "b.db")
	if err := db.Backup(ctx, copyPath, false); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{marker, "MARKER-LIEN-LAC", "MARKER-ANH", "Thôn 3", "SESSION-MARKER"} {
		if bytes.Contains(b, []byte(m)) {
			t.Errorf("the backup holds %q in clear", m)
		}
	}
	if !bytes.Contains(b, []byte("karaoke")) {
		t.Errorf("the backup should hold the counting fields (category) in clear; is it a database at all?")
	}

	other, err := formsvc.DeriveKeys(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	// The service does not open the copy with another key at all...
	if stranger, err := sqlite.Open(ctx, copyPath, other); !errors.Is(err, sqlite.ErrWrongKey) {
		if err == nil {
			stranger.Close()
		}
		t.Fatalf("open the copy with another key: %v, want ErrWrongKey", err)
	}
	// ...and opened without a key (the way a tool reads the file):
	stranger, err := sqlite.Open(ctx, copyPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stranger.Close()
	var sessions int
	queryRow(t, stranger, "SELECT count(*) FROM sessions", &sessions)
	if sessions != 0 {
		t.Errorf("the backup holds %d officer sessions, want none", sessions)
	}
	// Without the key, nobody can turn a receipt into its stored hash...
	guess := formsvc.NewReceiptHasher(bytes.Repeat([]byte{7}, 32)).Hash(formsvc.Receipt("0000000000000001"))
	if _, err := stranger.SubmissionByReceipt(ctx, guess); formsvc.ErrorCode(err) != formsvc.ENOTFOUND {
		t.Errorf("lookup with a hash made without the key: error = %v, want not found", err)
	}
	// ...and the content does not open under another key.
	var sealed []byte
	queryRow(t, stranger, "SELECT content FROM submissions", &sealed)
	if plain, err := other.Open(sealed, nil); err == nil {
		t.Errorf("content opened under another key: %q", plain)
	}
}

func TestBackupRefusesToOverwriteUnlessAsked(t *testing.T) {
	dir := t.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "live.db"), testKeys(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	dest := filepath.Join(dir, "out", "b.db")
	os.Mkdir(filepath.Dir(dest), 0o700)
	if err := os.WriteFile(dest, []byte("bản sao lưu cũ"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, dest, false); !errors.Is(err, sqlite.ErrBackupExists) {
		t.Fatalf("error = %v, want ErrBackupExists", err)
	}
	if b, _ := os.ReadFile(dest); string(b) != "bản sao lưu cũ" {
		t.Errorf("the existing file was changed")
	}
	if err := db.Backup(ctx, dest, true); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(dest); !bytes.HasPrefix(b, []byte("SQLite format 3\x00")) {
		t.Errorf("overwrite: the file is not a database now")
	}
	if fi, err := os.Stat(dest); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("backup file mode = %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	if err := db.Backup(ctx, filepath.Join(dir, "live.db"), true); err == nil {
		t.Errorf("a backup onto the database itself was not refused")
	}
	if err := db.Backup(ctx, filepath.Join(dir, "no", "such", "folder", "b.db"), false); err == nil {
		t.Errorf("a backup into a missing folder did not fail")
	}
	entries, _ := os.ReadDir(filepath.Dir(dest))
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the folder holds %v, want only b.db (no temporary files left)", names)
	}
}
