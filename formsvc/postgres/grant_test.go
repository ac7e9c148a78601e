package postgres_test

import (
	"context"
	"errors"
	"net/url"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/postgres"
	"github.com/hoaphong/phongchongmaidam/formsvc/storetest"
	"github.com/hoaphong/phongchongmaidam/internal/pgtest"
)

// serviceRole is the role the service runs as in these tests.
const serviceRole = "formsvc_service"

// asService makes a fresh database migrated by its owner, grants the
// service's role on it, and returns the owner's DSN and the service's.
func asService(t *testing.T) (owner, service string) {
	t.Helper()
	ctx := context.Background()
	owner = pgtest.NewDatabase(t)
	c := conn(t, owner)
	if _, err := c.Exec(ctx, `DO $$ BEGIN CREATE ROLE `+serviceRole+` LOGIN;
		EXCEPTION WHEN duplicate_object THEN NULL; END $$`); err != nil {
		t.Fatal(err)
	}
	db := open(t, owner, nil)
	if err := db.GrantService(ctx, serviceRole); err != nil {
		t.Fatal(err)
	}
	if err := db.GrantService(ctx, serviceRole); err != nil {
		t.Fatalf("grant again: %v", err)
	}
	u, err := url.Parse(owner)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(serviceRole)
	return owner, u.String()
}

// The service, connected as the role GrantService made, cannot delete,
// change or empty the audit log, nor switch off its triggers or drop it:
// the database refuses for want of privilege, before any trigger runs.
// And it cannot change the schema, so a newer binary asks for the owner.
func TestServiceRoleCannotRewriteTheAuditLog(t *testing.T) {
	ctx := context.Background()
	_, service := asService(t)
	db := open(t, service, storetest.Keys(t))
	if err := db.Audit(ctx, formsvc.AuditEntry{At: storetest.Tip("x").CreatedAt, Username: "congan", Action: formsvc.AuditLogin}); err != nil {
		t.Fatalf("audit as the service: %v", err)
	}
	if err := db.CreateSubmission(ctx, storetest.Tip("Một tin"), storetest.Hash(1)); err != nil {
		t.Fatalf("a tip as the service: %v", err)
	}
	c := conn(t, service)
	for _, q := range []string{
		`DELETE FROM audit_log`,
		`UPDATE audit_log SET action = 'login'`,
		`TRUNCATE audit_log`,
		`ALTER TABLE audit_log DISABLE TRIGGER ALL`,
		`DROP TABLE audit_log`,
		`CREATE TABLE audit_copy (id integer)`,
	} {
		_, err := c.Exec(ctx, q)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || (pe.Code != "42501" && pe.Code != "42P01") {
			t.Errorf("%s as the service: %v, want a refusal for want of privilege (42501)", q, err)
		}
	}
	var n int
	if err := c.QueryRow(ctx, `SELECT count(*) FROM audit_log`).Scan(&n); err != nil || n != 1 {
		t.Errorf("audit log as the service after the attempts: %d rows, %v; want the one entry", n, err)
	}
}

// A pending migration on a role that may not run it fails with
// ErrOwnerNeeded, and changes nothing.
func TestServiceRoleCannotMigrate(t *testing.T) {
	ctx := context.Background()
	owner, service := asService(t)
	if _, err := conn(t, owner).Exec(ctx, `DELETE FROM schema_migrations WHERE version = 10; DROP TABLE rate_counts, spent_tokens`); err != nil {
		t.Fatal(err)
	}
	_, err := postgres.Open(ctx, service, storetest.Keys(t))
	if !errors.Is(err, postgres.ErrOwnerNeeded) {
		t.Fatalf("open as the service with a migration pending: %v, want ErrOwnerNeeded", err)
	}
	if _, err := postgres.Open(ctx, owner, storetest.Keys(t)); err != nil {
		t.Fatalf("open as the owner: %v", err)
	}
}

// The storage tests every store passes (formsvc/storetest), with the
// service connected as its own role (GrantService): what passes with its
// privileges passes as the owner too.
func TestStore(t *testing.T) {
	var mu sync.Mutex
	owners := map[storetest.Store]string{}
	ownerConn := func(t *testing.T, s storetest.Store) *pgx.Conn {
		mu.Lock()
		defer mu.Unlock()
		return conn(t, owners[s])
	}
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T, keys *formsvc.Keys) storetest.Store {
			owner, service := asService(t)
			db := open(t, service, keys)
			mu.Lock()
			owners[db] = owner
			mu.Unlock()
			return db
		},
		Exec: func(t *testing.T, s storetest.Store, q string, args ...any) error {
			_, err := ownerConn(t, s).Exec(context.Background(), pgtest.Dollars(q), args...)
			return err
		},
		Count: func(t *testing.T, s storetest.Store, q string, args ...any) int {
			var n int
			if err := ownerConn(t, s).QueryRow(context.Background(), pgtest.Dollars(q), args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		},
	})
}
