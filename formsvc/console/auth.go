package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

type ctxKey struct{ name string }

var officerKey = &ctxKey{"officer"}

// Session keys.
const (
	sessOfficer  = "officer_id"
	sessCred     = "officer_credentials" // Officer.Credentials at login
	sessPending  = "pending_officer_id"  // password checked, second factor due
	sessTOTPTry  = "totp_tries"
	sessEnrolKey = "totp_enrol_secret"
	// sessWeakPassword: the password was right but breaks today's rules.
	sessWeakPassword = "weak_password"
)

func officerFrom(ctx context.Context) *formsvc.Officer {
	o, _ := ctx.Value(officerKey).(*formsvc.Officer)
	return o
}

// loadOfficer reads the session's officer afresh on every request, so a
// disabled account, a changed role or a new password (which ends the
// sessions opened with the old one) takes effect at once.
func (c *Console) loadOfficer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := c.sessions.GetInt64(r.Context(), sessOfficer)
		if id != 0 {
			o, err := c.store.OfficerByID(r.Context(), id)
			if err != nil || o.Disabled || c.sessions.GetInt64(r.Context(), sessCred) != o.Credentials {
				c.sessions.Destroy(r.Context())
			} else {
				r = r.WithContext(context.WithValue(r.Context(), officerKey, o))
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (c *Console) requireOfficer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if officerFrom(r.Context()) == nil {
			http.Redirect(w, r, "/officer/login", http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requireRole lets only the given roles through; others get 404, as if
// the page did not exist.
func requireRole(roles ...formsvc.Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			o := officerFrom(r.Context())
			for _, role := range roles {
				if o != nil && o.Role == role {
					next.ServeHTTP(w, r)
					return
				}
			}
			http.NotFound(w, r)
		})
	}
}

// waitWords says a wait in Vietnamese: "15 phút", "1 giờ", "1 giờ 30 phút".
func waitWords(d time.Duration) string {
	m := int((d + time.Minute - 1) / time.Minute)
	switch {
	case m < 60:
		return fmt.Sprintf("%d phút", max(m, 1))
	case m%60 == 0:
		return fmt.Sprintf("%d giờ", m/60)
	}
	return fmt.Sprintf("%d giờ %d phút", m/60, m%60)
}

// audit appends to the audit log; a failure to audit is logged loudly.
func (c *Console) audit(r *http.Request, action, target, detail string) error {
	e := formsvc.AuditEntry{At: c.now(), Action: action, Target: target, Detail: detail}
	if o := officerFrom(r.Context()); o != nil {
		e.OfficerID, e.Username = o.ID, o.Username
	}
	err := c.store.Audit(r.Context(), e)
	if err != nil {
		c.log.Error("không ghi được nhật ký kiểm tra", "action", action, "err", err)
	}
	return err
}

type loginData struct {
	Username string
}

func (c *Console) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	if officerFrom(r.Context()) != nil {
		http.Redirect(w, r, "/officer/", http.StatusSeeOther)
		return
	}
	c.render(w, r, http.StatusOK, "login", "Đăng nhập", loginData{})
}

// msgBadLogin answers an unknown name and a wrong password alike.
const msgBadLogin = "Tên đăng nhập hoặc mật khẩu không đúng."

// msgWeakPassword: the password that opened the session was set under
// older rules.
const msgWeakPassword = "Mật khẩu của bạn không còn đạt quy tắc mật khẩu mới của hệ thống. Vui lòng đổi mật khẩu ở trang \"Tài khoản của tôi\"."

