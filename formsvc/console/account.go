package console

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"image/png"
	"net/http"
	"net/url"
	"strings"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

type accountData struct {
	EnrolSecret   string       // during second-factor enrolment
	EnrolQR       template.URL // data: URI of the QR code, made here
	RecoveryCodes []string
	// TOTPRequired: this officer must have the second factor (an admin,
	// or everyone by an admin's setting), so it cannot be turned off.
	TOTPRequired bool
	MinPassword  int
}

func (c *Console) accountPage(w http.ResponseWriter, r *http.Request, status int, d accountData, errs formErrors) {
	required, err := c.totpRequiredFor(r, officerFrom(r.Context()))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d.TOTPRequired, d.MinPassword = required, formsvc.MinPasswordLen
	c.refuse(w, r, status, "account", "Tài khoản của tôi", d, errs)
}

// totpRequiredFor reports whether o must have the second factor.
func (c *Console) totpRequiredFor(r *http.Request, o *formsvc.Officer) (bool, error) {
	if o.Role == formsvc.RoleAdmin {
		return true, nil
	}
	return c.store.RequireTOTP(r.Context())
}

func (c *Console) handleAccount(w http.ResponseWriter, r *http.Request) {
	c.accountPage(w, r, http.StatusOK, accountData{}, nil)
}

// checkOwnPassword asks for the current password (in control id) before a
// sensitive change. Wrong ones count against the address as at the
// login, so a borrowed session cannot be used to guess the password; when
// it answers false it has written the page.
func (c *Console) checkOwnPassword(w http.ResponseWriter, r *http.Request, id string) bool {
	if r.PostFormValue("current") == "" { // tries nothing: not counted
		c.accountPage(w, r, http.StatusUnprocessableEntity, accountData{}, errorsOf(id, "Nhập mật khẩu hiện tại."))
		return false
	}
	at, refused := c.guard.admit(r)
	if refused != nil {
		c.accountPage(w, r, refused.header(w), accountData{}, errorsOf(id, refused.msg))
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
		c.accountPage(w, r, http.StatusUnprocessableEntity, accountData{}, errorsOf(id, "Mật khẩu hiện tại không đúng."))
		return false
	}
	at.succeeded()
	return true
}

func (c *Console) handleOwnPassword(w http.ResponseWriter, r *http.Request) {
	o := officerFrom(r.Context())
	// The new password's own problems first: they need no check of the
	// current one.
	var errs formErrors
	if r.PostFormValue("current") == "" {
		errs.add("pw-current", "Nhập mật khẩu hiện tại.")
	}
	if err := formsvc.CheckPasswordRules(r.PostFormValue("new"), o.Username); err != nil {
		errs.add("pw-new", formsvc.ErrorMessage(err))
	} else if r.PostFormValue("new") != r.PostFormValue("confirm") {
		errs.add("pw-confirm", "Hai lần nhập mật khẩu mới không giống nhau.")
	}
	if errs != nil {
		c.accountPage(w, r, http.StatusUnprocessableEntity, accountData{}, errs)
		return
	}
	if !c.checkOwnPassword(w, r, "pw-current") {
		return
	}
	hash, err := formsvc.HashPassword(r.Context(), r.PostFormValue("new"), o.Username)
	if formsvc.ErrorCode(err) == formsvc.EINVALID {
		c.accountPage(w, r, http.StatusUnprocessableEntity, accountData{}, errorsOf("pw-new", formsvc.ErrorMessage(err)))
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
	key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: o.Username})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d, err := enrolData(o.Username, key.Secret())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.sessions.Put(r.Context(), sessEnrolKey, key.Secret())
	c.accountPage(w, r, http.StatusOK, d, nil)
}

// totpIssuer names the console in the officer's authenticator app.
const totpIssuer = "Ban lam viec can bo xa"

// enrolData is the account page during enrolment: the secret, and the QR
// code of its otpauth:// address for the app to scan.
func enrolData(username, secret string) (accountData, error) {
	q := url.Values{"secret": {secret}, "issuer": {totpIssuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + totpIssuer + ":" + username, RawQuery: q.Encode()}
	key, err := otp.NewKeyFromURL(u.String())
	if err != nil {
		return accountData{}, err
	}
	img, err := key.Image(220, 220)
	if err != nil {
		return accountData{}, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return accountData{}, err
	}
	return accountData{EnrolSecret: secret,
		EnrolQR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))}, nil
}

// handleTOTPConfirm turns the second factor on once the app's first code
// matches, and shows the recovery codes once.
func (c *Console) handleTOTPConfirm(w http.ResponseWriter, r *http.Request) {
	o := officerFrom(r.Context())
	secret := c.sessions.GetString(r.Context(), sessEnrolKey)
	code := strings.ReplaceAll(strings.TrimSpace(r.PostFormValue("code")), " ", "")
	if secret == "" { // the session forgot the secret: start again
		c.accountPage(w, r, http.StatusUnprocessableEntity, accountData{},
			errorsOf("", "Phiên cài đặt đã hết hạn. Hãy bấm nút bắt đầu bật lại và quét mã QR mới."))
		return
	}
	step, ok := matchTOTP(code, secret, c.now())
	if !ok {
		// The same secret again: the app already holds it.
		d, err := enrolData(o.Username, secret)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		msg := "Mã không đúng. Nhập mã 6 chữ số đang hiện trong ứng dụng."
		if code == "" {
			msg = "Nhập mã 6 chữ số đang hiện trong ứng dụng xác thực."
		}
		c.accountPage(w, r, http.StatusUnprocessableEntity, d, errorsOf("totp-code", msg))
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
	c.accountPage(w, r, http.StatusOK, accountData{RecoveryCodes: codes}, nil)
}

func (c *Console) handleTOTPDisable(w http.ResponseWriter, r *http.Request) {
	o := officerFrom(r.Context())
	required, err := c.totpRequiredFor(r, o)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if required {
		c.accountPage(w, r, http.StatusUnprocessableEntity, accountData{}, errorsOf("", "Tài khoản của bạn bắt buộc có xác thực hai bước nên không tắt được. Mất điện thoại thì dùng mã khôi phục, hoặc nhờ quản trị đặt lại bằng lệnh formsvc officer reset-2fa."))
		return
	}
	if !c.checkOwnPassword(w, r, "totp-pw") {
		return
	}
	if err := c.store.SetTOTP(r.Context(), o.ID, "", false, nil); err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r, formsvc.AuditTOTP, o.Username, "tắt")
	c.flash(w, r, "/officer/account", "Đã tắt xác thực hai bước.")
}
