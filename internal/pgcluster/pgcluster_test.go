package pgcluster_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/hoaphong/phongchongmaidam/internal/pgcluster"
)

// A server stopped (fast or immediate) refuses connections, and started
// again on the same folder has every committed row.
func TestStopServerAndStartAgainKeepsCommits(t *testing.T) {
	ctx := context.Background()
	c, err := pgcluster.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	dsn, err := c.CreateDatabase(ctx, "outage")
	if err != nil {
		t.Fatal(err)
	}
	exec := func(sql string) {
		t.Helper()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	exec(`CREATE TABLE x (id int)`)
	for i, mode := range []pgcluster.StopMode{pgcluster.Fast, pgcluster.Immediate} {
		exec(`INSERT INTO x VALUES (1)`)
		if err := c.StopServer(mode); err != nil {
			t.Fatal(err)
		}
		if conn, err := pgx.Connect(ctx, dsn); err == nil {
			conn.Close(ctx)
			t.Fatalf("stop mode %d: a connection while the server is stopped", mode)
		}
		if err := c.StartServer(ctx); err != nil {
			t.Fatalf("start again after stop mode %d: %v", mode, err)
		}
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		err = conn.QueryRow(ctx, `SELECT count(*) FROM x`).Scan(&n)
		conn.Close(ctx)
		if err != nil || n != i+1 {
			t.Errorf("after stop mode %d and a start: %d rows (%v), want %d", mode, n, err, i+1)
		}
	}
}
