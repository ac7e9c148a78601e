package e2e

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// addOfficer runs `formsvc officer add` against the service's database.
func (s *service) addOfficer(t *testing.T, username, role, password string) {
	t.Helper()
	cmd := exec.Command(binary, "officer", "add", "--db", s.DB, "--key-file", s.KeyPath,
		"--username", username, "--role", role, "--password-stdin")
	cmd.Stdin = strings.NewReader(password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("officer add: %v\n%s", err, out)
	}
}

// TestOfficerClosesACase: a tip arrives; the commune police officer logs
// in on a phone-sized screen, opens it from the inbox and closes it with
// a note, with JavaScript on and off (the console needs none).
func TestOfficerClosesACase(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			svc := startService(t)
			svc.addOfficer(t, "congan", "police", "trau-cay-ruong-sang-som")
			ctx := browser(t, m.js)
			do(t, ctx,
				chromedp.Navigate(svc.URL+"/gui-tin-bao/"),
				chromedp.SetValue(chromedp.ID("tip-category"), "cafe_bar"),
				chromedp.SendKeys(chromedp.ID("tip-location"), "Quán cà phê Mây, đường 5"),
				chromedp.SendKeys(chromedp.ID("tip-description"), "Tầng hai có phòng kín, khách ra vào suốt đêm."),
				chromedp.Click(chromedp.CSS(`button[data-submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`[data-receipt]`)),
			)
			receipt := strings.TrimSpace(get(t, ctx, chromedp.Text(chromedp.CSS(`[data-receipt]`))))

			do(t, ctx,
				chromedp.Navigate(svc.URL+"/officer/login"),
				chromedp.SendKeys(chromedp.ID("username"), "congan"),
				chromedp.SendKeys(chromedp.ID("password"), "trau-cay-ruong-sang-som"),
				chromedp.Click(chromedp.CSS(`form[action="/officer/login"] button`)),
				chromedp.WaitVisible(chromedp.CSS(`table.cases`)),
				chromedp.Click(chromedp.CSS(`table.cases tbody a`)),
				chromedp.WaitVisible(chromedp.ID("status-to")),
				chromedp.SetValue(chromedp.ID("status-to"), "closed"),
				chromedp.SendKeys(chromedp.ID("status-note"), "Đã kiểm tra, chủ quán cam kết không vi phạm."),
				chromedp.Click(chromedp.CSS(`#status button`)),
				chromedp.WaitVisible(chromedp.CSS(`.flash`)),
			)
			if flash := get(t, ctx, chromedp.Text(chromedp.CSS(`.flash`))); !strings.Contains(flash, "Đã đóng") {
				t.Errorf("flash = %q", flash)
			}
			sub := svc.findByReceipt(t, receipt)
			if sub.Status != formsvc.StatusClosed {
				t.Errorf("status in the database = %q, want closed", sub.Status)
			}
			db, _ := svc.open(t)
			defer db.Close()
			hist, err := db.History(context.Background(), sub)
			if err != nil || len(hist) != 1 || hist[0].Note != "Đã kiểm tra, chủ quán cam kết không vi phạm." || hist[0].OfficerName != "congan" {
				t.Errorf("history = %+v, %v", hist, err)
			}
		})
	}
}
