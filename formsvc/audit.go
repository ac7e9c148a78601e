package formsvc

import (
	"context"
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

// AuditService appends to and reads the audit log.
type AuditService interface {
	Audit(ctx context.Context, e AuditEntry) error
	AuditLog(ctx context.Context, offset, limit int) ([]AuditEntry, int, error)
}