// handleLogin checks a username and password. What the client learns
// does not depend on whether the name exists: the address guard decides
// before the name is looked up; then exactly one argon2id check runs (an
// unknown name against a hash of nothing, see formsvc.VerifyPassword), and
// an unknown name and a wrong password get the same status, page and
// audit write. Only the right password learns more (a disabled account,
// the second step).
func (c *Console) handleLogin(w http.ResponseWriter, r *http.Request) {
	// A name longer than any username is no username: it is not looked
	// up, and only its first characters reach the audit log and the page.
	username := formsvc.Clip(strings.TrimSpace(r.PostFormValue("username")), formsvc.MaxUsernameLen)
	password := r.PostFormValue("password")
	page := func(status int, errs formErrors) {
		c.refuse(w, r, status, "login", "Đăng nhập", loginData{Username: username}, errs)
	}
	// An empty field is refused before any lookup: it tries nothing.
	var errs formErrors
	if username == "" {
		errs.add("username", "Nhập tên đăng nhập.")
	}
	if password == "" {
		errs.add("password", "Nhập mật khẩu.")
	}
	if errs != nil {
		page(http.StatusUnprocessableEntity, errs)
		return
	}
	at, refused := c.guard.admit(r)
	if refused != nil {
		page(refused.header(w), errorsOf("", refused.msg))
		return
	}
	o, hash, err := c.store.OfficerByUsername(r.Context(), username)
	if err != nil && formsvc.ErrorCode(err) != formsvc.ENOTFOUND {
		at.succeeded()
		c.fail(w, r, err)
		return
	}
	if err != nil {
		o = nil
	}
	ok, err := formsvc.VerifyPassword(r.Context(), o, hash, password)
	if err != nil { // no hash slot: no answer about the password
		at.succeeded()
		w.Header().Set("Retry-After", "60")
		page(http.StatusServiceUnavailable, errorsOf("", formsvc.MsgBusyLogin))
		return
	}
	if !ok {
		c.store.Audit(r.Context(), formsvc.AuditEntry{At: c.now(), Username: username, Action: formsvc.AuditLoginFailed})
		page(http.StatusUnauthorized, errorsOf("password", msgBadLogin))
		return
	}
	if o.Disabled {
		c.store.Audit(r.Context(), formsvc.AuditEntry{At: c.now(), Username: username, Action: formsvc.AuditLoginFailed, Detail: "tài khoản bị vô hiệu hóa"})
		page(http.StatusUnauthorized, errorsOf("", "Tài khoản này đã bị vô hiệu hóa. Vui lòng liên hệ quản trị."))
		return
	}
	at.succeeded()
	if o.LegacyHash {
		c.upgradeHash(r, o, hash, password)
	}
	if err := c.sessions.RenewToken(r.Context()); err != nil {
		c.fail(w, r, err)
		return
	}
	if formsvc.CheckPasswordRules(password, o.Username) != nil {
		c.sessions.Put(r.Context(), sessWeakPassword, true)
	}
	if o.TOTPEnabled {
		c.sessions.Put(r.Context(), sessPending, o.ID)
		c.sessions.Put(r.Context(), sessTOTPTry, 0)
		http.Redirect(w, r, "/officer/login/totp", http.StatusSeeOther)
		return
	}
	c.completeLogin(w, r, o)
}

// upgradeHash replaces a hash made before passwords were normalised by one
// of the normalised password, now that the password is known to be right.
// On failure the old hash stays, and works as before.
func (c *Console) upgradeHash(r *http.Request, o *formsvc.Officer, oldHash, password string) {
	h, err := formsvc.RehashPassword(r.Context(), password)
	if err == nil {
		err = c.store.UpgradePasswordHash(r.Context(), o.ID, oldHash, h)
	}
	if err != nil {
		c.log.Warn("chưa làm mới được mã băm mật khẩu", "officer", o.Username, "err", err)
	}
}

func (c *Console) completeLogin(w http.ResponseWriter, r *http.Request, o *formsvc.Officer) {
	if err := c.sessions.RenewToken(r.Context()); err != nil {
		c.fail(w, r, err)
		return
	}
	c.sessions.Remove(r.Context(), sessPending)
	c.sessions.Put(r.Context(), sessOfficer, o.ID)
	c.sessions.Put(r.Context(), sessCred, o.Credentials)
	r = r.WithContext(context.WithValue(r.Context(), officerKey, o))
	c.audit(r, formsvc.AuditLogin, o.Username, "")
	c.log.Info("cán bộ đăng nhập", "officer", o.Username)
	if c.sessions.PopBool(r.Context(), sessWeakPassword) {
		c.sessions.Put(r.Context(), "flash", msgWeakPassword)
	}
	http.Redirect(w, r, "/officer/", http.StatusSeeOther)
}

// msgSetUpTOTP sends an officer without the second factor to set it up.
const msgSetUpTOTP = "Cần bật xác thực hai bước trước khi làm việc: tài khoản quản trị luôn phải có, và quản trị có thể yêu cầu mọi cán bộ. Hãy làm theo các bước dưới đây."

