package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// TestFormErrors: every console form checks its fields on the server. A
// form posted straight (a browser's `required` and `minlength` never
// ran) with bad or missing answers comes back as the public site's forms
// do: the status, "Lỗi: " in the title, an error summary that takes the
// focus (a titled box listing each problem as a link to its field), the
// message beside each field, which is aria-invalid and described by it;
// and nothing is stored.
func TestFormErrors(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	_, ref := a.tip()
	congan, _, err := a.db.OfficerByUsername(ctx, "congan")
	if err != nil {
		t.Fatal(err)
	}
	xahoi, _, _ := a.db.OfficerByUsername(ctx, "xahoi")
	admin := a.loggedIn("quantri")
	police := a.loggedIn("congan")
	casePage := "/officer/cases/" + ref

	// What a refused form must not have stored.
	stored := func() string {
		t.Helper()
		s, err := a.db.CaseByRef(ctx, ref, []formsvc.Kind{formsvc.KindTip})
		if err != nil {
			t.Fatal(err)
		}
		hist, _ := a.db.History(ctx, s)
		notes, _ := a.db.Notes(ctx, s)
		msgs, _ := a.db.Messages(ctx, s)
		officers, _ := a.db.Officers(ctx)
		var creds []string
		for _, o := range officers {
			creds = append(creds, fmt.Sprintf("%s:%d:%v:%v", o.Username, o.Credentials, o.Disabled, o.TOTPEnabled))
		}
		req, _ := a.db.RequireTOTP(ctx)
		al, _ := a.db.OfficerAlerts(ctx)
		return fmt.Sprintf("%s %d %d %d %d %v %v %+v", s.Status, s.AssignedTo, len(hist), len(notes), len(msgs), creds, req, al)
	}

	id := func(o *formsvc.Officer, prefix string) string { return fmt.Sprintf("%s%d", prefix, o.ID) }
	for _, tt := range []struct {
		name   string
		b      func() *browser
		page   string // where the form is (its CSRF token); "" for a GET form
		path   string
		form   url.Values
		status int
		fields map[string]string // control id: part of its message
	}{
		{"login, empty", a.browser, "/officer/login", "/officer/login", url.Values{}, 422,
			map[string]string{"username": "Nhập tên đăng nhập", "password": "Nhập mật khẩu"}},
		{"login, wrong password", a.browser, "/officer/login", "/officer/login", url.Values{"username": {"congan"}, "password": {"sai-mat-khau-roi-day"}}, 401,
			map[string]string{"password": "không đúng"}},
		{"second step, empty code", func() *browser {
			b := a.browser()
			if res := b.login("quantri", password); res.Header.Get("Location") != "/officer/login/totp" {
				t.Fatalf("login quantri: %d %s", res.StatusCode, res.Header.Get("Location"))
			}
			return b
		}, "/officer/login/totp", "/officer/login/totp", url.Values{"code": {" "}}, 422,
			map[string]string{"code": "Nhập mã 6 chữ số"}},
		{"own password, empty", func() *browser { return police }, "/officer/account", "/officer/account/password", url.Values{}, 422,
			map[string]string{"pw-current": "Nhập mật khẩu hiện tại", "pw-new": "15 ký tự"}},
		{"own password, not the same twice", func() *browser { return police }, "/officer/account", "/officer/account/password",
			url.Values{"current": {password}, "new": {"ca phe sua da buoi sang"}, "confirm": {"ca phe sua da buoi chieu"}}, 422,
			map[string]string{"pw-confirm": "không giống nhau"}},
		{"own password, wrong current", func() *browser { return police }, "/officer/account", "/officer/account/password",
			url.Values{"current": {"khong-phai-mat-khau-nay"}, "new": {"ca phe sua da buoi sang"}, "confirm": {"ca phe sua da buoi sang"}}, 422,
			map[string]string{"pw-current": "không đúng"}},
		{"second factor, empty code", func() *browser {
			b := a.loggedIn("xahoi")
			b.post("/officer/account", "/officer/account/totp/start", url.Values{})
			return b
		}, "/officer/account", "/officer/account/totp/confirm", url.Values{"code": {""}}, 422,
			map[string]string{"totp-code": "Nhập mã 6 chữ số"}},
		{"alert settings, bad address", func() *browser { return police }, "/officer/account", "/officer/account/alerts",
			url.Values{"email": {"khong-phai-email"}, "alerts": {"new"}}, 422,
			map[string]string{"alert-email": "không hợp lệ"}},
		{"new account, empty", func() *browser { return admin }, "/officer/officers", "/officer/officers", url.Values{}, 422,
			map[string]string{"new-username": "3 đến 32 ký tự", "new-role": "Hãy chọn vai trò", "new-password": "15 ký tự"}},
		{"new account, name taken", func() *browser { return admin }, "/officer/officers", "/officer/officers",
			url.Values{"username": {"congan"}, "role": {"police"}, "password": {"mot cau du dai cho mat khau"}}, 422,
			map[string]string{"new-username": "đã có"}},
		{"someone's password, too short", func() *browser { return admin }, "/officer/officers", "/officer/officers/" + fmt.Sprint(congan.ID) + "/password",
			url.Values{"password": {"ngan"}}, 422,
			map[string]string{id(congan, "pw-"): "15 ký tự"}},
		{"someone's email, bad", func() *browser { return admin }, "/officer/officers", "/officer/officers/" + fmt.Sprint(congan.ID) + "/email",
			url.Values{"email": {"a@"}}, 422,
			map[string]string{id(congan, "email-"): "không hợp lệ"}},
		{"lock an account, not ticked", func() *browser { return admin }, "/officer/officers/" + fmt.Sprint(xahoi.ID) + "/disable",
			"/officer/officers/" + fmt.Sprint(xahoi.ID) + "/disable", url.Values{}, 422,
			map[string]string{"confirm": "Tôi hiểu"}},
		{"status, empty", func() *browser { return police }, casePage, casePage + "/status", url.Values{"note": {" \n "}}, 422,
			map[string]string{"status-to": "Hãy chọn trạng thái mới", "status-note": "Hãy viết ghi chú lý do"}},
		{"status, note too long", func() *browser { return police }, casePage, casePage + "/status",
			url.Values{"status": {"verifying"}, "note": {strings.Repeat("á", 4001)}}, 422,
			map[string]string{"status-note": "Tối đa 4000 ký tự; đang có 4001"}},
		{"internal note, empty", func() *browser { return police }, casePage, casePage + "/notes", url.Values{"body": {""}}, 422,
			map[string]string{"note-body": "Hãy viết ghi chú"}},
		{"reply, empty", func() *browser { return police }, casePage, casePage + "/replies", url.Values{}, 422,
			map[string]string{"reply-body": "Hãy viết lời nhắn"}},
		{"assign, not an officer", func() *browser { return police }, casePage, casePage + "/assign", url.Values{"officer": {"ai-do"}}, 422,
			map[string]string{"assign-to": "Hãy chọn cán bộ phụ trách"}},
		{"assign, the other kind's officer", func() *browser { return police }, casePage, casePage + "/assign", url.Values{"officer": {fmt.Sprint(xahoi.ID)}}, 422,
			map[string]string{"assign-to": "có quyền xem"}},
		{"export, bad dates and format", func() *browser { return police }, "", "/officer/export/download?kind=tip&from=30-06-2026&to=2026-01-01&format=pdf", nil, 422,
			map[string]string{"export-tip-from": "không phải một ngày", "export-tip-format": "Hãy chọn định dạng"}},
		{"export, dates the wrong way round", func() *browser { return police }, "", "/officer/export/download?kind=tip&from=2026-06-30&to=2026-01-01&format=csv", nil, 422,
			map[string]string{"export-tip-to": "trở về sau"}},
		{"report, own period without dates", func() *browser { return police }, "", "/officer/report/download?period=custom&from=&to=&format=html", nil, 422,
			map[string]string{"from": "ngày đầu"}},
		{"report, no period", func() *browser { return police }, "", "/officer/report/download?format=odt", nil, 422,
			map[string]string{"period-0": "Hãy chọn một kỳ", "format": "Hãy chọn định dạng"}},
		{"inbox filter, not a date", func() *browser { return police }, "", "/officer/?from=hom-qua&to=2026-01-01", nil, 422,
			map[string]string{"filter-from": "không phải một ngày"}},
		// Last: everyone but the admin must now enrol first.
		{"second factor for all off, not ticked", func() *browser {
			admin.post("/officer/officers", "/officer/officers/require-2fa", url.Values{"require": {"on"}})
			return admin
		}, "/officer/officers", "/officer/officers/require-2fa", url.Values{"require": {"off"}}, 422,
			map[string]string{"require-off": "Tôi hiểu"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.b()
			before := stored()
			var res *http.Response
			var doc *goquery.Document
			if tt.page == "" {
				res, doc = b.get(tt.path)
			} else {
				res, doc = b.post(tt.page, tt.path, tt.form)
			}
			if res.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", res.StatusCode, tt.status)
			}
			checkFormErrors(t, doc, tt.fields)
			if after := stored(); after != before {
				t.Errorf("a refused form stored something:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// checkFormErrors checks a page with a refused form: the summary lists
// exactly the fields' problems, each field shows its own.
func checkFormErrors(t *testing.T, doc *goquery.Document, fields map[string]string) {
	t.Helper()
	if title := doc.Find("title").Text(); !strings.HasPrefix(title, "Lỗi: ") {
		t.Errorf("title = %q, want it to start with \"Lỗi: \"", title)
	}
	sum := doc.Find("main .error-summary")
	if sum.Length() != 1 || sum.AttrOr("role", "") != "alert" || sum.AttrOr("tabindex", "") != "-1" || sum.AttrOr("autofocus", "x") == "x" {
		t.Fatalf("want one focusable error summary (role alert, tabindex -1, autofocus), got %d: %s", sum.Length(), outer(sum))
	}
	if h := sum.Find("h2#" + sum.AttrOr("aria-labelledby", "-")); strings.TrimSpace(h.Text()) != "Có thông tin cần sửa" {
		t.Errorf("summary title = %q", h.Text())
	}
	if n := sum.Find("li").Length(); n != len(fields) {
		t.Errorf("the summary lists %d problems, want %d: %s", n, len(fields), outer(sum))
	}
	for id, want := range fields {
		link := sum.Find(`a[href="#` + id + `"]`)
		if !strings.Contains(link.Text(), want) {
			t.Errorf("summary link to #%s = %q, want it to say %q", id, link.Text(), want)
		}
		ctl := doc.Find("#" + id)
		if ctl.Length() != 1 || ctl.AttrOr("aria-invalid", "") != "true" || !strings.Contains(" "+ctl.AttrOr("aria-describedby", "")+" ", " "+id+"-error ") {
			t.Errorf("control #%s: %s, want it aria-invalid and described by #%s-error", id, outer(ctl), id)
		}
		msg := doc.Find("#" + id + "-error")
		if !msg.HasClass("field-error") || !strings.Contains(msg.Text(), want) || !strings.HasPrefix(strings.TrimSpace(msg.Text()), "Lỗi:") {
			t.Errorf("message by #%s: %s, want a .field-error saying \"Lỗi: …%s…\"", id, outer(msg), want)
		}
	}
	if n := doc.Find(`[aria-invalid="true"]`).Length(); n != len(fields) {
		t.Errorf("%d controls are aria-invalid, want %d", n, len(fields))
	}
}

func outer(s *goquery.Selection) string {
	h, _ := goquery.OuterHtml(s)
	return h
}
