package report_test

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"github.com/hoaphong/phongchongmaidam/data"
	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/report"
	"github.com/hoaphong/phongchongmaidam/internal/teststore"
)

var ict = formsvc.Vietnam

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		in, from, to, prevFrom, prevTo string
	}{
		{"2026-H1", "2026-01-01", "2026-07-01", "2025-07-01", "2026-01-01"},
		{"2026-H2", "2026-07-01", "2027-01-01", "2026-01-01", "2026-07-01"},
		{"2026", "2026-01-01", "2027-01-01", "2025-01-01", "2026-01-01"},
		{"2026-03-01..2026-03-31", "2026-03-01", "2026-04-01", "2026-01-29", "2026-03-01"},
	}
	for _, tt := range tests {
		p, err := report.ParsePeriod(tt.in)
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		prev := p.Previous()
		got := []string{p.From.Format("2006-01-02"), p.To.Format("2006-01-02"), prev.From.Format("2006-01-02"), prev.To.Format("2006-01-02")}
		want := []string{tt.from, tt.to, tt.prevFrom, tt.prevTo}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %v, want %v", tt.in, got, want)
		}
	}
	for _, bad := range []string{"", "2026-H3", "26", "2026-03-31..2026-03-01", "hôm qua",
		"0001-01-01..9999-12-31", "1999", "2101-H1", "2024-01-01..2026-01-02"} {
		if _, err := report.ParsePeriod(bad); err == nil {
			t.Errorf("ParsePeriod(%q) accepted it", bad)
		}
	}
}

// store makes records in 2026-H1 and 2025-H2 with fixed facts.
func store(t *testing.T) *teststore.DB {
	t.Helper()
	keys, _ := formsvc.DeriveKeys(bytes.Repeat([]byte{3}, 32))
	db := teststore.Open(t, keys)
	ctx := context.Background()
	o := &formsvc.Officer{Username: "xahoi", Role: formsvc.RoleSocial}
	db.CreateOfficer(ctx, o, "x")
	n := 0
	add := func(k formsvc.Kind, at time.Time, code string, prio formsvc.Priority) *formsvc.Submission {
		n++
		s := &formsvc.Submission{Kind: k, Status: "received", Priority: prio, CreatedAt: at}
		if k == formsvc.KindTip {
			s.Category = code
		} else {
			s.Services = []string{code}
		}
		if err := db.CreateSubmission(ctx, s, []byte(fmt.Sprintf("hash-%04d", n))); err != nil {
			t.Fatal(err)
		}
		return s
	}
	// 2026-H1: 7 tips (5 karaoke in January, 2 online in March, 1 high), 2 support requests.
	for i := range 5 {
		add(formsvc.KindTip, time.Date(2026, 1, 10+i, 3, 0, 0, 0, ict), "karaoke", "normal")
	}
	add(formsvc.KindTip, time.Date(2026, 3, 5, 3, 0, 0, 0, ict), "online", "high")
	add(formsvc.KindTip, time.Date(2026, 3, 6, 3, 0, 0, 0, ict), "online", "normal")
	s1 := add(formsvc.KindSupport, time.Date(2026, 2, 1, 9, 0, 0, 0, ict), "job", "normal")
	add(formsvc.KindSupport, time.Date(2026, 2, 3, 9, 0, 0, 0, ict), "hiv", "normal")
	// The first request was referred, then completed, then closed.
	for _, step := range []struct {
		to formsvc.Status
		h  int
	}{{"referred", 4}, {"completed", 48}, {"closed", 72}} {
		m := formsvc.StatusMove{To: step.to, Note: "…", OfficerID: o.ID, At: s1.CreatedAt.Add(time.Duration(step.h) * time.Hour)}
		if step.to == "referred" {
			m.Destination = "tro_giup_phap_ly"
		}
		if err := db.ChangeStatus(ctx, s1, m); err != nil {
			t.Fatal(err)
		}
		s1.Status = step.to
	}
	// 2025-H2: 4 tips.
	for i := range 4 {
		add(formsvc.KindTip, time.Date(2025, 9, 1+i, 3, 0, 0, 0, ict), "massage", "normal")
	}
	return db
}

