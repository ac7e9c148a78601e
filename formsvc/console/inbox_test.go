package console_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// TestInboxFiltersOrderAndPages: each filter of the inbox keeps exactly the
// cases it names, high priority comes before newer normal cases, and 51
// cases make two pages that together list each case once.
func TestInboxFiltersOrderAndPages(t *testing.T) {
	a := newApp(t)
	high, _ := a.tip() // minors involved: high priority, and the oldest
	var normal []string
	for i := range 50 {
		normal = append(normal, a.submit("/api/v1/tips", fmt.Sprintf(`{"category":"karaoke","location":"Quán %d","description":"Có nhiều người lạ ra vào buổi tối"}`, i)))
	}
	b := a.loggedIn("congan")
	refs := func(q string) []string {
		t.Helper()
		_, doc := b.get("/officer/?" + q)
		var out []string
		doc.Find("table.cases tbody tr td:first-child a").Each(func(_ int, s *goquery.Selection) { out = append(out, s.Text()) })
		return out
	}
	ref := func(receipt string) string {
		t.Helper()
		_, doc := b.get(fmt.Sprintf("/officer/cases/%s", a.refOf(receipt)))
		f := strings.Fields(doc.Find("h1").Text()) // "TB-2026-0001 Tin báo"
		if len(f) == 0 {
			t.Fatalf("case page without a reference")
		}
		return f[0]
	}
	highRef := ref(high)
	newest := ref(normal[len(normal)-1])

	first, second := refs("kind=tip"), refs("kind=tip&page=2")
	if len(first) != 50 || len(second) != 1 {
		t.Fatalf("51 cases on pages of %d and %d, want 50 and 1", len(first), len(second))
	}
	if !sameRef(first[0], highRef) || !sameRef(first[1], newest) {
		t.Errorf("order starts %v; want the high-priority case, then the newest", first[:2])
	}
	all := append(slices.Clone(first), second...)
	slices.Sort(all)
	if len(slices.Compact(all)) != 51 {
		t.Errorf("the two pages repeat a case")
	}
	if got := refs("kind=tip&priority=high"); len(got) != 1 || !sameRef(got[0], highRef) {
		t.Errorf("priority=high lists %v, want only %s", got, highRef)
	}
	if got := refs("kind=tip&code=lodging"); len(got) != 1 || !sameRef(got[0], highRef) {
		t.Errorf("code=lodging lists %v, want only %s", got, highRef)
	}
	casePath := fmt.Sprintf("/officer/cases/%s", a.refOf(normal[7]))
	if res, _ := b.post(casePath, casePath+"/status", url.Values{"status": {"verifying"}, "note": {"Đã cử người xác minh."}, "from": {"received"}}); res.StatusCode != 303 {
		t.Fatalf("status change: %d", res.StatusCode)
	}
	if got := refs("kind=tip&status=verifying"); len(got) != 1 || !sameRef(got[0], ref(normal[7])) {
		t.Errorf("status=verifying lists %v, want only the case moved there", got)
	}
	vn := formsvc.Vietnam
	today, tomorrow := time.Now().In(vn).Format("2006-01-02"), time.Now().In(vn).AddDate(0, 0, 1).Format("2006-01-02")
	if got := refs("kind=tip&from=" + tomorrow); len(got) != 0 {
		t.Errorf("from=%s (tomorrow) lists %d cases", tomorrow, len(got))
	}
	if got := refs("kind=tip&from=" + today + "&to=" + today); len(got) != 50 {
		t.Errorf("from=to=today lists %d cases on the first page, want 50", len(got))
	}
}

func sameRef(cell, ref string) bool { return ref != "" && strings.TrimSpace(cell) == ref }

// TestDashboardCounts: the dashboard's numbers are the cases': open cases
// by status, the received total of 12 months, this month's row, and a bar
// chart whose name gives the same total; the police see tips only.
func TestDashboardCounts(t *testing.T) {
	a := newApp(t)
	a.tip()
	a.tip()
	_, moved := a.tip()
	a.support()
	b := a.loggedIn("congan")
	p := fmt.Sprintf("/officer/cases/%s", moved)
	if res, _ := b.post(p, p+"/status", url.Values{"status": {"verifying"}, "note": {"Đi xác minh."}, "from": {"received"}}); res.StatusCode != 303 {
		t.Fatalf("status change: %d", res.StatusCode)
	}
	_, doc := b.get("/officer/dashboard")
	sections := doc.Find("main section")
	if sections.Length() != 1 || strings.TrimSpace(sections.Find("h2").Text()) != "Tin báo" {
		t.Fatalf("police dashboard sections: %d (%q)", sections.Length(), sections.Find("h2").Text())
	}
	if open := sections.Find("p strong").First().Text(); open != "3" {
		t.Errorf("open cases: %q, want 3", open)
	}
	byStatus := map[string]string{}
	heads := sections.Find("table").First().Find("thead th")
	sections.Find("table").First().Find("tbody td").Each(func(i int, td *goquery.Selection) {
		byStatus[strings.TrimSpace(heads.Eq(i).Text())] = strings.TrimSpace(td.Text())
	})
	var received, verifying string
	for label, n := range byStatus {
		switch {
		case strings.Contains(strings.ToLower(label), "xác minh"):
			verifying = n
		case strings.Contains(strings.ToLower(label), "nhận"):
			received = n
		}
	}
	if received != "2" || verifying != "1" {
		t.Errorf("open by status %v: want 2 received and 1 being verified", byStatus)
	}
	if caption := sections.Find("figcaption").Text(); !strings.Contains(caption, "tổng 3 trong 12 tháng") {
		t.Errorf("chart caption %q, want a 12-month total of 3", caption)
	}
	month := time.Now().In(formsvc.Vietnam).Format("01/2006")
	found := false
	sections.Find("details tbody tr").Each(func(_ int, tr *goquery.Selection) {
		if strings.TrimSpace(tr.Find("td").First().Text()) == month {
			found = strings.TrimSpace(tr.Find("td").Last().Text()) == "3"
		}
	})
	if !found {
		t.Errorf("the month table has no row %s with 3", month)
	}
	if sections.Find("svg.chart").Length() != 1 {
		t.Errorf("no chart")
	}
}
