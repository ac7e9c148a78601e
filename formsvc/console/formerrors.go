package console

import (
	"html"
	"html/template"
	"strings"
)

// A refused console form is shown again the way the public site's forms
// are (GOV.UK's pattern): a summary at the top of the page that takes the
// focus, titled and listing each problem as a link to its field; the
// message again beside the field, which is marked aria-invalid; "Lỗi: "
// before the page title; the answers kept; status 422 (or what the
// refusal means: 401, 409, 429…). Nothing is stored. Each form's handler
// checks every field on the server: the browser's `required` and
// `minlength` are only a convenience.

// fieldError is one problem: the id of the control it is about (the
// summary links there; "" when no control on the page fits) and what to
// do, in Vietnamese.
type fieldError struct {
	ID  string
	Msg string
}

// formErrors are a form's problems, in the order of its fields.
type formErrors []fieldError

// add notes a problem with control id.
func (e *formErrors) add(id, msg string) { *e = append(*e, fieldError{ID: id, Msg: msg}) }

// Get is the problem with control id, or nil.
func (e formErrors) Get(id string) *fieldError {
	for i := range e {
		if e[i].ID == id {
			return &e[i]
		}
	}
	return nil
}

// errorsOf is one problem with control id.
func errorsOf(id, msg string) formErrors { return formErrors{{ID: id, Msg: msg}} }

// fieldAttrs are a control's attributes for its problem: aria-invalid,
// and aria-describedby naming its message after the ids in describedBy
// (a hint, say), which it names alone when there is no problem.
func fieldAttrs(e formErrors, id string, describedBy ...string) template.HTMLAttr {
	var b strings.Builder
	ids := describedBy
	if e.Get(id) != nil {
		b.WriteString(` aria-invalid="true"`)
		ids = append(ids[:len(ids):len(ids)], id+"-error")
	}
	if len(ids) > 0 {
		b.WriteString(` aria-describedby="` + html.EscapeString(strings.Join(ids, " ")) + `"`)
	}
	return template.HTMLAttr(b.String())
}
