package console

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"image/png"
	"net/http"
	"strings"

	"github.com/pquerna/otp/totp"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

type accountData struct {
	Error         string
	EnrolSecret   string       // during second-factor enrolment
	EnrolQR       template.URL // data: URI of the QR code, made here
	RecoveryCodes []string
	// TOTPRequired: this officer must have the second factor (an admin,
	// or everyone by an admin's setting), so it cannot be turned off.
	TOTPRequired bool
	MinPassword  int
}

func (c *Console) accountPage(w http.ResponseWriter, r *http.Request, status int, d accountData) {
	required, err := c.totpRequiredFor(r, officerFrom(r.Context()))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d.TOTPRequired, d.MinPassword = required, formsvc.MinPasswordLen
	c.render(w, r, status, "account", "Tài khoản của tôi", d)
}

// totpRequiredFor reports whether o must have the second factor.
func (c *Console) totpRequiredFor(r *http.Request, o *formsvc.Officer) (bool, error) {
	if o.Role == formsvc.RoleAdmin {
		return true, nil
	}
	return c.store.RequireTOTP(r.Context())
}

func (c *Console) handleAccount(w http.ResponseWriter, r *http.Request) {
	c.accountPage(w, r, http.StatusOK, accountData{})
}

// checkOwnPassword asks for the current password before a sensitive
// change. Wrong ones count against the address as at the login, so a
// borrowed session cannot be used to guess the password; when it answers
// false it has written the page.
func (c *Console) checkOwnPassword(w http.ResponseWriter, r *http.Request) bool {
	at, refused := c.guard.admit(r)
	if refused != nil {
		c.accountPage(w, r, refused.header(w), accountData{Error: refused.msg})
		return false
	}
	o := officerFrom(r.Context())
	current, hash, err := c.store.OfficerByUsername(r.Context(), o.Username)
	if err != nil {
		at.succeeded()
		c.fail(w, r, err)
		return false
	}
	ok, err := formsvc.VerifyPassword(r.Context(), current, hash, r.PostFormValue("current"))
	if err != nil {
		at.succeeded()
		c.fail(w, r, err)
		return false
	}
	if !ok {
		c.audit(r, formsvc.AuditLoginFailed, o.Username, "mật khẩu hiện tại sai")
		c.accountPage(w, r, http.StatusUnprocessableEntity, accountData{Error: "Mật khẩu hiện tại không đúng."})
		return false
	}
	at.succeeded()
	return true
}

func (c *Console) handleOwnPassword(w http.ResponseWriter, r *http.Request) {
	if !c.checkOwnPassword(w, r) {
		return
	}
	if r.PostFormValue("new") != r.PostFormValue("confirm") {
		c.accountPage(w, r, http.StatusUnprocessableEntity, accountData{Error: "Hai lần nhập mật khẩu mới không giống nhau."})
		return
	}
	o := officerFrom(r.Context())
	hash, err := formsvc.HashPassword(r.Context(), r.PostFormValue("new"), o.Username)
	if formsvc.ErrorCode(err) == formsvc.EINVALID {
		c.accountPage(w, r, http.StatusUnprocessableEntity, accountData{Error: formsvc.ErrorMessage(err)})
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
	if err := c.sessions.RenewToken(r.Context()); err != nil {
		c.fail(w, r, err)
		return
	}
	// This browser goes on under the new password; the others are over.
	c.sessions.Put(r.Context(), sessCred, o.Credentials+1)
	c.audit(r, formsvc.AuditOfficerPasswd, o.Username, "tự đổi")
	c.flash(w, r, "/officer/account", "Đã đổi mật khẩu.")
}

// handleTOTPStart makes a secret and shows it as a QR code for the app.
func (c *Console) handleTOTPStart(w http.ResponseWriter, r *http.Request) {
	o := officerFrom(r.Context())
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Ban lam viec can bo xa", AccountName: o.Username})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	img, err := key.Image(220, 220)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	c.sessions.Put(r.Context(), sessEnrolKey, key.Secret())
	c.accountPage(w, r, http.StatusOK, accountData{EnrolSecret: key.Secret(),
		EnrolQR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))})
}

// handleTOTPConfirm turns the second factor on once the app's first code
// matches, and shows the recovery codes once.
func (c *Console) handleTOTPConfirm(w http.ResponseWriter, r *http.Request) {
	o := officerFrom(r.Context())
	secret := c.sessions.GetString(r.Context(), sessEnrolKey)
	code := strings.ReplaceAll(strings.TrimSpace(r.PostFormValue("code")), " ", "")
	step, ok := matchTOTP(code, secret, c.now())
	if secret == "" || !ok {
		c.accountPage(w, r, http.StatusUnprocessableEntity, accountData{Error: "Mã không đúng. Hãy bắt đầu lại và nhập mã 6 chữ số đang hiện trong ứng dụng."})
		return
	}
	codes, hashes := newRecoveryCodes()
	if err := c.store.SetTOTP(r.Context(), o.ID, secret, true, hashes); err != nil {
		c.fail(w, r, err)
		return
	}
	// The code that turned it on does not open a login too.
	if _, err := c.store.UseTOTPStep(r.Context(), o.ID, step); err != nil {
		c.fail(w, r, err)
		return
	}
	c.sessions.Remove(r.Context(), sessEnrolKey)
	c.audit(r, formsvc.AuditTOTP, o.Username, "bật")
	o.TOTPEnabled = true
	c.accountPage(w, r, http.StatusOK, accountData{RecoveryCodes: codes})
}

func (c *Console) handleTOTPDisable(w http.ResponseWriter, r *http.Request) {
	o := officerFrom(r.Context())
	required, err := c.totpRequiredFor(r, o)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if required {
		c.accountPage(w, r, http.StatusUnprocessableEntity, accountData{Error: "Tài khoản của bạn bắt buộc có xác thực hai bước nên không tắt được. Mất điện thoại thì dùng mã khôi phục, hoặc nhờ quản trị đặt lại bằng lệnh formsvc officer reset-2fa."})
		return
	}
	if !c.checkOwnPassword(w, r) {
		return
	}
	if err := c.store.SetTOTP(r.Context(), o.ID, "", false, nil); err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r, formsvc.AuditTOTP, o.Username, "tắt")
	c.flash(w, r, "/officer/account", "Đã tắt xác thực hai bước.")
}
