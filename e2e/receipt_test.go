package e2e

import (
	"context"
	"strings"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// receiptLayout measures the receipt as the reader sees it: how many lines
// its text takes and whether it stays inside the screen.
const receiptLayout = `(function () {
	var r = document.querySelector("[data-receipt]");
	var range = document.createRange();
	range.selectNodeContents(r);
	var tops = {};
	Array.prototype.forEach.call(range.getClientRects(), function (x) { tops[Math.round(x.top)] = true; });
	var box = range.getBoundingClientRect();
	return { lines: Object.keys(tops).length, inside: box.left >= 0 && box.right <= document.documentElement.clientWidth };
})()`

type layout struct {
	Lines  int  `json:"lines"`
	Inside bool `json:"inside"`
}

// phone makes the page 360 px wide: headless Chromium keeps a window
// wider than chromedp.WindowSize(360, …) asks for.
func phone(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: 360, Height: 740, DeviceScaleFactor: 2, Mobile: true,
	}); err != nil {
		t.Fatalf("emulate a 360 px phone: %v", err)
	}
	return ctx
}

// TestReceiptOnOnePhoneLine: on a 360 px phone the receipt is one line
// inside the screen, with and without JavaScript; with JavaScript a button
// copies it and says "Đã chép"; without, the button is not there and the
// hint to print or save the page is.
func TestReceiptOnOnePhoneLine(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			svc := startService(t)
			ctx := phone(t, browser(t, m.js))
			do(t, ctx,
				chromedp.Navigate(svc.URL+"/gui-tin-bao/"),
				chromedp.WaitVisible(chromedp.CSS(`form[data-form="tip"]`)),
				chromedp.SetValue(chromedp.ID("tip-category"), "karaoke"),
				chromedp.SendKeys(chromedp.ID("tip-location"), "Quán karaoke Hoa Hồng, thôn Đông"),
				chromedp.SendKeys(chromedp.ID("tip-description"), "Quán có nhiều người lạ ra vào lúc nửa đêm."),
				chromedp.Click(chromedp.CSS(`button[data-submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`[data-receipt]`)),
			)
			receipt := strings.TrimSpace(get(t, ctx, chromedp.Text(chromedp.CSS(`[data-receipt]`))))
			if !receiptRe.MatchString(receipt) {
				t.Fatalf("receipt on the page = %q", receipt)
			}
			if w := get(t, ctx, chromedp.Evaluate[float64](`document.documentElement.clientWidth`)); w > 360 {
				t.Fatalf("the screen is %.0f px wide, want a 360 px phone", w)
			}
			if l := get(t, ctx, chromedp.Evaluate[layout](receiptLayout)); l.Lines != 1 || !l.Inside {
				t.Errorf("the receipt takes %d lines, inside the screen: %v", l.Lines, l.Inside)
			}
			if get(t, ctx, chromedp.Evaluate[bool](`!!document.querySelector("[data-receipt-missing]")`)) {
				t.Errorf("the note for a page opened directly is still there beside a receipt")
			}
			hint := get(t, ctx, chromedp.Evaluate[bool](`(function () {
				var h = Array.from(document.querySelectorAll("[data-receipt-block] .hint")).filter(function (p) { return p.offsetParent !== null; });
				return h.some(function (p) { return p.textContent.indexOf("In hoặc lưu trang này (Ctrl+P)") >= 0; });
			})()`))
			if !hint {
				t.Errorf("no visible hint to print or save the page")
			}
			button := get(t, ctx, chromedp.Evaluate[bool](`(function () { var b = document.querySelector("[data-copy-receipt]"); return !!b && b.offsetParent !== null; })()`))
			if !m.js {
				if button {
					t.Errorf("the copy button shows without JavaScript, where it does nothing")
				}
				return
			}
			if !button {
				t.Fatalf("no copy button with JavaScript")
			}
			for _, name := range []string{"clipboard-read", "clipboard-write"} {
				if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
					Permission: &cdpbrowser.PermissionDescriptor{Name: name}, Setting: cdpbrowser.PermissionSettingGranted, Origin: svc.URL,
				}); err != nil {
					t.Fatalf("grant %s: %v", name, err)
				}
			}
			do(t, ctx, chromedp.Click(chromedp.CSS(`[data-copy-receipt]`), chromedp.NodeVisible))
			get(t, ctx, chromedp.Poll[bool](`document.querySelector("[data-copy-receipt]").textContent === "Đã chép"`))
			copied := get(t, ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
			if copied != receipt {
				t.Errorf("the clipboard holds %q, want the receipt %q", copied, receipt)
			}
		})
	}
}

// TestConfirmationOpenedDirectly: the confirmation page opened by its
// address shows no receipt, fake or real, but says why.
func TestConfirmationOpenedDirectly(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			svc := startService(t)
			ctx := browser(t, m.js)
			for _, path := range []string{"/gui-tin-bao/da-gui/", "/yeu-cau-ho-tro/da-gui/"} {
				do(t, ctx, chromedp.Navigate(svc.URL+path), chromedp.WaitVisible(chromedp.CSS(`[data-receipt-missing]`)))
				if text := get(t, ctx, chromedp.Evaluate[string](`document.querySelector("main").innerText`)); strings.Contains(text, "0000") {
					t.Errorf("%s shows a placeholder receipt", path)
				}
				if get(t, ctx, chromedp.Evaluate[bool](`document.querySelector("[data-receipt]").offsetParent !== null`)) {
					t.Errorf("%s shows an empty receipt", path)
				}
				if note := get(t, ctx, chromedp.Text(chromedp.CSS(`[data-receipt-missing]`))); !strings.Contains(note, "Mã biên nhận chỉ hiện ngay sau khi gửi") {
					t.Errorf("%s says %q", path, note)
				}
			}
		})
	}
}
