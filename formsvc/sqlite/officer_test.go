package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
)

func addOfficer(t *testing.T, db *sqlite.DB, name string) *formsvc.Officer {
	t.Helper()
	o := &formsvc.Officer{Username: name, Role: formsvc.RolePolice}
	if err := db.CreateOfficer(context.Background(), o, "argon2id-hash"); err != nil {
		t.Fatal(err)
	}
	return o
}

// TestTOTPStepIsUsedOnce: a time step opens one login; the same step and
// earlier ones are refused; a new secret starts again.
func TestTOTPStepIsUsedOnce(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	o := addOfficer(t, db, "congan")
	if err := db.SetTOTP(ctx, o.ID, "JBSWY3DPEHPK3PXP", true, nil); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		step int64
		want bool
	}{{100, true}, {100, false}, {99, false}, {101, true}, {100, false}} {
		if ok, err := db.UseTOTPStep(ctx, o.ID, tt.step); err != nil || ok != tt.want {
			t.Errorf("UseTOTPStep(%d) = %v, %v; want %v", tt.step, ok, err, tt.want)
		}
	}
	if err := db.SetTOTP(ctx, o.ID, "KRSXG5CTMVRXEZLU", true, nil); err != nil {
		t.Fatal(err)
	}
	if ok, _ := db.UseTOTPStep(ctx, o.ID, 100); !ok {
		t.Error("after a new secret, step 100 refused")
	}
	// The other account's steps are its own.
	other := addOfficer(t, db, "xahoi")
	if ok, _ := db.UseTOTPStep(ctx, other.ID, 100); !ok {
		t.Error("another account's step 100 refused")
	}
}

func TestRequireTOTPSetting(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	for _, want := range []bool{false, true, true, false} {
		if want {
			if err := db.SetRequireTOTP(ctx, true); err != nil {
				t.Fatal(err)
			}
		} else if err := db.SetRequireTOTP(ctx, false); err != nil {
			t.Fatal(err)
		}
		if got, err := db.RequireTOTP(ctx); err != nil || got != want {
			t.Errorf("RequireTOTP = %v, %v; want %v", got, err, want)
		}
	}
}

// TestOlderAccountsKeepTheirPasswords: an account made before migration
// 0005 (its hash of the password as typed, a lock under the old rules)
// comes through marked LegacyHash, without the lock; new hashes are not
// legacy, and upgrading replaces only the hash it was read with.
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
	if !o.LegacyHash || hash != "old-hash" {
		t.Errorf("old account: LegacyHash %v, hash %q", o.LegacyHash, hash)
	}
	if err := db.UpgradePasswordHash(ctx, o.ID, "another-hash", "new-hash"); err != nil {
		t.Fatal(err)
	}
	if o, hash, _ := db.OfficerByUsername(ctx, "quantri"); !o.LegacyHash || hash != "old-hash" {
		t.Errorf("upgrade from a hash the account no longer has: LegacyHash %v, hash %q", o.LegacyHash, hash)
	}
	if err := db.UpgradePasswordHash(ctx, o.ID, "old-hash", "new-hash"); err != nil {
		t.Fatal(err)
	}
	after, hash, _ := db.OfficerByUsername(ctx, "quantri")
	if after.LegacyHash || hash != "new-hash" || after.Credentials != o.Credentials {
		t.Errorf("after upgrade: LegacyHash %v, hash %q, credentials %d (was %d)", after.LegacyHash, hash, after.Credentials, o.Credentials)
	}
	if n := addOfficer(t, db, "congan"); n.LegacyHash {
		t.Error("a new account is legacy")
	}
	if o, _, _ := db.OfficerByUsername(ctx, "congan"); o.LegacyHash {
		t.Error("a new account reads back as legacy")
	}
}
