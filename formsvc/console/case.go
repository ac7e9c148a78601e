package console

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// maxText bounds notes and replies.
const maxText = 4000

type field struct{ Label, Value string }

type caseData struct {
	Case      *formsvc.Submission
	What      string
	Fields    []field
	Photos    int
	Messages  []formsvc.Message
	Notes     []formsvc.Note
	History   []formsvc.StatusChange
	Next      []option // statuses it can move to
	Assignees []option
	Assigned  string
	Kept      map[string]string // a refused form's answers, by control id
}

var keptKey = &ctxKey{"kept"}

// kept carries a refused form's answers to the page shown again.
func kept(r *http.Request, answers map[string]string) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), keptKey, answers))
}

var caseKey = &ctxKey{"case"}

// loadCase is middleware for /cases/{ref}/…: it reads the case named in
// the address once, if the officer's role may see it (a case of the other
// kind is not found, as if it did not exist), for the handlers below it.
func (c *Console) loadCase(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := c.store.CaseByRef(r.Context(), chi.URLParam(r, "ref"), officerFrom(r.Context()).Role.Kinds())
		if err != nil {
			c.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), caseKey, s)))
	})
}

// caseFrom is the case loadCase read.
func caseFrom(ctx context.Context) *formsvc.Submission {
	return ctx.Value(caseKey).(*formsvc.Submission)
}

// caseFields lists what the person wrote and chose, in the form's order
// and words.
func (c *Console) caseFields(s *formsvc.Submission) []field {
	form := c.spec.Tip
	if s.Kind == formsvc.KindSupport {
		form = c.spec.Support
	}
	var out []field
	for _, fd := range form.Fields {
		switch fd.Type {
		case formsvc.FieldHoneypot, formsvc.FieldFile:
			continue
		case formsvc.FieldCheckbox, formsvc.FieldConsent:
			v := "Không"
			if s.Content.Bools[fd.Name] {
				v = "Có"
			}
			out = append(out, field{or(fd.Column, fd.Label), v})
		case formsvc.FieldCheckboxes:
			v := ""
			for i, code := range s.Content.Lists[fd.Name] {
				if i > 0 {
					v += "; "
				}
				v += fd.OptionLabel(code)
			}
			out = append(out, field{or(fd.Column, fd.Label), v})
		case formsvc.FieldSelect, formsvc.FieldRadio:
			out = append(out, field{or(fd.Column, fd.Label), fd.OptionLabel(s.Content.Text[fd.Name])})
		default:
			out = append(out, field{or(fd.Column, fd.Label), s.Content.Text[fd.Name]})
		}
	}
	if s.Content.PrivacyVersion != "" {
		out = append(out, field{"Phiên bản trang Quyền riêng tư đã đồng ý", s.Content.PrivacyVersion})
	}
	return out
}

func (c *Console) handleCase(w http.ResponseWriter, r *http.Request) {
	s := caseFrom(r.Context())
	c.renderCase(w, r, s, http.StatusOK, nil)
}

func (c *Console) renderCase(w http.ResponseWriter, r *http.Request, s *formsvc.Submission, status int, errs formErrors) {
	ctx := r.Context()
	d := caseData{Case: s, What: c.what(s.Kind, s.Category, s.Services), Fields: c.caseFields(s)}
	d.Kept, _ = ctx.Value(keptKey).(map[string]string)
	var err error
	if d.Messages, err = c.store.Messages(ctx, s); err != nil {
		c.fail(w, r, err)
		return
	}
	if d.Notes, err = c.store.Notes(ctx, s); err != nil {
		c.fail(w, r, err)
		return
	}
	if d.History, err = c.store.History(ctx, s); err != nil {
		c.fail(w, r, err)
		return
	}
	photos, err := c.store.Photos(ctx, s)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d.Photos = len(photos)
	for _, st := range formsvc.Statuses[s.Kind] {
		if st != s.Status {
			d.Next = append(d.Next, option{st, formsvc.OfficerStatusLabel(s.Kind, st)})
		}
	}
	officers, err := c.store.Officers(ctx)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	for _, o := range officers {
		if !o.Disabled && o.Role.CanSee(s.Kind) {
			d.Assignees = append(d.Assignees, option{strconv.FormatInt(o.ID, 10), o.Username + " (" + formsvc.RoleLabels[o.Role] + ")"})
		}
		if o.ID == s.AssignedTo {
			d.Assigned = o.Username
		}
	}
	if status == http.StatusOK {
		c.audit(r, formsvc.AuditView, s.Ref, "")
	}
	c.refuse(w, r, status, "case", s.Ref, d, errs)
}

