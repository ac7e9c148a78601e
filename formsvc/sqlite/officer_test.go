package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
)

// TestOlderAccountsKeepTheirPasswords: an account made before migration
// 0005 (its hash of the password as typed, a lock under the old rules)
// comes through marked LegacyHash, without the lock. Upgrading the hash,
// the second factor, the settings and the audit log are tested on both
// stores in formsvc/storetest.
func TestOlderAccountsKeepTheirPasswords(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	if err := sqlite.MigrateTo(ctx, path, 4, `INSERT INTO officers
		(username, role, password_hash, failed_logins, locked_until, created_at, updated_at)
		VALUES ('quantri', 'admin', 'old-hash', 5, '2099-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(ctx, path, testKeys(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	o, hash, err := db.OfficerByUsername(ctx, "quantri")
	if err != nil {
		t.Fatal(err)
	}
	if !o.LegacyHash || hash != "old-hash" || o.Disabled {
		t.Errorf("old account: LegacyHash %v, hash %q, disabled %v", o.LegacyHash, hash, o.Disabled)
	}
	if err := db.UpgradePasswordHash(ctx, o.ID, "old-hash", "new-hash"); err != nil {
		t.Fatal(err)
	}
	if after, hash, _ := db.OfficerByUsername(ctx, "quantri"); after.LegacyHash || hash != "new-hash" {
		t.Errorf("after upgrade: LegacyHash %v, hash %q", after.LegacyHash, hash)
	}
}
