package formsvc

import (
	"context"
	"strings"
	"time"
)

// Audit actions.
const (
	AuditLogin          = "login"
	AuditLoginFailed    = "login_failed"
	AuditLogout         = "logout"
	AuditView           = "view"
	AuditStatus         = "status"
	AuditNote           = "note"
	AuditReply          = "reply"
	AuditAssign         = "assign"
	AuditExport         = "export"
	AuditReport         = "report"
	AuditOfficerAdd     = "officer_add"
	AuditOfficerPasswd  = "officer_passwd"
	AuditOfficerDisable = "officer_disable"
	AuditOfficerEnable  = "officer_enable"
	AuditTOTP           = "totp"
	AuditPhoto          = "photo_view"
	AuditSettings       = "settings"
	AuditPriority       = "priority"
	AuditOutcome        = "referral_outcome"
	AuditSearch         = "search"
)

// AuditLabels describe the actions in Vietnamese for the console.
var AuditLabels = map[string]string{
	AuditLogin:          "Đăng nhập",
	AuditLoginFailed:    "Đăng nhập thất bại",
	AuditLogout:         "Đăng xuất",
	AuditView:           "Xem hồ sơ",
	AuditStatus:         "Đổi trạng thái",
	AuditNote:           "Ghi chú nội bộ",
	AuditReply:          "Trả lời người gửi",
	AuditAssign:         "Giao việc",
	AuditExport:         "Xuất dữ liệu",
	AuditReport:         "Lập báo cáo",
	AuditOfficerAdd:     "Thêm tài khoản",
	AuditOfficerPasswd:  "Đổi mật khẩu",
	AuditOfficerDisable: "Khóa tài khoản",
	AuditOfficerEnable:  "Mở khóa tài khoản",
	AuditTOTP:           "Xác thực hai bước",
	AuditPhoto:          "Xem ảnh",
	AuditSettings:       "Đổi cài đặt",
	AuditPriority:       "Đổi mức ưu tiên",
	AuditOutcome:        "Ghi kết quả chuyển hồ sơ",
	AuditSearch:         "Tìm hồ sơ",
}

// AuditEntry is one line of the append-only audit log: who, when, what,
// on which record. Never a submission's content or a receipt.
type AuditEntry struct {
	ID        int64
	At        time.Time
	OfficerID int64 // 0 for the command line or an unknown user
	Username  string
	Action    string
	Target    string // a reference such as TB-2026-0042, or a username
	Detail    string
}

// Bounds of what an audit entry keeps: a username is at most
// MaxUsernameLen characters; a target and a detail are never long. Values
// the public can type (a failed login's name) are clipped to them before
// they reach the append-only log or a page.
const (
	MaxUsernameLen    = 64
	maxAuditTargetLen = 200
	maxAuditDetailLen = 2000
)

// Clipped returns e with every text clipped to its bound.
func (e AuditEntry) Clipped() AuditEntry {
	e.Username = Clip(e.Username, MaxUsernameLen)
	e.Action = Clip(e.Action, maxAuditTargetLen)
	e.Target = Clip(e.Target, maxAuditTargetLen)
	e.Detail = Clip(e.Detail, maxAuditDetailLen)
	return e
}

// Clip cuts s to at most n characters (runes), marking a cut with "…".
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i, count := 0, 0
	for i = range s {
		if count == n-1 {
			return strings.ToValidUTF8(s[:i], "") + "…"
		}
		count++
	}
	return s
}

// AuditService appends to and reads the audit log.
type AuditService interface {
	// Audit appends e (clipped to its bounds). Errors: EUNAVAILABLE
	// (locked or closing), otherwise internal; a caller that cannot audit
	// must not go on with what it audits.
	Audit(ctx context.Context, e AuditEntry) error
	// AuditLog reads one page of the log, newest first, and the total
	// (internal errors only).
	AuditLog(ctx context.Context, offset, limit int) ([]AuditEntry, int, error)
}
