package formsvc

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"golang.org/x/sync/semaphore"
)

// Role is what an officer may do and see.
type Role string

const (
	RoleAdmin  Role = "admin"  // accounts, and every record
	RolePolice Role = "police" // tip-offs only
	RoleSocial Role = "social" // support requests only
)

// Roles lists the roles.
var Roles = []Role{RoleAdmin, RolePolice, RoleSocial}

// RoleLabels name the roles in Vietnamese.
var RoleLabels = map[Role]string{
	RoleAdmin:  "Quản trị",
	RolePolice: "Công an xã",
	RoleSocial: "Văn hóa - Xã hội",
}

// ParseRole reads a role name.
func ParseRole(s string) (Role, bool) {
	r := Role(s)
	return r, slices.Contains(Roles, r)
}

// Kinds lists the kinds of record the role may see. A role never sees the
// other kind's records: not in lists, case pages, photos, counts, exports
// or reports.
func (r Role) Kinds() []Kind {
	switch r {
	case RoleAdmin:
		return []Kind{KindTip, KindSupport}
	case RolePolice:
		return []Kind{KindTip}
	case RoleSocial:
		return []Kind{KindSupport}
	}
	return nil
}

// CanSee reports whether the role may see records of kind k.
func (r Role) CanSee(k Kind) bool { return slices.Contains(r.Kinds(), k) }

// Officer is an account of the console.
type Officer struct {
	ID           int64
	Username     string
	Role         Role
	Disabled     bool
	TOTPEnabled  bool
	FailedLogins int
	LockedUntil  time.Time
	CreatedAt    time.Time
	// Credentials is the version of the password, raised by every change:
	// a session opened under an older one is over.
	Credentials int64
}

// Login throttling per account.
const (
	MaxFailedLogins = 5
	LockDuration    = 15 * time.Minute
)

// Locked reports whether the account is locked at now.
func (o *Officer) Locked(now time.Time) bool { return now.Before(o.LockedUntil) }

// Password rules.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 256
)

// passwordParams are argon2id's parameters, above OWASP's minimum
// (m=19 MiB, t=2, p=1): 64 MiB, 2 passes.
var passwordParams = &argon2id.Params{Memory: 64 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// CheckPasswordRules refuses a password that is too short or too long.
func CheckPasswordRules(pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLen {
		return Errorf(EINVALID, "Mật khẩu cần ít nhất %d ký tự.", MinPasswordLen)
	}
	if n > MaxPasswordLen {
		return Errorf(EINVALID, "Mật khẩu không được dài quá %d ký tự.", MaxPasswordLen)
	}
	return nil
}

// Password hashes at once: each takes 64 MiB, so 30 logins at once would
// take 1.9 GB. The rest wait up to hashWait, then are told to try again.
const hashSlots = 2

var hashWait = 3 * time.Second // a variable for the tests only

var hashGate = semaphore.NewWeighted(hashSlots)

// MsgBusyLogin answers a login that found every hash slot taken.
const MsgBusyLogin = "Hệ thống đang bận kiểm tra đăng nhập. Vui lòng đợi một phút rồi thử lại."

// withHashSlot runs fn while holding one of the hash slots, waiting at
// most hashWait (or until ctx ends); EUNAVAILABLE if none came free.
func withHashSlot(ctx context.Context, fn func()) error {
	ctx, cancel := context.WithTimeout(ctx, hashWait)
	defer cancel()
	if err := hashGate.Acquire(ctx, 1); err != nil {
		return Errorf(EUNAVAILABLE, MsgBusyLogin)
	}
	defer hashGate.Release(1)
	fn()
	return nil
}

// HashPassword hashes a password with argon2id.
func HashPassword(ctx context.Context, pw string) (string, error) {
	if err := CheckPasswordRules(pw); err != nil {
		return "", err
	}
	var h string
	var err error
	if gerr := withHashSlot(ctx, func() { h, err = argon2id.CreateHash(pw, passwordParams) }); gerr != nil {
		return "", gerr
	}
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// CheckPassword compares a password with its hash in constant time. The
// error is EUNAVAILABLE when no hash slot came free: that is no answer
// about the password, and must not count as a failed login.
func CheckPassword(ctx context.Context, pw, hash string) (bool, error) {
	if len(pw) > 4*MaxPasswordLen {
		pw = pw[:4*MaxPasswordLen] // no valid password is longer
	}
	var ok bool
	var err error
	if gerr := withHashSlot(ctx, func() { ok, err = argon2id.ComparePasswordAndHash(pw, hash) }); gerr != nil {
		return false, gerr
	}
	return err == nil && ok, nil
}

// dummyHash lets a login for an unknown user take as long as a real one.
// It is made on first use, not at start: argon2id takes 64 MiB, which a
// process that never checks a password (formsvc serve under the public's
// load, export, backup) should not keep as resident memory.
var dummyHash = sync.OnceValue(func() string {
	h, _ := argon2id.CreateHash("không có tài khoản này", passwordParams)
	return h
})

// CheckNoPassword spends the time of a password check, for unknown users.
func CheckNoPassword(ctx context.Context, pw string) error {
	_, err := CheckPassword(ctx, pw, dummyHash())
	return err
}

// UsernameRe: 3 to 32 lower-case letters, digits, dots, dashes, underscores.
var UsernameRe = regexp.MustCompile(`^[a-z0-9._-]{3,32}$`)

// NewOfficer checks a new account's username, role and password and
// hashes the password; the console and the command line both use it.
func NewOfficer(ctx context.Context, username, role, password string) (*Officer, string, error) {
	username = strings.TrimSpace(username)
	if !UsernameRe.MatchString(username) {
		return nil, "", Errorf(EINVALID, "Tên đăng nhập cần 3 đến 32 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới.")
	}
	ro, ok := ParseRole(role)
	if !ok {
		return nil, "", Errorf(EINVALID, "Vai trò phải là admin, police hoặc social.")
	}
	hash, err := HashPassword(ctx, password)
	if err != nil {
		return nil, "", err
	}
	return &Officer{Username: username, Role: ro}, hash, nil
}

// OfficerService stores officers.
type OfficerService interface {
	CreateOfficer(ctx context.Context, o *Officer, passwordHash string) error
	OfficerByUsername(ctx context.Context, username string) (*Officer, string, error) // with the password hash
	OfficerByID(ctx context.Context, id int64) (*Officer, error)
	Officers(ctx context.Context) ([]*Officer, error)
	SetPassword(ctx context.Context, id int64, passwordHash string) error
	SetDisabled(ctx context.Context, id int64, disabled bool) error
	RecordLogin(ctx context.Context, id int64, ok bool, now time.Time) error
}
