package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrBackupExists is returned when the backup's file already exists and
// overwriting it was not asked for.
var ErrBackupExists = errors.New("sqlite: backup file already exists")

// Backup writes a consistent copy of the database to dest while writes go
// on. SQLite's VACUUM INTO copies one read snapshot (every transaction
// committed before it started, none after) into a temporary file in dest's
// folder, which is synced to disk and then put in place in one step: a
// rename when overwrite is set, else a hard link that fails if dest
// appeared meanwhile. A failed backup leaves nothing behind.
//
// The copy holds what the database holds, less the officers' sessions:
// content, photos, messages and notes sealed with the key, receipts as
// keyed hashes, no deleted rows. The key file is not in it and Backup
// never reads it.
func (db *DB) Backup(ctx context.Context, dest string, overwrite bool) (err error) {
	abs, err := filepath.Abs(dest)
	if err != nil {
		return err
	}
	self, err := filepath.Abs(db.Path)
	if err != nil {
		return err
	}
	for _, f := range []string{self, self + "-wal", self + "-shm"} {
		if sameFile(abs, f) {
			return fmt.Errorf("backup: %s is the database itself", dest)
		}
	}
	if !overwrite {
		if _, err := os.Lstat(abs); err == nil {
			return ErrBackupExists
		}
	}
	dir := filepath.Dir(abs)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(abs)+".tmp-*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer func() {
		// Gone after a rename; after a link, or a failure, it goes now.
		os.Remove(tmpName)
		if err != nil {
			os.Remove(tmpName + "-journal")
		}
	}()
	// VACUUM INTO accepts an empty file as its target. It reads through a
	// connection of the read pool: the writer is never held up.
	if _, err := db.read.ExecContext(ctx, "VACUUM INTO ?", tmpName); err != nil {
		return fmt.Errorf("backup: vacuum into: %w", err)
	}
	if err := scrubCopy(ctx, tmpName); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// VACUUM INTO does not sync what it wrote.
	if err := syncFile(tmpName); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if overwrite {
		err = os.Rename(tmpName, abs)
	} else if err = os.Link(tmpName, abs); errors.Is(err, fs.ErrExist) {
		return ErrBackupExists
	} else if err != nil {
		// A file system without hard links (a FAT-formatted USB stick):
		// check, then rename.
		if _, serr := os.Lstat(abs); serr == nil {
			return ErrBackupExists
		}
		err = os.Rename(tmpName, abs)
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := syncFile(dir); err != nil {
		return fmt.Errorf("backup: sync folder: %w", err)
	}
	return nil
}

// scrubCopy takes the officers' sessions out of the copy: their tokens
// would let whoever holds the file act as a signed-in officer until they
// expire, and a restored database starts with everyone signed out anyway.
// secure_delete overwrites them; the copy leaves WAL mode for a
// self-contained file (the service turns WAL on again when it opens it).
func scrubCopy(ctx context.Context, path string) error {
	conn, err := sql.Open("sqlite", FileURI(path)+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(delete)"+
		"&_pragma=synchronous(full)&_pragma=secure_delete(on)")
	if err != nil {
		return err
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sessions'`).Scan(&n); err != nil {
		return fmt.Errorf("read the copy: %w", err)
	}
	if n > 0 {
		if _, err := conn.ExecContext(ctx, "DELETE FROM sessions"); err != nil {
			return fmt.Errorf("clear sessions in the copy: %w", err)
		}
	}
	return conn.Close()
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// sameFile reports whether a and b name the same existing file.
func sameFile(a, b string) bool {
	if a == b {
		return true
	}
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}
