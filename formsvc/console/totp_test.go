package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
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
	// The enrolment goes on after a wrong code (formerrors_test.go); a
	// new start makes a new secret.
	_, doc = b.post("/officer/account", "/officer/account/totp/start", url.Values{})
	secret = doc.Find("code").First().Text()
	res, doc = b.post("/officer/account", "/officer/account/totp/confirm", url.Values{"code": {a.code(secret)}})
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
	if res, _ = c.post("/officer/login/totp", "/officer/login/totp", url.Values{"code": {a.code(secret)}}); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/officer/" {
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

// passwordStep logs in with the password at a fresh address-less browser
// and returns it waiting for the second step.
func (a *app) passwordStep(username string) *browser {
	a.t.Helper()
	b := a.browser()
	if res := b.login(username, password); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/officer/login/totp" {
		a.t.Fatalf("password step for %s: %d -> %q", username, res.StatusCode, res.Header.Get("Location"))
	}
	return b
}

func (b *browser) sendCode(code string) *http.Response {
	b.a.t.Helper()
	res, _ := b.post("/officer/login/totp", "/officer/login/totp", url.Values{"code": {code}})
	return res
}

func codeAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTOTPCodeWorksOnce: a code opens one login; the same code again, a
// code of an earlier step and a code of a later step are refused; the
// code of the step just ended is taken only in the first seconds of the
// next, and only if it was not used.
func TestTOTPCodeWorksOnce(t *testing.T) {
	a := newApp(t)
	secret := a.enrolTOTP("congan")
	a.intoStep(15 * time.Second) // well into a step, past the grace for the one before
	now := a.now()
	code := codeAt(t, secret, now)
	if res := a.passwordStep("congan").sendCode(code); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/officer/" {
		t.Fatalf("first use: %d -> %q", res.StatusCode, res.Header.Get("Location"))
	}
	b := a.passwordStep("congan")
	res, doc := b.post("/officer/login/totp", "/officer/login/totp", url.Values{"code": {code}})
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(doc.Find(".error-summary").Text(), "đã được dùng") {
		t.Errorf("the same code again: %d %q, want 401 saying it was used", res.StatusCode, doc.Find(".error-summary").Text())
	}
	if res := b.sendCode(codeAt(t, secret, now.Add(-totpStep))); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("the previous step's code 15 s into the next: %d, want 401", res.StatusCode)
	}
	if res := b.sendCode(codeAt(t, secret, now.Add(totpStep))); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("the next step's code: %d, want 401", res.StatusCode)
	}

	// Two steps on, 5 s into the step: the code of the step just ended was
	// never used, and is taken; after it, neither it nor older ones.
	a.advance(2 * totpStep)
	a.intoStep(5 * time.Second)
	late := codeAt(t, secret, a.now().Add(-totpStep))
	if res := a.passwordStep("congan").sendCode(late); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the step just ended, within the grace: %d, want 303", res.StatusCode)
	}
	if res := a.passwordStep("congan").sendCode(late); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("that code again: %d, want 401", res.StatusCode)
	}
	if res := a.passwordStep("congan").sendCode(codeAt(t, secret, a.now())); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the current step after the late one: %d, want 303", res.StatusCode)
	}

	// Two logins racing with one fresh code: exactly one gets in.
	a.advance(totpStep)
	fresh := codeAt(t, secret, a.now())
	racers := []*browser{a.passwordStep("congan"), a.passwordStep("congan")}
	tokens := []string{racers[0].token("/officer/login/totp"), racers[1].token("/officer/login/totp")}
	start := make(chan struct{})
	statuses := make([]int, 2)
	var wg sync.WaitGroup
	for i, r := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, _ := r.postRaw("/officer/login/totp", url.Values{"code": {fresh}, "csrf_token": {tokens[i]}}, "Origin", a.srv.URL)
			statuses[i] = res.StatusCode
		}()
	}
	close(start)
	wg.Wait()
	if n := countStatus(statuses, http.StatusSeeOther); n != 1 {
		t.Errorf("two logins with one code at once: statuses %v, want exactly one 303", statuses)
	}
}

func countStatus(statuses []int, want int) int {
	n := 0
	for _, s := range statuses {
		if s == want {
			n++
		}
	}
	return n
}

// TestEnrolmentCodeDoesNotOpenALogin: the code that turned the second
// factor on is used up.
func TestEnrolmentCodeDoesNotOpenALogin(t *testing.T) {
	a := newApp(t)
	b := a.loggedIn("xahoi")
	_, doc := b.post("/officer/account", "/officer/account/totp/start", url.Values{})
	secret := doc.Find("code").First().Text()
	a.intoStep(15 * time.Second)
	code := codeAt(t, secret, a.now())
	if res, _ := b.post("/officer/account", "/officer/account/totp/confirm", url.Values{"code": {code}}); res.StatusCode != 200 {
		t.Fatalf("confirm: %d", res.StatusCode)
	}
	if res := a.passwordStep("xahoi").sendCode(code); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("the enrolment code at the login: %d, want 401", res.StatusCode)
	}
}
