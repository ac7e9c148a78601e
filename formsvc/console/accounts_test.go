package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"golang.org/x/text/unicode/norm"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/console"
)

// serviceLimits are the service's default login limits (formsvc serve).
func serviceLimits(c *console.Config) {
	c.LoginLimit, c.LoginLimitPer = 10, 15*time.Minute
	c.LoginGlobalLimit, c.LoginGlobalPer = 60, time.Minute
}

// TestFailuresStopTheAddressNotTheAccount: an attacker hammering the
// admin's name is slowed from the fourth try and stopped at the tenth,
// with any password, right or wrong; meanwhile the admin logs in from
// another address, without waiting, as often as she likes.
func TestFailuresStopTheAddressNotTheAccount(t *testing.T) {
	a := newApp(t, serviceLimits)
	const attackerIP, adminIP = "203.0.113.9", "198.51.100.20"
	attacker := a.browserAt(attackerIP)
	for i := range 10 {
		res, doc := attacker.post("/officer/login", "/officer/login", url.Values{"username": {"quantri"}, "password": {fmt.Sprintf("doan-mat-khau-%d", i)}})
		if res.StatusCode != http.StatusUnauthorized || doc.Find(".error-summary li").Text() != "Tên đăng nhập hoặc mật khẩu không đúng." {
			t.Fatalf("guess %d: %d %q", i+1, res.StatusCode, doc.Find(".error-summary li").Text())
		}
		if i == 4 { // in the middle of it all, the admin gets in
			a.browserAt(adminIP).logIn("quantri", password)
		}
	}
	// The waits grow from the fourth guess and stay bounded.
	s := time.Second
	if got, want := a.waitsOf(attackerIP), []time.Duration{1 * s, 2 * s, 4 * s, 8 * s, 8 * s, 8 * s, 8 * s}; !slices.Equal(got, want) {
		t.Errorf("attacker's waits = %v, want %v", got, want)
	}
	// Stopped now, whatever the password or the name.
	for _, pw := range []string{"doan-tiep-mat-khau", password} {
		res, doc := attacker.post("/officer/login", "/officer/login", url.Values{"username": {"quantri"}, "password": {pw}})
		if msg := doc.Find(".error-summary").Text(); res.StatusCode != http.StatusTooManyRequests ||
			res.Header.Get("Retry-After") != "900" || !strings.Contains(msg, "Máy này đã đăng nhập sai quá nhiều lần") || !strings.Contains(msg, "15 phút") {
			t.Errorf("after ten failures, password %q: %d Retry-After %q %q", pw, res.StatusCode, res.Header.Get("Retry-After"), msg)
		}
	}
	// Another address in the same IPv6 /64 is the same client; so is the
	// same client under another name.
	if res := a.browserAt("2001:db8:5:6::1").login("congan", "sai-mat-khau-mot-lan"); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("IPv6 client's first failure: %d", res.StatusCode)
	}
	for i := range 9 {
		a.browserAt(fmt.Sprintf("2001:db8:5:6::%x", i+2)).login("khongco", "sai-mat-khau-lan-nua")
	}
	if res := a.browserAt("2001:db8:5:6:ffff::1").login("quantri", password); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a new address in a /64 that failed ten times: %d, want 429", res.StatusCode)
	}
	if res := a.browserAt("2001:db8:5:7::1").login("xahoi", password); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the next /64: %d, want 303", res.StatusCode)
	}

	// The admin, from her own address, is neither slowed nor stopped.
	for range 3 {
		a.browserAt(adminIP).logIn("quantri", password)
	}
	if w := a.waitsOf(adminIP); len(w) != 0 {
		t.Errorf("the admin waited %v", w)
	}
	// Every failure is in the audit log, under the name tried.
	if n := countAudit(a.audit(), formsvc.AuditLoginFailed, "quantri"); n != 10 {
		t.Errorf("audit has %d failed logins for quantri, want 10", n)
	}
	// Once the window has passed, the attacker's address may try again:
	// nothing stays locked.
	a.advance(30 * time.Minute)
	if res := attacker.login("quantri", "lai-doan-mat-khau"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("after the window: %d, want 401", res.StatusCode)
	}
}

