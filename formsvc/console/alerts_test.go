package console_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/alert"
	"github.com/hoaphong/phongchongmaidam/formsvc/console"
)

// An officer sets an address and chooses alerts on the account page; a bad
// address is refused with the message beside the field and the answers kept.
func TestOfficerChoosesAlertsOnTheAccountPage(t *testing.T) {
	a := newApp(t, func(c *console.Config) { c.MailAlerts = true })
	b := a.loggedIn("congan")
	res, doc := b.get("/officer/account")
	if res.StatusCode != 200 || doc.Find(`form[action="/officer/account/alerts"] input[name="alerts"][checked]`).Length() != 4 {
		t.Fatalf("account page: %d; want the alert form with every type ticked", res.StatusCode)
	}
	if strings.Contains(doc.Find("main").Text(), "chưa được cấu hình máy chủ thư") {
		t.Error("the account page says no mail server is configured, but one is")
	}

	res, doc = b.post("/officer/account", "/officer/account/alerts", url.Values{"email": {"congan@@xa"}, "alerts": {"new", "digest"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad address: %d, want 422", res.StatusCode)
	}
	if doc.Find(`.error-summary a[href="#alert-email"]`).Length() != 1 || doc.Find(`#alert-email[aria-invalid="true"]`).Length() != 1 ||
		!strings.Contains(doc.Find("#alert-email-error").Text(), "không hợp lệ") {
		t.Error("the refused form lacks its error summary or the message beside the field")
	}
	if v, _ := doc.Find("#alert-email").Attr("value"); v != "congan@@xa" {
		t.Errorf("the address typed is not kept: %q", v)
	}
	if doc.Find(`#alert-new[checked]`).Length() != 1 || doc.Find(`#alert-reply[checked]`).Length() != 0 {
		t.Error("the choices made are not kept")
	}

	res, _ = b.post("/officer/account", "/officer/account/alerts", url.Values{"email": {" congan@xa.example "}, "alerts": {"new", "digest"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	o, _, _ := a.db.OfficerByUsername(context.Background(), "congan")
	s, err := a.db.OfficerAlertsByID(context.Background(), o.ID)
	if err != nil || s.Email != "congan@xa.example" || !s.Want(formsvc.AlertNew) || s.Want(formsvc.AlertReply) || s.Want(formsvc.AlertOverdue) || !s.Want(formsvc.AlertDigest) {
		t.Errorf("stored %+v, %v", s, err)
	}
	_, doc = b.get("/officer/account")
	if v, _ := doc.Find("#alert-email").Attr("value"); v != "congan@xa.example" || doc.Find(".flash").Length() != 1 {
		t.Errorf("after saving: address %q, flash %q", v, doc.Find(".flash").Text())
	}
	if !hasAudit(a.audit(), "congan", formsvc.AuditAlertSettings, "congan") {
		t.Error("the change is not in the audit log")
	}
	// Without CSRF token nothing changes.
	res, _ = b.postRaw("/officer/account/alerts", url.Values{"email": {"ke-gian@example.com"}}, "Origin", a.srv.URL)
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("without token: %d, want 403", res.StatusCode)
	}
}

// The admin sees who has no address, on the accounts page and the
// dashboard, and can set one; other roles cannot.
func TestAdminSeesWhoHasNoAddress(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	police, _, _ := a.db.OfficerByUsername(ctx, "congan")
	social, _, _ := a.db.OfficerByUsername(ctx, "xahoi")
	admin, _, _ := a.db.OfficerByUsername(ctx, "quantri")
	if err := a.db.SetAlertEmail(ctx, police.ID, "congan@xa.example"); err != nil {
		t.Fatal(err)
	}
	b := a.loggedIn("quantri")
	_, doc := b.get("/officer/officers")
	if got := doc.Find("#email-thong-bao + .warning").Text(); !strings.Contains(got, "quantri, xahoi") || strings.Contains(got, "congan") {
		t.Errorf("accounts page says %q; want quantri and xahoi without an address", got)
	}
	_, doc = b.get("/officer/dashboard")
	if got := doc.Find(`#thong-bao-tong-quan`).Text(); !strings.Contains(got, "Chưa có email nhận thông báo: quantri, xahoi") ||
		!strings.Contains(got, "Bạn chưa có email") || !strings.Contains(got, "chưa được cấu hình máy chủ thư") {
		t.Errorf("dashboard says %q", got)
	}

	path := "/officer/officers/" + itoa(social.ID) + "/email"
	res, doc := b.post("/officer/officers", path, url.Values{"email": {"khong-phai-email"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find(".error-summary").Text(), "không hợp lệ") {
		t.Errorf("bad address: %d %q", res.StatusCode, doc.Find(".error-summary").Text())
	}
	for _, who := range []int64{social.ID, admin.ID} {
		res, _ = b.post("/officer/officers", "/officer/officers/"+itoa(who)+"/email", url.Values{"email": {"vanphong@xa.example"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("set address: %d", res.StatusCode)
		}
	}
	_, doc = b.get("/officer/officers")
	if doc.Find("#email-thong-bao + .warning").Length() != 0 || !strings.Contains(doc.Find("#email-thong-bao + p").Text(), "đều có email") {
		t.Errorf("after setting: %q", doc.Find("#email-thong-bao + p").Text())
	}
	if !hasAudit(a.audit(), "quantri", formsvc.AuditAlertSettings, "xahoi") {
		t.Error("the admin's change is not in the audit log")
	}

	p := a.loggedIn("congan")
	if res, _ := p.post("/officer/", path, url.Values{"email": {"ke-gian@example.com"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("police setting an address: %d, want 404 (admin pages do not exist for others)", res.StatusCode)
	}
	if s, _ := a.db.OfficerAlertsByID(ctx, social.ID); s.Email != "vanphong@xa.example" {
		t.Errorf("address now %q", s.Email)
	}
	_, doc = p.get("/officer/dashboard")
	if got := doc.Find(`#thong-bao-tong-quan`).Text(); strings.Contains(got, "xahoi") || strings.Contains(got, "Bạn chưa có email") {
		t.Errorf("police dashboard says %q; the list of others is the admin's", got)
	}
}

// An alert that could not be sent for a day is dropped, and the dashboard
// says so: the real dispatcher, against a port where no mail server answers.
func TestDashboardSaysWhenAlertsWereDropped(t *testing.T) {
	// The dispatcher runs on the console's own clock, which the test moves.
	a := newApp(t)
	ctx := context.Background()
	police, _, _ := a.db.OfficerByUsername(ctx, "congan")
	if err := a.db.SetAlertEmail(ctx, police.ID, "congan@xa.example"); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	m, err := alert.NewMailer(alert.MailConfig{URL: "smtp://" + dead, From: "canh-bao@xa.example"})
	if err != nil {
		t.Fatal(err)
	}
	d := alert.New(alert.Config{Store: a.db, Mailer: m, Delay: time.Minute, DigestAt: 0, Now: a.now,
		Text: alert.Text{ConsoleURL: a.srv.URL + "/officer/"}})
	run := func() alert.Report {
		r, err := d.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	run()
	a.tip()
	b := a.loggedIn("congan")
	a.advance(2 * time.Minute)
	if r := run(); r.Failed == 0 {
		t.Fatalf("round: %+v; want failed attempts", r)
	}
	_, doc := b.get("/officer/dashboard")
	if got := doc.Find(`#thong-bao-tong-quan .warning`).Text(); !strings.Contains(got, "chưa gửi được, đang chờ gửi lại") {
		t.Errorf("dashboard while retrying: %q", got)
	}
	dropped := 0
	for range 60 {
		a.advance(time.Hour)
		dropped += run().Dropped
	}
	if dropped == 0 {
		t.Fatal("nothing dropped after 60 hours of failures")
	}
	_, doc = b.get("/officer/dashboard")
	warn := doc.Find(`#thong-bao-tong-quan .warning[role="alert"]`)
	if !strings.Contains(warn.Text(), "thông báo đã bị bỏ") || !strings.Contains(warn.Text(), "connection refused") {
		t.Errorf("dashboard after the drop: %q", warn.Text())
	}
	if !hasAudit(a.audit(), formsvc.AlertUser, formsvc.AuditAlertDropped, "congan") {
		t.Error("the drop is not in the audit log")
	}
	_, doc = a.loggedIn("quantri").get("/officer/audit")
	if !strings.Contains(doc.Find("table").Text(), "Bỏ thông báo sau một ngày gửi không được") {
		t.Error("the audit page does not name the drop")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
