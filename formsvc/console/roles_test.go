package console_test

import (
	"context"
	"fmt"
	"github.com/PuerkitoBio/goquery"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/console"
)

// TestRolesNeverSeeTheOtherKind tries to reach each record by URL, in
// lists, counts and photos, from each role.
func TestRolesNeverSeeTheOtherKind(t *testing.T) {
	a := newApp(t)
	tipID := a.tipWithPhoto()
	_, supID := a.support()
	tests := []struct {
		who         string
		sees, hides string
		seesRef     string
		hidesRef    string
	}{
		{"congan", tipID, supID, "TB-", "HT-"},
		{"xahoi", supID, tipID, "HT-", "TB-"},
	}
	for _, tt := range tests {
		t.Run(tt.who, func(t *testing.T) {
			b := a.loggedIn(tt.who)
			if res, _ := b.get(fmt.Sprintf("/officer/cases/%s", tt.sees)); res.StatusCode != 200 {
				t.Errorf("own kind: %d", res.StatusCode)
			}
			if tt.sees == tipID {
				res, _ := b.get(fmt.Sprintf("/officer/cases/%s/photos/1", tipID))
				if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/jpeg" || res.Header.Get("X-Content-Type-Options") != "nosniff" ||
					!strings.Contains(res.Header.Get("Content-Security-Policy"), "sandbox") {
					t.Errorf("own photo: %d %v", res.StatusCode, res.Header)
				}
				if !hasAudit(a.audit(), tt.who, formsvc.AuditPhoto, "") {
					t.Errorf("viewing a photo left no line in the audit log")
				}
			}
			hidden := fmt.Sprintf("/officer/cases/%s", tt.hides)
			for _, p := range []string{hidden, hidden + "/photos/1"} {
				if res, doc := b.get(p); res.StatusCode != http.StatusNotFound || strings.Contains(doc.Text(), tt.hidesRef) {
					t.Errorf("GET %s: %d, want 404 that names nothing", p, res.StatusCode)
				}
			}
			for _, action := range []string{"/status", "/notes", "/replies", "/assign"} {
				res, _ := b.post("/officer/", hidden+action, url.Values{"status": {"closed"}, "note": {"x"}, "body": {"x"}, "officer": {"0"}})
				if res.StatusCode != http.StatusNotFound {
					t.Errorf("POST %s%s: %d, want 404", hidden, action, res.StatusCode)
				}
			}
			for _, q := range []string{"/officer/", "/officer/?kind=tip", "/officer/?kind=support", "/officer/dashboard"} {
				_, doc := b.get(q)
				text := doc.Text()
				if strings.Contains(text, tt.hidesRef) {
					t.Errorf("%s shows a %s record", q, tt.hidesRef)
				}
				if strings.Contains(text, map[string]string{"TB-": "Yêu cầu hỗ trợ", "HT-": "Tin báo"}[tt.seesRef]) {
					t.Errorf("%s names the other kind", q)
				}
			}
			_, doc := b.get("/officer/")
			if doc.Find("table.cases tbody tr").Length() != 1 {
				t.Errorf("inbox lists %d records, want 1", doc.Find("table.cases tbody tr").Length())
			}
			for _, admin := range []string{"/officer/officers", "/officer/audit"} {
				if res, _ := b.get(admin); res.StatusCode != http.StatusNotFound {
					t.Errorf("GET %s as %s: %d, want 404", admin, tt.who, res.StatusCode)
				}
			}
			if res, _ := b.post("/officer/", "/officer/officers", url.Values{"username": {"moi"}, "role": {"admin"}, "password": {password}}); res.StatusCode != http.StatusNotFound {
				t.Errorf("POST /officer/officers as %s: %d", tt.who, res.StatusCode)
			}
		})
	}
	t.Run("admin sees both", func(t *testing.T) {
		b := a.loggedIn("quantri")
		_, doc := b.get("/officer/")
		if n := doc.Find("table.cases tbody tr").Length(); n != 2 {
			t.Errorf("admin inbox lists %d, want 2", n)
		}
	})
}

func TestPagesNeedLogin(t *testing.T) {
	a := newApp(t)
	_, id := a.tip()
	b := a.browser()
	for _, p := range []string{"/officer/", fmt.Sprintf("/officer/cases/%s", id), fmt.Sprintf("/officer/cases/%s/photos/1", id),
		"/officer/dashboard", "/officer/officers", "/officer/audit", "/officer/account"} {
		res, _ := b.get(p)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/officer/login" {
			t.Errorf("GET %s: %d -> %q, want a redirect to the login", p, res.StatusCode, res.Header.Get("Location"))
		}
		if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("GET %s: Cache-Control %q", p, cc)
		}
	}
}

func TestLoginLimitPerClient(t *testing.T) {
	a := newApp(t, func(c *console.Config) { c.LoginLimit, c.LoginLimitPer = 3, 90*time.Minute })
	b := a.browser()
	var last *http.Response
	var doc string
	for range 4 {
		res, d := b.post("/officer/login", "/officer/login", url.Values{"username": {"ai-do"}, "password": {"x"}})
		last, doc = res, d.Find(".error-summary").Text()
	}
	if last.StatusCode != http.StatusTooManyRequests || !strings.Contains(doc, "quá nhiều lần") || !strings.Contains(doc, "đợi 1 giờ 30 phút") {
		t.Errorf("4th attempt: %d %q, want 429 with a message giving the configured wait", last.StatusCode, doc)
	}
}