// testCommune issues the test reports.
var testCommune = &formsvc.Commune{Name: "Ủy ban nhân dân xã Thử", Confirmed: true, Report: formsvc.CommuneReport{
	Place: "Thử", Recipients: []string{"Ủy ban nhân dân tỉnh (để báo cáo)"}, SignerAuthority: "TM. ỦY BAN NHÂN DÂN", SignerTitle: "CHỦ TỊCH"}}

func build(t *testing.T, db *teststore.DB, publication bool) *report.Report {
	t.Helper()
	spec, err := formsvc.LoadSpec(data.FormsYAML, data.ReferralsYAML)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := report.ParsePeriod("2026-H1")
	r, err := report.Build(context.Background(), db, spec, []formsvc.Kind{formsvc.KindTip, formsvc.KindSupport}, p, publication,
		testCommune, time.Date(2026, 7, 2, 0, 0, 0, 0, ict))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Referrals are counted by destination: the support request referred to
// legal aid counts there and nowhere else.
func TestReferralsCountedByDestination(t *testing.T) {
	r := build(t, store(t), false)
	var support *report.KindReport
	for _, k := range r.Kinds {
		if k.Kind == formsvc.KindSupport {
			support = k
		}
	}
	var tb *report.Table
	for i := range support.Tables {
		if strings.HasPrefix(support.Tables[i].Title, "Theo nơi chuyển tới") {
			tb = &support.Tables[i]
		}
	}
	if tb == nil {
		t.Fatal("no table by destination")
	}
	for _, row := range tb.Rows {
		want := "0"
		if row[0] == "Trợ giúp pháp lý của Nhà nước" {
			want = "1"
		}
		if row[1] != want {
			t.Errorf("%s: %s, want %s", row[0], row[1], want)
		}
	}
}

func cell(tb report.Table, label string) string {
	for _, row := range tb.Rows {
		if row[0] == label {
			return row[1]
		}
	}
	return "?"
}

func TestBuild(t *testing.T) {
	r := build(t, store(t), false)
	tips, sup := r.Kinds[0], r.Kinds[1]
	if tips.Received != "7" || tips.PrevCount != "4" || !strings.HasPrefix(tips.Change, "tăng 3 (+75%)") {
		t.Errorf("tips: received %s prev %s change %q", tips.Received, tips.PrevCount, tips.Change)
	}
	byCode := tips.Tables[1]
	if cell(byCode, "Quán karaoke") != "5" || !strings.HasPrefix(cell(byCode, "Trên mạng (mạng xã hội, ứng dụng, trang web)"), "2") {
		t.Errorf("by category = %v", byCode.Rows)
	}
	if cell(tips.Tables[3], "Cao (có trẻ em hoặc dấu hiệu ép buộc)") != "1" {
		t.Errorf("by priority = %v", tips.Tables[3].Rows)
	}
	months := tips.Tables[4]
	if len(months.Rows) != 6 || cell(months, "01/2026") != "5" || cell(months, "03/2026") != "2" || cell(months, "02/2026") != "0" {
		t.Errorf("by month = %v", months.Rows)
	}
	outcomes := sup.Tables[len(sup.Tables)-1]
	if cell(outcomes, "Đã giới thiệu tới dịch vụ phù hợp") != "1" || cell(outcomes, "Đã hỗ trợ xong") != "1" {
		t.Errorf("outcomes = %v", outcomes.Rows)
	}
	if sup.FirstAction != "4.0 giờ" || sup.Closure != "3.0 ngày" {
		t.Errorf("medians: first action %q, closure %q", sup.FirstAction, sup.Closure)
	}
}

func TestPublicationSuppressesSmallCounts(t *testing.T) {
	r := build(t, store(t), true)
	tips, sup := r.Kinds[0], r.Kinds[1]
	if tips.Received != "7" {
		t.Errorf("large counts stay: %s", tips.Received)
	}
	for _, tb := range append(append([]report.Table{}, tips.Tables...), sup.Tables...) {
		for _, row := range tb.Rows {
			if row[1] == "1" || row[1] == "2" {
				t.Errorf("%s: %v shows a small count", tb.Title, row)
			}
		}
	}
	if sup.Received != "<3" || cell(tips.Tables[1], "Trên mạng (mạng xã hội, ứng dụng, trang web)") != "<3" {
		t.Errorf("small counts not suppressed: %s", sup.Received)
	}
	if strings.Contains(sup.FirstAction, "giờ") {
		t.Errorf("a median over fewer than 3 records is published: %q", sup.FirstAction)
	}
	// The tables that split the tips received (by category, status,
	// priority, month) must not let the total minus the other rows give a
	// "<3" away: never exactly one hidden row beside a published total.
	for _, tb := range tips.Tables[1:5] {
		hidden, sum := 0, 0
		for _, row := range tb.Rows {
			n, err := strconv.Atoi(row[1])
			if err != nil {
				hidden++
				continue
			}
			sum += n
		}
		if hidden == 1 {
			t.Errorf("%s: one hidden row, and %s received minus the others (%d) gives it away: %v", tb.Title, tips.Received, sum, tb.Rows)
		}
	}
	if got := cell(tips.Tables[3], "Thường"); got != report.Hidden {
		t.Errorf("priority: \"Thường\" is %q beside a \"<3\" and the total; want it hidden too", got)
	}
	var buf bytes.Buffer
	report.WriteHTML(&buf, r)
	if strings.Contains(buf.String(), "<title>Tin báo: 2</title>") {
		t.Errorf("the chart leaks a small count")
	}
}

func TestWriteHTMLAndXLSX(t *testing.T) {
	r := build(t, store(t), false)
	var buf bytes.Buffer
	if err := report.WriteHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Find("section.kind").Length() != 2 || doc.Find("svg.chart").Length() != 2 || doc.Find("table caption").Length() != 13 {
		t.Errorf("sections %d, charts %d, tables %d", doc.Find("section.kind").Length(), doc.Find("svg.chart").Length(), doc.Find("table caption").Length())
	}
	ids := map[string]int{}
	doc.Find("[id]").Each(func(_ int, s *goquery.Selection) { ids[s.AttrOr("id", "")]++ })
	for id, n := range ids {
		if n > 1 {
			t.Errorf("id %q is on %d elements", id, n)
		}
	}
	if doc.Find(`svg.chart[aria-label]`).Length() != 2 {
		t.Errorf("each chart needs its own accessible name")
	}
	if !strings.Contains(doc.Find("style").Text(), "size:A4") || doc.Find("script").Length() != 0 || doc.Find("link").Length() != 0 {
		t.Errorf("the report is not a self-contained A4 page")
	}
	if !strings.Contains(doc.Find("header").Text(), "6 tháng đầu năm 2026") {
		t.Errorf("header = %q", doc.Find("header").Text())
	}
	buf.Reset()
	if err := report.WriteXLSX(&buf, r); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 13 || sheets[0] != "TB tóm tắt" || sheets[len(sheets)-1] != "HT kết quả" {
		t.Errorf("sheets = %v", sheets)
	}
	v, _ := f.GetCellValue("TB theo loại", "B5")
	typ, _ := f.GetCellType("TB theo loại", "B5")
	if v != "5" || typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("count cell = %q (type %v), want the number 5", v, typ)
	}
}

