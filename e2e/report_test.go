package e2e

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestReportPage: `formsvc demo` fills the service's empty database; the
// demo social officer logs in with the password it printed (the demo
// admin must first enrol a second factor) and opens the report of
// this half-year. The report is in the state's format; with JavaScript
// its print button shows and prints, without it the page says to press
// Ctrl+P; the back link returns to the form; axe finds no violation.
func TestReportPage(t *testing.T) {
	svc := startService(t)
	out, err := exec.Command(binary, "demo", "--db", svc.DB, "--key-file", svc.KeyPath,
		"--tips", "30", "--support", "12", "--months", "6").CombinedOutput()
	if err != nil {
		t.Fatalf("formsvc demo: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`cùng một mật khẩu: (\S+)`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("formsvc demo printed no password:\n%s", out)
	}
	password := m[1]
	axe := axeScript(t)
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			ctx := browser(t, mode.js)
			do(t, ctx,
				chromedp.Navigate(svc.URL+"/officer/login"),
				chromedp.SendKeys(chromedp.ID("username"), "demo-xahoi"),
				chromedp.SendKeys(chromedp.ID("password"), password),
				chromedp.Click(chromedp.CSS(`form[action="/officer/login"] button`)),
				chromedp.WaitVisible(chromedp.CSS(`table.cases`)),
				chromedp.Navigate(svc.URL+"/officer/report"),
				chromedp.Click(chromedp.CSS(`form[action="/officer/report/download"] button[type="submit"]`)),
				chromedp.WaitVisible(chromedp.CSS(`.letterhead`)),
			)
			if got := get(t, ctx, chromedp.Text(chromedp.CSS(`.letterhead .nation .title`))); got != "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" {
				t.Errorf("national title = %q", got)
			}
			if got := get(t, ctx, chromedp.Text(chromedp.CSS(`section.kind .lead strong`))); got == "0" || got == "" {
				t.Errorf("the report counts %q tips of the demo data", got)
			}
			shown := func(id string) bool {
				return get(t, ctx, chromedp.Evaluate[bool](`(function(){var e=document.getElementById("`+id+`");return !!e && e.getClientRects().length>0})()`))
			}
			if shown("print-report") != mode.js || shown("print-hint") == mode.js {
				t.Errorf("print button shown %v, Ctrl+P hint shown %v", shown("print-report"), shown("print-hint"))
			}
			if !mode.js && !strings.Contains(strings.ToLower(get(t, ctx, chromedp.Text(chromedp.ID("print-hint")))), "bấm ctrl+p để in") {
				t.Error("no Ctrl+P hint without JavaScript")
			}
			if mode.js {
				// The button calls the browser's print (stood in for here:
				// a headless print dialog would wait for no one).
				do(t, ctx,
					chromedp.Evaluate[chromedp.Void](`window.print = function(){ window.printed = true }`),
					chromedp.Click(chromedp.ID("print-report")),
				)
				if !get(t, ctx, chromedp.Evaluate[bool](`window.printed === true`)) {
					t.Error("the print button did not print")
				}
				if r := runAxe(t, ctx, axe); len(r.Violations) > 0 {
					t.Errorf("axe on the report page:%s", describe(r.Violations))
				}
			}
			do(t, ctx,
				chromedp.Click(chromedp.CSS(`nav.toolbar a`)),
				chromedp.WaitVisible(chromedp.CSS(`form[action="/officer/report/download"]`)),
			)
		})
	}
}
