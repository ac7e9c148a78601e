package web

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// ErrorPagePath is the site's page for errors that are not about one field.
const ErrorPagePath = "/loi/"

// ConfirmationChild is the child of a form page that confirms a submission.
const ConfirmationChild = "da-gui/"

// pages fills pages of the built site, so that a plain form post is
// answered in the site's own look: the markup lives once, in Hugo's
// templates, and the service only fills the placeholders that they mark
// with data-* attributes.
type pages struct{ dir string }

func (p *pages) load(urlPath string) (*goquery.Document, error) {
	file := filepath.Join(p.dir, filepath.FromSlash(path.Clean("/"+urlPath)), "index.html")
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read page %s: %w", urlPath, err)
	}
	return goquery.NewDocumentFromReader(bytes.NewReader(b))
}

func (p *pages) write(w http.ResponseWriter, status int, doc *goquery.Document) {
	html, err := goquery.OuterHtml(doc.Selection)
	if err != nil {
		http.Error(w, formsvc.MsgInternal, http.StatusInternalServerError)
		return
	}
	retryAfter(w, status)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write([]byte(html))
}

// confirmation is the form's confirmation page with the receipt filled in.
func (p *pages) confirmation(f *formsvc.Form, receipt formsvc.Receipt) (*goquery.Document, error) {
	doc, err := p.load(f.Page + ConfirmationChild)
	if err != nil {
		return nil, err
	}
	slot := doc.Find("[data-receipt]")
	if slot.Length() == 0 {
		return nil, fmt.Errorf("page %s%s has no [data-receipt]", f.Page, ConfirmationChild)
	}
	slot.SetText(receipt.String())
	// The page as built shows no receipt, only a note that it shows just
	// after sending: show the block, drop the note.
	doc.Find("[data-receipt-block]").RemoveAttr("hidden")
	doc.Find("[data-receipt-missing]").Remove()
	return doc, nil
}

// errorPage is the site's error page with msg, and a link back to the form.
func (p *pages) errorPage(msg string, f *formsvc.Form) (*goquery.Document, error) {
	doc, err := p.load(ErrorPagePath)
	if err != nil {
		return nil, err
	}
	doc.Find("[data-error-message]").SetText(msg)
	if f != nil && f.Page != "" {
		doc.Find("[data-back]").SetAttr("href", f.Page)
	}
	return doc, nil
}

// formWithErrors is the form page again, the GOV.UK way: "Lỗi: " in the
// title, an error summary that takes focus, each message beside its field
// and the person's answers kept.
func (p *pages) formWithErrors(f *formsvc.Form, in formsvc.Values, fields map[string]string) (*goquery.Document, error) {
	doc, err := p.load(f.Page)
	if err != nil {
		return nil, err
	}
	if err := fillErrors(doc, f, in, fields); err != nil {
		return nil, err
	}
	return doc, nil
}

// fillErrors fills form f on a page with the messages and answers.
func fillErrors(doc *goquery.Document, f *formsvc.Form, in formsvc.Values, fields map[string]string) error {
	form := doc.Find("form").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.AttrOr("action", "") == f.Action
	}).First()
	if form.Length() == 0 {
		return fmt.Errorf("page %s has no form posting to %s", f.Page, f.Action)
	}
	title := doc.Find("title")
	title.SetText("Lỗi: " + title.Text())

	summary := form.Find("[data-error-summary]")
	list := summary.Find("ul")
	list.Empty()
	for _, fd := range f.Fields {
		msg, ok := fields[fd.Name]
		if !ok {
			continue
		}
		item := list.AppendHtml("<li><a></a></li>").Find("li").Last()
		item.Find("a").SetAttr("href", "#"+fieldID(form, fd)).SetText(msg)
		wrap := fieldWrap(form, fd.Name)
		wrap.AddClass("field--error")
		slot := wrap.Find("[data-error-for]")
		slot.RemoveAttr("hidden")
		slot.Find("[data-error-text]").SetText(msg)
		wrap.Find("input, select, textarea").SetAttr("aria-invalid", "true")
	}
	summary.RemoveAttr("hidden")
	summary.SetAttr("autofocus", "")

	for _, fd := range f.Fields {
		keep(form, fd, in)
	}
	return nil
}

