package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"
)

// Sessions are kept under the SHA-256 of their token, never the token:
// a copy of the database cannot sign anyone in. Every call of
// SessionStore is the same store.
func testSessions(t *testing.T, h Harness) {
	db := h.Open(t, Keys(t))
	st := db.SessionStore()
	const token = "COOKIE-VALUE-0123456789abcdefghijklmnopq"
	sum := sha256.Sum256([]byte(token))
	key := hex.EncodeToString(sum[:])
	if _, found, err := st.Find(token); found || err != nil {
		t.Fatalf("Find before Commit = %v, %v", found, err)
	}
	if err := st.Commit(token, []byte("dữ liệu 1"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := db.SessionStore().Commit(token, []byte("dữ liệu 2"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if b, found, err := st.Find(token); !found || err != nil || string(b) != "dữ liệu 2" {
		t.Errorf("Find = %q, %v, %v; want the second commit's data", b, found, err)
	}
	if n := h.Count(t, db, `SELECT count(*) FROM sessions WHERE token = ?`, token); n != 0 {
		t.Errorf("%d sessions under the token as it is, want 0", n)
	}
	if n := h.Count(t, db, `SELECT count(*) FROM sessions WHERE token = ?`, key); n != 1 {
		t.Errorf("%d sessions under the token's SHA-256, want 1", n)
	}
	// The hash is not a token: it finds nothing.
	if _, found, _ := st.Find(key); found {
		t.Error("the stored key works as a cookie")
	}
	if err := st.Delete(token); err != nil {
		t.Fatal(err)
	}
	if _, found, err := st.Find(token); found || err != nil {
		t.Errorf("Find after Delete = %v, %v", found, err)
	}
	if err := st.Commit("EXPIRED-TOKEN", []byte("x"), time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, found, err := st.Find("EXPIRED-TOKEN"); found || err != nil {
		t.Errorf("Find of an expired session = %v, %v", found, err)
	}
}
