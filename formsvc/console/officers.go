package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

type officersData struct {
	Officers    []*formsvc.Officer
	Roles       []option
	Username    string // answers kept after an error
	Role        string
	RequireTOTP bool
	MinPassword int
}

func (c *Console) officersPage(w http.ResponseWriter, r *http.Request, status int, d officersData, errs formErrors) {
	list, err := c.store.Officers(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	required, err := c.store.RequireTOTP(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d.Officers, d.RequireTOTP, d.MinPassword = list, required, formsvc.MinPasswordLen
	for _, role := range formsvc.Roles {
		d.Roles = append(d.Roles, option{string(role), formsvc.RoleLabels[role]})
	}
	c.refuse(w, r, status, "officers", "Tài khoản cán bộ", d, errs)
}

func (c *Console) handleOfficers(w http.ResponseWriter, r *http.Request) {
	c.officersPage(w, r, http.StatusOK, officersData{}, nil)
}

// handleOfficerAdd adds an account. The role has no default: the form's
// select starts empty, and an account without a chosen role is refused.
func (c *Console) handleOfficerAdd(w http.ResponseWriter, r *http.Request) {
	username, role, pw := r.PostFormValue("username"), r.PostFormValue("role"), r.PostFormValue("password")
	kept := officersData{Username: username, Role: role}
	// Each field on its own first, so that every problem shows at once;
	// then NewOfficer, which checks them all again.
	var errs formErrors
	if !formsvc.UsernameRe.MatchString(strings.TrimSpace(username)) {
		_, _, err := formsvc.NewOfficer(r.Context(), username, "", "") // says why, hashing nothing
		errs.add("new-username", formsvc.ErrorMessage(err))
	}
	if _, ok := formsvc.ParseRole(role); !ok {
		errs.add("new-role", "Hãy chọn vai trò cho tài khoản mới.")
	}
	if err := formsvc.CheckPasswordRules(pw, strings.TrimSpace(username)); err != nil {
		errs.add("new-password", formsvc.ErrorMessage(err))
	}
	if errs != nil {
		c.officersPage(w, r, http.StatusUnprocessableEntity, kept, errs)
		return
	}
	o, hash, err := formsvc.NewOfficer(r.Context(), username, role, pw)
	if err == nil {
		err = c.store.CreateOfficer(r.Context(), o, hash)
	}
	if formsvc.ErrorCode(err) == formsvc.EINVALID { // the name is taken
		c.officersPage(w, r, http.StatusUnprocessableEntity, kept, errorsOf("new-username", formsvc.ErrorMessage(err)))
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r, formsvc.AuditOfficerAdd, o.Username, string(o.Role))
	c.flash(w, r, "/officer/officers", "Đã thêm tài khoản "+o.Username+".")
}

func (c *Console) officerInURL(w http.ResponseWriter, r *http.Request) *formsvc.Officer {
	id, _ := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	o, err := c.store.OfficerByID(r.Context(), id)
	if err != nil {
		c.fail(w, r, err)
		return nil
	}
	return o
}

func (c *Console) handleOfficerPassword(w http.ResponseWriter, r *http.Request) {
	o := c.officerInURL(w, r)
	if o == nil {
		return
	}
	hash, err := formsvc.HashPassword(r.Context(), r.PostFormValue("password"), o.Username)
	if formsvc.ErrorCode(err) == formsvc.EINVALID {
		c.officersPage(w, r, http.StatusUnprocessableEntity, officersData{},
			errorsOf("pw-"+strconv.FormatInt(o.ID, 10), "Mật khẩu mới cho "+o.Username+": "+formsvc.ErrorMessage(err)))
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if err := c.store.SetPassword(r.Context(), o.ID, hash); err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r, formsvc.AuditOfficerPasswd, o.Username, "")
	c.flash(w, r, "/officer/officers", "Đã đặt mật khẩu mới cho "+o.Username+".")
}

// confirmData is a page that asks before a destructive action: what will
// happen, a box to tick, and a warning-styled button; it works without
// JavaScript.
type confirmData struct {
	Heading    string
	Effects    []string
	Action     string // where the form posts
	Understand string // the box's label: "Tôi hiểu…"
	Button     string
	Cancel     string // where "Hủy" leads
}

func disableConfirm(o *formsvc.Officer) confirmData {
	return confirmData{
		Heading: "Khóa tài khoản " + o.Username + "?",
		Effects: []string{
			o.Username + " bị đăng xuất ngay ở mọi máy và không đăng nhập được nữa.",
			"Hồ sơ, ghi chú và nhật ký của tài khoản vẫn giữ nguyên.",
			"Quản trị mở lại được bất cứ lúc nào (nút \"Mở lại\").",
		},
		Action:     "/officer/officers/" + strconv.FormatInt(o.ID, 10) + "/disable",
		Understand: "Tôi hiểu: " + o.Username + " sẽ không làm việc được cho tới khi được mở lại.",
		Button:     "Khóa tài khoản " + o.Username,
		Cancel:     "/officer/officers",
	}
}

// handleOfficerDisableConfirm asks before locking an account.
func (c *Console) handleOfficerDisableConfirm(w http.ResponseWriter, r *http.Request) {
	o := c.officerInURL(w, r)
	if o == nil {
		return
	}
	if o.ID == officerFrom(r.Context()).ID {
		c.officersPage(w, r, http.StatusUnprocessableEntity, officersData{}, errorsOf("", msgNotSelf))
		return
	}
	c.render(w, r, http.StatusOK, "confirm", "Khóa tài khoản", disableConfirm(o))
}

// msgNotSelf refuses locking one's own account.
const msgNotSelf = "Bạn không thể tự khóa tài khoản của mình."

// confirmed reports whether the confirmation box was ticked.
func confirmed(r *http.Request) bool { return r.PostFormValue("confirm") == "yes" }

func (c *Console) handleOfficerDisable(disable bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		o := c.officerInURL(w, r)
		if o == nil {
			return
		}
		if disable && o.ID == officerFrom(r.Context()).ID {
			c.officersPage(w, r, http.StatusUnprocessableEntity, officersData{}, errorsOf("", msgNotSelf))
			return
		}
		if disable && !confirmed(r) {
			c.refuse(w, r, http.StatusUnprocessableEntity, "confirm", "Khóa tài khoản", disableConfirm(o),
				errorsOf("confirm", "Hãy đánh dấu ô \"Tôi hiểu\" để khóa tài khoản, hoặc bấm Hủy."))
			return
		}
		if err := c.store.SetDisabled(r.Context(), o.ID, disable); err != nil {
			c.fail(w, r, err)
			return
		}
		action, msg := formsvc.AuditOfficerEnable, "Đã mở lại tài khoản "
		if disable {
			action, msg = formsvc.AuditOfficerDisable, "Đã khóa tài khoản "
		}
		c.audit(r, action, o.Username, "")
		c.flash(w, r, "/officer/officers", msg+o.Username+".")
	}
}

// handleRequireTOTP turns on or off the requirement of the second factor
// for every officer (admins must have it either way). Turning it off
// weakens every account, so it asks like a destructive action.
func (c *Console) handleRequireTOTP(w http.ResponseWriter, r *http.Request) {
	on := r.PostFormValue("require") == "on"
	if !on && !confirmed(r) {
		c.officersPage(w, r, http.StatusUnprocessableEntity, officersData{}, errorsOf("require-off", "Hãy đánh dấu ô \"Tôi hiểu\" để bỏ yêu cầu xác thực hai bước."))
		return
	}
	if err := c.store.SetRequireTOTP(r.Context(), on); err != nil {
		c.fail(w, r, err)
		return
	}
	detail, msg := "bỏ yêu cầu xác thực hai bước", "Đã bỏ yêu cầu xác thực hai bước: cán bộ không phải quản trị có thể tắt nó."
	if on {
		detail, msg = "bắt buộc xác thực hai bước cho mọi cán bộ", "Đã bắt buộc xác thực hai bước: cán bộ chưa bật sẽ được đưa tới trang cài đặt trước khi làm việc."
	}
	c.audit(r, formsvc.AuditSettings, "", detail)
	c.flash(w, r, "/officer/officers", msg)
}

type auditData struct {
	Entries []formsvc.AuditEntry
	Page    int
	Pages   int
	Total   int
}

func (c *Console) handleAudit(w http.ResponseWriter, r *http.Request) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	entries, total, err := c.store.AuditLog(r.Context(), (page-1)*100, 100)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "audit", "Nhật ký kiểm tra", auditData{Entries: entries, Page: page, Pages: (total + 99) / 100, Total: total})
}