// TestHTMLIsAnAdministrativeDocument: the report page carries the parts
// of a report in the format of Nghị định 30/2020/NĐ-CP, and prints on A4
// with its margins and type.
func TestHTMLIsAnAdministrativeDocument(t *testing.T) {
	r := build(t, store(t), false)
	var buf bytes.Buffer
	if err := report.WriteHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	text := func(sel string) string { return strings.Join(strings.Fields(doc.Find(sel).Text()), " ") }
	for _, tt := range []struct{ sel, want string }{
		{".letterhead .issuer", "ỦY BAN NHÂN DÂN XÃ THỬ"},
		{".letterhead .nation .title", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"},
		{".letterhead .nation .motto", "Độc lập - Tự do - Hạnh phúc"},
		{".letterhead .number", "Số: ……/BC-UBND"},
		{".letterhead .place", "Thử, ngày …… tháng …… năm ……"},
		{"h1", "BÁO CÁO Kết quả tiếp nhận, xử lý tin báo và yêu cầu hỗ trợ về phòng, chống mại dâm và mua bán người 6 tháng đầu năm 2026"},
		{".closing", "Trên đây là báo cáo kết quả tiếp nhận, xử lý tin báo và yêu cầu hỗ trợ về phòng, chống mại dâm và mua bán người 6 tháng đầu năm 2026./."},
		{".recipients", "Nơi nhận: - Ủy ban nhân dân tỉnh (để báo cáo); - Lưu: VT."},
		{".signer", "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH (Ký, ghi rõ họ tên, đóng dấu) " + report.Blank},
	} {
		if got := text(tt.sel); got != tt.want {
			t.Errorf("%s = %q, want %q", tt.sel, got, tt.want)
		}
	}
	// The body is as before: the figures are still there.
	if got := text("section.kind:first-of-type .lead strong"); got != "7" {
		t.Errorf("tips received = %q", got)
	}
	css := doc.Find("style").Text()
	for _, want := range []string{"@page{size:A4;margin:20mm 15mm 20mm 30mm}", `font:13pt/1.4 "Times New Roman"`} {
		if !strings.Contains(css, want) {
			t.Errorf("the report's CSS lacks %q", want)
		}
	}
	if doc.Find("nav, script, button").Length() != 0 {
		t.Error("the self-contained report has a toolbar or a script")
	}

	// In the console: a link back, and a print button its script shows.
	buf.Reset()
	if err := report.WriteHTMLNav(&buf, r, &report.Nav{Back: "/officer/report", Script: "/officer/static/report-print.js"}); err != nil {
		t.Fatal(err)
	}
	doc, _ = goquery.NewDocumentFromReader(&buf)
	if doc.Find(`nav.toolbar a[href="/officer/report"]`).Length() != 1 || doc.Find(`nav.toolbar button#print-report[hidden]`).Length() != 1 ||
		doc.Find(`script[src="/officer/static/report-print.js"]`).Length() != 1 || doc.Find("script:not([src])").Length() != 0 {
		t.Errorf("toolbar = %s", doc.Find("nav").Text())
	}
	if got := text("#print-hint"); !strings.Contains(strings.ToLower(got), "bấm ctrl+p để in") {
		t.Errorf("no-script hint = %q", got)
	}
}

// TestLetterheadLeavesUnknownsToFill: what data/commune.yaml does not say
// is left as a dotted line, never guessed.
func TestLetterheadLeavesUnknownsToFill(t *testing.T) {
	l := report.NewLetterhead(nil)
	if fmt.Sprint(l.Issuer) != "[ỦY BAN NHÂN DÂN XÃ, PHƯỜNG "+report.Blank+"]" || l.Place != report.Blank || l.SignerName != report.Blank ||
		len(l.Recipients) != 3 || l.Recipients[2] != "Lưu: VT." || l.SignerTitle == "" {
		t.Errorf("nil commune: %+v", l)
	}
	c, err := formsvc.ParseCommune(data.CommuneYAML)
	if err != nil {
		t.Fatal(err)
	}
	l = report.NewLetterhead(c)
	if !c.Confirmed && (l.Place != report.Blank || strings.Contains(strings.Join(l.Issuer, " "), "THƯỢNG HỒNG")) {
		t.Errorf("data/commune.yaml's unit is unconfirmed, yet the letterhead names it: %+v", l)
	}
	if l.Issuer[0] != "ỦY BAN NHÂN DÂN" || l.Symbol != "BC-UBND" {
		t.Errorf("letterhead from data/commune.yaml: %+v", l)
	}
	l = report.NewLetterhead(&formsvc.Commune{Name: "Công an xã Thử"})
	if fmt.Sprint(l.Issuer) != "[CÔNG AN XÃ THỬ]" || l.Symbol != "BC-"+report.Blank {
		t.Errorf("another body: %+v", l)
	}
}
