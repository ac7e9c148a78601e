package sqlite_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

func TestAuditLogIsAppendOnly(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	for _, a := range []string{formsvc.AuditLogin, formsvc.AuditView} {
		if err := db.Audit(ctx, formsvc.AuditEntry{Username: "congan", Action: a, Target: "TB-2026-0001"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{
		`UPDATE audit_log SET username = 'ai-khac'`,
		`DELETE FROM audit_log`,
		`DELETE FROM audit_log WHERE id = 1`,
	} {
		err := db.Exec(ctx, q)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: error = %v, want the trigger's refusal", q, err)
		}
	}
	entries, total, err := db.AuditLog(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if total != 2 || entries[0].Action != formsvc.AuditView || entries[1].Username != "congan" {
		t.Errorf("log after the attempts = %d %+v", total, entries)
	}
}
