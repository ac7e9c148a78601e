package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
)

// umask sets the process's umask for the test (process-wide: the test
// must not run in parallel with others).
func umask(t *testing.T, mask int) {
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

func wantMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Errorf("%s: %v", filepath.Base(path), err)
		return
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s: mode %v, want %v", filepath.Base(path), got, want)
	}
}

// The database, its WAL and shared-memory files and its backups are
// readable by their owner only, under the usual umask 022 that left them
// 0644 before.
func TestFilesAreTheOwnersOnlyWhateverTheUmask(t *testing.T) {
	umask(t, 0o022)
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "formsvc.db")
	db, err := sqlite.Open(ctx, path, testKeys(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateSubmission(ctx, tip("Có người lạ"), hash(1)); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		wantMode(t, f, 0o600)
	}
	backup := filepath.Join(dir, "b.db")
	if err := db.Backup(ctx, backup, false); err != nil {
		t.Fatal(err)
	}
	wantMode(t, backup, 0o600)
	if err := db.Backup(ctx, backup, true); err != nil {
		t.Fatal(err)
	}
	wantMode(t, backup, 0o600)

	// A database (and WAL) from before, 0644: the next open takes group
	// and others' permissions away.
	legacy := copyLegacy(t)
	for _, f := range []string{legacy, legacy + "-wal"} {
		if f != legacy {
			if err := os.WriteFile(f, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chmod(f, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old, err := sqlite.Open(ctx, legacy, testKeys(t))
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	for _, f := range []string{legacy, legacy + "-wal", legacy + "-shm"} {
		wantMode(t, f, 0o600)
	}
}

// A path with the characters a URI reserves (# starts a fragment, ? a
// query, % an escape) opens the file at that very path: "a#1/formsvc.db"
// once opened "a", another file, and shared it with every path that
// began alike. HoldsData, Backup and a second store find the records
// there too.
func TestPathWithURICharacters(t *testing.T) {
	ctx := context.Background()
	parent := t.TempDir()
	var paths []string
	for _, name := range []string{"a#1", "a#2", "b?x=1", "c%23d"} {
		path := filepath.Join(parent, name, "formsvc.db")
		db, err := sqlite.Open(ctx, path, testKeys(t))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		s := &formsvc.Submission{Kind: formsvc.KindTip, Status: "received", Priority: "normal", Category: "karaoke",
			CreatedAt: time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)}
		if err := db.CreateSubmission(ctx, s, []byte("receipt hash of the one record")); err != nil {
			t.Errorf("%s: %v", name, err) // a shared file already holds it
		}
		if err := db.Backup(ctx, path+".bak", false); err != nil {
			t.Errorf("%s: backup: %v", name, err)
		}
		db.Close()
		paths = append(paths, path)
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != len(paths) {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("files in the folder: %q, want only the %d folders", names, len(paths))
	}
	for _, path := range paths {
		if ok, err := sqlite.HoldsData(ctx, path); err != nil || !ok {
			t.Errorf("HoldsData(%s) = %v, %v; want true", path, ok, err)
		}
		if ok, err := sqlite.HoldsData(ctx, path+".bak"); err != nil || !ok {
			t.Errorf("HoldsData(%s.bak) = %v, %v; want true", path, ok, err)
		}
	}
}
