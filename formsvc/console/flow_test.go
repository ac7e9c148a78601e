package console_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/console"
	"github.com/hoaphong/phongchongmaidam/internal/specs"
)

// TestWholeFlow: log in, take the CSRF token, open the tip, change its
// status with a note, reply, and see the reply through /api/v1/follow-up.
func TestWholeFlow(t *testing.T) {
	a := newApp(t)
	receipt, id := a.tip()
	b := a.loggedIn("congan")

	res, doc := b.get("/officer/")
	if res.StatusCode != 200 {
		t.Fatalf("inbox: %d", res.StatusCode)
	}
	link := doc.Find(`table.cases a[href="/officer/cases/` + id + `"]`)
	if link.Length() != 1 || !strings.HasPrefix(link.Text(), "TB-") {
		t.Fatalf("the inbox does not list the tip")
	}
	if doc.Find("tr.high .badge-high").Length() != 1 {
		t.Errorf("the high-priority tip is not marked")
	}
	casePath := fmt.Sprintf("/officer/cases/%s", id)
	res, doc = b.get(casePath)
	if res.StatusCode != 200 || !strings.Contains(doc.Find(".content").Text(), "Có người bị giữ giấy tờ") {
		t.Fatalf("case page: %d, content %q", res.StatusCode, doc.Find(".content").Text())
	}

	res, _ = b.post(casePath, casePath+"/status", url.Values{"status": {"verifying"}, "note": {"Đã cử tổ công tác đi xác minh."}, "from": {"received"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status change: %d", res.StatusCode)
	}
	res, _ = b.post(casePath, casePath+"/replies", url.Values{"body": {"Cảm ơn bạn. Công an xã đang xác minh."}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply: %d", res.StatusCode)
	}
	res, _ = b.post(casePath, casePath+"/notes", url.Values{"body": {"Chủ nhà nghỉ có tiền án."}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("note: %d", res.StatusCode)
	}
	_, doc = b.get(casePath)
	if got := doc.Find(".facts dd").First().Text(); got != "Đang xác minh" {
		t.Errorf("status shown = %q", got)
	}
	if !strings.Contains(doc.Find("#history").Text(), "Đã cử tổ công tác đi xác minh.") {
		t.Errorf("the history lacks the note")
	}

	// The reporter sees the new status and the reply, not the internal note.
	fres, err := http.Post(a.srv.URL+"/api/v1/follow-up", "application/json", strings.NewReader(`{"receipt":"`+receipt+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer fres.Body.Close()
	var fu struct {
		StatusLabel string `json:"status_label"`
		Messages    []struct{ From, Body string }
	}
	json.NewDecoder(fres.Body).Decode(&fu)
	if fu.StatusLabel != specs.Kind(t, formsvc.KindTip).PublicLabel("verifying") || len(fu.Messages) != 1 ||
		fu.Messages[0].From != "officer" || fu.Messages[0].Body != "Cảm ơn bạn. Công an xã đang xác minh." {
		t.Errorf("follow-up = %+v", fu)
	}

	entries := a.audit()
	for _, action := range []string{formsvc.AuditLogin, formsvc.AuditView, formsvc.AuditStatus, formsvc.AuditReply, formsvc.AuditNote} {
		if !hasAudit(entries, "congan", action, "") {
			t.Errorf("audit log lacks %s by congan", action)
		}
	}
	for _, e := range entries {
		for _, secret := range []string{receipt, "Chủ nhà nghỉ", "giấy tờ"} {
			if strings.Contains(e.Detail+e.Target, secret) {
				t.Errorf("audit entry %+v holds %q", e, secret)
			}
		}
	}
}

func TestStatusChangeNeedsANoteAndAValidStatus(t *testing.T) {
	a := newApp(t)
	_, id := a.tip()
	b := a.loggedIn("congan")
	p := fmt.Sprintf("/officer/cases/%s", id)
	for _, v := range []url.Values{
		{"status": {"verifying"}, "note": {"  "}},
		{"status": {"completed"}, "note": {"trạng thái của loại kia"}},
		{"status": {"received"}, "note": {"không đổi gì"}},
	} {
		res, doc := b.post(p, p+"/status", v)
		if res.StatusCode != http.StatusUnprocessableEntity || doc.Find(".error-summary").Length() == 0 {
			t.Errorf("%v: %d, want 422 with a message", v, res.StatusCode)
		}
	}
	// Someone else changed it meanwhile: the stale form is refused.
	res, _ := b.post(p, p+"/status", url.Values{"status": {"closed"}, "note": {"x"}, "from": {"verifying"}})
	if res.StatusCode != http.StatusConflict {
		t.Errorf("stale change: %d, want 409", res.StatusCode)
	}
	_, doc := b.get(p)
	if got := doc.Find(".facts dd").First().Text(); got != "Mới nhận" {
		t.Errorf("status = %q after refused changes", got)
	}
}

func TestCSRFProtectsEveryStateChange(t *testing.T) {
	a := newApp(t)
	_, id := a.tip()
	b := a.loggedIn("congan")
	p := fmt.Sprintf("/officer/cases/%s/status", id)
	v := url.Values{"status": {"closed"}, "note": {"x"}}
	if res, _ := b.postRaw(p, v, "Origin", a.srv.URL); res.StatusCode != http.StatusForbidden {
		t.Errorf("no token: %d, want 403", res.StatusCode)
	}
	v.Set("csrf_token", b.token("/officer/"))
	if res, _ := b.postRaw(p, v, "Origin", "https://evil.example"); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site origin: %d, want 403", res.StatusCode)
	}
	v.Set("csrf_token", "bad"+b.token("/officer/")[3:])
	if res, _ := b.postRaw(p, v, "Origin", a.srv.URL); res.StatusCode != http.StatusForbidden {
		t.Errorf("forged token: %d, want 403", res.StatusCode)
	}
	// A login form posted from elsewhere is refused too.
	if res, _ := a.browser().postRaw("/officer/login", url.Values{"username": {"congan"}, "password": {password}}, "Origin", a.srv.URL); res.StatusCode != http.StatusForbidden {
		t.Errorf("login without token: %d, want 403", res.StatusCode)
	}
	_, doc := b.get(fmt.Sprintf("/officer/cases/%s", id))
	if got := doc.Find(".facts dd").First().Text(); got != "Mới nhận" {
		t.Errorf("status changed to %q by a forged request", got)
	}
}

func TestSessionCookie(t *testing.T) {
	a := newApp(t)
	b := a.browser()
	b.get("/officer/login")
	before := cookie(b, "formsvc_session")
	res := b.login("congan", password)
	var set *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "formsvc_session" {
			set = c
		}
	}
	if set == nil {
		t.Fatal("no session cookie at login")
	}
	if !set.HttpOnly || set.SameSite != http.SameSiteStrictMode || set.Path != "/officer" {
		t.Errorf("cookie = %+v, want HttpOnly, SameSite=Strict, Path=/officer", set)
	}
	if set.Secure {
		t.Errorf("Secure set without TLS in front")
	}
	// No session exists before a login, so there is none to fix on a
	// victim; the token is renewed at each step of a login (TestSecondFactor).
	if before != "" {
		t.Errorf("the login page started a session (%q) before anyone logged in", before)
	}
	// Behind TLS the cookie is Secure.
	s := newApp(t, func(c *console.Config) { c.SecureCookies = true }).browser()
	res = s.login("congan", password)
	for _, c := range res.Cookies() {
		if c.Name == "formsvc_session" && !c.Secure {
			t.Errorf("SecureCookies: cookie not Secure")
		}
	}
	// The public pages never set a cookie.
	pub, err := http.Get(a.srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	pub.Body.Close()
	if len(pub.Cookies()) > 0 {
		t.Errorf("a public page set a cookie")
	}
}

func cookie(b *browser, name string) string {
	u, _ := url.Parse(b.a.srv.URL + "/officer/")
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}