// handlePhoto serves a case's photo to an officer of the right role only,
// with headers that keep it from being run or cached.
func (c *Console) handlePhoto(w http.ResponseWriter, r *http.Request) {
	s := caseFrom(r.Context())
	n, err := strconv.Atoi(chi.URLParam(r, "n"))
	photos, perr := c.store.Photos(r.Context(), s)
	if perr != nil {
		c.fail(w, r, perr)
		return
	}
	if err != nil || n < 1 || n > len(photos) {
		c.fail(w, r, formsvc.Errorf(formsvc.ENOTFOUND, "Không có ảnh này."))
		return
	}
	p := photos[n-1]
	if err := c.audit(r, formsvc.AuditPhoto, s.Ref, fmt.Sprintf("ảnh %d", n)); err != nil {
		c.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", p.ContentType)
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; sandbox")
	h.Set("Content-Disposition", "inline; filename=\""+s.Ref+"-"+strconv.Itoa(n)+photoExt(p.ContentType)+"\"")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	w.Write(p.Data)
}

func photoExt(ct string) string {
	if ct == "image/png" {
		return ".png"
	}
	return ".jpg"
}

// text reads a required text field of at most maxText characters, shown
// in control id; empty is the message when it is left empty.
func text(r *http.Request, name, id, empty string, errs *formErrors) string {
	v, ok := formsvc.CleanText(r.PostFormValue(name), true)
	switch n := utf8.RuneCountInString(v); {
	case !ok:
		errs.add(id, "Nội dung không đọc được (không phải UTF-8). Hãy gõ lại.")
	case v == "":
		errs.add(id, empty)
	case n > maxText:
		errs.add(id, fmt.Sprintf("Tối đa %d ký tự; đang có %d.", maxText, n))
	}
	return v
}

// handleStatus changes the status; a note saying why is required.
func (c *Console) handleStatus(w http.ResponseWriter, r *http.Request) {
	s := caseFrom(r.Context())
	to := r.PostFormValue("status")
	var errs formErrors
	if !formsvc.ValidStatus(s.Kind, to) || to == s.Status {
		errs.add("status-to", "Hãy chọn trạng thái mới.")
	}
	note := text(r, "note", "status-note", "Hãy viết ghi chú lý do đổi trạng thái.", &errs)
	r = kept(r, map[string]string{"status-to": to, "status-note": r.PostFormValue("note")})
	if errs != nil {
		c.renderCase(w, r, s, http.StatusUnprocessableEntity, errs)
		return
	}
	if r.PostFormValue("from") != "" && r.PostFormValue("from") != s.Status {
		r = kept(r, map[string]string{"status-note": r.PostFormValue("note")})
		c.renderCase(w, r, s, http.StatusConflict, errorsOf("status-to", "Hồ sơ vừa được người khác cập nhật. Trạng thái hiện tại được hiển thị bên dưới: hãy chọn lại."))
		return
	}
	o := officerFrom(r.Context())
	if err := c.store.ChangeStatus(r.Context(), s, to, o.ID, note, c.now()); err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r, formsvc.AuditStatus, s.Ref, s.Status+" → "+to)
	c.flash(w, r, "/officer/cases/"+s.Ref, "Đã đổi trạng thái thành “"+formsvc.OfficerStatusLabel(s.Kind, to)+"”.")
}

func (c *Console) handleNote(w http.ResponseWriter, r *http.Request) {
	s := caseFrom(r.Context())
	var errs formErrors
	body := text(r, "body", "note-body", "Hãy viết ghi chú.", &errs)
	if errs != nil {
		r = kept(r, map[string]string{"note-body": r.PostFormValue("body")})
		c.renderCase(w, r, s, http.StatusUnprocessableEntity, errs)
		return
	}
	if err := c.store.AddNote(r.Context(), s, officerFrom(r.Context()).ID, body, c.now()); err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r, formsvc.AuditNote, s.Ref, "")
	c.flash(w, r, "/officer/cases/"+s.Ref+"#notes", "Đã lưu ghi chú nội bộ.")
}

func (c *Console) handleReply(w http.ResponseWriter, r *http.Request) {
	s := caseFrom(r.Context())
	var errs formErrors
	body := text(r, "body", "reply-body", "Hãy viết lời nhắn cho người gửi.", &errs)
	if errs != nil {
		r = kept(r, map[string]string{"reply-body": r.PostFormValue("body")})
		c.renderCase(w, r, s, http.StatusUnprocessableEntity, errs)
		return
	}
	if err := c.store.Reply(r.Context(), s, officerFrom(r.Context()).ID, body, c.now()); err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r, formsvc.AuditReply, s.Ref, "")
	c.flash(w, r, "/officer/cases/"+s.Ref+"#thread", "Đã gửi lời nhắn. Người gửi sẽ thấy ở trang Tra cứu.")
}

func (c *Console) handleAssign(w http.ResponseWriter, r *http.Request) {
	s := caseFrom(r.Context())
	id, perr := strconv.ParseInt(r.PostFormValue("officer"), 10, 64)
	name := "không ai"
	if perr != nil {
		c.renderCase(w, r, s, http.StatusUnprocessableEntity, errorsOf("assign-to", "Hãy chọn cán bộ phụ trách trong danh sách, hoặc \"Chưa giao\"."))
		return
	}
	if id != 0 {
		o, err := c.store.OfficerByID(r.Context(), id)
		if err != nil || o.Disabled || !o.Role.CanSee(s.Kind) {
			c.renderCase(w, r, s, http.StatusUnprocessableEntity, errorsOf("assign-to", "Chỉ giao được cho cán bộ có quyền xem loại hồ sơ này."))
			return
		}
		name = o.Username
	}
	if err := c.store.Assign(r.Context(), s, id, c.now()); err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r, formsvc.AuditAssign, s.Ref, name)
	c.flash(w, r, "/officer/cases/"+s.Ref, "Đã giao hồ sơ cho "+name+".")
}
