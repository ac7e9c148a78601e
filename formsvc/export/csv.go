package export

import (
	"bufio"
	"encoding/csv"
	"io"
	"strconv"
)

// CSVEncoder writes UTF-8 CSV with a byte-order mark, so that Excel opens
// Vietnamese correctly, and Vietnamese headers; one row per record.
type CSVEncoder struct {
	bw   *bufio.Writer
	w    *csv.Writer
	cols []Column
	rec  []string
}

// NewCSV starts a CSV file on w with the columns' headers.
func NewCSV(w io.Writer, cols []Column) (*CSVEncoder, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString("\ufeff"); err != nil {
		return nil, err
	}
	e := &CSVEncoder{bw: bw, w: csv.NewWriter(bw), cols: cols, rec: make([]string, len(cols))}
	for i, c := range cols {
		e.rec[i] = c.Header
	}
	return e, e.w.Write(e.rec)
}

// Encode writes one row.
func (e *CSVEncoder) Encode(r Row) error {
	for i, c := range e.cols {
		v := r[i]
		switch {
		case v.Empty:
			e.rec[i] = ""
		case c.Type == TypeInt:
			e.rec[i] = strconv.Itoa(v.Int)
		case c.Type == TypeTime:
			e.rec[i] = v.Time.Format(TextTime)
		case c.Type == TypeDate:
			e.rec[i] = v.Time.Format(TextDate)
		default:
			e.rec[i] = Neutralise(v.Text)
		}
	}
	return e.w.Write(e.rec)
}

// Note adds, after the rows, an empty row and one with text in its first
// cell: the last lines an officer sees in a spreadsheet.
func (e *CSVEncoder) Note(text string) error {
	clear(e.rec)
	if err := e.w.Write(e.rec); err != nil {
		return err
	}
	e.rec[0] = Neutralise(text)
	return e.w.Write(e.rec)
}

// Close flushes the file.
func (e *CSVEncoder) Close() error {
	e.w.Flush()
	if err := e.w.Error(); err != nil {
		return err
	}
	return e.bw.Flush()
}
