package export_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/hoaphong/phongchongmaidam/data"
	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/export"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func spec(t testing.TB) *formsvc.Spec {
	s, err := formsvc.ParseSpec(data.FormsYAML)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func openDB(t testing.TB) *sqlite.DB {
	t.Helper()
	keys, err := formsvc.DeriveKeys(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "db"), keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var base = time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC) // 08:30 in Vietnam

// fixture stores a few records with fixed times: two tips (one with a
// cell that a spreadsheet would run as a formula) and one support request.
func fixture(t testing.TB, db *sqlite.DB) {
	t.Helper()
	ctx := context.Background()
	recs := []*formsvc.Submission{
		{Kind: formsvc.KindTip, Status: "received", Priority: "high", Category: "karaoke", CreatedAt: base,
			Content: formsvc.Content{Text: map[string]string{"category": "karaoke", "location": "Quán Hoa, thôn Đông",
				"description": "Có người dưới 18 tuổi phục vụ, \"tiếp khách\" đến khuya.\nHai đêm liền.", "observed_at": "2026-03-01"},
				Bools: map[string]bool{"minors_involved": true, "coercion_suspected": false}}},
		{Kind: formsvc.KindTip, Status: "received", Priority: "normal", Category: "online", CreatedAt: base.Add(26 * time.Hour),
			Content: formsvc.Content{Text: map[string]string{"category": "online", "location": "=HYPERLINK(\"http://x.example\",\"bấm\")",
				"description": "+84 tuyển việc nhẹ lương cao; @nhom", "contact": "-0912345678"}}},
		{Kind: formsvc.KindSupport, Status: "received", Priority: "normal", Services: []string{"hiv", "job"}, CreatedAt: base.Add(3 * time.Hour),
			Content: formsvc.Content{Text: map[string]string{"message": "Tôi cần xét nghiệm, và tìm việc làm.", "contact_method": "zalo",
				"contact": "0912345678", "preferred_time": "sau 8 giờ tối"}, Lists: map[string][]string{"services": {"hiv", "job"}},
				Bools: map[string]bool{"consent": true}, PrivacyVersion: "1"}},
	}
	for i, s := range recs {
		h := formsvc.NewReceiptHasher([]byte("k")).Hash(formsvc.Receipt(fmt.Sprintf("%016d", i)))
		if err := db.CreateSubmission(ctx, s, h); err != nil {
			t.Fatal(err)
		}
	}
	// The first tip was worked and closed.
	o := &formsvc.Officer{Username: "congan", Role: formsvc.RolePolice}
	if err := db.CreateOfficer(ctx, o, "x"); err != nil {
		t.Fatal(err)
	}
	if err := db.Assign(ctx, recs[0], o.ID, base.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	recs[0].Status = "received"
	if err := db.ChangeStatus(ctx, recs[0], "closed", o.ID, "xong", base.Add(50*time.Hour)); err != nil {
		t.Fatal(err)
	}
}

func run(t testing.TB, db *sqlite.DB, format string, k formsvc.Kind) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc, err := export.New(format, &buf, spec(t), k)
	if err != nil {
		t.Fatal(err)
	}
	_, err = export.Write(enc, spec(t), func(fn func(*formsvc.Submission) error) error {
		return db.EachSubmission(context.Background(), formsvc.CaseFilter{Kinds: []formsvc.Kind{k}}, fn)
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		os.WriteFile(path, got, 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

func TestGoldenCSVAndJSON(t *testing.T) {
	db := openDB(t)
	fixture(t, db)
	for _, k := range []formsvc.Kind{formsvc.KindTip, formsvc.KindSupport} {
		golden(t, string(k)+".csv", run(t, db, "csv", k))
		golden(t, string(k)+".jsonl", run(t, db, "json", k))
	}
}

func TestCSVIsExcelFriendlyAndNeutralisesFormulas(t *testing.T) {
	db := openDB(t)
	fixture(t, db)
	b := run(t, db, "csv", formsvc.KindTip)
	if !bytes.HasPrefix(b, []byte("\ufeff")) {
		t.Fatalf("no byte-order mark")
	}
	rows, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][0] != "Mã hồ sơ" || rows[0][1] != "Ngày nhận" {
		t.Fatalf("rows = %d, header %v", len(rows), rows[0])
	}
	for _, row := range rows[1:] {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q would run as a formula", cell)
			}
		}
	}
	for _, want := range []string{`'=HYPERLINK(`, "'+84", "'-0912"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("no %q: formula cells not neutralised:\n%s", want, b)
		}
	}
}