// TestFailuresFromEveryoneAreCapped: many addresses, each under its own
// limit, together stop the logins for a while (503 with Retry-After).
func TestFailuresFromEveryoneAreCapped(t *testing.T) {
	a := newApp(t, func(c *console.Config) {
		serviceLimits(c)
		c.LoginGlobalLimit = 5
	})
	for i := range 5 {
		if res := a.browserAt(fmt.Sprintf("192.0.2.%d", i+1)).login("quantri", "doan-mat-khau-lan-mot"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, res.StatusCode)
		}
	}
	res, doc := a.browserAt("198.51.100.20").post("/officer/login", "/officer/login", url.Values{"username": {"quantri"}, "password": {password}})
	if msg := doc.Find(".error-summary").Text(); res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "60" ||
		!strings.Contains(msg, "tạm dừng") {
		t.Errorf("past the cap: %d Retry-After %q %q, want 503", res.StatusCode, res.Header.Get("Retry-After"), msg)
	}
	a.advance(2 * time.Minute)
	a.browserAt("198.51.100.20").logIn("quantri", password)
}

// TestEveryLoginFailureLooksTheSame: an unknown name, a wrong password,
// and a wrong password for an account that the old rules would have
// locked (five failures) get the same status and the same page, through
// the same waits; the account's officer still gets in.
func TestEveryLoginFailureLooksTheSame(t *testing.T) {
	a := newApp(t, serviceLimits)
	for i := range 6 {
		a.browserAt(fmt.Sprintf("192.0.2.%d", 10+i)).login("congan", "mat-khau-sai-lan-mot")
	}
	probes := []struct{ name, user string }{
		{"unknown name", "khongcoai"},
		{"wrong password", "xahoi"},
		{"formerly locked", "congan"},
	}
	type answer struct {
		status     int
		retry, txt string
		waits      int
	}
	var answers []answer
	for i, p := range probes {
		ip := fmt.Sprintf("198.51.100.%d", 30+i)
		res, doc := a.browserAt(ip).post("/officer/login", "/officer/login", url.Values{"username": {p.user}, "password": {"mat-khau-sai-lan-hai"}})
		answers = append(answers, answer{res.StatusCode, res.Header.Get("Retry-After"), strings.Join(strings.Fields(doc.Find("main").Text()), " "), len(a.waitsOf(ip))})
	}
	for i, got := range answers {
		if got != answers[0] {
			t.Errorf("%s: %+v\n%s: %+v", probes[0].name, answers[0], probes[i].name, got)
		}
	}
	if answers[0].status != http.StatusUnauthorized || !strings.Contains(answers[0].txt, "Tên đăng nhập hoặc mật khẩu không đúng.") {
		t.Errorf("the common answer = %+v", answers[0])
	}
	a.browserAt("198.51.100.40").logIn("congan", password)
}

