package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/web"
	"github.com/hoaphong/phongchongmaidam/internal/teststore"
)

// newLockEnv is a server whose store waits only 50 ms for a lock that
// another session holds.
func newLockEnv(t *testing.T) *env {
	t.Helper()
	var db *teststore.DB
	e := newEnvWith(t, func(c *web.Config) {
		db = teststore.Open(t, c.Keys, teststore.LockTimeout(50*time.Millisecond))
		c.Store = db
	})
	e.db = db
	return e
}

func head(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	res, err := http.Head(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

// checkRetryAfter: the web layer may add Retry-After to a 503; when it
// does, it must be a number of seconds.
func checkRetryAfter(t *testing.T, res *http.Response) {
	t.Helper()
	if ra := res.Header.Get("Retry-After"); ra != "" {
		if n, err := strconv.Atoi(ra); err != nil || n < 1 {
			t.Errorf("Retry-After = %q, want a number of seconds", ra)
		}
	}
}

// TestLockedDatabase: while another process (SQLite) or session
// (PostgreSQL) holds the database locked,
// health says writes cannot commit (503, GET and HEAD), and a tip, sent
// as JSON or as a plain form post, gets 503 with the Vietnamese message
// after the short lock timeout, not a 500; nothing is stored. Once the
// lock goes, the tip is stored and health says ok again.
func TestLockedDatabase(t *testing.T) {
	e := newLockEnv(t)
	unlock := e.db.HoldLock(t)

	res := get(t, e.srv.URL+"/healthz")
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("healthz while locked: Status = %d, want 503", res.StatusCode)
	}
	if m := decodeJSON(t, res); m["status"] != "unavailable" || m["message"] != teststore.BusyMessage() {
		t.Errorf("healthz while locked: answer = %v", m)
	}
	if res, body := head(t, e.srv.URL+"/healthz"); res.StatusCode != http.StatusServiceUnavailable || len(body) != 0 {
		t.Errorf("HEAD /healthz while locked: Status = %d with %d bytes, want 503 and no body", res.StatusCode, len(body))
	}

	res = e.postJSON("/api/v1/tips", map[string]any{"category": "massage", "location": "Tiệm xoa bóp cạnh chợ, thôn 2",
		"description": "Buổi tối có nhiều người lạ ra vào, nghe nói có em gái còn nhỏ tuổi.", "observed_at": "2026-11-20"})
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("JSON tip while locked: Status = %d, want 503", res.StatusCode)
	}
	checkRetryAfter(t, res)
	if m := decodeJSON(t, res); m["error"] != formsvc.EUNAVAILABLE || m["message"] != teststore.BusyMessage() {
		t.Errorf("JSON tip while locked: answer = %v", m)
	}

	res = e.post("/api/v1/tips", "application/x-www-form-urlencoded", strings.NewReader(url.Values(validTip()).Encode()))
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("form tip while locked: Status = %d, want 503", res.StatusCode)
	}
	checkRetryAfter(t, res)
	if msg := document(t, res).Find("[data-error-message]").Text(); msg != teststore.BusyMessage() {
		t.Errorf("form tip while locked: page says %q", msg)
	}
	if n := e.db.Count(t, "submissions"); n != 0 {
		t.Errorf("%d tips stored while locked, want 0", n)
	}

	unlock()
	e.sendTip()
	res = get(t, e.srv.URL+"/healthz")
	if res.StatusCode != http.StatusOK {
		t.Errorf("healthz after the lock: Status = %d, want 200", res.StatusCode)
	}
	if m := decodeJSON(t, res); m["status"] != "ok" {
		t.Errorf("healthz after the lock: answer = %v", m)
	}
}

// TestHealthzHead: HEAD answers where GET does, with no body.
func TestHealthzHead(t *testing.T) {
	e := newEnv(t)
	res, body := head(t, e.srv.URL+"/healthz")
	if res.StatusCode != http.StatusOK || len(body) != 0 {
		t.Errorf("HEAD /healthz: Status = %d with %d bytes, want 200 and no body", res.StatusCode, len(body))
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("HEAD /healthz: Cache-Control = %q, want no-store", cc)
	}
}
