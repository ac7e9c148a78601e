package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc/postgres"
	"github.com/hoaphong/phongchongmaidam/formsvc/storetest"
	"github.com/hoaphong/phongchongmaidam/internal/pgtest"
)

// An officer signed in through one instance continues on another; one
// signed out through either is out on both.
func TestSessionsAreSharedByInstances(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	a, b := open(t, dsn, storetest.Keys(t)), open(t, dsn, storetest.Keys(t))
	if err := a.SessionStore().Commit("TOKEN", []byte("officer 1"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if data, found, err := b.SessionStore().Find("TOKEN"); !found || err != nil || string(data) != "officer 1" {
		t.Fatalf("through b: %q, %v, %v", data, found, err)
	}
	if err := b.SessionStore().Delete("TOKEN"); err != nil {
		t.Fatal(err)
	}
	if _, found, err := a.SessionStore().Find("TOKEN"); found || err != nil {
		t.Errorf("through a after b's Delete: %v, %v", found, err)
	}
}

// The clean-up deletes expired sessions, keeps the others, and stops in
// Close.
func TestSessionCleanupRunsAndStopsInClose(t *testing.T) {
	defer postgres.SetSessionCleanup(50 * time.Millisecond)()
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	db, err := postgres.Open(ctx, dsn, storetest.Keys(t))
	if err != nil {
		t.Fatal(err)
	}
	st := db.SessionStore()
	if err := st.Commit("OLD", []byte("x"), time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := st.Commit("LIVE", []byte("y"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	c := conn(t, dsn)
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		if err := c.QueryRow(ctx, `SELECT count(*) FROM sessions`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions after 10s, want the expired one gone", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, found, _ := st.Find("LIVE"); !found {
		t.Error("the clean-up took a live session")
	}
	stopped := db.SessionCleanupStopped()
	db.Close()
	select {
	case <-stopped:
	default:
		t.Error("the clean-up goroutine runs on after Close")
	}
	db.Close() // twice is fine
}