// TestOlderPasswordsStillOpen: an account whose hash was made from the
// password as typed (before normalisation, and before the list) still
// logs in; its hash is renewed from the normalised password, so the same
// password typed as composed Vietnamese opens it too; a password that
// today's rules refuse is flagged to its officer.
func TestOlderPasswordsStillOpen(t *testing.T) {
	a := newApp(t)
	typed := norm.NFD.String("mật khẩu 2020") // decomposed and short: what older versions took
	old, err := argon2id.CreateHash(typed, &argon2id.Params{Memory: 64 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.db.Exec(t, `UPDATE officers SET password_hash = ?, password_nfkc = false WHERE username = 'xahoi'`, old); err != nil {
		t.Fatal(err)
	}
	if o, _, _ := a.db.OfficerByUsername(context.Background(), "xahoi"); !o.LegacyHash {
		t.Fatal("the account is not marked as older")
	}
	b := a.browser()
	b.logIn("xahoi", typed)
	_, doc := b.get("/officer/")
	if !strings.Contains(doc.Find(".flash").Text(), "không còn đạt quy tắc mật khẩu mới") {
		t.Errorf("no word about the weak password: %q", doc.Find(".flash").Text())
	}
	if o, _, _ := a.db.OfficerByUsername(context.Background(), "xahoi"); o.LegacyHash {
		t.Error("the hash was not renewed")
	}
	a.browser().logIn("xahoi", norm.NFC.String(typed))
}

// TestPasswordListInTheConsole: an admin adding an account and an officer
// changing her password are refused the passwords the issue found
// accepted, with the reason in Vietnamese.
func TestPasswordListInTheConsole(t *testing.T) {
	a := newApp(t)
	admin := a.loggedIn("quantri")
	for _, tt := range []struct{ pw, want string }{
		{strings.Repeat(" ", 10), "chỉ gồm khoảng trắng"},
		{strings.Repeat("\x00", 10), "ký tự điều khiển"},
		{strings.Repeat("\u200b", 10), "ký tự vô hình"},
		{"1234567890", "ít nhất 15 ký tự"},
		{"matkhau123456789", "quá dễ đoán"},
		{"anhyeuemnhieulam", "danh sách mật khẩu phổ biến"},
		{"canbomoi lua chin 2026", "tên đăng nhập"},
	} {
		res, doc := admin.post("/officer/officers", "/officer/officers", url.Values{"username": {"canbomoi"}, "role": {"social"}, "password": {tt.pw}})
		if msg := doc.Find(".error-summary").Text(); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(msg, tt.want) {
			t.Errorf("new account with %q: %d %q, want 422 with %q", tt.pw, res.StatusCode, msg, tt.want)
		}
	}
	if _, _, err := a.db.OfficerByUsername(context.Background(), "canbomoi"); formsvc.ErrorCode(err) != formsvc.ENOTFOUND {
		t.Errorf("an account was made: %v", err)
	}
	b := a.loggedIn("congan")
	res, doc := b.post("/officer/account", "/officer/account/password", url.Values{"current": {password}, "new": {"Mật khẩu 123456789"}, "confirm": {"Mật khẩu 123456789"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find(".error-summary").Text(), "quá dễ đoán") {
		t.Errorf("own password change: %d %q", res.StatusCode, doc.Find(".error-summary").Text())
	}
}

// TestAdminMustHaveTheSecondFactor: an admin without it is sent to set it
// up before anything else, and cannot turn it off.
func TestAdminMustHaveTheSecondFactor(t *testing.T) {
	a := newApp(t)
	a.addOfficer("quantri2", "admin")
	b := a.loggedIn("quantri2")
	for _, p := range []string{"/officer/", "/officer/officers", "/officer/audit", "/officer/export"} {
		if res, _ := b.get(p); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/officer/account" {
			t.Errorf("GET %s without the second factor: %d -> %q, want the account page", p, res.StatusCode, res.Header.Get("Location"))
		}
	}
	if res, _ := b.post("/officer/account", "/officer/officers", url.Values{"username": {"moi"}, "role": {"admin"}, "password": {password}}); res.StatusCode != http.StatusSeeOther ||
		res.Header.Get("Location") != "/officer/account" {
		t.Errorf("adding an account without the second factor: %d", res.StatusCode)
	}
	res, doc := b.get("/officer/account")
	if res.StatusCode != 200 || !strings.Contains(doc.Find(".flash").Text(), "Cần bật xác thực hai bước") ||
		doc.Find(`form[action="/officer/account/totp/start"]`).Length() != 1 {
		t.Fatalf("account page: %d, flash %q", res.StatusCode, doc.Find(".flash").Text())
	}
	_, doc = b.post("/officer/account", "/officer/account/totp/start", url.Values{})
	secret := doc.Find("code").First().Text()
	if res, _ := b.post("/officer/account", "/officer/account/totp/confirm", url.Values{"code": {a.code(secret)}}); res.StatusCode != 200 {
		t.Fatalf("confirm: %d", res.StatusCode)
	}
	if res, _ := b.get("/officer/officers"); res.StatusCode != 200 {
		t.Errorf("after setting it up: %d", res.StatusCode)
	}
	_, doc = b.get("/officer/account")
	if doc.Find(`form[action="/officer/account/totp/disable"]`).Length() != 0 {
		t.Error("an admin is offered to turn the second factor off")
	}
	if res, _ := b.post("/officer/account", "/officer/account/totp/disable", url.Values{"current": {password}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("an admin turning it off: %d, want 422", res.StatusCode)
	}
}

// TestAdminRequiresTheSecondFactorOfEveryone: the setting on the officers
// page sends every officer without it to set it up; turning it off asks.
func TestAdminRequiresTheSecondFactorOfEveryone(t *testing.T) {
	a := newApp(t)
	officer := a.loggedIn("congan")
	admin := a.loggedIn("quantri")
	if res, _ := admin.post("/officer/officers", "/officer/officers/require-2fa", url.Values{"require": {"on"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("require: %d", res.StatusCode)
	}
	if res, _ := officer.get("/officer/"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/officer/account" {
		t.Errorf("an officer without it, once required: %d -> %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, doc := admin.get("/officer/officers")
	if !strings.Contains(doc.Find("main").Text(), "bắt buộc cho mọi cán bộ") {
		t.Error("the officers page does not say it is required")
	}
	// Turning it off without ticking the box does nothing.
	if res, _ := admin.post("/officer/officers", "/officer/officers/require-2fa", url.Values{"require": {"off"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("off without confirming: %d, want 422", res.StatusCode)
	}
	if on, _ := a.db.RequireTOTP(context.Background()); !on {
		t.Fatal("turned off without confirmation")
	}
	if res, _ := admin.post("/officer/officers", "/officer/officers/require-2fa", url.Values{"require": {"off"}, "confirm": {"yes"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("off: %d", res.StatusCode)
	}
	if res, _ := officer.get("/officer/"); res.StatusCode != 200 {
		t.Errorf("after the requirement ends: %d", res.StatusCode)
	}
	if !hasAudit(a.audit(), "quantri", formsvc.AuditSettings, "") {
		t.Error("not audited")
	}
}

// TestNewAccountHasNoDefaultRole: the role select starts on an empty,
// required choice; an account without a role is refused and the answers
// are kept.
func TestNewAccountHasNoDefaultRole(t *testing.T) {
	a := newApp(t)
	admin := a.loggedIn("quantri")
	_, doc := admin.get("/officer/officers")
	sel := doc.Find("select#new-role")
	first := sel.Find("option").First()
	if _, req := sel.Attr("required"); !req || first.AttrOr("value", "x") != "" || sel.Find("option[selected]").AttrOr("value", "x") != "" {
		t.Errorf("role select: required %v, first option %q, selected %q", req, first.AttrOr("value", "x"), sel.Find("option[selected]").AttrOr("value", "x"))
	}
	res, doc := admin.post("/officer/officers", "/officer/officers", url.Values{"username": {"canbomoi"}, "password": {"trau cay ruong sang som"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find(".error-summary").Text(), "Hãy chọn vai trò") ||
		doc.Find("#new-username").AttrOr("value", "") != "canbomoi" {
		t.Errorf("no role: %d %q", res.StatusCode, doc.Find(".error-summary").Text())
	}
	_, doc = admin.post("/officer/officers", "/officer/officers", url.Values{"username": {"canbomoi"}, "role": {"social"}, "password": {"1234567890"}})
	if got := doc.Find("select#new-role option[selected]").AttrOr("value", ""); got != "social" {
		t.Errorf("the chosen role is not kept after an error: %q", got)
	}
	if _, _, err := a.db.OfficerByUsername(context.Background(), "canbomoi"); formsvc.ErrorCode(err) != formsvc.ENOTFOUND {
		t.Errorf("an account was made: %v", err)
	}
}

// TestLockingAnAccountAsksFirst: "Khóa" is a warning-styled link to a
// page that says what will happen and needs a ticked box, without
// JavaScript; a post without the box does nothing.
func TestLockingAnAccountAsksFirst(t *testing.T) {
	a := newApp(t)
	admin := a.loggedIn("quantri")
	o, _, _ := a.db.OfficerByUsername(context.Background(), "congan")
	confirmPath := fmt.Sprintf("/officer/officers/%d/disable", o.ID)
	_, doc := admin.get("/officer/officers")
	link := doc.Find(`a.button-warning[href="` + confirmPath + `"]`)
	if link.Length() != 1 || !strings.HasPrefix(link.Text(), "Khóa") {
		t.Fatalf("no warning-styled Khóa link to %s", confirmPath)
	}
	if doc.Find(`form[action="`+confirmPath+`"]`).Length() != 0 {
		t.Error("the list locks an account in one click")
	}
	res, doc := admin.get(confirmPath)
	box := doc.Find(`form[action="` + confirmPath + `"] input[type="checkbox"][name="confirm"][required]`)
	if res.StatusCode != 200 || box.Length() != 1 || doc.Find(`form[action="`+confirmPath+`"] button.button-warning`).Length() != 1 ||
		!strings.Contains(doc.Find("label[for=confirm]").Text(), "Tôi hiểu") || doc.Find(".warning-panel li").Length() == 0 {
		t.Fatalf("confirmation page: %d", res.StatusCode)
	}
	res, doc = admin.post(confirmPath, confirmPath, url.Values{})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find(".error-summary").Text(), "Tôi hiểu") {
		t.Errorf("without the box: %d", res.StatusCode)
	}
	if o, _ := a.db.OfficerByID(context.Background(), o.ID); o.Disabled {
		t.Fatal("locked without confirmation")
	}
	if res, _ := admin.post(confirmPath, confirmPath, url.Values{"confirm": {"yes"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("with the box: %d", res.StatusCode)
	}
	if o, _ := a.db.OfficerByID(context.Background(), o.ID); !o.Disabled {
		t.Error("not locked")
	}
	// The admin's own row offers no lock.
	_, doc = admin.get("/officer/officers")
	me, _, _ := a.db.OfficerByUsername(context.Background(), "quantri")
	if doc.Find(fmt.Sprintf(`a[href="/officer/officers/%d/disable"]`, me.ID)).Length() != 0 {
		t.Error("the admin is offered to lock herself")
	}
}
