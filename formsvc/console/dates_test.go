package console_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// TestDatesOneFormat: the console writes every moment dd/mm/yyyy HH:mm in
// Vietnam's time: the inbox (whose <time> says the same moment in RFC
// 3339 for programs), a case's facts, history and thread, the audit log.
func TestDatesOneFormat(t *testing.T) {
	a := newApp(t)
	_, ref := a.tip()
	b := a.loggedIn("congan")
	p := "/officer/cases/" + ref
	b.post(p, p+"/status", map[string][]string{"status": {"verifying"}, "note": {"Đang xác minh."}})
	b.post(p, p+"/replies", map[string][]string{"body": {"Xã đã nhận tin."}})

	_, doc := b.get("/officer/")
	tm := doc.Find("table.cases time").First()
	at, err := time.Parse(time.RFC3339, tm.AttrOr("datetime", ""))
	if err != nil {
		t.Fatalf("inbox <time datetime=%q>: %v", tm.AttrOr("datetime", ""), err)
	}
	if got, want := tm.Text(), at.In(formsvc.Vietnam).Format("02/01/2006 15:04"); got != want {
		t.Errorf("inbox date = %q, want %q (Vietnam's time)", got, want)
	}

	re := regexp.MustCompile(`^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$`)
	_, doc = b.get(p)
	dates := []string{strings.TrimSpace(doc.Find(`.facts dt:contains("Nhận lúc") + dd`).Text()),
		strings.TrimSpace(doc.Find("#history tbody td").First().Contents().Last().Text())}
	doc.Find("#thread .meta").Each(func(_ int, s *goquery.Selection) {
		dates = append(dates, strings.TrimSpace(s.Contents().Last().Text()[len(" · "):]))
	})
	_, doc = a.loggedIn("quantri").get("/officer/audit")
	dates = append(dates, strings.TrimSpace(doc.Find("tbody td").First().Contents().Last().Text()))
	if len(dates) != 4 {
		t.Fatalf("found %d dates, want 4: %q", len(dates), dates)
	}
	for _, d := range dates {
		if !re.MatchString(d) {
			t.Errorf("date %q is not dd/mm/yyyy HH:mm", d)
		}
	}
	if dates[0] != formsvc.DateTime(at) {
		t.Errorf("the case says it arrived %q, the inbox %q", dates[0], formsvc.DateTime(at))
	}
}