func TestDisabledAccountLosesItsSession(t *testing.T) {
	a := newApp(t)
	b := a.loggedIn("congan")
	admin := a.loggedIn("quantri")
	o, _, _ := a.db.OfficerByUsername(context.Background(), "congan")
	res, _ := admin.post("/officer/officers", fmt.Sprintf("/officer/officers/%d/disable", o.ID), url.Values{"confirm": {"yes"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", res.StatusCode)
	}
	if res, _ := b.get("/officer/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a disabled officer still gets the inbox: %d", res.StatusCode)
	}
	if res := a.browser().login("congan", password); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a disabled officer can log in: %d", res.StatusCode)
	}
	if !hasAudit(a.audit(), "quantri", formsvc.AuditOfficerDisable, "congan") {
		t.Errorf("not audited")
	}
}

// TestNewPasswordEndsTheOtherSessions: an officer who changes her password
// stays signed in where she changed it and is signed out everywhere else;
// an admin's reset signs her out everywhere; the new password works.
func TestNewPasswordEndsTheOtherSessions(t *testing.T) {
	a := newApp(t)
	phone, office := a.loggedIn("congan"), a.loggedIn("congan")
	const second = "mat-khau-moi-du-dai-456"
	res, _ := office.post("/officer/account", "/officer/account/password", url.Values{"current": {password}, "new": {second}, "confirm": {second}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("own password change: %d", res.StatusCode)
	}
	if res, _ := office.get("/officer/"); res.StatusCode != 200 {
		t.Errorf("the browser that changed the password was signed out: %d", res.StatusCode)
	}
	if res, _ := phone.get("/officer/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("another browser still works under the old password: %d", res.StatusCode)
	}
	admin := a.loggedIn("quantri")
	o, _, _ := a.db.OfficerByUsername(context.Background(), "congan")
	const third = "mat-khau-quan-tri-dat-789"
	if res, _ := admin.post("/officer/officers", fmt.Sprintf("/officer/officers/%d/password", o.ID), url.Values{"password": {third}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin reset: %d", res.StatusCode)
	}
	if res, _ := office.get("/officer/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("after the admin's reset the officer's session goes on: %d", res.StatusCode)
	}
	if res := a.browser().login("congan", third); res.StatusCode != http.StatusSeeOther {
		t.Errorf("login with the password the admin set: %d", res.StatusCode)
	}
}

func TestAdminManagesAccountsFromTheConsole(t *testing.T) {
	a := newApp(t)
	admin := a.loggedIn("quantri")
	res, doc := admin.post("/officer/officers", "/officer/officers", url.Values{"username": {"Tên Sai"}, "role": {"police"}, "password": {password}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find(".error-summary").Text(), "Tên đăng nhập") {
		t.Errorf("bad username: %d", res.StatusCode)
	}
	res, _ = admin.post("/officer/officers", "/officer/officers", url.Values{"username": {"tinhnguyen1"}, "role": {"social"}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: %d", res.StatusCode)
	}
	a.loggedIn("tinhnguyen1")
	if !hasAudit(a.audit(), "quantri", formsvc.AuditOfficerAdd, "tinhnguyen1") {
		t.Errorf("not audited")
	}
	_, doc = admin.get("/officer/audit")
	if !strings.Contains(doc.Find("table").Text(), "Thêm tài khoản") {
		t.Errorf("the audit page does not show the addition")
	}
}

func countAudit(entries []formsvc.AuditEntry, action, who string) int {
	n := 0
	for _, e := range entries {
		if e.Action == action && e.Username == who {
			n++
		}
	}
	return n
}

// TestAddressesDoNotCountTheOtherKind: tips and support requests arrive
// in turn; the police officer's case addresses run TB-…-0001, 0002, 0003
// with no gap where a support request came, so nothing a role sees counts
// or dates the other kind.
func TestAddressesDoNotCountTheOtherKind(t *testing.T) {
	a := newApp(t)
	var refs []string
	for range 3 {
		_, ref := a.tip()
		refs = append(refs, ref)
		a.support()
		a.support()
	}
	b := a.loggedIn("congan")
	_, doc := b.get("/officer/")
	var links []string
	doc.Find(`a[href^="/officer/cases/"]`).Each(func(_ int, s *goquery.Selection) {
		links = append(links, s.AttrOr("href", ""))
	})
	slices.Sort(links)
	var want []string
	for i, ref := range refs {
		if !strings.HasSuffix(ref, fmt.Sprintf("-%04d", i+1)) {
			t.Errorf("tip %d has reference %s, want number %04d: tips are numbered apart from support requests", i+1, ref, i+1)
		}
		want = append(want, "/officer/cases/"+ref)
	}
	if fmt.Sprint(links) != fmt.Sprint(want) {
		t.Errorf("the police inbox links to %v, want %v", links, want)
	}
}
