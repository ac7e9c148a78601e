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

	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/httprate"
	"github.com/pquerna/otp/totp"

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

// loginLimiter bounds login attempts per client address (held in memory
// as a rate-limit key only, never stored or logged).
func (c *Console) loginLimiter() func(http.Handler) http.Handler {
	if c.cfg.LoginLimit <= 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	return httprate.LimitBy(c.cfg.LoginLimit, c.cfg.LoginLimitPer, func(r *http.Request) (string, error) {
		return httprate.CanonicalizeIP(middleware.GetClientIP(r.Context())), nil
	}, httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) {
		c.render(w, r, http.StatusTooManyRequests, "login", "Đăng nhập",
			loginData{Error: "Máy này đã thử đăng nhập quá nhiều lần. Vui lòng đợi " + waitWords(c.cfg.LoginLimitPer) + " rồi thử lại."})
	}))
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
	Error    string
}

func (c *Console) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	if officerFrom(r.Context()) != nil {
		http.Redirect(w, r, "/officer/", http.StatusSeeOther)
		return
	}
	c.render(w, r, http.StatusOK, "login", "Đăng nhập", loginData{})
}

const msgBadLogin = "Tên đăng nhập hoặc mật khẩu không đúng."

func (c *Console) handleLogin(w http.ResponseWriter, r *http.Request) {
	// A name longer than any username is no username: it is not looked
	// up, and only its first characters reach the audit log and the page.
	username := formsvc.Clip(strings.TrimSpace(r.PostFormValue("username")), formsvc.MaxUsernameLen)
	password := r.PostFormValue("password")
	now := c.now()
	failed := func(msg string) {
		c.store.Audit(r.Context(), formsvc.AuditEntry{At: now, Username: username, Action: formsvc.AuditLoginFailed})
		c.render(w, r, http.StatusUnauthorized, "login", "Đăng nhập", loginData{Username: username, Error: msg})
	}
	busy := func() {
		c.render(w, r, http.StatusServiceUnavailable, "login", "Đăng nhập", loginData{Username: username, Error: formsvc.MsgBusyLogin})
	}
	o, hash, err := c.store.OfficerByUsername(r.Context(), username)
	if err != nil {
		if formsvc.CheckNoPassword(r.Context(), password) != nil {
			busy()
			return
		}
		failed(msgBadLogin)
		return
	}
	if o.Locked(now) {
		failed("Tài khoản đang tạm khóa vì nhập sai mật khẩu nhiều lần. Vui lòng thử lại sau " +
			o.LockedUntil.In(formsvc.Vietnam).Format("15:04") + ".")
		return
	}
	ok, err := formsvc.CheckPassword(r.Context(), password, hash)
	if err != nil {
		busy()
		return
	}
	if !ok {
		c.store.RecordLogin(r.Context(), o.ID, false, now)
		msg := msgBadLogin
		if o.FailedLogins+1 >= formsvc.MaxFailedLogins {
			msg = "Sai mật khẩu quá nhiều lần: tài khoản bị tạm khóa " + waitWords(formsvc.LockDuration) + "."
		}
		failed(msg)
		return
	}
	if o.Disabled {
		failed("Tài khoản này đã bị vô hiệu hóa. Vui lòng liên hệ quản trị.")
		return
	}
	if err := c.sessions.RenewToken(r.Context()); err != nil {
		c.fail(w, r, err)
		return
	}
	if o.TOTPEnabled {
		c.sessions.Put(r.Context(), sessPending, o.ID)
		c.sessions.Put(r.Context(), sessTOTPTry, 0)
		http.Redirect(w, r, "/officer/login/totp", http.StatusSeeOther)
		return
	}
	c.completeLogin(w, r, o)
}

func (c *Console) completeLogin(w http.ResponseWriter, r *http.Request, o *formsvc.Officer) {
	if err := c.sessions.RenewToken(r.Context()); err != nil {
		c.fail(w, r, err)
		return
	}
	c.sessions.Remove(r.Context(), sessPending)
	c.sessions.Put(r.Context(), sessOfficer, o.ID)
	c.sessions.Put(r.Context(), sessCred, o.Credentials)
	c.store.RecordLogin(r.Context(), o.ID, true, c.now())
	r = r.WithContext(context.WithValue(r.Context(), officerKey, o))
	c.audit(r, formsvc.AuditLogin, o.Username, "")
	c.log.Info("cán bộ đăng nhập", "officer", o.Username)
	http.Redirect(w, r, "/officer/", http.StatusSeeOther)
}

func (c *Console) handleTOTPForm(w http.ResponseWriter, r *http.Request) {
	if c.sessions.GetInt64(r.Context(), sessPending) == 0 {
		http.Redirect(w, r, "/officer/login", http.StatusSeeOther)
		return
	}
	c.render(w, r, http.StatusOK, "totp", "Xác thực hai bước", loginData{})
}

// handleTOTP checks the second factor: a code from the app, or a one-time
// recovery code. Five wrong codes end the attempt.
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
	ok := false
	if len(code) == 6 {
		secret, err := c.store.TOTPSecret(r.Context(), o.ID)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		ok = secret != "" && totp.Validate(code, secret)
	} else if code != "" {
		ok, err = c.store.UseRecoveryCode(r.Context(), o.ID, hashRecovery(code))
		if err != nil {
			c.fail(w, r, err)
			return
		}
	}
	if ok {
		c.completeLogin(w, r, o)
		return
	}
	tries := c.sessions.GetInt(r.Context(), sessTOTPTry) + 1
	c.store.Audit(r.Context(), formsvc.AuditEntry{At: c.now(), OfficerID: o.ID, Username: o.Username, Action: formsvc.AuditLoginFailed, Detail: "mã xác thực hai bước sai"})
	if tries >= 5 {
		c.store.RecordLogin(r.Context(), o.ID, false, c.now())
		c.sessions.Destroy(r.Context())
		c.render(w, r, http.StatusUnauthorized, "login", "Đăng nhập", loginData{Error: "Nhập sai mã quá nhiều lần. Vui lòng đăng nhập lại."})
		return
	}
	c.sessions.Put(r.Context(), sessTOTPTry, tries)
	c.render(w, r, http.StatusUnauthorized, "totp", "Xác thực hai bước", loginData{Error: "Mã không đúng hoặc đã hết hạn. Vui lòng thử lại."})
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
