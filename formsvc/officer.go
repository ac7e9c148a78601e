package formsvc

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
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
	ID          int64
	Username    string
	Role        Role
	Disabled    bool
	TOTPEnabled bool
	// LegacyHash: the password hash was made from the password as typed,
	// before passwords were normalised (accounts older than migration
	// 0005); it is renewed at the next successful login.
	LegacyHash bool
	CreatedAt  time.Time
	// Credentials is the version of the password, raised by every change:
	// a session opened under an older one is over.
	Credentials int64
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
	if strings.TrimSpace(role) == "" {
		return nil, "", Errorf(EINVALID, "Hãy chọn vai trò cho tài khoản mới: admin (quản trị), police (Công an xã) hoặc social (Văn hóa - Xã hội).")
	}
	ro, ok := ParseRole(role)
	if !ok {
		return nil, "", Errorf(EINVALID, "Vai trò phải là admin, police hoặc social.")
	}
	hash, err := HashPassword(ctx, password, username)
	if err != nil {
		return nil, "", err
	}
	return &Officer{Username: username, Role: ro}, hash, nil
}

// OfficerService stores officers and their second factor.
//
// Errors: ENOTFOUND where an account is looked up and there is none;
// EINVALID from CreateOfficer when the username is taken (the console shows
// it at the field); EUNAVAILABLE from writes when the database is locked,
// closing or unreachable; otherwise internal.
type OfficerService interface {
	CreateOfficer(ctx context.Context, o *Officer, passwordHash string) error
	OfficerByUsername(ctx context.Context, username string) (*Officer, string, error) // with the password hash
	OfficerByID(ctx context.Context, id int64) (*Officer, error)
	Officers(ctx context.Context) ([]*Officer, error)
	SetPassword(ctx context.Context, id int64, passwordHash string) error
	SetDisabled(ctx context.Context, id int64, disabled bool) error
	// UpgradePasswordHash replaces a hash made before passwords were
	// normalised (Officer.LegacyHash) by newHash, if the account still has
	// oldHash; sessions go on (the password is the same).
	UpgradePasswordHash(ctx context.Context, id int64, oldHash, newHash string) error

	// SetTOTP stores an account's second-factor secret (sealed), whether
	// it is on, and the hashes of its recovery codes (replacing the old).
	SetTOTP(ctx context.Context, id int64, secret string, enabled bool, recoveryHashes [][]byte) error
	// TOTPSecret returns an account's second-factor secret, or "".
	TOTPSecret(ctx context.Context, id int64) (string, error)
	// UseRecoveryCode spends an unused recovery code; false if unknown or spent.
	UseRecoveryCode(ctx context.Context, id int64, codeHash []byte) (bool, error)
	// UseTOTPStep spends a code's time step; false if that step or a later
	// one was used before (a code works once).
	UseTOTPStep(ctx context.Context, id, step int64) (bool, error)
	// RequireTOTP reports whether every officer must have the second factor.
	RequireTOTP(ctx context.Context) (bool, error)
	// SetRequireTOTP requires the second factor of every officer, or not.
	SetRequireTOTP(ctx context.Context, on bool) error
}

// NeedsTOTP reports whether the officer must set up the second factor
// before anything else: admins always, everyone when an admin requires it.
func (o *Officer) NeedsTOTP(requiredForAll bool) bool {
	return !o.TOTPEnabled && (o.Role == RoleAdmin || requiredForAll)
}
