package e2e

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

var receiptRe = regexp.MustCompile(`^\d{4}-\d{4}-\d{4}-\d{4}$`)

type mode struct {
	name string
	js   bool
}

var modes = []mode{{"javascript on", true}, {"javascript off", false}}

// TestSendATip: open the site, go to the tip form, fill it, submit, read
// the receipt on the confirmation, find the tip in the database.
func TestSendATip(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			svc := startService(t)
			ctx := browser(t, m.js)
			description := "Quán có nhiều người lạ ra vào lúc nửa đêm (" + m.name + ")."
			do(t, ctx,
				chromedp.Navigate(svc.URL+"/"),
				chromedp.Click(chromedp.CSS(`a.action[href="/gui-tin-bao/"]`), chromedp.NodeVisible),
				chromedp.WaitVisible(chromedp.CSS(`form[data-form="tip"]`)),
				chromedp.SetValue(chromedp.ID("tip-category"), "karaoke"),
				chromedp.SendKeys(chromedp.ID("tip-location"), "Quán karaoke Hoa Hồng, thôn Đông"),
				chromedp.SendKeys(chromedp.ID("tip-description"), description),
				chromedp.Click(chromedp.ID("tip-coercion_suspected")),
				chromedp.Click(chromedp.CSS(`button[data-submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`[data-receipt]`)),
			)
			receipt := strings.TrimSpace(get(t, ctx, chromedp.Text(chromedp.CSS(`[data-receipt]`))))
			if !receiptRe.MatchString(receipt) {
				t.Fatalf("receipt on the page = %q", receipt)
			}
			sub := svc.findByReceipt(t, receipt)
			if sub.Kind != formsvc.KindTip || sub.Category != "karaoke" || sub.Priority != formsvc.PriorityHigh ||
				sub.Content.Text["description"] != description {
				t.Errorf("stored %+v", sub)
			}
			// With JavaScript the answer came without a reload (the form's
			// URL); without it the browser posted and the service answered.
			url := get(t, ctx, chromedp.Location())
			if m.js && !strings.HasSuffix(url, "/gui-tin-bao/") {
				t.Errorf("with JavaScript the page moved to %s", url)
			}
			if !m.js && !strings.HasSuffix(url, "/api/v1/tips") {
				t.Errorf("without JavaScript the form posted to %s", url)
			}
		})
	}
}

// TestTipErrorsInTheBrowser: a form without the required answers shows the
// error summary, which takes focus, and a message beside each field, and
// keeps what was typed, in both modes.
func TestTipErrorsInTheBrowser(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			svc := startService(t)
			ctx := browser(t, m.js)
			do(t, ctx,
				chromedp.Navigate(svc.URL+"/gui-tin-bao/"),
				chromedp.SendKeys(chromedp.ID("tip-location"), "Thôn Tây"),
				chromedp.Click(chromedp.CSS(`button[data-submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`[data-error-summary]`)),
			)
			if title := get(t, ctx, chromedp.Title()); !strings.HasPrefix(title, "Lỗi: ") {
				t.Errorf("title = %q", title)
			}
			focused := get(t, ctx, chromedp.Evaluate[string](`document.activeElement && document.activeElement.hasAttribute("data-error-summary") ? "summary" : String((document.activeElement||{}).tagName)`))
			if focused != "summary" {
				t.Errorf("focus is on %q, want the error summary", focused)
			}
			if links := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("[data-error-summary] li a").length`)); links != 2 {
				t.Errorf("summary has %d links, want 2 (category, description)", links)
			}
			if v := get(t, ctx, chromedp.Value(chromedp.ID("tip-location"))); v != "Thôn Tây" {
				t.Errorf("the answer was not kept: %q", v)
			}
			msg := get(t, ctx, chromedp.Text(chromedp.CSS(`[data-field="description"] [data-error-text]`)))
			if !strings.Contains(msg, "Vui lòng nhập phần mô tả") {
				t.Errorf("message beside the description = %q", msg)
			}
		})
	}
}
