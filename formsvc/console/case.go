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

// referralRow is a referral as the case page shows it.
type referralRow struct {
	formsvc.Referral
	To, OutcomeName string
}

type caseData struct {
	Case      *formsvc.Submission
	What      string
	Fields    []field
	Photos    int
	Messages  []formsvc.Message
	Notes     []formsvc.Note
	History   []formsvc.StatusChange
	Priority  []formsvc.PriorityChange
	Referrals []referralRow
	Next      []option // statuses it can move to
	// Destinations: where a record of its kind may be referred; Referral
	// names the statuses that refer it (the destination is asked then).
	Destinations []option
	Referral     []string
	Outcomes     []option
	Assignees    []option
	Assigned     string
	Kept         map[string]string // a refused form's answers, by control id
	CodeLabel    string            // the heading of What: the kind's counted field
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
	var out []field
	for _, fd := range c.spec.Kind(s.Kind).Form.Fields {
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
	d := caseData{Case: s, What: c.what(s.Kind, s.Category, s.Services), Fields: c.caseFields(s),
		CodeLabel: c.spec.Kind(s.Kind).Code.Heading()}
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
	if d.Priority, err = c.store.PriorityHistory(ctx, s); err != nil {
		c.fail(w, r, err)
		return
	}
	refs, err := c.store.Referrals(ctx, s)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	for _, ref := range refs {
		d.Referrals = append(d.Referrals, referralRow{Referral: ref, To: c.spec.Referrals.DestinationName(ref.Destination),
			OutcomeName: c.spec.Referrals.OutcomeName(ref.Outcome)})
	}
	for _, dst := range c.spec.Referrals.For(s.Kind) {
		d.Destinations = append(d.Destinations, option{dst.Code, dst.Name})
	}
	for _, o := range c.spec.Referrals.Outcomes {
		d.Outcomes = append(d.Outcomes, option{o.Code, o.Name})
	}
	photos, err := c.store.Photos(ctx, s)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d.Photos = len(photos)
	for _, st := range c.spec.Kind(s.Kind).Statuses {
		if st.Code != s.Status {
			d.Next = append(d.Next, option{string(st.Code), st.Officer})
		}
		if st.Referral {
			d.Referral = append(d.Referral, st.Officer)
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
	def := c.spec.Kind(s.Kind)
	to := formsvc.Status(r.PostFormValue("status"))
	dest := r.PostFormValue("destination")
	var errs formErrors
	if !def.Valid(to) || to == s.Status {
		errs.add("status-to", "Hãy chọn trạng thái mới.")
	} else if def.Status(to).Referral && c.spec.Referrals.Destination(s.Kind, dest) == nil {
		errs.add("status-destination", "Chuyển hồ sơ đi cần chọn nơi chuyển tới.")
	}
	if def.Valid(to) && !def.Status(to).Referral {
		dest = "" // the list is on the form for every status; it counts only for a referral
	}
	note := text(r, "note", "status-note", "Hãy viết ghi chú lý do đổi trạng thái.", &errs)
	r = kept(r, map[string]string{"status-to": string(to), "status-destination": dest, "status-note": r.PostFormValue("note")})
	if errs != nil {
		c.renderCase(w, r, s, http.StatusUnprocessableEntity, errs)
		return
	}
	if from := formsvc.Status(r.PostFormValue("from")); from != "" && from != s.Status {
		r = kept(r, map[string]string{"status-note": r.PostFormValue("note")})
		c.renderCase(w, r, s, http.StatusConflict, errorsOf("status-to", "Hồ sơ vừa được người khác cập nhật. Trạng thái hiện tại được hiển thị bên dưới: hãy chọn lại."))
		return
	}
	o := officerFrom(r.Context())
	if err := c.store.ChangeStatus(r.Context(), s, formsvc.StatusMove{To: to, Destination: dest, Note: note, OfficerID: o.ID, At: c.now()}); err != nil {
		c.fail(w, r, err)
		return
	}
	detail := string(s.Status) + " → " + string(to)
	if dest != "" {
		detail += " (" + dest + ")"
	}
	c.audit(r, formsvc.AuditStatus, s.Ref, detail)
	c.flash(w, r, "/officer/cases/"+s.Ref, "Đã đổi trạng thái thành “"+def.OfficerLabel(to)+"”.")
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

// handlePriority changes the priority; a reason is required.
func (c *Console) handlePriority(w http.ResponseWriter, r *http.Request) {
	s := caseFrom(r.Context())
	to := formsvc.Priority(r.PostFormValue("priority"))
	if from := formsvc.Priority(r.PostFormValue("from")); from != "" && from != s.Priority {
		r = kept(r, map[string]string{"priority-reason": r.PostFormValue("reason")})
		c.renderCase(w, r, s, http.StatusConflict, errorsOf("priority-to", "Hồ sơ vừa được người khác cập nhật. Mức ưu tiên hiện tại được hiển thị bên dưới: hãy chọn lại."))
		return
	}
	var errs formErrors
	if !to.Valid() || to == s.Priority {
		errs.add("priority-to", "Hãy chọn mức ưu tiên mới.")
	}
	reason := text(r, "reason", "priority-reason", "Hãy viết lý do đổi mức ưu tiên.", &errs)
	if errs != nil {
		r = kept(r, map[string]string{"priority-reason": r.PostFormValue("reason")})
		c.renderCase(w, r, s, http.StatusUnprocessableEntity, errs)
		return
	}
	o := officerFrom(r.Context())
	if err := c.store.SetPriority(r.Context(), s, to, o.ID, reason, c.now()); err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r, formsvc.AuditPriority, s.Ref, string(s.Priority)+" → "+string(to))
	c.flash(w, r, "/officer/cases/"+s.Ref, "Đã đổi mức ưu tiên thành “"+to.Label()+"”.")
}

// handleOutcome records what came of one of the case's referrals.
func (c *Console) handleOutcome(w http.ResponseWriter, r *http.Request) {
	s := caseFrom(r.Context())
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		c.fail(w, r, formsvc.Errorf(formsvc.ENOTFOUND, "Hồ sơ này không có lần chuyển đó."))
		return
	}
	outcome := r.PostFormValue("outcome")
	if c.spec.Referrals.Outcome(outcome) == nil {
		c.renderCase(w, r, s, http.StatusUnprocessableEntity, errorsOf("outcome-"+strconv.FormatInt(id, 10), "Hãy chọn kết quả của lần chuyển hồ sơ."))
		return
	}
	o := officerFrom(r.Context())
	if err := c.store.RecordOutcome(r.Context(), s, id, outcome, o.ID, c.now()); err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r, formsvc.AuditOutcome, s.Ref, outcome)
	c.flash(w, r, "/officer/cases/"+s.Ref, "Đã ghi kết quả: “"+c.spec.Referrals.OutcomeName(outcome)+"”.")
}
