package console_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// TestAnonymousUploadsLeaveNoFiles: multipart bodies to console routes,
// without login, large enough that a form parser would spill them to
// temporary files, are refused before anything reads them, and the
// temporary folder stays empty.
func TestAnonymousUploadsLeaveNoFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	a := newApp(t)
	big := bytes.Repeat([]byte("x"), 40<<20)
	for _, path := range []string{"/officer/cases/1/status", "/officer/login", "/officer/officers", "/officer/logout"} {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("csrf_token", "abc")
		fw, _ := mw.CreateFormFile("f", "big.bin")
		fw.Write(big)
		mw.Close()
		res, err := http.Post(a.srv.URL+path, mw.FormDataContentType(), &buf)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusUnsupportedMediaType || !strings.Contains(string(body), "chỉ nhận biểu mẫu") {
			t.Errorf("%s: Status = %d, want 415 with the message", path, res.StatusCode)
		}
	}
	// An urlencoded body past the bound: 413, unread.
	res, err := http.Post(a.srv.URL+"/officer/login", "application/x-www-form-urlencoded", strings.NewReader("username="+strings.Repeat("a", 9<<20)))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("9 MB login: Status = %d, want 413", res.StatusCode)
	}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("%d temporary files left behind, first %s", len(entries), entries[0].Name())
	}
}

// TestLongUsernameIsClipped: a login with a 48,000-character name (under
// the body bound) reaches neither the audit log nor the page whole.
func TestLongUsernameIsClipped(t *testing.T) {
	a := newApp(t)
	b := a.browser()
	long := strings.Repeat("tendai", 8_000)
	res, doc := b.post("/officer/login", "/officer/login", url.Values{"username": {long}, "password": {"sai-mat-khau-2026"}})
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("Status = %d, want 401", res.StatusCode)
	}
	if html, _ := doc.Html(); len(html) > 20_000 {
		t.Errorf("the login page is %d bytes: the name was echoed whole", len(html))
	}
	var found bool
	for _, e := range a.audit() {
		if e.Action == formsvc.AuditLoginFailed {
			found = true
			if n := utf8.RuneCountInString(e.Username); n > formsvc.MaxUsernameLen {
				t.Errorf("audit username has %d characters, want at most %d", n, formsvc.MaxUsernameLen)
			}
		}
	}
	if !found {
		t.Error("the failed login was not audited")
	}
}

// TestStaticFolderListsNothing: the console's static folder serves its
// files, never a listing.
func TestStaticFolderListsNothing(t *testing.T) {
	a := newApp(t)
	b := a.browser()
	for _, p := range []string{"/officer/static/", "/officer/static"} {
		if res, _ := b.get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, res.StatusCode)
		}
	}
	entries, _ := os.ReadDir("static")
	if len(entries) == 0 {
		t.Fatal("no static files to try")
	}
	if res, _ := b.get("/officer/static/" + entries[0].Name()); res.StatusCode != http.StatusOK {
		t.Errorf("a static file: %d, want 200", res.StatusCode)
	}
}
