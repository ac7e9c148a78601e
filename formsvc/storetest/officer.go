package storetest

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// AddOfficer stores an account of role with a placeholder hash.
func AddOfficer(t testing.TB, db Store, name string, role formsvc.Role) *formsvc.Officer {
	t.Helper()
	o := &formsvc.Officer{Username: name, Role: role}
	if err := db.CreateOfficer(context.Background(), o, "argon2id-hash-"+name); err != nil {
		t.Fatal(err)
	}
	return o
}

func testOfficers(t *testing.T, h Harness) {
	db := h.Open(t, Keys(t))
	ctx := context.Background()
	b := AddOfficer(t, db, "xahoi", formsvc.RoleSocial)
	a := AddOfficer(t, db, "congan", formsvc.RolePolice)
	if a.ID == 0 || a.ID == b.ID {
		t.Fatalf("ids %d, %d", a.ID, b.ID)
	}
	if err := db.CreateOfficer(ctx, &formsvc.Officer{Username: "congan", Role: formsvc.RoleAdmin}, "h"); formsvc.ErrorCode(err) != formsvc.EINVALID {
		t.Errorf("a username taken: error = %v, want EINVALID (the console shows it at the field)", err)
	}
	o, hash, err := db.OfficerByUsername(ctx, "congan")
	if err != nil || o.ID != a.ID || o.Role != formsvc.RolePolice || hash != "argon2id-hash-congan" || o.Disabled ||
		o.TOTPEnabled || o.LegacyHash || o.CreatedAt.IsZero() {
		t.Errorf("OfficerByUsername = %+v, %q, %v", o, hash, err)
	}
	if _, _, err := db.OfficerByUsername(ctx, "ai-do"); formsvc.ErrorCode(err) != formsvc.ENOTFOUND {
		t.Errorf("unknown username: error = %v, want ENOTFOUND", err)
	}
	if _, err := db.OfficerByID(ctx, a.ID+b.ID+100); formsvc.ErrorCode(err) != formsvc.ENOTFOUND {
		t.Errorf("unknown id: error = %v, want ENOTFOUND", err)
	}
	all, err := db.Officers(ctx)
	if err != nil || len(all) != 2 || all[0].Username != "congan" || all[1].Username != "xahoi" {
		t.Errorf("Officers = %+v, %v; want both by username", all, err)
	}
	// A new password raises the credentials' version (sessions end).
	if err := db.SetPassword(ctx, a.ID, "new-hash"); err != nil {
		t.Fatal(err)
	}
	after, hash, _ := db.OfficerByUsername(ctx, "congan")
	if hash != "new-hash" || after.Credentials != o.Credentials+1 {
		t.Errorf("after SetPassword: hash %q, credentials %d (was %d)", hash, after.Credentials, o.Credentials)
	}
	for _, d := range []bool{true, false, true} {
		if err := db.SetDisabled(ctx, a.ID, d); err != nil {
			t.Fatal(err)
		}
		if got, err := db.OfficerByID(ctx, a.ID); err != nil || got.Disabled != d {
			t.Errorf("SetDisabled(%v): read back %+v, %v", d, got, err)
		}
	}
	if got, _ := db.OfficerByID(ctx, b.ID); got.Disabled {
		t.Error("disabling one account disabled another")
	}
	for name, err := range map[string]error{
		"SetPassword": db.SetPassword(ctx, a.ID+b.ID+100, "h"),
		"SetDisabled": db.SetDisabled(ctx, a.ID+b.ID+100, true),
	} {
		if formsvc.ErrorCode(err) != formsvc.ENOTFOUND {
			t.Errorf("%s of an unknown account: error = %v, want ENOTFOUND", name, err)
		}
	}
}

// A hash made before passwords were normalised reads as LegacyHash;
// upgrading replaces only the hash it was read with, and sessions go on.
func testLegacyHash(t *testing.T, h Harness) {
	db := h.Open(t, Keys(t))
	ctx := context.Background()
	o := AddOfficer(t, db, "quantri", formsvc.RoleAdmin)
	if err := h.Exec(t, db, `UPDATE officers SET password_hash = 'old-hash', password_nfkc = (1 = 0) WHERE id = ?`, o.ID); err != nil {
		t.Fatal(err)
	}
	o, hash, err := db.OfficerByUsername(ctx, "quantri")
	if err != nil || !o.LegacyHash || hash != "old-hash" {
		t.Fatalf("old account: %+v, %q, %v", o, hash, err)
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
	if n := AddOfficer(t, db, "congan", formsvc.RolePolice); n.LegacyHash {
		t.Error("a new account is legacy")
	}
	if o, _, _ := db.OfficerByUsername(ctx, "congan"); o.LegacyHash {
		t.Error("a new account reads back as legacy")
	}
}

// A time step opens one login; the same step and earlier ones are
// refused; a new secret starts again.
func testTOTPStep(t *testing.T, h Harness) {
	ctx := context.Background()
	db := h.Open(t, Keys(t))
	o := AddOfficer(t, db, "congan", formsvc.RolePolice)
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
	other := AddOfficer(t, db, "xahoi", formsvc.RoleSocial)
	if ok, _ := db.UseTOTPStep(ctx, other.ID, 100); !ok {
		t.Error("another account's step 100 refused")
	}
}

// Logins racing with one code (or one recovery code): exactly one wins.
func testTOTPRace(t *testing.T, h Harness) {
	ctx := context.Background()
	db := h.Open(t, Keys(t))
	o := AddOfficer(t, db, "congan", formsvc.RolePolice)
	if err := db.SetTOTP(ctx, o.ID, "JBSWY3DPEHPK3PXP", true, [][]byte{[]byte("code-1"), []byte("code-2")}); err != nil {
		t.Fatal(err)
	}
	for round := range 5 {
		const n = 16
		var steps, codes atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if ok, err := db.UseTOTPStep(ctx, o.ID, int64(1000+round)); err != nil {
					t.Error(err)
				} else if ok {
					steps.Add(1)
				}
				if ok, err := db.UseRecoveryCode(ctx, o.ID, []byte("code-1")); err != nil {
					t.Error(err)
				} else if ok {
					codes.Add(1)
				}
			}()
		}
		close(start)
		wg.Wait()
		wantCodes := int32(0)
		if round == 0 {
			wantCodes = 1
		}
		if steps.Load() != 1 || codes.Load() != wantCodes {
			t.Errorf("round %d: %d logins won with one step, %d with one recovery code; want 1 and %d", round, steps.Load(), codes.Load(), wantCodes)
		}
	}
}