// dumpXLSX normalises a workbook into text: sheets, panes, tables, and
// each cell with its type and number format, not the zip's bytes.
func dumpXLSX(t *testing.T, b []byte) string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out strings.Builder
	for _, sheet := range f.GetSheetList() {
		fmt.Fprintf(&out, "sheet %q\n", sheet)
		panes, _ := f.GetPanes(sheet)
		fmt.Fprintf(&out, "frozen=%v ysplit=%d topleft=%s\n", panes.Freeze, panes.YSplit, panes.TopLeftCell)
		tables, _ := f.GetTables(sheet)
		for _, tb := range tables {
			fmt.Fprintf(&out, "table %s range %s\n", tb.Name, tb.Range)
		}
		rows, _ := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		for ri, row := range rows {
			for ci, v := range row {
				cell, _ := excelize.CoordinatesToCellName(ci+1, ri+1)
				typ, _ := f.GetCellType(sheet, cell)
				style, _ := f.GetCellStyle(sheet, cell)
				fmtCode := ""
				if st, err := f.GetStyle(style); err == nil && st.CustomNumFmt != nil {
					fmtCode = *st.CustomNumFmt
				}
				fmt.Fprintf(&out, "%s type=%d fmt=%q %q\n", cell, typ, fmtCode, v)
			}
		}
		for c := 1; c <= 3; c++ {
			col, _ := excelize.ColumnNumberToName(c)
			w, _ := f.GetColWidth(sheet, col)
			fmt.Fprintf(&out, "width %s %.0f\n", col, w)
		}
	}
	return out.String()
}

func TestXLSX(t *testing.T) {
	db := openDB(t)
	fixture(t, db)
	b := run(t, db, "xlsx", formsvc.KindTip)
	golden(t, "tip.xlsx.txt", []byte(dumpXLSX(t, b)))

	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 1 || got[0] != "Tin báo" {
		t.Errorf("sheets = %v", got)
	}
	head, _ := f.GetRows("Tin báo")
	if len(head) != 3 || head[0][0] != "Mã hồ sơ" || head[0][2] != "Trạng thái" {
		t.Fatalf("rows %d, header %v", len(head), head[0])
	}
	// Dates are typed: a number with a date format, read back as a time.
	raw, _ := f.GetCellValue("Tin báo", "B2", excelize.Options{RawCellValue: true})
	shown, _ := f.GetCellValue("Tin báo", "B2")
	if !strings.Contains(raw, ".") || shown != "02/03/2026 08:30" {
		t.Errorf("created_at cell: raw %q shown %q; want a serial number shown as 02/03/2026 08:30", raw, shown)
	}
	if v, _ := f.GetCellValue("Tin báo", "F3"); !strings.HasPrefix(v, "'=HYPERLINK") {
		t.Errorf("formula cell = %q, want it neutralised", v)
	}
	if formula, _ := f.GetCellFormula("Tin báo", "F3"); formula != "" {
		t.Errorf("cell F3 holds a formula %q", formula)
	}
}

func TestExportRespectsTheFilter(t *testing.T) {
	db := openDB(t)
	fixture(t, db)
	var refs []string
	err := db.EachSubmission(context.Background(), formsvc.CaseFilter{Kinds: []formsvc.Kind{formsvc.KindTip}, Status: "closed"}, func(s *formsvc.Submission) error {
		refs = append(refs, s.Ref)
		return nil
	})
	if err != nil || len(refs) != 1 || refs[0] != "TB-2026-0001" {
		t.Errorf("closed tips = %v, %v", refs, err)
	}
	// A role's kinds always apply: asking for support with police kinds gives nothing.
	n := 0
	db.EachSubmission(context.Background(), formsvc.CaseFilter{Kinds: []formsvc.Kind{formsvc.KindTip}, Kind: formsvc.KindSupport}, func(*formsvc.Submission) error { n++; return nil })
	if n != 0 {
		t.Errorf("police kinds exported %d support requests", n)
	}
}

func FuzzNeutralise(f *testing.F) {
	for _, s := range []string{"=1+1", "+84", "-x", "@SUM(A1)", "\tx", "\rx", "bình thường", "", "'=a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := export.Neutralise(s)
		if n != "" && strings.ContainsRune("=+-@\t\r", rune(n[0])) {
			t.Fatalf("Neutralise(%q) = %q still starts a formula", s, n)
		}
		if !strings.HasSuffix(n, s) {
			t.Fatalf("Neutralise(%q) = %q lost text", s, n)
		}
		// Through a real CSV writer and reader, the cell comes back intact.
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Write([]string{n})
		w.Flush()
		rec, err := csv.NewReader(&buf).Read()
		if err == nil && rec[0] != n && !strings.ContainsAny(n, "\r") {
			t.Fatalf("csv round trip %q -> %q", n, rec[0])
		}
	})
}
