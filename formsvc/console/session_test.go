package console_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// sessionCookie is the officer's session cookie in b's jar.
func (b *browser) sessionCookie() *http.Cookie {
	b.a.t.Helper()
	u, _ := url.Parse(b.a.srv.URL + "/officer/")
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "formsvc_session" {
			return c
		}
	}
	b.a.t.Fatal("no session cookie")
	return nil
}

// After a real login through the console, the sessions table holds the
// cookie's value nowhere, only its SHA-256; a copy of what it holds does
// not sign anyone in, while the cookie itself does.
func TestSessionsTableHoldsNoCookieValue(t *testing.T) {
	a := newApp(t)
	b := a.loggedIn("quantri")
	cookie := b.sessionCookie()
	if len(cookie.Value) < 32 {
		t.Fatalf("session cookie %q looks too short for a token", cookie.Value)
	}
	rows, err := a.db.Query(t, `SELECT token, data FROM sessions`)
	if err != nil {
		t.Fatal(err)
	}
	var stored []string
	for rows.Next() {
		var token string
		var data []byte
		if err := rows.Scan(&token, &data); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(token, cookie.Value) || bytes.Contains(data, []byte(cookie.Value)) {
			t.Errorf("the sessions table holds the cookie's value (token %q)", token)
		}
		stored = append(stored, token)
	}
	rows.Close()
	sum := sha256.Sum256([]byte(cookie.Value))
	if len(stored) != 1 || stored[0] != hex.EncodeToString(sum[:]) {
		t.Fatalf("sessions table tokens %q, want only the cookie's SHA-256", stored)
	}
	if res, _ := b.get("/officer/"); res.StatusCode != http.StatusOK {
		t.Fatalf("the signed-in officer's page: %d", res.StatusCode)
	}
	// Someone with a copy of the database sets the stored value as cookie.
	thief := a.browser()
	u, _ := url.Parse(a.srv.URL + "/officer/")
	thief.c.Jar.SetCookies(u, []*http.Cookie{{Name: "formsvc_session", Value: stored[0], Path: "/officer"}})
	if res, _ := thief.get("/officer/"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/officer/login" {
		t.Errorf("the stored session value as a cookie: %d -> %q, want a redirect to the login", res.StatusCode, res.Header.Get("Location"))
	}
	// Signing out deletes the row.
	b.post("/officer/", "/officer/logout", url.Values{})
	if n := a.db.Count(t, "sessions"); n != 0 {
		t.Errorf("%d sessions left after signing out, want 0", n)
	}
}
