package export

import (
	"fmt"
	"io"
	"strings"

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
		return NewXLSX(w, cols, spec.Kind(k).Label)
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

// Each yields the records of an export: each record to fn, and each one
// that did not open to skip, with its clear fields and why.
type Each func(fn func(*formsvc.Submission) error, skip func(*formsvc.Submission, error)) error

// Summary is what an export wrote, and what it left out.
type Summary struct {
	Records    int      // rows written
	Unreadable []string // references of the records that did not open
}

// A Noter can add a note for the reader to its file (CSV, XLSX; JSON
// Lines has fixed fields for software, and no place for one).
type Noter interface {
	Note(text string) error
}

// Write exports every record that each yields into enc, counting them;
// progress, if not nil, is called after each record. A record that does
// not open is left out and listed in the summary; the file says so too,
// where its format has room for a note (see UnreadableNote).
func Write(enc Encoder, spec *formsvc.Spec, each Each, progress func()) (Summary, error) {
	var sum Summary
	var row Row
	err := each(func(s *formsvc.Submission) error {
		row = RowOf(spec, s, row)
		if err := enc.Encode(row); err != nil {
			return fmt.Errorf("write record %s: %w", s.Ref, err)
		}
		sum.Records++
		if progress != nil {
			progress()
		}
		return nil
	}, func(s *formsvc.Submission, _ error) {
		sum.Unreadable = append(sum.Unreadable, s.Ref)
		if progress != nil {
			progress()
		}
	})
	if err != nil {
		return sum, err
	}
	if n, ok := enc.(Noter); ok && len(sum.Unreadable) > 0 {
		if err := n.Note(UnreadableNote(sum.Unreadable)); err != nil {
			return sum, err
		}
	}
	return sum, enc.Close()
}

// maxListed bounds the references a note or an audit entry lists.
const maxListed = 20

// ListRefs lists refs, the first few of many.
func ListRefs(refs []string) string {
	if len(refs) <= maxListed {
		return strings.Join(refs, ", ")
	}
	return fmt.Sprintf("%s và %d hồ sơ khác", strings.Join(refs[:maxListed], ", "), len(refs)-maxListed)
}

// UnreadableNote tells the reader of an export, in Vietnamese, which
// records it left out because they did not open, and what to do.
func UnreadableNote(refs []string) string {
	return fmt.Sprintf("Lưu ý: %d hồ sơ không mở được nên không có trong tệp này: %s. "+
		"Nội dung đã lưu của chúng không khớp với khóa hoặc với chính hồ sơ đó (bị hỏng, hoặc bị sửa trong cơ sở dữ liệu). "+
		"Việc này đã được ghi vào nhật ký kiểm tra; hãy báo ngay cho quản trị.", len(refs), ListRefs(refs))
}
