package e2e

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

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
				chromedp.SendKeys(chromedp.ID("tip-observed_at"), "5/3/2026"), // as the hint says: day/month/year
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
				sub.Content.Text["description"] != description || sub.Content.Text["observed_at"] != "2026-03-05" {
				t.Errorf("stored %+v", sub)
			}
			// With JavaScript the answer came without a reload (the form's
			// URL); without it the browser posted and the service answered.
			url := get(t, ctx, chromedp.Location())
			if m.js && !strings.HasSuffix(url, "/gui-tin-bao/") {
				t.Errorf("with JavaScript the page moved to %s", url)
			}
			if !m.js && !strings.Contains(url, "/api/v1/receipts/") {
				t.Errorf("without JavaScript the post was not redirected to its receipt page: %s", url)
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

// TestNoSecondRecordWithoutJavaScript: with JavaScript off, reloading the
// confirmation, Back and Forward, sending the same form again and a double
// click on "Gửi" never store a second record.
func TestNoSecondRecordWithoutJavaScript(t *testing.T) {
	svc := startService(t)
	ctx := browser(t, false)
	// fill opens the form, fills it and sends it with submit.
	fill := func(description string, submit chromedp.Action[chromedp.Void]) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(svc.URL + "/gui-tin-bao/"),
			chromedp.WaitVisible(chromedp.CSS(`form[data-form="tip"]`)),
			chromedp.SetValue(chromedp.ID("tip-category"), "massage"),
			chromedp.SetValue(chromedp.ID("tip-location"), "Tiệm xoa bóp cuối ngõ 4"),
			chromedp.SetValue(chromedp.ID("tip-description"), description),
			submit,
			chromedp.WaitVisible(chromedp.CSS(`[data-receipt]`)),
		}
	}
	click := chromedp.Click(chromedp.CSS(`button[data-submit]`))
	do(t, ctx, fill("Có người bị giữ giấy tờ, không được ra ngoài.", click)...)
	receipt := strings.TrimSpace(get(t, ctx, chromedp.Text(chromedp.CSS(`[data-receipt]`))))
	if !receiptRe.MatchString(receipt) || svc.count(t) != 1 {
		t.Fatalf("first post: receipt %q, %d stored", receipt, svc.count(t))
	}
	if url := get(t, ctx, chromedp.Location()); strings.Contains(url, receipt) || strings.Contains(url, strings.ReplaceAll(receipt, "-", "")) {
		t.Errorf("the receipt is in the address %s", url)
	}
	// Reload: the page says the receipt was shown once; nothing is posted.
	do(t, ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`[data-error-message]`)))
	if msg := get(t, ctx, chromedp.Text(chromedp.CSS(`[data-error-message]`))); !strings.Contains(msg, "chỉ hiện một lần") {
		t.Errorf("after reload the page says %q", msg)
	}
	// Back to the form, Forward again.
	// (history.back, as a person's Back button: the page may come from
	// the back-forward cache, which fires no load event to wait for.)
	get(t, ctx, chromedp.Evaluate[any](`history.back()`))
	waitLocation(t, ctx, "/gui-tin-bao/")
	get(t, ctx, chromedp.Evaluate[any](`history.forward()`))
	waitLocation(t, ctx, "/api/v1/receipts/")
	if n := svc.count(t); n != 1 {
		t.Errorf("after reload, Back and Forward: %d stored, want 1", n)
	}
	// The same form sent again: the same record, the same receipt.
	do(t, ctx, fill("Có người bị giữ giấy tờ, không được ra ngoài.", click)...)
	if again := strings.TrimSpace(get(t, ctx, chromedp.Text(chromedp.CSS(`[data-receipt]`)))); again != receipt || svc.count(t) != 1 {
		t.Errorf("the same form again: receipt %q (first %q), %d stored; want the same, 1", again, receipt, svc.count(t))
	}
	// A double click on a new report stores it once.
	do(t, ctx, fill("Một tin khác: có trẻ em làm việc ban đêm ở đây.", chromedp.DoubleClick(chromedp.CSS(`button[data-submit]`)))...)
	if n := svc.count(t); n != 2 {
		t.Errorf("after a double click on a new report: %d stored, want 2", n)
	}
}

// waitLocation waits until the page's address contains part (a history
// move restored from the back-forward cache fires no event to wait for).
func waitLocation(t *testing.T, ctx context.Context, part string) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if strings.Contains(get(t, ctx, chromedp.Location()), part) {
			return
		}
	}
	t.Fatalf("the page never reached %s", part)
}

// TestProofOfWorkUnderPressure: while half the shared ceiling of the
// site's JavaScript is used, a post without a solved challenge gets 428;
// a person in the browser does not notice: the page solves the challenge
// in the background and the tip is accepted.
func TestProofOfWorkUnderPressure(t *testing.T) {
	// 4 an hour: 1 for plain posts, 3 for JavaScript, which must answer a
	// challenge once 1.5 are used.
	svc := startService(t, "--submit-global-limit", "4/1h")
	ctx := browser(t, true)
	send := func(description string) string {
		do(t, ctx,
			chromedp.Navigate(svc.URL+"/gui-tin-bao/"),
			chromedp.WaitVisible(chromedp.CSS(`form[data-form="tip"]`)),
			chromedp.SetValue(chromedp.ID("tip-category"), "online"),
			chromedp.SendKeys(chromedp.ID("tip-location"), "Một nhóm trên mạng xã hội"),
			chromedp.SendKeys(chromedp.ID("tip-description"), description),
			chromedp.Click(chromedp.CSS(`button[data-submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-receipt]`)),
		)
		return strings.TrimSpace(get(t, ctx, chromedp.Text(chromedp.CSS(`[data-receipt]`))))
	}
	for i, d := range []string{"Tuyển người làm việc ở nước ngoài, hứa lương cao.", "Nhóm rao bán dâm, có người dưới 18 tuổi."} {
		if r := send(d); !receiptRe.MatchString(r) {
			t.Fatalf("tip %d: receipt %q", i, r)
		}
	}
	// Now a script without an answer is asked for one.
	req, _ := http.NewRequest("POST", svc.URL+"/api/v1/tips", strings.NewReader(`{"category":"online","location":"x","description":"Một tin không kèm lời giải thử thách."}`))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusPreconditionRequired {
		t.Fatalf("a post without an answer under pressure: Status = %d, want 428", res.StatusCode)
	}
	if r := send("Lại thấy quảng cáo tuyển người đi làm ở biên giới."); !receiptRe.MatchString(r) || svc.count(t) != 3 {
		t.Errorf("the browser under pressure: receipt %q, %d stored; want a receipt and 3", r, svc.count(t))
	}
	// The script answered the challenge itself: it did not fall back to a
	// plain post (which would have left the form's address).
	if url := get(t, ctx, chromedp.Location()); !strings.HasSuffix(url, "/gui-tin-bao/") {
		t.Errorf("the page fell back to a plain post: %s", url)
	}
	if !strings.Contains(svc.logs.String(), "status=428") {
		t.Errorf("no 428 in the service's log: the test did not reach pressure")
	}
}
