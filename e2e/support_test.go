package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/internal/specs"
)

// TestAskForHelp: the support-request form, filled as a person would.
func TestAskForHelp(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			svc := startService(t)
			ctx := browser(t, m.js)
			do(t, ctx,
				chromedp.Navigate(svc.URL+"/yeu-cau-ho-tro/"),
				chromedp.Click(chromedp.ID("support-services-hiv")),
				chromedp.Click(chromedp.ID("support-services-job")),
				chromedp.Click(chromedp.ID("support-contact_method-zalo")),
				chromedp.SendKeys(chromedp.ID("support-contact"), "0912 345 678"),
				chromedp.SendKeys(chromedp.ID("support-preferred_time"), "sau 8 giờ tối"),
				chromedp.Click(chromedp.CSS(`button[data-submit]`)),
				// Consent is missing: the form says so and keeps the answers.
				chromedp.WaitVisible(chromedp.CSS(`[data-field="consent"] [data-error-for]`)),
			)
			if checked := get(t, ctx, chromedp.Evaluate[bool](`document.getElementById("support-services-hiv").checked && document.getElementById("support-contact_method-zalo").checked`)); !checked {
				t.Errorf("the ticked answers were not kept")
			}
			do(t, ctx,
				chromedp.Click(chromedp.ID("support-consent")),
				chromedp.Click(chromedp.CSS(`button[data-submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`[data-receipt]`)),
			)
			receipt := strings.TrimSpace(get(t, ctx, chromedp.Text(chromedp.CSS(`[data-receipt]`))))
			sub := svc.findByReceipt(t, receipt)
			if sub.Kind != formsvc.KindSupport || strings.Join(sub.Services, ",") != "hiv,job" ||
				sub.Content.Text["contact"] != "0912345678" || sub.Content.Text["contact_method"] != "zalo" || !sub.Content.Bools["consent"] {
				t.Errorf("stored %+v", sub)
			}
		})
	}
}

// TestFollowUpWithTheReceipt: send a tip, read its receipt, follow up on
// the site, add a message, and see it in the thread.
func TestFollowUpWithTheReceipt(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			svc := startService(t)
			ctx := browser(t, m.js)
			do(t, ctx,
				chromedp.Navigate(svc.URL+"/gui-tin-bao/"),
				chromedp.SetValue(chromedp.ID("tip-category"), "online"),
				chromedp.SendKeys(chromedp.ID("tip-location"), "Nhóm Zalo tuyển người làm ở nước ngoài"),
				chromedp.SendKeys(chromedp.ID("tip-description"), "Nhóm hứa việc nhẹ lương cao, giữ giấy tờ của người đi."),
				chromedp.Click(chromedp.CSS(`button[data-submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`[data-receipt]`)),
			)
			receipt := strings.TrimSpace(get(t, ctx, chromedp.Text(chromedp.CSS(`[data-receipt]`))))
			// An officer's reply at 01:07 UTC reads 08:07, Vietnam's time,
			// in the one format, with JavaScript (site.js) and without (the
			// service's page), whatever the browser's zone and language.
			svc.reply(t, receipt, "Cán bộ đã nhận tin.", time.Date(2026, 3, 5, 1, 7, 0, 0, time.UTC))
			if _, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "America/New_York"}); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Call(ctx, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: "en-US"}); err != nil {
				t.Fatal(err)
			}
			do(t, ctx,
				chromedp.Navigate(svc.URL+"/tra-cuu/"),
				chromedp.SendKeys(chromedp.ID("follow_up-receipt"), receipt),
				chromedp.Click(chromedp.CSS(`form[data-form="follow_up"] button[data-submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`[data-follow-up-result] [data-fu-status]`)),
			)
			if at := get(t, ctx, chromedp.Text(chromedp.CSS(`.msg-officer [data-fu-at]`))); at != "05/03/2026 08:07" {
				t.Errorf("the officer's reply is dated %q, want 05/03/2026 08:07", at)
			}
			status := get(t, ctx, chromedp.Text(chromedp.CSS(`[data-fu-status]`)))
			if status != specs.Kind(t, formsvc.KindTip).PublicLabel("received") {
				t.Errorf("status shown = %q", status)
			}
			url := get(t, ctx, chromedp.Location())
			if strings.Contains(url, strings.ReplaceAll(receipt, "-", "")) || strings.Contains(url, receipt) {
				t.Errorf("the receipt is in the URL: %s", url)
			}
			const detail = "Chủ nhóm dùng tài khoản tên Hoa, hẹn gặp ở bến xe."
			do(t, ctx,
				chromedp.SendKeys(chromedp.ID("follow_up_message-message"), detail),
				chromedp.Click(chromedp.CSS(`form[data-form="follow_up_message"] button[data-submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`[data-fu-notice]`)),
			)
			dateRe := regexp.MustCompile(`^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$`)
			if at := get(t, ctx, chromedp.Text(chromedp.CSS(`.msg-you [data-fu-at]`))); !dateRe.MatchString(at) {
				t.Errorf("the added detail is dated %q, want dd/mm/yyyy HH:mm", at)
			}
			thread := get(t, ctx, chromedp.Text(chromedp.CSS(`[data-fu-messages]`)))
			if !strings.Contains(thread, detail) {
				t.Errorf("thread = %q, want the added detail", thread)
			}
			if u := get(t, ctx, chromedp.Location()); strings.Contains(u, strings.ReplaceAll(receipt, "-", "")) || strings.Contains(u, receipt) {
				t.Errorf("the receipt is in the URL: %s", u)
			}
		})
	}
}

// reply writes an officer's reply to the submission of receipt at a given
// moment, as the console would.
func (s *service) reply(t *testing.T, receipt, body string, at time.Time) {
	t.Helper()
	s.addOfficer(t, "congan", "police", "trau-cay-ruong-sang-som")
	sub := s.findByReceipt(t, receipt)
	db, _ := s.open(t)
	defer db.Close()
	o, _, err := db.OfficerByUsername(context.Background(), "congan")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Reply(context.Background(), sub, o.ID, body, at); err != nil {
		t.Fatal(err)
	}
}
