package export

import (
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// XLSXEncoder writes one sheet with excelize's StreamWriter: typed date
// cells, a frozen header row, an auto-filter (an Excel table) and column
// widths that fit. Rows go to a temporary file as they come, so memory
// stays bounded however many records there are.
type XLSXEncoder struct {
	w      io.Writer
	f      *excelize.File
	sw     *excelize.StreamWriter
	cols   []Column
	row    int
	timeID int
	dateID int
	vals   []any
	sheet  string
	note   string
}

// NewXLSX starts a workbook with one sheet named sheet.
func NewXLSX(w io.Writer, cols []Column, sheet string) (*XLSXEncoder, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	timeFmt, dateFmt := "dd/mm/yyyy hh:mm", "dd/mm/yyyy"
	timeID, err := f.NewStyle(&excelize.Style{CustomNumFmt: &timeFmt})
	if err != nil {
		return nil, err
	}
	dateID, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return nil, err
	}
	headID, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	for i, c := range cols {
		width := max(c.Width, float64(utf8.RuneCountInString(c.Header))+2)
		if err := sw.SetColWidth(i+1, i+1, min(width, 80)); err != nil {
			return nil, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	head := make([]any, len(cols))
	for i, c := range cols {
		head[i] = excelize.Cell{StyleID: headID, Value: c.Header}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return nil, err
	}
	return &XLSXEncoder{w: w, f: f, sw: sw, cols: cols, row: 1, timeID: timeID, dateID: dateID, vals: make([]any, len(cols)), sheet: sheet}, nil
}

// Encode appends one row.
func (e *XLSXEncoder) Encode(r Row) error {
	e.row++
	for i, c := range e.cols {
		v := r[i]
		switch {
		case v.Empty:
			e.vals[i] = nil
		case c.Type == TypeTime:
			e.vals[i] = excelize.Cell{StyleID: e.timeID, Value: localWall(v)}
		case c.Type == TypeDate:
			e.vals[i] = excelize.Cell{StyleID: e.dateID, Value: localWall(v)}
		case c.Type == TypeInt:
			e.vals[i] = v.Int
		default:
			e.vals[i] = Neutralise(v.Text)
		}
	}
	cell, _ := excelize.CoordinatesToCellName(1, e.row)
	return e.sw.SetRow(cell, e.vals)
}

// localWall keeps Vietnam's wall-clock time: a spreadsheet has no time
// zones, and excelize counts from a UTC epoch.
func localWall(v Value) time.Time {
	t := v.Time.In(formsvc.Vietnam)
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
}

// Note puts text on a sheet of its own, "Lưu ý", first and open when the
// workbook opens, so that an officer reads it before the rows.
func (e *XLSXEncoder) Note(text string) error {
	e.note = text
	return nil
}

// NoteSheet names the sheet of an export's note.
const NoteSheet = "Lưu ý"

func (e *XLSXEncoder) addNote() error {
	if _, err := e.f.NewSheet(NoteSheet); err != nil {
		return err
	}
	if err := e.f.MoveSheet(NoteSheet, e.sheet); err != nil {
		return err
	}
	wrap, err := e.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	if err := e.f.SetColWidth(NoteSheet, "A", "A", 100); err != nil {
		return err
	}
	if err := e.f.SetRowHeight(NoteSheet, 1, 90); err != nil {
		return err
	}
	if err := e.f.SetCellStr(NoteSheet, "A1", Neutralise(e.note)); err != nil {
		return err
	}
	if err := e.f.SetCellStyle(NoteSheet, "A1", "A1", wrap); err != nil {
		return err
	}
	idx, err := e.f.GetSheetIndex(NoteSheet)
	if err != nil {
		return err
	}
	e.f.SetActiveSheet(idx)
	return nil
}

// Close adds the auto-filter, finishes the sheet and writes the workbook.
func (e *XLSXEncoder) Close() error {
	last, _ := excelize.CoordinatesToCellName(len(e.cols), max(e.row, 2))
	if e.row == 1 {
		// A table needs a data row: an empty export gets an empty one.
		if err := e.sw.SetRow("A2", []any{nil}); err != nil {
			return err
		}
	}
	show := true
	if err := e.sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: "DuLieu", StyleName: "TableStyleLight1", ShowRowStripes: &show}); err != nil {
		return fmt.Errorf("auto-filter: %w", err)
	}
	if err := e.sw.Flush(); err != nil {
		return err
	}
	if e.note != "" {
		if err := e.addNote(); err != nil {
			return fmt.Errorf("note: %w", err)
		}
	}
	if err := e.f.Write(e.w); err != nil {
		return err
	}
	return e.f.Close()
}