// The secret comes back as set; recovery codes work once each and are
// replaced by the next SetTOTP.
func testTOTPSecretAndRecovery(t *testing.T, h Harness) {
	ctx := context.Background()
	db := h.Open(t, Keys(t))
	o := AddOfficer(t, db, "congan", formsvc.RolePolice)
	if s, err := db.TOTPSecret(ctx, o.ID); err != nil || s != "" {
		t.Errorf("TOTPSecret before = %q, %v; want none", s, err)
	}
	if err := db.SetTOTP(ctx, o.ID, "JBSWY3DPEHPK3PXP", true, [][]byte{[]byte("A"), []byte("B")}); err != nil {
		t.Fatal(err)
	}
	if s, err := db.TOTPSecret(ctx, o.ID); err != nil || s != "JBSWY3DPEHPK3PXP" {
		t.Errorf("TOTPSecret = %q, %v", s, err)
	}
	if got, _ := db.OfficerByID(ctx, o.ID); !got.TOTPEnabled {
		t.Error("TOTPEnabled false after SetTOTP(…, true, …)")
	}
	for _, tt := range []struct {
		code string
		want bool
	}{{"A", true}, {"A", false}, {"C", false}, {"B", true}} {
		if ok, err := db.UseRecoveryCode(ctx, o.ID, []byte(tt.code)); err != nil || ok != tt.want {
			t.Errorf("UseRecoveryCode(%s) = %v, %v; want %v", tt.code, ok, err, tt.want)
		}
	}
	other := AddOfficer(t, db, "xahoi", formsvc.RoleSocial)
	if ok, _ := db.UseRecoveryCode(ctx, other.ID, []byte("B")); ok {
		t.Error("another account's recovery code worked")
	}
	if err := db.SetTOTP(ctx, o.ID, "", false, [][]byte{[]byte("D")}); err != nil {
		t.Fatal(err)
	}
	if s, err := db.TOTPSecret(ctx, o.ID); err != nil || s != "" {
		t.Errorf("TOTPSecret after turning off = %q, %v", s, err)
	}
	if ok, _ := db.UseRecoveryCode(ctx, o.ID, []byte("B")); ok {
		t.Error("an old recovery code works after new ones")
	}
	if ok, _ := db.UseRecoveryCode(ctx, o.ID, []byte("D")); !ok {
		t.Error("a new recovery code refused")
	}
}

func testRequireTOTP(t *testing.T, h Harness) {
	ctx := context.Background()
	db := h.Open(t, Keys(t))
	for i, want := range []bool{false, true, true, false} {
		if i > 0 {
			if err := db.SetRequireTOTP(ctx, want); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := db.RequireTOTP(ctx); err != nil || got != want {
			t.Errorf("RequireTOTP = %v, %v; want %v", got, err, want)
		}
	}
}

// The audit log is append-only by the database itself; entries come
// back newest first, clipped to their bounds.
func testAudit(t *testing.T, h Harness) {
	db := h.Open(t, Keys(t))
	ctx := context.Background()
	o := AddOfficer(t, db, "congan", formsvc.RolePolice)
	for _, a := range []string{formsvc.AuditLogin, formsvc.AuditView} {
		if err := db.Audit(ctx, formsvc.AuditEntry{OfficerID: o.ID, Username: "congan", Action: a, Target: "TB-2026-0001"}); err != nil {
			t.Fatal(err)
		}
	}
	long := strings.Repeat("ạ", 500)
	if err := db.Audit(ctx, formsvc.AuditEntry{Username: long, Action: formsvc.AuditLoginFailed, Detail: strings.Repeat(long, 10)}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE audit_log SET username = 'ai-khac'`,
		`DELETE FROM audit_log`,
		`DELETE FROM audit_log WHERE id = 1`,
	} {
		err := h.Exec(t, db, q)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: error = %v, want the trigger's refusal", q, err)
		}
	}
	entries, total, err := db.AuditLog(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if total != 3 || len(entries) != 3 || entries[1].Action != formsvc.AuditView || entries[2].Username != "congan" ||
		entries[2].OfficerID != o.ID || entries[2].Target != "TB-2026-0001" || entries[2].At.IsZero() {
		t.Fatalf("log after the attempts = %d %+v", total, entries)
	}
	clipped := entries[0]
	if n := utf8.RuneCountInString(clipped.Username); n != formsvc.MaxUsernameLen || !strings.HasSuffix(clipped.Username, "…") ||
		clipped.OfficerID != 0 || utf8.RuneCountInString(clipped.Detail) > 2000 {
		t.Errorf("a long entry kept %d characters of username (%q…), %d of detail", n, clipped.Username[:8], utf8.RuneCountInString(clipped.Detail))
	}
	page, total, err := db.AuditLog(ctx, 1, 1)
	if err != nil || total != 3 || len(page) != 1 || page[0].Action != formsvc.AuditView {
		t.Errorf("AuditLog(1, 1) = %+v, %d, %v", page, total, err)
	}
}
