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
	"github.com/hoaphong/phongchongmaidam/internal/teststore"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func spec(t testing.TB) *formsvc.Spec {
	s, err := formsvc.ParseSpec(data.FormsYAML)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func openDB(t testing.TB) *teststore.DB {
	t.Helper()
	keys, err := formsvc.DeriveKeys(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return teststore.Open(t, keys)
}

var base = time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC) // 08:30 in Vietnam

// fixture stores a few records with fixed times: two tips (one with a
// cell that a spreadsheet would run as a formula) and one support request.
func fixture(t testing.TB, db *teststore.DB) {
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
	if err := db.ChangeStatus(ctx, recs[0], formsvc.StatusMove{To: "closed", Note: "xong", OfficerID: o.ID, At: base.Add(50 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
}

func run(t testing.TB, db *teststore.DB, format string, k formsvc.Kind) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc, err := export.New(format, &buf, spec(t), k)
	if err != nil {
		t.Fatal(err)
	}
	_, err = export.Write(enc, spec(t), func(fn func(*formsvc.Submission) error, skip func(*formsvc.Submission, error)) error {
		return db.EachSubmission(context.Background(), formsvc.CaseFilter{Kinds: []formsvc.Kind{k}}, fn, skip)
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
	}, nil)
	if err != nil || len(refs) != 1 || refs[0] != "TB-2026-0001" {
		t.Errorf("closed tips = %v, %v", refs, err)
	}
	// A role's kinds always apply: asking for support with police kinds gives nothing.
	n := 0
	db.EachSubmission(context.Background(), formsvc.CaseFilter{Kinds: []formsvc.Kind{formsvc.KindTip}, Kind: formsvc.KindSupport}, func(*formsvc.Submission) error { n++; return nil }, nil)
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

// swapContents exchanges two records' sealed contents in the database,
// through a connection of its own: what someone with write access to the
// database could do.
func swapContents(t testing.TB, db *teststore.DB, a, b int64) {
	t.Helper()
	content := func(id int64) []byte {
		rows, err := db.Query(t, `SELECT content FROM submissions WHERE id = ?`, id)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var c []byte
		if !rows.Next() {
			t.Fatalf("no submission %d", id)
		}
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	ca, cb := content(a), content(b)
	for _, u := range []struct {
		id      int64
		content []byte
	}{{a, cb}, {b, ca}} {
		if err := db.Exec(t, `UPDATE submissions SET content = ? WHERE id = ?`, u.content, u.id); err != nil {
			t.Fatal(err)
		}
	}
}

// Two tips whose sealed contents were swapped do not open: each format
// leaves them out and the summary lists them; CSV and XLSX say so in the
// file, XLSX on a first sheet of its own.
func TestExportLeavesOutAndNamesRecordsThatDoNotOpen(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	var ids []int64
	for i, mark := range []string{"MARK-A", "MARK-B", "MARK-C"} {
		s := &formsvc.Submission{Kind: formsvc.KindTip, Status: "received", Priority: "normal", Category: "karaoke",
			CreatedAt: base.Add(time.Duration(i) * time.Hour),
			Content:   formsvc.Content{Text: map[string]string{"description": mark, "location": "Thôn 3"}}}
		if err := db.CreateSubmission(ctx, s, bytes.Repeat([]byte{byte(i + 1)}, 32)); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	swapContents(t, db, ids[0], ids[1])
	for _, format := range export.Formats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			enc, err := export.New(format, &buf, spec(t), formsvc.KindTip)
			if err != nil {
				t.Fatal(err)
			}
			sum, err := export.Write(enc, spec(t), func(fn func(*formsvc.Submission) error, skip func(*formsvc.Submission, error)) error {
				return db.EachSubmission(ctx, formsvc.CaseFilter{Kinds: []formsvc.Kind{formsvc.KindTip}}, fn, skip)
			}, nil)
			if err != nil {
				t.Fatalf("export failed whole: %v", err)
			}
			if sum.Records != 1 || strings.Join(sum.Unreadable, " ") != "TB-2026-0001 TB-2026-0002" {
				t.Fatalf("summary = %+v, want 1 record and TB-2026-0001, TB-2026-0002 unreadable", sum)
			}
			note := "Lưu ý: 2 hồ sơ không mở được nên không có trong tệp này: TB-2026-0001, TB-2026-0002."
			var text string
			switch format {
			case "csv":
				rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				if len(rows) != 4 || !strings.HasPrefix(rows[3][0], note) {
					t.Errorf("CSV rows %q: want header, one record, an empty row and the note", rows)
				}
				text = buf.String()
			case "xlsx":
				f, err := excelize.OpenReader(&buf)
				if err != nil {
					t.Fatal(err)
				}
				if got := f.GetSheetList(); len(got) != 2 || got[0] != export.NoteSheet || got[f.GetActiveSheetIndex()] != export.NoteSheet {
					t.Errorf("sheets %q, active %d: want the note's sheet first and open", got, f.GetActiveSheetIndex())
				}
				v, _ := f.GetCellValue(export.NoteSheet, "A1")
				if !strings.HasPrefix(v, note) {
					t.Errorf("note cell = %q", v)
				}
				rows, _ := f.GetRows("Tin báo")
				if len(rows) != 2 {
					t.Errorf("%d rows on the data sheet, want header and one record", len(rows))
				}
				text = fmt.Sprint(rows)
			case "json":
				if n := strings.Count(buf.String(), "\n"); n != 1 || strings.Contains(buf.String(), "Lưu ý") {
					t.Errorf("JSON Lines has %d lines or a note: %s", n, buf.String())
				}
				text = buf.String()
			}
			if !strings.Contains(text, "MARK-C") || strings.Contains(text, "MARK-A") || strings.Contains(text, "MARK-B") {
				t.Errorf("export holds the wrong records:\n%s", text)
			}
		})
	}
}
