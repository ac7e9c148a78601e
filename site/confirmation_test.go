package site_test

import (
	"strings"
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/web"
)

// TestConfirmationPages: each confirmation page, as built (what one sees
// opening it directly), shows no receipt, fake or real, but a note that
// the receipt shows only just after sending; its receipt block (hidden)
// holds the slot, the copy button (hidden until site.js shows it) and a
// hint to print that works without JavaScript; its button back to the
// form is in its own words.
func TestConfirmationPages(t *testing.T) {
	s := spec(t)
	again := map[*formsvc.Form]string{s.Tip: "Gửi một tin báo khác", s.Support: "Gửi một yêu cầu hỗ trợ khác"}
	for f, want := range again {
		path := f.Page + web.ConfirmationChild
		doc := page(t, path)
		if got := strings.TrimSpace(doc.Find("a[data-again]").Text()); got != want {
			t.Errorf("%s: the button back reads %q, want %q", path, got, want)
		}
		if href := doc.Find("a[data-again]").AttrOr("href", ""); href != f.Page {
			t.Errorf("%s: the button back leads to %q, want %q", path, href, f.Page)
		}
		main := doc.Find("main")
		if strings.Contains(main.Text(), "0000") {
			t.Errorf("%s shows a placeholder receipt", path)
		}
		block := main.Find("[data-receipt-block]")
		if _, hidden := block.Attr("hidden"); block.Length() != 1 || !hidden {
			t.Errorf("%s: the receipt block is missing or not hidden", path)
		}
		if r := block.Find("[data-receipt]"); r.Length() != 1 || strings.TrimSpace(r.Text()) != "" {
			t.Errorf("%s: the receipt slot is missing or not empty: %q", path, r.Text())
		}
		if note := main.Find("[data-receipt-missing]"); note.Length() != 1 || !strings.Contains(note.Text(), "Mã biên nhận chỉ hiện ngay sau khi gửi") {
			t.Errorf("%s: no note that the receipt shows only after sending", path)
		} else if _, hidden := note.Attr("hidden"); hidden {
			t.Errorf("%s: the note is hidden", path)
		}
		btn := block.Find("button[data-copy-receipt]")
		if _, hidden := btn.Attr("hidden"); btn.Length() != 1 || !hidden || btn.AttrOr("type", "") != "button" {
			t.Errorf("%s: the copy button is missing, shown without JavaScript, or submits", path)
		}
		if !strings.Contains(block.Text(), "In hoặc lưu trang này (Ctrl+P) nếu không chép được") {
			t.Errorf("%s: no hint to print or save the page", path)
		}
		// The form page's template for site.js is the same panel.
		tpl := page(t, f.Page).Find("template[data-confirmation-template]")
		for _, sel := range []string{"[data-receipt-block][hidden] [data-receipt]", "[data-receipt-missing]", "button[data-copy-receipt][hidden]"} {
			if tpl.Find(sel).Length() != 1 {
				t.Errorf("%s: the confirmation template lacks %s", f.Page, sel)
			}
		}
	}
}
