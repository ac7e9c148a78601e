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
	Error        string
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
	c.renderCase(w, r, s, http.StatusOK, "")
}

func (c *Console) renderCase(w http.ResponseWriter, r *http.Request, s *formsvc.Submission, status int, errMsg string) {
	ctx := r.Context()
	d := caseData{Case: s, What: c.what(s.Kind, s.Category, s.Services), Fields: c.caseFields(s), Error: errMsg}
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
	c.render(w, r, status, "case", s.Ref, d)
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

// text reads a required text field of at most maxText characters.
func text(r *http.Request, name string) (string, bool) {
	v, ok := formsvc.CleanText(r.PostFormValue(name), true)
	return v, ok && v != "" && utf8.RuneCountInString(v) <= maxText
}

// handleStatus changes the status; a note saying why is required.
func (c *Console) handleStatus(w http.ResponseWriter, r *http.Request) {
	s := caseFrom(r.Context())
	def := c.spec.Kind(s.Kind)
	to := formsvc.Status(r.PostFormValue("status"))
	note, ok := text(r, "note")
	switch {
	case !def.Valid(to) || to == s.Status:
		c.renderCase(w, r, s, http.StatusUnprocessableEntity, "Vui lòng chọn trạng thái mới.")
		return
	case !ok:
		c.renderCase(w, r, s, http.StatusUnprocessableEntity, "Đổi trạng thái cần một ghi chú lý do (tối đa 4000 ký tự).")
		return
	}
	dest := r.PostFormValue("destination")
	if def.Status(to).Referral && c.spec.Referrals.Destination(s.Kind, dest) == nil {
		c.renderCase(w, r, s, http.StatusUnprocessableEntity, "Chuyển hồ sơ đi cần chọn nơi chuyển tới.")
		return
	}
	if !def.Status(to).Referral {
		dest = "" // the list is on the form for every status; it counts only for a referral
	}
	if from := formsvc.Status(r.PostFormValue("from")); from != "" && from != s.Status {
		c.renderCase(w, r, s, http.StatusConflict, "Hồ sơ vừa được người khác cập nhật. Trạng thái hiện tại được hiển thị bên dưới.")
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
	body, ok := text(r, "body")
	if !ok {
		c.renderCase(w, r, s, http.StatusUnprocessableEntity, "Ghi chú không được để trống và tối đa 4000 ký tự.")
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
	body, ok := text(r, "body")
	if !ok {
		c.renderCase(w, r, s, http.StatusUnprocessableEntity, "Lời nhắn không được để trống và tối đa 4000 ký tự.")
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
	id, _ := strconv.ParseInt(r.PostFormValue("officer"), 10, 64)
	name := "không ai"
	if id != 0 {
		o, err := c.store.OfficerByID(r.Context(), id)
		if err != nil || o.Disabled || !o.Role.CanSee(s.Kind) {
			c.renderCase(w, r, s, http.StatusUnprocessableEntity, "Chỉ giao được cho cán bộ có quyền xem loại hồ sơ này.")
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
	reason, ok := text(r, "reason")
	if from := formsvc.Priority(r.PostFormValue("from")); from != "" && from != s.Priority {
		c.renderCase(w, r, s, http.StatusConflict, "Hồ sơ vừa được người khác cập nhật. Mức ưu tiên hiện tại được hiển thị bên dưới.")
		return
	}
	switch {
	case !to.Valid() || to == s.Priority:
		c.renderCase(w, r, s, http.StatusUnprocessableEntity, "Vui lòng chọn mức ưu tiên mới.")
		return
	case !ok:
		c.renderCase(w, r, s, http.StatusUnprocessableEntity, "Đổi mức ưu tiên cần một lý do (tối đa 4000 ký tự).")
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
		c.renderCase(w, r, s, http.StatusUnprocessableEntity, "Vui lòng chọn kết quả của lần chuyển hồ sơ.")
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
