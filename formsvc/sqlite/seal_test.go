package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
)

// copyLegacy copies testdata/legacy-v4.db, a database written by main at
// fc2c0ea (before sealed values were bound to their places) with the
// program in testdata/legacygen.go.txt and testKeys' master key.
func copyLegacy(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/legacy-v4.db")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "formsvc.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// scanRow reads the one row of q with args into dest.
func scanRow(t *testing.T, db *sqlite.DB, q string, args []any, dest ...any) {
	t.Helper()
	rows, err := db.Query(context.Background(), q, args...)
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

func legacyReceipt(keys *formsvc.Keys, i int) []byte {
	return formsvc.NewReceiptHasher(keys.Receipt).Hash(formsvc.Receipt(fmt.Sprintf("123456789012345%d", i)))
}

// readLegacy reads back everything the legacy database holds, through the
// store's own read paths; it fails the test on any value that does not
// open.
func readLegacy(t *testing.T, db *sqlite.DB, keys *formsvc.Keys) string {
	t.Helper()
	ctx := context.Background()
	var got []string
	for i := range 3 {
		s, err := db.SubmissionByReceipt(ctx, legacyReceipt(keys, i))
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		got = append(got, s.Content.Text["description"]+s.Content.Text["message"])
		photos, err := db.Photos(ctx, s)
		if err != nil {
			t.Fatalf("photos of %s: %v", s.Ref, err)
		}
		for _, p := range photos {
			got = append(got, string(p.Data))
		}
		msgs, err := db.Messages(ctx, s)
		if err != nil {
			t.Fatalf("messages of %s: %v", s.Ref, err)
		}
		for _, m := range msgs {
			got = append(got, m.Body)
		}
		notes, err := db.Notes(ctx, s)
		if err != nil {
			t.Fatalf("notes of %s: %v", s.Ref, err)
		}
		for _, n := range notes {
			got = append(got, n.Body)
		}
		hist, err := db.History(ctx, s)
		if err != nil {
			t.Fatalf("history of %s: %v", s.Ref, err)
		}
		for _, h := range hist {
			got = append(got, h.Note)
		}
	}
	o, _, err := db.OfficerByUsername(ctx, "quantri")
	if err != nil {
		t.Fatal(err)
	}
	secret, err := db.TOTPSecret(ctx, o.ID)
	if err != nil {
		t.Fatalf("TOTP secret: %v", err)
	}
	return strings.Join(append(got, secret), "|")
}

const legacyWant = "LEGACY-TIP-1 quán karaoke có em nhỏ|LEGACY-PHOTO-1|LEGACY-MESSAGE-1 thêm thông tin|LEGACY-REPLY-1 cảm ơn|" +
	"LEGACY-TIP-2 nhà nghỉ giữ giấy tờ|LEGACY-NOTE-1 đã chuyển|LEGACY-STATUS-1 đang xác minh|" +
	"LEGACY-SUPPORT-1 cần xét nghiệm|JBSWY3DPEHPK3PXP"

// A database from before the binding opens with every value readable,
// each now sealed for its own place; the step runs once.
func TestLegacyDatabaseIsResealedOnce(t *testing.T) {
	path := copyLegacy(t)
	keys := testKeys(t)
	ctx := context.Background()
	for round := range 2 {
		db, err := sqlite.Open(ctx, path, keys)
		if err != nil {
			t.Fatalf("open %d: %v", round, err)
		}
		if got := readLegacy(t, db, keys); got != legacyWant {
			t.Errorf("open %d read\n%s\nwant\n%s", round, got, legacyWant)
		}
		var n int
		var detail string
		queryRow(t, db, `SELECT count(*), max(detail) FROM keyed_migrations`, &n, &detail)
		if n != 1 || detail != "9 values sealed again, 0 left as they were (they did not open)" {
			t.Errorf("open %d: keyed_migrations = %d rows, %q", round, n, detail)
		}
		// The old way no longer opens what is stored: it was sealed again.
		var sealed []byte
		queryRow(t, db, `SELECT content FROM submissions WHERE kind = 'tip' ORDER BY id LIMIT 1`, &sealed)
		if _, err := keys.Open(sealed, []byte("submission content:tip")); err == nil {
			t.Errorf("open %d: a record's content still opens with its kind alone as additional data", round)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// Another key than the legacy database's opens none of its values: Open
// refuses before any migration, and the file is byte for byte as it was
// (the right key still reads everything).
func TestLegacyDatabaseWithAnotherKeyIsRefused(t *testing.T) {
	path := copyLegacy(t)
	other, err := formsvc.DeriveKeys(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if db, err := sqlite.Open(ctx, path, other); !errors.Is(err, sqlite.ErrWrongKey) {
		if err == nil {
			db.Close()
		}
		t.Fatalf("Open with another key: %v, want ErrWrongKey", err)
	}
	if after, err := os.ReadFile(path); err != nil || !bytes.Equal(before, after) {
		t.Fatalf("the refused open changed the file (%v)", err)
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		t.Fatalf("the refused open left %d bytes in the WAL", fi.Size())
	}
	keys := testKeys(t)
	db, err := sqlite.Open(ctx, path, keys)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := readLegacy(t, db, keys); got != legacyWant {
		t.Errorf("read after the refused open\n%s\nwant\n%s", got, legacyWant)
	}
}

// Values swapped between places (rows, columns, records) are tested on both
// stores in formsvc/storetest (SwappedSealedValuesDoNotOpen).

// The database keeps its key's check value from the first open: another
// key is refused even before the database holds a record.
func TestDatabaseRecognisesItsKey(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "formsvc.db")
	if held, err := sqlite.HoldsData(ctx, path); err != nil || held {
		t.Fatalf("HoldsData of a missing file = %v, %v", held, err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("HoldsData made the file: %v", err)
	}
	// Opened by a tool without a key: the schema, nothing of a key.
	db, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if held, err := sqlite.HoldsData(ctx, path); err != nil || held {
		t.Fatalf("HoldsData of an empty schema = %v, %v", held, err)
	}
	keys := testKeys(t)
	db, err = sqlite.Open(ctx, path, keys)
	if err != nil {
		t.Fatal(err)
	}
	var check []byte
	scanRow(t, db, `SELECT value FROM key_check`, nil, &check)
	if !bytes.Equal(check, keys.Check()) {
		t.Errorf("stored check value %x, want the key's %x", check, keys.Check())
	}
	db.Close()
	if held, err := sqlite.HoldsData(ctx, path); err != nil || !held {
		t.Errorf("HoldsData after a keyed open = %v, %v; want true", held, err)
	}
	other, _ := formsvc.DeriveKeys(bytes.Repeat([]byte{7}, 32))
	before, _ := os.ReadFile(path)
	if db, err := sqlite.Open(ctx, path, other); !errors.Is(err, sqlite.ErrWrongKey) {
		if err == nil {
			db.Close()
		}
		t.Fatalf("Open with another key: %v, want ErrWrongKey", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Errorf("the refused open changed the file")
	}
	db, err = sqlite.Open(ctx, path, keys)
	if err != nil {
		t.Fatalf("Open with its key after a refused one: %v", err)
	}
	db.Close()
}

// A database from before the check gets its key's check value once the
// key has opened its values; HoldsData sees its records.
func TestLegacyDatabaseGetsItsCheckValue(t *testing.T) {
	ctx := context.Background()
	path := copyLegacy(t)
	if held, err := sqlite.HoldsData(ctx, path); err != nil || !held {
		t.Fatalf("HoldsData of the legacy database = %v, %v; want true", held, err)
	}
	keys := testKeys(t)
	db, err := sqlite.Open(ctx, path, keys)
	if err != nil {
		t.Fatal(err)
	}
	var check []byte
	scanRow(t, db, `SELECT value FROM key_check`, nil, &check)
	if !bytes.Equal(check, keys.Check()) {
		t.Errorf("stored check value %x, want the key's %x", check, keys.Check())
	}
	// Without its check value (deleted), the database still refuses a key
	// that opens none of its values, now sealed for their places.
	if err := db.Exec(ctx, `DELETE FROM key_check`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	other, _ := formsvc.DeriveKeys(bytes.Repeat([]byte{7}, 32))
	if db, err := sqlite.Open(ctx, path, other); !errors.Is(err, sqlite.ErrWrongKey) {
		if err == nil {
			db.Close()
		}
		t.Fatalf("Open with another key, no check value: %v, want ErrWrongKey", err)
	}
	if db, err = sqlite.Open(ctx, path, keys); err != nil {
		t.Fatal(err)
	}
	db.Close()
}

// Sessions stored before their tokens were hashed (the cookie's value as
// the key) are gone after the upgrade: officers sign in again.
func TestSessionsWithRawTokensGoAtUpgrade(t *testing.T) {
	path := copyLegacy(t)
	conn, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(`INSERT INTO sessions (token, data, expiry) VALUES ('RAW-COOKIE-VALUE', x'00', julianday('now') + 1)`); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	db, err := sqlite.Open(context.Background(), path, testKeys(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	scanRow(t, db, `SELECT count(*) FROM sessions`, nil, &n)
	if n != 0 {
		t.Errorf("%d sessions left from before, want 0", n)
	}
	if _, found, err := db.SessionStore().Find("RAW-COOKIE-VALUE"); found || err != nil {
		t.Errorf("the old cookie finds a session: %v, %v", found, err)
	}
}
