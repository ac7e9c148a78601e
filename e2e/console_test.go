package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
)

// unrequire takes the browser's own checks off a page's forms, so that
// what is posted is checked by the server only.
var unrequire = chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("[required],[minlength],[maxlength]").forEach(function (e) {
	e.removeAttribute("required"); e.removeAttribute("minlength"); e.removeAttribute("maxlength");
})`)

type widthCheck struct {
	Inner  int64    `json:"inner"`
	Scroll int64    `json:"scroll"`
	Wide   []string `json:"wide"`
}

// measureWidth: the page's width and whether it scrolls sideways, and
// which elements stick out of a screen w px wide (for the message). A
// phone widens the page to what sticks out (innerWidth > w), a desk
// browser scrolls it (scrollWidth > innerWidth): either is a failure.
const measureWidth = `(function (w) {
	var wide = [];
	document.querySelectorAll("body *").forEach(function (e) {
		var r = e.getBoundingClientRect();
		if (r.right > w + 0.5 && wide.length < 6) {
			wide.push(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : "") + " (" + Math.round(r.right) + " px)");
		}
	});
	return {inner: window.innerWidth, scroll: document.documentElement.scrollWidth, wide: wide};
})`

// TestConsoleOnAPhoneAndADesk: every page of the officers' console, and
// its forms refused by the server, at 360 px (a phone) and 1280 px (a
// desk): axe-core (WCAG 2.0–2.2 A and AA) finds no violation and the page
// never scrolls sideways; on the phone the inbox is a list of cards whose
// references stay on one line. The admin logs in for real: password,
// second-factor enrolment with the app's code, log out, log in again with
// the password and a new code.
func TestConsoleOnAPhoneAndADesk(t *testing.T) {
	script := axeScript(t)
	svc := startService(t)
	const adminPassword, policePassword = "trau-cay-ruong-sang-som", "con-co-bay-la-canh-dong"
	svc.addOfficer(t, "quantri", "admin", adminPassword)
	svc.addOfficer(t, "congan", "police", policePassword)
	for _, body := range []string{
		`{"category":"karaoke","location":"Quán karaoke Hoa Hồng, thôn Đông","description":"Có người lạ ra vào lúc nửa đêm."}`,
		`{"category":"online","location":"Nhóm Zalo tuyển người làm ở nước ngoài","description":"Tuyển các em gái 16 đến 20 tuổi đi làm nhà hàng ở nước ngoài, bao vé máy bay.","minors_involved":true,"coercion_suspected":true}`,
		`{"category":"massage","location":"Tiệm gội đầu thư giãn đường 5","description":"Đóng cửa kín, khách nam ra vào cả đêm."}`,
	} {
		res, err := http.Post(svc.URL+"/api/v1/tips", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("send a tip: %d", res.StatusCode)
		}
	}
	if _, err := http.Post(svc.URL+"/api/v1/support-requests", "application/json",
		strings.NewReader(`{"services":["hiv","vocational_training"],"contact_method":"none","consent":true,"message":"Tôi muốn xét nghiệm và học nghề."}`)); err != nil {
		t.Fatal(err)
	}

	// 27 pages, each checked twice by axe: minutes on a busy machine.
	ctx := browserFor(t, true, 6*time.Minute)
	checked, version := 0, ""
	// check runs the checks on the page open now, at both widths.
	check := func(name string) {
		t.Helper()
		for _, size := range [][2]int64{{360, 740}, {1280, 800}} {
			viewport(t, ctx, size[0], size[1])
			m := get(t, ctx, chromedp.Evaluate[widthCheck](fmt.Sprintf("%s(%d)", measureWidth, size[0])))
			if m.Inner < size[0] {
				t.Fatalf("%s: the page is %d px wide, want %d", name, m.Inner, size[0])
			}
			if m.Inner > size[0] || m.Scroll > m.Inner {
				t.Errorf("%s at %d px: the page is %d px wide and scrolls to %d px; sticking out: %v", name, size[0], m.Inner, m.Scroll, m.Wide)
			}
			r := runAxe(t, ctx, script)
			version = r.Version
			if len(r.Violations) > 0 {
				t.Errorf("%s at %d px: %d accessibility violations:%s", name, size[0], len(r.Violations), describe(r.Violations))
			}
			checked++
		}
	}
	submit := func(form string) chromedp.Action[chromedp.Void] {
		return chromedp.Click(chromedp.CSS(`form[action="`+form+`"] button[type="submit"]`), chromedp.NodeVisible)
	}

	// Log in; an admin must enrol the second factor first.
	do(t, ctx, chromedp.Navigate(svc.URL+"/officer/login"), chromedp.WaitVisible(chromedp.ID("username")))
	check("login")
	do(t, ctx, unrequire, submit("/officer/login"), chromedp.WaitVisible(chromedp.CSS(".error-summary")))
	check("login, refused")
	do(t, ctx,
		chromedp.SendKeys(chromedp.ID("username"), "quantri"),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		submit("/officer/login"),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	check("account, second factor required")
	do(t, ctx, submit("/officer/account/totp/start"), chromedp.WaitVisible(chromedp.CSS(`img[alt^="Mã QR"]`)))
	check("second factor, enrolment")
	do(t, ctx, unrequire, submit("/officer/account/totp/confirm"), chromedp.WaitVisible(chromedp.CSS(".error-summary")))
	check("second factor, enrolment refused")
	secret := strings.TrimSpace(get(t, ctx, chromedp.Text(chromedp.CSS(`main ol code`))))
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	enrolStep := time.Now().Unix() / 30
	do(t, ctx, chromedp.SendKeys(chromedp.ID("totp-code"), code), submit("/officer/account/totp/confirm"), chromedp.WaitVisible(chromedp.CSS(".codes")))
	check("second factor, recovery codes")

	// The inbox: cards on a phone, references on one line.
	do(t, ctx, chromedp.Navigate(svc.URL+"/officer/"), chromedp.WaitVisible(chromedp.CSS("table.cases")))
	check("inbox")
	viewport(t, ctx, 360, 740)
	type card struct {
		Display string `json:"display"`
		Lines   int    `json:"lines"`
		Inside  bool   `json:"inside"`
		Ref     string `json:"ref"`
	}
	cards := get(t, ctx, chromedp.Evaluate[[]card](`Array.from(document.querySelectorAll("table.cases tbody tr")).map(function (tr) {
		var a = tr.querySelector(".ref a"), tops = {};
		Array.from(a.getClientRects()).forEach(function (r) { tops[Math.round(r.top)] = true; });
		return {display: getComputedStyle(tr).display, lines: Object.keys(tops).length, ref: a.textContent,
			inside: tr.getBoundingClientRect().left >= 0 && tr.getBoundingClientRect().right <= innerWidth};
	})`))
	if len(cards) != 4 {
		t.Errorf("the inbox shows %d cases, want 4", len(cards))
	}
	for _, c := range cards {
		if c.Display != "block" || c.Lines != 1 || !c.Inside {
			t.Errorf("at 360 px, case %s: display %s (want a block card), reference on %d lines (want 1), inside the screen %v", c.Ref, c.Display, c.Lines, c.Inside)
		}
	}
	do(t, ctx, chromedp.Navigate(svc.URL+"/officer/?from=2026-06-30&to=2026-01-01"), chromedp.WaitVisible(chromedp.CSS(".error-summary")))
	check("inbox, filter refused")

	// A case: refused, then worked.
	do(t, ctx, chromedp.Navigate(svc.URL+"/officer/"), chromedp.WaitVisible(chromedp.CSS("table.cases")),
		chromedp.Click(chromedp.CSS("table.cases tbody tr.high .ref a"), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.ID("status-to")))
	check("case")
	do(t, ctx, unrequire, chromedp.Click(chromedp.CSS("#status button"), chromedp.NodeVisible), chromedp.WaitVisible(chromedp.CSS(".error-summary")))
	check("case, status change refused")
	do(t, ctx,
		chromedp.SetValue(chromedp.ID("status-to"), "verifying"),
		chromedp.SendKeys(chromedp.ID("status-note"), "Chuyển Công an huyện phối hợp xác minh nhóm Zalo."),
		chromedp.Click(chromedp.CSS("#status button")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
		chromedp.SendKeys(chromedp.ID("note-body"), "Đã liên hệ nhà mạng."),
		chromedp.Click(chromedp.CSS("#notes button")),
		chromedp.WaitVisible(chromedp.CSS("#notes .thread")),
		chromedp.SendKeys(chromedp.ID("reply-body"), "Cảm ơn bạn, xã đang xác minh."),
		chromedp.Click(chromedp.CSS("#thread button")),
		chromedp.WaitVisible(chromedp.CSS("#thread .thread")),
	)
	check("case, with history, notes and replies")
	do(t, ctx,
		chromedp.SetValue(chromedp.ID("status-to"), "referred"),
		chromedp.SendKeys(chromedp.ID("status-note"), "Có dấu hiệu mua bán người."),
		chromedp.Click(chromedp.CSS("#status button")),
		chromedp.WaitVisible(chromedp.CSS(".error-summary")))
	check("case, referral without a destination refused")
	do(t, ctx,
		chromedp.SetValue(chromedp.ID("status-to"), "referred"),
		chromedp.SetValue(chromedp.ID("status-destination"), "cong_an_tinh"),
		chromedp.Click(chromedp.CSS("#status button")),
		chromedp.WaitVisible(chromedp.CSS("#referrals")),
		chromedp.SetValue(chromedp.ID("priority-to"), "normal"),
		chromedp.SendKeys(chromedp.ID("priority-reason"), "Đã chuyển đi, không còn việc gấp ở xã."),
		chromedp.Click(chromedp.CSS("#priority button")),
		chromedp.WaitVisible(chromedp.CSS("#priority table")),
	)
	check("case, referred, with priority history")
	ref := get(t, ctx, chromedp.Text(chromedp.CSS("h1"))) // "TB-2026-0001 Tin báo"
	do(t, ctx, chromedp.Navigate(svc.URL+"/officer/?q=zalo"), chromedp.WaitVisible(chromedp.CSS(".search-result")))
	check("inbox, search by words")
	do(t, ctx, chromedp.Navigate(svc.URL+"/officer/?q=TB-1999-0001"), chromedp.WaitVisible(chromedp.ID("case-search-error")))
	check("inbox, search for no case")
	do(t, ctx, chromedp.Navigate(svc.URL+"/officer/?q="+strings.Fields(ref)[0]), chromedp.WaitVisible(chromedp.ID("status-to")))

	for _, p := range []struct{ name, path, wait string }{
		{"dashboard", "/officer/dashboard", "figure"},
		{"exports", "/officer/export", `form[action="/officer/export/download"]`},
		{"exports, refused", "/officer/export/download?kind=tip&from=30-06-2026&to=2026-01-01&format=pdf", ".error-summary"},
		{"report form", "/officer/report", `form[action="/officer/report/download"]`},
		{"report form, refused", "/officer/report/download?period=custom&from=&to=", ".error-summary"},
		{"officers", "/officer/officers", `form[action="/officer/officers"]`},
		{"audit log", "/officer/audit", "table"},
		{"account, with the second factor", "/officer/account", "#alert-email"},
		{"error page, not found", "/officer/cases/TB-1999-9999", ".error-summary"},
	} {
		do(t, ctx, chromedp.Navigate(svc.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait)))
		check(p.name)
	}
	do(t, ctx, chromedp.Navigate(svc.URL+"/officer/officers"), unrequire, submit("/officer/officers"), chromedp.WaitVisible(chromedp.CSS(".error-summary")))
	check("officers, new account refused")
	do(t, ctx, chromedp.Click(chromedp.CSS(`a[href$="/disable"]`), chromedp.NodeVisible), chromedp.WaitVisible(chromedp.ID("confirm")))
	check("confirm, lock an account")
	do(t, ctx, unrequire, chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(".error-summary")))
	check("confirm, not ticked")
	do(t, ctx, chromedp.Navigate(svc.URL+"/officer/account"),
		chromedp.SetValue(chromedp.ID("alert-email"), "khong-phai-email"),
		submit("/officer/account/alerts"), chromedp.WaitVisible(chromedp.CSS(".error-summary")))
	check("account, alert settings refused")
	// A form whose anti-forgery token went stale.
	do(t, ctx, chromedp.Navigate(svc.URL+"/officer/dashboard"), chromedp.WaitVisible(chromedp.CSS("figure")),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('form[action="/officer/logout"] [name="csrf_token"]').value = "cu"`),
		chromedp.Click(chromedp.CSS(`form[action="/officer/logout"] button`)), chromedp.WaitVisible(chromedp.CSS(".error-summary")))
	check("error page, stale form")

	// Out, and in again with the password and a new code of the app.
	do(t, ctx, chromedp.Navigate(svc.URL+"/officer/account"), chromedp.Click(chromedp.CSS(`form[action="/officer/logout"] button`), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "quantri"),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		submit("/officer/login"),
		chromedp.WaitVisible(chromedp.ID("code")))
	check("second step")
	do(t, ctx, unrequire, submit("/officer/login/totp"), chromedp.WaitVisible(chromedp.CSS(".error-summary")))
	check("second step, refused")
	for time.Now().Unix()/30 == enrolStep { // each code opens one login: wait for the next
		time.Sleep(time.Second)
	}
	if code, err = totp.GenerateCode(secret, time.Now()); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.SendKeys(chromedp.ID("code"), code), submit("/officer/login/totp"), chromedp.WaitVisible(chromedp.CSS("table.cases")))
	t.Logf("axe-core %s, tags %v: %d console page states × 2 widths = %d checks", version, axeTags, checked/2, checked)
}
