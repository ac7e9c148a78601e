package report

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

//go:embed templates/report.html
var htmlTemplate string

//go:embed templates/report.css
var css string

// StyleHash is the CSP source that allows the report's one inline style
// block: the console sends it with the report, instead of 'unsafe-inline'.
var StyleHash = func() string {
	h := sha256.Sum256([]byte(css))
	return "'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "'"
}()

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"date":       func(t time.Time) string { return t.In(formsvc.Vietnam).Format("02/01/2006 15:04") },
	"day":        func(t time.Time) string { return t.In(formsvc.Vietnam).Format("02/01/2006") },
	"lastDay":    func(t time.Time) string { return t.In(formsvc.Vietnam).AddDate(0, 0, -1).Format("02/01/2006") },
	"lowerFirst": lowerFirst,
}).Parse(htmlTemplate))

// Nav is the toolbar of a report shown in the console: a link back to
// the report form and a print button, which its script (a file: the
// console's CSP allows no inline script) shows and wires. Without
// JavaScript the toolbar says to press Ctrl+P instead. It is not printed.
type Nav struct {
	Back   string // the address of the link back
	Script string // the address of the print button's script
}

// WriteHTML writes the report as one self-contained printable A4 HTML
// page: no script, no other file.
func WriteHTML(w io.Writer, r *Report) error { return WriteHTMLNav(w, r, nil) }

// WriteHTMLNav writes the report as WriteHTML does, with the toolbar nav
// on top when nav is not nil.
func WriteHTMLNav(w io.Writer, r *Report, nav *Nav) error {
	return page.Execute(w, struct {
		*Report
		CSS template.CSS
		Nav *Nav
	}{r, template.CSS(css), nav})
}

// WriteXLSX writes the report as a workbook with one sheet per table.
func WriteXLSX(w io.Writer, r *Report) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	first := true
	for _, t := range r.Sheets() {
		if first {
			if err := f.SetSheetName("Sheet1", t.Sheet); err != nil {
				return err
			}
			first = false
		} else if _, err := f.NewSheet(t.Sheet); err != nil {
			return err
		}
		f.SetCellStr(t.Sheet, "A1", t.Title)
		f.SetCellStr(t.Sheet, "A2", r.Period.Label)
		f.SetCellStyle(t.Sheet, "A1", "A1", bold)
		for i, h := range t.Header {
			cell, _ := excelize.CoordinatesToCellName(i+1, 4)
			f.SetCellStr(t.Sheet, cell, h)
			f.SetCellStyle(t.Sheet, cell, cell, bold)
		}
		for ri, row := range t.Rows {
			for ci, v := range row {
				cell, _ := excelize.CoordinatesToCellName(ci+1, ri+5)
				// Counts are numbers; "<3" and words stay text.
				var n int
				if _, err := fmt.Sscanf(v, "%d", &n); err == nil && fmt.Sprint(n) == v {
					f.SetCellInt(t.Sheet, cell, int64(n))
				} else {
					f.SetCellStr(t.Sheet, cell, v)
				}
			}
		}
		f.SetColWidth(t.Sheet, "A", "A", 48)
		f.SetColWidth(t.Sheet, "B", "B", 22)
	}
	return f.Write(w)
}
