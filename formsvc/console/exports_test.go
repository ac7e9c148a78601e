package console_test

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/export"
	"github.com/hoaphong/phongchongmaidam/formsvc/report"
)

func (b *browser) download(path string) (*http.Response, string) {
	b.a.t.Helper()
	res, err := b.c.Get(b.a.srv.URL + path)
	if err != nil {
		b.a.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func TestExportsFollowTheRoles(t *testing.T) {
	a := newApp(t)
	a.tip()
	a.support()
	police := a.loggedIn("congan")
	res, body := police.download("/officer/export/download?kind=tip&format=csv")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") || !strings.Contains(body, "Nhà nghỉ X") {
		t.Fatalf("police tip export: %d %v", res.StatusCode, res.Header)
	}
	if strings.Contains(body, "HT-") {
		t.Errorf("the tip export holds a support request")
	}
	for _, p := range []string{"/officer/export/download?kind=support&format=csv", "/officer/export/download?kind=support&format=json"} {
		if res, body := police.download(p); res.StatusCode != http.StatusNotFound || strings.Contains(body, "xét nghiệm") {
			t.Errorf("police %s: %d", p, res.StatusCode)
		}
	}
	if res, _ := police.download("/officer/export/download?kind=tip&format=pdf"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown format: %d", res.StatusCode)
	}
	social := a.loggedIn("xahoi")
	if res, body := social.download("/officer/export/download?kind=support&format=json"); res.StatusCode != 200 || !strings.Contains(body, `"services":["hiv","job"]`) {
		t.Errorf("social support export: %d %s", res.StatusCode, body)
	}
	if res, _ := social.download("/officer/export/download?kind=tip&format=xlsx"); res.StatusCode != http.StatusNotFound {
		t.Errorf("social tip export: %d", res.StatusCode)
	}
	if !hasAudit(a.audit(), "congan", formsvc.AuditExport, "tip") || !hasAudit(a.audit(), "xahoi", formsvc.AuditExport, "support") {
		t.Errorf("exports not audited")
	}
	// Each export logs its start (before any row leaves) and its end.
	var details []string
	for _, e := range a.audit() {
		if e.Username == "xahoi" && e.Action == formsvc.AuditExport {
			details = append(details, e.Detail)
		}
	}
	if !slices.ContainsFunc(details, func(d string) bool { return strings.HasSuffix(d, ": bắt đầu") }) ||
		!slices.ContainsFunc(details, func(d string) bool { return strings.Contains(d, ": xong, 1 hồ sơ") }) {
		t.Errorf("export audit lines %q, want a start and an end with the count", details)
	}
	// The export page offers only the role's kinds.
	_, doc := police.get("/officer/export")
	if doc.Find(`input[name="kind"][value="support"]`).Length() != 0 || doc.Find(`input[name="kind"][value="tip"]`).Length() != 1 {
		t.Errorf("the export page offers the other kind")
	}
}

func TestReportsFollowTheRoles(t *testing.T) {
	a := newApp(t)
	a.tip()
	a.support()
	police := a.loggedIn("congan")
	res, body := police.download("/officer/report/download?period=2026&format=html")
	if res.StatusCode != 200 {
		t.Fatalf("report: %d", res.StatusCode)
	}
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
	if got := doc.Find("section.kind h2").Text(); got != "Tin báo" {
		t.Errorf("police report sections = %q, want only Tin báo", got)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, report.StyleHash) || strings.Contains(csp, "unsafe-inline") ||
		!strings.Contains(csp, "script-src 'self'") {
		t.Errorf("report CSP = %q", csp)
	}
	// The page's toolbar: a link back to the form, a print button that
	// its script (a file of the console's, no inline script) shows, and
	// the Ctrl+P hint for a browser without JavaScript.
	if doc.Find(`nav.toolbar a[href="/officer/report"]`).Length() != 1 || doc.Find(`nav.toolbar button#print-report`).Length() != 1 ||
		!strings.Contains(strings.ToLower(doc.Find("#print-hint").Text()), "bấm ctrl+p để in") || doc.Find("script:not([src])").Length() != 0 {
		t.Errorf("report toolbar = %q", doc.Find("nav.toolbar").Text())
	}
	src, _ := doc.Find("script[src]").Attr("src")
	if res, js := police.download(src); res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") ||
		!strings.Contains(js, "window.print()") {
		t.Errorf("print script %q: %d %s", src, res.StatusCode, res.Header.Get("Content-Type"))
	}
	if doc.Find(".letterhead .nation .title").Text() != "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" {
		t.Errorf("the console's report has no national title")
	}
	// The Word document, offered on the form.
	if _, form := police.get("/officer/report"); form.Find(`select[name="format"] option[value="docx"]`).Length() != 1 {
		t.Error("the report form offers no .docx")
	}
	res, body = police.download("/officer/report/download?period=2026&format=docx")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.wordprocessingml.document" ||
		!strings.Contains(res.Header.Get("Content-Disposition"), `filename="bao-cao-2026.docx"`) {
		t.Fatalf("docx report: %d %v", res.StatusCode, res.Header)
	}
	if z, err := zip.NewReader(strings.NewReader(body), int64(len(body))); err != nil || !slices.ContainsFunc(z.File, func(f *zip.File) bool { return f.Name == "word/document.xml" }) {
		t.Errorf("the .docx is not a Word package: %v", err)
	}
	if res, _ := police.download("/officer/report/download?period=2026&format=pdf"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown report format: %d", res.StatusCode)
	}
	res, body = a.loggedIn("xahoi").download("/officer/report/download?period=2026&format=xlsx&publication=1")
	if res.StatusCode != 200 || !strings.HasPrefix(body, "PK") {
		t.Fatalf("social xlsx report: %d", res.StatusCode)
	}
	book, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sheets := book.GetSheetList()
	if len(sheets) == 0 || slices.ContainsFunc(sheets, func(s string) bool { return strings.HasPrefix(s, "TB ") }) ||
		!slices.ContainsFunc(sheets, func(s string) bool { return strings.HasPrefix(s, "HT ") }) {
		t.Errorf("social xlsx report sheets %v: want support sheets (HT …) and no tip sheets (TB …)", sheets)
	}
	if res, _ := police.download("/officer/report/download?period=nam-nay"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad period: %d", res.StatusCode)
	}
	if !hasAudit(a.audit(), "xahoi", formsvc.AuditReport, "2026") {
		t.Errorf("report not audited")
	}
	if !slices.ContainsFunc(a.audit(), func(e formsvc.AuditEntry) bool {
		return e.Username == "congan" && e.Action == formsvc.AuditReport && strings.HasSuffix(e.Detail, ", docx")
	}) {
		t.Errorf("the .docx report is not audited as such")
	}
}

// TestEveryPageRenders opens every console page as each role.
func TestEveryPageRenders(t *testing.T) {
	a := newApp(t)
	_, tip := a.tip()
	_, sup := a.support()
	tipPath, supPath := "/officer/cases/"+tip, "/officer/cases/"+sup
	pages := map[string][]string{
		"quantri": {"/officer/", "/officer/dashboard", "/officer/export", "/officer/report", "/officer/account", "/officer/officers", "/officer/officers/2/disable", "/officer/audit", tipPath, supPath, "/officer/?kind=tip&status=received&code=lodging&priority=high&from=2026-01-01&to=2030-01-01"},
		"congan":  {"/officer/", "/officer/dashboard", "/officer/export", "/officer/report", "/officer/account", tipPath},
		"xahoi":   {"/officer/", "/officer/dashboard", "/officer/export", "/officer/report", "/officer/account", supPath},
	}
	for who, paths := range pages {
		b := a.loggedIn(who)
		for _, p := range paths {
			res, doc := b.get(p)
			if res.StatusCode != 200 || doc.Find("main h1").Length() == 0 {
				t.Errorf("%s GET %s: %d", who, p, res.StatusCode)
			}
		}
	}
}

// TestExportFiltersAreStrict: a status or a date the service does not
// understand is refused with a message, nothing is exported, and the
// audit log says what a real export applied.
func TestExportFiltersAreStrict(t *testing.T) {
	a := newApp(t)
	a.tip()
	police := a.loggedIn("congan")
	for _, q := range []string{"status=dong", "status=completed", "from=2026-13-01", "to=hôm-nay", "from=2026-06-30&to=2026-01-01"} {
		res, body := police.download("/officer/export/download?kind=tip&format=csv&" + q)
		if res.StatusCode != http.StatusUnprocessableEntity || strings.Contains(body, "Nhà nghỉ X") || !strings.Contains(body, "“") {
			t.Errorf("%s: Status = %d, want 422 with a message and no rows", q, res.StatusCode)
		}
	}
	for _, e := range a.audit() {
		if e.Action == formsvc.AuditExport {
			t.Errorf("a refused export was audited: %+v", e)
		}
	}
	if res, _ := police.download("/officer/export/download?kind=tip&format=csv&status=received&from=2026-01-01&to=2099-12-31"); res.StatusCode != 200 {
		t.Fatalf("a good filter: %d", res.StatusCode)
	}
	var detail string
	for _, e := range a.audit() {
		if e.Action == formsvc.AuditExport && strings.Contains(e.Detail, "xong") {
			detail = e.Detail
		}
	}
	if !strings.Contains(detail, "trạng thái received, từ 2026-01-01, đến hết 2099-12-31") {
		t.Errorf("audit detail = %q, want the filter as applied", detail)
	}
}

// An export leaves out the records whose sealed content was swapped in
// the database file, and the officer reads which ones in the file
// itself (the last row of a CSV, the first and open sheet of an XLSX);
// the audit log names them.
func TestExportSaysWhichRecordsDidNotOpen(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	var ids []int64
	var refs []string
	for range 3 {
		_, ref := a.tip()
		s, err := a.db.CaseByRef(ctx, ref, []formsvc.Kind{formsvc.KindTip})
		if err != nil {
			t.Fatal(err)
		}
		ids, refs = append(ids, s.ID), append(refs, s.Ref)
	}
	var c0, c1 []byte
	for _, r := range []struct {
		id int64
		c  *[]byte
	}{{ids[0], &c0}, {ids[1], &c1}} {
		rows, err := a.db.Query(t, `SELECT content FROM submissions WHERE id = ?`, r.id)
		if err != nil {
			t.Fatal(err)
		}
		if !rows.Next() {
			t.Fatalf("no submission %d", r.id)
		}
		if err := rows.Scan(r.c); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	for _, u := range []struct {
		id int64
		c  []byte
	}{{ids[0], c1}, {ids[1], c0}} {
		if err := a.db.Exec(t, `UPDATE submissions SET content = ? WHERE id = ?`, u.c, u.id); err != nil {
			t.Fatal(err)
		}
	}

	police := a.loggedIn("congan")
	note := fmt.Sprintf("Lưu ý: 2 hồ sơ không mở được nên không có trong tệp này: %s, %s.", refs[0], refs[1])
	res, body := police.download("/officer/export/download?kind=tip&format=csv")
	if res.StatusCode != 200 || strings.Count(body, "Nhà nghỉ X") != 1 {
		t.Fatalf("CSV export: %d\n%s", res.StatusCode, body)
	}
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(strings.Trim(last, `"`), note) {
		t.Errorf("CSV's last line %q, want the note %q", last, note)
	}
	res, body = police.download("/officer/export/download?kind=tip&format=xlsx")
	f, err := excelize.OpenReader(strings.NewReader(body))
	if res.StatusCode != 200 || err != nil {
		t.Fatalf("XLSX export: %d %v", res.StatusCode, err)
	}
	if v, _ := f.GetCellValue(export.NoteSheet, "A1"); f.GetSheetList()[f.GetActiveSheetIndex()] != export.NoteSheet || !strings.HasPrefix(v, note) {
		t.Errorf("XLSX opens on %q with note %q", f.GetSheetList()[f.GetActiveSheetIndex()], v)
	}
	skippedLines := 0
	for _, e := range a.audit() {
		if e.Username == "congan" && e.Action == formsvc.AuditExport &&
			strings.HasSuffix(e.Detail, fmt.Sprintf(": xong, 1 hồ sơ; bỏ qua 2 hồ sơ không mở được: %s, %s", refs[0], refs[1])) {
			skippedLines++
		}
	}
	if skippedLines != 2 {
		t.Errorf("%d audit entries name the records left out, want 2 (CSV, XLSX)", skippedLines)
	}
}
