// Package export writes records as CSV, XLSX or JSON Lines, one record at
// a time, with Vietnamese column headers for people and stable English
// field names for programs. Every encoder has the shape New(w) /
// Encode(row) / Close().
package export

import (
	"strings"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// Column types.
const (
	TypeText = iota
	TypeTime // a moment: date and time
	TypeDate // a calendar date typed by a person ("2026-11-20")
	TypeBool
	TypeInt
	TypeList // codes; shown as labels joined by "; "
)

// Column is one exported field: Key is its stable JSON name (documented in
// the README), Header its Vietnamese heading.
type Column struct {
	Key    string
	Header string
	Type   int
	Width  float64 // XLSX column width in characters
}

// Value is one cell: Code is what a program reads (a status code, a date
// in ISO form), Text what a person reads (its Vietnamese label).
type Value struct {
	Text  string
	Code  string
	Time  time.Time
	Bool  bool
	Int   int
	Codes []string
	Empty bool
}

// Row is one record's values, in the order of its columns.
type Row []Value

// Columns are the columns of an export of kind k.
func Columns(spec *formsvc.Spec, k formsvc.Kind) []Column {
	cols := []Column{
		{Key: "ref", Header: "Mã hồ sơ", Type: TypeText, Width: 14},
		{Key: "created_at", Header: "Ngày nhận", Type: TypeTime, Width: 17},
		{Key: "status", Header: "Trạng thái", Type: TypeText, Width: 18},
		{Key: "priority", Header: "Ưu tiên", Type: TypeText, Width: 9},
	}
	form := spec.Kind(k).Form
	for _, fd := range form.Fields {
		c := Column{Key: fd.Name, Header: fd.Heading(), Type: TypeText, Width: 30}
		switch fd.Type {
		case formsvc.FieldHoneypot:
			continue
		case formsvc.FieldFile:
			c = Column{Key: "photos", Header: fd.Heading(), Type: TypeInt, Width: 8}
		case formsvc.FieldTextarea:
			c.Width = 60
		case formsvc.FieldDate:
			c.Type, c.Width = TypeDate, 12
		case formsvc.FieldCheckbox, formsvc.FieldConsent:
			c.Type, c.Width = TypeBool, 12
		case formsvc.FieldCheckboxes:
			c.Type, c.Width = TypeList, 40
		case formsvc.FieldSelect, formsvc.FieldRadio:
			c.Width = 24
		case formsvc.FieldTel:
			c.Width = 14
		}
		cols = append(cols, c)
	}
	if form.AsksConsent() {
		cols = append(cols, Column{Key: "privacy_version", Header: "Phiên bản quyền riêng tư đã đồng ý", Type: TypeText, Width: 10})
	}
	return append(cols,
		Column{Key: "assigned_to", Header: "Cán bộ phụ trách", Type: TypeText, Width: 16},
		Column{Key: "first_action_at", Header: "Thao tác đầu tiên", Type: TypeTime, Width: 17},
		Column{Key: "closed_at", Header: "Ngày đóng", Type: TypeTime, Width: 17},
	)
}

// RowOf turns a record into a row for the columns of its kind, reusing
// row's storage (pass nil for a new row).
func RowOf(spec *formsvc.Spec, s *formsvc.Submission, row Row) Row {
	d := spec.Kind(s.Kind)
	form := d.Form
	row = append(row[:0],
		Value{Text: s.Ref, Code: s.Ref},
		timeValue(s.CreatedAt),
		Value{Text: d.OfficerLabel(s.Status), Code: string(s.Status)},
		Value{Text: s.Priority.Label(), Code: string(s.Priority)},
	)
	for _, fd := range form.Fields {
		switch fd.Type {
		case formsvc.FieldHoneypot:
			continue
		case formsvc.FieldFile:
			row = append(row, Value{Int: s.PhotoCount})
		case formsvc.FieldCheckbox, formsvc.FieldConsent:
			b := s.Content.Bools[fd.Name]
			row = append(row, Value{Bool: b, Text: map[bool]string{true: "Có", false: "Không"}[b]})
		case formsvc.FieldCheckboxes:
			codes := s.Content.Lists[fd.Name]
			labels := make([]string, len(codes))
			for i, c := range codes {
				labels[i] = fd.OptionLabel(c)
			}
			row = append(row, Value{Codes: codes, Text: strings.Join(labels, "; ")})
		case formsvc.FieldSelect, formsvc.FieldRadio:
			v := s.Content.Text[fd.Name]
			row = append(row, Value{Code: v, Text: fd.OptionLabel(v), Empty: v == ""})
		case formsvc.FieldDate:
			v := s.Content.Text[fd.Name]
			t, err := time.ParseInLocation("2006-01-02", v, formsvc.Vietnam)
			row = append(row, Value{Code: v, Text: v, Time: t, Empty: v == "" || err != nil})
		default:
			v := s.Content.Text[fd.Name]
			row = append(row, Value{Code: v, Text: v, Empty: v == ""})
		}
	}
	if form.AsksConsent() {
		row = append(row, Value{Code: s.Content.PrivacyVersion, Text: s.Content.PrivacyVersion, Empty: s.Content.PrivacyVersion == ""})
	}
	return append(row,
		Value{Code: s.AssignedName, Text: s.AssignedName, Empty: s.AssignedName == ""},
		timeValue(s.FirstActionAt),
		timeValue(s.ClosedAt),
	)
}

// timeValue holds a moment; each encoder formats it its own way.
func timeValue(t time.Time) Value {
	if t.IsZero() {
		return Value{Empty: true}
	}
	return Value{Time: t.In(formsvc.Vietnam)}
}

// Layouts of times for people (CSV: dd/mm/yyyy HH:mm, as everywhere a
// person reads a time) and programs (JSON: RFC 3339, by the README's
// contract; a typed date stays "2026-11-20" there).
const (
	TextTime = formsvc.DateTimeLayout
	TextDate = formsvc.DateLayout
	CodeTime = time.RFC3339
)
