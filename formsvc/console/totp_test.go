package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

func TestSecondFactor(t *testing.T) {
	a := newApp(t)
	b := a.loggedIn("congan")
	// Enrol: the page shows a QR code and the secret; the app's code turns it on.
	res, doc := b.post("/officer/account", "/officer/account/totp/start", url.Values{})
	if res.StatusCode != 200 {
		t.Fatalf("start: %d", res.StatusCode)
	}
	secret := doc.Find("code").First().Text()
	if src, _ := doc.Find(`img[src^="data:image/png;base64,"]`).Attr("src"); secret == "" || src == "" {
		t.Fatalf("no secret or QR code on the page")
	}
	res, _ = b.post("/officer/account", "/officer/account/totp/confirm", url.Values{"code": {"000000"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("wrong first code: %d", res.StatusCode)
	}
	// The failed confirmation ended the enrolment: start again.
	_, doc = b.post("/officer/account", "/officer/account/totp/start", url.Values{})
	secret = doc.Find("code").First().Text()
	code, _ := totp.GenerateCode(secret, time.Now())
	res, doc = b.post("/officer/account", "/officer/account/totp/confirm", url.Values{"code": {code}})
	codes := doc.Find(".codes code")
	if res.StatusCode != 200 || codes.Length() != 10 {
		t.Fatalf("confirm: %d with %d recovery codes", res.StatusCode, codes.Length())
	}
	recovery := codes.First().Text()

	// Logging in now needs the second step.
	c := a.browser()
	res = c.login("congan", password)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/officer/login/totp" {
		t.Fatalf("login with 2FA: %d -> %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := c.get("/officer/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the inbox opened before the second step: %d", res.StatusCode)
	}
	pending := cookie(c, "formsvc_session")
	res, doc = c.post("/officer/login/totp", "/officer/login/totp", url.Values{"code": {"123456"}})
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(doc.Find(".error-summary").Text(), "không đúng") {
		t.Errorf("wrong code: %d", res.StatusCode)
	}
	code, _ = totp.GenerateCode(secret, time.Now())
	if res, _ = c.post("/officer/login/totp", "/officer/login/totp", url.Values{"code": {code}}); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/officer/" {
		t.Fatalf("right code: %d", res.StatusCode)
	}
	if res, _ := c.get("/officer/"); res.StatusCode != 200 {
		t.Errorf("inbox after the second step: %d", res.StatusCode)
	}
	// The token that carried the half-done login does not carry the whole one.
	if after := cookie(c, "formsvc_session"); pending == "" || after == "" || after == pending {
		t.Errorf("session token after the password %q, after the code %q: want a new one", pending, after)
	}

	// A recovery code works once.
	for i, want := range []int{http.StatusSeeOther, http.StatusUnauthorized} {
		d := a.browser()
		d.login("congan", password)
		res, _ := d.post("/officer/login/totp", "/officer/login/totp", url.Values{"code": {strings.ToUpper(recovery)}})
		if res.StatusCode != want {
			t.Errorf("recovery code, use %d: %d, want %d", i+1, res.StatusCode, want)
		}
	}
	if !hasAudit(a.audit(), "congan", formsvc.AuditTOTP, "congan") {
		t.Errorf("enrolment not audited")
	}
}
