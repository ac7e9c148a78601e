package export

import (
	"fmt"
	"io"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// Formats lists the export formats.
var Formats = []string{"csv", "xlsx", "json"}

// Encoder writes rows in one format.
type Encoder interface {
	Encode(Row) error
	Close() error
}

// New makes the encoder of format for kind k's columns on w.
func New(format string, w io.Writer, spec *formsvc.Spec, k formsvc.Kind) (Encoder, error) {
	cols := Columns(spec, k)
	switch format {
	case "csv":
		return NewCSV(w, cols)
	case "xlsx":
		return NewXLSX(w, cols, k.Label())
	case "json":
		return NewJSON(w, cols), nil
	}
	return nil, formsvc.Errorf(formsvc.EINVALID, "Định dạng %q không có: chọn csv, xlsx hoặc json.", format)
}

// ContentType and Ext describe a format's file.
func ContentType(format string) (contentType, ext string) {
	switch format {
	case "csv":
		return "text/csv; charset=utf-8", ".csv"
	case "xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"
	}
	return "application/x-ndjson; charset=utf-8", ".jsonl"
}

// Write exports every record that each yields into enc, counting them;
// progress, if not nil, is called after each record.
func Write(enc Encoder, spec *formsvc.Spec, each func(fn func(*formsvc.Submission) error) error, progress func()) (int, error) {
	n := 0
	var row Row
	err := each(func(s *formsvc.Submission) error {
		row = RowOf(spec, s, row)
		if err := enc.Encode(row); err != nil {
			return fmt.Errorf("write record %s: %w", s.Ref, err)
		}
		n++
		if progress != nil {
			progress()
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	return n, enc.Close()
}