// requireSecondFactor sends an officer who must have the second factor
// and has not set it up (formsvc.Officer.NeedsTOTP) to the account page,
// before anything else.
func (c *Console) requireSecondFactor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o := officerFrom(r.Context()); !o.TOTPEnabled {
			required, err := c.store.RequireTOTP(r.Context())
			if err != nil {
				c.fail(w, r, err)
				return
			}
			if o.NeedsTOTP(required) {
				c.flash(w, r, "/officer/account", msgSetUpTOTP)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (c *Console) handleTOTPForm(w http.ResponseWriter, r *http.Request) {
	if c.sessions.GetInt64(r.Context(), sessPending) == 0 {
		http.Redirect(w, r, "/officer/login", http.StatusSeeOther)
		return
	}
	c.render(w, r, http.StatusOK, "totp", "Xác thực hai bước", loginData{})
}

// msgBadCode answers a wrong, expired or used second-factor code.
const msgBadCode = "Mã không đúng, đã hết hạn hoặc đã được dùng. Vui lòng nhập mã mới đang hiện trong ứng dụng."

// handleTOTP checks the second factor: a code from the app, each time step
// once per account, or a one-time recovery code. Wrong codes count against
// the address like wrong passwords; five end the attempt.
func (c *Console) handleTOTP(w http.ResponseWriter, r *http.Request) {
	id := c.sessions.GetInt64(r.Context(), sessPending)
	if id == 0 {
		http.Redirect(w, r, "/officer/login", http.StatusSeeOther)
		return
	}
	o, err := c.store.OfficerByID(r.Context(), id)
	if err != nil || o.Disabled {
		c.sessions.Destroy(r.Context())
		http.Redirect(w, r, "/officer/login", http.StatusSeeOther)
		return
	}
	code := strings.ReplaceAll(strings.TrimSpace(r.PostFormValue("code")), " ", "")
	if code == "" { // tries nothing: not counted
		c.refuse(w, r, http.StatusUnprocessableEntity, "totp", "Xác thực hai bước", loginData{},
			errorsOf("code", "Nhập mã 6 chữ số đang hiện trong ứng dụng xác thực, hoặc một mã khôi phục."))
		return
	}
	at, refused := c.guard.admit(r)
	if refused != nil {
		c.refuse(w, r, refused.header(w), "totp", "Xác thực hai bước", loginData{}, errorsOf("", refused.msg))
		return
	}
	ok := false
	if len(code) == 6 {
		secret, err := c.store.TOTPSecret(r.Context(), o.ID)
		if err != nil {
			at.succeeded()
			c.fail(w, r, err)
			return
		}
		if step, match := matchTOTP(code, secret, c.now()); secret != "" && match {
			if ok, err = c.store.UseTOTPStep(r.Context(), o.ID, step); err != nil {
				at.succeeded()
				c.fail(w, r, err)
				return
			}
		}
	} else {
		ok, err = c.store.UseRecoveryCode(r.Context(), o.ID, hashRecovery(code))
		if err != nil {
			at.succeeded()
			c.fail(w, r, err)
			return
		}
	}
	if ok {
		at.succeeded()
		c.completeLogin(w, r, o)
		return
	}
	tries := c.sessions.GetInt(r.Context(), sessTOTPTry) + 1
	c.store.Audit(r.Context(), formsvc.AuditEntry{At: c.now(), OfficerID: o.ID, Username: o.Username, Action: formsvc.AuditLoginFailed, Detail: "mã xác thực hai bước sai"})
	if tries >= 5 {
		c.sessions.Destroy(r.Context())
		c.refuse(w, r, http.StatusUnauthorized, "login", "Đăng nhập", loginData{}, errorsOf("", "Nhập sai mã quá nhiều lần. Vui lòng đăng nhập lại."))
		return
	}
	c.sessions.Put(r.Context(), sessTOTPTry, tries)
	c.refuse(w, r, http.StatusUnauthorized, "totp", "Xác thực hai bước", loginData{}, errorsOf("code", msgBadCode))
}

func (c *Console) handleLogout(w http.ResponseWriter, r *http.Request) {
	if o := officerFrom(r.Context()); o != nil {
		c.audit(r, formsvc.AuditLogout, o.Username, "")
	}
	c.sessions.Destroy(r.Context())
	http.Redirect(w, r, "/officer/login", http.StatusSeeOther)
}

// Recovery codes: ten random codes of 10 base32 characters, shown once and
// stored as SHA-256 hashes (they carry 50 bits of randomness each).
func newRecoveryCodes() (codes []string, hashes [][]byte) {
	for range 10 {
		b := make([]byte, 7)
		rand.Read(b)
		s := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:10]
		code := s[:5] + "-" + s[5:]
		codes = append(codes, code)
		hashes = append(hashes, hashRecovery(code))
	}
	return codes, hashes
}

func hashRecovery(code string) []byte {
	code = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(code), "-", ""))
	h := sha256.Sum256([]byte("formsvc recovery:" + code))
	return h[:]
}