func fieldWrap(form *goquery.Selection, name string) *goquery.Selection {
	return form.Find("[data-field]").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.AttrOr("data-field", "") == name
	})
}

// controls finds the inputs of a field by name (never by building a
// selector out of a person's input).
func controls(form *goquery.Selection, name string) *goquery.Selection {
	return form.Find("input, select, textarea").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.AttrOr("name", "") == name
	})
}

func fieldID(form *goquery.Selection, fd *formsvc.Field) string {
	if id := controls(form, fd.Name).First().AttrOr("id", ""); id != "" {
		return id
	}
	return "f-" + fd.Name
}

// keep puts a person's answers back into the form.
func keep(form *goquery.Selection, fd *formsvc.Field, in formsvc.Values) {
	c := controls(form, fd.Name)
	vals := in[fd.Name]
	switch fd.Type {
	case formsvc.FieldFile, formsvc.FieldHoneypot:
	case formsvc.FieldTextarea:
		c.SetText(in.Get(fd.Name))
	case formsvc.FieldSelect:
		c.Find("option").Each(func(_ int, o *goquery.Selection) {
			if o.AttrOr("value", "") == in.Get(fd.Name) {
				o.SetAttr("selected", "")
			} else {
				o.RemoveAttr("selected")
			}
		})
	case formsvc.FieldRadio, formsvc.FieldCheckboxes:
		c.Each(func(_ int, o *goquery.Selection) {
			if slices.Contains(vals, o.AttrOr("value", "")) {
				o.SetAttr("checked", "")
			} else {
				o.RemoveAttr("checked")
			}
		})
	case formsvc.FieldCheckbox, formsvc.FieldConsent:
		if b, _ := formsvc.ParseBool(in.Get(fd.Name)); b {
			c.SetAttr("checked", "")
		} else {
			c.RemoveAttr("checked")
		}
	default:
		c.SetAttr("value", in.Get(fd.Name))
	}
}

// followUp is the follow-up page with a submission's status and thread,
// and the form to add a message with the receipt filled in.
func (p *pages) followUp(spec *formsvc.Spec, receipt string, fu *followUp, sent bool) (*goquery.Document, error) {
	doc, err := p.load(spec.FollowUp.Page)
	if err != nil {
		return nil, err
	}
	res := doc.Find("[data-follow-up-result]")
	tpl := res.Find("template[data-fu-message]").Children().First()
	list := res.Find("[data-fu-messages]")
	if res.Length() == 0 || tpl.Length() == 0 || list.Length() == 0 {
		return nil, fmt.Errorf("page %s lacks the follow-up slots", spec.FollowUp.Page)
	}
	res.RemoveAttr("hidden")
	res.Find("[data-fu-kind]").SetText(fu.KindLabel)
	res.Find("[data-fu-status]").SetText(fu.StatusLabel)
	if sent {
		res.Find("[data-fu-notice]").RemoveAttr("hidden")
	}
	if len(fu.Messages) > 0 {
		res.Find("[data-fu-empty]").SetAttr("hidden", "")
	}
	for _, m := range fu.Messages {
		item := tpl.Clone()
		item.Find("[data-fu-from]").SetText(FromLabels[m.From])
		item.Find("[data-fu-at]").SetAttr("datetime", m.At.Format(time.RFC3339)).SetText(formsvc.DateTime(m.At))
		item.Find("[data-fu-body]").SetText(m.Body)
		item.AddClass("msg-" + m.From)
		list.AppendSelection(item)
	}
	for _, f := range []*formsvc.Form{spec.FollowUp, spec.FollowUpMessage} {
		form := doc.Find("form").FilterFunction(func(_ int, s *goquery.Selection) bool {
			return s.AttrOr("action", "") == f.Action
		})
		controls(form, "receipt").SetAttr("value", receipt)
	}
	res.Find("[data-fu-title]").SetAttr("autofocus", "")
	return doc, nil
}

// FromLabels name a message's author for the reporter.
var FromLabels = map[string]string{"officer": "Cán bộ xã", "you": "Bạn"}
